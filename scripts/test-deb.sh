#!/usr/bin/env bash
# Installs the .deb that scripts/package.sh built, checks what a user gets
# (the binary on PATH, its --version, the man page, completions, the sample
# config, the shared runbooks and themes), then removes it again: whatever
# happens, the package does not stay installed.
set -euo pipefail

cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
deb=target/dist/warroom_${version}_amd64.deb
[ -f "$deb" ] || {
    echo "test-deb: $deb is missing: run scripts/package.sh first" >&2
    exit 1
}

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi

fail() {
    echo "test-deb: FAILED: $*" >&2
    exit 1
}

if dpkg -s warroom >/dev/null 2>&1; then
    echo "test-deb: warning: a warroom package is already installed; it is replaced, then removed" >&2
fi
trap '"${sudo[@]}" dpkg -r warroom >/dev/null 2>&1 || true' EXIT

"${sudo[@]}" dpkg -i "$deb"

[ "$(command -v warroom)" = /usr/bin/warroom ] || fail "warroom is not /usr/bin/warroom on PATH"
warroom --version | grep -q "^warroom $version (commit " || fail "--version: $(warroom --version)"
warroom check --help | grep -q "Probe each configured source" || fail "warroom check --help"
[ "$(man -w warroom)" = /usr/share/man/man1/warroom.1.gz ] || fail "man -w warroom: $(man -w warroom 2>&1)"
man -P cat warroom 2>/dev/null | grep -q "warroom" || fail "the man page does not render"
for f in \
    /usr/share/bash-completion/completions/warroom \
    /usr/share/zsh/vendor-completions/_warroom \
    /usr/share/fish/vendor_completions.d/warroom.fish \
    /usr/share/doc/warroom/README.md \
    /usr/share/doc/warroom/config.sample.toml \
    /usr/share/doc/warroom/copyright \
    /usr/share/warroom/runbooks/database-down.md \
    /usr/share/warroom/themes/light.toml; do
    [ -s "$f" ] || fail "$f is missing"
done
# The shipped sample is the one the binary prints.
cmp -s /usr/share/doc/warroom/config.sample.toml <(warroom --print-default-config) ||
    fail "the packaged sample config differs from --print-default-config"

"${sudo[@]}" dpkg -r warroom
trap - EXIT
[ ! -e /usr/bin/warroom ] || fail "dpkg -r left /usr/bin/warroom"
[ ! -e /usr/share/warroom ] || fail "dpkg -r left /usr/share/warroom"
echo "test-deb: $deb installs, works and removes cleanly"
