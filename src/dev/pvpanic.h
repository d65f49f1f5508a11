/* pvpanic-mmio ("qemu,pvpanic-mmio", Linux's drivers/misc/pvpanic): one byte register through
 * which a guest kernel says it panicked (bit 0) or is about to boot a crash kernel (bit 1). A
 * read gives the events the device reports; a write tells the board the events written. */
#ifndef VM_DEV_PVPANIC_H
#define VM_DEV_PVPANIC_H

#include "mem/softmmu.h"

#define PVPANIC_SIZE 2
enum { PVPANIC_PANICKED = 1, PVPANIC_CRASH_LOADED = 2 };

struct pvpanic {
    void (*event)(void *opaque, unsigned events);   /* PVPANIC_* bits, never 0 */
    void *opaque;
};

extern const struct mmio_ops pvpanic_mmio_ops;

#endif
