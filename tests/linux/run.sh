#!/usr/bin/env bash
# vm boot runs Linux: Debian's OpenSBI, a riscv64 kernel built from Debian's linux-source-6.1
# and an initramfs of busybox whose /init (tests/linux/init) prints known lines between two
# marker lines and powers off (scripts/build-linux.sh builds them once per machine into a
# cache outside the checkout). For each ENGINE:HARTS of LINUX_RUNS (default jit:2 interp:1:
# the JIT with two harts, the interpreter with one), vm must end with status 0, print the
# exact lines expected below (Linux counting HARTS processors), and print between the markers
# what qemu-system-riscv64 -smp 2 prints for the same kernel, initramfs and command line on a
# CPU with vm's extensions (timestamped kernel lines left out; with one hart, the processor
# count is 1 instead of qemu's 2). vm's runs also hot-plug a disk through the control
# socket (hotplug.py), which the init probes, reads and lets go of, and the init sleeps 4 s
# in them, over 3 s of which vm may use at most IDLE_MAX_PERCENT (default 4) percent of one
# host CPU (user and system time of all its threads): an idle guest's harts sleep.
# Usage: run.sh BUILD_DIR/tests/linux   (VM_BIN: the vm binary)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
VM_BIN=${VM_BIN:-$here/../../build/vm}
RUNS=${LINUX_RUNS:-jit:2 interp:1}
TIMEOUT=${LINUX_TIMEOUT:-300}
IDLE_MAX_PERCENT=${IDLE_MAX_PERCENT:-4}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

if ! bash "$here/../../scripts/build-linux.sh" "$out/images" 2>"$out/build.log"; then
    echo "FAIL linux/build: scripts/build-linux.sh failed:"
    tail -n 20 "$out/build.log"
    exit 0
fi
kernel=$out/images/Image
initrd=$out/images/initramfs.cpio.gz
# A server on the host for the guest's wget through user networking; the port reaches /init
# as the environment variable the command line's vmtest_port gives it.
mkdir -p "$out/www" && echo "a page from the host" >"$out/www/page.txt" || exit 1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$out/www" "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
append="console=ttyS0 quiet vmtest_port=$port"
begin="=== vm-linux-test: begin ==="
end="=== vm-linux-test: end ==="
# qemu's rv64 CPU with vm's extensions: Sstc, but no H, Zihintpause or Zb*.
qemu_cpu=rv64,h=false,sstc=true,Zihintpause=false,zba=false,zbb=false,zbc=false,zbs=false

version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
expected=(
    "uname: Linux ${version%%-*} riscv64"
    "cmdline: $append"
    "harts: @HARTS@"
    "$(printf 'isa\t\t: rv64imafdc_sstc')"
    "$(printf 'mmu\t\t: sv57')"
    "arith: 259106859 -3 4611686018427387904"
    "md5: $(seq 1 20000 | md5sum)"
    "sort: 999 998 997 "
    "rtc: goldfish_rtc 101000.rtc"
    "date: $(date -u +%Y-%m-%d)"
)
# After the markers, vm's run alone (with a disk, a network card and the RNG).
virtio_expected="=== vm-linux-test: virtio ===
disk: 2048 sectors
disk: written
rng: virtio_rng.0 16 bytes
lease of 10.0.2.15 obtained from 10.0.2.2
http: a page from the host
=== vm-linux-test: virtio end ==="
# Then a disk hot-plugged into the empty slot 3 (tests/linux/hotplug.py), which the init finds
# after re-probing the slot, reads, and lets go of before the host removes it.
hotplug_expected="hotplug: vm-disk-1 a disk plugged in
hotplug: unbound"

# cpu_ticks PID: the process's user and system time so far, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}

# wait_line FILE LINE PID: waits until FILE holds LINE (carriage returns aside); fails once
# process PID has ended without it.
wait_line() {
    until tr -d '\r' <"$1" | grep -qxF -- "$2"; do
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
}

# idle_ticks CONSOLE PID: vm's CPU time in clock ticks over the 3 s after the init's idle
# line (it sleeps 4 s, which leaves this script time to be late), or why it could not be
# measured.
idle_ticks() {
    local before after
    wait_line "$1" "=== vm-linux-test: idle ===" "$2" || { echo "no idle line"; return; }
    before=$(cpu_ticks "$2")
    sleep 3
    after=$(cpu_ticks "$2")
    [ -n "$before" ] && [ -n "$after" ] && echo $((after - before)) || echo "vm ended"
}

# between FILE: the lines between the markers, without carriage returns and timestamped
# kernel messages.
between() {
    tr -d '\r' <"$1" | sed -n "/^$begin\$/,/^$end\$/p" | grep -Ev '^\[ *[0-9]+\.[0-9]+\]'
}

start=$(date +%s)
timeout "$TIMEOUT" qemu-system-riscv64 -M virt -m 512M -smp 2 -cpu "$qemu_cpu" -nographic \
    -bios default -kernel "$kernel" -initrd "$initrd" -append "$append" \
    </dev/null >"$out/qemu.out" 2>&1
qemu_status=$?
between "$out/qemu.out" >"$out/qemu.lines"
if [ "$qemu_status" -ne 0 ] || ! grep -qx "$end" "$out/qemu.lines"; then
    echo "FAIL linux/qemu: qemu-system-riscv64 did not boot the kernel to the end marker (status $qemu_status):"
    tail -n 20 "$out/qemu.out"
    exit 0
fi
echo "PASS linux/qemu: qemu-system-riscv64 booted it in $(( $(date +%s) - start )) s"

for run in $RUNS; do
    engine=${run%%:*} harts=${run#*:}
    name="boot[$engine,cpus=$harts]"
    rm -f "$out/disk.img" && truncate -s 1M "$out/disk.img" || exit 1
    echo vm-hotplug | dd of="$out/disk.img" bs=512 seek=1 conv=notrunc 2>/dev/null
    printf 'a disk plugged in' | dd of="$out/hotplug.img" bs=4096 conv=sync 2>/dev/null
    rm -f "$out/vm-$engine.out" "$out/control.sock"
    python3 "$here/hotplug.py" "$out/control.sock" "$out/vm-$engine.out" "$out/hotplug.img" \
        "$TIMEOUT" >"$out/hotplug-$engine.log" 2>&1 &
    plugger=$!
    start=$(date +%s)
    timeout "$TIMEOUT" "$VM_BIN" boot --engine="$engine" --cpus="$harts" --kernel="$kernel" --initrd="$initrd" \
        --append="$append" --drive="$out/disk.img" --net=user --control="$out/control.sock" \
        </dev/null >"$out/vm-$engine.out" 2>&1 &
    timer=$!
    # vm is timeout's child.
    for i in $(seq 50); do
        vm_pid=$(awk -v parent="$timer" '$4 == parent { print $1 }' /proc/[0-9]*/stat 2>/dev/null)
        [ -n "$vm_pid" ] && break
        sleep 0.1
    done
    idle_ticks "$out/vm-$engine.out" "${vm_pid:-$timer}" >"$out/idle-$engine.log" &
    idler=$!
    wait "$timer"
    status=$?
    wait "$idler"
    kill "$plugger" 2>/dev/null
    wait "$plugger" 2>/dev/null
    took=$(( $(date +%s) - start ))
    between "$out/vm-$engine.out" >"$out/vm-$engine.lines"
    fail=
    [ "$status" -eq 0 ] || fail="status $status (want 0)"
    for line in "${expected[@]}"; do
        line=${line/@HARTS@/$harts}
        grep -qxF -- "$line" "$out/vm-$engine.lines" || fail="${fail:+$fail; }missing line '$line'"
    done
    tr -d '\r' <"$out/vm-$engine.out" |
        sed -n '/^=== vm-linux-test: virtio ===$/,/^=== vm-linux-test: virtio end ===$/p' \
        >"$out/vm-$engine.virtio"
    [ "$(cat "$out/vm-$engine.virtio")" = "$virtio_expected" ] ||
        fail="${fail:+$fail; }the virtio lines differ"
    [ "$(head -c 21 "$out/disk.img")" = "written by the guest" ] ||
        fail="${fail:+$fail; }the disk image does not hold what the guest wrote"
    tr -d '\r' <"$out/vm-$engine.out" | grep '^hotplug: ' >"$out/vm-$engine.hotplug"
    [ "$(cat "$out/vm-$engine.hotplug")" = "$hotplug_expected" ] ||
        fail="${fail:+$fail; }the hot-plug lines differ: $(cat "$out/vm-$engine.hotplug")"
    idle=$(cat "$out/idle-$engine.log")
    if ! [[ "$idle" =~ ^[0-9]+$ ]]; then
        fail="${fail:+$fail; }the idle CPU time was not measured: $idle"
    elif [ $((idle * 100)) -gt $((IDLE_MAX_PERCENT * 3 * $(getconf CLK_TCK))) ]; then
        fail="${fail:+$fail; }vm used $idle clock ticks of CPU over 3 s of the guest's sleep (at most $IDLE_MAX_PERCENT% of a CPU allowed)"
    fi
    [ "$(cat "$out/hotplug-$engine.log")" = "$(printf 'device-add ok vm-disk-1\ndevice-remove ok vm-disk-1')" ] ||
        fail="${fail:+$fail; }the control socket's replies differ: $(cat "$out/hotplug-$engine.log")"
    if [ -n "$fail" ]; then
        echo "FAIL linux/$name: $fail; the console's last lines:"
        tr -d '\r' <"$out/vm-$engine.out" | tail -n 20
    else
        echo "PASS linux/$name: powered off with the expected lines in $took s (idle: $idle clock ticks of CPU in 3 s)"
    fi
    sed "s/^harts: 2\$/harts: $harts/" "$out/qemu.lines" >"$out/qemu-$harts.lines"
    if cmp -s "$out/qemu-$harts.lines" "$out/vm-$engine.lines"; then
        echo "PASS linux/$name-vs-qemu"
    else
        echo "FAIL linux/$name-vs-qemu: the init's output differs from qemu-system-riscv64's:"
        diff -u "$out/qemu-$harts.lines" "$out/vm-$engine.lines" | tail -n +3
    fi
done
