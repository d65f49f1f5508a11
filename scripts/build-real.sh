#!/usr/bin/env bash
# Builds the real programs tests/real/run.sh runs, from Debian's source packages, for riscv64
# (dynamic against the cross glibc in /usr/riscv64-linux-gnu) and, where a native reference
# is needed, for the host:
#   zlib      example and minigzip (the library's own tests), riscv64
#   sqlite3   the sqlite3 shell from the amalgamation (generated natively with tclsh),
#             riscv64 and native
#   xz-utils  xz with threads (liblzma linked in), riscv64
# Lua 5.4's test suite is not in Debian's lua5.4 source (it is a separate download from
# lua.org), so Lua is covered by tests/lua with Debian's interpreter instead.
#
# Usage: scripts/build-real.sh [BUILD_DIR]    (default: $REAL_BUILD or build/real)
# Idempotent: sources are fetched once (scripts/apt-fetch.sh: apt-get source, or the newest
# older version that can be had) into
# BUILD_DIR/src and each program is rebuilt only when missing. Prints where each is.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/apt-fetch.sh
build="${1:-${REAL_BUILD:-build/real}}"
cross_cc="${CROSS_CC:-riscv64-linux-gnu-gcc}"
native_cc="${NATIVE_CC:-gcc}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
mkdir -p "$build/src" || exit 1
build="$(cd "$build" && pwd)"

die() {
    echo "build-real: $*" >&2
    exit 1
}

# source PACKAGE DIR_GLOB: prints the unpacked source directory, fetching it once.
source_dir() {
    local pkg="$1" glob="$2" dir
    dir="$(find "$build/src" -maxdepth 1 -type d -name "$glob" | sort | tail -n 1)"
    if [ -z "$dir" ]; then
        echo "build-real: fetching the $pkg source package" >&2
        (cd "$build/src" && apt_fetch source "$pkg") || die "cannot fetch the $pkg source"
        dir="$(find "$build/src" -maxdepth 1 -type d -name "$glob" | sort | tail -n 1)"
        [ -n "$dir" ] || die "no $glob directory after apt-get source $pkg"
    fi
    echo "$dir"
}

# zlib: its own configure, building in a copy of the tree.
if [ ! -x "$build/zlib/minigzip" ] || [ ! -x "$build/zlib/example" ]; then
    src="$(source_dir zlib 'zlib-*')" || exit 1
    rm -rf "$build/zlib" && cp -r "$src" "$build/zlib" || exit 1
    (cd "$build/zlib" && CC="$cross_cc" CFLAGS=-O2 ./configure --static >configure.log 2>&1 &&
        make -j"$jobs" example minigzip >make.log 2>&1) ||
        die "zlib build failed (see $build/zlib/make.log)"
fi
echo "build-real: zlib: $build/zlib/example $build/zlib/minigzip"

# sqlite3: the amalgamation and shell.c come from the source tree's own makefile (tclsh).
if [ ! -x "$build/sqlite/sqlite3-riscv64" ] || [ ! -x "$build/sqlite/sqlite3-native" ]; then
    src="$(source_dir sqlite3 'sqlite3-*')" || exit 1
    mkdir -p "$build/sqlite" || exit 1
    (cd "$build/sqlite" && "$src/configure" >configure.log 2>&1 &&
        make sqlite3.c shell.c >make.log 2>&1) ||
        die "sqlite amalgamation failed (tclsh installed? see $build/sqlite/make.log)"
    flags=(-O1 -DSQLITE_ENABLE_MATH_FUNCTIONS -I"$build/sqlite")
    files=("$build/sqlite/shell.c" "$build/sqlite/sqlite3.c")
    "$cross_cc" "${flags[@]}" -o "$build/sqlite/sqlite3-riscv64" "${files[@]}" -lm >"$build/sqlite/cc.log" 2>&1 &
    "$native_cc" "${flags[@]}" -o "$build/sqlite/sqlite3-native" "${files[@]}" -lm >"$build/sqlite/native-cc.log" 2>&1 ||
        die "native sqlite3 build failed"
    wait $! || die "riscv64 sqlite3 build failed (see $build/sqlite/cc.log)"
fi
echo "build-real: sqlite3: $build/sqlite/sqlite3-riscv64 $build/sqlite/sqlite3-native"

# xz: autotools cross build of the xz tool only.
if [ ! -x "$build/xz/src/xz/xz" ]; then
    src="$(source_dir xz-utils 'xz-utils-*')" || exit 1
    mkdir -p "$build/xz" || exit 1
    (cd "$build/xz" && "$src/configure" --host="${cross_cc%-gcc}" CC="$cross_cc" CFLAGS=-O2 \
        --disable-shared --disable-nls --disable-doc --disable-scripts --disable-xzdec \
        --disable-lzmadec --disable-lzmainfo --disable-lzma-links >configure.log 2>&1 &&
        make -j"$jobs" >make.log 2>&1) || die "xz build failed (see $build/xz/make.log)"
fi
echo "build-real: xz: $build/xz/src/xz/xz"
