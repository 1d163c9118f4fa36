#!/usr/bin/env bash
# The one command that checks warroom: installs the test programs (real
# Prometheus and Alertmanager, tmux), then formatting, lints, every test
# target (benches are built and run once in test mode), the doc tests, the
# dependency policy (cargo deny: bans, licences, sources), and the packages:
# the glibc 2.17 binary and the .deb are built (scripts/package.sh), and the
# .deb is installed, tried and removed (scripts/test-deb.sh).
# Runs every step even after a failure, prints a summary, and exits non-zero
# if any step failed.
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
step "cargo test" cargo test --all-targets
step "doc tests" cargo test --doc
step "cargo deny" deny_check
step "package" bash scripts/package.sh
step "deb install" bash scripts/test-deb.sh

echo
echo "==> summary ($((SECONDS - total_start))s in all)"
for i in "${!names[@]}"; do
    printf '  %-18s %s\n' "${names[$i]}" "${results[$i]}"
done

if [ "$failed" -ne 0 ]; then
    echo "scripts/test.sh: FAILED" >&2
    exit 1
fi
echo "scripts/test.sh: all checks passed"
