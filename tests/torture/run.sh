#!/usr/bin/env bash
# gcc's C torture tests (gcc.c-torture/execute and its ieee/ part, from Debian's
# gcc-12-source) built for each guest ISA with Debian's cross compiler (x86_64: the host's
# gcc) at -O2 and run under vm, with the options of its dg-options lines that name no target.
# Each program checks itself: it passes when vm runs it to exit 0; one that does not ends the
# same way under qemu-user of that ISA (x86_64: natively, on the host) only if it fails on
# that target anyway (checked by running it there), else vm is wrong. Programs the compiler
# rejects are counted as "not built", not as passes. The binaries are built once per machine
# into a cache outside the checkout, ${VM_CACHE:-$HOME/.cache/vm}/torture-ISA-HASH/, named by
# a hash of the compiler's version, the gcc-12-source package and the build command (and
# built again when their source is newer).
# tests/torture/pending-ISA lists programs ("NAME: reason" a line) that need instruction
# families vm does not translate yet (x86_64: x87's long double, AVX): they run too, and are
# counted as pending while they fail; one that passes is a failure until it leaves the list,
# so the list shrinks as the families land.
#
# ISA x86_64-v3 is x86_64 built again with -march=x86-64-v3, so that gcc's AVX2, FMA, BMI
# and MOVBE code runs (the host must have them: its native run is the oracle).
#
# Usage: tests/torture/run.sh [BUILD_DIR] [ISA...]   (default: build/torture, riscv64 aarch64)
# Environment: VM (default "build/vm run"), JOBS (parallel runs, default 2), TIMEOUT seconds
#              per program (default 30), NAMES (only these tests, space-separated), TAG
#              (appended to each test's name, e.g. "[vm-jit]").
# Output: "PASS torture-ISA/NAME" or "FAIL torture-ISA/NAME: reason", then per ISA
# "torture-ISA: N passed, N failed, N pending, N not built". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-build/torture}"
shift $(($# > 0 ? 1 : 0))
isas="${*:-riscv64 aarch64}"
export VM="${VM:-build/vm run}" TIMEOUT="${TIMEOUT:-30}" TAG="${TAG:-}"
jobs="${JOBS:-2}"
mkdir -p "$build" || exit 1
build="$(cd "$build" && pwd)"

# The sources, unpacked once from the tarball gcc-12-source installs.
src="$build/src"
if [ ! -d "$src/ieee" ]; then
    tarball=$(ls /usr/src/gcc-12/gcc-12*.tar.* 2>/dev/null | head -n 1)
    if [ -z "$tarball" ]; then
        echo "FAIL torture/sources: no /usr/src/gcc-12/gcc-12*.tar.* (package gcc-12-source)"
        exit 1
    fi
    rm -rf "$build/unpack" && mkdir -p "$build/unpack"
    if ! tar -xf "$tarball" -C "$build/unpack" --wildcards '*/gcc/testsuite/gcc.c-torture/execute/*'; then
        echo "FAIL torture/sources: cannot unpack $tarball"
        exit 1
    fi
    rm -rf "$src"
    mv "$build"/unpack/*/gcc/testsuite/gcc.c-torture/execute "$src" && rm -rf "$build/unpack"
fi

# The options of a test's "dg-options" and "dg-additional-options" lines without a target
# selector (-fwrapv, -fgnu89-inline, ...).
dg_options() {
    grep -E 'dg-(additional-)?options' "$1" | grep -v target |
        sed -E 's/.*dg-(additional-)?options[ {]*"([^"]*)".*/\2/'
}

# compile ISA NAME SOURCE: builds one test into the cache, whole or not at all (written
# under a name of its own, then renamed), since checkouts running at once share the cache.
compile() {
    local isa=$1 name=$2 c=$3 opts march=() tmp="$bindir/$2.tmp.$$"
    [ "${isa%-v3}" != "$isa" ] && march=(-march=x86-64-v3)
    read -r -a opts <<<"$(dg_options "$c" | tr '\n' ' ')"
    if "${isa%-v3}-linux-gnu-gcc" -O2 "${march[@]}" -w -static "${opts[@]}" -o "$tmp" "$c" -lm \
        >"$build/$isa/log/$name.cc" 2>&1; then
        mv -f "$tmp" "$bindir/$name"
    else
        rm -f "$tmp"
        return 1
    fi
}

# one ISA NAME: builds (unless cached) and runs one test; prints its result line. The shell's
# own reports of programs killed by a signal are silenced: the result line says it.
one() {
    local isa=$1 name=$2 dir="$build/$1" bin="$bindir/$2" c rc qrc vm_cmd qemu where pending
    local base=${1%-v3}
    c="$src/$name.c"
    [ -f "$c" ] || c="$src/ieee/$name.c"
    if { [ ! -x "$bin" ] || [ "$c" -nt "$bin" ]; } && ! compile "$isa" "$name" "$c"; then
        echo "NOTBUILT torture-$isa/$name$TAG"
        return
    fi
    read -r -a vm_cmd <<<"$VM"
    { (cd "$dir/tmp" && timeout -k 5 "$TIMEOUT" "${vm_cmd[@]}" "$bin" \
        >"$dir/log/$name.vm" 2>&1 </dev/null); } 2>/dev/null
    rc=$?
    pending=$(sed -n "s/^$name: //p" "$root/tests/torture/pending-$isa" 2>/dev/null)
    if [ "$rc" -eq 0 ]; then
        if [ -n "$pending" ]; then
            echo "FAIL torture-$isa/$name$TAG: passes, but tests/torture/pending-$isa lists it ($pending)"
        else
            echo "PASS torture-$isa/$name$TAG"
        fi
        return
    fi
    if [ -n "$pending" ]; then
        echo "PENDING torture-$isa/$name$TAG: status $rc ($pending)"
        return
    fi
    qemu=(qemu-"$base") where="under qemu-$base"
    [ "$base" = "$(uname -m)" ] && qemu=(env) where=natively
    { (cd "$dir/tmp" && timeout -k 5 "$TIMEOUT" "${qemu[@]}" "$bin" \
        >"$dir/log/$name.qemu" 2>&1 </dev/null); } 2>/dev/null
    qrc=$?
    if [ "$qrc" -eq "$rc" ] && [ "$rc" -ne 124 ]; then
        echo "PASS torture-$isa/$name$TAG (fails on $isa itself: status $rc $where too)"
    else
        echo "FAIL torture-$isa/$name$TAG: status $rc under vm, $qrc $where"
    fi
}
# The cache directory of ISA's binaries: named by a hash of what they depend on but their
# sources (the compiler, the gcc-12-source package, the build command).
cache_dir() {
    local key
    key=$({ "${1%-v3}-linux-gnu-gcc" --version | head -n 1; ls /usr/src/gcc-12; echo "$1"
            declare -f compile dg_options; } | sha256sum | cut -c1-16)
    echo "${VM_CACHE:-$HOME/.cache/vm}/torture-$1-$key"
}

export -f one compile dg_options
export build src root

status=0
for isa in $isas; do
    if ! command -v "${isa%-v3}-linux-gnu-gcc" >/dev/null; then
        echo "FAIL torture-$isa/compiler: ${isa%-v3}-linux-gnu-gcc not found"
        status=1
        continue
    fi
    bindir=$(cache_dir "$isa")
    export bindir
    mkdir -p "$bindir" "$build/$isa/log" "$build/$isa/tmp"
    if [ -n "${NAMES:-}" ]; then
        names=$NAMES
    else
        names=$( (cd "$src" && ls *.c ieee/*.c) | sed 's|^ieee/||; s|\.c$||' | sort -u)
    fi
    results=$(printf '%s\n' $names | xargs -P "$jobs" -I{} bash -c 'one "$0" "$1"' "$isa" {} | sort)
    grep -E '^(PASS|FAIL) ' <<<"$results"
    for f in $(grep '^FAIL ' <<<"$results" | sed -E 's|^FAIL torture-[^/]*/||; s/(\[|:).*//'); do
        head -n 5 "$build/$isa/log/$f.vm" | sed 's/^/    /'
    done
    passed=$(grep -c '^PASS ' <<<"$results")
    failed=$(grep -c '^FAIL ' <<<"$results")
    pending=$(grep -c '^PENDING ' <<<"$results")
    notbuilt=$(grep -c '^NOTBUILT ' <<<"$results")
    echo "torture-$isa$TAG: $passed passed, $failed failed, $pending pending, $notbuilt not built"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
done
exit $status
