#!/usr/bin/env bash
# `make demo`: runs a guest program of every ISA that works so far (riscv64, aarch64, x86-64)
# under build/vm and says what it ran. Guest programs are built here with Debian's cross
# compilers and, for x86-64, the host's gcc (vm translates it like any other guest).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VM="$BUILD/vm"
out="$BUILD/demo"
mkdir -p "$out"

say() { printf '\n== %s\n' "$*"; }

say "riscv64: a static C program (demo/hello.c, riscv64-linux-gnu-gcc -static)"
riscv64-linux-gnu-gcc -O2 -static demo/hello.c -o "$out/hello-riscv64"
"$VM" run "$out/hello-riscv64" one two three

say "riscv64: Lua 5.4 from Debian's lua5.4 source, dynamically linked, running demo/primes.lua"
bash scripts/build-lua.sh "$BUILD/lua" >/dev/null
time "$VM" run -L /usr/riscv64-linux-gnu "$BUILD/lua/riscv64/lua" demo/primes.lua

say "aarch64: the same C program (aarch64-linux-gnu-gcc -static)"
aarch64-linux-gnu-gcc -O2 -static demo/hello.c -o "$out/hello-aarch64"
"$VM" run "$out/hello-aarch64" one two three

say "aarch64: Debian's own arm64 busybox-static running a shell pipeline"
bash scripts/arm64-sysroot.sh "$BUILD/arm64" >/dev/null 2>&1
"$VM" run "$BUILD/arm64/sysroot/bin/busybox" sh -c \
    'for i in 3 1 2; do echo "line $i"; done | sort | awk "{ print NR \": \" \$0 }"; uname -m'

say "aarch64: Debian's arm64 lua5.4 (dynamically linked) running demo/primes.lua"
arm64="$BUILD/arm64/sysroot"
"$VM" run -L /usr/aarch64-linux-gnu \
    -E "LD_LIBRARY_PATH=$arm64/usr/lib/aarch64-linux-gnu:$arm64/lib/aarch64-linux-gnu" \
    "$arm64/usr/bin/lua5.4" demo/primes.lua

say "x86-64: the same C program (gcc -static), translated by vm rather than run natively"
gcc -O2 -static demo/hello.c -o "$out/hello-x86_64"
"$VM" run "$out/hello-x86_64" one two three
