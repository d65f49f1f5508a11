#!/usr/bin/env bash
# Benchmark: runs CPU-bound workloads built from Debian sources (the table below: Lua 5.4 on
# bench/fib.lua, calls, integers and tables, and bench/nbody.lua, floating point; SQLite's
# speedtest1; xz compressing 2 MiB of C text at preset 4) natively, under qemu-riscv64,
# qemu-aarch64 and qemu-x86_64 and under the VM (interpreter, T1 only, and T1 with T2) for each
# guest ISA,
# RUNS times each with the runners interleaved, checks that all runners print the same result,
# and prints per workload a table of median seconds per runner and per guest the speed of each
# runner as a fraction of native and as a multiple of qemu-user; at the end one summary table
# of every workload and guest (Markdown, as docs/performance.md shows it).
#
# Usage: bench/run.sh [LUA_BUILD_DIR]          (default: $LUA_BUILD or build/lua)
# The programs: scripts/build-lua.sh (lua) and scripts/build-benchprogs.sh (speedtest1, xz),
# for riscv64 and aarch64 (dynamic, cross glibc), the host, and static for the x86-64 guest.
# Environment:
#   RUNS=5                 runs per runner
#   BENCH="fib nbody speedtest1 xz"
#                          workloads by name (the table below; each about 0.5-1 s natively), or
#                          SCRIPT:ARGUMENT for any other Lua script
#   TIME=cpu               cpu: user + system seconds of the command and its threads (T2's
#                          compiler thread included); wall: elapsed seconds
#   RUNNERS="native qemu vm-interp vm-t1 vm-t2 qemu-a64 vm-interp-a64 vm-t1-a64 vm-t2-a64
#            qemu-x64 vm-interp-x64 vm-t1-x64 vm-t2-x64"
#                          vm-t1: --engine=jit --tier2=off, vm-t2: --engine=jit --tier2=on,
#                          vm-jit: --engine=jit with vm's default; -a64: the aarch64 build,
#                          -x64: the x86-64 one; no suffix: the riscv64 one
#   VM_BASE="OTHER/vm run" adds the runners base-interp, base-jit, base-interp-a64,
#                          base-jit-a64, base-interp-x64 and base-jit-x64: another vm build
#                          (before a change) in the same run, with its default tiers
#   VM="$BUILD/vm run" (BUILD=build)  QEMU=qemu-riscv64  SYSROOT=/usr/riscv64-linux-gnu
#   QEMU_A64=qemu-aarch64  SYSROOT_A64=/usr/aarch64-linux-gnu  QEMU_X64=qemu-x86_64
#   BENCHPROGS_BUILD=build/benchprogs
# Relative paths are taken from the repository root. Timing uses bench/timeit.py. A runner
# whose command is missing is reported as n/a, not as an error.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

# The workloads: NAME COMPARED PROGRAM ARGUMENT... PROGRAM is built for each guest ISA;
# @XZ_INPUT stands for the xz input's path. COMPARED is what must be equal across runners:
# stdout (all of it), untimed (stdout without speedtest1's per-test seconds: the test names,
# the row counts and the verification hash of every result stay), or digest (the SHA-256 and
# size of stdout, for binary output).
workload_table='
fib        stdout  lua        bench/fib.lua 35
nbody      stdout  lua        bench/nbody.lua 250000
speedtest1 untimed speedtest1 --memdb --size 25 --nomemstat --verify
xz         digest  xz         -T1 -4 -c @XZ_INPUT
'

build="${1:-${LUA_BUILD:-build/lua}}"
progs="${BENCHPROGS_BUILD:-build/benchprogs}"
runs="${RUNS:-5}"
workloads="${BENCH:-fib nbody speedtest1 xz}"
clock="${TIME:-cpu}"
runners="${RUNNERS:-native qemu vm-interp vm-t1 vm-t2 qemu-a64 vm-interp-a64 vm-t1-a64 vm-t2-a64 qemu-x64 vm-interp-x64 vm-t1-x64 vm-t2-x64}"
vm_base="${VM_BASE:-}"
[ -n "$vm_base" ] && [ -z "${RUNNERS:-}" ] &&
    runners+=" base-interp base-jit base-interp-a64 base-jit-a64 base-interp-x64 base-jit-x64"
vm="${VM:-${BUILD:-build}/vm run}"
qemu="${QEMU:-qemu-riscv64}"
sysroot="${SYSROOT:-/usr/riscv64-linux-gnu}"
qemu_a64="${QEMU_A64:-qemu-aarch64}"
sysroot_a64="${SYSROOT_A64:-/usr/aarch64-linux-gnu}"
qemu_x64="${QEMU_X64:-qemu-x86_64}"
case "$clock" in
    cpu) timeit=(python3 bench/timeit.py --cpu) ;;
    wall) timeit=(python3 bench/timeit.py) ;;
    *) echo "bench: TIME=$clock: expected cpu or wall" >&2; exit 2 ;;
esac

# workload NAME: sets compared, program and args (an array) for a workload of the table or a
# SCRIPT:ARGUMENT; returns 1 for an unknown name.
workload() {
    local line
    if [[ "$1" == *:* ]]; then
        compared=stdout program=lua args=("${1%%:*}" "${1#*:}")
        return 0
    fi
    line=$(awk -v n="$1" '$1 == n' <<<"$workload_table")
    [ -n "$line" ] || return 1
    read -r _ compared program args_line <<<"$line"
    read -r -a args <<<"${args_line//@XZ_INPUT/$progs/xz-input}"
}

programs=" "
for w in $workloads; do
    if ! workload "$w"; then
        echo "bench: unknown workload $w (known: $(awk 'NF { printf "%s ", $1 }' <<<"$workload_table")or SCRIPT:ARGUMENT)" >&2
        exit 2
    fi
    programs+="$program "
done
if [[ "$programs" == *" lua "* ]] && ! scripts/build-lua.sh "$build"; then
    echo "bench: building lua failed" >&2
    exit 1
fi
if [[ "$programs" == *" speedtest1 "* || "$programs" == *" xz "* ]] &&
    ! scripts/build-benchprogs.sh "$progs"; then
    echo "bench: building speedtest1 and xz failed" >&2
    exit 1
fi

command_missing() {
    if [[ "$1" == */* ]]; then
        [ ! -x "$1" ]
    else
        ! command -v "$1" >/dev/null 2>&1
    fi
}

# path_of ISA: the current workload's program built for ISA (riscv64, aarch64, x86_64, native).
path_of() {
    if [ "$program" = lua ]; then
        echo "$build/$1/lua"
    else
        echo "$progs/$1/$program"
    fi
}

cmd_for() {   # cmd_for RUNNER: sets the array cmd (the runner's command for the current workload)
    local vm_cmd=$vm engine isa=riscv64 sys=$sysroot
    case "$1" in base-*) vm_cmd=$vm_base ;; esac
    case "$1" in
        *-a64) isa=aarch64 sys=$sysroot_a64 ;;
        *-x64) isa=x86_64 sys= ;;
    esac
    engine=${1#*-}
    engine=${engine%-a64}
    engine=${engine%-x64}
    case "$1" in
        native) cmd=("$(path_of native)") ;;
        qemu) read -r -a cmd <<<"$qemu" ;;
        qemu-a64) read -r -a cmd <<<"$qemu_a64" ;;
        qemu-x64) read -r -a cmd <<<"$qemu_x64" ;;
        vm-* | base-*)
            read -r -a cmd <<<"$vm_cmd"
            case "$engine" in
                t1) cmd+=(--engine=jit --tier2=off) ;;
                t2) cmd+=(--engine=jit --tier2=on) ;;
                *) cmd+=(--engine="$engine") ;;
            esac ;;
        *) cmd=(); return ;;
    esac
    [ "$1" = native ] && return
    [ -n "$sys" ] && cmd+=(-L "$sys")
    cmd+=("$(path_of "$isa")")
}

# compared_text FILE: what of a runner's output must be equal across runners.
compared_text() {
    case "$compared" in
        untimed) sed -E 's/ +[0-9]+\.[0-9]{3}s$//' "$1" ;;
        digest) echo "$(wc -c <"$1") bytes, sha256 $(sha256sum <"$1" | cut -d' ' -f1)" ;;
        *) cat "$1" ;;
    esac
}

active=()
for r in $runners; do
    program=lua cmd_for "$r"
    if [ "${#cmd[@]}" -eq 0 ] || { [ "$r" != native ] && command_missing "${cmd[0]}"; }; then
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
dirs=()
for w in $workloads; do
    workload "$w"
    name=$w
    [[ "$w" == *:* ]] && name=$(basename "${w%%:*}" .lua)
    out_dir="$build/bench/$name"
    rm -rf "$out_dir"
    mkdir -p "$out_dir" || exit 1
    dirs+=("$out_dir")
    echo "bench: $name ($program ${args[*]}), $runs runs each, $clock seconds, runners: ${active[*]}"
    reference=""
    for ((i = 1; i <= runs; i++)); do
        line="run $i/$runs:"
        for r in "${active[@]}"; do
            cmd_for "$r"
            out="$out_dir/$r.$i.out"
            if [ ! -x "${cmd[-1]}" ]; then
                line="$line $r=MISSING"
                status=1
                continue
            fi
            if ! t="$("${timeit[@]}" "$out" "${cmd[@]}" "${args[@]}")"; then
                line="$line $r=FAILED"
                status=1
                continue
            fi
            compared_text "$out" >"$out.compared"
            if [ -z "$reference" ]; then
                reference="$out.compared"
            elif ! cmp -s "$reference" "$out.compared"; then
                echo "bench: output of $r (run $i) differs from $(basename "$reference" .out.compared):" >&2
                diff "$reference" "$out.compared" | head -n 5 >&2
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
        echo "result: $(tail -n 1 "$reference")"
    fi
    echo
done
echo "bench: median $clock seconds; speed = native's time / the runner's, or qemu-user's / the runner's"
# shellcheck disable=SC2086
python3 bench/report.py --summary "${dirs[@]}" -- $runners
exit "$status"
