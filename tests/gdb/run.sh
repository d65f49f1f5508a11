#!/usr/bin/env bash
# gdb-multiarch against vm's gdb stub (src/debug/): target.c, built static with debug info for
# each guest ISA, runs under `vm run --gdb=SOCKET` while gdb in batch mode runs session.gdb
# (break at main, read and write a variable and a register, step, a write watchpoint, continue
# to the exit), watch.gdb (read and access watchpoints), and threads.gdb on threads.c (each new thread a gdb thread stopping at a
# breakpoint in turn). gdb's output, with addresses and thread ids masked and runs of blanks squeezed,
# must equal session.expected (watch.expected, threads.expected); the program's own output must show the values gdb wrote, and
# vm must exit with the status gdb reported. badinput.py then sends garbage and malformed
# packets, which must get an error reply or be ignored without vm crashing, interrupts the
# spinning program with Ctrl-C, and attaches through every spelling of the option (-g PORT,
# VM_GDB, QEMU_GDB). Last, system.gdb on tests/system's hello.S under `vm boot --gdb`
# (system.expected; the hart as gdb's thread), and Ctrl-C stopping a hart asleep after WFI
# (idle.S).
#
# Usage: tests/gdb/run.sh [BUILD_DIR]   (default: build/tests/gdb)
# Environment: VM (default "build/vm run"), ENGINES (default "interp jit check"), TIMEOUT.
# Output: "PASS gdb/NAME" or "FAIL gdb/NAME: reason", then "gdb: N passed, N failed".
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-build/tests/gdb}"
vm="${VM:-build/vm run}"
engines="${ENGINES:-interp jit check}"
timeout_s="${TIMEOUT:-60}"
read -r -a vm_cmd <<<"$vm"
suite=gdb
. tests/lib.sh
mkdir -p "$build" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v gdb-multiarch >/dev/null; then
    fail setup "gdb-multiarch is not installed (scripts/deps.sh installs it)"
    echo "gdb: $passed passed, $failed failed"
    exit 1
fi

# Waits for vm to listen on the socket (vm removes it once gdb is connected).
wait_socket() {
    for _ in $(seq 100); do
        [ -S "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# interrupted NAME SOCK LOG COMMAND...: starts COMMAND (vm with --gdb=SOCK) in the background
# and passes NAME if badinput.py's interrupt session (continue, Ctrl-C, a SIGINT stop) does.
interrupted() {
    local name=$1 sock=$2 log=$3 pid
    shift 3
    timeout "$timeout_s" "$@" </dev/null >/dev/null 2>"$log.err" &
    pid=$!
    if wait_socket "$sock" && python3 tests/gdb/badinput.py "$sock" interrupt >"$log" 2>&1; then
        wait "$pid"
        pass "$name"
    else
        kill "$pid" 2>/dev/null
        wait "$pid"
        fail "$name" "no SIGINT stop after Ctrl-C" "$log"
    fi
}

# gdb's output without what differs from run to run or between ISAs: addresses, thread ids,
# the width of register columns.
mask() {
    sed -E 's/0x[0-9a-f]+/ADDR/g; s/Thread [0-9]+/Thread TID/g; s/[ \t]+/ /g; s/ +$//'
}

# gdb_session NAME PROGRAM SCRIPT: PROGRAM under vm --engine=$engine --gdb, and gdb-multiarch
# running tests/gdb/SCRIPT.gdb against it; sets status to vm's exit status. Returns 1 after a
# FAIL line when vm never listened or gdb's masked output differs from SCRIPT.expected.
gdb_session() {
    local name=$1 prog=$2 script=$3 sock="$tmp/$1.sock" vm_pid
    timeout "$timeout_s" "${vm_cmd[@]}" --engine="$engine" --gdb="$sock" "$prog" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    vm_pid=$!
    if ! wait_socket "$sock"; then
        kill "$vm_pid" 2>/dev/null
        wait "$vm_pid"
        fail "$name" "vm did not listen on $sock" "$tmp/$name.err"
        return 1
    fi
    timeout "$timeout_s" gdb-multiarch -batch -nx -ex "target remote $sock" \
        -x "tests/gdb/$script.gdb" "$prog" 2>&1 | mask >"$tmp/$name.gdb"
    wait "$vm_pid"
    status=$?
    if ! diff -u "tests/gdb/$script.expected" "$tmp/$name.gdb" >"$tmp/$name.diff"; then
        fail "$name" "gdb's output differs from $script.expected" "$tmp/$name.diff"
        return 1
    fi
}

for isa in riscv64 aarch64; do
    cc=$isa-linux-gnu-gcc
    [ "$isa" = aarch64 ] && cc=aarch64-linux-gnu-gcc
    prog="$build/target-$isa"
    if ! "$cc" -g -O1 -static -o "$prog" tests/gdb/target.c 2>"$tmp/cc"; then
        fail "build-$isa" "$cc failed" "$tmp/cc"
        continue
    fi
    for engine in $engines; do
        name="$isa-$engine"
        gdb_session "$name" "$prog" session || continue
        if [ "$(cat "$tmp/$name.out")" != "answer 7 total 52 counter 20" ]; then
            fail "$name" "the program did not see gdb's writes" "$tmp/$name.out"
        elif [ "$status" -ne 52 ]; then
            fail "$name" "vm exited with $status, gdb saw 064 (52)" "$tmp/$name.err"
        else
            pass "$name"
        fi
    done
    # Read and access watchpoints (rwatch, awatch): a read, then a read and a write, of
    # counter in bump, and answer's read for printf.
    for engine in $engines; do
        name="watch-$isa-$engine"
        gdb_session "$name" "$prog" watch || continue
        if [ "$(cat "$tmp/$name.out")" != "answer 42 total 25 counter 11" ] || [ "$status" -ne 25 ]; then
            fail "$name" "vm exited with $status" "$tmp/$name.out"
        else
            pass "$name"
        fi
    done
    # Threads: each new thread is a gdb thread, stopping at the breakpoint in its turn (the
    # check engine is not thread-safe, so it sits this out).
    if ! "$cc" -g -O1 -static -pthread -o "$prog-threads" tests/gdb/threads.c 2>"$tmp/cc"; then
        fail "build-threads-$isa" "$cc failed" "$tmp/cc"
    fi
    for engine in $engines; do
        [ "$engine" = check ] && continue
        name="threads-$isa-$engine"
        gdb_session "$name" "$prog-threads" threads || continue
        if [ "$(cat "$tmp/$name.out")" != "hits 3" ] || [ "$status" -ne 3 ]; then
            fail "$name" "vm exited with $status" "$tmp/$name.out"
        else
            pass "$name"
        fi
    done
    sock="$tmp/bad-$isa.sock"
    timeout "$timeout_s" "${vm_cmd[@]}" --gdb="$sock" "$prog" >"$tmp/bad.out" 2>"$tmp/bad.err" &
    vm_pid=$!
    if wait_socket "$sock" && python3 tests/gdb/badinput.py "$sock" >"$tmp/bad.log" 2>&1; then
        wait "$vm_pid"
        status=$?
        if [ "$status" -eq 25 ] && [ "$(cat "$tmp/bad.out")" = "answer 42 total 25 counter 11" ]; then
            pass "badinput-$isa"
        else
            fail "badinput-$isa" "vm exited with $status after the bad packets" "$tmp/bad.err"
        fi
    else
        kill "$vm_pid" 2>/dev/null
        wait "$vm_pid"
        fail "badinput-$isa" "the stub answered wrongly" "$tmp/bad.log"
    fi
    interrupted "interrupt-$isa" "$tmp/int-$isa.sock" "$tmp/int.log" \
        "${vm_cmd[@]}" --gdb="$tmp/int-$isa.sock" "$prog" spin
done

# The option's other spellings, on the riscv64 program: a TCP port (-g) and the variables.
prog="$build/target-riscv64"
port=$((20000 + $$ % 20000))
for spelling in "-g $port" "VM_GDB=$tmp/env1.sock" "QEMU_GDB=$tmp/env2.sock"; do
    case $spelling in
    -g*) where=127.0.0.1:$port; env=(); opt=(-g "$port") ;;
    *) where=${spelling#*=}; env=("$spelling"); opt=() ;;
    esac
    env "${env[@]}" timeout "$timeout_s" "${vm_cmd[@]}" "${opt[@]}" "$prog" >"$tmp/sp.out" 2>&1 &
    vm_pid=$!
    ok=0
    for _ in $(seq 100); do
        python3 tests/gdb/badinput.py "$where" run >"$tmp/sp.log" 2>&1 && { ok=1; break; }
        sleep 0.05
    done
    wait "$vm_pid"
    status=$?
    if [ $ok = 1 ] && [ $status = 25 ]; then
        pass "spelling ${spelling%%[= ]*}"
    else
        kill "$vm_pid" 2>/dev/null
        fail "spelling ${spelling%%[= ]*}" "vm exited with $status" "$tmp/sp.log"
    fi
done
# System mode: vm boot --gdb on a bare-metal kernel of tests/system (hello.S): a breakpoint in
# its putchar, the hart as gdb's thread, a register read and changed (the first character it
# prints becomes 'H'), a step, and on to the exit.
sys_prog="$build/hello-system"
if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
       -Wl,--build-id=none -T tests/system/link.ld -I tests/system -o "$sys_prog" \
       tests/system/hello.S 2>"$tmp/cc"; then
    for engine in $engines; do
        [ "$engine" = check ] && continue   # user mode only
        name="system-$engine"
        sock="$tmp/$name.sock"
        timeout "$timeout_s" "${vm_cmd[0]}" boot --engine="$engine" --bios=none \
            --kernel="$sys_prog" --gdb="$sock" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" &
        vm_pid=$!
        if ! wait_socket "$sock"; then
            kill "$vm_pid" 2>/dev/null
            wait "$vm_pid"
            fail "$name" "vm boot did not listen on $sock" "$tmp/$name.err"
            continue
        fi
        timeout "$timeout_s" gdb-multiarch -batch -nx -ex "target remote $sock" \
            -x tests/gdb/system.gdb "$sys_prog" 2>&1 | mask >"$tmp/$name.gdb"
        wait "$vm_pid"
        status=$?
        if ! diff -u tests/gdb/system.expected "$tmp/$name.gdb" >"$tmp/$name.diff"; then
            fail "$name" "gdb's output differs from system.expected" "$tmp/$name.diff"
        elif [ "$(cat "$tmp/$name.out")" != "$(printf 'Hello, console\nhello, write')" ] ||
             [ "$status" -ne 0 ]; then
            fail "$name" "vm boot exited with $status, the kernel printed: $(cat "$tmp/$name.out")" "$tmp/$name.err"
        else
            pass "$name"
        fi
    done
    # A hart asleep after WFI (idle.S: an enabled interrupt that never comes) stops at Ctrl-C.
    idle_prog="$build/idle-system"
    if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
           -Wl,--build-id=none -T tests/system/link.ld -o "$idle_prog" tests/gdb/idle.S \
           2>"$tmp/cc-idle"; then
        interrupted system-interrupt-wfi "$tmp/idle.sock" "$tmp/idle.log" \
            "${vm_cmd[0]}" boot --bios=none --kernel="$idle_prog" --gdb="$tmp/idle.sock"
    else
        fail build-system-idle "riscv64-linux-gnu-gcc failed" "$tmp/cc-idle"
    fi
    # The TCP spelling: tcp::PORT.
    port=$((20000 + ($$ + 1) % 20000))
    timeout "$timeout_s" "${vm_cmd[0]}" boot --bios=none --kernel="$sys_prog" --gdb=tcp::$port \
        </dev/null >"$tmp/sp.out" 2>&1 &
    vm_pid=$!
    ok=0
    for _ in $(seq 100); do
        python3 tests/gdb/badinput.py "127.0.0.1:$port" run 0 >"$tmp/sp.log" 2>&1 && { ok=1; break; }
        sleep 0.05
    done
    wait "$vm_pid"
    status=$?
    if [ $ok = 1 ] && [ $status = 0 ]; then
        pass "system-spelling tcp::PORT"
    else
        kill "$vm_pid" 2>/dev/null
        fail "system-spelling tcp::PORT" "vm boot exited with $status" "$tmp/sp.log"
    fi
else
    fail build-system "riscv64-linux-gnu-gcc failed" "$tmp/cc"
fi
echo "gdb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
