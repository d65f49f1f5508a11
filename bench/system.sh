#!/usr/bin/env bash
# System-mode benchmark, in two parts, each RUNS times with the runners interleaved:
# 1. A CPU-bound bare-metal program (bench/system/memloop.S: loads, stores and arithmetic over
#    a 16-page buffer) booted with `vm boot --bios=none` under the interpreter and the JIT;
#    prints the median seconds of each runner and checks that all print the same checksum.
# 2. Linux, side by side with qemu-system-riscv64: the kernel of tests/linux and an initramfs
#    whose /init is bench/system/init (scripts/build-linux.sh builds both once per machine),
#    booted by vm's JIT and by qemu on the same firmware (Debian's OpenSBI), kernel, initramfs
#    and command line, qemu's CPU given vm's extensions as tests/linux/run.sh does, and by
#    vm's JIT again with a persistent translation cache (--tcache) that a first, untimed boot
#    fills (vm-tcache: a warm boot; vm/qemu stays vm-jit's, the cold one). The bench
#    reads the host's clock when marker lines reach the console (bench/marktime.py): boot is
#    the start to the init's first line; shell (busybox ash's arithmetic loop) and md5 (md5sum
#    over 16 MiB) the time between the init's lines around each. Prints the median wall
#    seconds of each and vm/qemu (the targets: boot at most 0.5, the CPU-bound work at most
#    0.67, i.e. 1.5x qemu's speed), and the median CPU seconds (user + system) alongside, the
#    steadier figure when other work shares the machine. Skipped, with the reason, without
#    qemu-system-riscv64 or when the kernel cannot be built.
#
# Usage: bench/system.sh [OUTDIR]     (default: $BUILD/bench-system, BUILD=build)
# Environment: RUNS=5, PASSES=1000 (passes over the buffer), VM=$BUILD/vm,
#   VM_BASE=OTHER/vm adds base-interp and base-jit (base-jit to Linux too): another vm build
#   (before a change); LINUX=0 leaves Linux out.
set -u -o pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
out="${1:-${BUILD:-build}/bench-system}"
runs="${RUNS:-5}"
passes="${PASSES:-1000}"
vm="${VM:-${BUILD:-build}/vm}"
cc="${CROSS_CC:-riscv64-linux-gnu-gcc}"
mkdir -p "$out"
elf="$out/memloop-$passes"
if [ ! -x "$elf" ] || [ bench/system/memloop.S -nt "$elf" ]; then
    "$cc" -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d -DPASSES="$passes" \
        -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Ttests/system/link.ld \
        -Itests/system -o "$elf" bench/system/memloop.S || { echo "bench: cannot build memloop" >&2; exit 1; }
fi
runners="vm-interp vm-jit"
[ -n "${VM_BASE:-}" ] && runners+=" base-interp base-jit"
declare -A times
for ((k = 0; k < runs; k++)); do
    for r in $runners; do
        bin=$vm
        case $r in base-*) bin=$VM_BASE ;; esac
        t=$(python3 bench/timeit.py "$out/$r.out" "$bin" boot --engine="${r#*-}" --bios=none \
            --kernel="$elf") || { echo "bench: $r failed" >&2; exit 1; }
        times[$r]+="$t "
    done
done
first=
printf "%-12s %10s   (memloop, %s passes over 64 KiB, median of %s)\n" runner seconds "$passes" "$runs"
for r in $runners; do
    median=$(printf '%s\n' ${times[$r]} | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "%-12s %10.3f\n" "$r" "$median"
    if [ -z "$first" ]; then
        first=$r
    elif ! cmp -s "$out/$first.out" "$out/$r.out"; then
        echo "bench: $r printed another checksum than $first" >&2
        exit 1
    fi
done

[ "${LINUX:-1}" = 0 ] && exit 0
if ! command -v qemu-system-riscv64 >/dev/null; then
    echo "bench: linux: skipped (no qemu-system-riscv64; run scripts/deps.sh)"
    exit 0
fi
if ! LINUX_INIT=bench/system/init bash scripts/build-linux.sh "$out/linux" 2>"$out/linux-build.log"; then
    echo "bench: linux: skipped (scripts/build-linux.sh failed, see $out/linux-build.log)"
    exit 0
fi
kernel=$out/linux/Image
initrd=$out/linux/initramfs.cpio.gz
bios=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
append="console=ttyS0 quiet"
# qemu's rv64 CPU with vm's extensions, as in tests/linux/run.sh.
qemu_cpu=rv64,h=false,sstc=true,Zihintpause=false,zba=false,zbb=false,zbc=false,zbs=false
markers="=== vm-bench: init ===,=== vm-bench: shell ===,=== vm-bench: md5 ===,=== vm-bench: done ==="
runners="vm-jit vm-tcache qemu"
[ -n "${VM_BASE:-}" ] && runners="vm-jit vm-tcache base-jit qemu"
# vm-tcache: vm-jit with a persistent translation cache a first, untimed boot fills.
rm -rf "$out/tcache"
"$vm" boot --engine=jit --bios="$bios" --kernel="$kernel" --initrd="$initrd" --append="$append" \
    --tcache="$out/tcache" </dev/null >"$out/linux-tcache-fill.out" 2>&1 ||
    { echo "bench: linux: the boot filling the translation cache failed" >&2; exit 1; }
# The seconds of each run, by kind (wall, cpu), runner and phase: secs[kind.runner.phase].
declare -A secs
phases="boot shell md5"
for ((k = 0; k < runs; k++)); do
    for r in $runners; do
        case $r in
        qemu) cmd=(qemu-system-riscv64 -M virt -m 512M -smp 1 -cpu "$qemu_cpu" -nographic
                   -bios "$bios" -kernel "$kernel" -initrd "$initrd" -append "$append") ;;
        *) bin=$vm
           [ "$r" = base-jit ] && bin=$VM_BASE
           cmd=("$bin" boot --engine=jit --bios="$bios" --kernel="$kernel" --initrd="$initrd"
                --append="$append")
           [ "$r" = vm-tcache ] && cmd+=(--tcache="$out/tcache") ;;
        esac
        t=$(python3 bench/marktime.py "$out/linux-$r.out" "$markers" "${cmd[@]}") ||
            { echo "bench: linux: $r failed (console in $out/linux-$r.out)" >&2; exit 1; }
        grep -q "^md5: " "$out/linux-$r.out" || { echo "bench: linux: $r printed no md5 line" >&2; exit 1; }
        # Marks: init, shell, md5, done, the end. Phases: to init; shell to md5; md5 to done.
        for kind in wall cpu; do
            read -r -a m <<<"$(sed -n "$([ $kind = wall ] && echo 1 || echo 2)p" <<<"$t")"
            secs[$kind.$r.boot]+="${m[0]} "
            secs[$kind.$r.shell]+="$(awk "BEGIN {print ${m[2]} - ${m[1]}}") "
            secs[$kind.$r.md5]+="$(awk "BEGIN {print ${m[3]} - ${m[2]}}") "
        done
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for r in $runners; do
    [ "$r" = qemu ] && continue
    cmp -s <(grep -E '^(shell|md5): ' "$out/linux-qemu.out" | tr -d '\r') \
        <(grep -E '^(shell|md5): ' "$out/linux-$r.out" | tr -d '\r') ||
        { echo "bench: linux: $r printed other results than qemu" >&2; exit 1; }
done
printf "\n%-7s" linux
for kind in wall cpu; do
    for r in $runners; do printf " %9s" "$r"; done
    printf " %9s" vm/qemu
    [ $kind = wall ] && printf "  |  cpu:"
done
printf "   (seconds, median of %s)\n" "$runs"
for p in $phases; do
    printf "%-7s" "$p"
    for kind in wall cpu; do
        for r in $runners; do printf " %9.3f" "$(median ${secs[$kind.$r.$p]})"; done
        awk -v a="$(median ${secs[$kind.vm-jit.$p]})" -v b="$(median ${secs[$kind.qemu.$p]})" \
            'BEGIN {if (b > 0) printf " %9.2f", a / b; else printf " %9s", "-"}'
        [ $kind = wall ] && printf "  |      "
    done
    printf "\n"
done
