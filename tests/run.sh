#!/usr/bin/env bash
# Runs every test suite and prints one PASS/FAIL line per check, then the total as
# "N passed, N failed". Exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export VM="$PWD/$BUILD/vm run"
# Under SANITIZE=1 undefined behaviour stops the program, so the test it happens in fails.
# Leaks are not reported: guest threads still running when the guest calls exit() hold memory
# that is never freed, as in any process.
if [ "${SANITIZE:-0}" = 1 ]; then
    export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fi
log=$(mktemp)
times=$(mktemp)

# Each suite's wall time is kept, to print the slowest at the end: make test has a time budget.
run_suite() {
    local start=$SECONDS what="$*"
    "$@" 2>&1 | tee -a "$log"
    what=${what#bash }
    [[ $VM == *--engine=* ]] && what+=" [${VM##*--engine=}]"
    echo "$((SECONDS - start)) $what" >>"$times"
}

for t in "$BUILD"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    out=$("$t" 2>&1)
    status=$?
    echo "$out" | tee -a "$log"
    if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
        echo "FAIL unit/$(basename "$t"): exited with status $status" | tee -a "$log"
    fi
done
# The guest programs, Lua and Debian's arm64 programs run once per engine: with the reference
# runners the first time, vm alone after that; lines are labelled with the engine.
engines=${ENGINES:-$("$BUILD/vm" run --help | sed -n 's/^ *how guest code runs: *//p' | sed 's/ (default)//')}
# The check engine's lockstep replay is not thread-safe: it leaves the thread tests out.
thread_tests=$(basename -s .c tests/guest/thread*.c tests/guest-aarch64/thread*.c | tr '\n' ' ')

# run_engines SUITE FIRST_RUNNERS COMMAND...
run_engines() {
    local suite=$1 runners=$2 engine skip
    shift 2
    for engine in $engines; do
        skip=
        [ "$engine" = check ] && skip=$thread_tests
        SKIP=$skip VM="$VM --engine=$engine" RUNNERS=$runners run_suite "$@" |
            sed "s/\[vm\]/[vm-$engine]/; s/^$suite: /$suite[$engine]: /"
        runners=vm
    done
}

torture_isas="riscv64 aarch64"
[ "$(uname -m)" = x86_64 ] && torture_isas+=" x86_64"
# Half the suites run one program at a time, so a second lane runs them beside the others, which
# keeps both processors busy: QEMU's tests/tcg, Debian's riscv64, arm64 and amd64 programs, and
# the cross-built vm. Its output is printed when the first lane ends. The arm64 sysroot is
# set up first because both lanes read it, and the cross suite waits for the guest programs
# the first lane builds.
guests_built=$(mktemp -u)
lane_log=$(mktemp)
lane_times=$(mktemp)
lane_out=$(mktemp)
trap 'rm -f "$log" "$times" "$lane_log" "$lane_times" "$lane_out" "$guests_built"' EXIT
scripts/arm64-sysroot.sh "$BUILD/arm64" >"$BUILD/arm64.log" 2>&1
(
    log=$lane_log times=$lane_times
    for engine in $engines; do
        VM="$VM --engine=$engine" TAG="[vm-$engine]" run_suite bash tests/tcg/run.sh "$BUILD/tcg" $torture_isas
    done
    run_suite bash tests/real/run.sh "$BUILD/real"
    # Debian's arm64 Python running modules of its own test suite, once, under the default
    # engine (the interpreter would take ten times as long).
    TAG="[vm]" run_suite bash tests/python/run.sh "$BUILD/arm64"
    # Debian's own amd64 programs (coreutils, gzip, xz, sqlite3, python3.11 with modules of its
    # test suite) against their native runs, once, under the default engine, on x86-64 hosts.
    if [ "$(uname -m)" = x86_64 ]; then
        TAG="[vm]" run_suite bash tests/amd64/run.sh "$BUILD/amd64"
    fi
    # vm cross-built for AArch64 and RISC-V 64 hosts, run under qemu-user: unit tests and a few
    # guest programs of both ISAs (tests/cross/run.sh says which).
    while [ ! -e "$guests_built" ] && kill -0 $$ 2>/dev/null; do sleep 2; done
    run_suite bash tests/cross/run.sh "$BUILD"
) >"$lane_out" 2>&1 &
lane_pid=$!

run_engines guest "vm qemu" bash tests/guest/run.sh "$BUILD/tests/guest"
GUEST_ISA=aarch64 run_engines guest-aarch64 "vm qemu" bash tests/guest/run.sh "$BUILD/tests/guest-aarch64"
run_engines programs-aarch64 "vm qemu" bash tests/guest-aarch64/programs.sh "$BUILD/arm64"
# The x86-64 guest programs (its own and the ISA-neutral ones of tests/guest its file "shared"
# names) against their native runs, but for those listed in
# tests/guest-x86_64/pending (and the dynamic builds of those in pending-dynamic): programs
# that need instruction families the x86-64 translator does not have yet.
x64_ready=$( (basename -s .c tests/guest-x86_64/*.c; grep -v '^#' tests/guest-x86_64/shared) |
    grep -vxF -f tests/guest-x86_64/pending)
x64_both=$(grep -vxF -f tests/guest-x86_64/pending-dynamic <<<"$x64_ready" | tr '\n' ' ')
x64_static=$(grep -xF -f tests/guest-x86_64/pending-dynamic <<<"$x64_ready" | tr '\n' ' ')
GUEST_ISA=x86_64 run_engines guest-x86_64 "vm native" bash tests/guest/run.sh "$BUILD/tests/guest-x86_64" $x64_both
[ -z "$x64_static" ] || GUEST_ISA=x86_64 VARIANTS=static run_engines guest-x86_64 "vm native" \
    bash tests/guest/run.sh "$BUILD/tests/guest-x86_64" $x64_static
touch "$guests_built"
# The JIT with a code cache small enough to be collected over and over, and the check engine
# (whose blocks are flushed, never moved, and whose interpreter runs translate the next block).
for engine in jit check; do
    grep -qw $engine <<<"$engines" || continue
    skip=
    [ "$engine" = check ] && skip=$thread_tests
    SKIP=$skip VM="$VM --engine=$engine --code-cache=64K" RUNNERS=vm run_suite \
        bash tests/guest/run.sh "$BUILD/tests/guest" jitcache threads_jitcache smc malloc \
        stdio_fmt fp_libm threads |
        sed "s/\[vm\]/[vm-$engine-64K]/; s/^guest: /guest[$engine-64K]: /"
done
# T1 alone, where a loop looks at the exit request only at its blocks' entries (a T2 loop
# also at its back edge): a program spinning in a loop gets its signal.
if grep -qw jit <<<"$engines"; then
    for isa in riscv64 aarch64 x86_64; do
        [ $isa = x86_64 ] && [ "$(uname -m)" != x86_64 ] && continue
        suite=guest; [ $isa != riscv64 ] && suite=guest-$isa
        GUEST_ISA=$isa VM="$VM --engine=jit --tier2=off" RUNNERS=vm run_suite \
            bash tests/guest/run.sh "$BUILD/tests/$suite" signal_spin |
            sed "s/\[vm\]/[vm-t1]/; s/^$suite: /$suite[t1]: /"
    done
fi
# T2 on, blocks hot after two runs so that the programs run in regions swapped in while they
# run: the guest programs of the three ISAs on the JIT, and the static riscv64 and aarch64
# ones on the check engine, which compares each region's code with the interpreter's run of
# the same region (x86-64's interpreter would make that suite cost more than the rest).
if grep -qw jit <<<"$engines"; then
    for engine in jit check; do
        skip= variants="static dynamic"
        [ "$engine" = check ] && skip=$thread_tests variants=static
        t2="$VM --engine=$engine --tier2=on --tier2-hot=2"
        SKIP=$skip VARIANTS=$variants VM="$t2" RUNNERS=vm run_suite bash tests/guest/run.sh \
            "$BUILD/tests/guest" |
            sed "s/\[vm\]/[vm-$engine-t2]/; s/^guest: /guest[$engine-t2]: /"
        SKIP=$skip VARIANTS=$variants GUEST_ISA=aarch64 VM="$t2" RUNNERS=vm run_suite \
            bash tests/guest/run.sh "$BUILD/tests/guest-aarch64" |
            sed "s/\[vm\]/[vm-$engine-t2]/; s/^guest-aarch64: /guest-aarch64[$engine-t2]: /"
        if [ "$engine" = jit ] && [ "$(uname -m)" = x86_64 ]; then
            GUEST_ISA=x86_64 VARIANTS=static VM="$t2" RUNNERS=vm run_suite bash tests/guest/run.sh \
                "$BUILD/tests/guest-x86_64" $x64_both $x64_static |
                sed "s/\[vm\]/[vm-jit-t2]/; s/^guest-x86_64: /guest-x86_64[jit-t2]: /"
        fi
    done
fi
run_suite bash tests/guest/badinput.sh
ENGINES="$engines" run_suite bash tests/gdb/run.sh "$BUILD/tests/gdb"
run_suite bash tests/guest/vmonly.sh "$BUILD/tests/guest"
# The persistent translation cache (--tcache): reused, validated, damaged files ignored.
grep -qw jit <<<"$engines" && run_suite bash tests/tcache/run.sh "$BUILD/tests/tcache"
run_suite bash tests/guest/cli.sh "$BUILD/tests/guest"
# System mode's bare-metal programs under every engine that runs system mode.
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/system/run.sh "$BUILD/tests/system"
# Linux under vm boot: OpenSBI, a kernel and a busybox initramfs built once per machine
# (scripts/build-linux.sh, cached outside the checkout), against qemu-system-riscv64.
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/linux/run.sh "$BUILD/tests/linux"
# The chain users run: OpenSBI, then Debian's U-Boot loading that kernel from a virtio disk,
# once under the JIT, against qemu-system-riscv64.
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/uboot/run.sh "$BUILD/tests/uboot"
# Snapshots: saved, restored under every pair of engines, loaded, and the broken ones refused.
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/snapshot/run.sh "$BUILD/tests/snapshot"
# Accelerated mode: x86-64 test guests under vm boot --accel=kvm (fails without /dev/kvm).
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/kvm/run.sh "$BUILD/tests/kvm"
# The services around the machine (perf maps, metrics, the control socket) in both modes.
VM_BIN="$PWD/$BUILD/vm" run_suite bash tests/service/run.sh "$BUILD/tests/service"
# Plugins: the example plugins against known counts and traces, in both modes, every engine.
VM_BIN="$PWD/$BUILD/vm" ENGINES="$engines" run_suite bash tests/plugins/run.sh "$BUILD/tests/plugins"
# gcc's torture tests and QEMU's tests/tcg for both ISAs, and for x86-64 where the host is
# x86-64 (its native runs are the oracle), under every engine; the torture tests not under the
# interpreter alone when the check engine runs too, since it runs every one of their blocks on
# the interpreter as well (and compares it with the JIT), and a third pass of 5,000 programs
# is what make test's time cannot afford. x86-64's are built again with -march=x86-64-v3
# (ISA x86_64-v3: gcc's AVX2, FMA and BMI code) and run under the JIT alone: the x86_64 pass
# already gives the interpreter's code to the check engine (the programs are built once per
# machine, tests/torture/run.sh).
for engine in $engines; do
    isas=$torture_isas
    [ "$engine" = jit ] && [ "$(uname -m)" = x86_64 ] && isas+=" x86_64-v3"
    [ "$engine" = interp ] && grep -qw check <<<"$engines" ||
        VM="$VM --engine=$engine" TAG="[vm-$engine]" run_suite bash tests/torture/run.sh "$BUILD/torture" $isas
done
run_engines lua "vm qemu native" bash tests/lua/run.sh
# Both translators against Unicorn (fixed seeds, a bounded count).
for diff in a64_diff:aarch64 rv64_diff:riscv64; do
    if [ -x "$BUILD/tests/diff/${diff%%:*}" ]; then
        run_suite "$BUILD/tests/diff/${diff%%:*}"
    else
        echo "FAIL diff/${diff#*:}: $BUILD/tests/diff/${diff%%:*} not built (libunicorn-dev missing?)" | tee -a "$log"
    fi
done
# x86-64's against the host CPU (fixed seed), where the host is x86-64.
if [ "$(uname -m)" = x86_64 ]; then
    run_suite "$BUILD/tests/diff/x64_diff"
    run_suite "$BUILD/tests/diff/x64_sse_diff"
    run_suite "$BUILD/tests/diff/x64_x87_diff"
fi
# The fuzzing harnesses with fixed seeds and a short budget (make fuzz runs them longer).
ENGINES="$engines" run_suite bash tests/fuzz/run.sh "$BUILD"

wait "$lane_pid"
cat "$lane_out"
cat "$lane_log" >>"$log"
cat "$lane_times" >>"$times"
echo "slowest suites (seconds, command):"
sort -rn "$times" | head -12 | sed "s|$PWD/||g; s|^|  |"
# The failures again, next to the total: CI shows only the end of the output.
if grep -q '^FAIL ' "$log"; then
    echo "failures:"
    grep '^FAIL ' "$log" | head -40 | cut -c1-300 | sed 's/^/  /'
fi
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
