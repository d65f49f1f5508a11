/* The pvpanic device (dev/pvpanic.h). Only the byte at offset 0 means anything: other
 * offsets read 0 and ignore writes, as do writes of no known event. */
#include "dev/pvpanic.h"

static uint64_t pvpanic_read(void *opaque, uint64_t offset, unsigned size)
{
    return offset == 0 ? PVPANIC_PANICKED | PVPANIC_CRASH_LOADED : 0;
}

static void pvpanic_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    const struct pvpanic *p = opaque;
    unsigned events = (unsigned)value & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
    if (offset == 0 && events)
        p->event(p->opaque, events);
}

/* It has no state: an event acts at once. */
const struct mmio_ops pvpanic_mmio_ops = {
    .name = "pvpanic", .read = pvpanic_read, .write = pvpanic_write,
    .save = state_save_none, .load = state_load_none,
};
