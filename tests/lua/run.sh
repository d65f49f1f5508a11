#!/usr/bin/env bash
# Lua test: runs tests/lua/test.lua with Debian's Lua 5.4 interpreter built
# for riscv64 (under the VM and under qemu-riscv64) and natively, and
# compares stdout and exit status with tests/lua/test.expected.
#
# Usage: tests/lua/run.sh [LUA_BUILD_DIR]    (default: $LUA_BUILD or build/lua)
# Environment:
#   VM       command that runs a guest (default "build/vm run")
#   QEMU     reference emulator        (default qemu-riscv64)
#   RUNNERS  runners to use            (default "vm qemu native")
#   SYSROOT  passed as -L              (default /usr/riscv64-linux-gnu)
#   TIMEOUT  seconds per run           (default 600)
# Relative paths are taken from the repository root. The interpreters are
# built on first use by scripts/build-lua.sh.
# Output: "PASS lua/test[vm]" or "FAIL lua/test[vm]: reason" (+ indented
# detail), then "lua: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

build="${1:-${LUA_BUILD:-build/lua}}"
vm="${VM:-build/vm run}"
qemu="${QEMU:-qemu-riscv64}"
runners="${RUNNERS:-vm qemu native}"
sysroot="${SYSROOT:-/usr/riscv64-linux-gnu}"
timeout_s="${TIMEOUT:-600}"
script="tests/lua/test.lua"
expected="tests/lua/test.expected"

ulimit -c 0

if ! scripts/build-lua.sh "$build" >"${TMPDIR:-/tmp}/build-lua.$$.log" 2>&1; then
    cat "${TMPDIR:-/tmp}/build-lua.$$.log" >&2
    rm -f "${TMPDIR:-/tmp}/build-lua.$$.log"
    echo "FAIL lua/build: scripts/build-lua.sh failed"
    echo "lua: 0 passed, 1 failed"
    exit 1
fi
grep -h '^apt-fetch:' "${TMPDIR:-/tmp}/build-lua.$$.log"
rm -f "${TMPDIR:-/tmp}/build-lua.$$.log"
out_dir="$build/out"
mkdir -p "$out_dir" || exit 1

passed=0
failed=0

command_missing() {
    if [[ "$1" == */* ]]; then
        [ ! -x "$1" ]
    else
        ! command -v "$1" >/dev/null 2>&1
    fi
}

for runner in $runners; do
    label="lua/test[$runner]"
    case "$runner" in
        vm) read -r -a cmd <<<"$vm"; cmd+=(-L "$sysroot" "$build/riscv64/lua") ;;
        qemu) read -r -a cmd <<<"$qemu"; cmd+=(-L "$sysroot" "$build/riscv64/lua") ;;
        native) cmd=("$build/native/lua") ;;
        *) echo "FAIL $label: unknown runner"; failed=$((failed + 1)); continue ;;
    esac
    if command_missing "${cmd[0]}"; then
        echo "FAIL $label: runner command not found: ${cmd[0]}"
        failed=$((failed + 1))
        continue
    fi
    out="$out_dir/test.$runner.out"
    err="$out_dir/test.$runner.err"
    detail="$out_dir/test.$runner.detail"
    rc=$( (timeout -k 5 "$timeout_s" "${cmd[@]}" "$script" >"$out" 2>"$err" </dev/null; echo $?) 2>/dev/null )
    : >"$detail"
    reason=""
    if [ "$rc" -eq 124 ]; then
        reason="timed out after ${timeout_s}s"
    elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
        reason="expected exit 0, got signal $((rc - 128))"
    elif [ "$rc" -ne 0 ]; then
        reason="expected exit 0, got exit $rc"
    fi
    if [ -n "$reason" ] && [ -s "$err" ]; then
        head -n 5 "$err" | sed 's/^/stderr: /' >>"$detail"
    fi
    if ! cmp -s "$expected" "$out"; then
        reason="${reason:+$reason; }stdout differs"
        diff -u "$expected" "$out" | tail -n +3 >>"$detail"
    fi
    if [ -z "$reason" ]; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label: $reason"
        head -n 20 "$detail" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "lua: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
