# Sourced by run.sh and bless.sh: the per-ISA defaults of the guest test programs, chosen
# by GUEST_ISA (riscv64, the default, aarch64 or x86_64). Each can be overridden from the
# environment (QEMU, SYSROOT, CC). oracle is the reference runner: qemu-user, or for x86_64
# (the host's own ISA) the native run, with the host's gcc and the host as the sysroot.
# shared_dir is where the ISA-neutral programs its src_dir/shared names come from (one name a
# line): x86_64 builds those of tests/guest instead of keeping copies; a file of a shared
# test in src_dir (NAME.expected, NAME.status, ...) overrides tests/guest's, for output that
# names the ISA.
oracle=qemu
shared_dir=tests/guest
case "${GUEST_ISA:-riscv64}" in
    riscv64) suite=guest; src_dir=tests/guest; triple=riscv64-linux-gnu; qemu_isa=riscv64 ;;
    aarch64) suite=guest-aarch64; src_dir=tests/guest-aarch64; triple=aarch64-linux-gnu; qemu_isa=aarch64 ;;
    x86_64) suite=guest-x86_64; src_dir=tests/guest-x86_64; triple=x86_64-linux-gnu; qemu_isa=x86_64
            oracle=native; : "${SYSROOT:=/}" "${CC:=gcc}" ;;
    *) echo "GUEST_ISA=$GUEST_ISA: expected riscv64, aarch64 or x86_64" >&2; exit 2 ;;
esac
qemu="${QEMU:-qemu-$qemu_isa}"
sysroot="${SYSROOT:-/usr/$triple}"
cc="${CC:-$triple-gcc}"
