#!/usr/bin/env bash
# Bad-input tests for the VM's loader: a missing program must give exit 127,
# and a directory, text file, empty file, truncated or wrong-class /
# wrong-endian / wrong-machine / non-executable-type ELF, and ELFs whose
# program headers or segments point outside the file, a FIFO as the program or
# as its PT_INTERP, and an interpreter without execute permission must give exit
# 126; each with stderr starting "vm: " (exactly one line for the 126 cases).
# "#!" scripts run as execve runs them (a guest interpreter under vm, a host one
# natively). The broken ELFs are made by patching copies of a static and a
# dynamic riscv64 test binary (and of /bin/true) with python3.
#
# Usage: tests/guest/badinput.sh [BUILD_DIR]   (default: $BUILD or build/tests/guest)
# Environment: VM (default "build/vm run"), CC (default riscv64-linux-gnu-gcc),
#              TIMEOUT seconds per run (default 60).
# Relative paths are taken from the repository root.
# Output: "PASS badinput/NAME" or "FAIL badinput/NAME: reason" (+ indented
# detail), then "badinput: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

build="${1:-${BUILD:-build/tests/guest}}/badinput"
vm="${VM:-build/vm run}"
cc="${CC:-riscv64-linux-gnu-gcc}"
timeout_s="${TIMEOUT:-60}"
read -r -a vm_cmd <<<"$vm"

ulimit -c 0
mkdir -p "$build" || exit 1

suite=badinput
. tests/lib.sh

# ---- inputs ----------------------------------------------------------------

good="$build/good"
if [ ! -x "$good" ] || [ tests/guest/exit42.c -nt "$good" ]; then
    if ! "$cc" -O2 -static -o "$good" tests/guest/exit42.c >"$build/good.log" 2>&1; then
        echo "badinput.sh: cannot compile tests/guest/exit42.c with $cc" >&2
        cat "$build/good.log" >&2
        exit 1
    fi
fi
dynamic="$build/dynamic-good"
if [ ! -x "$dynamic" ] || [ tests/guest/exit42.c -nt "$dynamic" ]; then
    if ! "$cc" -O2 -o "$dynamic" tests/guest/exit42.c >"$build/dynamic.log" 2>&1; then
        echo "badinput.sh: cannot compile a dynamic tests/guest/exit42.c with $cc" >&2
        exit 1
    fi
fi
if ! "$cc" -O2 -c -o "$build/object.o" tests/guest/exit42.c >"$build/object.log" 2>&1; then
    echo "badinput.sh: cannot compile an object file with $cc" >&2
    exit 1
fi

# patch_elf SRC DST KIND [PATH]: writes a broken copy of the ELF SRC to DST
patch_elf() {
    python3 - "$@" <<'PY'
import struct, sys
src, dst, kind = sys.argv[1:4]
data = bytearray(open(src, 'rb').read())
size = len(data)
phoff, = struct.unpack_from('<Q', data, 32)
phentsize, phnum = struct.unpack_from('<HH', data, 54)

def first_load():
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from('<I', data, off)[0] == 1:   # PT_LOAD
            return off
    raise SystemExit('no PT_LOAD in ' + src)

if kind == 'class32':            # EI_CLASS = ELFCLASS32
    data[4] = 1
elif kind == 's390':             # e_machine = EM_S390, an ISA without a guest
    struct.pack_into('<H', data, 18, 22)
elif kind == 'bigendian':        # EI_DATA = ELFDATA2MSB
    data[5] = 2
elif kind == 'truncated':        # the first 30 bytes of the ELF header only
    data = data[:30]
elif kind == 'phoff-outside':    # program header table starts past the end
    struct.pack_into('<Q', data, 32, size + 4096)
elif kind == 'phnum-outside':    # program header table runs past the end
    # 0xfffe entries (0xffff would be PN_XNUM, which means "see section 0")
    assert phoff + 0xfffe * phentsize > size
    struct.pack_into('<H', data, 56, 0xfffe)
elif kind == 'load-offset-outside':   # a PT_LOAD's file data starts past the end
    ph = first_load()
    vaddr, = struct.unpack_from('<Q', data, ph + 16)
    align, = struct.unpack_from('<Q', data, ph + 48)
    align = max(align, 4096)
    off = (size + 0x100000) // align * align + vaddr % align
    struct.pack_into('<Q', data, ph + 8, off)
elif kind == 'load-size-outside':     # a PT_LOAD's file data runs past the end
    ph = first_load()
    filesz, memsz = struct.unpack_from('<QQ', data, ph + 32)
    struct.pack_into('<Q', data, ph + 32, filesz + size + 0x100000)
    struct.pack_into('<Q', data, ph + 40, memsz + size + 0x100000)
elif kind == 'interp':             # PT_INTERP names PATH (appended to the file)
    for i in range(phnum):
        ph = phoff + i * phentsize
        if struct.unpack_from('<I', data, ph)[0] == 3:   # PT_INTERP
            path = sys.argv[4].encode() + b'\0'
            struct.pack_into('<QQQQQ', data, ph + 8, size, 0, 0, len(path), len(path))
            data += path
            break
    else:
        raise SystemExit('no PT_INTERP in ' + src)
else:
    raise SystemExit('unknown patch ' + kind)
open(dst, 'wb').write(data)
PY
}

printf 'this is a plain text file, not an ELF executable\n' >"$build/text.txt"
: >"$build/empty"
mkdir -p "$build/a-directory"
status=0
for kind in class32 bigendian truncated phoff-outside phnum-outside load-offset-outside load-size-outside; do
    patch_elf "$good" "$build/$kind" "$kind" || status=1
done
rm -f "$build/fifo"
mkfifo "$build/fifo" || status=1
cp "$good" "$build/not-executable" || status=1
patch_elf "$dynamic" "$build/interp-fifo" interp "$(cd "$build" && pwd)/fifo" || status=1
patch_elf "$dynamic" "$build/interp-not-executable" interp "$(cd "$build" && pwd)/not-executable" || status=1
printf '#!%s  one arg \n' "$(cd "$build" && pwd)/good" >"$build/script-guest"
printf '#!/bin/sh\necho "native $# $2"\nexit 7\n' >"$build/script-native"
x86="$(type -P true || echo /bin/true)"
x86="$(readlink -f "$x86")"
patch_elf "$x86" "$build/s390" s390 || status=1
patch_elf "$x86" "$build/x86-64-class32" class32 || status=1
chmod +x "$build"/* 2>/dev/null
chmod -x "$build/not-executable"
if [ "$status" -ne 0 ]; then
    echo "badinput.sh: could not prepare the inputs" >&2
    exit 1
fi

# ---- checks ----------------------------------------------------------------

vm_exe="${vm_cmd[0]}"
vm_missing=0
if [[ "$vm_exe" == */* ]]; then
    [ -x "$vm_exe" ] || vm_missing=1
else
    command -v "$vm_exe" >/dev/null 2>&1 || vm_missing=1
fi

# expect NAME WANT_EXIT STDERR_RULE PROGRAM
#   STDERR_RULE: "one-line" (exactly one line, starting "vm: ") or
#                "first-line" (first line starts "vm: ")
expect() {
    local name="$1" want="$2" rule="$3" prog="$4"
    local out="$build/$name.out" err="$build/$name.err" detail="$build/$name.detail"
    if [ "$vm_missing" -eq 1 ]; then
        fail "$name" "VM command not found: $vm_exe"
        return
    fi
    local rc
    rc=$( (timeout -k 5 "$timeout_s" "${vm_cmd[@]}" "$prog" >"$out" 2>"$err" </dev/null; echo $?) 2>/dev/null )
    : >"$detail"
    sed 's/^/stderr: /' "$err" | head -n 5 >>"$detail"
    if [ "$rc" -eq 124 ]; then
        fail "$name" "timed out after ${timeout_s}s" "$detail"
        return
    fi
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
        fail "$name" "expected exit $want, vm died of signal $((rc - 128))" "$detail"
        return
    fi
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "expected exit $want, got exit $rc" "$detail"
        return
    fi
    local lines first
    lines="$(wc -l <"$err")"
    first="$(head -n 1 "$err")"
    if [[ "$first" != "vm: "* ]]; then
        fail "$name" "stderr does not start with 'vm: '" "$detail"
        return
    fi
    if [ "$rule" = one-line ] && [ "$lines" -ne 1 ]; then
        fail "$name" "expected exactly one stderr line, got $lines" "$detail"
        return
    fi
    pass "$name"
}

# control: the unpatched binary runs (exit 42), so failures below are real
if [ "$vm_missing" -eq 1 ]; then
    fail "control-valid-elf" "VM command not found: $vm_exe"
else
    rc=$( (timeout -k 5 "$timeout_s" "${vm_cmd[@]}" "$good" >"$build/control.out" 2>"$build/control.err" </dev/null; echo $?) 2>/dev/null )
    if [ "$rc" -eq 42 ] && [ "$(head -n 1 "$build/control.out")" = "exiting with 42" ]; then
        pass "control-valid-elf"
    else
        sed 's/^/stderr: /' "$build/control.err" | head -n 5 >"$build/control.detail"
        fail "control-valid-elf" "expected exit 42 and its output, got exit $rc" "$build/control.detail"
    fi
fi

expect nonexistent           127 first-line "$build/does-not-exist"
expect directory             126 one-line   "$build/a-directory"
expect text-file             126 one-line   "$build/text.txt"
expect empty-file            126 one-line   "$build/empty"
expect truncated-elf-30      126 one-line   "$build/truncated"
expect elfclass32            126 one-line   "$build/class32"
expect big-endian            126 one-line   "$build/bigendian"
expect s390-elf              126 one-line   "$build/s390"
expect x86-64-elfclass32     126 one-line   "$build/x86-64-class32"
expect relocatable-object    126 one-line   "$build/object.o"
expect phdr-outside-file     126 one-line   "$build/phoff-outside"
expect phnum-outside-file    126 one-line   "$build/phnum-outside"
expect load-offset-outside   126 one-line   "$build/load-offset-outside"
expect load-size-outside     126 one-line   "$build/load-size-outside"
# A FIFO (mode 755), as the program or its PT_INTERP, is refused at once as execve refuses it,
# not opened (which waits for a writer); so is an interpreter without execute permission.
expect fifo                  126 one-line   "$build/fifo"
expect interp-fifo           126 one-line   "$build/interp-fifo"
expect interp-not-executable 126 one-line   "$build/interp-not-executable"

# A "#!" script runs as execve runs it: a guest interpreter under vm, with the script's path
# after the line's one argument; any other interpreter natively.
# script NAME WANT_EXIT WANT_FIRST_LINE PROGRAM ARGS...
script() {
    local name="$1" want="$2" line="$3"
    shift 3
    local rc
    rc=$( (timeout -k 5 "$timeout_s" "${vm_cmd[@]}" "$@" >"$build/$name.out" 2>"$build/$name.err" </dev/null; echo $?) 2>/dev/null )
    sed 's/^/stderr: /' "$build/$name.err" | head -n 5 >"$build/$name.detail"
    if [ "$rc" -eq "$want" ] && [ "$(head -n 1 "$build/$name.out")" = "$line" ]; then
        pass "$name"
    else
        fail "$name" "expected exit $want and '$line', got exit $rc and '$(head -n 1 "$build/$name.out")'" "$build/$name.detail"
    fi
}
script script-guest  42 "exiting with 42" "$build/script-guest" x
script script-native 7  "native 2 y"      "$build/script-native" x y

echo "badinput: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
