/* Loading a bare-metal ELF into guest RAM at its physical addresses, and finding the HTIF
 * symbols (tohost, fromhost) in its symbol table as Spike does. */
#ifndef VM_SYSTEM_KERNEL_ELF_H
#define VM_SYSTEM_KERNEL_ELF_H

#include <stdint.h>

struct kernel_image {
    uint64_t entry;
    uint64_t tohost, fromhost;     /* 0: the symbol is absent */
};

/* Loads the RISC-V ELF64 file at path into ram (size bytes at physical ram_base): every
 * PT_LOAD segment must lie inside it. 0, or -1 after printing `vm: path: why`. */
int kernel_load_elf(const char *path, uint8_t *ram, uint64_t ram_base, uint64_t size,
                    uint16_t machine, struct kernel_image *out);

#endif
