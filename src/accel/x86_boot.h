/* The Linux 64-bit boot protocol as Firecracker uses it, for an ELF64 x86-64 kernel (a
 * vmlinux or any freestanding ELF) at its physical addresses, or a bzImage (boot protocol
 * 2.12 or later) whose protected-mode kernel goes at 1 MiB and starts at its 64-bit entry
 * (offset 0x200) with its setup header copied into boot_params; identity-mapped
 * page tables for the first 4 GiB (2 MiB pages), a flat GDT, and a boot_params page (the
 * zero page) with the command line, the e820 map and the initrd; the vCPU starts at the
 * entry in long mode with rsi pointing at boot_params. Low memory layout:
 *   0x500 GDT, 0x520 IDT (empty), 0x7000 boot_params, 0x8ff0 initial stack,
 *   0x9000 PML4, 0xa000 PDPT, 0xb000-0xefff page directories, 0x20000 command line,
 *   0xf0000 the MP tables (accel/mptable.h), 0x100000 (1 MiB) and up: the kernel; the
 *   initrd at the top of low RAM. */
#ifndef VM_ACCEL_X86_BOOT_H
#define VM_ACCEL_X86_BOOT_H

#include <stdint.h>

#define X86_BOOT_GDT 0x500
#define X86_BOOT_IDT 0x520
#define X86_BOOT_PARAMS 0x7000
#define X86_BOOT_STACK 0x8ff0
#define X86_BOOT_PML4 0x9000
#define X86_BOOT_CMDLINE 0x20000
#define X86_BOOT_CMDLINE_MAX 0x10000
#define X86_BOOT_KERNEL_MIN 0x100000
#define X86_BOOT_EBDA 0x9fc00      /* low RAM ends here in the e820 map, as on a PC */

/* Guest RAM as the machine lays it out: low RAM at 0, and above 4 GiB what does not fit
 * below the 32-bit device hole. */
struct x86_ram {
    uint8_t *host;                 /* all of it, low RAM first */
    uint64_t low, high;            /* bytes at 0 and at 4 GiB */
};

#define X86_RAM_LOW_MAX 0xc0000000ull   /* 3 GiB: devices above */
#define X86_RAM_HIGH_BASE 0x100000000ull

/* Checks and loads everything into RAM: the kernel (ELF64, EM_X86_64, PT_LOAD segments
 * within low RAM from 1 MiB; or a bzImage), the initrd (or NULL), the command line (or NULL), page
 * tables, GDT and boot_params. *entry is the kernel's entry. 0, or -1 after printing
 * `vm: what: why`. */
int x86_boot_load(const struct x86_ram *ram, const char *kernel, const char *initrd,
                  const char *append, uint64_t *entry);
/* Sets vcpu_fd's registers for the entry: long mode, flat segments, rsi = boot_params. */
int x86_boot_vcpu(int vcpu_fd, uint64_t entry);

#endif
