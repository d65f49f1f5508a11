#!/usr/bin/env bash
# make test-kvm-linux (not part of make test): Debian's amd64 kernel (the package
# linux-image-amd64 depends on) booted under `vm boot --accel=kvm` from its vmlinux, with an
# initramfs of Debian's busybox-static whose /init (tests/kvm-linux/init) prints one line
# and reboots; scripts/kvm-linux.sh prepares both once per machine. vm must print the init's
# line (with the release the kernel package names) and end with status 0 through the i8042
# reset (reboot=k). The serial log is kept in OUT_DIR/serial.log, each line prefixed with
# the seconds since vm started, so a run cut short by the timeout shows how far it got.
#
# The command line keeps the kernel's work small (one CPU, no calibration loops, no
# mitigations) and works around a KVM that runs the guest's ring 0 through its instruction
# emulator (kvm_pvm, as on the machines this was written on, where it is about 1000x slower
# than native): that emulator has no CMPXCHG16B and no XSAVE, so the kernel is told to use
# neither (clearcpuid=cx16 noxsave); on a hardware KVM they only cost a little speed.
#
# Usage: run.sh OUT_DIR   (VM_BIN: the vm binary; KVM_LINUX_TIMEOUT: seconds, default 14400)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUT_DIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
timeout=${KVM_LINUX_TIMEOUT:-14400}
mkdir -p "$out"

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "FAIL kvm-linux: /dev/kvm is missing or not readable and writable by $(id -un)"
    exit 1
fi
if ! bash "$here/../../scripts/kvm-linux.sh" "$out"; then
    echo "FAIL kvm-linux/prepare: scripts/kvm-linux.sh failed"
    exit 1
fi
release=$(cat "$out/release")
cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 reboot=k panic=-1 nosmp lpj=4000000"
cmdline+=" tsc=reliable no_timer_check mitigations=off clearcpuid=cx16 noxsave printk.time=1"
echo "kvm-linux: booting $release under vm boot --accel=kvm (at most $timeout s; log in $out/serial.log)"
start=$(date +%s)
timeout "$timeout" "$VM_BIN" boot --accel=kvm --kernel="$out/vmlinux" \
    --initrd="$out/initramfs.cpio.gz" --memory=128M --append="$cmdline" </dev/null \
    2>"$out/vm.err" | tr -d '\r' |
    while IFS= read -r line; do echo "[$(( $(date +%s) - start ))] $line"; done >"$out/serial.log"
status=${PIPESTATUS[0]}
took=$(( $(date +%s) - start ))
if [ "$status" = 0 ] && grep -q "^\[[0-9]*\] kvm-linux: init runs on $release\$" "$out/serial.log" &&
   [ ! -s "$out/vm.err" ]; then
    echo "PASS kvm-linux/boot ($release to its init and reboot in $took s)"
    exit 0
fi
what="status $status after $took s"
[ "$status" = 124 ] && what="no end within $timeout s"
err=$(head -c 300 "$out/vm.err")
echo "FAIL kvm-linux/boot: $what; vm said: ${err:-nothing}; the serial log ends:"
tail -n 5 "$out/serial.log"
exit 1
