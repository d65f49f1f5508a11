#!/usr/bin/env bash
# The services around the machine: --perf-map (every JIT block has a line naming its guest
# code, checked against --log=in_asm and nm), under vm run (static and PIE guests of
# both ISAs) and vm boot (a bare-metal kernel).
# Usage: run.sh OUTDIR   (VM_BIN: the vm binary)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
mkdir -p "$out"
passed=0
failed=0

pass() { echo "PASS service/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL service/$1: $2"; failed=$((failed + 1)); }

# build NAME CC FLAGS...: out/NAME from work.c, unless it is newer than its source.
build() {
    local name=$1 cc=$2
    shift 2
    [ "$out/$name" -nt "$here/work.c" ] && return 0
    "$cc" -O2 "$@" -o "$out/$name" "$here/work.c"
}

# perfmap LABEL PROGRAM NAMES SUBCOMMAND ARGS...: runs vm SUBCOMMAND with --perf-map, --stats
# and --log=in_asm, then ARGS, and checks the map against PROGRAM's symbols (NAMES: some that
# must name blocks).
perfmap() {
    local label=$1 prog=$2 names=$3 sub=$4
    shift 4
    local pid status blocks bias=0
    rm -f "$out/pid"
    sh -c 'echo $$ >"$0"; exec "$@"' "$out/pid" "$VM_BIN" "$sub" --perf-map --stats \
        --log=in_asm --log-file="$out/$label.log" "$@" >"$out/$label.out" 2>"$out/$label.err"
    status=$?
    pid=$(cat "$out/pid")
    mv -f "/tmp/perf-$pid.map" "$out/$label.map" 2>/dev/null
    blocks=$(sed -n 's/.*JIT code [0-9]* bytes in \([0-9]*\) blocks.*/\1/p' "$out/$label.err")
    local main_at
    main_at=$(sed -n 's/.* main \(0x[0-9a-f]*\)$/\1/p' "$out/$label.out")
    nm -S "$prog" >"$out/$label.nm" 2>/dev/null
    if [ -n "$main_at" ]; then
        bias=$(( main_at - 0x$(awk '$NF == "main" { print $1 }' "$out/$label.nm") ))
    fi
    if [ ! -s "$out/$label.map" ] || [ -z "$blocks" ]; then
        fail "perfmap-$label" "status $status, no map or no --stats line: $(head -c 300 "$out/$label.err")"
        return
    fi
    local res
    if res=$(python3 "$here/perfmap_check.py" "$out/$label.map" "$out/$label.log" \
                 "$out/$label.nm" "$bias" "$blocks" "$names"); then
        pass "perfmap-$label ($res)"
    else
        fail "perfmap-$label" "$res"
    fi
}

if build work-rv64 riscv64-linux-gnu-gcc -static && build work-rv64-pie riscv64-linux-gnu-gcc -pie -fpie &&
   build work-a64 aarch64-linux-gnu-gcc -static; then
    perfmap run-rv64 "$out/work-rv64" main,work_sum,mix run --engine=jit "$out/work-rv64"
    perfmap run-rv64-pie "$out/work-rv64-pie" main,work_sum,mix run --engine=jit "$out/work-rv64-pie"
    perfmap run-a64 "$out/work-a64" main,work_sum,mix run --engine=jit "$out/work-a64"
else
    fail perfmap "cannot build the guest programs"
fi
if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
       -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T"$here/../system/link.ld" \
       -I"$here/../system" -o "$out/trap" "$here/../system/trap.S"; then
    perfmap boot-trap "$out/trap" _start,handler boot --engine=jit --bios=none --kernel="$out/trap"
else
    fail perfmap-boot "cannot build tests/system/trap.S"
fi

echo "service: $passed passed, $failed failed"
[ "$failed" = 0 ]
