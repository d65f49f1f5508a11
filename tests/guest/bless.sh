#!/usr/bin/env bash
# Writes the expectations of NEW guest tests of one ISA (GUEST_ISA, see isa.sh): builds
# NAME.c static and dynamic (with NAME.cflags if present), runs both under qemu-user and, if
# they agree, stores stdout in NAME.expected and the exit status in NAME.status. Run it once
# per new test and inspect the result by eye before committing; run.sh never regenerates
# expectations. For the riscv64 fp_* tests also run tests/guest/fpcheck.py on the new file.
#
# Usage: [GUEST_ISA=aarch64] tests/guest/bless.sh NAME...  (names are required: no "bless all")
# Environment: QEMU, SYSROOT, CC, BUILD as for run.sh.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

if [ "$#" -eq 0 ]; then
    echo "usage: [GUEST_ISA=aarch64] tests/guest/bless.sh NAME..." >&2
    exit 2
fi
. tests/guest/isa.sh
build="${BUILD:-build/tests/$suite}/bless"
mkdir -p "$build" || exit 1
ulimit -c 0

status_of() {
    if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
        echo "signal $(($1 - 128))"
    else
        echo "exit $1"
    fi
}

run_guest() {   # run_guest OUT BIN [QEMU_OPTS...]: prints the status word pair
    local out="$1" bin="$2"
    shift 2
    local cmd=("$qemu" "$@")
    local args=() line rc
    if [ -f "$src_dir/$name.env" ]; then
        while IFS= read -r line || [ -n "$line" ]; do cmd+=(-E "$line"); done <"$src_dir/$name.env"
    fi
    if [ -f "$src_dir/$name.args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done <"$src_dir/$name.args"
    fi
    rc=$( ("${cmd[@]}" "$bin" "${args[@]}" >"$out" 2>/dev/null </dev/null; echo $?) 2>/dev/null )
    status_of "$rc"
}

status=0
for name in "$@"; do
    if [ ! -f "$src_dir/$name.c" ]; then
        echo "bless: no such test $src_dir/$name.c" >&2
        status=1
        continue
    fi
    # static and dynamic binaries must live under the same basename (argv[0])
    mkdir -p "$build/static" "$build/dynamic"
    cflags=(-O2)
    if [ -f "$src_dir/$name.cflags" ]; then
        read -r -a cflags <"$src_dir/$name.cflags"
    fi
    if ! "$cc" "${cflags[@]}" -I"$src_dir" -static -o "$build/static/$name" "$src_dir/$name.c" -lm ||
       ! "$cc" "${cflags[@]}" -I"$src_dir" -o "$build/dynamic/$name" "$src_dir/$name.c" -lm; then
        echo "bless: $name does not compile" >&2
        status=1
        continue
    fi
    s1="$(run_guest "$build/$name.static.out" "$build/static/$name")"
    s2="$(run_guest "$build/$name.dynamic.out" "$build/dynamic/$name" -L "$sysroot")"
    if [ "$s1" != "$s2" ] || ! cmp -s "$build/$name.static.out" "$build/$name.dynamic.out"; then
        echo "bless: $name: static and dynamic runs differ ($s1 vs $s2); not written" >&2
        diff "$build/$name.static.out" "$build/$name.dynamic.out" | head -n 10 >&2
        status=1
        continue
    fi
    cp "$build/$name.static.out" "$src_dir/$name.expected"
    echo "$s1" >"$src_dir/$name.status"
    echo "bless: wrote $src_dir/$name.expected ($(wc -l <"$src_dir/$name.expected") lines), $name.status: $s1"
done
exit "$status"
