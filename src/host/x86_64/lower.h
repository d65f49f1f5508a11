/* What the x86-64 lowering (lower.c) and its register allocator (regalloc.c) share: the
 * state of one block being lowered, where each temp lives, and the allocator's interface. */
#ifndef VM_HOST_X86_64_LOWER_H
#define VM_HOST_X86_64_LOWER_H

#include <stddef.h>

#include "core/cpu.h"
#include "host/x86_64/backend.h"

#define CPU_OFF(f) ((int32_t)offsetof(struct cpu, f))

enum { L_REG = 1, L_MEM, L_CONST };
enum { S_EXIT, S_MEM, S_INT, S_HOT, S_TLB_LD, S_TLB_ST };

struct stub {
    uint8_t kind, reg, size;
    int32_t disp;           /* S_MEM: the access is at reg + disp */
    /* S_TLB_LD: reg = the result's register; S_TLB_ST: the value is in reg (vloc L_REG), at
     * [r14 + disp] (L_MEM) or the constant val (L_CONST). Both: memop (| i32 << 8). */
    uint8_t vloc;
    uint16_t memop;
    int64_t val;
    uint16_t wb_n;          /* guest fields to store first: lw->wb[wb_first..] */
    uint32_t wb_first;
    uint8_t *site;          /* rel32 of the branch to the stub (writable view) */
    uint8_t *back;          /* S_MEM: where to resume */
    uint64_t pc;
};

/* A put not stored yet: guest field off holds temp t, which stays in its host register
 * until the field is written back (at exits, calls, gets of the field, under pressure). */
struct dirty {
    int32_t off;
    ir_temp t;        /* IR_NONE: a constant, imm (sign-extended from 32 bits if w64) */
    uint8_t w64;
    int32_t imm;
};
#define MAX_DIRTY 16

/* A guest field a region's loop keeps in a host register from its loop op to the end: loaded
 * before the loop, stored (while dirty) by every exit, fault entry and call
 * (docs/performance.md, T2). */
struct pin {
    int32_t off;
    uint8_t reg, w64;
    uint8_t written;   /* the loop puts it: dirty at its start (from the back edge) */
    uint8_t dirty;     /* not stored since its last put */
    uint32_t held;     /* the last op that reads a temp in its register: a get of the field,
                          or a value computed into it for a put of the field (ra_def) */
};
#define MAX_PINS 5

struct lower {
    const struct ir_block *b;
    const struct x86_abi *abi;
    struct host_buf *o;
    uint32_t i;                       /* op being lowered */
    uint64_t pc;                      /* guest pc of its instruction */
    uint32_t busy;                    /* host registers holding live temps */
    ir_temp holder[16];
    uint8_t loc[IR_MAX_TEMPS];
    uint8_t reg[IR_MAX_TEMPS];
    int32_t mem[IR_MAX_TEMPS];        /* L_MEM: offset from r14 (a state field or a temp slot) */
    int64_t val[IR_MAX_TEMPS];
    uint8_t checked[IR_MAX_TEMPS];    /* a guest address base already compared with r13 */
    uint32_t last_use[IR_MAX_TEMPS];
    uint32_t def_at[IR_MAX_TEMPS];    /* ra_analyse: the op defining each temp, */
    uint16_t n_uses[IR_MAX_TEMPS];    /* and its uses */
    /* A shl by 1..3 whose one use is an add.i64: not emitted; the add is lea [a + x * 2^k]
     * with x = scaled_src, k = scale_log (0: not folded). */
    uint8_t scale_log[IR_MAX_TEMPS];
    ir_temp scaled_src[IR_MAX_TEMPS];
    /* A setcond whose one use is a movcond testing it against 0 (a guest's CMOVcc or CSEL
     * on a flag it computed): not emitted; the movcond compares the setcond's operands and
     * moves on its condition. */
    uint8_t cond_folded[IR_MAX_TEMPS];
    struct stub stubs[IR_MAX_OPS + 2];   /* and the entry's two */
    uint32_t n_stubs;
    struct host_map *map;
    uint32_t n_map;
    struct dirty dirty[MAX_DIRTY];
    unsigned n_dirty;
    uint32_t pinned;                  /* host registers of dirty fields */
    struct host_wb *wb;                /* write-back lists of stubs and of the map */
    uint32_t n_wb;
    struct pin pins[MAX_PINS];
    unsigned n_pins;
    uint32_t pin_mask;                /* their host registers: busy, never freed */
    const uint8_t *loop_label;        /* the code after the loop op, where goto_loop jumps */
    /* The fields the loop writes whole before anything could read them (a get, a fault, an
     * exit or a call): the back edge leaves their values to the stub of its way out. */
    struct field_range { int32_t off; uint8_t size; } loop_dead[MAX_DIRTY];
    unsigned n_loop_dead;
};

struct arg {
    ir_temp t;     /* IR_NONE: the constant imm */
    int64_t imm;
};

static inline const uint8_t *rx_of(const struct lower *lw, const uint8_t *p)
{
    return p + lw->o->rx_delta;
}

static inline int32_t slot_of(const struct lower *lw, ir_temp t)
{
    return lw->abi->env.temps_offset + 8 * (int32_t)t;
}

/* Liveness of the block's temps (last uses), and the shifts folded into adds as scaled
 * indexes (scale_log). */
void ra_analyse(struct lower *lw);
/* A get that can be read in place as a memory operand (nothing writes that state first). */
bool ra_get_in_place(const struct lower *lw, uint32_t i);
/* t as an r/m operand (a constant is loaded into scratch), as a register, or loaded into r
 * (zero-extended from 32 bits unless w64); ra_imm: t as a 32-bit immediate if it fits. */
struct x86_rm ra_rm(struct lower *lw, ir_temp t, unsigned scratch);
unsigned ra_reg(struct lower *lw, ir_temp t, unsigned scratch);
void ra_load(struct lower *lw, unsigned r, ir_temp t, bool w64);
bool ra_imm(const struct lower *lw, ir_temp t, bool w64, int32_t *imm);
/* Gives t a home: a free register, else its slot (the op then computes into spill_reg and
 * ra_def_done stores it); ra_def_reusing may take src's register at its last use. */
unsigned ra_def(struct lower *lw, ir_temp t, unsigned spill_reg);
unsigned ra_def_reusing(struct lower *lw, ir_temp t, ir_temp src);
void ra_def_done(struct lower *lw, ir_temp t, unsigned r);
/* put: the field becomes dirty if its value is in a register, else it is stored now. */
void ra_put(struct lower *lw, const struct ir_op *op);
/* Stores the dirty fields that overlap [off, off + size) (all: ra_flush_all) and forgets
 * them. */
void ra_flush(struct lower *lw, int64_t off, unsigned size);
void ra_flush_all(struct lower *lw);
/* A loop's back edge: ra_flush_all but for the fields the loop writes first (loop_dead),
 * which stay dirty for the stub of its exit check; ra_forget_dirty, after that stub, drops
 * them. */
void ra_flush_loop(struct lower *lw);
void ra_forget_dirty(struct lower *lw);
/* Copies the dirty and the pinned fields into lw->wb for a stub or a map entry; false (then the caller
 * flushes) if lw->wb is full. ra_emit_wb stores such a list. */
bool ra_snapshot(struct lower *lw, uint32_t *first, uint16_t *n);
void ra_emit_wb(struct lower *lw, uint32_t first, uint16_t n);
/* The loop op: picks the guest fields the loop reads and writes most (only those always
 * accessed whole, at one width) and loads them into host registers of their own. */
void ra_pin_loop(struct lower *lw);
/* The pin holding field off of size bytes, or -1. */
int ra_pin_of(const struct lower *lw, int64_t off, unsigned size);
/* A get of pin k: its register itself if nothing changes the field while the temp lives. */
void ra_get_pinned(struct lower *lw, const struct ir_op *op, int k);
/* A get.i32 of a 64-bit pinned field: its low half, zero-extended. */
void ra_get_pinned_low(struct lower *lw, const struct ir_op *op, int k);
/* Stores every dirty field, the pinned ones too, so that guest state in memory is whole
 * (before a call, or an exit or fault entry that does not list them). */
void ra_store_state(struct lower *lw);
/* After an op: frees the registers of temps it used for the last time. */
void ra_free_dead(struct lower *lw, const struct ir_op *op);
/* dst = fn([cpu,] args...), keeping live temps across the call (mid_op: the op's own
 * operands too); ra_call_helper: an op done by an exec helper on its operands. */
void ra_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
             unsigned n, ir_temp dst, bool mid_op);
void ra_call_helper(struct lower *lw, enum x86_helper h, const struct ir_op *op);

#endif
