#!/usr/bin/env bash
# The one command that checks warroom: installs the test programs (real
# Prometheus, Alertmanager and VictoriaMetrics of two generations, tmux),
# then formatting, lints, every test target (benches are built and run once
# in test mode), the doc tests, the
# dependency policy (cargo deny: bans, licences, sources), and the packages:
# the glibc 2.17 binary and the .deb are built (scripts/package.sh), and the
# .deb is installed, tried and removed (scripts/test-deb.sh).
# Every test target runs against Debian bookworm's servers (Prometheus 2.42,
# Alertmanager 0.25, VictoriaMetrics 1.79); the test targets that start real
# servers run a second time, at the same time, against the current ones from
# Debian's unstable suite (scripts/fetch-current-servers.sh), chosen by the
# WARROOM_TEST_* variables (tests/support/servers.rs).
# Runs every step and every test even after a failure, prints a summary that
# names each failed test and the server versions, and exits non-zero if any
# step failed.
set -euo pipefail

cd "$(dirname "$0")/.."

names=()
results=()
failed=0

# step NAME COMMAND...: run, time and record one step.
step() {
    local name=$1
    shift
    echo
    echo "==> $name: $*"
    local start=$SECONDS
    local status=0
    "$@" || status=$?
    local took=$((SECONDS - start))
    names+=("$name")
    if [ "$status" -eq 0 ]; then
        results+=("ok      ${took}s")
    else
        results+=("FAILED  ${took}s (exit $status)")
        failed=1
    fi
}

total_start=$SECONDS
logs=target/test-logs
# Where scripts/fetch-current-servers.sh unpacks the current servers.
current_cache=$(realpath -m "${WARROOM_SERVERS_CACHE:-target/test-servers}")
current_bin=$current_cache/unstable/root/usr/bin
current_env=(
    "WARROOM_TEST_PROMETHEUS=$current_bin/prometheus"
    "WARROOM_TEST_PROMTOOL=$current_bin/promtool"
    "WARROOM_TEST_ALERTMANAGER=$current_bin/prometheus-alertmanager"
    "WARROOM_TEST_AMTOOL=$current_bin/amtool"
    "WARROOM_TEST_VICTORIAMETRICS=$current_bin/victoria-metrics"
    "WARROOM_TEST_VMALERT=$current_bin/vmalert"
    "WARROOM_TEST_VMAUTH=$current_bin/vmauth"
)

# Without the servers most integration tests cannot run: stop here.
step "test dependencies" bash scripts/install-test-deps.sh
if [ "$failed" -ne 0 ]; then
    echo "scripts/test.sh: could not install the test dependencies" >&2
    exit 1
fi

# cargo deny: duplicate major versions, licences and sources (deny.toml).
# Advisories need RustSec's advisory database, a git repository cargo-deny
# clones from GitHub; where that cannot be reached (this project's CI reaches
# only the package registries) they are not checked: see README.
deny_check() {
    source scripts/tools.sh
    ensure_cargo_tool cargo-deny "$CARGO_DENY_VERSION"
    cargo deny --log-level error check bans licenses sources
}

step "cargo fmt" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --all-targets -- -D warnings
# The test targets that start real servers: their source (tests/NAME.rs and
# tests/NAME/) uses the harness's servers.
real_server_targets() {
    local f name
    for f in tests/*.rs; do
        name=$(basename "$f" .rs)
        local paths=("$f")
        [ -d "tests/$name" ] && paths+=("tests/$name")
        if grep -rqE '(Prometheus|Alertmanager|VictoriaMetrics)::start|servers::(PROMETHEUS|PROMTOOL|ALERTMANAGER|AMTOOL|VICTORIA_METRICS|VMALERT|VMAUTH)' "${paths[@]}"; then
            echo "$name"
        fi
    done
}

# Runs the real-server test binaries (built already) one after another with
# the current servers' variables; one log per target, and its exit status.
run_current() {
    local name exe status
    while read -r name exe; do
        status=0
        env "${current_env[@]}" "$exe" >"$logs/current/$name.log" 2>&1 || status=$?
        echo "$name $status" >>"$logs/current/status"
    done <"$logs/current/executables"
}

# Builds every test target once; then all of them run against bookworm's
# servers while the real-server ones run against the current servers.
cargo_test() {
    rm -rf "$logs"
    mkdir -p "$logs/current"
    cargo test --all-targets --no-run || return $?
    local targets=() name
    while read -r name; do targets+=(--test "$name"); done < <(real_server_targets)
    # Cargo names each test binary: `Executable tests/NAME.rs (PATH)`.
    cargo test --no-run "${targets[@]}" 2>&1 \
        | sed -n 's|^ *Executable tests/\([^ ]*\)\.rs (\(.*\))$|\1 \2|p' >"$logs/current/executables"
    : >"$logs/current/status"
    run_current &
    local current_pid=$! status=0
    cargo test --all-targets --no-fail-fast 2>&1 | tee "$logs/bookworm.log"
    status=${PIPESTATUS[0]}
    echo "==> waiting for the real-server tests against the current servers"
    wait "$current_pid" || true
    local failed_current
    failed_current=$(awk '$2 != 0' "$logs/current/status")
    if [ -n "$failed_current" ] || [ "$(wc -l <"$logs/current/status")" -ne "$(wc -l <"$logs/current/executables")" ]; then
        status=1
    fi
    return "$status"
}

# `target: test` for each failed test in a cargo or test binary log; the
# target is the last `Running` line's (or the given name).
failed_tests() {
    awk -v name="${2-}" '
        /^ *Running / { t = ($2 == "unittests") ? $3 : $2 }
        /^test .* \.\.\. FAILED$/ {
            sub(/^test /, ""); sub(/ \.\.\. FAILED$/, "")
            print "    " (name != "" ? name : t) ": " $0
        }' "$1"
}

# "N passed, N failed" over every `test result:` line of the logs.
count_tests() {
    cat "$@" 2>/dev/null | awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }'
}

# The server versions each generation ran.
server_versions() {
    echo "  bookworm (PATH):"
    dpkg-query -W -f '    ${Package} ${Version}\n' prometheus prometheus-alertmanager victoria-metrics 2>/dev/null \
        || echo "    (not from Debian packages)"
    echo "  current ($current_bin):"
    sed 's/^/    /' "$current_cache/unstable/versions" 2>/dev/null || echo "    (not fetched)"
}

step "cargo test" cargo_test
step "doc tests" cargo test --doc
step "cargo deny" deny_check
step "package" bash scripts/package.sh
step "deb install" bash scripts/test-deb.sh

echo
echo "==> summary ($((SECONDS - total_start))s in all)"
for i in "${!names[@]}"; do
    printf '  %-18s %s\n' "${names[$i]}" "${results[$i]}"
done
echo "servers:"
server_versions
if [ -f "$logs/bookworm.log" ]; then
    echo "tests against bookworm's servers (all targets): $(count_tests "$logs/bookworm.log")"
    failed_tests "$logs/bookworm.log"
    # Each failed target, also one that failed without a FAILED test (a
    # crash, a build error): cargo names it after it runs, and again at the
    # end under `error: N targets failed:`.
    {
        sed -n 's/^error: test failed, to rerun pass `\(.*\)`$/\1/p' "$logs/bookworm.log"
        sed -n '/^error: [0-9]* targets failed:$/,/^[^ ]/ s/^ *`\(.*\)`$/\1/p' "$logs/bookworm.log"
    } | sort -u | sed 's/^/    failed target: /'
fi
if [ -f "$logs/current/executables" ]; then
    echo "tests against the current servers ($(cut -d' ' -f1 "$logs/current/executables" | paste -sd' ')): $(count_tests "$logs"/current/*.log)"
    while read -r name status; do
        [ "$status" -eq 0 ] && continue
        failed_tests "$logs/current/$name.log" "$name"
        echo "    failed target: $name (exit $status), log: $logs/current/$name.log"
        # The log stays in the clone: what the failures said goes to the
        # output CI keeps (the panics, capped).
        sed -n '/^failures:$/,/^test result:/p' "$logs/current/$name.log" | head -n 300 | sed 's/^/      | /'
    done <"$logs/current/status"
fi

# Both generations' counts, alone on a line, as CI reads them.
if [ -f "$logs/bookworm.log" ]; then
    echo "tests: $(count_tests "$logs/bookworm.log" "$logs"/current/*.log)"
fi
if [ "$failed" -ne 0 ]; then
    echo "scripts/test.sh: FAILED" >&2
    exit 1
fi
echo "scripts/test.sh: all checks passed"
