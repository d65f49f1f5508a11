#!/usr/bin/env bash
# The persistent translation cache (--tcache, exec/tcache.c) on a small dynamically linked
# riscv64 and aarch64 program (prog.c): every run's stdout must equal that of a run without
# the cache, and --stats must show what the cache did. Checks: a first run fills the cache;
# a second loads nearly every block from it instead of translating; code generated at a
# fixed address with other bytes than in the run that cached it is noticed (stale) and
# translated afresh; flipped bytes in a block's record or its index slot cost that block alone
# (noticed: damaged), while a cache file with a flipped header or cut short is ignored without
# a crash, and rewritten; a program rebuilt at the same path does not get the
# old program's code.
#
# Usage: tests/tcache/run.sh [BUILD_DIR]   (default: $BUILD or build/tests/tcache)
# Environment: VM (default "build/vm run"), ISAS (default "riscv64 aarch64"), TIMEOUT.
# Output: "PASS tcache/ISA/CHECK" or "FAIL tcache/ISA/CHECK: reason", then
# "tcache: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${BUILD:-build/tests/tcache}}"
vm="${VM:-build/vm run}"
timeout_s="${TIMEOUT:-60}"
read -r -a vm_cmd <<<"$vm"
suite=tcache
. tests/lib.sh
ulimit -c 0

# flip FILE OFFSET: inverts the 4 bytes at OFFSET.
flip() {
    local b out="" i
    b=$(od -An -tx1 -j "$2" -N4 "$1" | tr -d ' \n')
    for ((i = 0; i < 8; i += 2)); do out+=$(printf '\\x%02x' $((0xff ^ 0x${b:i:2}))); done
    printf "$out" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# used_slot FILE: the offset of the first used slot of the cache file's index (exec/tcache.c:
# a 96-byte header, then 32-byte slots whose size, at 12, is 0 when empty).
used_slot() {
    local at=96
    while [ "$(od -An -tu4 -j $((at + 12)) -N4 "$1" | tr -d ' ')" = 0 ]; do at=$((at + 32)); done
    echo "$at"
}

# stats_of NAME FILE: a number from vm's --stats lines in FILE.
stats_of() {
    case $1 in
    translations) sed -n 's/^vm: stats: translations \([0-9]*\),.*/\1/p' "$2" ;;
    read) sed -n 's/^vm: stats: tcache: \([0-9]*\) blocks in .*/\1/p' "$2" ;;
    rejected) sed -n 's/^vm: stats: tcache: .* files read (\([0-9]*\) rejected).*/\1/p' "$2" ;;
    loaded) sed -n 's/^vm: stats: tcache: .*, \([0-9]*\) loaded from them.*/\1/p' "$2" ;;
    stale) sed -n 's/^vm: stats: tcache: .*, \([0-9]*\) stale.*/\1/p' "$2" ;;
    damaged) sed -n 's/^vm: stats: tcache: .*, \([0-9]*\) damaged.*/\1/p' "$2" ;;
    added) sed -n 's/^vm: stats: tcache: .*, \([0-9]*\) translated and added$/\1/p' "$2" ;;
    esac
}

for isa in ${ISAS:-riscv64 aarch64}; do
    dir="$build/$isa"
    cache="$dir/cache"
    rm -rf "$dir"
    mkdir -p "$dir"
    prog="$dir/prog"
    run=("${vm_cmd[@]}" -L "/usr/$isa-linux-gnu")
    if ! "$isa-linux-gnu-gcc" -O2 -o "$prog" tests/tcache/prog.c >"$dir/cc.log" 2>&1; then
        fail "$isa/build" "compile failed" "$dir/cc.log"
        continue
    fi
    # run NAME ARGS...: vm with the cache, stdout to NAME.out, stderr (the stats) to NAME.err;
    # the reference is the same run without the cache (NAME.ref). False (after a FAIL) if the
    # two differ or vm failed.
    run() {
        local name=$1
        shift
        timeout -k 5 "$timeout_s" "${run[@]}" "$prog" "$@" >"$dir/$name.ref" 2>&1 </dev/null
        local rc_ref=$?
        timeout -k 5 "$timeout_s" "${run[@]}" --tcache="$cache" --stats "$prog" "$@" \
            >"$dir/$name.out" 2>"$dir/$name.err" </dev/null
        local rc=$?
        if [ "$rc" -ne "$rc_ref" ] || [ "$rc" -ne 0 ]; then
            fail "$isa/$name" "exit status $rc (without the cache $rc_ref)" "$dir/$name.err"
            return 1
        fi
        if ! cmp -s "$dir/$name.ref" "$dir/$name.out"; then
            diff "$dir/$name.ref" "$dir/$name.out" >"$dir/$name.diff"
            fail "$isa/$name" "stdout differs from the run without the cache" "$dir/$name.diff"
            return 1
        fi
    }
    # expect NAME CONDITION WHY: passes NAME if the arithmetic CONDITION holds.
    expect() {
        if (($2)); then pass "$isa/$1"; else fail "$isa/$1" "$3" "$dir/$1.err"; fi
    }

    if run cold 7; then
        added=$(stats_of added "$dir/cold.err")
        expect cold "$(stats_of read "$dir/cold.err") == 0 && ${added:-0} > 100 &&
                     $(ls "$cache"/prog-*.tc | wc -l) == 1 &&
                     $(ls "$cache"/ld-linux-*.tc | wc -l) == 1 &&
                     $(ls "$cache"/libc.so.6-*.tc | wc -l) == 1" \
            "expected an empty cache filled, a file for the program and each library"
    fi
    if run warm 7; then
        loaded=$(stats_of loaded "$dir/warm.err")
        expect warm "${loaded:-0} * 95 >= ${added:-1} * 90 &&
                     $(stats_of translations "$dir/warm.err") * 20 <= ${loaded:-0}" \
            "expected nearly every block loaded from the cache, few translated"
    fi
    # Code generated at the same address with other bytes: the cached block must be refused.
    if run stale 9 && grep -qx 'generated 9' "$dir/stale.out"; then
        expect stale "$(stats_of stale "$dir/stale.err") >= 1" "expected a stale block noticed"
    fi
    # Another program (another file, never run) finds the dynamic linker's and libc's blocks.
    if "$isa-linux-gnu-gcc" -O2 -DVARIANT=3 -o "$dir/other" tests/tcache/prog.c \
        >"$dir/cc.log" 2>&1 &&
        timeout -k 5 "$timeout_s" "${run[@]}" --tcache="$cache" --stats "$dir/other" 7 \
            >"$dir/shared.out" 2>"$dir/shared.err" </dev/null &&
        grep -q '^variant 3' "$dir/shared.out"; then
        expect shared "$(stats_of loaded "$dir/shared.err") > 100" \
            "expected the libraries' blocks loaded by another program"
    else
        fail "$isa/shared" "the other program failed" "$dir/shared.err"
    fi
    tc=$(ls "$cache"/prog-*.tc 2>/dev/null | head -n 1)
    size=$(stat -c %s "$tc" 2>/dev/null || echo 0)
    # A damaged block's record (its bytes, or its index slot's hash) costs that block alone:
    # it is noticed at its first use and translated afresh, every other block still loaded.
    # (The program's own file has fewer than 64 blocks, so one changed rewrites it.)
    for corrupt in payload index; do
        case $corrupt in
        payload) flip "$tc" $((size / 2)) ;;
        index) flip "$tc" $(($(used_slot "$tc") + 24)) ;;
        esac
        if run "$corrupt" 7; then
            expect "$corrupt" "$(stats_of damaged "$dir/$corrupt.err") == 1 &&
                               $(stats_of loaded "$dir/$corrupt.err") * 95 >= ${added:-1} * 90" \
                "expected the damaged block alone ignored"
        fi
    done
    # A damaged header, or a file cut short: the whole file is ignored (the program's; the
    # libraries' files are still used).
    for corrupt in header truncated; do
        n_prog=$(od -An -tu4 -j 12 -N4 "$tc" | tr -d ' ')   # the file's blocks
        case $corrupt in
        header) flip "$tc" 16 ;;
        truncated) truncate -s $((size * 2 / 3)) "$tc" ;;
        esac
        if run "$corrupt" 7; then
            expect "$corrupt" "$(stats_of rejected "$dir/$corrupt.err") == 1 &&
                               $(stats_of translations "$dir/$corrupt.err") >= ${n_prog:-1}" \
                "expected the damaged file rejected, its blocks translated"
        fi
        size=$(stat -c %s "$tc" 2>/dev/null || echo 0)   # rewritten whole
    done
    if run rewritten 7; then
        expect rewritten "$(stats_of loaded "$dir/rewritten.err") > 100" \
            "expected the file rewritten after the damaged one was ignored"
    fi
    # The same path, other code: none of the old program's blocks may be used.
    if "$isa-linux-gnu-gcc" -O2 -DVARIANT=2 -o "$prog" tests/tcache/prog.c >"$dir/cc.log" 2>&1 &&
        run changed 7 && grep -q '^variant 2' "$dir/changed.out"; then
        expect changed "$(ls "$cache"/prog-*.tc | wc -l) == 2 &&
                        $(stats_of stale "$dir/changed.err") == 0" \
            "expected a new cache file for the rebuilt program, none of the old one's blocks tried"
    fi
done

# System mode (vm boot --tcache): tests/linux's kernel and initramfs (scripts/build-linux.sh,
# cached once per machine) booted to a poweroff by busybox, the JIT's code for OpenSBI, the
# kernel and busybox kept in one file named after the kernel. Blocks start where interrupts
# left the code, so two boots share most of their blocks but not all: a damaged record is
# put in the first block (OpenSBI's entry, 0x80000000), which every boot runs.
isa=system
dir="$build/system"
cache="$dir/cache"
rm -rf "$dir"
mkdir -p "$dir"
# rec_of FILE PC: the offset of the record of the block at PC, from the file's index (the
# header's n_slots at 48; slots of pc, flags, size, offset, hash after the 96-byte header).
rec_of() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
n_slots = struct.unpack_from('<I', data, 48)[0]
for k in range(n_slots):
    pc, flags, size, offset, h = struct.unpack_from('<QIIQQ', data, 96 + 32 * k)
    if size and pc == int(sys.argv[2], 0):
        print(offset, size, 96 + 32 * k)
        break
PY
}
# sysboot NAME ARGS...: the boot with the cache, the console in NAME.out and the stats in
# NAME.err; false (after a FAIL) unless it powered off with status 0.
sysboot() {
    local name=$1
    shift
    timeout -k 5 "$timeout_s" "${vm_cmd[0]}" boot --kernel="$dir/images/Image" \
        --initrd="$dir/images/initramfs.cpio.gz" --tcache="$cache" --stats "$@" \
        --append="console=ttyS0 quiet rdinit=/bin/busybox -- poweroff -f" \
        >"$dir/$name.out" 2>"$dir/$name.err" </dev/null
    local rc=$?
    if [ "$rc" -ne 0 ] || ! grep -q 'reboot: Power down' "$dir/$name.out"; then
        fail "$isa/$name" "status $rc, or no power down on the console" "$dir/$name.out"
        return 1
    fi
}
expect() {
    if (($2)); then pass "$isa/$1"; else fail "$isa/$1" "$3" "$dir/$1.err"; fi
}
if ! bash scripts/build-linux.sh "$dir/images" >"$dir/build.log" 2>&1; then
    fail "$isa/build" "scripts/build-linux.sh failed" "$dir/build.log"
elif sysboot cold; then
    added=$(stats_of added "$dir/cold.err")
    expect cold "$(stats_of read "$dir/cold.err") == 0 && ${added:-0} > 10000 &&
                 $(ls "$cache"/Image.other-*.tc | wc -l) == 1" \
        "expected an empty cache filled in a file named after the kernel"
    if sysboot warm; then
        loaded=$(stats_of loaded "$dir/warm.err")
        expect warm "${loaded:-0} * 100 >= ${added:-1} * 90 &&
                     $(stats_of translations "$dir/warm.err") * 10 <= ${loaded:-0}" \
            "expected nearly every block loaded from the cache, few translated"
    fi
    if sysboot smp --cpus=2; then
        expect smp "$(stats_of loaded "$dir/smp.err") * 100 >= ${added:-1} * 80" \
            "expected two harts to load most blocks from the cache"
    fi
    tc=$(ls "$cache"/Image.other-*.tc | head -n 1)
    for corrupt in payload index header; do
        read -r at size slot <<<"$(rec_of "$tc" 0x80000000)"
        case $corrupt in
        payload) flip "$tc" $((${at:-0} + ${size:-0} / 2)) ;;
        index) flip "$tc" $((${slot:-0} + 24)) ;;
        header) flip "$tc" 16 ;;
        esac
        sysboot "$corrupt" || continue
        if [ $corrupt = header ]; then
            expect $corrupt "$(stats_of rejected "$dir/$corrupt.err") == 1 &&
                             $(stats_of translations "$dir/$corrupt.err") * 100 >= ${added:-1} * 90" \
                "expected the damaged file rejected, every block translated"
        else
            expect $corrupt "$(stats_of damaged "$dir/$corrupt.err") >= 1 &&
                             $(stats_of loaded "$dir/$corrupt.err") * 100 >= ${added:-1} * 80" \
                "expected the damaged block alone ignored"
        fi
    done
fi
echo "$suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
