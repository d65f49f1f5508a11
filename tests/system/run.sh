#!/usr/bin/env bash
# System mode's bare-metal test programs (tests/system/*.S): each is built with the riscv64
# cross compiler at 0x80000000 (link.ld) and booted with `vm boot --bios=none --kernel=ELF`
# (or as firmware, or as a flat Linux Image) under every engine that runs system mode; its
# exit status (through HTIF or the virt board's test device), console output (HTIF or the
# UART) and vm's messages must be exactly the expected ones, for the console input given.
# Also the virtio devices through minimal drivers in freestanding C (virtio_*.c, virtio.h),
# the disk images checked afterwards, and a disk hot-plugged into a running guest (hotplug.c); an S-mode payload under Debian's OpenSBI, the device
# tree against tests/system/virt.dts, and what vm must refuse before running.
# Usage: run.sh BUILD_DIR/tests/system   (VM: the vm binary; ENGINES: default interp jit)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
ENGINES=${ENGINES:-interp jit}
CC=${CROSS_CC:-riscv64-linux-gnu-gcc}
mkdir -p "$out"

build() {
    local name=$1
    if [ -f "$here/$name.c" ]; then   # freestanding C (the virtio driver tests)
        if [ "$here/$name.c" -nt "$out/$name" ] || [ "$here/virtio.h" -nt "$out/$name" ] ||
           [ "$here/../virtio_mmio.h" -nt "$out/$name" ] ||
           [ "$here/link.ld" -nt "$out/$name" ]; then
            "$CC" -nostdlib -static -no-pie -fno-pic -ffreestanding -O2 -mcmodel=medany \
                -mno-relax -march=rv64gc -mabi=lp64d -Wall -Werror -Wl,--build-id=none \
                -Wl,-z,max-page-size=4096 -T"$here/link.ld" -I"$here" -o "$out/$name" \
                "$here/$name.c" || return 1
        fi
        return 0
    fi
    if [ "$here/$name.S" -nt "$out/$name" ] || [ "$here/htif.h" -nt "$out/$name" ] ||
       [ "$here/virt.h" -nt "$out/$name" ] || [ "$here/mstart.h" -nt "$out/$name" ] ||
       [ "$here/link.ld" -nt "$out/$name" ]; then
        local ld=-T$here/link.ld
        [ "$name" = outside ] && ld=-Wl,-Ttext=0x10000000
        [ "$name" = smode ] && ld="$ld -Wl,--section-start=.text=0x80200000"   # after OpenSBI
        "$CC" -nostdlib -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
            -Wl,--build-id=none -Wl,-z,max-page-size=4096 $ld \
            -I"$here" -o "$out/$name" "$here/$name.S" || return 1
        "${CC%gcc}objcopy" -O binary "$out/$name" "$out/$name.bin" || return 1
    fi
}

# name | vm boot options (@ is the build directory) | status | stdout | stderr | stdin
# (printf escapes)
tests=(
    "hello||0|hello, console\nhello, write\n||"
    "status||42|||"
    "trap||0|traps ok\n||"
    "interrupt||0|interrupts ok\n||"
    "mmu||0|mmu ok\n||"
    "priv||0|priv ok\n||"
    "pmp||0|pmp ok\n||"
    "ramend|--memory=1M|3|ok\n||"
    "uart||0|hello, uart\nuart ok\n||"
    "echo||0|61 62 01 63\n||ab\001\001c"
    "spin||0||\nvm: terminated (Ctrl-A X)\n|\001x"
    "clint||0|clint ok\n||"
    "sstc||0|sstc ok\n||"
    "time||0|||"
    "plic||0|plic ok\n||"
    "rtc||0|rtc ok\n||"
    "devirq||0|irq ok\n||"
    "fail||42|||"
    "reboot||42|rebooted\n||"
    "regs||0|regs ok, no info\n||"
    "regs|--bios=@/regs --kernel=@/image.bin|0|regs ok, fw_dynamic info\n||"
    "image|--kernel=@/image.bin|0|hello, image\n||"
    "smc||0|||"
    "pages||0|||"
    "smp|--cpus=4|8|smp ok\n||"
    "smcrace|--cpus=2|0|||"
    "wfistall|--cpus=2|0|||"
)

suite=system
. "$here/../boot_lib.sh"

build image || echo "FAIL system/image: cannot build it"
build sbi || echo "FAIL system/sbi: cannot build it"
build regs || echo "FAIL system/regs: cannot build it"
for t in "${tests[@]}"; do
    IFS='|' read -r name opts status stdout stderr input <<<"$t"
    if ! build "$name"; then
        echo "FAIL system/$name: cannot build it"
        continue
    fi
    # Later options win: a test's own --bios or --kernel replaces the default ones.
    for engine in $ENGINES; do
        check "$name${opts:+ $opts}[$engine]" "$status" "$stdout" "$stderr" "$input" \
            "$VM_BIN" boot --engine="$engine" --bios=none --kernel="$out/$name" ${opts//@/$out}
    done
done

# pvpanic: a guest-panic event for each event the guest writes, in order.
if build panic; then
    for engine in $ENGINES; do
        rm -f "$out/panic.events"
        check "panic[$engine]" 0 "" "" "" "$VM_BIN" boot --engine="$engine" --bios=none \
            --kernel="$out/panic" --events="$out/panic.events"
        got=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "guest-panic":
        print(e["crash_loaded"], e["pc"].startswith("0x"))' "$out/panic.events" 2>&1)
        if [ "$got" = "$(printf 'False True\nTrue True')" ]; then
            echo "PASS system/panic-events[$engine]"
        else
            echo "FAIL system/panic-events[$engine]: guest-panic events: $got"
        fi
    done
else
    echo "FAIL system/panic: cannot build it"
fi

# Debian's OpenSBI (the default firmware) running an S-mode payload: only the payload's own
# last line is compared (the banner before it is OpenSBI's, and changes with its version;
# OpenSBI's console writes \r\n).
if build smode; then
    for engine in $ENGINES; do
        timeout 20 "$VM_BIN" boot --engine="$engine" --kernel="$out/smode" \
            </dev/null >"$out/stdout" 2>"$out/stderr"
        status=$?
        if [ "$status" = 0 ] && [ "$(tail -n 1 "$out/stdout" | tr -d '\r')" = "smode ok" ] &&
           [ ! -s "$out/stderr" ]; then
            echo "PASS system/smode[$engine]"
        else
            echo "FAIL system/smode[$engine]: status $status (want 0)"
            tail -n 3 "$out/stdout" "$out/stderr"
        fi
    done
else
    echo "FAIL system/smode: cannot build it"
fi

# Kernels and options refused before anything runs.
build outside || echo "FAIL system/outside: cannot build it"
printf 'not an elf' >"$out/notelf"
head -c 100 "$out/hello" >"$out/truncated"
# The device tree, decompiled, is exactly the expected one.
head -c 5000 /dev/zero >"$out/initrd"
rm -f "$out/virt.dtb"
"$VM_BIN" boot --bios=none --kernel="$out/hello" --memory=256M --initrd="$out/initrd" \
    --append="console=ttyS0 earlycon" --dump-dtb="$out/virt.dtb" </dev/null
if dtc -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb" 2>"$out/dtc.err" &&
   cmp -s "$here/virt.dts" "$out/virt.dts"; then
    echo "PASS system/dtb"
else
    echo "FAIL system/dtb"
    diff -u "$here/virt.dts" "$out/virt.dts" | head -40
fi

# With five harts: a cpu node each, and the ACLINT's (MSIP 3, MTIP 7) and the PLIC's (MEIP 11,
# SEIP 9) interrupts-extended name every hart's interrupt controller (phandle 0x100 + hart).
rm -f "$out/virt5.dtb"
"$VM_BIN" boot --bios=none --kernel="$out/hello" --cpus=5 --dump-dtb="$out/virt5.dtb" </dev/null
want_clint="256 3 256 7 257 3 257 7 258 3 258 7 259 3 259 7 260 3 260 7"
want_plic="256 11 256 9 257 11 257 9 258 11 258 9 259 11 259 9 260 11 260 9"
if [ "$(fdtget -l "$out/virt5.dtb" /cpus 2>&1 | tr '\n' ' ')" = "cpu@0 cpu@1 cpu@2 cpu@3 cpu@4 " ] &&
   [ "$(fdtget "$out/virt5.dtb" /soc/clint@2000000 interrupts-extended 2>&1)" = "$want_clint" ] &&
   [ "$(fdtget "$out/virt5.dtb" /soc/plic@c000000 interrupts-extended 2>&1)" = "$want_plic" ]; then
    echo "PASS system/dtb-harts"
else
    echo "FAIL system/dtb-harts"
fi

# The console on a terminal: raw mode, restored at Ctrl-A X and on SIGTERM.
python3 "$here/console_tty.py" "$VM_BIN" "$out/spin"

# Debian's OpenSBI (the default firmware) runs sbi.bin as its next stage in S-mode, which
# prints through the SBI console and shuts down through SBI SRST: the same console output as
# under qemu-system-riscv64 with the same firmware and payload, except the lines that
# describe the CPU (qemu's has the H extension and 16 counters: other ISA strings and
# delegations) and the platform's name, which must be vm's exactly. Also the ELF firmware.
opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
cpu_lines='^(Platform Name|Boot HART (Base ISA|ISA Extensions|MHPM Count|MIDELEG|MEDELEG)) '
if timeout 20 qemu-system-riscv64 -M virt -m 512M -smp 1 -nographic -bios "$opensbi/fw_dynamic.bin" \
       -kernel "$out/sbi.bin" </dev/null >"$out/opensbi-qemu" 2>&1; then
    tr -d '\r' <"$out/opensbi-qemu" | grep -Ev "$cpu_lines" >"$out/opensbi-want"
    printf '%s\n' "Platform Name             : riscv-virtio,vm" \
        "Boot HART Base ISA        : rv64imafdc" "Boot HART ISA Extensions  : time,sstc" \
        "Boot HART MHPM Count      : 0" "Boot HART MIDELEG         : 0x0000000000000222" \
        "Boot HART MEDELEG         : 0x000000000000b109" >"$out/opensbi-want-cpu"
    for engine in $ENGINES; do
        for bios in default "$opensbi/fw_dynamic.elf"; do
            label="opensbi[$engine]" args=()
            [ "$bios" = default ] || { label="opensbi ${bios##*/}[$engine]"; args=(--bios="$bios"); }
            timeout 20 "$VM_BIN" boot --engine="$engine" "${args[@]}" --kernel="$out/sbi.bin" \
                </dev/null >"$out/opensbi-vm" 2>&1
            status=$?
            tr -d '\r' <"$out/opensbi-vm" | grep -Ev "$cpu_lines" >"$out/opensbi-got"
            tr -d '\r' <"$out/opensbi-vm" | grep -E "$cpu_lines" >"$out/opensbi-got-cpu"
            if [ $status = 0 ] && grep -q "^hello from S-mode, hart 0" "$out/opensbi-got" &&
               cmp -s "$out/opensbi-want" "$out/opensbi-got" &&
               cmp -s "$out/opensbi-want-cpu" "$out/opensbi-got-cpu"; then
                echo "PASS system/$label"
            else
                echo "FAIL system/$label: status $status"
                diff -u "$out/opensbi-want" "$out/opensbi-got" | tail -n +3 | head -20
                diff -u "$out/opensbi-want-cpu" "$out/opensbi-got-cpu" | tail -n +3
            fi
        done
    done
else
    echo "FAIL system/opensbi: qemu-system-riscv64 did not run OpenSBI and sbi.bin"
fi

# virtio: disks of 8 sectors, byte i of sector s holding (s ^ i) & 0xff; virtio_blk writes
# sectors 1, 6 and 7 of the first (as (s ^ i ^ 0x5a) & 0xff, sector 7 starting with the code
# "li a0, 2; ret") and must leave the readonly one alone. virtio_rng and virtio_bad run with the RNG alone in slot 0.
make_disk() {
    python3 -c 'import sys
open(sys.argv[1], "wb").write(bytes((s ^ i) & 0xff for s in range(8) for i in range(512)))' "$1"
}
want_disk() {
    python3 -c 'import sys
w = {1, 6, 7}
d = bytearray((s ^ i ^ (0x5a if s in w else 0)) & 0xff for s in range(8) for i in range(512))
d[7 * 512:7 * 512 + 4] = bytes((0x09, 0x45, 0x82, 0x80))
open(sys.argv[1], "wb").write(d)' "$1"
}
if build virtio_blk; then
    make_disk "$out/disk-ro-want"
    want_disk "$out/disk-want"
    for engine in $ENGINES; do
        make_disk "$out/disk"
        make_disk "$out/disk-ro"
        rm -f "$out/virtio_blk.prom"
        check "virtio_blk[$engine]" 0 "virtio-blk ok\n" "" "" "$VM_BIN" boot --engine="$engine" \
            --bios=none --kernel="$out/virtio_blk" --drive="$out/disk" --drive="$out/disk-ro,readonly" \
            --metrics="$out/virtio_blk.prom"
        # The device I/O --metrics counts, from the requests virtio_blk.c makes: disk 0 gets 14
        # (16-byte headers, 3 writes of 512 bytes; it gives back 21 + 1025 + 5 * 513 + 8
        # status bytes), disk 1 gets 4 (a write of 512 refused; 2 * 513 + 1 + 21 back) and the
        # RNG none.
        d0='device="virtio-blk@0x10001000"' d1='device="virtio-blk@0x10002000"'
        if res=$(python3 "$here/../service/prom_check.py" "$out/virtio_blk.prom" \
                 "vm_device_requests_total{$d0} == 14" "vm_device_requests_total{$d1} == 4" \
                 'vm_device_requests_total{device="virtio-rng@0x10003000"} == 0' \
                 "vm_device_bytes_total{$d0,direction=\"from_guest\"} == 1760" \
                 "vm_device_bytes_total{$d0,direction=\"to_guest\"} == 3106" \
                 "vm_device_bytes_total{$d1,direction=\"from_guest\"} == 576" \
                 "vm_device_bytes_total{$d1,direction=\"to_guest\"} == 1048" 2>&1); then
            echo "PASS system/virtio_blk-metrics[$engine]"
        else
            echo "FAIL system/virtio_blk-metrics[$engine]: $res"
        fi
        if cmp -s "$out/disk" "$out/disk-want" && cmp -s "$out/disk-ro" "$out/disk-ro-want"; then
            echo "PASS system/virtio_blk-image[$engine]"
        else
            echo "FAIL system/virtio_blk-image[$engine]: the disk images are not as written"
            cmp "$out/disk" "$out/disk-want"
            cmp "$out/disk-ro" "$out/disk-ro-want"
        fi
    done
else
    echo "FAIL system/virtio_blk: cannot build it"
fi
for name in virtio_rng virtio_bad; do
    if build "$name"; then
        for engine in $ENGINES; do
            check "$name[$engine]" 0 "${name/_/-} ok\n" "" "" "$VM_BIN" boot --engine="$engine" \
                --bios=none --kernel="$out/$name"
        done
    else
        echo "FAIL system/$name: cannot build it"
    fi
done

# virtio-blk hot-plug: hotplug_test.py adds a disk to the running guest over the control
# socket and removes it again, the guest seeing both.
if build hotplug; then
    for engine in $ENGINES; do
        timeout 120 python3 "$here/hotplug_test.py" "$VM_BIN" "$out/hotplug" "$out" "$engine"
    done
else
    echo "FAIL system/hotplug: cannot build it"
fi

# virtio-net through user networking, both ways (net_test.py runs the host's ends).
if build virtio_net; then
    for engine in $ENGINES; do
        python3 "$here/net_test.py" "virtio_net[$engine]" "$VM_BIN" "$out/virtio_net" \
            --engine="$engine"
    done
else
    echo "FAIL system/virtio_net: cannot build it"
fi
refuse net-spec 1 "vm: --net=tap: expected user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...\n" \
    --bios=none --kernel="$out/hello" --net=tap
refuse net-hostfwd 1 "vm: --net: hostfwd=tcp::x-:80: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT\n" \
    --bios=none --kernel="$out/hello" --net=user,hostfwd=tcp::x-:80

printf 'RSC\005' >"$out/short-image"
: >"$out/empty"
refuse missing 1 "vm: $out/missing: No such file or directory\n" --bios=none --kernel="$out/missing"
refuse notelf 1 "vm: $out/notelf: not an ELF file or a RISC-V Linux Image\n" \
    --bios=none --kernel="$out/notelf"
refuse short-image 1 "vm: $out/short-image: not an ELF file or a RISC-V Linux Image\n" \
    --bios=none --kernel="$out/short-image"
refuse truncated 1 "vm: $out/truncated: program header outside the file\n" \
    --bios=none --kernel="$out/truncated"
refuse outside 1 "vm: $out/outside: a segment lies outside RAM\n" --bios=none --kernel="$out/outside"
refuse directory 1 "vm: $out: not a regular file\n" --bios=none --kernel="$out"
refuse nokernel 1 "vm: boot: no kernel (--kernel=FILE)\n" --bios=none
refuse overlap 1 "vm: $out/hello: overlaps the firmware (which ends at 0x$(printf %x $((0x80000000 + $(stat -c %s "$out/regs.bin")))))\n" \
    --bios="$out/regs.bin" --kernel="$out/hello"
refuse bios-missing 1 "vm: $out/missing: No such file or directory\n" --bios="$out/missing"
refuse bios-empty 1 "vm: $out/empty: empty file\n" --bios="$out/empty"
refuse bios-outside 1 "vm: $out/outside: a segment lies outside RAM\n" --bios="$out/outside"
refuse initrd-missing 1 "vm: $out/missing: No such file or directory\n" \
    --bios=none --kernel="$out/hello" --initrd="$out/missing"
refuse initrd-empty 1 "vm: $out/empty: empty file\n" \
    --bios=none --kernel="$out/hello" --initrd="$out/empty"
refuse initrd-big 1 "vm: $out/initrd: does not fit in RAM\n" \
    --bios=none --kernel="$out/hello" --memory=2M --initrd="$out/initrd"
refuse image-big 1 "vm: $out/image.bin: does not fit in RAM\n" \
    --bios="$out/regs.bin" --kernel="$out/image.bin" --memory=2M
refuse cpus 1 "vm: --cpus=17: the virt board has 16 harts at most\n" \
    --bios=none --cpus=17 --kernel="$out/hello"
refuse cpus-zero 2 "vm: --cpus=0: expected a number of CPUs (harts, or vCPUs with kvm) from 1 to 64\n" \
    --bios=none --cpus=0 --kernel="$out/hello"
refuse option 2 "vm: --floppy=x: unknown or not yet implemented option (see vm boot --help)\n" \
    --bios=none --floppy=x --kernel="$out/hello"
head -c 1000 /dev/zero >"$out/disk-odd"
make_disk "$out/disk-locked"
refuse drive-missing 1 "vm: $out/missing: No such file or directory\n" \
    --bios=none --kernel="$out/hello" --drive="$out/missing"
refuse drive-directory 1 "vm: $out: not a regular file\n" \
    --bios=none --kernel="$out/hello" --drive="$out,readonly"
refuse drive-empty 1 "vm: $out/empty: empty disk image\n" \
    --bios=none --kernel="$out/hello" --drive="$out/empty"
refuse drive-odd 1 "vm: $out/disk-odd: a raw disk image's size must be a multiple of 512 bytes\n" \
    --bios=none --kernel="$out/hello" --drive="$out/disk-odd"
refuse drive-twice 1 "vm: $out/disk-locked: in use by another process\n" \
    --bios=none --kernel="$out/hello" --drive="$out/disk-locked" --drive="$out/disk-locked"
refuse drive-many 2 "vm: --drive=$out/disk-locked: at most 6 disks\n" --bios=none \
    --kernel="$out/hello" $(for k in 1 2 3 4 5 6 7; do echo --drive="$out/disk-locked"; done)
refuse memory 2 "vm: --memory=1000: expected a size from 1M to 1T, a multiple of 4K\n" \
    --bios=none --memory=1000 --kernel="$out/hello"
refuse check 1 "vm: --engine=check: runs in user mode only for now\n" \
    --bios=none --engine=check --kernel="$out/hello"
