#!/usr/bin/env bash
# Guest tests that only vm can run: qemu-user 7.2 cannot execve a guest program without
# binfmt_misc, aborts on syscall buffers past the end of a file mapping and on a thread
# created in the child of a multi-threaded fork, and has no reservation keeping its own memory
# out of the guest's range (map_fail), so these have hand-checked expectations
# instead of qemu-generated ones (far_mmap also passes under qemu, but is checked under
# --stats; so is thread_exit, whose process a non-main thread ends). Each tests/guest/vmonly/NAME.c
# is built static and dynamic and run under vm; stdout must equal NAME.expected and the
# status NAME.status. unknown_syscall is also run under --strace and --log=unimp, whose
# stderr must show the unknown syscall and ioctl once each, and --strace of run.sh's signals
# test must show a delivered SIGSEGV; `vm binfmt show` must print the
# riscv64 registration (and none for x86_64 on an x86-64 host) and `vm binfmt install` fail in one line for an unprivileged user.
#
# Usage: tests/guest/vmonly.sh [BUILD_DIR]   (default: $BUILD or build/tests/guest)
# Environment: VM (default "build/vm run"), CC, SYSROOT, TIMEOUT as for run.sh.
# Output: "PASS vmonly/NAME.VARIANT" or "FAIL vmonly/NAME.VARIANT: reason", then
# "vmonly: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

build="${1:-${BUILD:-build/tests/guest}}/vmonly"
vm="${VM:-build/vm run}"
cc="${CC:-riscv64-linux-gnu-gcc}"
sysroot="${SYSROOT:-/usr/riscv64-linux-gnu}"
timeout_s="${TIMEOUT:-60}"
src_dir="tests/guest/vmonly"
read -r -a vm_cmd <<<"$vm"
ulimit -c 0
mkdir -p "$build" || exit 1

suite=vmonly
. tests/lib.sh

status_of() {
    if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then echo "signal $(($1 - 128))"; else echo "exit $1"; fi
}

for src in "$src_dir"/*.c; do
    name="$(basename "$src" .c)"
    for variant in static dynamic; do
        label="$name.$variant"
        bin="$build/$name.$variant"
        flags=(-O2)
        run=("${vm_cmd[@]}")
        if [ "$variant" = static ]; then flags+=(-static); else run+=(-L "$sysroot"); fi
        if ! "$cc" "${flags[@]}" -o "$bin" "$src" >"$bin.log" 2>&1; then
            fail "$label" "compile failed" "$bin.log"
            continue
        fi
        rc=$( (timeout -k 5 "$timeout_s" "${run[@]}" "$bin" >"$bin.out" 2>"$bin.err" </dev/null; echo $?) 2>/dev/null )
        got="$(status_of "$rc")"
        want="$(head -n 1 "$src_dir/$name.status")"
        if [ "$got" != "$want" ]; then
            fail "$label" "expected $want, got $got" "$bin.err"
        elif ! cmp -s "$src_dir/$name.expected" "$bin.out"; then
            diff -u "$src_dir/$name.expected" "$bin.out" | tail -n +3 >"$bin.diff"
            fail "$label" "stdout differs" "$bin.diff"
        else
            pass "$label"
        fi
    done
done

# The unknown syscall and ioctl are visible once each under --log=unimp and in --strace.
bin="$build/unknown_syscall.static"
for opt in --log=unimp --strace; do
    kind="${opt#--}"
    label="unknown_syscall.${kind#log=}"
    "${vm_cmd[@]}" "$opt" "$bin" >/dev/null 2>"$bin$opt.err"
    n_sys=$(grep -c '^vm: unimplemented syscall 4321 ' "$bin$opt.err")
    n_ioctl=$(grep -c '^vm: ioctl 0x7654 not supported' "$bin$opt.err")
    n_trace=$(grep -c '^syscall_4321(' "$bin$opt.err")
    want_trace=0
    [ "$opt" = --strace ] && want_trace=2
    if [ "$n_sys" -eq 1 ] && [ "$n_ioctl" -eq 1 ] && [ "$n_trace" -eq "$want_trace" ]; then
        pass "$label"
    else
        fail "$label" "expected 1 syscall line, 1 ioctl line, $want_trace traced calls; got $n_sys, $n_ioctl, $n_trace" "$bin$opt.err"
    fi
done

# far_mmap's mmaps, mprotects and munmaps are far from any translated code: none of them may
# drop blocks (which would stop every other thread), so --stats counts no range invalidated.
for variant in static dynamic; do
    label="far_mmap.stats.$variant"
    bin="$build/far_mmap.$variant"
    run=("${vm_cmd[@]}" --stats)
    [ "$variant" = dynamic ] && run+=(-L "$sysroot")
    "${run[@]}" "$bin" >/dev/null 2>"$bin.stats"
    if grep -q ', 0 ranges invalidated$' "$bin.stats"; then
        pass "$label"
    else
        fail "$label" "expected '0 ranges invalidated' in --stats" "$bin.stats"
    fi
done

# --stats reports whichever thread ends the process: a second thread's exit_group, and the
# exit of the last thread after the main one has left.
for variant in static dynamic; do
    bin="$build/thread_exit.$variant"
    run=("${vm_cmd[@]}" --stats)
    [ "$variant" = dynamic ] && run+=(-L "$sysroot")
    for mode in group last; do
        label="thread_exit.stats-$mode.$variant"
        want=3
        [ "$mode" = last ] && want=5
        rc=$( (timeout -k 5 "$timeout_s" "${run[@]}" "$bin" "$mode" >/dev/null 2>"$bin.$mode.stats" </dev/null; echo $?) 2>/dev/null )
        if [ "$rc" = "$want" ] && grep -q '^vm: stats: translations [1-9]' "$bin.$mode.stats" &&
           grep -q '^vm: stats: exits from guest code: ' "$bin.$mode.stats"; then
            pass "$label"
        else
            fail "$label" "expected status $want and the --stats lines, got status $rc" "$bin.$mode.stats"
        fi
    done
done

# --strace shows delivered signals like strace: the SIGSEGV of tests/guest/signals.c's
# store to address 0x10 (built by run.sh in BUILD_DIR/static).
sig_bin="${build%/vmonly}/static/signals"
if [ -x "$sig_bin" ]; then
    "${vm_cmd[@]}" --strace "$sig_bin" >/dev/null 2>"$build/signals.strace"
    if grep -q -- '^--- SIGSEGV {si_signo=11, si_code=1, si_addr=0x10} ---$' "$build/signals.strace" &&
       grep -q '^rt_sigreturn() = ' "$build/signals.strace"; then
        pass "strace.signals"
    else
        fail "strace.signals" "no '--- SIGSEGV {...si_addr=0x10} ---' or rt_sigreturn line" \
            "$build/signals.strace"
    fi
fi

# vm binfmt: the registration lines, and a clear one-line error for a user who cannot register.
vm_exe="${vm_cmd[0]}"
show="$("$vm_exe" binfmt show 2>&1)"
if grep -q '^:vm-riscv64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00.*\\xf3\\x00:.*/vm-binfmt:FP$' <<<"$show"; then
    pass "binfmt.show"
else
    echo "$show" >"$build/binfmt.show"
    fail "binfmt.show" "no riscv64 registration line" "$build/binfmt.show"
fi
# The host's own ISA runs natively: an x86-64 host registers no x86_64 line.
if [ "$(uname -m)" = x86_64 ]; then
    if grep -q '^:vm-x86_64:' <<<"$show"; then
        echo "$show" >"$build/binfmt.show"
        fail "binfmt.show-native" "x86_64 registered on an x86-64 host" "$build/binfmt.show"
    else
        pass "binfmt.show-native"
    fi
fi
if command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$vm_exe" binfmt install \
        >/dev/null 2>"$build/binfmt.err"
    rc=$?
    if [ "$rc" -eq 1 ] && [ "$(wc -l <"$build/binfmt.err")" -eq 1 ] &&
       grep -q '^vm: .*\(needs root\|not mounted\)' "$build/binfmt.err"; then
        pass "binfmt.unprivileged"
    else
        fail "binfmt.unprivileged" "expected exit 1 and one line on stderr, got $rc" "$build/binfmt.err"
    fi
fi

echo "vmonly: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
