#!/usr/bin/env bash
# The services around the machine: --perf-map (every JIT block has a line naming its guest
# code, checked against --log=in_asm and nm; perf report names JIT samples by them), under vm run (static and PIE guests of
# both ISAs) and vm boot (a bare-metal kernel); --metrics (the exposition scraped while a
# guest runs and written at exit and on SIGUSR1, every line parsed by prom_check.py and its
# counts checked against --stats and the guest's own); vm boot's control socket and events
# (control_test.py walks every command and error case).
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
# must name blocks) and T2's regions of the --stats line (a label ending in -t2 must have some).
perfmap() {
    local label=$1 prog=$2 names=$3 sub=$4
    shift 4
    local pid status blocks regions bias=0
    rm -f "$out/pid"
    sh -c 'echo $$ >"$0"; exec "$@"' "$out/pid" "$VM_BIN" "$sub" --perf-map --stats \
        --log=in_asm --log-file="$out/$label.log" "$@" >"$out/$label.out" 2>"$out/$label.err"
    status=$?
    pid=$(cat "$out/pid")
    mv -f "/tmp/perf-$pid.map" "$out/$label.map" 2>/dev/null
    blocks=$(sed -n 's/.*JIT code [0-9]* bytes in \([0-9]*\) blocks.*/\1/p' "$out/$label.err")
    regions=$(sed -n 's/.* T2: \([0-9]*\) regions.*/\1/p' "$out/$label.err")
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
    if [[ $label == *-t2 ]] && [ "${regions:-0}" -eq 0 ]; then
        fail "perfmap-$label" "no T2 region made: $(grep T2 "$out/$label.err")"
        return
    fi
    local res
    if res=$(python3 "$here/perfmap_check.py" "$out/$label.map" "$out/$label.log" \
                 "$out/$label.nm" "$bias" "$blocks" "$names" "${regions:-0}" 2>&1); then
        pass "perfmap-$label ($res)"
    else
        fail "perfmap-$label" "$res"
    fi
}

if build work-rv64 riscv64-linux-gnu-gcc -static && build work-rv64-pie riscv64-linux-gnu-gcc -pie -fpie &&
   build work-a64 aarch64-linux-gnu-gcc -static; then
    # T2 off: every line is then a block the log lists, in its order.
    perfmap run-rv64 "$out/work-rv64" main,work_sum,mix run --engine=jit --tier2=off "$out/work-rv64"
    perfmap run-rv64-pie "$out/work-rv64-pie" main,work_sum,mix run --engine=jit --tier2=off "$out/work-rv64-pie"
    perfmap run-a64 "$out/work-a64" main,work_sum,mix run --engine=jit --tier2=off "$out/work-a64"
    perfmap run-rv64-t2 "$out/work-rv64" main,work_sum,mix run --engine=jit --tier2=on --tier2-hot=2 "$out/work-rv64"
else
    fail perfmap "cannot build the guest programs"
fi
# perf itself names the JIT's samples from the map (the code cache must look anonymous to it).
if [ -x "$out/work-rv64" ] && command -v perf >/dev/null; then
    if perf record -q -F 20000 -o "$out/perf.data" "$VM_BIN" run --perf-map "$out/work-rv64" \
           >/dev/null 2>"$out/perf.err"; then
        perf report -q -i "$out/perf.data" --stdio --sort dso,sym >"$out/perf.report" 2>/dev/null
        if grep -Eq '\[JIT\] tid [0-9]+ +\[\.\] (mix|work_sum)' "$out/perf.report"; then
            pass perfmap-perf-report
        else
            fail perfmap-perf-report "no JIT sample named mix or work_sum: $(grep -m3 JIT "$out/perf.report")"
        fi
    else   # perf_event_paranoid or a container may forbid it: nothing to check then
        echo "SKIP service/perfmap-perf-report: perf record cannot run: $(head -c 200 "$out/perf.err")"
    fi
fi

if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
       -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T"$here/../system/link.ld" \
       -I"$here/../system" -o "$out/trap" "$here/../system/trap.S"; then
    perfmap boot-trap "$out/trap" _start,handler boot --engine=jit --bios=none --kernel="$out/trap"
else
    fail perfmap-boot "cannot build tests/system/trap.S"
fi

# prom LABEL FILE EXPECT...: FILE is a valid exposition with the EXPECTed values.
prom() {
    local label=$1 file=$2 res
    shift 2
    if res=$(python3 "$here/prom_check.py" "$file" "$@"); then
        pass "$label ($res)"
    else
        fail "$label" "$res"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# until_file FILE [PATTERN]: waits up to 10 s for FILE (holding PATTERN).
until_file() {
    for _ in $(seq 100); do
        [ -s "$1" ] && grep -q "${2:-}" "$1" && return 0
        sleep 0.1
    done
    return 1
}

stat_of() {   # stat_of FILE REGEX: the number REGEX stands before on the --stats lines
    sed -n "s/.*$2 \([0-9][0-9]*\).*/\1/p" "$1" | head -1
}

# At exit: the file's counts are the --stats line's and the guest's (100 getppid calls).
if [ -x "$out/work-rv64" ]; then
    rm -f "$out/exit.prom"
    "$VM_BIN" run --stats --metrics="$out/exit.prom" "$out/work-rv64" >/dev/null 2>"$out/exit.err"
    prom metrics-run-exit "$out/exit.prom" \
        "vm_blocks_translated_total == $(stat_of "$out/exit.err" 'translations')" \
        "vm_guest_instructions_translated_total == $(stat_of "$out/exit.err" 'guest instructions translated')" \
        "vm_jit_blocks_total == $(sed -n 's/.*bytes in \([0-9]*\) blocks.*/\1/p' "$out/exit.err")" \
        "vm_cpu_exits_total{reason=\"syscall\"} == $(stat_of "$out/exit.err" 'syscall')" \
        'vm_syscalls_total{name="getppid"} == 100' 'vm_syscalls_total{name="exit_group"} == 1' \
        'vm_machine_state{state="stopped"} == 1' 'vm_machine_state{state="running"} == 0'

    # While the guest waits on its stdin: scraped over HTTP, then at exit.
    port=$(free_port)
    rm -f "$out/fifo" && mkfifo "$out/fifo"
    "$VM_BIN" run --stats --metrics=tcp::"$port" "$out/work-rv64" wait <"$out/fifo" \
        >"$out/live.out" 2>"$out/live.err" &
    pid=$!
    exec 3>"$out/fifo"
    if until_file "$out/live.out" checksum; then
        curl -s "http://127.0.0.1:$port/metrics" >"$out/live.prom"
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
        code_post=$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$port/metrics")
    fi
    exec 3>&-
    wait "$pid"
    status=$?
    prom metrics-run-live "$out/live.prom" 'vm_syscalls_total{name="getppid"} == 100' \
        'vm_machine_state{state="running"} == 1' 'vm_blocks_translated_total > 100' \
        "vm_blocks_translated_total <= $(stat_of "$out/live.err" 'translations')" \
        'vm_vcpu_cpu_seconds_total{vcpu="0",tid="'"$pid"'"} > 0'
    if [ "$status" = 0 ] && [ "${code:-}" = 404 ] && [ "${code_post:-}" = 405 ]; then
        pass metrics-run-http
    else
        fail metrics-run-http "status $status, GET /other gave ${code:-nothing}, POST gave ${code_post:-nothing}"
    fi

    # SIGUSR1 writes the file while the guest runs on; it does not kill the guest.
    rm -f "$out/usr1.prom"
    "$VM_BIN" run --metrics="$out/usr1.prom" "$out/work-rv64" wait <"$out/fifo" \
        >"$out/usr1.out" 2>&1 &
    pid=$!
    exec 3>"$out/fifo"
    until_file "$out/usr1.out" checksum && kill -USR1 "$pid" && until_file "$out/usr1.prom"
    cp "$out/usr1.prom" "$out/usr1-running.prom" 2>/dev/null
    exec 3>&-
    wait "$pid"
    status=$?
    prom metrics-run-sigusr1 "$out/usr1-running.prom" 'vm_machine_state{state="running"} == 1' \
        'vm_syscalls_total{name="getppid"} == 100'
    [ "$status" = 0 ] && pass metrics-run-sigusr1-status || fail metrics-run-sigusr1-status "status $status"
fi

# System mode: a kernel that runs for ever, scraped over HTTP and written on SIGUSR1.
if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
       -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T"$here/../system/link.ld" \
       -I"$here/../system" -o "$out/forever" "$here/forever.S"; then
    port=$(free_port)
    rm -f "$out/boot.prom" "$out/boot-usr1.prom"
    "$VM_BIN" boot --bios=none --kernel="$out/forever" --metrics=tcp::"$port" >"$out/boot.out" 2>&1 &
    pid=$!
    until_file "$out/boot.out" up && sleep 0.2 && curl -s "http://127.0.0.1:$port/metrics" >"$out/boot.prom"
    kill "$pid"
    wait "$pid"
    prom metrics-boot-live "$out/boot.prom" 'vm_machine_state{state="running"} == 1' \
        'vm_tlb_hits_total > 1000' 'vm_tlb_misses_total > 0' 'vm_blocks_translated_total > 3'
    "$VM_BIN" boot --bios=none --kernel="$out/forever" --metrics="$out/boot-usr1.prom" \
        >"$out/boot-usr1.out" 2>&1 &
    pid=$!
    until_file "$out/boot-usr1.out" up && kill -USR1 "$pid" && until_file "$out/boot-usr1.prom"
    kill "$pid"
    wait "$pid"
    prom metrics-boot-sigusr1 "$out/boot-usr1.prom" 'vm_machine_state{state="running"} == 1' \
        'vm_tlb_hits_total > 0'
    # The control socket, with a kernel that fails by itself (status 42) for its events.
    if riscv64-linux-gnu-gcc -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
           -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T"$here/../system/link.ld" \
           -I"$here/../system" -o "$out/status" "$here/../system/status.S"; then
        timeout 120 python3 "$here/control_test.py" "$VM_BIN" "$out/forever" "$out/status" "$out" \
            >"$out/control.log" 2>&1
        cat "$out/control.log"
        passed=$((passed + $(grep -c '^PASS' "$out/control.log")))
        failed=$((failed + $(grep -c '^FAIL' "$out/control.log")))
        grep -q '^PASS service/control-quit-paused-events' "$out/control.log" ||
            fail control "control_test.py did not finish: $(tail -3 "$out/control.log")"
    else
        fail control "cannot build tests/system/status.S"
    fi
else
    fail metrics-boot "cannot build forever.S"
fi

# The environment spellings, and options vm refuses before the guest runs.
if [ -x "$out/work-rv64" ]; then
    rm -f "$out/env.prom"
    VM_METRICS="$out/env.prom" "$VM_BIN" run "$out/work-rv64" >/dev/null 2>&1
    prom metrics-env "$out/env.prom" 'vm_syscalls_total{name="getppid"} == 100'
    sh -c 'echo $$ >"$0"; VM_PERF_MAP=1 exec "$1" run "$2"' "$out/pid" "$VM_BIN" "$out/work-rv64" >/dev/null
    map=/tmp/perf-$(cat "$out/pid").map
    if grep -q ' work_sum' "$map"; then pass perfmap-env; else fail perfmap-env "no $map naming work_sum"; fi
    rm -f "$map"
fi
refuse() {   # refuse NAME STATUS STDERR VM_ARGS...
    local name=$1 want_status=$2 want_err=$3 status
    shift 3
    timeout 20 "$VM_BIN" "$@" >/dev/null 2>"$out/refuse.err" </dev/null
    status=$?
    if [ "$status" = "$want_status" ] && [ "$(cat "$out/refuse.err")" = "$want_err" ]; then
        pass "refuse-$name"
    else
        fail "refuse-$name" "status $status, stderr: $(cat "$out/refuse.err")"
    fi
}
refuse metrics-port 1 "vm: --metrics=tcp::99999: expected a port from 1 to 65535" \
    run --metrics=tcp::99999 "$out/work-rv64"
refuse metrics-empty 1 "vm: --metrics: expected a file PATH or tcp::PORT" \
    run --metrics= "$out/work-rv64"
refuse control-dir 1 "vm: --control=$out/missing/sock: No such file or directory" \
    boot --bios=none --kernel="$out/forever" --control="$out/missing/sock"
refuse events-dir 1 "vm: --events=$out/missing/events: No such file or directory" \
    boot --bios=none --kernel="$out/forever" --events="$out/missing/events"

echo "service: $passed passed, $failed failed"
[ "$failed" = 0 ]
