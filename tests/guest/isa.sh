# Sourced by run.sh and bless.sh: the per-ISA defaults of the guest test programs, chosen
# by GUEST_ISA (riscv64, the default, or aarch64). Each can be overridden from the
# environment (QEMU, SYSROOT, CC).
case "${GUEST_ISA:-riscv64}" in
    riscv64) suite=guest; src_dir=tests/guest; triple=riscv64-linux-gnu; qemu_isa=riscv64 ;;
    aarch64) suite=guest-aarch64; src_dir=tests/guest-aarch64; triple=aarch64-linux-gnu; qemu_isa=aarch64 ;;
    *) echo "GUEST_ISA=$GUEST_ISA: expected riscv64 or aarch64" >&2; exit 2 ;;
esac
qemu="${QEMU:-qemu-$qemu_isa}"
sysroot="${SYSROOT:-/usr/$triple}"
cc="${CC:-$triple-gcc}"
