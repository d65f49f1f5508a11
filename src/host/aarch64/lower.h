/* What the AArch64 lowering (lower.c) and its register allocator (regalloc.c) share: the
 * state of one block being lowered, where each temp lives, and the allocator's interface. */
#ifndef VM_HOST_AARCH64_LOWER_H
#define VM_HOST_AARCH64_LOWER_H

#include <stddef.h>

#include "core/cpu.h"
#include "host/aarch64/backend.h"

#define CPU_OFF(f) ((int32_t)offsetof(struct cpu, f))

/* Scratch registers: operands (S0, S1), a result without a register of its own (SD), and
 * one more for the few ops that need it (SX). */
enum { S0 = 16, S1 = 17, SD = 15, SX = 8 };

enum { L_REG = 1, L_MEM, L_CONST };
enum { S_EXIT, S_MEM, S_INT };

struct stub {
    uint8_t kind, reg, size;
    bool chain_in_stub;     /* S_EXIT: the stub starts with the chain site (else site is it) */
    int64_t disp;           /* S_MEM: the access is at reg + disp */
    uint8_t *site;          /* the branch to the stub (writable view) */
    uint8_t *back;          /* S_MEM: where to resume */
    uint64_t pc;
};

struct lower {
    const struct ir_block *b;
    const struct a64_abi *abi;
    struct host_buf *o;
    uint32_t i;                       /* op being lowered */
    uint64_t pc;                      /* guest pc of its instruction */
    uint32_t busy;                    /* host registers holding live temps */
    ir_temp holder[32];
    uint8_t loc[IR_MAX_TEMPS];
    uint8_t reg[IR_MAX_TEMPS];
    int32_t mem[IR_MAX_TEMPS];        /* L_MEM: offset from x28 (the temp's slot) */
    int64_t val[IR_MAX_TEMPS];
    uint8_t checked[IR_MAX_TEMPS];    /* a guest address base already compared with x26 */
    uint32_t last_use[IR_MAX_TEMPS];
    struct stub stubs[IR_MAX_OPS + 1];
    uint32_t n_stubs;
    struct host_map *map;
    uint32_t n_map;
};

struct arg {
    ir_temp t;     /* IR_NONE: the constant imm */
    int64_t imm;
};

static inline int32_t slot_of(const struct lower *lw, ir_temp t)
{
    return lw->abi->env.temps_offset + 8 * (int32_t)t;
}

/* Liveness of the block's temps (last uses). */
void ra_analyse(struct lower *lw);
/* A register holding t: its own, else scratch loaded with it (a constant 0 is the zero
 * register when zr_ok). A 32-bit temp's constant is loaded zero-extended. */
unsigned ra_src(struct lower *lw, ir_temp t, unsigned scratch, bool zr_ok);
/* r = t (all 64 bits). */
void ra_load(struct lower *lw, unsigned r, ir_temp t);
/* Loads and stores of 4 or 8 bytes at [x28 + off] (any offset; a large one uses addr_scratch). */
void ra_ldst_cpu(struct lower *lw, bool store, bool w64, unsigned r, int64_t off,
                 unsigned addr_scratch);
/* Gives t a home: a free register, else its slot (then the op computes into SD and
 * ra_def_done stores it); ra_def_reusing may take src's register at its last use. */
unsigned ra_def(struct lower *lw, ir_temp t);
unsigned ra_def_reusing(struct lower *lw, ir_temp t, ir_temp src);
void ra_def_done(struct lower *lw, ir_temp t, unsigned r);
/* After an op: frees the registers of temps it used for the last time. */
void ra_free_dead(struct lower *lw, const struct ir_op *op);
/* dst = fn([cpu,] args...), keeping live temps across the call (mid_op: the op's own
 * operands too). */
void ra_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
             unsigned n, ir_temp dst, bool mid_op);

#endif
