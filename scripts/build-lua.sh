#!/usr/bin/env bash
# Builds the plain Lua 5.4 interpreter from Debian's lua5.4 source package: for riscv64 and
# aarch64 (dynamic, cross glibc), for the native host, and for the x86-64 guest (the host's gcc,
# static, so it runs before vm's CPUID satisfies Debian's dynamic libc). Used by
# tests/lua/run.sh and bench/run.sh as a real-world guest program.
#
# Usage: scripts/build-lua.sh [BUILD_DIR]      (default: $LUA_BUILD or build/lua)
# Produces BUILD_DIR/{riscv64,aarch64,native,x86_64}/lua. Idempotent: the
# source is fetched once (scripts/apt-fetch.sh: apt-get source, falling back to an older
# version when the newest cannot be had) and the
# binaries are rebuilt only when missing. Relative paths are taken from the
# repository root. Compiles src/*.c directly (no autotools, no debhelper),
# without readline.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/apt-fetch.sh

build="${1:-${LUA_BUILD:-build/lua}}"
cross_cc="${CROSS_CC:-riscv64-linux-gnu-gcc}"
a64_cc="${A64_CC:-aarch64-linux-gnu-gcc}"
native_cc="${NATIVE_CC:-gcc}"
cflags=(-O2 -std=gnu99 -DLUA_USE_LINUX -w)

mkdir -p "$build" || exit 1
build="$(cd "$build" && pwd)"

if [ -x "$build/riscv64/lua" ] && [ -x "$build/aarch64/lua" ] && [ -x "$build/native/lua" ] &&
    [ -x "$build/x86_64/lua" ]; then
    echo "build-lua: up to date: $build/riscv64/lua $build/aarch64/lua $build/native/lua $build/x86_64/lua"
    exit 0
fi

# 1. Source: Debian's package, unpacked with its patches applied.
src_dir="$(find "$build/src" -maxdepth 1 -type d -name 'lua5.4-*' 2>/dev/null | sort | tail -n 1)"
if [ -z "$src_dir" ]; then
    mkdir -p "$build/src" || exit 1
    echo "build-lua: fetching the lua5.4 source package into $build/src"
    (cd "$build/src" && apt_fetch source lua5.4) || exit 1
    src_dir="$(find "$build/src" -maxdepth 1 -type d -name 'lua5.4-*' | sort | tail -n 1)"
    if [ -z "$src_dir" ]; then
        echo "build-lua: no lua5.4-* directory after apt-get source" >&2
        exit 1
    fi
fi

# 2. Compile: every src/*.c except luac.c (the bytecode compiler's main).
sources=()
for f in "$src_dir"/src/*.c; do
    [ "$(basename "$f")" = luac.c ] && continue
    sources+=("$f")
done
if [ "${#sources[@]}" -lt 30 ]; then
    echo "build-lua: unexpected source layout in $src_dir/src" >&2
    exit 1
fi

build_one() {   # build_one OUTDIR CC [FLAG...]
    local out="$1" cc="$2"
    shift 2
    mkdir -p "$out" || return 1
    if [ -x "$out/lua" ]; then
        return 0
    fi
    # Debian's module-path patch includes a generated header naming the multiarch triplet
    printf '#define DEB_HOST_MULTIARCH "%s"\n' "$("$cc" -dumpmachine)" >"$out/lua5.4-deb-multiarch.h"
    if ! "$cc" "${cflags[@]}" "$@" -I"$out" -o "$out/lua.tmp" "${sources[@]}" -lm -ldl >"$out/build.log" 2>&1; then
        echo "build-lua: $cc failed, see $out/build.log:" >&2
        tail -n 20 "$out/build.log" >&2
        return 1
    fi
    mv "$out/lua.tmp" "$out/lua"
}

echo "build-lua: compiling lua for riscv64 ($cross_cc), aarch64 ($a64_cc), native and x86_64 ($native_cc)"
build_one "$build/riscv64" "$cross_cc" &
pid_cross=$!
build_one "$build/aarch64" "$a64_cc" &
pid_a64=$!
build_one "$build/native" "$native_cc" &
pid_native=$!
build_one "$build/x86_64" "$native_cc" -static &
pid_x64=$!
status=0
wait "$pid_cross" || status=1
wait "$pid_a64" || status=1
wait "$pid_native" || status=1
wait "$pid_x64" || status=1
if [ "$status" -ne 0 ]; then
    exit 1
fi
echo "build-lua: built $build/riscv64/lua, $build/aarch64/lua, $build/native/lua and $build/x86_64/lua"
