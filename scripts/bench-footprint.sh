#!/usr/bin/env bash
# Footprint: PSS (/proc/PID/smaps_rollup), peak RSS (/usr/bin/time -v) and
# CPU at idle (utime+stime from /proc/PID/stat over a window) of the release
# binary in a 160x48 tmux pane, polling a real Alertmanager every 2 s, with
# 50 and then 10 000 firing alerts (for 10 000, a copy of Alertmanager's own
# answer served as a static file: Alertmanager 0.25 needs tens of seconds to
# build it, which would measure Alertmanager rather than warroom).
# Usage: scripts/bench-footprint.sh [--quick]   (--quick: 5 s settle, 15 s window)
source "$(dirname "$0")/bench-lib.sh"

SETTLE=10
WINDOW=60
if [ "${1:-}" = "--quick" ]; then
    SETTLE=5
    WINDOW=15
fi
need tmux curl jq python3 /usr/bin/time
bin=$(release_bin)
start_alertmanager
: >"$WORK/empty.toml"
TICK=$(getconf CLK_TCK)

# warroom_pid LOGFILE: the warroom process writing LOGFILE (not /usr/bin/time).
warroom_pid() {
    for p in $(pgrep -x warroom); do
        if tr '\0' ' ' <"/proc/$p/cmdline" | grep -qF -- "$1"; then
            echo "$p"
            return
        fi
    done
    echo "$0: no warroom process for $1" >&2
    exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }

machine
echo "refresh 2 s, 160x48 pane, settle ${SETTLE}s, CPU window ${WINDOW}s"
for n in 50 10000; do
    post_alerts "$n"
    url=$AM_URL
    if [ "$n" -gt 1000 ]; then
        serve_copy_of_alertmanager
        url=$COPY_URL
        echo "(10000 alerts: Alertmanager 0.25 answers in tens of seconds; polling a copy of its answer, $(wc -c <"$WORK/copy/api/v2/alerts") bytes)"
    fi
    name="n$n"
    in_pane "$name" 160 48 "/usr/bin/time -v -o $WORK/time.$n $bin --alertmanager $url --refresh 2 --no-mouse --config $WORK/empty.toml --log-file $WORK/warroom.$n.log"
    wait_screen "$name" "Alerts ($n)" 60
    pid=$(warroom_pid "$WORK/warroom.$n.log")
    sleep "$SETTLE"
    t0=$(cpu_ticks "$pid")
    s0=$(date +%s.%N)
    max_pss=0
    for _ in $(seq 1 "$WINDOW"); do
        sleep 1
        p=$(pss_kb "$pid")
        [ "$p" -gt "$max_pss" ] && max_pss=$p
    done
    t1=$(cpu_ticks "$pid")
    s1=$(date +%s.%N)
    tmux_ send-keys -t "bench:$name" q
    sleep 1
    rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.$n")
    python3 - "$n" "$max_pss" "$rss" "$t0" "$t1" "$s0" "$s1" "$TICK" <<'PY'
import sys
n, pss, rss, t0, t1, s0, s1, tick = sys.argv[1:]
cpu = (int(t1) - int(t0)) / int(tick) / (float(s1) - float(s0)) * 100
print(f"{n:>6} alerts: PSS max {int(pss) / 1024:6.1f} MiB   peak RSS {int(rss) / 1024:6.1f} MiB   CPU {cpu:5.2f} % of a core")
PY
done
