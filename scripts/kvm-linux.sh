#!/usr/bin/env bash
# Prepares the Linux guest of `make test-kvm-linux` (tests/kvm-linux): Debian's amd64 kernel
# (the package linux-image-amd64 depends on, fetched with apt-get download) with its vmlinux
# taken out of the bzImage, so that `vm boot --accel=kvm` starts the ELF at its 64-bit entry
# instead of running the decompressor (minutes of work under nested KVM), and an initramfs
# of Debian's busybox-static (amd64, as the host) and tests/kvm-linux/init. Done once per
# machine into a cache outside the checkout, ${VM_CACHE:-$HOME/.cache/vm}/kvm-linux-HASH/,
# named by a hash of the packages' candidate versions, the init and this recipe; a lock
# lets several checkouts share it. A version the mirror lists but does not serve is
# replaced by the newest one it does (scripts/apt-fetch.sh), and the output says which;
# DIR/versions records what was used.
#
# Usage: scripts/kvm-linux.sh [OUT_DIR]   (default build/kvm-linux)
# Leaves OUT_DIR/vmlinux, OUT_DIR/initramfs.cpio.gz and OUT_DIR/versions as links into the cache.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/apt-fetch.sh

out="${1:-build/kvm-linux}"
cache="${VM_CACHE:-$HOME/.cache/vm}"
init_script=tests/kvm-linux/init

say() { echo "kvm-linux: $*" >&2; }
fail() { echo "vm: scripts/kvm-linux.sh: $*" >&2; exit 1; }

mkdir -p "$out" "$cache" || exit 1
out="$(cd "$out" && pwd)"

# The kernel package the metapackage points at now (linux-image-6.1.0-N-amd64).
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel_pkg" ] || fail "apt knows no kernel that linux-image-amd64 depends on (apt-get update?)"
candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }

# vmlinux_of BZIMAGE OUT: the ELF inside a bzImage, from the payload its setup header names
# (boot protocol 2.08 or later), decompressed by the kind its magic says.
vmlinux_of() {
    python3 - "$1" "$2" <<'PY'
import lzma, struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
if data[0x202:0x206] != b'HdrS' or struct.unpack_from('<H', data, 0x206)[0] < 0x208:
    sys.exit(f'{sys.argv[1]}: not a bzImage of boot protocol 2.08 or later')
setup = ((data[0x1f1] or 4) + 1) * 512
offset, length = struct.unpack_from('<II', data, 0x248)
payload = data[setup + offset:setup + offset + length]
if payload.startswith(b'\xfd7zXZ\x00'):
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
elif payload.startswith(b'\x1f\x8b'):
    elf = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
else:
    sys.exit(f'{sys.argv[1]}: a payload compressed in a way this script does not unpack '
             f'(magic {payload[:6].hex()}; it knows xz and gzip)')
if elf[:4] != b'\x7fELF':
    sys.exit(f'{sys.argv[1]}: the payload is not an ELF')
open(sys.argv[2], 'wb').write(elf)
PY
}

# initramfs_of BUSYBOX INIT OUT: a gzip'd newc cpio of /bin/busybox, /init and /dev/console
# (a device node written into the archive, so no root or mknod is needed).
initramfs_of() {
    python3 - "$1" "$2" "$3" <<'PY'
import gzip, sys
busybox, init, out = sys.argv[1:]
entries = [('dev', 0o40755, b'', 0), ('dev/console', 0o20600, b'', (5 << 8) | 1),
           ('bin', 0o40755, b'', 0), ('bin/busybox', 0o100755, open(busybox, 'rb').read(), 0),
           ('init', 0o100755, open(init, 'rb').read(), 0), ('TRAILER!!!', 0, b'', 0)]
cpio = b''
for ino, (name, mode, body, rdev) in enumerate(entries, 1):
    fields = [ino, mode, 0, 0, 1, 0, len(body), 0, 0, rdev >> 8, rdev & 0xff, len(name) + 1, 0]
    head = b'070701' + b''.join(b'%08x' % f for f in fields) + name.encode() + b'\0'
    cpio += head + b'\0' * (-len(head) % 4) + body + b'\0' * (-len(body) % 4)
with open(out, 'wb') as f:
    f.write(gzip.compress(cpio, 9, mtime=0))
PY
}

build() {
    local work="$dir.work" deb
    rm -rf "$work" && mkdir -p "$work/x" || return 1
    say "fetching $kernel_pkg and busybox-static (amd64) into $work"
    (cd "$work" && apt_fetch download "$kernel_pkg" && apt_fetch download busybox-static) || return 1
    for deb in "$work"/*.deb; do
        dpkg-deb -x "$deb" "$work/x" || return 1
        echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$work/versions" ||
            return 1
    done
    local vmlinuz
    vmlinuz=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
    [ -n "$vmlinuz" ] || { say "no /boot/vmlinuz-* in $kernel_pkg"; return 1; }
    mkdir -p "$dir.new" && vmlinux_of "$vmlinuz" "$dir.new/vmlinux" &&
        initramfs_of "$work/x/bin/busybox" "$root/$init_script" "$dir.new/initramfs.cpio.gz" &&
        basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$dir.new/release" &&
        cp "$work/versions" "$dir.new/versions" || return 1
    rm -rf "$dir" && mv "$dir.new" "$dir" && rm -rf "$work"
}

dir="$cache/kvm-linux-$({ cat "$init_script"; declare -f build vmlinux_of initramfs_of
    echo "$kernel_pkg $(candidate "$kernel_pkg") $(candidate busybox-static)"; } |
    sha256sum | cut -c1-16)"
exec 9>"$dir.lock" || exit 1
flock 9 || exit 1
if [ -d "$dir" ]; then
    say "cached in $dir"
else
    build || fail "preparing the kernel and initramfs failed"
    say "prepared in $dir"
fi
exec 9>&-
for f in vmlinux initramfs.cpio.gz versions release; do
    ln -sf "$dir/$f" "$out/$f" || exit 1
done
say "ready: $out/vmlinux ($(cat "$dir/release")) and $out/initramfs.cpio.gz, from $(paste -sd ',' "$dir/versions" | sed 's/,/, /g')"
