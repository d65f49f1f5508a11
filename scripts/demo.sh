#!/usr/bin/env bash
# `make demo`: runs a guest program of every ISA that works so far under build/vm and says
# what it ran. Guest programs are built here with Debian's cross compilers.
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
