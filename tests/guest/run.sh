#!/usr/bin/env bash
# Guest test runner for one guest ISA (GUEST_ISA=riscv64, the default, aarch64 or x86_64; see
# isa.sh): builds every test program of that ISA (tests/guest/*.c, tests/guest-aarch64/*.c or
# tests/guest-x86_64/*.c) both -static and dynamic, runs each binary under the VM and under
# qemu-user (x86_64: natively, on the host), and compares stdout and exit status with the
# committed expectations.
#
# Usage: tests/guest/run.sh [BUILD_DIR] [TEST...]
#   BUILD_DIR   where binaries and outputs go (default: $BUILD or build/tests/<suite>)
#   TEST...     test names (e.g. fp_arith); default: every test of the ISA
# Environment:
#   VM       command that runs a guest   (default "build/vm run"; a qemu-user command works too)
#   QEMU     reference emulator          (default qemu-riscv64 / qemu-aarch64)
#   RUNNERS  which runners to use        (default "vm qemu"; x86_64: "vm native")
#   SYSROOT  passed as -L for dynamic binaries (default /usr/<triple>)
#   CC       cross compiler              (default <triple>-gcc)
#   TIMEOUT  seconds per run             (default 300)
#   JOBS     parallel builds/runs        (default nproc)
#   SKIP     test names to leave out     (default none; also from the TEST... given)
#   VARIANTS the builds to test          (default "static dynamic")
# A suite's file "shared" names programs of tests/guest that it builds too (isa.sh).
# Each test NAME.c has NAME.expected (exact stdout) and NAME.status ("exit N"
# or "signal N"), optionally NAME.args (one argument per line), NAME.env
# (VAR=VAL per line, passed with -E) and NAME.cflags (compiler flags instead
# of -O2, e.g. -O3 for vectorized loops) and NAME.runners (the runners the
# test applies to, when qemu-user is known to get it wrong; its expectation then
# comes from the program built natively for the host). Expectations were generated once
# with qemu-user (bless.sh) and checked by hand; they are never regenerated here.
#
# Output: one line per check, "PASS <suite>/NAME.static[vm]" or
# "FAIL <suite>/NAME.dynamic[qemu]: reason" followed by at most 20 lines of
# detail indented by 4 spaces; then "<suite>: N passed, N failed".
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
. tests/guest/isa.sh

build="${1:-${BUILD:-build/tests/$suite}}"
if [ "$#" -gt 0 ]; then
    shift
fi
vm="${VM:-build/vm run}"
runners="${RUNNERS:-vm $oracle}"
timeout_s="${TIMEOUT:-300}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

ulimit -c 0   # the signal tests must not leave core files behind

shared=()
if [ "$src_dir" != "$shared_dir" ] && [ -f "$src_dir/shared" ]; then
    read -r -d '' -a shared < <(grep -v '^#' "$src_dir/shared")
fi
# file_of NAME EXT: the suite's own NAME.EXT, else tests/guest's for a shared test (which
# may not exist either).
file_of() {
    if [ -e "$src_dir/$1.$2" ] || [[ " ${shared[*]} " != *" $1 "* ]]; then
        echo "$src_dir/$1.$2"
    else
        echo "$shared_dir/$1.$2"
    fi
}

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=("${shared[@]}")
    for f in "$src_dir"/*.c; do
        names+=("$(basename "$f" .c)")
    done
fi
tests=()
for name in "${names[@]}"; do
    [[ " ${SKIP:-} " == *" $name "* ]] || tests+=("$name")
done
variants="${VARIANTS:-static dynamic}"

mkdir -p "$build/static" "$build/dynamic" "$build/out" || exit 1

passed=0
failed=0

pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}

# fail LABEL REASON [DETAIL_FILE]: detail lines are indented, at most 20
fail() {
    echo "FAIL $1: $2"
    if [ "$#" -ge 3 ] && [ -s "$3" ]; then
        head -n 20 "$3" | sed 's/^/    /'
    fi
    failed=$((failed + 1))
}

# ---- build -----------------------------------------------------------------

headers=("$src_dir"/*.h)
[ "${#shared[@]}" -gt 0 ] && headers+=("$shared_dir"/*.h)

needs_build() {   # needs_build BIN SRC
    local bin="$1" src="$2" h
    [ -x "$bin" ] || return 0
    [ "$src" -nt "$bin" ] && return 0
    local cflags
    cflags=$(file_of "$(basename "$src" .c)" cflags)
    [ -f "$cflags" ] && [ "$cflags" -nt "$bin" ] && return 0
    for h in "${headers[@]}"; do
        [ -e "$h" ] && [ "$h" -nt "$bin" ] && return 0
    done
    return 1
}

compile() {   # compile NAME VARIANT
    local name="$1" variant="$2"
    local bin="$build/$variant/$name" log="$build/$variant/$name.log"
    local extra=() cflags=(-O2) src
    src=$(file_of "$name" c)
    [ "$variant" = static ] && extra=(-static)
    if [ -f "$(file_of "$name" cflags)" ]; then
        read -r -a cflags <"$(file_of "$name" cflags)"
    fi
    rm -f "$bin"
    if ! "$cc" "${cflags[@]}" -I"$(dirname "$src")" "${extra[@]}" -o "$bin.tmp" "$src" -lm >"$log" 2>&1; then
        rm -f "$bin.tmp"
        return 1
    fi
    mv "$bin.tmp" "$bin"
}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run.sh: cross compiler '$cc' not found (see scripts/deps.sh)" >&2
    exit 1
fi

running=0
for name in "${tests[@]}"; do
    if [ ! -f "$(file_of "$name" c)" ]; then
        continue
    fi
    for variant in $variants; do
        if needs_build "$build/$variant/$name" "$(file_of "$name" c)"; then
            compile "$name" "$variant" &
            running=$((running + 1))
            if [ "$running" -ge "$jobs" ]; then
                wait -n
                running=$((running - 1))
            fi
        fi
    done
done
wait

# ---- run -------------------------------------------------------------------

read -r -a vm_cmd <<<"$vm"
read -r -a qemu_cmd <<<"$qemu"

runner_missing() {   # runner_missing WORD: true when the command cannot be run
    local exe="$1"
    if [[ "$exe" == */* ]]; then
        [ ! -x "$exe" ]
    else
        ! command -v "$exe" >/dev/null 2>&1
    fi
}

status_of() {   # exit code -> "exit N" / "signal N" (the shell convention 128+N)
    if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
        echo "signal $(($1 - 128))"
    else
        echo "exit $1"
    fi
}

check() {   # check NAME VARIANT RUNNER
    local name="$1" variant="$2" runner="$3"
    local label="$suite/${name}.${variant}[${runner}]"
    local bin="$build/$variant/$name"
    local expected status_file
    expected=$(file_of "$name" expected)
    status_file=$(file_of "$name" status)
    local base="$build/out/$name.$variant.$runner"
    local cmd=()

    if [ ! -x "$bin" ]; then
        fail "$label" "compile failed" "$build/$variant/$name.log"
        return
    fi
    if [ ! -f "$expected" ] || [ ! -f "$status_file" ]; then
        fail "$label" "missing $expected or $status_file"
        return
    fi
    case "$runner" in
        vm) cmd=("${vm_cmd[@]}") ;;
        qemu) cmd=("${qemu_cmd[@]}") ;;
        native) cmd=(env) ;;
        *) fail "$label" "unknown runner '$runner'"; return ;;
    esac
    if runner_missing "${cmd[0]}"; then
        fail "$label" "runner command not found: ${cmd[0]}"
        return
    fi
    if [ "$variant" = dynamic ] && [ "$runner" != native ]; then
        cmd+=(-L "$sysroot")
    fi
    if [ -f "$(file_of "$name" env)" ]; then
        local line
        while IFS= read -r line || [ -n "$line" ]; do
            if [ "$runner" = native ]; then
                cmd+=("$line")
            else
                cmd+=(-E "$line")
            fi
        done <"$(file_of "$name" env)"
    fi
    cmd+=("$bin")
    if [ -f "$(file_of "$name" args)" ]; then
        local arg
        while IFS= read -r arg || [ -n "$arg" ]; do
            cmd+=("$arg")
        done <"$(file_of "$name" args)"
    fi

    # The subshell absorbs bash's "Segmentation fault" job message.
    local rc
    rc=$( (timeout -k 5 "$timeout_s" "${cmd[@]}" >"$base.out" 2>"$base.err" </dev/null; echo $?) 2>/dev/null )
    local got want
    got="$(status_of "$rc")"
    want="$(head -n 1 "$status_file")"
    if [ "$rc" -eq 124 ]; then
        got="timeout after ${timeout_s}s"
    fi

    local detail="$base.detail"
    : >"$detail"
    local reason=""
    if [ "$got" != "$want" ]; then
        reason="expected $want, got $got"
        if [ -s "$base.err" ]; then
            head -n 5 "$base.err" | sed 's/^/stderr: /' >>"$detail"
        fi
    fi
    if ! cmp -s "$expected" "$base.out"; then
        if [ -n "$reason" ]; then
            reason="$reason; stdout differs"
        else
            reason="stdout differs"
        fi
        diff -u "$expected" "$base.out" | tail -n +3 >>"$detail"
    fi
    if [ -z "$reason" ]; then
        pass "$label"
    else
        fail "$label" "$reason" "$detail"
    fi
}

for name in "${tests[@]}"; do
    if [ ! -f "$(file_of "$name" c)" ]; then
        fail "$suite/$name" "no such test: $(file_of "$name" c)"
        continue
    fi
    for variant in $variants; do
        for runner in $runners; do
            if [ -f "$(file_of "$name" runners)" ] && ! grep -qw "$runner" "$(file_of "$name" runners)"; then
                continue
            fi
            check "$name" "$variant" "$runner"
        done
    done
done

echo "$suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
