#!/usr/bin/env bash
# Installs every Debian package that building, testing, the demo and the benchmarks need.
# `make` runs it when a tool is missing; it is safe to run again (only missing packages install).
set -euo pipefail

pkgs=(
  meson ninja-build pkg-config gcc make python3
  libcapstone-dev libcjson-dev libzstd-dev
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libunicorn-dev
  qemu-user gdb-multiarch linux-perf curl
  gcc-12-source
  dpkg-dev
  tcl xz-utils gzip util-linux sqlite3 python3.11
  libfdt-dev device-tree-compiler opensbi qemu-system-misc u-boot-qemu e2fsprogs fdisk
  libslirp-dev
  linux-source-6.1 flex bison bc cpio
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Source packages (lua5.4, zlib, sqlite3, xz-utils, qemu for the tests and the benchmark) come
# from deb-src: when no deb-src line is enabled, this adds one to the apt sources.
need_src=0
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  need_src=1
fi

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "vm: scripts/deps.sh: missing packages (${missing[*]:-deb-src}); run it as root" >&2
  exit 1
fi

if [ $need_src -eq 1 ]; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
  else
    echo "deb-src http://deb.debian.org/debian bookworm main" > /etc/apt/sources.list.d/vm-deb-src.list
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# A package whose candidate version the mirror does not serve is installed at the newest
# version it does (scripts/apt-fetch.sh lists them), and the script says which.
. "$(dirname "$0")/apt-fetch.sh"
if [ ${#missing[@]} -gt 0 ] && ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  for p in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
    apt-get install -y -qq --no-install-recommends "$p" && continue
    installed=0
    for v in $(apt_versions download "$p"); do
      if apt-get install -y -qq --no-install-recommends "$p=$v"; then
        echo "deps: $p: installed version $v (the candidate could not be fetched)" >&2
        installed=1
        break
      fi
    done
    [ $installed -eq 1 ] || { echo "vm: scripts/deps.sh: cannot install $p" >&2; exit 1; }
  done
fi
