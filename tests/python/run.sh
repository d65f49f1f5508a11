#!/usr/bin/env bash
# Debian's arm64 Python 3.11 (scripts/arm64-sysroot.sh) running modules of its own regression
# test suite under vm: the interpreter, its C extensions (math, struct, re, hashlib with
# OpenSSL, zlib, pickle, select, mmap, fcntl) and the system interfaces they use (files,
# fork, threads, signals, time). Python checks itself: a module passes when "python -m test
# MODULE" succeeds.
#
# Usage: tests/python/run.sh [ARM64_BUILD_DIR]   (default: $ARM64_BUILD or build/arm64)
# Environment: VM (default "build/vm run"), SYSROOT (the C library, default
#              /usr/aarch64-linux-gnu), TIMEOUT seconds per module (default 600: the
#              heaviest, test_pickle, takes about 40 CPU seconds, and over 300 s of wall time
#              on a 2-core machine under a load average of 15), TAG
#              (appended to each test's name, e.g. "[vm-jit]"), MODULES (instead of the list).
# Output: "PASS python-aarch64/MODULE" or "FAIL python-aarch64/MODULE: reason", then
# "python-aarch64: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${ARM64_BUILD:-build/arm64}}"
vm="${VM:-build/vm run}"
sysroot="${SYSROOT:-/usr/aarch64-linux-gnu}"
timeout_s="${TIMEOUT:-600}"
tag="${TAG:-}"
suite=python-aarch64
. tests/lib.sh
modules="${MODULES:-test_math test_float test_int test_long test_struct test_re test_unicode
    test_bytes test_dict test_json test_hashlib test_zlib test_pickle test_fcntl test_time
    test_select test_mmap test_os test_random test_threading}"
read -r -a vm_cmd <<<"$vm"

if ! scripts/arm64-sysroot.sh "$build" >"$build.python.log" 2>&1; then
    fail sysroot "scripts/arm64-sysroot.sh failed" "$build.python.log"
    echo "python-aarch64$tag: 0 passed, 1 failed"
    exit 1
fi
grep -h '^apt-fetch:' "$build.python.log"
guest_root="$(cd "$build/sysroot" && pwd)"
libs="$guest_root/usr/lib/aarch64-linux-gnu:$guest_root/lib/aarch64-linux-gnu"
out_dir="$build/python"
mkdir -p "$out_dir"

for m in $modules; do
    out="$out_dir/$m.log"
    { timeout -k 5 "$timeout_s" "${vm_cmd[@]}" -L "$sysroot" -E "LD_LIBRARY_PATH=$libs" \
        "$guest_root/usr/bin/python3.11" -m test "$m" >"$out" 2>&1 </dev/null; } 2>/dev/null
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^Tests result: SUCCESS' "$out"; then
        pass "$m"
    else
        grep -E 'Error|FAIL|failed|vm:' "$out" >"$out.why"
        fail "$m" "exit status $rc" "$out.why"
    fi
done
echo "$suite$tag: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
