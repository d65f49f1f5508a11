/* System mode: building a machine from `vm boot`'s options and running it to its end. */
#ifndef VM_SYSTEM_BOOT_H
#define VM_SYSTEM_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine.h"
#include "core/registry.h"

/* Debian's OpenSBI (package opensbi): the firmware `vm boot` loads by default. */
#define BOOT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

#define BOOT_DRIVES_MAX 6

/* A disk: --drive=FILE[,readonly]. */
struct boot_drive {
    const char *path;
    bool readonly;
};

struct boot_config {
    const char *machine;           /* "virt" */
    unsigned cpus;                 /* harts */
    uint64_t memory;               /* RAM bytes */
    const char *bios;              /* firmware file (ELF or raw, fw_dynamic), or NULL for none */
    const char *kernel;            /* ELF or RISC-V Linux Image, or NULL */
    const char *initrd;            /* NULL: none */
    const char *append;            /* the kernel's command line, or NULL */
    struct boot_drive drives[BOOT_DRIVES_MAX];   /* virtio-blk disks, in order */
    unsigned n_drives;
    const char *net;               /* --net: "user[,hostfwd=...]", or NULL for no network */
    const char *dump_dtb;          /* write the device tree there and stop, or NULL */
    const struct engine_ops *engine;
    /* Called once the machine exists, before it runs (services observe it from there); a
     * non-zero return is the exit status to stop with. NULL for none. */
    int (*created)(struct machine *m, void *opaque);
    void *opaque;
};

/* Runs the machine until the guest ends it; returns vm's exit status (the guest's, or 1
 * after printing `vm: what: why` when the machine cannot be built or stops abnormally). */
int boot_run(const struct boot_config *c);

#endif
