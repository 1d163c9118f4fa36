#!/usr/bin/env bash
# Shared by scripts/bench-*.sh (source it): a throwaway Alertmanager (and
# Prometheus) on free loopback ports, alerts POSTed to it, the release binary,
# and a tmux server of our own. Everything started here is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d -t warroom-bench-XXXXXX)"
TMUX_SOCKET="warroom-bench-$$"
PIDS=()
BIN="${WARROOM_BIN:-}"

cleanup() {
    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# need CMD...: exits saying how to install the first one missing. The servers
# and tmux come with scripts/install-test-deps.sh (the tests need them); the
# bench-only tools (curl, jq, watch, time) do not, since no test uses them.
need() {
    local cmd hint
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null && continue
        case "$cmd" in
            prometheus | prometheus-alertmanager | amtool | tmux) hint="scripts/install-test-deps.sh" ;;
            watch) hint="apt-get install -y procps" ;;
            /usr/bin/time) hint="apt-get install -y time" ;;
            *) hint="apt-get install -y $cmd" ;;
        esac
        echo "$0: $cmd is required ($hint)" >&2
        exit 2
    done
}

# The optimised binary: WARROOM_BIN, else target/release/warroom (built if missing).
release_bin() {
    if [ -z "$BIN" ]; then
        local target="${CARGO_TARGET_DIR:-$ROOT/target}"
        BIN="$target/release/warroom"
        if [ ! -x "$BIN" ]; then
            (cd "$ROOT" && cargo build --release --bin warroom)
        fi
    fi
    echo "$BIN"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
    local deadline=$((SECONDS + $2))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "$0: $1 did not come up" >&2; exit 1; }
        sleep 0.1
    done
}

# start_alertmanager [CONFIG]: sets AM_URL. CONFIG defaults to the tests'
# (which inhibit a service's warnings while a critical alert of it fires).
start_alertmanager() {
    need prometheus-alertmanager
    local port
    port=$(free_port)
    local dir
    dir=$(mktemp -d "$WORK/am-XXXX")
    cp "${1:-$ROOT/tests/fixtures/real/alertmanager.yml}" "$dir/alertmanager.yml"
    prometheus-alertmanager --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= --log.level=warn \
        >"$dir/log" 2>&1 &
    PIDS+=($!)
    AM_URL="http://127.0.0.1:$port"
    wait_http "$AM_URL/-/ready" 20
}

# start_prometheus: sets PROM_URL (the test rules, alerts sent to AM_URL).
start_prometheus() {
    need prometheus
    local port
    port=$(free_port)
    mkdir -p "$WORK/prom"
    cp "$ROOT/tests/fixtures/real/rules.yml" "$WORK/prom/rules.yml"
    cat >"$WORK/prom/prometheus.yml" <<YAML
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: [rules.yml]
alerting: {alertmanagers: [{static_configs: [{targets: ['${AM_URL#http://}']}]}]}
scrape_configs: [{job_name: prometheus, static_configs: [{targets: ['127.0.0.1:$port']}]}]
YAML
    prometheus --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" \
        --web.listen-address="127.0.0.1:$port" --log.level=warn >"$WORK/prom/log" 2>&1 &
    PIDS+=($!)
    PROM_URL="http://127.0.0.1:$port"
    wait_http "$PROM_URL/-/ready" 30
}

# post_alerts N: N distinct firing alerts (about 1 KB each), ending in 24 h.
post_alerts() {
    python3 - "$AM_URL" "$1" <<'PY'
import datetime, json, sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc)
names = ["HighErrorRate", "HighLatencyP99", "TargetDown", "DiskWillFillIn4Hours", "KubePodCrashLooping",
         "NodeMemoryHighUtilization", "PostgresReplicationLag", "CertificateExpiry", "KafkaConsumerLag", "NginxHigh5xx"]
sev = ["critical", "warning", "warning", "info"]
def alert(i):
    name = names[i % len(names)]
    return {
        "labels": {"alertname": name, "severity": sev[i % 4], "service": f"svc-{i % 40}", "namespace": f"team-{i % 9}",
                   "cluster": f"prod-eu-west-{i % 3}", "instance": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}:9100",
                   "pod": f"{name.lower()}-{i:06d}-7f9c5d", "job": "kubernetes-pods"},
        "annotations": {"summary": f"{name} on svc-{i % 40} in prod-eu-west-{i % 3}: 5m rate above threshold",
                        "description": f"The 5-minute error ratio of svc-{i % 40} has been above 5% for 10 minutes. "
                                       "Check recent deploys, upstream dependencies and the saturation dashboards.",
                        "runbook_url": f"https://runbooks.example.com/{name.lower()}"},
        "startsAt": (now - datetime.timedelta(seconds=(i * 37) % 86400)).isoformat(),
        "endsAt": (now + datetime.timedelta(hours=24)).isoformat(),
    }
for start in range(0, n, 500):
    body = json.dumps([alert(i) for i in range(start, min(n, start + 500))]).encode()
    req = urllib.request.Request(url + "/api/v2/alerts", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
PY
    # Until Alertmanager lists them all.
    local deadline=$((SECONDS + 60))
    until [ "$(curl -fsS "$AM_URL/api/v2/alerts?silenced=false&inhibited=false" | jq length)" -ge "$1" ] 2>/dev/null ||
        [ "$(curl -fsS "$AM_URL/api/v2/alerts" | jq length)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "$0: Alertmanager did not take $1 alerts" >&2; exit 1; }
        sleep 0.5
    done
}

tmux_() { tmux -L "$TMUX_SOCKET" "$@"; }

# in_pane NAME WIDTH HEIGHT COMMAND...: a detached tmux window running COMMAND.
in_pane() {
    local name=$1 w=$2 h=$3
    shift 3
    if tmux_ has-session -t bench 2>/dev/null; then
        tmux_ new-window -d -t bench -n "$name" "$*"
    else
        tmux_ new-session -d -s bench -n "$name" -x "$w" -y "$h" "$*"
        tmux_ set-option -t bench window-size manual
    fi
    tmux_ resize-window -t "bench:$name" -x "$w" -y "$h"
}

pane_pid() { tmux_ display-message -p -t "bench:$1" '#{pane_pid}'; }

# wait_screen NAME TEXT SECONDS: until the pane shows TEXT.
wait_screen() {
    local deadline=$((SECONDS + $3))
    until tmux_ capture-pane -p -t "bench:$1" | grep -qF -- "$2"; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "$0: '$2' never appeared in $1:" >&2; tmux_ capture-pane -p -t "bench:$1" >&2; exit 1; }
        sleep 0.2
    done
}

machine() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    echo "machine: $(nproc) CPU ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, Linux $(uname -r), tmux $(tmux -V | cut -d' ' -f2)"
}

# multiply_copy K: replaces the served copy of Alertmanager's alerts answer
# by K copies of each alert, each with its own `pod` label and fingerprint
# (so none merges with another).
multiply_copy() {
    python3 - "$WORK/copy/api/v2/alerts" "$1" <<'PY'
import copy, hashlib, json, sys
path, k = sys.argv[1], int(sys.argv[2])
alerts = json.load(open(path))
out = []
for r in range(k):
    for a in alerts:
        b = copy.deepcopy(a)
        b["labels"]["pod"] = f"{b['labels'].get('pod', 'pod')}-r{r}"
        b["fingerprint"] = hashlib.sha256(json.dumps(b["labels"], sort_keys=True).encode()).hexdigest()[:16]
        out.append(b)
json.dump(out, open(path + ".tmp", "w"), separators=(",", ":"))
PY
    mv "$WORK/copy/api/v2/alerts.tmp" "$WORK/copy/api/v2/alerts"
}

# serve_copy_of_alertmanager: captures Alertmanager's current answers
# (alerts, silences) once and serves the copies as JSON from a static server;
# sets COPY_URL. Alertmanager 0.25 takes tens of seconds to answer with
# 10 000 alerts, which would measure Alertmanager, not warroom.
serve_copy_of_alertmanager() {
    local dir="$WORK/copy"
    mkdir -p "$dir/api/v2"
    curl -fsS --max-time 300 -o "$dir/api/v2/alerts" "$AM_URL/api/v2/alerts"
    curl -fsS --max-time 60 -o "$dir/api/v2/silences" "$AM_URL/api/v2/silences"
    echo OK >"$dir/-ready"
    local port
    port=$(free_port)
    python3 - "$dir" "$port" >"$WORK/copy.log" 2>&1 <<'PY' &
import http.server, os, sys
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        file = os.path.join(root, "-ready" if path == "/-/ready" else path.lstrip("/"))
        if not os.path.isfile(file):
            self.send_error(404)
            return
        body = open(file, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
    PIDS+=($!)
    COPY_URL="http://127.0.0.1:$port"
    wait_http "$COPY_URL/-/ready" 10
}
