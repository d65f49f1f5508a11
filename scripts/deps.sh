#!/usr/bin/env bash
# Installs every Debian package that building, testing, the demo and the benchmarks need.
# `make` runs it when a tool is missing; it is safe to run again (only missing packages install).
set -euo pipefail

pkgs=(
  meson ninja-build pkg-config gcc make python3
  libcapstone-dev
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libunicorn-dev
  qemu-user
  gcc-12-source
  dpkg-dev
  tcl xz-utils gzip util-linux
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Source packages (lua5.4 for the guest tests and the benchmark) come from deb-src.
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
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
