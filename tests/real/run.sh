#!/usr/bin/env bash
# Real programs built from Debian source packages (scripts/build-real.sh) under vm and
# qemu-riscv64:
#   zlib     its example test program (output equal to qemu's), and minigzip round trips
#            checked against the host's gzip
#   sqlite   the sqlite3 shell running tests/real/sqlite.sql on a file database; output equal
#            to the native build's
#   xz       xz -T2 (two compression threads) on 4 MiB of generated text: output equal to the
#            host's xz of the same version (else a round trip), then xz -t and xz -d
#
# Usage: tests/real/run.sh [REAL_BUILD_DIR]   (default: $REAL_BUILD or build/real)
# Environment: VM (default "build/vm run"), QEMU (default qemu-riscv64), RUNNERS (default
#              "vm qemu"), SYSROOT (default /usr/riscv64-linux-gnu), TIMEOUT (default 300).
# Output: "PASS real/NAME[runner]" or "FAIL real/NAME[runner]: reason", then
# "real: N passed, N failed". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-${REAL_BUILD:-build/real}}"
vm="${VM:-build/vm run}"
qemu="${QEMU:-qemu-riscv64}"
runners="${RUNNERS:-vm qemu}"
sysroot="${SYSROOT:-/usr/riscv64-linux-gnu}"
timeout_s="${TIMEOUT:-300}"

suite=real
. tests/lib.sh

if ! bash scripts/build-real.sh "$build" >"${TMPDIR:-/tmp}/build-real.$$.log" 2>&1; then
    fail "build" "scripts/build-real.sh failed" "${TMPDIR:-/tmp}/build-real.$$.log"
    rm -f "${TMPDIR:-/tmp}/build-real.$$.log"
    echo "real: $passed passed, $failed failed"
    exit 1
fi
grep -h '^apt-fetch:' "${TMPDIR:-/tmp}/build-real.$$.log"
rm -f "${TMPDIR:-/tmp}/build-real.$$.log"
build="$(cd "$build" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The test data: 4 MiB of text from a fixed seed (awk's rand is deterministic).
awk 'BEGIN { srand(42); for (n = 0; n < 4194304; ) { l = ""; k = 3 + int(rand() * 12);
     for (i = 0; i < k; i++) l = l sprintf("w%d ", int(rand() * 3000)); print l; n += length(l) + 1 } }' \
    >"$work/data.txt"

# guest RUNNER ARGS...: runs a riscv64 program under the runner, in $work/RUNNER.
guest() {
    local runner="$1"
    shift
    local cmd
    if [ "$runner" = vm ]; then read -r -a cmd <<<"$vm"; else read -r -a cmd <<<"$qemu"; fi
    (cd "$work/$runner" && timeout -k 5 "$timeout_s" "${cmd[@]}" -L "$sysroot" "$@")
}

for runner in $runners; do
    mkdir -p "$work/$runner"
    out="$work/$runner"

    # zlib: example (its output must match qemu's; the qemu run is the reference) and
    # minigzip both ways against the host's gzip.
    if guest "$runner" "$build/zlib/example" >"$out/example.out" 2>&1; then
        if [ "$runner" = qemu ] || [ ! -s "$work/qemu/example.out" ] ||
           cmp -s "$out/example.out" "$work/qemu/example.out"; then
            pass "zlib.example[$runner]"
        else
            diff "$work/qemu/example.out" "$out/example.out" >"$out/example.diff"
            fail "zlib.example[$runner]" "output differs from qemu's" "$out/example.diff"
        fi
    else
        fail "zlib.example[$runner]" "exit status $?" "$out/example.out"
    fi
    if guest "$runner" "$build/zlib/minigzip" -9 <"$work/data.txt" >"$out/data.gz" &&
       gzip -dc <"$out/data.gz" | cmp -s - "$work/data.txt" &&
       gzip -c <"$work/data.txt" >"$out/host.gz" &&
       guest "$runner" "$build/zlib/minigzip" -d <"$out/host.gz" | cmp -s - "$work/data.txt"; then
        pass "zlib.minigzip[$runner]"
    else
        fail "zlib.minigzip[$runner]" "round trip with the host's gzip failed"
    fi

    # sqlite: the workload on a file database, against the native shell.
    rm -f "$work/native.db"* "$out/test.db"*
    "$build/sqlite/sqlite3-native" "$work/native.db" <tests/real/sqlite.sql >"$work/sqlite.native" 2>&1
    if guest "$runner" "$build/sqlite/sqlite3-riscv64" test.db <tests/real/sqlite.sql \
           >"$out/sqlite.out" 2>&1 && cmp -s "$work/sqlite.native" "$out/sqlite.out"; then
        pass "sqlite[$runner]"
    else
        diff "$work/sqlite.native" "$out/sqlite.out" >"$out/sqlite.diff"
        fail "sqlite[$runner]" "output differs from the native shell's" "$out/sqlite.diff"
    fi

    # xz with two threads: compress, test, decompress.
    xz_opts=(-T2 --block-size=1MiB -6)
    if guest "$runner" "$build/xz/src/xz/xz" "${xz_opts[@]}" -c <"$work/data.txt" >"$out/data.xz"; then
        same_version=0
        [ "$(xz --version 2>/dev/null | head -n 1)" = \
          "$(guest "$runner" "$build/xz/src/xz/xz" --version | head -n 1)" ] && same_version=1
        if [ "$same_version" = 1 ]; then
            xz "${xz_opts[@]}" -c <"$work/data.txt" >"$work/host.xz"
            if cmp -s "$out/data.xz" "$work/host.xz"; then
                pass "xz.compress[$runner]"
            else
                fail "xz.compress[$runner]" "output differs from the host's xz"
            fi
        elif xz -dc <"$out/data.xz" | cmp -s - "$work/data.txt"; then
            pass "xz.compress[$runner]"
        else
            fail "xz.compress[$runner]" "the host's xz does not decompress it to the input"
        fi
        if guest "$runner" "$build/xz/src/xz/xz" -t "$out/data.xz"; then
            pass "xz.test[$runner]"
        else
            fail "xz.test[$runner]" "xz -t failed"
        fi
        if guest "$runner" "$build/xz/src/xz/xz" -T2 -dc "$out/data.xz" | cmp -s - "$work/data.txt"; then
            pass "xz.decompress[$runner]"
        else
            fail "xz.decompress[$runner]" "decompressed output differs from the input"
        fi
    else
        fail "xz.compress[$runner]" "xz failed"
    fi
done

echo "real: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
