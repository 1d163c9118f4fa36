#!/usr/bin/env bash
# Regenerates assets/screens/*.txt: each main screen of warroom, captured from
# the real binary running in a private tmux server (`capture-pane -p`, plain
# text, no colours). README.md shows these files.
#
#   cargo build --bin warroom && bash scripts/capture-screens.sh
#   WARROOM_BIN=target/release/warroom bash scripts/capture-screens.sh
#
# What it plays: `warroom demo` on the built-in db-down drill with the
# failover moved from 8 min to 3 h (so every alert keeps firing while we
# capture) at speed 10, with `signal_window = "3m"` so the sparklines show the
# incident within a minute instead of half an hour. The context picker runs a
# second console on `warroom drill serve` with two contexts pointing at it.
# HOME and the XDG dirs are a temp dir: nothing of yours is read or written.
#
# Every step waits for text on the screen (never a fixed sleep for the app to
# catch up); a step that times out prints the screen and fails the script.
# The captures are written to a temp dir and replace assets/screens/*.txt only
# when every step succeeded, so no stale capture survives a run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${WARROOM_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/warroom}"
OUT="$ROOT/assets/screens"
WORK="$(mktemp -d -t warroom-screens-XXXXXX)"
SOCKET="warroom-screens-$$"
TIMEOUT="${CAPTURE_TIMEOUT:-180}" # seconds per step; the first board takes about 80
DRILL_PID=""

cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    if [ -n "$DRILL_PID" ]; then
        kill "$DRILL_PID" 2>/dev/null || true
        wait "$DRILL_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "$0: tmux is required (scripts/install-test-deps.sh)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$0: no binary at $BIN: run \`cargo build --bin warroom\` or set WARROOM_BIN" >&2; exit 2; }
export LC_ALL=C.UTF-8

# --- tmux helpers -------------------------------------------------------------
SESSION=""
tm() { tmux -L "$SOCKET" "$@"; }
screen() { tm capture-pane -p -t "$SESSION"; }
keys() { tm send-keys -t "$SESSION" "$@"; }
typed() { tm send-keys -t "$SESSION" -l "$1"; }

# True when the screen in $1 satisfies every condition: `TEXT` must appear,
# `!TEXT` must not, `re:REGEX` must match (grep -E).
matches() {
    local s="$1" c
    shift
    for c in "$@"; do
        case "$c" in
            '!'*) ! grep -qF -- "${c#!}" <<<"$s" || return 1 ;;
            re:*) grep -qE -- "${c#re:}" <<<"$s" || return 1 ;;
            *) grep -qF -- "$c" <<<"$s" || return 1 ;;
        esac
    done
}

# wait_for WHAT COND...: polls the screen until every COND holds. A frame
# being written can satisfy a condition halfway: the screen must still
# satisfy it a moment later.
wait_for() {
    local what="$1" s deadline=$((SECONDS + TIMEOUT))
    shift
    while :; do
        s="$(screen)"
        if matches "$s" "$@"; then
            sleep 0.3
            s="$(screen)"
            if matches "$s" "$@"; then
                return 0
            fi
        fi
        if ((SECONDS > deadline)); then
            printf '%s: timed out waiting for %s; screen:\n%s\n' "$0" "$what" "$s" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# save NAME COND...: waits for COND, then writes the screen to NAME.txt.
save() {
    local name="$1"
    shift
    wait_for "$name" "$@"
    screen >"$WORK/screens/$name.txt"
    echo "  $name.txt"
}

start() { # start NAME WIDTH HEIGHT COMMAND
    SESSION="$1"
    tm new-session -d -s "$1" -x "$2" -y "$3" "$4; sleep 600"
}

# --- the scenario and an isolated home ----------------------------------------
mkdir -p "$WORK/screens" "$WORK/home" "$WORK/config/warroom"
sed -e 's/"8m/"3h/g' -e 's/"10m"/"3h10m"/g' -e 's/"7m50s"/"2h59m50s"/' -e 's/^duration = .*/duration = "4h"/' \
    "$ROOT/assets/drills/db-down.toml" >"$WORK/db-down.toml"
grep -q '"3h' "$WORK/db-down.toml" || { echo "$0: db-down.toml changed: update the sed above" >&2; exit 1; }
printf 'signal_window = "3m"\n' >"$WORK/config/warroom/config.toml"
# The pane runs a shell command line: quote the paths that go into it.
W="$(printf %q "$WORK")"
B="$(printf %q "$BIN")"
ENV="HOME=$W/home XDG_CONFIG_HOME=$W/config XDG_DATA_HOME=$W/data XDG_STATE_HOME=$W/state USER=alice"
LOG="--log-file $W/warroom.log"

# --- the 5-minute tour, 160x45 --------------------------------------------------
echo "warroom demo (db-down held firing) in tmux -L $SOCKET"
start tour 160 45 "env $ENV $B $LOG demo --scenario-file $W/db-down.toml --speed 10"
# Four alerts firing and ReadinessFailed inhibited by DatabaseDown, and the
# detail's p99 sparkline past 2 s (the incident is on every sparkline by then).
save board "3 critical 1 warning" "1 inhibited" "HighLatency" 're:latency p99 +[^ ]+ [2-9][0-9.]*s \(min' "loki drill-loki ● up"

# The same board in 80x24: panes stacked, sparklines dropped for the labels.
tm resize-window -t tour -x 80 -y 24
save board-80x24 "Alerts (4)" "HighLatency" '!┐┌ Detail'
tm resize-window -t tour -x 160 -y 45
wait_for "160x45 again" "Alerts (4)" "┐┌ Detail"

keys c
save chart "HighErrorRate · expression" "Esc close"
keys Escape
wait_for "the board again" "Alerts ("

keys l f
save logs "Logs HighErrorRate" "connection refused" '!Alerts ('
keys f Escape
wait_for "the board again" "Alerts ("
keys BTab BTab
keys r
save runbook "Runbook: high-error-rate" "steps"
keys Escape
wait_for "the board again" "Alerts (" '!Runbook:'

keys i
save declare "Declare incident" "commander: alice"
keys C-s
wait_for "the incident declared" "incident declared"
keys n
typed '!decision fail over to the replica'
save note "New note" "fail over to the replica"
keys C-s
save incident '!New note' "decision" "fail over to the replica"

keys s
wait_for "the silence form" "New silence" '[x] alertname'
keys Space BTab
typed 'failover to the replica in progress'
save silence-form "matches 3 current alerts" "in progress"
keys Enter
wait_for "the silence created" "silenced (id"
keys a
wait_for "the ack" "acked until"
keys S
# Alertmanager moves a start in the past to its own "now": the ack reads
# "pending in 0s" until warroom's clock passes it, on the next tick.
save silences "Silences (2)" "ack by alice" '!pending in'
keys Escape
wait_for "the board again" "Alerts ("
keys m
save board-muted "acked by alice" "silenced"
keys m
wait_for "muted hidden again" "muted hidden"

keys '?'
save help "Keys" "any key closes"
keys Escape
wait_for "help closed" '!any key closes'
tm kill-session -t tour

# --- the context picker, on `warroom drill serve` --------------------------------
echo "warroom drill serve + a config with two contexts"
env HOME="$WORK/home" "$BIN" --log-file "$WORK/drill.log" drill serve --scenario-file "$WORK/db-down.toml" \
    --speed 10 --listen 127.0.0.1:0 >"$WORK/drill.out" 2>&1 &
DRILL_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL="$(grep -oE 'Prometheus: +http://127\.0\.0\.1:[0-9]+' "$WORK/drill.out" | grep -oE 'http://.*' || true)"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "$0: drill serve did not start:" >&2; cat "$WORK/drill.out" >&2; exit 1; }
cat >"$WORK/contexts.toml" <<EOF
signal_window = "3m"
context = "staging-eu"

[contexts.staging-eu]
[[contexts.staging-eu.prometheus]]
name = "prom-eu"
url = "$URL"
[[contexts.staging-eu.alertmanager]]
name = "am-eu"
url = "$URL"
[[contexts.staging-eu.loki]]
name = "loki-eu"
url = "$URL"

[contexts.prod-us]
read_only = true
[[contexts.prod-us.prometheus]]
name = "thanos-us"
url = "$URL"
[[contexts.prod-us.alertmanager]]
name = "am-us-0"
url = "$URL"
[[contexts.prod-us.alertmanager]]
name = "am-us-1"
url = "$URL"
EOF
start ctx 160 45 "env $ENV $B $LOG --config $W/contexts.toml"
wait_for "alerts from the drill" "ctx:staging-eu" "3 critical"
keys C-x
save contexts "Contexts" "prod-us" "READ-ONLY" "staging-eu"

# --- replace the old captures ------------------------------------------------------
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
cp "$WORK"/screens/*.txt "$OUT"/
echo "wrote $(ls "$WORK"/screens | wc -l) captures to ${OUT#"$ROOT"/}"
