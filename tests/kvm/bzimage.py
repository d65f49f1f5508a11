#!/usr/bin/env python3
"""Wraps a flat x86-64 test guest in a bzImage: a boot sector and setup sectors holding the
Linux setup header (Documentation/arch/x86/boot.rst), then the protected-mode kernel, whose
64-bit entry is at its offset 0x200. The guest is linked to start at 1 MiB + 0x200, so the
kernel is 0x200 bytes of zeros and then the guest. The header fields are options, so the
tests can also make bzImages a loader must refuse.

Usage: bzimage.py FLAT OUT [--version V] [--xloadflags F] [--setup-sects N] [--init-size N]
       [--cmdline-size N] [--truncate N]"""
import argparse
import struct

ap = argparse.ArgumentParser()
ap.add_argument("flat")
ap.add_argument("out")
ap.add_argument("--version", type=lambda v: int(v, 0), default=0x020d)
ap.add_argument("--xloadflags", type=lambda v: int(v, 0), default=0x1)   # XLF_KERNEL_64
ap.add_argument("--setup-sects", type=int, default=3)
ap.add_argument("--init-size", type=lambda v: int(v, 0), default=0)
ap.add_argument("--cmdline-size", type=lambda v: int(v, 0), default=2047)
ap.add_argument("--truncate", type=int, default=0, help="keep only this many bytes")
a = ap.parse_args()

kernel = bytes(0x200) + open(a.flat, "rb").read()
setup = bytearray((a.setup_sects + 1) * 512)
struct.pack_into("<B", setup, 0x1f1, a.setup_sects)
struct.pack_into("<H", setup, 0x1fe, 0xaa55)
struct.pack_into("<BB", setup, 0x200, 0xeb, 0x268 - 0x202)    # jmp past the header (0x268)
struct.pack_into("<I", setup, 0x202, 0x53726448)              # "HdrS"
struct.pack_into("<H", setup, 0x206, a.version)
struct.pack_into("<B", setup, 0x211, 0x01)                    # LOADED_HIGH
struct.pack_into("<I", setup, 0x214, 0x100000)                # code32_start
struct.pack_into("<I", setup, 0x230, 0x200000)                # kernel_alignment
struct.pack_into("<B", setup, 0x234, 1)                       # relocatable_kernel
struct.pack_into("<H", setup, 0x236, a.xloadflags)
struct.pack_into("<I", setup, 0x238, a.cmdline_size)
struct.pack_into("<I", setup, 0x260, a.init_size or len(kernel))
image = bytes(setup) + kernel
if a.truncate:
    image = image[:a.truncate]
open(a.out, "wb").write(image)
