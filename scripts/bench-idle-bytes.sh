#!/usr/bin/env bash
# Bytes over SSH at idle: 50 firing alerts in a real Alertmanager, nothing
# changing; counts the bytes each program writes to its 160x48 tmux pane
# (pipe-pane) over a window, after letting it settle:
#   warroom --refresh 2             vs   watch -n 2 amtool alert query
# Usage: scripts/bench-idle-bytes.sh [--quick]   (--quick: 5 s settle, 15 s window, for CI)
source "$(dirname "$0")/bench-lib.sh"

SETTLE=15
WINDOW=60
if [ "${1:-}" = "--quick" ]; then
    SETTLE=5
    WINDOW=15
fi
need tmux amtool watch curl jq python3
bin=$(release_bin)
start_alertmanager
post_alerts 50
: >"$WORK/empty.toml"

# measure NAME: bytes the pane's program writes during WINDOW seconds.
measure() {
    local out="$WORK/$1.out"
    sleep "$SETTLE"
    tmux_ pipe-pane -o -t "bench:$1" "cat > '$out'"
    sleep "$WINDOW"
    tmux_ pipe-pane -t "bench:$1"
    sleep 0.2
    local bytes
    bytes=$(wc -c <"$out")
    printf '%-44s %8d bytes in %ss = %7d bytes/min\n' "$2" "$bytes" "$WINDOW" $((bytes * 60 / WINDOW))
}

in_pane warroom 160 48 "$bin --alertmanager $AM_URL --refresh 2 --no-mouse --config $WORK/empty.toml --log-file $WORK/warroom.log"
wait_screen warroom "Alerts (50)" 30
in_pane amtool 160 48 "watch -n 2 amtool --alertmanager.url=$AM_URL alert query"
wait_screen amtool "Alertname" 30

machine
echo "50 firing alerts, 160x48 pane, settle ${SETTLE}s, window ${WINDOW}s"
measure warroom "warroom --refresh 2"
measure amtool "watch -n 2 amtool alert query"
