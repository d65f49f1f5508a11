#!/usr/bin/env bash
# Accelerated mode's freestanding x86-64 test guests (tests/kvm/*.c with start.S and lib.c,
# built with the host gcc at 1 MiB by link.ld), each booted with `vm boot --accel=kvm` and
# checking one contract: its exit status, console output (the UART at 0x3F8) and vm's
# messages must be exactly the expected ones, for the console input given. Then what vm
# must refuse before anything runs. /dev/kvm here may be nested virtualization about 1000x
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

build() {
    local name=$1 f
    for f in "$here/$name.c" "$here/lib.c" "$here/lib.h" "$here/start.S" "$here/link.ld"; do
        if [ "$f" -nt "$out/$name" ]; then
            gcc -ffreestanding -nostdlib -static -no-pie -fno-pic -mno-red-zone \
                -mgeneral-regs-only -O2 -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
                -Wl,--no-warn-rwx-segments -T "$here/link.ld" -I"$here" \
                -o "$out/$name" "$here/start.S" "$here/lib.c" "$here/$name.c"
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
boot_out+='cmdline=console=ttyS0 reboot=k\n'
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
refuse cpus 1 "vm: --cpus=2: --accel=kvm runs 1 vCPU for now (more need INIT/SIPI)\n" \
    --accel=kvm --cpus=2 --kernel="$out/hello"
refuse machine 1 "vm: --machine=virt: --accel=kvm runs the microvm machine only\n" \
    --accel=kvm --machine=virt --kernel="$out/hello"
refuse engine 2 "vm: --engine: not with --accel=kvm\n" --accel=kvm --engine=jit --kernel="$out/hello"
refuse accel 2 "vm: --accel=xen: expected tcg or kvm\n" --accel=xen --kernel="$out/hello"
