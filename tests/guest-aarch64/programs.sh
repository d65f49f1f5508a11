#!/usr/bin/env bash
# Real AArch64 programs from Debian: busybox-static (busybox/script.sh run by busybox sh, with
# loops, pipelines and command substitution, then one applet per run as busybox/commands
# lists: sort, uniq, wc, sed, awk, tr, cut, expr, seq, printf, reading busybox/input.txt)
# and the dynamically linked lua5.4 running tests/lua/test.lua. Each runs under vm and
# under qemu-aarch64 and must print exactly the committed expectation
# (busybox/NAME.expected, generated once with qemu-aarch64; tests/lua/test.expected).
#
# Usage: tests/guest-aarch64/programs.sh [ARM64_BUILD_DIR]   (default: $ARM64_BUILD or build/arm64)
# Environment: VM, QEMU, RUNNERS, SYSROOT (the C library, default /usr/aarch64-linux-gnu),
#   TIMEOUT as for run.sh; BLESS=1 writes missing busybox expectations with qemu-aarch64.
# The packages come from scripts/arm64-sysroot.sh (run on first use).
# Output: "PASS programs-aarch64/busybox-NAME[vm]", ... then "programs-aarch64: N passed, N failed".
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1

build="${1:-${ARM64_BUILD:-build/arm64}}"
vm="${VM:-build/vm run}"
qemu="${QEMU:-qemu-aarch64}"
runners="${RUNNERS:-vm qemu}"
sysroot="${SYSROOT:-/usr/aarch64-linux-gnu}"
timeout_s="${TIMEOUT:-300}"
dir="tests/guest-aarch64/busybox"
passed=0
failed=0
ulimit -c 0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
    echo "FAIL $1: $2"
    if [ "$#" -ge 3 ] && [ -s "$3" ]; then head -n 20 "$3" | sed 's/^/    /'; fi
    failed=$((failed + 1))
}

if ! scripts/arm64-sysroot.sh "$build" >"$build.log" 2>&1; then
    fail "programs-aarch64/sysroot" "scripts/arm64-sysroot.sh failed" "$build.log"
    echo "programs-aarch64: $passed passed, $failed failed"
    exit 1
fi
grep -h '^apt-fetch:' "$build.log"
guest_root="$(cd "$build/sysroot" && pwd)"
out_dir="$build/out"
mkdir -p "$out_dir"

runner_cmd() {   # runner_cmd RUNNER: the command words into the array cmd
    case "$1" in
        vm) read -r -a cmd <<<"$vm" ;;
        qemu) read -r -a cmd <<<"$qemu" ;;
        *) return 1 ;;
    esac
}

# check LABEL EXPECTED OUT RC: exit status 0 and stdout equal to EXPECTED
check() {
    local label="$1" expected="$2" out="$3" rc="$4" detail="$3.detail"
    : >"$detail"
    if [ "$rc" -ne 0 ]; then
        echo "exit status $rc" >>"$detail"
        head -n 5 "$out.err" | sed 's/^/stderr: /' >>"$detail"
    fi
    if ! cmp -s "$expected" "$out"; then
        diff -u "$expected" "$out" | tail -n +3 >>"$detail"
    fi
    if [ -s "$detail" ]; then
        fail "$label" "output or status differs" "$detail"
    else
        pass "$label"
    fi
}

while IFS=$'\t' read -r -a words; do
    [ "${#words[@]}" -gt 0 ] && [[ "${words[0]}" != \#* ]] || continue
    name="${words[0]}"
    words=("${words[@]:1}")
    expected="$dir/$name.expected"
    if [ ! -f "$expected" ] && [ "${BLESS:-0}" = 1 ]; then
        "$qemu" "$guest_root/bin/busybox" "${words[@]}" <"$dir/input.txt" >"$expected" 2>/dev/null
        echo "programs: wrote $expected" >&2
    fi
    for runner in $runners; do
        label="programs-aarch64/busybox-$name[$runner]"
        runner_cmd "$runner" || { fail "$label" "unknown runner"; continue; }
        out="$out_dir/busybox-$name.$runner"
        rc=$( (timeout -k 5 "$timeout_s" "${cmd[@]}" "$guest_root/bin/busybox" "${words[@]}" \
                <"$dir/input.txt" >"$out" 2>"$out.err"; echo $?) 2>/dev/null )
        check "$label" "$expected" "$out" "$rc"
    done
done <"$dir/commands"

libs="$guest_root/usr/lib/aarch64-linux-gnu:$guest_root/lib/aarch64-linux-gnu"
for runner in $runners; do
    label="programs-aarch64/lua[$runner]"
    runner_cmd "$runner" || { fail "$label" "unknown runner"; continue; }
    out="$out_dir/lua.$runner"
    rc=$( (timeout -k 5 "$timeout_s" "${cmd[@]}" -L "$sysroot" -E "LD_LIBRARY_PATH=$libs" \
            "$guest_root/usr/bin/lua5.4" tests/lua/test.lua >"$out" 2>"$out.err" </dev/null; echo $?) 2>/dev/null )
    check "$label" tests/lua/test.expected "$out" "$rc"
done

echo "programs-aarch64: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
