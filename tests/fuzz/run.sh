#!/usr/bin/env bash
# The fuzzing harnesses, for make test (fixed seeds, a short fixed budget) or make fuzz
# (SECONDS_BUDGET seconds in all, seeds from SEED on):
#   elf       the ELF loader on mutated headers, program headers and PT_INTERP (elf_mutate.py)
#   randcode  random code for each guest under every engine against qemu-user (randcode_run.py)
#   syscalls  system calls with edge-case arguments, against the same program run natively
#             (wild_syscalls.c)
#   stress    threads, timer signals, mmap and fork together, under a timeout (stress.c)
#   virtio    random and adversarial register accesses, queues and descriptor chains against
#             each virtio device (virtio_fuzz.c; under SANITIZE=1 with ASan and UBSan)
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

# build NAME ISA KIND: $out/NAME.ISA.KIND from tests/fuzz/NAME.c; KIND static or dynamic;
# ISA native: for the host, with its own compiler
build() {
    local name=$1 isa=$2 kind=$3 bin="$out/$1.$2.$3" flags=(-O2 -Wall -I tests/fuzz) cc="$2-linux-gnu-gcc"
    [ "$isa" = native ] && cc=gcc
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
        if ! "$cc" "${flags[@]}" -o "$bin" "tests/fuzz/$name.c" -lpthread >"$bin.log" 2>&1; then
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
for isa in riscv64 aarch64 native; do
    build wild_syscalls $isa static || ok=0
    build stress $isa static || ok=0
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

elf() {   # elf SEED (--count N | --seconds N)
    local s=$1
    shift
    python3 tests/fuzz/elf_mutate.py --vm "$vm" --workdir "$out/elf" --seed "$s" "$@" \
        "$out"/elf_target.*.static "$out"/elf_target.*.dynamic
}

# ---- randcode ---------------------------------------------------------------

randcode() {   # randcode ISA SEED COUNT [--strict]
    local isa=$1 s=$2 n=$3
    shift 3
    python3 tests/fuzz/randcode_run.py --isa "$isa" --vm "$vm" --engines "$engines" \
        --gen "$build/tests/fuzz/randcode_gen" --program "$out/randcode.$isa.static" \
        --workdir "$out/randcode" --seed "$s" --count "$n" "$@"
}

# ---- syscalls ---------------------------------------------------------------

syscalls() {   # syscalls SEED COUNT [all]: each guest under every engine against the host
    local s=$1 n=$2 mode=${3:-} isa engine label
    local native="$out/syscalls.native.txt" got="$out/syscalls.vm.txt"
    if ! (cd "$out" && ./wild_syscalls.native.static "$s" "$n" $mode) >"$native" 2>&1; then
        fail "syscalls[native]" "seed $s: the native run failed" "$native"
        return
    fi
    for isa in riscv64 aarch64; do
        for engine in $engines; do
            label="syscalls-$isa[vm-$engine]"
            (cd "$out" && timeout 300 $vm --engine="$engine" "./wild_syscalls.$isa.static" "$s" "$n" $mode) \
                >"$got" 2>&1
            local status=$?
            if [ $status != 0 ]; then
                fail "$label" "seed $s: exit status $status; reproduce: cd $out && $vm --engine=$engine ./wild_syscalls.$isa.static $s $n $mode" "$got"
            elif ! diff "$native" "$got" >"$got.diff"; then
                fail "$label" "seed $s: differs from the native run ($(grep -c '^>' "$got.diff") calls); reproduce: cd $out && $vm --engine=$engine ./wild_syscalls.$isa.static $s $n $mode" "$got.diff"
            else
                pass "$label: seed $s, $(wc -l <"$native") calls${mode:+ ($mode)}"
            fi
        done
    done
}

# ---- stress -----------------------------------------------------------------

# stress SEED ROUNDS: each guest under every engine but check (its lockstep replay is not
# thread-safe), under a timeout that kills the whole process group (a fork child too); the
# output must be the native run's. Under SANITIZE=1 without the fork children (stress.c).
stress() {
    local s=$1 n=$2 isa engine label want got="$out/stress.vm.txt" mode=
    [ "${SANITIZE:-0}" = 1 ] && mode=nofork
    want=$("$out/stress.native.static" "$s" "$n" $mode 2>&1)
    for isa in riscv64 aarch64; do
        for engine in $engines; do
            [ "$engine" = check ] && continue
            label="stress-$isa[vm-$engine]"
            timeout -s KILL 120 $vm --engine="$engine" "$out/stress.$isa.static" "$s" "$n" $mode >"$got" 2>&1
            local status=$?
            if [ $status = 137 ]; then
                fail "$label" "seed $s: hung (killed after 120 s); reproduce: $vm --engine=$engine $out/stress.$isa.static $s $n $mode" "$got"
            elif [ $status != 0 ] || [ "$(cat "$got")" != "$want" ]; then
                fail "$label" "seed $s: exit status $status, not the native output \"$want\"" "$got"
            else
                pass "$label: seed $s, $n rounds${mode:+ ($mode)}"
            fi
        done
    done
}

# ---- virtio -----------------------------------------------------------------

virtio() {   # virtio SEED ROUNDS: each device
    local s=$1 n=$2 dev got="$out/virtio.txt"
    for dev in blk blk-ro rng net; do
        if "$build/tests/fuzz/virtio_fuzz" "$dev" "$s" "$n" >"$got" 2>&1; then
            pass "virtio-$dev: seed $s, $(cat "$got")"
        else
            fail "virtio-$dev" "seed $s; reproduce: $build/tests/fuzz/virtio_fuzz $dev $s $n" "$got"
        fi
    done
}

if [ -z "$budget" ]; then
    # make test: fixed seeds and counts.
    harness elf 1 --count 250
    harness randcode riscv64 1 600
    harness randcode aarch64 1 600
    syscalls 1 1500 all
    stress 1 200
    virtio 1 50000
else
    # make fuzz: each harness in turn for its share of the budget, seeds counting up; the
    # mutations and differences not fixed yet count as failures here.
    harness elf "$seed" --seconds $((budget * 30 / 100))
    virtio "$seed" 1000000
    s=$seed
    while :; do   # each harness at least once, then while its share lasts
        harness randcode riscv64 "$s" 2000 --strict
        harness randcode aarch64 "$s" 2000 --strict
        s=$((s + 1))
        [ "$(date +%s)" -lt "$(share_end 70)" ] || break
    done
    s=$seed
    while :; do
        syscalls "$s" 3000 all
        s=$((s + 1))
        [ "$(date +%s)" -lt "$(share_end 85)" ] || break
    done
    s=$seed
    while :; do
        stress "$s" 1000
        s=$((s + 1))
        [ "$(date +%s)" -lt "$(share_end 100)" ] || break
    done
fi

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
