/* Writes random programs for randcode.c (one guest ISA): short instruction sequences drawn
 * from vm's own decode tables (so every instruction is one the guest ISA defines), with a few
 * reserved encodings mixed in, and the registers each starts with (pointers into the scratch,
 * boundary values and random ones). System instructions (system calls, system registers, the
 * counters and hints) are left out: the first would let random code make system calls, the
 * others read values that differ between two runs.
 *
 * Usage: randcode_gen riscv64|aarch64 SEED COUNT FILE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_util.h"
#include "guest/aarch64/decode.h"
#include "guest/aarch64/translate.h"
#include "guest/riscv64/decode.h"
#include "guest/riscv64/translate.h"
#include "randcode.h"

#define MAX_INSNS 12

_Static_assert(sizeof(struct randcode_record) == RANDCODE_RECORD_SIZE, "record layout");

/* A register value: half point into the scratch, the rest are boundaries or random, but
 * never small positive numbers that a jump could take into the guest program's own code. */
static uint64_t register_value(void)
{
    uint64_t r = rnd();
    if (r % 2)
        return RANDCODE_SCRATCH + (rnd() % RANDCODE_SCRATCH_SIZE & (r & 4 ? ~7ull : ~0ull));
    uint64_t v = interesting_value();
    return v >= 0x8000 && v < 0x10000000 ? v << 36 : v;
}

static uint64_t fp_value(void)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
        0xfff8000000000000ull, 0x7ff4000000000000ull, 0x0000000000000001ull,
        0xffffffff3f800000ull, 0xffffffff7fc00000ull, 0xffffffff7f800000ull,
        0x43e0000000000000ull, 0x41e0000000000000ull,
    };
    uint64_t r = rnd();
    return r % 2 ? special[(r >> 8) % (sizeof(special) / sizeof(special[0]))] : rnd();
}

/* ---- riscv64 ---- */

static bool rv_candidate(const struct rv64_insn_def *d)
{
    return d->trans != trans_ecall;
}

static bool rv_acceptable(uint32_t w)
{
    struct rv64_insn in;
    if (rv64_decode(w, &in) < 0)
        return false;
    /* Only the FP CSRs: the counters read differently in every run. */
    return rv_candidate(in.def) && (in.def->trans != trans_csr || (in.csr >= 1 && in.csr <= 3));
}

static unsigned rv_insn(uint8_t *out)
{
    uint64_t r = rnd();
    if (r % 64 == 0) {   /* reserved: all zeros, or a compressed encoding vm does not expand */
        uint32_t w = 0;
        uint16_t c;
        do
            c = (uint16_t)rnd();
        while ((c & 3) == 3 || rv64_expand_compressed(c, &w) == 0);
        memcpy(out, r & 64 ? &c : &(uint16_t){ 0 }, 2);
        return 2;
    }
    if (r % 4 == 1) {
        for (;;) {
            uint16_t c = (uint16_t)rnd();
            uint32_t w;
            if ((c & 3) != 3 && rv64_expand_compressed(c, &w) == 0 && rv_acceptable(w)) {
                memcpy(out, &c, 2);
                return 2;
            }
        }
    }
    for (;;) {
        const struct rv64_insn_def *d = &rv64_insns[rnd() % rv64_n_insns];
        uint32_t w = d->match | ((uint32_t)rnd() & ~d->mask);
        if (d->trans == trans_csr)
            w = (w & 0xfffff) | (uint32_t)(1 + rnd() % 3) << 20;
        if (rv_acceptable(w)) {
            memcpy(out, &w, 4);
            return 4;
        }
    }
}

/* ---- aarch64 ---- */

static bool a64_candidate(const struct a64_insn_def *d)
{
    a64_trans_fn *t = d->trans;
    return t != trans_svc && t != trans_sys && t != trans_msr && t != trans_mrs && t != trans_nop;
}

/* Loads that the architecture calls CONSTRAINED UNPREDICTABLE (any of several behaviours is
 * correct): a load pair into one register twice, writeback to a register also loaded or
 * stored. */
static bool a64_unpredictable(const struct a64_insn_def *d, uint32_t w)
{
    unsigned rt = w & 31, rn = (w >> 5) & 31, rt2 = (w >> 10) & 31;
    bool vector = w & (1u << 26), load = w & (1u << 22);
    a64_trans_fn *t = d->trans;
    bool writeback = t == trans_ldst_post || t == trans_ldst_pre || t == trans_ldstp_post ||
                     t == trans_ldstp_pre;
    bool pair = t == trans_ldstp_off || t == trans_ldstp_post || t == trans_ldstp_pre;
    if (vector)
        return false;
    if (pair && load && rt == rt2)
        return true;
    return writeback && rn != 31 && (rn == rt || (pair && rn == rt2));
}

static unsigned a64_insn(uint8_t *out)
{
    for (;;) {
        const struct a64_insn_def *d = &a64_insns[rnd() % a64_n_insns];
        uint32_t w = d->match | ((uint32_t)rnd() & ~d->mask);
        struct a64_insn in;
        if (a64_candidate(d) && a64_decode(w, &in) == 0 && in.def == d &&
            !a64_unpredictable(d, w)) {
            memcpy(out, &w, 4);
            return 4;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "riscv64") && strcmp(argv[1], "aarch64"))) {
        fprintf(stderr, "usage: randcode_gen riscv64|aarch64 SEED COUNT FILE\n");
        return 2;
    }
    bool rv = strcmp(argv[1], "riscv64") == 0;
    rnd_seed(strtoull(argv[2], NULL, 0));
    unsigned long count = strtoul(argv[3], NULL, 0);
    FILE *f = fopen(argv[4], "wb");
    if (!f) {
        fprintf(stderr, "randcode_gen: %s: %s\n", argv[4], strerror(errno));
        return 1;
    }
    uint64_t entry = RANDCODE_CODE + RANDCODE_ENTRY_OFFSET;
    for (unsigned long i = 0; i < count; i++) {
        struct randcode_record r;
        memset(&r, 0, sizeof(r));
        for (unsigned j = 0; j < 32; j++) {
            r.x[j] = register_value();
            r.f[j] = fp_value();
        }
        unsigned n = 1 + (unsigned)(rnd() % MAX_INSNS);
        for (unsigned j = 0; j < n && r.len + 4 <= RANDCODE_MAX_CODE; j++)
            r.len += rv ? rv_insn(r.code + r.len) : a64_insn(r.code + r.len);
        if (rv) {
            r.x[0] = 0;
            r.x[31] = entry;
        } else {
            r.x[16] = entry;
            r.x[31] = RANDCODE_SCRATCH + RANDCODE_SCRATCH_SIZE / 2;
        }
        if (fwrite(&r, sizeof(r), 1, f) != 1) {
            fprintf(stderr, "randcode_gen: %s: %s\n", argv[4], strerror(errno));
            return 1;
        }
    }
    return fclose(f) == 0 ? 0 : 1;
}
