#!/usr/bin/env bash
# Fetches the Debian arm64 packages the AArch64 real-program tests run (busybox-static, the
# dynamically linked lua5.4 with its libraries: liblua, readline, tinfo, and Python 3.11 with
# its libraries and its regression test suite) and unpacks them into a sysroot directory. The
# C library comes from the cross sysroot /usr/aarch64-linux-gnu (libc6-dev-arm64-cross).
#
# Usage: scripts/arm64-sysroot.sh [BUILD_DIR]     (default: $ARM64_BUILD or build/arm64)
# Produces BUILD_DIR/debs/*.deb and BUILD_DIR/sysroot/{bin,usr,...}. Idempotent: packages are
# downloaded once. Adding the arm64 architecture and apt-get update need root; when the .debs
# are already present nothing needs root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/apt-fetch.sh

build="${1:-${ARM64_BUILD:-build/arm64}}"
pkgs=(busybox-static:arm64 lua5.4:arm64 liblua5.4-0:arm64 libreadline8:arm64 libtinfo6:arm64
      python3.11-minimal:arm64 libpython3.11-minimal:arm64 libpython3.11-stdlib:arm64
      libpython3.11-testsuite zlib1g:arm64 libexpat1:arm64 libffi8:arm64 libssl3:arm64
      libbz2-1.0:arm64 liblzma5:arm64 libsqlite3-0:arm64 libuuid1:arm64 libcrypt1:arm64
      libncursesw6:arm64)

mkdir -p "$build/debs" "$build/sysroot"
build="$(cd "$build" && pwd)"

have_all() {
    local p
    for p in "${pkgs[@]}"; do
        compgen -G "$build/debs/${p%%:*}_*_*.deb" >/dev/null || return 1
    done
}

if ! have_all; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "arm64-sysroot: run as root once to add the arm64 architecture" >&2
            exit 1
        fi
        dpkg --add-architecture arm64
    fi
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
    fi
    for p in "${pkgs[@]}"; do
        compgen -G "$build/debs/${p%%:*}_*_*.deb" >/dev/null || (cd "$build/debs" && apt_fetch download "$p")
    done
fi

for deb in "$build"/debs/*.deb; do
    stamp="$build/sysroot/.$(basename "$deb").unpacked"
    if [ ! -e "$stamp" ]; then
        dpkg-deb -x "$deb" "$build/sysroot"
        touch "$stamp"
    fi
done
echo "arm64-sysroot: $build/sysroot"
