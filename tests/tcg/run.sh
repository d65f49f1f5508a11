#!/usr/bin/env bash
# QEMU's own user-mode tests (tests/tcg from Debian's qemu source package): the multiarch
# programs (linux-test, test-mmap, signals, threads, sigbus, sha1/sha512, the float_*
# conversions and fused multiply-adds, ...) and the riscv64 and aarch64 ones that need no
# extension vm does not implement (so not aarch64's pauth, bti, mte, sve, sve2 (test-826) and
# sysregs tests).
# They are built as QEMU's makefiles build them (-O0, -O3 for the -vector variants) with
# Debian's cross compilers. A test passes when it exits 0 and, where its output is
# deterministic, that output equals the reference QEMU ships (tests/tcg/aarch64/*.ref, taken
# on hardware) or else qemu-user's.
#
# Usage: tests/tcg/run.sh [BUILD_DIR] [ISA...]   (default: build/tcg, riscv64 aarch64)
# Environment: VM (default "build/vm run"), TIMEOUT seconds per test (default 120), TAG
#              (appended to each test's name, e.g. "[vm-jit]").
# Output: "PASS tcg-ISA/NAME" or "FAIL tcg-ISA/NAME: reason", then per ISA
# "tcg-ISA: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-build/tcg}"
shift $(($# > 0 ? 1 : 0))
isas="${*:-riscv64 aarch64}"
vm="${VM:-build/vm run}"
timeout_s="${TIMEOUT:-120}"
tag="${TAG:-}"
suite=tcg
. tests/lib.sh
. scripts/apt-fetch.sh
read -r -a vm_cmd <<<"$vm"
mkdir -p "$build" || exit 1
build="$(cd "$build" && pwd)"

# The sources: the upstream tarball of `apt-get source qemu`, of which only tests/tcg is
# unpacked.
tcg="$build/src"
if [ ! -d "$tcg/multiarch" ]; then
    mkdir -p "$build/dl"
    if ! ls "$build"/dl/qemu_*.orig.tar.* >/dev/null 2>&1 &&
        ! (cd "$build/dl" && apt_fetch source qemu --download-only); then
        fail sources "cannot fetch the qemu source package"
        exit 1
    fi
    rm -rf "$build/unpack" && mkdir -p "$build/unpack"
    if ! tar -xf "$(ls "$build"/dl/qemu_*.orig.tar.* | head -n 1)" -C "$build/unpack" \
        --wildcards '*/tests/tcg/*'; then
        fail sources "cannot unpack the qemu tarball"
        exit 1
    fi
    rm -rf "$tcg"
    mv "$build"/unpack/*/tests/tcg "$tcg" && rm -rf "$build/unpack"
fi

# Deterministic output, checked against the reference or qemu-user.
compare_output="float_convd float_convs float_madds sha1 sha512 sha1-vector sha512-vector fcvt overflow"

# build ISA NAME SOURCE FLAGS...: 0 if the binary is ready.
build_test() {
    local isa=$1 name=$2 src=$3 out="$build/$1/$2"
    shift 3
    [ -x "$out" ] && [ "$out" -nt "$src" ] && return 0
    "$isa-linux-gnu-gcc" -g -Wall -fno-strict-aliasing -static -I"$tcg/multiarch" "$@" \
        -o "$out" "$src" $extra >"$out.cc" 2>&1
}

status=0
for isa in $isas; do
    suite=tcg-$isa
    passed=0
    failed=0
    mkdir -p "$build/$isa/run"
    tests=()
    for f in "$tcg"/multiarch/*.c "$tcg"/multiarch/linux/*.c "$tcg/$isa"/*.c; do
        tests+=("$(basename "$f" .c)=$f")
    done
    tests+=("sha1-vector=$tcg/multiarch/sha1.c" "sha512-vector=$tcg/multiarch/sha512.c")
    for t in "${tests[@]}"; do
        name=${t%%=*}
        src=${t#*=}
        extra=
        opt=-O0
        case $name in
            float_*) extra="$tcg/multiarch/libs/float_helpers.c -lm" ;;
            fcvt) extra=-lm ;;
            testthread|threadcount|signals|munmap-pthread) extra="-pthread -lrt" ;;
            *-vector) opt=-O3 ;;
            pauth-*|bti-*|mte-*|sysregs|sve-ioctls|test-826) continue ;;   # extensions vm lacks
        esac
        if ! build_test "$isa" "$name" "$src" "$opt"; then
            fail "$name" "does not build" "$build/$isa/$name.cc"
            continue
        fi
        out="$build/$isa/run/$name"
        { (cd "$build/$isa/run" && timeout -k 5 "$timeout_s" "${vm_cmd[@]}" "$build/$isa/$name" \
            >"$out.vm" 2>"$out.vm-err" </dev/null); } 2>/dev/null
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "$name" "exit status $rc" "$out.vm-err"
            continue
        fi
        if [[ " $compare_output " == *" $name "* ]]; then
            ref="$tcg/$isa/$name.ref"
            if [ ! -f "$ref" ]; then
                ref="$out.qemu"
                (cd "$build/$isa/run" && timeout -k 5 "$timeout_s" "qemu-$isa" "$build/$isa/$name" \
                    >"$ref" 2>/dev/null </dev/null)
            fi
            if ! cmp -s "$out.vm" "$ref"; then
                diff "$ref" "$out.vm" >"$out.diff"
                fail "$name" "output differs from $(basename "$ref")" "$out.diff"
                continue
            fi
        fi
        pass "$name"
    done
    echo "tcg-$isa$tag: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
done
exit $status
