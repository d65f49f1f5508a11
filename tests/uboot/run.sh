#!/usr/bin/env bash
# The firmware chain users run: Debian's OpenSBI, then Debian's U-Boot (u-boot-qemu's
# qemu-riscv64_smode) as its S-mode payload, whose default distro boot finds
# /extlinux/extlinux.conf on the virtio disk, loads the kernel and the initramfs of
# tests/linux from it and boots them. The disk (an MBR with one bootable ext2 partition) is
# made here with mke2fs -d and sfdisk in a fraction of a second, so it is not cached; the
# kernel and initramfs come from scripts/build-linux.sh's cache. vm runs it once under the JIT
# and must end with status 0, show U-Boot reading the disk, and print from U-Boot's
# "Starting kernel ..." to the init's last marker what qemu-system-riscv64 prints for the same
# firmware, U-Boot and disk (timestamped kernel lines left out); the init's write to the disk
# (its first bytes, which neither the MBR's partition table nor ext2 use) must be in the image.
# Usage: run.sh BUILD_DIR/tests/uboot   (VM_BIN: the vm binary)
set -u
export PATH=$PATH:/usr/sbin:/sbin     # mke2fs and sfdisk
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
TIMEOUT=${UBOOT_TIMEOUT:-300}
opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
uboot=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

for f in "$opensbi" "$uboot"; do
    [ -f "$f" ] || { echo "FAIL uboot/setup: $f missing (run scripts/deps.sh)"; exit 0; }
done
if ! bash "$here/../../scripts/build-linux.sh" "$out/images" 2>"$out/build.log"; then
    echo "FAIL uboot/build: scripts/build-linux.sh failed:"
    tail -n 20 "$out/build.log"
    exit 0
fi
append="console=ttyS0 quiet"
rm -rf "$out/root" && mkdir -p "$out/root/extlinux" &&
    cp -L "$out/images/Image" "$out/images/initramfs.cpio.gz" "$out/root/" &&
    printf '%s\n' "default linux" "timeout 0" "label linux" "    kernel /Image" \
        "    initrd /initramfs.cpio.gz" "    append $append" >"$out/root/extlinux/extlinux.conf" ||
    exit 1
# The partition starts at 1 MiB, where U-Boot's distro boot looks (partition 1).
rm -f "$out/disk.img" && truncate -s 17M "$out/disk.img" &&
    mke2fs -q -t ext2 -L vmboot -d "$out/root" -E offset=1048576 "$out/disk.img" 16M &&
    echo 'start=2048, type=83, bootable' | sfdisk -q "$out/disk.img" 2>"$out/sfdisk.log" || {
    echo "FAIL uboot/disk: cannot make the disk image:"
    cat "$out/sfdisk.log"
    exit 0
}
# qemu's rv64 CPU with vm's extensions, as in tests/linux; its virtio devices on virtio-mmio
# (if=virtio would put the disk on PCI, which the kernel has no driver for).
qemu_cpu=rv64,h=false,sstc=true,Zihintpause=false,zba=false,zbb=false,zbc=false,zbs=false
end="=== vm-linux-test: virtio end ==="
# console FILE: the lines from U-Boot handing over to the kernel to the init's last marker,
# without carriage returns and timestamped kernel messages.
console() {
    tr -d '\r' <"$1" | sed -n "/^Starting kernel \.\.\.\$/,/^$end\$/p" | grep -Ev '^\[ *[0-9]+\.[0-9]+\]'
}

cp "$out/disk.img" "$out/qemu.img" || exit 1
start=$(date +%s)
timeout "$TIMEOUT" qemu-system-riscv64 -M virt -m 512M -smp 1 -cpu "$qemu_cpu" -nographic \
    -nic none -bios "$opensbi" -kernel "$uboot" \
    -drive file="$out/qemu.img",format=raw,if=none,id=disk -device virtio-blk-device,drive=disk \
    -device virtio-rng-device </dev/null >"$out/qemu.out" 2>&1
qemu_status=$?
console "$out/qemu.out" >"$out/qemu.lines"
if [ "$qemu_status" -ne 0 ] || ! grep -qx "$end" "$out/qemu.lines"; then
    echo "FAIL uboot/qemu: qemu-system-riscv64 did not boot U-Boot and the kernel to the end marker (status $qemu_status):"
    tr -d '\r' <"$out/qemu.out" | tail -n 20
    exit 0
fi
echo "PASS uboot/qemu: qemu-system-riscv64 booted the chain in $(( $(date +%s) - start )) s"

cp "$out/disk.img" "$out/vm.img" || exit 1
start=$(date +%s)
timeout "$TIMEOUT" "$VM_BIN" boot --engine=jit --bios="$opensbi" --kernel="$uboot" \
    --drive="$out/vm.img" </dev/null >"$out/vm.out" 2>&1
status=$?
took=$(( $(date +%s) - start ))
console "$out/vm.out" >"$out/vm.lines"
fail=
[ "$status" -eq 0 ] || fail="status $status (want 0)"
for line in "Found /extlinux/extlinux.conf" "append: $append" "cmdline: $append" "disk: written"; do
    tr -d '\r' <"$out/vm.out" | grep -qxF -- "$line" || fail="${fail:+$fail; }missing line '$line'"
done
[ "$(head -c 21 "$out/vm.img")" = "written by the guest" ] ||
    fail="${fail:+$fail; }the disk image does not hold what the guest wrote"
if [ -n "$fail" ]; then
    echo "FAIL uboot/boot[jit]: $fail; the console's last lines:"
    tr -d '\r' <"$out/vm.out" | tail -n 20
else
    echo "PASS uboot/boot[jit]: OpenSBI, U-Boot and the kernel from the disk powered off in $took s"
fi
if cmp -s "$out/qemu.lines" "$out/vm.lines"; then
    echo "PASS uboot/boot[jit]-vs-qemu"
else
    echo "FAIL uboot/boot[jit]-vs-qemu: the kernel's console differs from qemu-system-riscv64's:"
    diff -u "$out/qemu.lines" "$out/vm.lines" | tail -n +3
fi
