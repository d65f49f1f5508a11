/* Loading the images of `vm boot` into guest RAM: a bare-metal ELF at its physical addresses
 * (with the HTIF symbols tohost and fromhost found in its symbol table as Spike does), a
 * RISC-V Linux Image, or a raw file (firmware .bin, a firmware's payload such as U-Boot,
 * initrd) at a given address. Every file
 * is read whole and checked before anything is copied or run. */
#ifndef VM_SYSTEM_LOADER_H
#define VM_SYSTEM_LOADER_H

#include <stdint.h>

/* Guest RAM: size bytes at physical base. */
struct guest_ram {
    uint8_t *host;
    uint64_t base, size;
};

struct loaded_image {
    uint64_t entry;
    uint64_t start, end;           /* the physical range it occupies */
    uint64_t tohost, fromhost;     /* 0: the symbol is absent */
};

/* How loader_load treats a file that is not an ELF. */
enum loader_kind {
    LOAD_RAW,                      /* copied as is (firmware, initrd) */
    LOAD_LINUX_IMAGE,              /* must carry the RISC-V Linux Image header */
    LOAD_PAYLOAD,                  /* a firmware's next stage: a Linux Image, whose header
                                      says how much memory it occupies, or else raw (U-Boot) */
};

/* Loads the file at path: an ELF for machine at its physical addresses, anything else as
 * kind says at addr (entry = addr). 0, or -1 after printing `vm: path: why`. */
int loader_load(const char *path, const struct guest_ram *ram, uint16_t machine,
                enum loader_kind kind, uint64_t addr, struct loaded_image *out);

#endif
