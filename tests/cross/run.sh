#!/usr/bin/env bash
# Proof that vm is portable: vm cross-built for AArch64 and RISC-V 64 hosts (`make HOST=...`,
# build-<isa>/) runs under qemu-user its unit tests and a few guest programs
# of each guest ISA, compared with their committed expectations (tests/guest/run.sh). The
# guest programs are a bounded subset because every guest instruction is interpreted by vm
# and vm itself is emulated by qemu: args_env (loader, auxv, stack), int_alu and strings
# (the integer IR ops and memory access), fp_arith / fp (the softfloat-free FP helpers
# on a host whose FP differs from x86-64's), x86-64's x87 (its 80-bit soft-float, lazy
# flags and FXSAVE state on a host that has none of them), thread_sigwake (the host's own
# assembly for a syscall a signal must not slip past, linux/safe_syscall.c), static only (the
# dynamic variants add the guest's ld.so, which tests nothing more about the host). vm reserves 1 GiB of guest space
# here: qemu-user 7.2 cannot give an emulated process vm's default 64 TiB reservation.
# A host with a JIT backend (AArch64: its vm lists the jit engine) also runs test_jit (random
# IR blocks on the JIT against the interpreter), guest programs with --engine=jit (the same
# but args_env, plus those that reach the JIT's fault recovery from the signal context, its
# helper calls and its divide lowering: segv, signals, int_divrem, atomics) and a few with
# --engine=check, and jitcache with a 64 KiB code cache so the collector runs: about 35 s of
# CPU under qemu-user (each program takes 1.5 to 2.5 s there; the check engine on riscv64's
# or x86-64's strings would take 50, and overran the timeout on a loaded machine: x86-64's
# check runs x87, 5 s). smc is left out on every engine: it does not finish under
# qemu-user 7.2, on the interpreter either.
#
# Usage: tests/cross/run.sh [BUILD_DIR]   (default: $BUILD or build; the guest binaries are
# the ones the guest suites built in BUILD_DIR/tests/guest*)
# Output: PASS/FAIL lines labelled cross-<host>/..., then "cross: N passed, N failed".
set -u -o pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${BUILD:-build}}"
timeout_s="${TIMEOUT:-120}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The unit tests that run under qemu-user (and test_jit where there is a backend): not those
# that reserve vm's default 64 TiB guest space (test_elf, test_exc, test_codegc's code cache
# views), nor the encoders' tests, which need capstone for the host (the native build runs
# test_a64_encoder's pure encoding checks on every host).
unit_tests="a64_decode a64_flags a64_fpu aspace core dev ir opt rv64_decode rv64_fpu softmmu tb_flags
            translator x64_decode x64_translate rv64_system uspace"
interp_tests_riscv64="args_env int_alu strings fp_arith thread_sigwake"
interp_tests_aarch64="args_env int_alu strings fp"
jit_tests_riscv64="int_alu strings fp_arith segv int_divrem atomics"
jit_tests_aarch64="int_alu strings fp signals"
check_tests_riscv64="int_alu segv"
check_tests_aarch64="int_alu fp"
interp_tests_x86_64="args_env strings x87"
jit_tests_x86_64="strings x87 segv"
check_tests_x86_64="x87"

for host in aarch64 riscv64; do
    triple=$host-linux-gnu
    dir=build-$host
    if ! { [ -f "$dir/build.ninja" ] || meson setup "$dir" --cross-file "scripts/cross/$host.ini" >"$log" 2>&1; } ||
       ! ninja -C "$dir" >"$log" 2>&1; then
        echo "FAIL cross-$host/build: make HOST=$host failed"
        tail -n 20 "$log" | sed 's/^/    /'
        continue
    fi
    echo "PASS cross-$host/build"
    qemu=(qemu-$host -L "/usr/$triple")
    engines=$("${qemu[@]}" "$dir/vm" run --help | sed -n 's/^ *how guest code runs: *//p' |
              sed 's/ (default)//')
    units=$unit_tests
    grep -qw jit <<<"$engines" && units="$units jit"
    for u in $units; do
        t=$dir/tests/unit/test_$u
        out=$(timeout -k 5 "$timeout_s" "${qemu[@]}" "$t" 2>&1)
        status=$?
        sed -n "s/^\(PASS\|FAIL\) /\1 cross-$host\//p" <<<"$out"
        if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
            echo "FAIL cross-$host/unit/$(basename "$t"): exited with status $status"
            tail -n 20 <<<"$out" | sed 's/^/    /'
        fi
    done
    for guest in riscv64 aarch64 x86_64; do
        suite=guest; [ "$guest" != riscv64 ] && suite=guest-$guest
        for engine in interp jit check; do
            grep -qw $engine <<<"$engines" || continue
            names=${engine}_tests_$guest
            # shellcheck disable=SC2086
            GUEST_ISA=$guest RUNNERS=vm VARIANTS=static TIMEOUT=$timeout_s \
                VM="${qemu[*]} $root/$dir/vm run --reserved-va=1G --engine=$engine" \
                bash tests/guest/run.sh "$build/tests/$suite" ${!names} |
                sed -n "s/^\(PASS\|FAIL\) $suite\/\([^ ]*\)\[vm\]/\1 cross-$host\/$suite\/\2[$engine]/p; /^    /p"
        done
        # the collector (riscv64's jitcache fills a small code cache over and over)
        [ "$guest" = riscv64 ] && grep -qw jit <<<"$engines" &&
            GUEST_ISA=$guest RUNNERS=vm VARIANTS=static TIMEOUT=$timeout_s \
                VM="${qemu[*]} $root/$dir/vm run --reserved-va=1G --engine=jit --code-cache=64K" \
                bash tests/guest/run.sh "$build/tests/$suite" jitcache |
                sed -n "s/^\(PASS\|FAIL\) $suite\/\([^ ]*\)\[vm\]/\1 cross-$host\/$suite\/\2[jit-64K]/p; /^    /p"
    done
done | tee "$log.out"
passed=$(grep -c '^PASS ' "$log.out")
failed=$(grep -c '^FAIL ' "$log.out")
rm -f "$log.out"
echo "cross: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
