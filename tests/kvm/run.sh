#!/usr/bin/env bash
# Accelerated mode's freestanding x86-64 test guests (tests/kvm/*.c with start.S and lib.c,
# built with the host gcc at 1 MiB by link.ld), each booted with `vm boot --accel=kvm` and
# checking one contract: its exit status, console output (the UART at 0x3F8) and vm's
# messages must be exactly the expected ones, for the console input given. Then what vm
# must refuse before anything runs, and the control socket, events and counters of a running
# machine (control_test.py). /dev/kvm here may be nested virtualization about 1000x
# slower than native, so each guest does little work. Without a usable /dev/kvm the suite
# fails (one FAIL line) rather than passing without testing anything.
# Usage: run.sh BUILD_DIR/tests/kvm   (VM_BIN: the vm binary)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
mkdir -p "$out"

if [ ! -e /dev/kvm ]; then
    echo "FAIL kvm: /dev/kvm is missing (KVM not available on this host): accelerated mode is untested"
    exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "FAIL kvm: /dev/kvm is not readable and writable by $(id -un) (add it to group kvm): accelerated mode is untested"
    exit 0
fi

# compile OUT LINKER_SCRIPT NAME: the guest NAME.c with start.S and lib.c.
compile() {
    gcc -ffreestanding -nostdlib -static -no-pie -fno-pic -mno-red-zone \
        -mgeneral-regs-only -O2 -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
        -Wl,--no-warn-rwx-segments -T "$2" -I"$here" \
        -o "$1" "$here/start.S" "$here/lib.c" "$here/$3.c"
}
build() {
    local name=$1 f
    for f in "$here/$name.c" "$here/lib.c" "$here/lib.h" "$here/start.S" "$here/link.ld" \
             "$here/../virtio_mmio.h"; do
        if [ "$f" -nt "$out/$name" ]; then
            compile "$out/$name" "$here/link.ld" "$name"
            return
        fi
    done
}

# name | vm boot options (@ is the build directory) | status | stdout | stderr | stdin
# (printf escapes)
boot_out='cr0=80000011 cr3=9000 cr4=20 efer=500 \n'
boot_out+='cs=8 ds=10 ss=10 tr=18 gdt=500 limit=1f code=af9b000000ffff data=cf93000000ffff \n'
boot_out+='identity map 0-4G ok\n'
boot_out+='rsi=7000 flag=aa55 hdr=53726448 loader=ff initrd=1ffe000 size=1388 \n'
boot_out+='setup=0 version=20f code32=0 align=1000000 cmdmax=ffff \n'
boot_out+='cmdline=console=ttyS0 reboot=k virtio_mmio.device=4K@0xc0000000:5\n'
boot_out+='e820=0 size=9fc00 type=1 \ne820=100000 size=1f00000 type=1 \n'
tests=(
    "hello||0|hello, kvm\n||"
    "reset||0|||"
    "boot|--memory=32M --initrd=@/initrd --append=console=ttyS0\\ reboot=k|0|$boot_out||"
    "echo||0|61 62 1 63 a\n||ab\001\001c\n"
    "echo||0||\nvm: terminated (Ctrl-A X)\n|\001x"
    "irq||0|irq 4 at vector 0x24, iir=2\n||"
    "holes||0|ff ffff ffffffff\nff ffff ffffffff ffffffffffffffff\n||"
    "triple||1|faulting\n|vm: guest: triple fault\n|"
    "smp|--cpus=4|0|mp: 4 cpus, bsp 0, lapic fee00000, ioapic 4 at fec00000, 18 io and 2 local interrupts\nstarted 3 aps in long mode, cpus ran: f\n||"
    "net|--net=user,hostfwd=tcp:127.0.0.1:0-:80|0|mac 52:54:00:12:34:56\narp reply: 10.0.2.2 is at 52:55:0a:00:02:02\n||"
    "smp|--cpus=1|0|mp: 1 cpus, bsp 0, lapic fee00000, ioapic 1 at fec00000, 18 io and 2 local interrupts\nstarted 0 aps in long mode, cpus ran: 1\n||"
)

suite=kvm
. "$here/../boot_lib.sh"

head -c 5000 /dev/zero >"$out/initrd"
head -c 1500000 /dev/zero >"$out/bigrd"
for t in "${tests[@]}"; do
    IFS='|' read -r name opts status stdout stderr input <<<"$t"
    if ! build "$name"; then
        echo "FAIL kvm/$name: cannot build it"
        continue
    fi
    eval "args=(${opts//@/$out})"
    check "$name${opts:+ $opts}${input:+ <$input}" "$status" "$stdout" "$stderr" "$input" \
        "$VM_BIN" boot --accel=kvm --kernel="$out/$name" "${args[@]}"
done

# virtio: a disk of 8 sectors, byte i of sector s holding (s ^ i) & 0xff; the guest writes
# sector 1 as (s ^ i ^ 0x5a) & 0xff; the RNG in slot 1, announced on the command line. Its 8
# queue notifications must reach the devices through ioeventfd, none as an MMIO exit, and
# the disk's 3 interrupts (two used buffers, then the configuration change) go through irqfd.
if build virtio; then
    python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes((s ^ i) & 0xff for s in range(8) for i in range(512)))' "$out/disk"
    python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes((s ^ i ^ (0x5a if s == 1 else 0)) & 0xff
                                    for s in range(8) for i in range(512)))' "$out/disk-want"
    check "virtio" 0 "interrupt through the pic, status 1\ninterrupt through the ioapic, status 1\nvirtio ok\n" "" "" "$VM_BIN" boot --accel=kvm \
        --kernel="$out/virtio" --drive="$out/disk" --log=kvm --log-file="$out/virtio.log" \
        --metrics="$out/virtio.prom"
    # The device I/O --metrics counts, from the requests virtio.c makes: the disk gets 6
    # (16-byte headers and one write of 512 bytes; it gives back 4 * 513 + 2 status bytes; the
    # looping chain at the end is refused, not completed), the RNG one of 32 bytes.
    d='device="virtio-blk@0xc0000000"' r='device="virtio-rng@0xc0001000"'
    if res=$(python3 "$here/../service/prom_check.py" "$out/virtio.prom" \
             "vm_device_requests_total{$d} == 6" "vm_device_requests_total{$r} == 1" \
             "vm_device_bytes_total{$d,direction=\"from_guest\"} == 608" \
             "vm_device_bytes_total{$d,direction=\"to_guest\"} == 2054" \
             "vm_device_bytes_total{$r,direction=\"from_guest\"} == 0" \
             "vm_device_bytes_total{$r,direction=\"to_guest\"} == 32" 2>&1); then
        echo "PASS kvm/virtio-metrics"
    else
        echo "FAIL kvm/virtio-metrics: $res"
    fi
    want='kvm: exits to vm: * MMIO (0 on QueueNotify), *
kvm: without an exit: 8 queue notifications through ioeventfd, 3 virtio interrupts through irqfd'
    got=$(grep -E 'exits to vm|without an exit' "$out/virtio.log")
    # shellcheck disable=SC2053
    if [[ $got == $want ]]; then
        echo "PASS kvm/virtio-eventfds"
    else
        echo "FAIL kvm/virtio-eventfds: got"
        echo "$got"
    fi
    if cmp -s "$out/disk" "$out/disk-want"; then
        echo "PASS kvm/virtio-image"
    else
        echo "FAIL kvm/virtio-image: the disk image is not as written"
    fi
else
    echo "FAIL kvm/virtio: cannot build it"
fi

# The services of a KVM machine (control_test.py): count.c paused, resumed, asked for its
# stats and told to quit through the control socket, with --events, --stats and --metrics.
if build count; then
    timeout 120 python3 "$here/control_test.py" "$VM_BIN" "$out/count" "$out"
    status=$?
    [ "$status" -le 1 ] || echo "FAIL kvm/control: control_test.py ended with status $status"
else
    echo "FAIL kvm/control: cannot build count"
fi

# The boot guest as a bzImage (bzimage.py): linked 0x200 higher, so that its start is the
# 64-bit entry of a protected-mode kernel loaded at 1 MiB; its setup header (version 2.13,
# 2 MiB alignment, a 2047-byte command line) must reach boot_params.
sed 's/0x100000/0x100200/' "$here/link.ld" >"$out/bz.ld"
if compile "$out/bz.elf" "$out/bz.ld" boot && objcopy -O binary "$out/bz.elf" "$out/bz.bin" &&
   python3 "$here/bzimage.py" "$out/bz.bin" "$out/bzimage"; then
    check "bzimage" 0 "${boot_out/setup=0 version=20f code32=0 align=1000000 cmdmax=ffff/setup=3 version=20d code32=100000 align=200000 cmdmax=7ff}" "" "" \
        "$VM_BIN" boot --accel=kvm --kernel="$out/bzimage" --memory=32M --initrd="$out/initrd" \
        --append="console=ttyS0 reboot=k"
    python3 "$here/bzimage.py" "$out/bz.bin" "$out/bz-old" --version 0x020b
    python3 "$here/bzimage.py" "$out/bz.bin" "$out/bz-32" --xloadflags 0
    python3 "$here/bzimage.py" "$out/bz.bin" "$out/bz-short" --truncate 1100
    python3 "$here/bzimage.py" "$out/bz.bin" "$out/bz-huge" --init-size 0x8000000
    python3 "$here/bzimage.py" "$out/bz.bin" "$out/bz-cmd" --cmdline-size 8
    refuse bz-old 1 "vm: $out/bz-old: a bzImage without a 64-bit entry (boot protocol 2.11; 2.12 and XLF_KERNEL_64 needed)\n" \
        --accel=kvm --kernel="$out/bz-old"
    refuse bz-32 1 "vm: $out/bz-32: a bzImage without a 64-bit entry (boot protocol 2.13; 2.12 and XLF_KERNEL_64 needed)\n" \
        --accel=kvm --kernel="$out/bz-32"
    refuse bz-short 1 "vm: $out/bz-short: truncated bzImage (no kernel after 2048 bytes of setup)\n" \
        --accel=kvm --kernel="$out/bz-short"
    refuse bz-huge 1 "vm: $out/bz-huge: needs 0x8000000 bytes of RAM from 1 MiB, RAM ends at 0x2000000 (--memory)\n" \
        --accel=kvm --kernel="$out/bz-huge" --memory=32M
    refuse bz-cmd 1 "vm: --append: longer than the 8 bytes $out/bz-cmd takes\n" \
        --accel=kvm --kernel="$out/bz-cmd" --append="console=ttyS0"
    refuse bz-initrd 1 "vm: $out/bigrd: does not fit in RAM (--memory)\n" \
        --accel=kvm --kernel="$out/bz-huge" --memory=130M --initrd="$out/bigrd"
else
    echo "FAIL kvm/bzimage: cannot build it"
fi

printf 'not an elf' >"$out/notelf"
cp /bin/true "$out/pie"
refuse notelf 1 "vm: $out/notelf: not an x86-64 ELF64 kernel (--accel=kvm runs x86-64 guests)\n" \
    --accel=kvm --kernel="$out/notelf"
refuse outside 1 "vm: $out/pie: segment at 0x0+0x$(readelf -lW "$out/pie" | awk '$1 == "LOAD" { print $6; exit }' | sed 's/^0x0*//') is outside RAM from 1 MiB to 0x20000000 (--memory)\n" \
    --accel=kvm --kernel="$out/pie"
refuse missing 1 "vm: $out/missing: No such file or directory\n" --accel=kvm --kernel="$out/missing"
refuse initrd-big 1 "vm: $out/bigrd: does not fit in RAM (--memory)\n" \
    --accel=kvm --kernel="$out/hello" --memory=2M --initrd="$out/bigrd"
refuse nokernel 1 "vm: boot: no kernel (--kernel=FILE)\n" --accel=kvm
refuse net-spec 1 "vm: --net=tap: expected user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...\n" \
    --accel=kvm --kernel="$out/hello" --net=tap
refuse machine 1 "vm: --machine=virt: --accel=kvm runs the microvm machine only\n" \
    --accel=kvm --machine=virt --kernel="$out/hello"
refuse engine 2 "vm: --engine: not with --accel=kvm\n" --accel=kvm --engine=jit --kernel="$out/hello"
refuse accel 2 "vm: --accel=xen: expected tcg or kvm\n" --accel=xen --kernel="$out/hello"
