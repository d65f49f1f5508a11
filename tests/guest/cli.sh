#!/usr/bin/env bash
# vm run's options in every spelling: vm's own (--stack-size=16M), qemu-user's (-s 16M) and
# the environment variables of both (VM_STACK_SIZE, QEMU_STACK_SIZE), so scripts and binfmt
# setups written for qemu-user work unchanged. tests/guest/cli/layout.c prints what the
# options change as the guest sees it; each check compares that output exactly.
#
# Usage: tests/guest/cli.sh [BUILD_DIR]   (default: $BUILD or build/tests/guest)
# Environment: VM (default "build/vm run"), CC (default riscv64-linux-gnu-gcc).
# Output: "PASS cli/NAME" or "FAIL cli/NAME: reason", then "cli: N passed, N failed".
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${BUILD:-build/tests/guest}}/cli"
vm="${VM:-build/vm run}"
cc="${CC:-riscv64-linux-gnu-gcc}"
read -r -a vm_cmd <<<"$vm"
suite=cli
. tests/lib.sh
mkdir -p "$build" "$build/root" || exit 1
: >"$build/root/vm-cli-probe"
bin="$build/layout"
if ! "$cc" -O2 -static -o "$bin" tests/guest/cli/layout.c >"$build/cc.log" 2>&1; then
    fail build "compile failed" "$build/cc.log"
    echo "cli: $passed passed, $failed failed"
    exit 1
fi
unset VM_T1 VM_T2 VM_TIER2 VM_TIER2_HOT

# check NAME EXPECTED_STATUS EXPECTED_STDOUT [ENV=VAL...] -- VM_ARGS...: the guest program's
# stdout and vm's status must be exactly these.
check() {
    local name=$1 want_status=$2 want=$3 envs=()
    shift 3
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    local got status
    got=$(env "${envs[@]}" timeout 60 "${vm_cmd[@]}" "$@" 2>"$build/$name.err")
    status=$?
    if [ "$status" != "$want_status" ]; then
        fail "$name" "exit status $status, expected $want_status" "$build/$name.err"
    elif [ "$got" != "$want" ]; then
        printf 'expected:\n%s\ngot:\n%s\n' "$want" "$got" >"$build/$name.diff"
        fail "$name" "output differs" "$build/$name.diff"
    else
        pass "$name"
    fi
}
# stderr_has NAME PATTERN: the last check's stderr matches the grep pattern.
stderr_has() {
    if grep -q -- "$2" "$build/$1.err"; then pass "$1.stderr"; else fail "$1.stderr" "no '$2' on stderr" "$build/$1.err"; fi
}
# stderr_lacks NAME PATTERN: the last check's stderr does not match it.
stderr_lacks() {
    if ! grep -q -- "$2" "$build/$1.err"; then pass "$1.stderr"; else fail "$1.stderr" "'$2' on stderr" "$build/$1.err"; fi
}
out() {  # out STACK_KIB TOP T1 T2 PROBE
    printf 'stack %s KiB, top %s\nVM_T1=%s VM_T2=%s\nprobe %s' "$@"
}
top=$("${vm_cmd[@]}" "$bin" | sed -n 's/.*top \(0x[0-9a-f]*\)$/\1/p')

check stack.vm 0 "$(out 16384 "$top" '(unset)' '(unset)' no)" -- --stack-size=16M "$bin"
check stack.qemu 0 "$(out 16384 "$top" '(unset)' '(unset)' no)" -- -s 16M "$bin"
check stack.env-vm 0 "$(out 2048 "$top" '(unset)' '(unset)' no)" VM_STACK_SIZE=2M -- "$bin"
check stack.env-qemu 0 "$(out 1024 "$top" '(unset)' '(unset)' no)" QEMU_STACK_SIZE=1048576 -- "$bin"
check stack.command-line-wins 0 "$(out 4096 "$top" '(unset)' '(unset)' no)" QEMU_STACK_SIZE=1M -- -s 4M "$bin"
check stack.bad 2 "" -- -s 12x "$bin"
stderr_has stack.bad '^vm: -s 12x: expected a size'
check stack.execve 0 "$(printf '%s\n%s' "$(out 16384 "$top" '(unset)' '(unset)' no)" "$(out 16384 "$top" '(unset)' '(unset)' no)")" -- -s 16M "$bin" --exec

check space.vm 0 "$(out 8192 0x40000000 '(unset)' '(unset)' no)" -- --reserved-va=1G "$bin"
check space.qemu 0 "$(out 8192 0x80000000 '(unset)' '(unset)' no)" -- -R 2G "$bin"
check space.env-qemu 0 "$(out 8192 0x40000000 '(unset)' '(unset)' no)" QEMU_RESERVED_VA=0x40000000 -- "$bin"
check space.too-small 2 "" -- -R 1M "$bin"
stderr_has space.too-small '^vm: -R 1M: expected a size from 256M'

check env.vm 0 "$(out 8192 "$top" a '(unset)' no)" VM_T2=b -- -E VM_T1=a --unset-env=VM_T2 "$bin"
check env.env-qemu 0 "$(out 8192 "$top" x y no)" QEMU_SET_ENV=VM_T1=x,VM_T2=y -- "$bin"
check env.unset-qemu 0 "$(out 8192 "$top" '(unset)' '(unset)' no)" VM_T1=1 VM_T2=2 QEMU_UNSET_ENV=VM_T1,VM_T2 -- "$bin"
check env.unset-vm 0 "$(out 8192 "$top" '(unset)' 2 no)" VM_T1=1 VM_T2=2 VM_UNSET_ENV=VM_T1 -- "$bin"

check sysroot.vm 0 "$(out 8192 "$top" '(unset)' '(unset)' yes)" -- -L "$build/root" "$bin"
check sysroot.env-qemu 0 "$(out 8192 "$top" '(unset)' '(unset)' yes)" QEMU_LD_PREFIX="$build/root" -- "$bin"
check sysroot.env-vm 0 "$(out 8192 "$top" '(unset)' '(unset)' yes)" VM_SYSROOT="$build/root" -- "$bin"

plain=$(out 8192 "$top" '(unset)' '(unset)' no)
for spelling in "-strace" "--strace" "QEMU_STRACE=1" "VM_STRACE=1"; do
    case $spelling in -strace) name=strace.qemu ;; --strace) name=strace.vm ;; *) name=strace.${spelling%%=*} ;; esac
    if [ "${spelling#*=}" = 1 ]; then check "$name" 0 "$plain" "$spelling" -- "$bin"
    else check "$name" 0 "$plain" -- "$spelling" "$bin"; fi
    stderr_has "$name" '^exit_group(0) '
done

check log.qemu 0 "$plain" -- -d in_asm -D "$build/log.qemu" "$bin"
# The variables are taken out of the guest's environment so it is the same as in the other
# runs (its length changes which code the C library's string functions run).
check log.env-qemu 0 "$plain" QEMU_LOG=in_asm QEMU_LOG_FILENAME="$build/log.env" -- -U QEMU_LOG -U QEMU_LOG_FILENAME "$bin"
check log.vm 0 "$plain" -- --log=in_asm --log-file="$build/log.vm" "$bin"
for f in qemu env vm; do
    if [ -s "$build/log.$f" ] && cmp -s "$build/log.vm" "$build/log.$f"; then pass "log.$f.file"
    else fail "log.$f.file" "the in_asm log is missing or differs from --log's"; fi
done

# The JIT's host code disassembled (capstone, which vm loads only when it first disassembles).
if [ "$(uname -m)" = x86_64 ]; then
    check log.out_asm 0 "$plain" -- --engine=jit --log=out_asm "$bin"
    stderr_has log.out_asm '^  0x[0-9a-f]*:  mov '
fi

check cpu.max 0 "$plain" -- -cpu max "$bin"
check cpu.model 0 "$plain" QEMU_CPU=sifive-u54 -- "$bin"
stderr_has cpu.model '^vm: warning: QEMU_CPU sifive-u54: vm has no CPU models'

# -B: the reservation (with its 8 GiB guard below guest address 0) is where asked, as the
# host's own view of vm's process shows. The bases leave room for the 64 TiB space between
# ASan's shadow (below 16 TiB) and vm's own executable (near 85 TiB).
check base.qemu 0 "$(printf '%s\n1' "$plain")" -- -B 0x110000000000 "$bin" 'grep -c "^10fe00000000-" /proc/$PPID/maps'
check base.env-vm 0 "$(printf '%s\n1' "$plain")" VM_GUEST_BASE=0x120000000000 -- "$bin" 'grep -c "^11fe00000000-" /proc/$PPID/maps'
check base.unaligned 2 "" -- -B 0x200000000123 "$bin"
stderr_has base.unaligned '^vm: -B 0x200000000123: expected a page-aligned host address'
check base.low 2 "" -- -B 0x10000 "$bin"
stderr_has base.low '^vm: -B 0x10000: expected a page-aligned host address from 0x200000000'

# T2 is on unless --tier2=off or VM_TIER2=off says otherwise (--stats has its line then).
check tier2.default 0 "$plain" -- --stats "$bin"
stderr_has tier2.default '^vm: stats: T2: '
check tier2.hot 0 "$plain" -- --tier2-hot=2 --stats "$bin"
stderr_has tier2.hot '^vm: stats: T2: [1-9][0-9]* regions'
check tier2.off 0 "$plain" -- --tier2=off --stats "$bin"
stderr_lacks tier2.off 'T2:'
check tier2.env-off 0 "$plain" VM_TIER2=off -- --stats "$bin"
stderr_lacks tier2.env-off 'T2:'
# A program the guest runs through execve runs with T2 off too (vm passes --tier2=off on).
check tier2.execve-off 0 "$(printf '%s\n%s\n1' "$plain" "$plain")" -- --tier2=off "$bin" --exec \
    'grep -c -a -e "--tier2=of[f]" /proc/$PPID/cmdline'   # [f]: not the command's own text
check tier2.bad 2 "" -- --tier2=maybe "$bin"
stderr_has tier2.bad '^vm: --tier2=maybe: expected on or off'

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
