#!/usr/bin/env bash
# Builds the Linux guest that vm boot's Linux test (tests/linux) boots: a riscv64 kernel Image
# from Debian's linux-source-6.1 with the small config of tests/linux/kernel.config, busybox
# built statically for riscv64 from Debian's busybox source, and an initramfs of busybox and
# tests/linux/init. Each is built once per machine into a cache outside the checkout,
# ${VM_CACHE:-$HOME/.cache/vm}/, in a directory named by a hash of its inputs (the function
# of this script that builds it, its config, the source's version, the cross compiler's), so
# a change of input builds anew and nothing is rebuilt otherwise; a lock lets several
# checkouts share the cache.
#
# Usage: scripts/build-linux.sh [OUT_DIR]   (default build/linux)
# LINUX_INIT=FILE packs FILE as /init instead (bench/system.sh's bench/system/init).
# Leaves OUT_DIR/Image, OUT_DIR/busybox and OUT_DIR/initramfs.cpio.gz as links into the cache.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/apt-fetch.sh

out="${1:-build/linux}"
cache="${VM_CACHE:-$HOME/.cache/vm}"
cross=riscv64-linux-gnu-
jobs=$(nproc)
kernel_tar=/usr/src/linux-source-6.1.tar.xz
kernel_config=tests/linux/kernel.config
busybox_config=tests/linux/busybox.config
init_script=${LINUX_INIT:-tests/linux/init}

say() { echo "build-linux: $*" >&2; }
fail() { echo "vm: scripts/build-linux.sh: $*" >&2; exit 1; }

mkdir -p "$out" "$cache" || exit 1
out="$(cd "$out" && pwd)"
[ -f "$kernel_tar" ] || fail "$kernel_tar missing (package linux-source-6.1; run scripts/deps.sh)"

# key FILE... [-- WORD...]: a short hash of the files' contents and the words.
key() {
    local files=() words=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    words=("$@")
    { cat "${files[@]}"; printf '%s\n' "${words[@]}"; } | sha256sum | cut -c1-16
}

# config_check CONFIG FRAGMENT: every line of the fragment holds in the final .config.
config_check() {
    local config=$1 fragment=$2 line name missing=0
    while IFS= read -r line; do
        case "$line" in
            CONFIG_*) grep -qx "$line" "$config" || { say "not in the final config: $line"; missing=1; } ;;
            "# CONFIG_"*" is not set")
                name=${line#\# }; name=${name%% *}
                grep -q "^$name=" "$config" && { say "set in the final config: $name"; missing=1; } ;;
        esac
    done <"$fragment"
    return $missing
}

# 1. The kernel.
kernel_version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
    fail "linux-source-6.1 is not installed (run scripts/deps.sh)"
build_kernel() {
    local work="$kdir.work" src obj
    rm -rf "$work" && mkdir -p "$work" || return 1
    say "unpacking $kernel_tar (linux-source-6.1 $kernel_version) into $work"
    # Of arch/ and Documentation/ (half of the tarball) only RISC-V's and the Kconfig files,
    # which Kconfig reads for every architecture.
    tar -C "$work" -xJf "$kernel_tar" --wildcards --exclude='linux-source-6.1/arch/*' \
        --exclude='linux-source-6.1/Documentation/*' || return 1
    tar -C "$work" -xJf "$kernel_tar" --wildcards 'linux-source-6.1/arch/riscv/*' \
        'linux-source-6.1/arch/*Kconfig*' 'linux-source-6.1/Documentation/*Kconfig*' || return 1
    src="$work/linux-source-6.1" obj="$work/obj"
    local mk=(make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE="$cross" -j"$jobs")
    say "configuring: allnoconfig + $kernel_config"
    "${mk[@]}" allnoconfig >"$work/config.log" 2>&1 || { tail -n 20 "$work/config.log" >&2; return 1; }
    "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$root/$kernel_config" \
        >>"$work/config.log" 2>&1 || { tail -n 20 "$work/config.log" >&2; return 1; }
    "${mk[@]}" olddefconfig >>"$work/config.log" 2>&1 || { tail -n 20 "$work/config.log" >&2; return 1; }
    config_check "$obj/.config" "$kernel_config" || return 1
    say "compiling the kernel with ${cross}gcc, $jobs jobs (a few minutes; log in $work/build.log)"
    "${mk[@]}" Image >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; return 1; }
    mkdir -p "$kdir.new" &&
        cp "$obj/arch/riscv/boot/Image" "$obj/.config" "$obj/System.map" "$kdir.new/" &&
        gcc -O2 -o "$kdir.new/gen_init_cpio" "$src/usr/gen_init_cpio.c" &&
        echo "$kernel_version" >"$kdir.new/version" || return 1
    rm -rf "$kdir" && mv "$kdir.new" "$kdir" && rm -rf "$work"
}

# 2. busybox.
build_busybox() {
    local work="$bdir.work" src
    rm -rf "$work" && mkdir -p "$work" || return 1
    say "fetching the busybox source package into $work"
    (cd "$work" && apt_fetch source busybox) || return 1
    src="$(find "$work" -maxdepth 1 -type d -name 'busybox-*' | sort | tail -n 1)"
    [ -n "$src" ] || { say "no busybox-* directory after apt-get source"; return 1; }
    local mk=(make -C "$src" ARCH=riscv CROSS_COMPILE="$cross" -j"$jobs")
    "${mk[@]}" allnoconfig >"$work/build.log" 2>&1 || { tail -n 20 "$work/build.log" >&2; return 1; }
    local line name
    while IFS= read -r line; do
        case "$line" in
            CONFIG_*) name=${line%%=*} ;;
            "# CONFIG_"*" is not set") name=${line#\# }; name=${name%% *} ;;
            *) continue ;;
        esac
        sed -i "/^$name=/d; /^# $name is not set/d" "$src/.config" && echo "$line" >>"$src/.config"
    done <"$busybox_config"
    { yes "" || true; } | "${mk[@]}" oldconfig >>"$work/build.log" 2>&1 || { tail -n 20 "$work/build.log" >&2; return 1; }
    config_check "$src/.config" "$busybox_config" || return 1
    say "compiling busybox with ${cross}gcc, $jobs jobs (log in $work/build.log)"
    "${mk[@]}" busybox >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; return 1; }
    mkdir -p "$bdir.new" && cp "$src/busybox" "$src/.config" "$bdir.new/" &&
        basename "$src" >"$bdir.new/version" || return 1
    rm -rf "$bdir" && mv "$bdir.new" "$bdir" && rm -rf "$work"
}

# 3. The initramfs: busybox and our /init, packed by the kernel's gen_init_cpio (so /dev/console
# exists for init's first output without root or mknod).
build_initramfs() {
    local list="$idir.new/list"
    mkdir -p "$idir.new" || return 1
    cat >"$list" <<LIST || return 1
dir /bin 0755 0 0
dir /dev 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
nod /dev/console 0600 0 0 c 5 1
file /bin/busybox $bdir/busybox 0755 0 0
slink /bin/sh busybox 0777 0 0
file /init $root/$init_script 0755 0 0
LIST
    "$kdir/gen_init_cpio" "$list" | gzip -9n >"$idir.new/initramfs.cpio.gz" || return 1
    rm -rf "$idir" && mv "$idir.new" "$idir"
}

# locked_build DIR FUNCTION WHAT: runs FUNCTION unless DIR exists, under DIR.lock.
locked_build() {
    local dir=$1 fn=$2 what=$3 start
    exec 9>"$dir.lock" || return 1
    flock 9 || return 1
    if [ -d "$dir" ]; then
        say "$what: cached in $dir"
    else
        start=$(date +%s)
        "$fn" || { exec 9>&-; fail "building $what failed"; }
        say "$what: built in $(( $(date +%s) - start )) s into $dir"
    fi
    exec 9>&-
}

cc_version=$(${cross}gcc --version | head -n 1)
kdir="$cache/linux-riscv64-$(key "$kernel_config" -- "$(declare -f build_kernel)" "$kernel_version" "$cc_version")"
bdir="$cache/busybox-riscv64-$(key "$busybox_config" -- "$(declare -f build_busybox)" "$cc_version")"
idir="$cache/initramfs-riscv64-$(key "$init_script" -- "$(declare -f build_initramfs)" "$bdir" "$kdir")"
locked_build "$bdir" build_busybox "busybox" || exit 1
locked_build "$kdir" build_kernel "the kernel" || exit 1
locked_build "$idir" build_initramfs "the initramfs" || exit 1
ln -sf "$kdir/Image" "$out/Image" && ln -sf "$bdir/busybox" "$out/busybox" &&
    ln -sf "$idir/initramfs.cpio.gz" "$out/initramfs.cpio.gz" || exit 1
say "ready: $out/Image $out/initramfs.cpio.gz"
