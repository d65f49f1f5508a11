/* The record format and the fixed guest addresses shared by the random-code generator
 * (randcode_gen.c, on the host) and the guest program that runs the records (randcode.c).
 *
 * The guest maps the code page, the scratch data and its own save area at fixed addresses
 * far from each other and from the program (linked at RANDCODE_TEXT), so that random code,
 * which can only form addresses near its own pc or from its registers, cannot reach the
 * program or the save area: everything it can touch is in the code page or the scratch. */
#ifndef VM_TESTS_FUZZ_RANDCODE_H
#define VM_TESTS_FUZZ_RANDCODE_H

#include <stdint.h>

#define RANDCODE_CODE 0x2000000000      /* one page: traps, the sequence at +ENTRY_OFFSET */
#define RANDCODE_PAGE 0x1000u
#define RANDCODE_ENTRY_OFFSET 0x800u
#define RANDCODE_SCRATCH 0x2000100000   /* read-write data the registers point into */
#define RANDCODE_SCRATCH_SIZE 0x4000u
#define RANDCODE_SAVE 0x2400000000      /* the runner's saved registers and the result */
#define RANDCODE_ALTSTACK 0x2400010000  /* the signal handler's stack */
#define RANDCODE_ALTSTACK_SIZE 0x10000u
#define RANDCODE_TEXT 0x3000000000      /* where the guest program is linked */
#define RANDCODE_MAX_CODE 64

/* One random program: the registers it starts with and its code. riscv64: x[0] is unused,
 * x[31] (t6) is the entry address; aarch64: x[31] is sp, x[16] the entry address.
 * f: the f registers / the low halves of v0..v31. */
struct randcode_record {
    uint64_t x[32];
    uint64_t f[32];
    uint32_t len;    /* bytes of code */
    uint32_t pad;
    uint8_t code[RANDCODE_MAX_CODE];
};

#define RANDCODE_RECORD_SIZE (64 * 8 + 8 + RANDCODE_MAX_CODE)

#endif
