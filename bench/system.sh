#!/usr/bin/env bash
# System-mode benchmark: a CPU-bound bare-metal program (bench/system/memloop.S: loads,
# stores and arithmetic over a 16-page buffer) booted with `vm boot --bios=none` under the
# interpreter and the JIT, RUNS times each with the runners interleaved; prints the median
# seconds of each runner and checks that all print the same checksum. (qemu-system-riscv64
# side by side comes with a kernel that both can boot.)
#
# Usage: bench/system.sh [OUTDIR]     (default: $BUILD/bench-system, BUILD=build)
# Environment: RUNS=5, PASSES=1000 (passes over the buffer), VM=$BUILD/vm,
#   VM_BASE=OTHER/vm adds base-interp and base-jit: another vm build (before a change).
set -u -o pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
out="${1:-${BUILD:-build}/bench-system}"
runs="${RUNS:-5}"
passes="${PASSES:-1000}"
vm="${VM:-${BUILD:-build}/vm}"
cc="${CROSS_CC:-riscv64-linux-gnu-gcc}"
mkdir -p "$out"
elf="$out/memloop-$passes"
if [ ! -x "$elf" ] || [ bench/system/memloop.S -nt "$elf" ]; then
    "$cc" -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d -DPASSES="$passes" \
        -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Ttests/system/link.ld \
        -Itests/system -o "$elf" bench/system/memloop.S || { echo "bench: cannot build memloop" >&2; exit 1; }
fi
runners="vm-interp vm-jit"
[ -n "${VM_BASE:-}" ] && runners+=" base-interp base-jit"
declare -A times
for ((k = 0; k < runs; k++)); do
    for r in $runners; do
        bin=$vm
        case $r in base-*) bin=$VM_BASE ;; esac
        t=$(python3 bench/timeit.py "$out/$r.out" "$bin" boot --engine="${r#*-}" --bios=none \
            --kernel="$elf") || { echo "bench: $r failed" >&2; exit 1; }
        times[$r]+="$t "
    done
done
first=
printf "%-12s %10s   (memloop, %s passes over 64 KiB, median of %s)\n" runner seconds "$passes" "$runs"
for r in $runners; do
    median=$(printf '%s\n' ${times[$r]} | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "%-12s %10.3f\n" "$r" "$median"
    if [ -z "$first" ]; then
        first=$r
    elif ! cmp -s "$out/$first.out" "$out/$r.out"; then
        echo "bench: $r printed another checksum than $first" >&2
        exit 1
    fi
done
