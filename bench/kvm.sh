#!/usr/bin/env bash
# Accelerated mode's VMM overhead: the time from exec of vm to its first KVM_RUN, and vm's own
# resident memory beyond guest RAM, for `vm boot --accel=kvm` with a guest that resets at once
# (tests/kvm/reset.c, 512 MiB of RAM). vm reports both under --log=kvm (the wall-clock time of
# its first KVM_RUN, and at exit its resident set less the guest RAM pages resident); the time
# of exec is taken just before it, once the last run's log is removed (truncating it in the
# measured time would add the file system's freeing of its blocks: milliseconds where / has
# synchronous discard). Prints the median, quartiles and minimum of RUNS runs against the
# targets (10 ms, 5 MiB). Needs /dev/kvm.
#
# Usage: bench/kvm.sh [OUTDIR]     (default: $BUILD/bench-kvm, BUILD=build)
# Environment: RUNS=20, VM=$BUILD/vm
set -u -o pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
out="${1:-${BUILD:-build}/bench-kvm}"
runs="${RUNS:-20}"
vm="${VM:-${BUILD:-build}/vm}"
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "bench kvm: /dev/kvm is missing or not usable: nothing measured" >&2
    exit 1
fi
mkdir -p "$out"
t=tests/kvm
if [ ! -x "$out/reset" ] || [ "$t/reset.c" -nt "$out/reset" ] || [ "$t/lib.c" -nt "$out/reset" ]; then
    gcc -ffreestanding -nostdlib -static -no-pie -fno-pic -mno-red-zone -mgeneral-regs-only -O2 \
        -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments -T"$t/link.ld" \
        -I"$t" -o "$out/reset" "$t/start.S" "$t/lib.c" "$t/reset.c" ||
        { echo "bench kvm: cannot build the guest" >&2; exit 1; }
fi
python3 - "$vm" "$out" "$runs" <<'PY'
import os, re, statistics, subprocess, sys, time
vm, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
log = os.path.join(out, "log")
startup, rss = [], []
for _ in range(runs):
    if os.path.exists(log):
        os.unlink(log)
    t0 = time.time_ns()
    r = subprocess.run([vm, "boot", "--accel=kvm", "--kernel=" + os.path.join(out, "reset"),
                        "--log=kvm", "--log-file=" + log], stdin=subprocess.DEVNULL)
    text = open(log).read()
    m = re.search(r"first KVM_RUN at (\d+)\.(\d+)", text)
    k = re.search(r"own resident memory (\d+) KiB", text)
    if r.returncode != 0 or not m or not k:
        sys.exit("bench kvm: vm failed (status %d): %s" % (r.returncode, text))
    startup.append((int(m.group(1)) * 10**9 + int(m.group(2)) - t0) / 1e6)
    rss.append(int(k.group(1)))
q1, median, q3 = statistics.quantiles(startup, n=4)
print("kvm: exec to first KVM_RUN  median %.2f ms  quartiles %.2f-%.2f ms  min %.2f ms"
      "  (target < 10 ms)" % (median, q1, q3, min(startup)))
print("kvm: vm's own resident memory  median %d KiB  max %d KiB  (target < 5120 KiB)"
      % (statistics.median(rss), max(rss)))
PY
