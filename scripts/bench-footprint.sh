#!/usr/bin/env bash
# Footprint: PSS (/proc/PID/smaps_rollup), peak RSS (/usr/bin/time -v) and
# CPU at idle (utime+stime from /proc/PID/stat over a window) of the release
# binary in a 160x48 tmux pane, polling a real Alertmanager every 2 s, with
# 50, 10 000 and 100 000 firing alerts (for 10 000, a copy of Alertmanager's
# own answer served as a static file: Alertmanager 0.25 needs tens of seconds
# to build it, which would measure Alertmanager rather than warroom; for
# 100 000, that answer multiplied tenfold, each copy with its own pod label
# and fingerprint: 77 MB in Alertmanager's format). Also prints the time from
# start to the board's first frame showing the alerts, and the time the
# static server takes to hand over the answer (what Alertmanager's own answer
# time would add).
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
# The per-source limit (src/sources/capped.rs, MAX_ALERTS): past it the board
# shows this many and says how many it did not.
LIMIT=50000
for n in 50 10000 100000; do
    url=$AM_URL
    if [ "$n" -le 10000 ]; then
        post_alerts "$n"
    fi
    if [ "$n" -eq 10000 ]; then
        serve_copy_of_alertmanager
        echo "(10000 alerts: Alertmanager 0.25 answers in tens of seconds; polling a copy of its answer, $(wc -c <"$WORK/copy/api/v2/alerts") bytes)"
    fi
    if [ "$n" -eq 100000 ]; then
        multiply_copy 10
        echo "(100000 alerts: the copy of Alertmanager's 10000 multiplied tenfold, $(wc -c <"$WORK/copy/api/v2/alerts") bytes)"
    fi
    if [ "$n" -ge 10000 ]; then
        url=$COPY_URL
        fetch=$( { /usr/bin/time -f %e curl -fsS -o /dev/null "$COPY_URL/api/v2/alerts"; } 2>&1)
        echo "(the static server hands over the answer in ${fetch} s)"
    fi
    shown=$((n < LIMIT ? n : LIMIT))
    name="n$n"
    t_start=$(date +%s.%N)
    in_pane "$name" 160 48 "/usr/bin/time -v -o $WORK/time.$n $bin --alertmanager $url --refresh 2 --no-mouse --config $WORK/empty.toml --log-file $WORK/warroom.$n.log"
    wait_screen "$name" "Alerts ($shown" 120
    t_board=$(date +%s.%N)
    tmux_ capture-pane -p -t "bench:$name" | grep -F "Alerts (" | head -1 | sed 's/^[^A]*//; s/ ─.*//'
    python3 -c "import sys; print(f'{sys.argv[1]:>6} alerts: on the board {float(sys.argv[3]) - float(sys.argv[2]):.2f} s after start (0.2 s resolution)')" "$n" "$t_start" "$t_board"
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
