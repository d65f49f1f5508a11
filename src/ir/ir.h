/* The IR: typed ops on single-assignment temps plus explicit guest-state get/put.
 * Guest frontends build an ir_block with the ir_* builder below; engines consume it.
 * docs/ir.md is the contract for the semantics of every op. */
#ifndef VM_IR_IR_H
#define VM_IR_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ir_type { IR_I32, IR_I64, IR_F32, IR_F64, IR_V128, IR_NTYPES };

/* Conditions of setcond/movcond/exit_if. */
enum ir_cond {
    IR_EQ, IR_NE, IR_LT, IR_GE, IR_LE, IR_GT, /* signed */
    IR_LTU, IR_GEU, IR_LEU, IR_GTU,           /* unsigned */
    IR_NCONDS
};
/* Each condition's negation, and the condition that holds for (b, a) where it holds for
 * (a, b). */
extern const uint8_t ir_cond_inverse[IR_NCONDS], ir_cond_swapped[IR_NCONDS];

/* Memory op: size is 1 << (memop & IR_MO_SIZE); IR_MO_SIGN sign-extends loads; the MMU
 * index (IR_MO_MMU(idx), 0..15) names the translation regime of the access, as a guest
 * defines them (its privilege levels; 0, the default, is the one user mode runs in). A flat
 * space ignores it; a softmmu space translates with the TLB of that index. */
enum {
    IR_MO_8 = 0, IR_MO_16 = 1, IR_MO_32 = 2, IR_MO_64 = 3,
    IR_MO_SIZE = 3,
    IR_MO_SIGN = 4,
    IR_MO_MMU_SHIFT = 4,
    IR_MO_MMU_MASK = 0xf0,
};
#define IR_MO_MMU(idx) ((unsigned)(idx) << IR_MO_MMU_SHIFT)
static inline unsigned ir_mo_mmu(unsigned memop)
{
    return (memop & IR_MO_MMU_MASK) >> IR_MO_MMU_SHIFT;
}
/* The result of ld.T with memop from the bytes it read (zero-extended): sign-extended to 64
 * bits for a signed memop, except that an i32 load of 8 or 16 signed bits is zero-extended
 * from 32 (what the engines' inline loads give). For engines' out-of-line loads. */
static inline uint64_t ir_ld_extend(uint64_t raw, unsigned memop, bool w32)
{
    unsigned bits = 8u << (memop & IR_MO_SIZE);
    if (!(memop & IR_MO_SIGN) || bits == 64)
        return raw;
    uint64_t v = (uint64_t)((int64_t)(raw << (64 - bits)) >> (64 - bits));
    return w32 && bits < 32 ? (uint32_t)v : v;
}

/* atomic_rmw kinds (in cond). */
enum ir_rmw {
    IR_RMW_XCHG, IR_RMW_ADD, IR_RMW_AND, IR_RMW_OR, IR_RMW_XOR,
    IR_RMW_SMIN, IR_RMW_SMAX, IR_RMW_UMIN, IR_RMW_UMAX,
    IR_NRMW
};

/* Op flags used in ops.def. */
enum {
    IR_F_IMM = 1 << 0,    /* imm is meaningful */
    IR_F_COND = 1 << 1,   /* cond is meaningful */
    IR_F_RSTATE = 1 << 2, /* reads guest state */
    IR_F_WSTATE = 1 << 3, /* writes guest state */
    IR_F_MEM = 1 << 4,    /* accesses guest memory; aux = memop */
    IR_F_FAULT = 1 << 5,  /* may raise a guest exception */
    IR_F_SIDE = 1 << 6,   /* has effects beyond its result */
    IR_F_EXIT = 1 << 7,   /* may leave the block */
    IR_F_END = 1 << 8,    /* always leaves the block: must be the last op */
};

enum ir_opc {
#define IR_OP(name, nout, nin, flags, class) IR_##name,
#include "ir/ops.def"
#undef IR_OP
};
/* Outside enum ir_opc, so that a switch on an op must name every op and nothing else. */
enum {
#define IR_OP(name, nout, nin, flags, class) + 1
    IR_NOPS = 0
#include "ir/ops.def"
#undef IR_OP
};

/* Op classes (the last column of ops.def). */
enum ir_class { IR_CLASS_int2, IR_CLASS_int1, IR_CLASS_fp2, IR_CLASS_fp1, IR_CLASS_own };
/* Per-class selection in an expansion of ops.def: IR_PICK_##class(a, b, c, d, e) is the
 * argument of that class, so
 *     #define IR_OP(name, nout, nin, flags, class) IR_PICK_##class(F, IR_SKIP, ...)(name)
 * expands F(name) for the int2 ops and nothing for the others. */
#define IR_PICK_int2(int2, int1, fp2, fp1, own) int2
#define IR_PICK_int1(int2, int1, fp2, fp1, own) int1
#define IR_PICK_fp2(int2, int1, fp2, fp1, own) fp2
#define IR_PICK_fp1(int2, int1, fp2, fp1, own) fp1
#define IR_PICK_own(int2, int1, fp2, fp1, own) own
#define IR_SKIP(...)

struct ir_opdef {
    const char *name;
    uint8_t n_out, n_in;
    uint16_t flags;
    uint8_t class;            /* enum ir_class */
};
extern const struct ir_opdef ir_opdefs[IR_NOPS];

typedef uint32_t ir_temp;
#define IR_NONE ((ir_temp)~0u)

struct ir_op {
    uint8_t opc;      /* enum ir_opc */
    uint8_t type;     /* enum ir_type of dst (and of the operands, except where docs/ir.md says) */
    uint8_t cond;     /* enum ir_cond, enum ir_rmw */
    uint8_t aux;      /* memop, exception of an exit (enum cpu_exc) */
    ir_temp dst;
    ir_temp src[4];
    int64_t imm;
};

/* A helper callable from IR: fn(cpu, a0, a1, a2, a3) -> result.
 * flags: IR_HELPER_* say what the helper touches so passes stay correct. */
typedef uint64_t (*ir_helper_fn)(void *cpu, uint64_t, uint64_t, uint64_t, uint64_t);
enum {
    IR_HELPER_RSTATE = 1 << 0, /* reads guest state (put ops before the call must be done) */
    IR_HELPER_WSTATE = 1 << 1, /* writes guest state (get ops after it must reload) */
    IR_HELPER_FAULT = 1 << 2,  /* may raise a guest exception (needs precise pc/state) */
    IR_HELPER_MEM = 1 << 3,    /* accesses guest memory itself and says so (mem_report) */
    IR_HELPER_PURE = 1 << 4,   /* its result is its only effect: unused, the call goes */
};
struct ir_helper {
    const char *name;
    ir_helper_fn fn;
    uint8_t n_args;
    uint8_t flags;
    uint8_t ret_type; /* enum ir_type of the result */
};

/* Block limits: frontends stop a block before exceeding them. */
#define IR_MAX_OPS 2048
#define IR_MAX_TEMPS 2048
#define IR_MAX_INSNS 128

struct ir_block {
    uint64_t pc;            /* guest pc of the first instruction */
    uint64_t end_pc;        /* guest pc after the last translated byte */
    uint32_t flags;         /* the cpu tb_flags it is translated for (core/cpu.h) */
    uint32_t n_insns;       /* guest instructions */
    uint32_t n_ops;
    uint32_t n_temps;
    struct ir_op ops[IR_MAX_OPS];
    uint8_t temp_type[IR_MAX_TEMPS];
    bool overflow;          /* the builder ran out of room; the frontend must end the block earlier */
};

void ir_block_init(struct ir_block *b, uint64_t pc);
/* Room for roughly one more guest instruction (so a frontend can stop the block cleanly). */
bool ir_block_full(const struct ir_block *b);
/* Whether op's result is its only effect (a call's: its helper says IR_HELPER_PURE), so a
 * pass may drop it when nothing reads that. */
bool ir_op_pure(const struct ir_op *op);

ir_temp ir_new_temp(struct ir_block *b, enum ir_type type);
struct ir_op *ir_emit(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp dst,
                      ir_temp s0, ir_temp s1, ir_temp s2, ir_temp s3, int64_t imm);

/* Convenience builders: each returns the result temp. */
ir_temp ir_const(struct ir_block *b, enum ir_type type, int64_t value);
ir_temp ir_get(struct ir_block *b, enum ir_type type, size_t offset);
void ir_put(struct ir_block *b, enum ir_type type, size_t offset, ir_temp value);
ir_temp ir_op1(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a);
ir_temp ir_op2(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a, ir_temp c);
ir_temp ir_op1i(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a, int64_t imm);
ir_temp ir_setcond(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c);
ir_temp ir_movcond(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c,
                   ir_temp if_true, ir_temp if_false);
ir_temp ir_ld(struct ir_block *b, enum ir_type type, unsigned memop, ir_temp addr, int64_t offset);
void ir_st(struct ir_block *b, unsigned memop, ir_temp addr, int64_t offset, ir_temp value);
ir_temp ir_atomic_rmw(struct ir_block *b, enum ir_type type, enum ir_rmw kind, unsigned memop,
                      ir_temp addr, ir_temp value);
ir_temp ir_cmpxchg(struct ir_block *b, enum ir_type type, unsigned memop, ir_temp addr,
                   ir_temp expected, ir_temp newval);
void ir_fence(struct ir_block *b);
/* Pass IR_NONE for unused arguments. */
ir_temp ir_call(struct ir_block *b, const struct ir_helper *h, ir_temp a0, ir_temp a1, ir_temp a2,
                ir_temp a3);
void ir_insn_start(struct ir_block *b, uint64_t pc);
void ir_exit_if(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c,
                uint64_t target_pc);
void ir_goto_pc(struct ir_block *b, uint64_t pc);
void ir_goto_ind(struct ir_block *b, ir_temp pc);
/* Leaves the block raising exception exc (enum cpu_exc) with the pc set to pc. */
void ir_exit(struct ir_block *b, int exc, uint64_t pc);
/* A loop (T2 regions): ir_loop marks where the translation of the code at pc starts, and
 * ir_goto_loop, the last op, continues there (at the loop op, or leaving for pc). */
void ir_loop(struct ir_block *b, uint64_t pc);
void ir_goto_loop(struct ir_block *b, uint64_t pc);

/* Printer (--log=op) and verifier (run on every block in debug builds and in tests).
 * ir_verify returns 0 or -EINVAL and writes the first problem into err. */
void ir_print(FILE *f, const struct ir_block *b);
int ir_verify(const struct ir_block *b, char *err, size_t errlen);

const char *ir_type_name(enum ir_type t);
const char *ir_cond_name(enum ir_cond c);

#endif
