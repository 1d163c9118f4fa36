#!/usr/bin/env bash
# Bytes over SSH at idle: the raw bytes warroom writes to its 160x48 tmux pane
# (pipe-pane) per minute, with everything on that draws from live data:
#   - a real Prometheus evaluating 5 alert rules over 10 services (50 firing
#     alerts), scraping scripts/bench-exporter.py, with 40 minutes of history
#     backfilled (promtool) so the sparklines' window is full, as on a
#     Prometheus that has been running;
#   - a real Alertmanager receiving those alerts from Prometheus;
#   - the board's sparklines (each alert's own expression), the detail with
#     the default golden signals of the selected alert's service, and the logs
#     pane (a drill Loki: `warroom drill serve`, a few lines, none new).
# Two figures: "steady" (every series holds still: gauges constant, counters at
# a constant rate) and "moving" (every series swings over 5 minutes, so every
# sparkline changes at every step), then `watch -n 2 amtool alert query` on the
# same Alertmanager for scale.
# Usage: scripts/bench-idle-bytes.sh [--quick]   (BENCH_RAW_DIR=DIR keeps the raw bytes)
#   default: 90 s settle, 180 s window (three minute boundaries, one and a half
#   sparkline steps); --quick: 30 s settle, 60 s window, for CI.
source "$(dirname "$0")/bench-lib.sh"

SETTLE=90
WINDOW=180
if [ "${1:-}" = "--quick" ]; then
    SETTLE=30
    WINDOW=60
fi
need tmux amtool watch curl jq python3 promtool
bin=$(release_bin)
EXPORTER="$ROOT/scripts/bench-exporter.py"
HISTORY_MIN=40

rules() {
    local n=$1 expr=$2 sev=$3 summary=$4
    cat <<YAML
      - alert: $n
        expr: '$expr'
        labels: {severity: $sev}
        annotations:
          summary: "$summary on {{ \$labels.service }}"
          description: "Bench rule over scripts/bench-exporter.py; fires for each of the ten services."
          runbook_url: "runbooks/$n.md"
YAML
}

# stack MODE: exporter, Prometheus (with backfilled history), Alertmanager and
# a drill Loki for MODE; sets PROM_URL, AM_URL, LOKI_URL and CONFIG.
stack() {
    local mode=$1 dir="$WORK/$1"
    mkdir -p "$dir/prom/data"
    local exporter_port
    exporter_port=$(free_port)
    python3 "$EXPORTER" serve "$mode" "$exporter_port" >"$dir/exporter.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$exporter_port/metrics" 10

    local now
    now=$(date +%s)
    python3 "$EXPORTER" history "$mode" "127.0.0.1:$exporter_port" $((now - HISTORY_MIN * 60)) $((now - 30)) 5 \
        >"$dir/history.om"
    promtool tsdb create-blocks-from openmetrics -q "$dir/history.om" "$dir/prom/data" >"$dir/backfill.log" 2>&1

    # No inhibition: all 50 alerts on the board.
    cat >"$dir/alertmanager.yml" <<YAML
route: {receiver: blackhole, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: blackhole}]
YAML
    start_alertmanager "$dir/alertmanager.yml"
    {
        echo "groups:"
        echo "  - name: bench"
        echo "    rules:"
        rules QueueBacklog 'bench_queue_depth > 50' warning "Queue backlog"
        rules DiskFilling 'bench_disk_used_ratio > 0.8' critical "Disk above 80%"
        rules MemoryPressure 'bench_memory_used_ratio > 0.9' warning "Memory above 90%"
        rules ReplicationLag 'bench_replication_lag_seconds > 20' info "Replica behind"
        rules HighErrorRate \
            'sum by (service) (rate(http_requests_total{status="500"}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.01' \
            critical "5xx ratio above 1%"
    } >"$dir/prom/rules.yml"
    local prom_port
    prom_port=$(free_port)
    cat >"$dir/prom/prometheus.yml" <<YAML
global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: [rules.yml]
alerting: {alertmanagers: [{static_configs: [{targets: ['${AM_URL#http://}']}]}]}
scrape_configs:
  - {job_name: bench, static_configs: [{targets: ['127.0.0.1:$exporter_port']}]}
YAML
    prometheus --config.file="$dir/prom/prometheus.yml" --storage.tsdb.path="$dir/prom/data" \
        --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$dir/prom/log" 2>&1 &
    PIDS+=($!)
    PROM_URL="http://127.0.0.1:$prom_port"
    wait_http "$PROM_URL/-/ready" 60

    # The logs pane: a few lines per service at the drill's start, none after.
    {
        echo 'name = "bench-logs"'
        echo 'title = "Idle logs"'
        echo 'description = "A few lines per service, then nothing"'
        echo 'duration = "1h"'
        for i in 0 1 2 3 4 5 6 7 8 9; do
            for t in 0 1 2; do
                echo "[[events]]"
                echo "at = $t"
                echo "labels = { service = \"svc-$i\", level = \"info\" }"
                echo "text = 'level=info msg=\"request served\" service=svc-$i line=$t'"
            done
        done
    } >"$dir/logs.toml"
    local loki_port
    loki_port=$(free_port)
    "$bin" --log-file "$dir/drill.log" drill serve --scenario-file "$dir/logs.toml" --listen "127.0.0.1:$loki_port" \
        >"$dir/drill.out" 2>&1 &
    PIDS+=($!)
    LOKI_URL="http://127.0.0.1:$loki_port"
    wait_http "$LOKI_URL/ready" 20

    CONFIG="$dir/config.toml"
    cat >"$CONFIG" <<TOML
[[prometheus]]
url = "$PROM_URL"
[[alertmanager]]
url = "$AM_URL"
[[loki]]
url = "$LOKI_URL"
TOML
    # Until Alertmanager has all 50 (Prometheus 2.42 learns its
    # Alertmanagers through service discovery, about 5 s).
    local deadline=$((SECONDS + 90))
    until [ "$(curl -fsS "$AM_URL/api/v2/alerts" | jq length)" -ge 50 ] 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "$0: Alertmanager did not get 50 alerts" >&2; tail "$dir/prom/log" >&2; exit 1; }
        sleep 0.5
    done
}

# measure NAME LABEL: bytes the pane's program writes during WINDOW seconds.
measure() {
    local out="$WORK/$1.out"
    sleep "$SETTLE"
    tmux_ pipe-pane -o -t "bench:$1" "cat > '$out'"
    sleep "$WINDOW"
    tmux_ pipe-pane -t "bench:$1"
    sleep 0.2
    local bytes
    bytes=$(wc -c <"$out")
    if [ -n "${BENCH_RAW_DIR:-}" ]; then
        mkdir -p "$BENCH_RAW_DIR" && cp "$out" "$BENCH_RAW_DIR/"
    fi
    printf '%-52s %8d bytes in %ss = %7d bytes/min\n' "$2" "$bytes" "$WINDOW" $((bytes * 60 / WINDOW))
}

machine
echo "50 firing alerts (Prometheus $(prometheus --version 2>&1 | head -1 | cut -d' ' -f3)), 160x48 pane," \
    "settle ${SETTLE}s, window ${WINDOW}s"
for mode in steady moving; do
    stack "$mode"
    in_pane "$mode" 160 48 "$bin --config $CONFIG --refresh 2 --no-mouse --log-file $WORK/$mode/warroom.log"
    wait_screen "$mode" "Alerts (50)" 60
    wait_screen "$mode" "svc-" 30
    measure "$mode" "warroom --refresh 2, series $mode"
    if [ "$mode" = steady ]; then
        in_pane amtool 160 48 "watch -n 2 amtool --alertmanager.url=$AM_URL alert query"
        wait_screen amtool "Alertname" 30
        measure amtool "watch -n 2 amtool alert query (same Alertmanager)"
    fi
    tmux_ kill-window -t "bench:$mode"
done
