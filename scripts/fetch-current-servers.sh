#!/usr/bin/env bash
# Fetches the current server generation the integration suite runs next to
# Debian bookworm's: Prometheus 3.x, Alertmanager 0.28+ (with amtool) and
# VictoriaMetrics (victoria-metrics, vmalert, vmauth) from Debian's unstable
# suite, unpacked with `dpkg -x` into a cache directory. Nothing is installed
# system-wide and the machine's own apt configuration is not touched: a
# temporary sources list (the archive URI taken from the machine's own apt
# sources) with its own lists and cache directories.
#
# Usage: scripts/fetch-current-servers.sh [CACHE_DIR]
#   CACHE_DIR defaults to $WARROOM_SERVERS_CACHE, else target/test-servers.
#   The binaries end up in CACHE_DIR/unstable/root/usr/bin, the packages'
#   names and versions in CACHE_DIR/unstable/versions.
# Idempotent: when every binary is already unpacked it touches neither apt nor
# the network (a re-run is instant and works offline).
set -euo pipefail

cd "$(dirname "$0")/.."
cache=${1:-${WARROOM_SERVERS_CACHE:-target/test-servers}}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
base=$cache/unstable
root=$base/root
bin=$root/usr/bin

packages=(prometheus promtool prometheus-alertmanager victoria-metrics)
binaries=(prometheus promtool prometheus-alertmanager amtool victoria-metrics vmalert vmauth)

have_all() {
    local b
    for b in "${binaries[@]}"; do
        [ -x "$bin/$b" ] || return 1
    done
    [ -s "$base/versions" ]
}

if have_all; then
    echo "fetch-current-servers: already in $bin"
    exit 0
fi

# The archive's URI, as this machine's apt is configured (deb822 or one-line).
archive_uri() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk 'tolower($1) == "uris:" && $2 !~ /security/ { print $2; exit }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -e "$f" ] || continue
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) print $i; break } }' "$f"
    done
}
uri=$(archive_uri | head -1)
if [ -z "$uri" ]; then
    echo "fetch-current-servers: no Debian archive URI in this machine's apt sources" >&2
    exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -r "$keyring" ]; then
    echo "fetch-current-servers: $keyring missing (apt-get install debian-archive-keyring)" >&2
    exit 1
fi

apt_dir=$base/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
echo "deb [signed-by=$keyring] $uri unstable main" >"$apt_dir/sources.list"
apt_opts=(
    -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::State::status=/dev/null"
    -o "APT::Get::List-Cleanup=0"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
)
echo "fetch-current-servers: reading unstable's package lists"
apt-get -q "${apt_opts[@]}" update
(cd "$apt_dir/debs" && rm -f ./*.deb && apt-get -q "${apt_opts[@]}" download "${packages[@]}")

rm -rf "$root.new"
mkdir -p "$root.new"
for deb in "$apt_dir/debs"/*.deb; do
    dpkg -x "$deb" "$root.new"
done
rm -rf "$root"
mv "$root.new" "$root"
# Debian's VictoriaMetrics binaries print no version: the packages say it.
for deb in "$apt_dir/debs"/*.deb; do
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb"
done >"$base/versions.new"
mv "$base/versions.new" "$base/versions"
rm -f "$apt_dir/debs"/*.deb

if ! have_all; then
    for b in "${binaries[@]}"; do
        [ -x "$bin/$b" ] || echo "fetch-current-servers: $b not in the packages ${packages[*]}" >&2
    done
    exit 1
fi
sed 's/^/fetch-current-servers: /' "$base/versions"
echo "fetch-current-servers: done, in $bin"
