#!/usr/bin/env bash
# Snapshots of vm boot: tests/snapshot/count.S and virtio_count.c (built like tests/system's
# programs) saved through the control socket and restored with --restore under every pair
# of engines that run system mode, loaded into a running machine, and the broken snapshots
# vm must refuse (snapshot_test.py says what each case checks).
# Usage: run.sh OUTDIR   (VM_BIN: the vm binary; ENGINES: default interp jit)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
CC=${CROSS_CC:-riscv64-linux-gnu-gcc}
mkdir -p "$out"
sys=$here/../system
if [ "$here/count.S" -nt "$out/count" ] || [ "$sys/htif.h" -nt "$out/count" ] ||
   [ "$sys/link.ld" -nt "$out/count" ]; then
    if ! "$CC" -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
            -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T"$sys/link.ld" -I"$sys" \
            -o "$out/count" "$here/count.S"; then
        echo "FAIL snapshot/build: cannot build count.S"
        echo "snapshot: 0 passed, 1 failed"
        exit 1
    fi
fi
if [ "$here/virtio_count.c" -nt "$out/virtio_count" ] || [ "$sys/virtio.h" -nt "$out/virtio_count" ] ||
   [ "$here/../virtio_mmio.h" -nt "$out/virtio_count" ]; then
    "$CC" -nostdlib -static -no-pie -fno-pic -ffreestanding -O2 -mcmodel=medany -mno-relax \
        -march=rv64gc -mabi=lp64d -Wall -Werror -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
        -T"$sys/link.ld" -I"$sys" -o "$out/virtio_count" "$here/virtio_count.c" ||
        rm -f "$out/virtio_count"
fi
timeout 300 python3 "$here/snapshot_test.py" "$VM_BIN" "$out/count" "$out/virtio_count" "$out" \
    >"$out/snapshot.log" 2>&1
status=$?
cat "$out/snapshot.log"
passed=$(grep -c '^PASS' "$out/snapshot.log")
failed=$(grep -c '^FAIL' "$out/snapshot.log")
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    echo "FAIL snapshot/run: snapshot_test.py ended with status $status"
    failed=1
fi
echo "snapshot: $passed passed, $failed failed"
[ "$failed" = 0 ]
