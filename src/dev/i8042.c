/* The i8042's reset command (dev/i8042.h). */
#include "dev/i8042.h"

#define PORT_COMMAND 4             /* 0x64 from I8042_BASE */
#define COMMAND_RESET 0xfe

static uint64_t i8042_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void i8042_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct i8042 *k = opaque;
    if (offset == PORT_COMMAND && (uint8_t)value == COMMAND_RESET)
        k->reset(k->opaque);
}

/* It has no state: the reset command acts at once. */
const struct mmio_ops i8042_ops = {
    .name = "i8042", .read = i8042_read, .write = i8042_write,
    .save = state_save_none, .load = state_load_none,
};
