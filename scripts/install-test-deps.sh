#!/usr/bin/env bash
# Installs the programs the integration tests run, from Debian's packages:
#   prometheus              -> /usr/bin/prometheus, promtool   (2.42 on bookworm)
#   prometheus-alertmanager -> /usr/bin/prometheus-alertmanager, amtool (0.25)
#   victoria-metrics        -> /usr/bin/victoria-metrics, vmalert, vmauth (1.79)
#   prometheus-node-exporter -> a real scrape target for the dashboards' end-to-end test
#   tmux                    -> end-to-end tests of the TUI in a real terminal
#   man-db, binutils        -> the package checks: `man -w warroom`, `objdump -T`
#
# and then the current generation of the same servers (Prometheus 3.x,
# Alertmanager 0.28+, VictoriaMetrics 1.1xx), unpacked from Debian's unstable
# suite into a cache directory by scripts/fetch-current-servers.sh.
#
# Idempotent: when every program is already there it touches neither apt nor
# the network, so a second run is instant and works offline.
# Never starts the packages' services: the tests start their own servers on
# free loopback ports (a system service on 9090/9093 would not disturb them).
set -euo pipefail

# package:command pairs; a package is needed when its command is missing.
wanted=(
    prometheus:prometheus
    prometheus:promtool
    prometheus-alertmanager:prometheus-alertmanager
    prometheus-alertmanager:amtool
    victoria-metrics:victoria-metrics
    victoria-metrics:vmalert
    victoria-metrics:vmauth
    prometheus-node-exporter:prometheus-node-exporter
    tmux:tmux
    openssl:openssl
    man-db:man
    binutils:objdump
)

missing=()
for pair in "${wanted[@]}"; do
    pkg=${pair%%:*}
    cmd=${pair#*:}
    if command -v "$cmd" >/dev/null 2>&1; then
        continue
    fi
    if dpkg -s "$pkg" >/dev/null 2>&1; then
        echo "install-test-deps: $pkg is installed but $cmd is not on PATH" >&2
        exit 1
    fi
    case " ${missing[*]-} " in
        *" $pkg "*) ;;
        *) missing+=("$pkg") ;;
    esac
done

fetch_current() {
    bash "$(dirname "$0")/fetch-current-servers.sh"
}

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-test-deps: bookworm's servers, amtool and tmux already present"
    fetch_current
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: missing ${missing[*]} and no apt-get here; install them by hand" >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-test-deps: need root or sudo to install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

# policy-rc.d exiting 101 tells invoke-rc.d (and deb-systemd-invoke) not to
# start services during the install. Only ours is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    "${sudo[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "install-test-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"

for pair in "${wanted[@]}"; do
    cmd=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || {
        echo "install-test-deps: $cmd still missing after the install" >&2
        exit 1
    }
done
fetch_current
echo "install-test-deps: done"
