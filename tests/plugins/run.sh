#!/usr/bin/env bash
# The plugins (docs/plugins.md) against independent counts: the example plugins of plugins/
# on hand-written guest programs whose every instruction, memory access and system call is
# known (loop-*.S: insn_count's count, hot_blocks' hottest block, mem_trace's whole trace,
# built from the programs' symbols), under every engine and for every guest ISA; mem_trace
# against the accesses of mem-*.S, made by helpers as well as the IR (atomics, FP loads
# and stores, store-conditionals, SIMD structure loads and stores, x87, FXSAVE); the same
# count under every engine for a C program; callbacks from several guest threads; a
# bare-metal kernel under vm boot; and the errors for a missing file, a shared object
# without the entry point, a wrong API version and arguments a plugin refuses.
# Usage: run.sh OUTDIR   (VM_BIN: the vm binary; PLUGINS: where the example plugins are,
# default next to it in plugins/; ENGINES: default every engine vm has)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
PLUGINS=${PLUGINS:-$(dirname "$VM_BIN")/plugins}
engines=${ENGINES:-$("$VM_BIN" run --help | sed -n 's/^ *how guest code runs: *//p' | sed 's/ (default)//')}
mkdir -p "$out"

pass() { echo "PASS plugins/$1"; }
fail() { echo "FAIL plugins/$1: $2"; }

# build OUTPUT COMMAND...: runs COMMAND (which writes OUTPUT) unless OUTPUT is newer than
# this script's sources.
build() {
    local o=$1
    shift
    [ -e "$o" ] && [ -z "$(find "$here" -newer "$o" -name '*.[chS]')" ] && return 0
    "$@"
}

declare -A cc=([rv64]=riscv64-linux-gnu-gcc [a64]=aarch64-linux-gnu-gcc [x64]=gcc)
declare -A insns=([rv64]=2018 [a64]=2018 [x64]=2016)
declare -A exit_nr=([rv64]=0x5d [a64]=0x5d [x64]=0x3c)
declare -A write_nr=([rv64]=0x40 [a64]=0x40 [x64]=0x1)
isas=rv64
[ "$(uname -m)" = x86_64 ] && isas="rv64 a64 x64" || isas="rv64 a64"
for isa in $isas; do
    build "$out/loop-$isa" "${cc[$isa]}" -nostdlib -static -Wl,--no-relax \
        -o "$out/loop-$isa" "$here/loop-$isa.S" || fail "loop-$isa" "cannot build it"
done

# sym ISA NAME: the address of NAME in loop-ISA, as 0x... (sym_in: in the program PROG).
sym_in() { printf '0x%x' "0x$(nm "$out/$1" | awk -v n="$2" '$3 == n { print $1 }')"; }
sym() { sym_in "loop-$1" "$2"; }

for isa in $isas; do
    [ -x "$out/loop-$isa" ] || continue
    data=$(sym "$isa" data)
    # The accesses and system calls loop-ISA.S makes, in order (the system calls' first three
    # arguments: the others hold whatever the registers hold).
    {
        echo "0 $(sym "$isa" m1) st 8 $data"
        printf '0 %s st 4 0x%x\n' "$(sym "$isa" m2)" $((data + 8))
        printf '0 %s st 1 0x%x\n' "$(sym "$isa" m3)" $((data + 12))
        echo "0 $(sym "$isa" m4) ld 8 $data"
        printf '0 %s ld 2 0x%x\n' "$(sym "$isa" m5)" $((data + 8))
        echo "0 syscall ${write_nr[$isa]} 0x1 $(sym "$isa" msg) 0x3"
        echo "0 ret ${write_nr[$isa]} 0x3"
        echo "0 syscall ${exit_nr[$isa]} 0x0"
        echo "exit 0"
    } >"$out/loop-$isa.trace.expected"
    for engine in $engines; do
        t=$isa-$engine
        if ! res=$("$VM_BIN" run --engine="$engine" --plugin="$PLUGINS/insn_count.so,out=$out/$t.count" \
                       --plugin="$PLUGINS/hot_blocks.so,top=1,out=$out/$t.hot" \
                       --plugin="$PLUGINS/mem_trace.so,out=$out/$t.trace" "$out/loop-$isa" 2>&1) ||
           [ "$res" != ok ]; then
            fail "$t" "vm failed or printed something else: $res"
            continue
        fi
        expected=$(printf 'insns %s\nsyscalls 2' "${insns[$isa]}")
        if [ "$(cat "$out/$t.count")" = "$expected" ]; then
            pass "insn_count-$t (${insns[$isa]} instructions)"
        else
            fail "insn_count-$t" "expected '$expected', got '$(cat "$out/$t.count")'"
        fi
        read -r pc count n rest <"$out/$t.hot"
        if [ "$pc $count $n" = "$(sym "$isa" loop) 999 2" ]; then
            pass "hot_blocks-$t (the loop: $pc $count $n $rest)"
        else
            fail "hot_blocks-$t" "expected the loop at $(sym "$isa" loop) 999 times, got '$(cat "$out/$t.hot")'"
        fi
        awk '$2 == "syscall" { print $1, $2, $3, $4, $5, $6; next } $2 == "syscall" { next } { print }' \
            "$out/$t.trace" | awk '!($2 == "syscall" && $3 == "'"${exit_nr[$isa]}"'") { print; next } { print $1, $2, $3, $4 }' \
            >"$out/$t.trace.cut"
        if diff -u "$out/loop-$isa.trace.expected" "$out/$t.trace.cut" >"$out/$t.trace.diff"; then
            pass "mem_trace-$t"
        else
            fail "mem_trace-$t" "$(head -20 "$out/$t.trace.diff")"
        fi
    done
done

# Accesses made inside helpers (store-conditionals, SIMD structure loads and stores, x87
# operands, CMPXCHG16B, FXSAVE, AVX2 masked moves, XSAVE) as well as atomics and FP loads
# and stores: mem_trace's
# whole trace of mem-ISA.S against the accesses its instructions make, listed here as
# LABEL KIND SIZE OFFSET-FROM-SYMBOL (a failing store-exclusive makes none).
declare -A mem_expected=(
[rv64]="n1 rmw 8 data+0
n2 st 8 data+16
n3 ld 4 data+8
n4 ld 8 data+0
n5 st 8 data+0
n7 rmw 4 data+8"
[a64]="b1 ld 8 data+0
b2 st 8 data+0
b4 rmw 8 data+0
b5 st 8 data+16
b6 ld 4 data+8
b7 ld 8 data+0
b7 ld 8 data+8
$(for k in 0 1 2 3 4 5 6 7; do echo "b8 st 4 data+$((k * 4))"; done)
b9 rmw 16 data+0"
[x64]="x1 rmw 8 data+0
x2 rmw 16 data+0
x3 ld 8 data+16
x4 st 4 data+24
x5 st 512 area+0
x6 ld 512 area+0
x7 ld 8 data+8
x8 ld 4 data+0
x9 st 4 data+4
x10 st 832 area+0")
declare -A mem_cc=([rv64]="riscv64-linux-gnu-gcc -march=rv64gc" [a64]=aarch64-linux-gnu-gcc [x64]=gcc)
for isa in $isas; do
    build "$out/mem-$isa" ${mem_cc[$isa]} -nostdlib -static -Wl,--no-relax -o "$out/mem-$isa" \
        "$here/mem-$isa.S" || { fail "mem-$isa" "cannot build it"; continue; }
    while read -r label kind size where; do
        printf '0 %s %s %s 0x%x\n' "$(sym_in "mem-$isa" "$label")" "$kind" "$size" \
            $(( $(sym_in "mem-$isa" "${where%+*}") + ${where#*+} ))
    done <<<"${mem_expected[$isa]}" >"$out/mem-$isa.trace.expected"
    printf '0 syscall %s 0x0\nexit 0\n' "${exit_nr[$isa]}" >>"$out/mem-$isa.trace.expected"
    for engine in $engines; do
        t=mem-$isa-$engine
        "$VM_BIN" run --engine="$engine" --plugin="$PLUGINS/mem_trace.so,out=$out/$t.trace" \
            "$out/mem-$isa" >"$out/$t.out" 2>&1
        status=$?
        awk '$2 == "syscall" { print $1, $2, $3, $4; next } { print }' "$out/$t.trace" \
            >"$out/$t.trace.cut" 2>/dev/null
        if [ "$status" = 0 ] && diff -u "$out/mem-$isa.trace.expected" "$out/$t.trace.cut" \
               >"$out/$t.trace.diff"; then
            pass "mem_trace-helpers-$isa-$engine ($(grep -c '^0 0x' "$out/$t.trace.cut") accesses)"
        else
            fail "mem_trace-helpers-$isa-$engine" "status $status, $(head -20 "$out/$t.trace.diff")"
        fi
    done
done

# The environment's spelling, VM_PLUGIN, as --plugin.
if [ -x "$out/loop-rv64" ]; then
    VM_PLUGIN="$PLUGINS/insn_count.so,out=$out/env.count" "$VM_BIN" run "$out/loop-rv64" >/dev/null 2>&1
    if [ "$(cat "$out/env.count" 2>/dev/null)" = "$(printf 'insns 2018\nsyscalls 2')" ]; then
        pass "spelling VM_PLUGIN"
    else
        fail "spelling VM_PLUGIN" "got '$(cat "$out/env.count" 2>/dev/null)'"
    fi
fi

# A C program: every engine counts the same instructions (the plugins see each block once
# under the check engine, which runs it twice).
if build "$out/work-rv64" riscv64-linux-gnu-gcc -O2 -static -o "$out/work-rv64" "$here/../service/work.c"; then
    counts=
    for engine in $engines; do
        "$VM_BIN" run --engine="$engine" --plugin="$PLUGINS/insn_count.so,out=$out/work-$engine.count" \
            "$out/work-rv64" >/dev/null 2>&1
        counts="$counts $engine:$(sed -n 's/^insns //p' "$out/work-$engine.count" 2>/dev/null)"
    done
    if [ "$(tr ' ' '\n' <<<"$counts" | sed -n 's/.*://p' | sort -u | wc -l)" = 1 ] &&
       [ -n "$(sed -n 's/.*://p' <<<"${counts## }")" ]; then
        pass "insn_count-engines (work-rv64:$counts)"
    else
        fail "insn_count-engines" "counts differ:$counts"
    fi
else
    fail insn_count-engines "cannot build work-rv64"
fi

# Four threads at once: no block count lost (hot_blocks adds atomically), every trace line
# whole, and callbacks from more than one vCPU.
if build "$out/threads-rv64" riscv64-linux-gnu-gcc -O2 -static -pthread -o "$out/threads-rv64" "$here/threads.c"; then
    for engine in $engines; do
        [ "$engine" = check ] && continue   # the check engine runs no threads
        t=threads-$engine
        "$VM_BIN" run --engine="$engine" --plugin="$PLUGINS/hot_blocks.so,top=1,out=$out/$t.hot" \
            --plugin="$PLUGINS/mem_trace.so,out=$out/$t.trace" "$out/threads-rv64" 4 2000 >"$out/$t.out" 2>&1
        read -r pc count n rest <"$out/$t.hot"
        bad=$(grep -cvE '^[0-9]+ (0x[0-9a-f]+ (ld|st|rmw) [1248] 0x[0-9a-f]+|syscall( 0x[0-9a-f]+){7}|ret 0x[0-9a-f]+ 0x[0-9a-f]+)$|^exit 0$' "$out/$t.trace")
        vcpus=$(awk '$1 ~ /^[0-9]+$/ { print $1 }' "$out/$t.trace" | sort -u | wc -l)
        if [ "$(cat "$out/$t.out")" != "4 threads done" ]; then
            fail "$t" "the guest printed: $(head -c 300 "$out/$t.out")"
        elif [ "$count" != 8000 ] && [ "$count" != 7996 ]; then
            fail "$t" "the hottest block ran $count times, not 4 x 2000 (or 4 x 1999)"
        elif [ "$bad" != 0 ] || [ "$vcpus" -lt 5 ]; then
            fail "$t" "$bad malformed trace lines, $vcpus vCPUs seen (expected 5)"
        else
            pass "$t (hottest block $pc $count times, $vcpus vCPUs in the trace)"
        fi
    done
else
    fail threads "cannot build threads-rv64"
fi

# vm boot: a bare-metal kernel's accesses and its loop under system mode's softmmu.
sys=$here/../system
if build "$out/loop-system" riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc \
       -mabi=lp64d -Wl,--build-id=none -T"$sys/link.ld" -I"$sys" -o "$out/loop-system" "$here/loop-system.S"; then
    nm "$out/loop-system" >"$out/loop-system.nm"
    at() { printf '0x%x' "0x$(awk -v n="$1" '$3 == n { print $1 }' "$out/loop-system.nm")"; }
    printf '0 %s st 8 %s\n0 %s ld 4 %s\n' "$(at m1)" "$(at data)" "$(at m2)" "$(at data)" >"$out/loop-system.expected"
    for engine in $engines; do
        [ "$engine" = check ] && continue   # user mode only
        t=system-$engine
        "$VM_BIN" boot --engine="$engine" --bios=none --kernel="$out/loop-system" \
            --plugin="$PLUGINS/hot_blocks.so,top=4,out=$out/$t.hot" \
            --plugin="$PLUGINS/mem_trace.so,out=$out/$t.trace" >"$out/$t.out" 2>&1
        status=$?
        head -2 "$out/$t.trace" >"$out/$t.trace.head"
        if [ $status != 0 ]; then
            fail "$t" "status $status: $(head -c 300 "$out/$t.out")"
        elif ! grep -q "^$(at loop) 999 2 " "$out/$t.hot"; then
            fail "$t" "no line for the loop at $(at loop) run 999 times: $(cat "$out/$t.hot")"
        elif ! diff -u "$out/loop-system.expected" "$out/$t.trace.head" >"$out/$t.diff" ||
             ! grep -q "^0 0x[0-9a-f]* st 8 $(at tohost)\$" "$out/$t.trace" ||
             [ "$(tail -1 "$out/$t.trace")" != "exit 0" ]; then
            fail "$t" "trace: $(head -c 400 "$out/$t.trace")"
        else
            pass "$t (the loop 999 times, the accesses to data and tohost)"
        fi
    done
else
    fail system "cannot build loop-system"
fi

# Bad input: `vm: plugin FILE: why` and a non-zero status, and nothing run.
build "$out/noentry.so" cc -shared -fPIC -I"$here/../../include" -o "$out/noentry.so" "$here/noentry.c"
build "$out/badversion.so" cc -shared -fPIC -I"$here/../../include" -o "$out/badversion.so" "$here/badversion.c"
prog=$out/loop-rv64
while IFS='|' read -r name spec message; do
    res=$("$VM_BIN" run --plugin="$spec" "$prog" 2>&1)
    status=$?
    if [ $status != 0 ] && [ "$res" = "$(printf '%b' "$message")" ]; then
        pass "bad-$name"
    else
        fail "bad-$name" "status $status, output '$res' (expected '$message')"
    fi
done <<EOF2
missing|$out/missing.so|vm: plugin $out/missing.so: No such file or directory
noentry|$out/noentry.so|vm: plugin $out/noentry.so: not a vm plugin (it does not define vm_plugin_install)
version|$out/badversion.so|vm: plugin $out/badversion.so: built for plugin API version 999, vm has version 1
notelf|$here/loop-rv64.S|vm: plugin $here/loop-rv64.S: cannot load it: $here/loop-rv64.S: invalid ELF header
args|$PLUGINS/insn_count.so,bogus=1|insn_count: unknown argument 'bogus=1' (it takes out=FILE)\nvm: plugin $PLUGINS/insn_count.so: its vm_plugin_install failed (returned -1)
EOF2
