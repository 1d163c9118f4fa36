# Pinned build tools, installed on demand. Sourced by scripts/package.sh and
# scripts/test.sh; every function is idempotent and touches the network only
# when the pinned version is missing.

CARGO_DEB_VERSION=3.8.0
CARGO_ZIGBUILD_VERSION=0.24.1
CARGO_DENY_VERSION=0.20.2
# zig from PyPI (the `ziglang` package), the linker cargo-zigbuild drives.
ZIGLANG_VERSION=0.15.2

# ensure_cargo_tool CRATE VERSION: `cargo install` it unless that version is
# already installed. --locked builds it with the versions its authors tested;
# the dev profile without debug info compiles in about a third of the time of
# a release build, and these tools spend their time in I/O and compression,
# not in code the optimiser would speed up.
ensure_cargo_tool() {
    local crate=$1 version=$2
    if cargo install --list 2>/dev/null | grep -qx "$crate v$version:"; then
        return 0
    fi
    echo "tools: installing $crate $version (cargo install, a few minutes once)"
    CARGO_PROFILE_DEV_DEBUG=0 cargo install --quiet --locked --debug --version "$version" "$crate"
}

# ensure_zig: a virtualenv of its own with ziglang, so the machine's Python
# is left as it is; exports CARGO_ZIGBUILD_PYTHON_PATH for cargo-zigbuild,
# which runs `python -m ziglang`.
ensure_zig() {
    local venv="${XDG_CACHE_HOME:-$HOME/.cache}/warroom-build/ziglang-$ZIGLANG_VERSION"
    if ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx "$ZIGLANG_VERSION"; then
        echo "tools: installing ziglang $ZIGLANG_VERSION into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
    fi
    export CARGO_ZIGBUILD_PYTHON_PATH="$venv/bin/python"
}
