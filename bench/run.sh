#!/usr/bin/env bash
# Benchmark: runs CPU-bound Lua workloads (bench/fib.lua: calls, integers and tables;
# bench/nbody.lua: floating point; Lua from Debian's lua5.4 source built for riscv64, aarch64
# and the host, and static for the x86-64 guest) natively, under qemu-riscv64/qemu-aarch64/
# qemu-x86_64 and under the VM (interpreter and JIT), RUNS times each with the runners interleaved, checks that all runners print the same
# result, and prints per workload a table of median seconds per runner with the ratios of
# each vm runner to qemu-user of the same guest ISA and to native.
#
# Usage: bench/run.sh [LUA_BUILD_DIR]          (default: $LUA_BUILD or build/lua)
# Environment:
#   RUNS=5                 runs per runner
#   BENCH="bench/fib.lua:35 bench/nbody.lua:250000"
#                          workloads as SCRIPT:ARGUMENT (each about 0.6 s natively)
#   RUNNERS="native qemu vm-interp vm-jit qemu-a64 vm-interp-a64 vm-jit-a64 qemu-x64
#            vm-interp-x64 vm-jit-x64"
#                          (each vm runner named by its engine; -a64: the aarch64 build, -x64:
#                          the x86-64 one: the same source as native, built static)
#   VM_BASE="OTHER/vm run" adds the runners base-interp, base-jit, base-interp-a64 and
#                          base-jit-a64 (and base-interp-x64, base-jit-x64): another vm build
#                          (before a change) in the same run
#   VM="$BUILD/vm run" (BUILD=build)  QEMU=qemu-riscv64  SYSROOT=/usr/riscv64-linux-gnu
#   QEMU_A64=qemu-aarch64  SYSROOT_A64=/usr/aarch64-linux-gnu  QEMU_X64=qemu-x86_64
# Relative paths are taken from the repository root. Timing uses
# bench/timeit.py (python3 time.perf_counter). A runner whose command is
# missing is reported as n/a, not as an error.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

build="${1:-${LUA_BUILD:-build/lua}}"
runs="${RUNS:-5}"
workloads="${BENCH:-bench/fib.lua:35 bench/nbody.lua:250000}"
runners="${RUNNERS:-native qemu vm-interp vm-jit qemu-a64 vm-interp-a64 vm-jit-a64 qemu-x64 vm-interp-x64 vm-jit-x64}"
vm_base="${VM_BASE:-}"
[ -n "$vm_base" ] && [ -z "${RUNNERS:-}" ] &&
    runners+=" base-interp base-jit base-interp-a64 base-jit-a64 base-interp-x64 base-jit-x64"
vm="${VM:-${BUILD:-build}/vm run}"
qemu="${QEMU:-qemu-riscv64}"
sysroot="${SYSROOT:-/usr/riscv64-linux-gnu}"
qemu_a64="${QEMU_A64:-qemu-aarch64}"
sysroot_a64="${SYSROOT_A64:-/usr/aarch64-linux-gnu}"
qemu_x64="${QEMU_X64:-qemu-x86_64}"

if ! scripts/build-lua.sh "$build"; then
    echo "bench: building lua failed" >&2
    exit 1
fi

command_missing() {
    if [[ "$1" == */* ]]; then
        [ ! -x "$1" ]
    else
        ! command -v "$1" >/dev/null 2>&1
    fi
}

cmd_for() {   # cmd_for RUNNER: sets the array cmd
    local vm_cmd=$vm
    case "$1" in base-*) vm_cmd=$vm_base ;; esac
    case "$1" in
        native) cmd=("$build/native/lua") ;;
        qemu) read -r -a cmd <<<"$qemu"; cmd+=(-L "$sysroot" "$build/riscv64/lua") ;;
        qemu-a64) read -r -a cmd <<<"$qemu_a64"; cmd+=(-L "$sysroot_a64" "$build/aarch64/lua") ;;
        qemu-x64) read -r -a cmd <<<"$qemu_x64"; cmd+=("$build/x86_64/lua") ;;
        vm-*-x64 | base-*-x64)
            read -r -a cmd <<<"$vm_cmd"; local e=${1#*-}
            cmd+=(--engine="${e%-x64}" "$build/x86_64/lua") ;;
        vm-*-a64 | base-*-a64)
            read -r -a cmd <<<"$vm_cmd"; local e=${1#*-}
            cmd+=(--engine="${e%-a64}" -L "$sysroot_a64" "$build/aarch64/lua") ;;
        vm-* | base-*)
            read -r -a cmd <<<"$vm_cmd"; cmd+=(--engine="${1#*-}" -L "$sysroot" "$build/riscv64/lua") ;;
        *) cmd=() ;;
    esac
}

active=()
for r in $runners; do
    cmd_for "$r"
    if [ "${#cmd[@]}" -eq 0 ] || command_missing "${cmd[0]}"; then
        echo "bench: runner $r unavailable (${cmd[0]:-unknown runner}); skipped" >&2
        continue
    fi
    active+=("$r")
done
if [ "${#active[@]}" -eq 0 ]; then
    echo "bench: no runner available" >&2
    exit 1
fi

status=0
for workload in $workloads; do
    script=${workload%%:*}
    n=${workload#*:}
    out_dir="$build/bench/$(basename "$script" .lua)"
    rm -rf "$out_dir"
    mkdir -p "$out_dir" || exit 1
    echo "bench: $script $n, $runs runs each, runners: ${active[*]}"
    reference=""
    for ((i = 1; i <= runs; i++)); do
        line="run $i/$runs:"
        for r in "${active[@]}"; do
            cmd_for "$r"
            out="$out_dir/$r.$i.out"
            if ! t="$(python3 bench/timeit.py "$out" "${cmd[@]}" "$script" "$n")"; then
                line="$line $r=FAILED"
                status=1
                continue
            fi
            if [ -z "$reference" ]; then
                reference="$out"
            elif ! cmp -s "$reference" "$out"; then
                echo "bench: output of $r (run $i) differs from $(basename "$reference" .out):" >&2
                diff "$reference" "$out" | head -n 5 >&2
                status=1
            fi
            echo "$t" >>"$out_dir/$r.times"
            line="$line $r=$(printf '%.3f' "$t")s"
        done
        echo "$line"
    done
    echo
    # all requested runners, so an unavailable one shows as n/a
    # shellcheck disable=SC2086
    python3 bench/report.py "$out_dir" $runners
    if [ -n "$reference" ]; then
        echo "result: $(head -n 1 "$reference")"
    fi
    echo
done
exit "$status"
