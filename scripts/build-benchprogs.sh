#!/usr/bin/env bash
# Builds the benchmark's C workloads from Debian's source packages, for riscv64 and aarch64
# (dynamic, cross glibc), for the native host, and for the x86-64 guest (the host's gcc, static,
# as scripts/build-lua.sh does):
#   speedtest1  SQLite's own benchmark (test/speedtest1.c of the sqlite3 source package) over
#               the amalgamation sqlite3.c, which the source tree's makefile generates (tclsh)
#   xz          the xz tool of the xz-utils source package, liblzma linked in, no threads
# and the xz workload's input, xz-input: the first 2 MiB of that sqlite3.c (C text; fixed for
# a given source version). bench/run.sh runs them.
#
# Usage: scripts/build-benchprogs.sh [OUT_DIR]   (default: $BENCHPROGS_BUILD or build/benchprogs)
# Each is built once per machine into a cache outside the checkout, ${VM_CACHE:-$HOME/.cache/vm}/,
# in a directory named by a hash of its inputs (the function of this script that builds it,
# the compiler's version, the sources' directory, itself named by the function that makes it),
# so a change of input builds anew and nothing is rebuilt otherwise; a lock lets several
# checkouts share the cache. The sources come from scripts/apt-fetch.sh (apt-get source, or
# the newest older version that can be had); SOURCES in the sources' directory says which.
# Leaves OUT_DIR/{riscv64,aarch64,native,x86_64}/{speedtest1,xz} and OUT_DIR/xz-input as links
# into the cache.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/apt-fetch.sh

out="${1:-${BENCHPROGS_BUILD:-build/benchprogs}}"
cache="${VM_CACHE:-$HOME/.cache/vm}"
isas="riscv64 aarch64 native x86_64"

say() { echo "build-benchprogs: $*" >&2; }
fail() { echo "vm: scripts/build-benchprogs.sh: $*" >&2; exit 1; }

mkdir -p "$out" "$cache" || exit 1
out="$(cd "$out" && pwd)"

# key WORD...: a short hash of the words.
key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# cc_of ISA: the compiler, then its extra flags, one a line.
cc_of() {
    case "$1" in
        riscv64) echo riscv64-linux-gnu-gcc ;;
        aarch64) echo aarch64-linux-gnu-gcc ;;
        native) echo gcc ;;
        x86_64) printf '%s\n' gcc -static ;;
    esac
}

# 1. The sources: both packages unpacked with their patches, the amalgamation generated once
# (on the host: it is C text, the same for every ISA), and the xz input.
build_sources() {
    local work="$sdir.work" sqlite xz
    rm -rf "$work" && mkdir -p "$work/fetch" || return 1
    say "fetching the sqlite3 and xz-utils source packages into $work"
    (cd "$work/fetch" && apt_fetch source sqlite3 && apt_fetch source xz-utils) 2>&1 |
        tee "$work/fetch.log" >&2 || return 1
    sqlite="$(find "$work/fetch" -maxdepth 1 -type d -name 'sqlite3-*' | sort | tail -n 1)"
    xz="$(find "$work/fetch" -maxdepth 1 -type d -name 'xz-utils-*' | sort | tail -n 1)"
    [ -n "$sqlite" ] && [ -n "$xz" ] || { say "no sqlite3-* or xz-utils-* after apt-get source"; return 1; }
    say "generating the sqlite amalgamation (configure; make sqlite3.c; log in $work/amalgamation)"
    mkdir -p "$work/amalgamation" &&
        (cd "$work/amalgamation" && "$sqlite/configure" >configure.log 2>&1 &&
            make sqlite3.c >make.log 2>&1) ||
        { tail -n 20 "$work/amalgamation/make.log" >&2; return 1; }
    mkdir -p "$sdir.new" &&
        cp "$work/amalgamation/sqlite3.c" "$work/amalgamation/sqlite3.h" \
            "$sqlite/test/speedtest1.c" "$sdir.new/" &&
        head -c 2097152 "$work/amalgamation/sqlite3.c" >"$sdir.new/xz-input" &&
        mv "$xz" "$sdir.new/xz-utils" &&
        { basename "$sqlite"; basename "$xz"; } >"$sdir.new/SOURCES" || return 1
    rm -rf "$sdir" && mv "$sdir.new" "$sdir" && rm -rf "$work"
}

# 2. One ISA's programs. speedtest1: -ffp-contract=off so that no ISA fuses a multiply and
# an add the others round twice (the outputs are compared across ISAs).
build_isa() {
    local dir=$1 isa=$2 work="$1.work" cc flags host
    mapfile -t flags < <(cc_of "$isa")
    cc=${flags[0]}
    flags=("${flags[@]:1}")
    rm -rf "$work" && mkdir -p "$work/xz" || return 1
    say "$isa: compiling speedtest1 and xz with $cc ${flags[*]} (logs in $work)"
    "$cc" -O2 -ffp-contract=off -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION "${flags[@]}" \
        -I"$sdir" -o "$work/speedtest1" "$sdir/speedtest1.c" "$sdir/sqlite3.c" -lm \
        >"$work/speedtest1.log" 2>&1 || { tail -n 20 "$work/speedtest1.log" >&2; return 1; }
    host=$("$cc" -dumpmachine)
    (cd "$work/xz" && "$sdir/xz-utils/configure" --host="$host" CC="$cc" CFLAGS=-O2 \
        LDFLAGS="${flags[*]}" --disable-shared --disable-threads --disable-nls --disable-doc \
        --disable-scripts --disable-xzdec --disable-lzmadec --disable-lzmainfo \
        --disable-lzma-links >configure.log 2>&1 && make -j2 >make.log 2>&1) ||
        { tail -n 20 "$work/xz/configure.log" "$work/xz/make.log" >&2; return 1; }
    mkdir -p "$dir.new" && cp "$work/speedtest1" "$work/xz/src/xz/xz" "$dir.new/" || return 1
    rm -rf "$dir" && mv "$dir.new" "$dir" && rm -rf "$work"
}

# locked_build DIR WHAT FUNCTION [ARG...]: runs FUNCTION unless DIR exists, under DIR.lock.
locked_build() {
    local dir=$1 what=$2 start
    shift 2
    exec 9>"$dir.lock" || return 1
    flock 9 || return 1
    if [ -d "$dir" ]; then
        say "$what: cached in $dir"
    else
        start=$(date +%s)
        "$@" || { exec 9>&-; say "building $what failed"; return 1; }
        say "$what: built in $(( $(date +%s) - start )) s into $dir"
    fi
    exec 9>&-
}

sdir="$cache/benchprogs-src-$(key "$(declare -f build_sources)")"
locked_build "$sdir" "the sources" build_sources ||
    fail "cannot make the sources"
pids=()
for isa in $isas; do
    mapfile -t cc < <(cc_of "$isa")
    command -v "${cc[0]}" >/dev/null || fail "${cc[0]} not found (run scripts/deps.sh)"
    dir="$cache/benchprogs-$isa-$(key "$(declare -f build_isa)" "$sdir" "${cc[*]}" \
        "$("${cc[0]}" --version | head -n 1)")"
    mkdir -p "$out/$isa" || exit 1
    (locked_build "$dir" "$isa" build_isa "$dir" "$isa" &&
        ln -sfn "$dir/speedtest1" "$out/$isa/speedtest1" && ln -sfn "$dir/xz" "$out/$isa/xz") &
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ "$status" -eq 0 ] || fail "building failed"
ln -sfn "$sdir/xz-input" "$out/xz-input" || exit 1
say "ready: $out/{$(tr ' ' , <<<"$isas")}/{speedtest1,xz} ($(tr '\n' ' ' <"$sdir/SOURCES"| sed 's/ $//'))"
