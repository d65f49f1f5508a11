#!/usr/bin/env bash
# Benchmark of the persistent translation cache (--tcache): the start of a large dynamically
# linked program, Debian's arm64 `python3 -c pass` (the sysroot of scripts/arm64-sysroot.sh),
# cold (no cache), filling an empty cache, and warm (every block in the cache), RUNS times
# each interleaved. Prints the median wall and CPU (user + system) seconds of each and the
# ratio warm / cold. The CPU time is the figure to trust on a shared machine, whose wall
# times vary several-fold from run to run.
#
# Usage: bench/tcache.sh [ARM64_BUILD_DIR]   (default: $ARM64_BUILD or build/arm64)
# Environment: RUNS (default 5), VM (default "$BUILD/vm run", BUILD=build),
#              SYSROOT (the C library, default /usr/aarch64-linux-gnu).
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
build="${1:-${ARM64_BUILD:-build/arm64}}"
runs="${RUNS:-5}"
vm="${VM:-${BUILD:-build}/vm run}"
sysroot="${SYSROOT:-/usr/aarch64-linux-gnu}"
read -r -a vm_cmd <<<"$vm"

if ! scripts/arm64-sysroot.sh "$build" >"$build.tcache-bench.log" 2>&1; then
    echo "bench/tcache: scripts/arm64-sysroot.sh failed (see $build.tcache-bench.log)" >&2
    exit 1
fi
guest_root="$(cd "$build/sysroot" && pwd)"
libs="$guest_root/usr/lib/aarch64-linux-gnu:$guest_root/lib/aarch64-linux-gnu"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
python=("${vm_cmd[@]}" -L "$sysroot" -E "LD_LIBRARY_PATH=$libs")
prog=("$guest_root/usr/bin/python3.11" -c pass)

# one KIND: appends "wall cpu" of one run to $cache/KIND.
one() {
    local opts=()
    case $1 in
    fill) rm -f "$cache"/d/*.tc; opts=(--tcache="$cache/d") ;;
    warm) opts=(--tcache="$cache/d") ;;
    esac
    /usr/bin/time -f '%e %U %S' -o "$cache/t" "${python[@]}" "${opts[@]}" "${prog[@]}" \
        >/dev/null 2>&1 </dev/null || { echo "bench/tcache: $1 run failed" >&2; exit 1; }
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$cache/t" >>"$cache/$1"
}

one fill   # so that the first warm run finds a cache
for ((i = 0; i < runs; i++)); do
    one cold
    one fill
    one warm
done
median() {   # median FILE COLUMN
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
echo "python3 -c pass (arm64) under ${vm_cmd[*]}: median of $runs runs, seconds"
printf '%-6s %6s %6s\n' run wall cpu
for k in cold fill warm; do
    printf '%-6s %6s %6s\n' "$k" "$(median "$cache/$k" 1)" "$(median "$cache/$k" 2)"
done
awk -v cw="$(median "$cache/cold" 1)" -v cc="$(median "$cache/cold" 2)" \
    -v ww="$(median "$cache/warm" 1)" -v wc="$(median "$cache/warm" 2)" \
    'BEGIN { printf "warm / cold: wall %.2f, cpu %.2f\n", ww / cw, wc / cc }'
