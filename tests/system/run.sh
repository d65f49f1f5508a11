#!/usr/bin/env bash
# System mode's bare-metal test programs (tests/system/*.S): each is built with the riscv64
# cross compiler at 0x80000000 (link.ld) and booted with `vm boot --bios=none --kernel=ELF`
# under every engine that runs system mode; its HTIF exit status, console output and vm's
# messages must be exactly the expected ones. Also the kernels vm must refuse before running.
# Usage: run.sh BUILD_DIR/tests/system   (VM: the vm binary; ENGINES: default interp jit)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
ENGINES=${ENGINES:-interp jit}
CC=${CROSS_CC:-riscv64-linux-gnu-gcc}
mkdir -p "$out"

build() {
    local name=$1
    if [ "$here/$name.S" -nt "$out/$name" ] || [ "$here/htif.h" -nt "$out/$name" ] ||
       [ "$here/link.ld" -nt "$out/$name" ]; then
        local ld=-T$here/link.ld
        [ "$name" = outside ] && ld=-Wl,-Ttext=0x10000000
        "$CC" -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
            -Wl,--build-id=none -Wl,-z,max-page-size=4096 $ld \
            -I"$here" -o "$out/$name" "$here/$name.S" || return 1
    fi
}

# name | vm boot options | status | stdout | stderr (printf escapes)
tests=(
    "hello||0|hello, console\nhello, write\n|"
    "status||42||"
    "trap||0|traps ok\n|"
    "interrupt||0|interrupts ok\n|"
    "mmu||0|mmu ok\n|"
    "priv||0|priv ok\n|"
    "ramend|--memory=1M|3|ok\n|"
)

check() {   # label, expected status/stdout/stderr, then the command
    local label=$1 want_status=$2 want_out=$3 want_err=$4 status
    shift 4
    timeout 20 "$@" >"$out/stdout" 2>"$out/stderr"
    status=$?
    printf "$want_out" >"$out/want_stdout"
    printf "$want_err" >"$out/want_stderr"
    if [ "$status" = "$want_status" ] && cmp -s "$out/stdout" "$out/want_stdout" &&
       cmp -s "$out/stderr" "$out/want_stderr"; then
        echo "PASS system/$label"
    else
        echo "FAIL system/$label: status $status (want $want_status)"
        diff -u "$out/want_stdout" "$out/stdout" | tail -n +3
        diff -u "$out/want_stderr" "$out/stderr" | tail -n +3
    fi
}

for t in "${tests[@]}"; do
    IFS='|' read -r name opts status stdout stderr <<<"$t"
    if ! build "$name"; then
        echo "FAIL system/$name: cannot build it"
        continue
    fi
    for engine in $ENGINES; do
        check "$name[$engine]" "$status" "$stdout" "$stderr" \
            "$VM_BIN" boot --engine="$engine" --bios=none $opts --kernel="$out/$name"
    done
done

# Kernels and options refused before anything runs.
build outside || echo "FAIL system/outside: cannot build it"
printf 'not an elf' >"$out/notelf"
head -c 100 "$out/hello" >"$out/truncated"
check refuse-missing 1 "" "vm: $out/missing: No such file or directory\n" \
    "$VM_BIN" boot --bios=none --kernel="$out/missing"
check refuse-notelf 1 "" "vm: $out/notelf: not an ELF file\n" \
    "$VM_BIN" boot --bios=none --kernel="$out/notelf"
check refuse-truncated 1 "" "vm: $out/truncated: program header outside the file\n" \
    "$VM_BIN" boot --bios=none --kernel="$out/truncated"
check refuse-outside 1 "" "vm: $out/outside: a segment lies outside RAM\n" \
    "$VM_BIN" boot --bios=none --kernel="$out/outside"
check refuse-directory 1 "" "vm: $out: not a regular file\n" \
    "$VM_BIN" boot --bios=none --kernel="$out"
check refuse-nokernel 1 "" "vm: boot: no kernel (--kernel=FILE)\n" "$VM_BIN" boot --bios=none
check refuse-bios 2 "" "vm: boot: firmware is not supported yet: give --bios=none and --kernel=FILE\n" \
    "$VM_BIN" boot --kernel="$out/hello"
check refuse-option 2 "" "vm: --cpus=2: unknown or not yet implemented option (see vm boot --help)\n" \
    "$VM_BIN" boot --bios=none --cpus=2 --kernel="$out/hello"
check refuse-memory 2 "" "vm: --memory=1000: expected a size from 1M to 1T, a multiple of 4K\n" \
    "$VM_BIN" boot --bios=none --memory=1000 --kernel="$out/hello"
check refuse-check 1 "" "vm: --engine=check: runs in user mode only for now\n" \
    "$VM_BIN" boot --bios=none --engine=check --kernel="$out/hello"
