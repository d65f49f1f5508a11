/* The SiFive test device (dev/sifive_test.h). Reads return 0; other values, offsets and
 * byte writes are ignored. A 16-bit write is a command with code 0 (OpenSBI writes its
 * command so). */
#include "dev/sifive_test.h"

static uint64_t sifive_test_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct sifive_test *t = opaque;
    if (offset != 0 || size < 2)
        return;
    unsigned code = (uint32_t)value >> 16;
    switch (value & 0xffff) {
    case 0x5555: t->request(t->opaque, SIFIVE_TEST_PASS, 0); break;
    case 0x3333: t->request(t->opaque, SIFIVE_TEST_FAIL, code); break;
    case 0x7777: t->request(t->opaque, SIFIVE_TEST_RESET, 0); break;
    }
}

/* It has no state: a command acts at once. */
const struct mmio_ops sifive_test_mmio_ops = {
    .name = "sifive_test", .read = sifive_test_read, .write = sifive_test_write,
    .save = state_save_none, .load = state_load_none,
};
