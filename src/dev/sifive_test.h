/* The SiFive test device ("sifive,test0", a "syscon" for Linux's syscon-poweroff and
 * syscon-reboot drivers and OpenSBI's reset driver): a 16- or 32-bit write at offset 0 whose
 * low 16 bits are 0x5555 powers off with success, 0x3333 powers off with failure code
 * value >> 16, 0x7777 resets. The board decides what each means for vm. */
#ifndef VM_DEV_SIFIVE_TEST_H
#define VM_DEV_SIFIVE_TEST_H

#include "mem/softmmu.h"

#define SIFIVE_TEST_SIZE 0x1000

enum sifive_test_request { SIFIVE_TEST_PASS, SIFIVE_TEST_FAIL, SIFIVE_TEST_RESET };

struct sifive_test {
    void (*request)(void *opaque, enum sifive_test_request what, unsigned code);
    void *opaque;
};

extern const struct mmio_ops sifive_test_mmio_ops;

#endif
