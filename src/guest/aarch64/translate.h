/* Shared by the translate_*.c files: the per-block translation context, register and flag
 * access in IR, condition evaluation, and the trans_* functions insns.def rows name (one per
 * instruction family; the row's arg says which member). */
#ifndef VM_GUEST_AARCH64_TRANSLATE_H
#define VM_GUEST_AARCH64_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "guest/aarch64/decode.h"
#include "guest/translator.h"
#include "ir/ir.h"

/* What the trans functions see of the instruction the shared loop is translating. */
struct a64_ctx {
    struct cpu *cpu;
    struct ir_block *b;
    uint64_t pc;      /* of the instruction being translated */
    bool ended;       /* the instruction emitted the block's final op */
    /* The translator's isa_state: what set the flags last in this block (translate.c's
     * flag_src), so that a condition can compare that instruction's operands directly. */
    uint64_t *flag_src;
};

int a64_translate_insn(struct translator *t);

/* Row args. Integer families: an IR opcode or A64_OP_* plus these flag bits. */
enum {
    A64_OP_ADD = 0, A64_OP_SUB = 1,
    A64_SETF = 1 << 8,    /* sets NZCV */
    A64_INVERT = 1 << 9,  /* second operand inverted (bic, orn, eon, ldclr) */
    A64_IMM = 1 << 10,    /* immediate form (ccmp) */
    A64_SIGNED = 1 << 11, /* signed widening (smaddl) */
};
enum { A64_MOVN, A64_MOVZ, A64_MOVK };
enum { A64_SBFM, A64_BFM, A64_UBFM };
enum { A64_CSEL, A64_CSINC, A64_CSINV, A64_CSNEG };
enum { A64_REV16, A64_REV32, A64_REV64 };

/* Load/store args: log2 of the access size (0..4, 4 = Q) and what kind of access. */
enum {
    A64_LS_SIZE = 7,
    A64_LS_SIGN = 1 << 3,  /* sign-extending load */
    A64_LS_W = 1 << 4,     /* ... to 32 bits (then zero-extended) */
    A64_LS_STORE = 1 << 5,
    A64_LS_FP = 1 << 6,    /* V register */
    A64_LS_PRFM = 1 << 7,  /* prefetch: no access at all */
};
#define LS(size, flags) ((size) | (flags))

/* Scalar FP args: an enum a64_fp_op or a64_round (fpu.h) in the low bits, plus these. */
enum { A64_FP_MOV, A64_FP_ABS, A64_FP_NEG, A64_FP_SQRT };
enum {
    A64_FP_SIGNED = 1 << 4,       /* signed integer side of a conversion */
    A64_FP_FIXED = 1 << 5,        /* fixed-point form (scale field) */
    A64_FP_EXACT = 1 << 8,        /* FRINTX: inexact raises IXC */
    A64_FP_NEG_PRODUCT = 1 << 9,  /* fused multiply-add variants */
    A64_FP_NEG_ADDEND = 1 << 10,
};

/* SIMD structure load/store args. */
enum { A64_SIMD_POST = 1, A64_SIMD_SINGLE = 2 };

/* Registers. Number 31 is XZR for get_x/put_x and SP for get_xsp/put_xsp. */
ir_temp a64_get_x(struct a64_ctx *ctx, unsigned n);
ir_temp a64_get_xsp(struct a64_ctx *ctx, unsigned n);
/* The address a data access uses for addr: under A64_TBF_TBI, bits 63:56 become copies of
 * bit 55 (a tag in them is dropped; branch targets get no such treatment). */
ir_temp a64_data_addr(struct a64_ctx *ctx, ir_temp addr);
void a64_put_x(struct a64_ctx *ctx, unsigned n, ir_temp value);
void a64_put_xsp(struct a64_ctx *ctx, unsigned n, ir_temp value);
/* Puts a result of width sf (W results zero-extended). */
void a64_put_r(struct a64_ctx *ctx, unsigned n, bool sf, ir_temp value);
void a64_put_rsp(struct a64_ctx *ctx, unsigned n, bool sf, ir_temp value);
ir_temp a64_const(struct a64_ctx *ctx, int64_t value);
/* into with bits pos..pos+len-1 replaced by the low bits of value. */
ir_temp a64_deposit(struct a64_ctx *ctx, enum ir_type t, ir_temp into, ir_temp value,
                    unsigned pos, unsigned len);
/* IR_I64 for sf, IR_I32 otherwise. */
enum ir_type a64_type(bool sf);

/* V registers as 64-bit halves; writing a scalar or 64-bit vector clears the upper half. */
ir_temp a64_get_v(struct a64_ctx *ctx, unsigned n, unsigned half);
void a64_put_v(struct a64_ctx *ctx, unsigned n, unsigned half, ir_temp value);
void a64_put_v64(struct a64_ctx *ctx, unsigned n, ir_temp value);

/* Flags, kept as struct a64_cpu describes. a64_put_nzcv/a64_get_nzcv: NZCV as bits 3..0 of
 * a temp; a64_get_carry: C as 0 or 1. */
void a64_put_nzcv(struct a64_ctx *ctx, ir_temp nzcv);
ir_temp a64_get_nzcv(struct a64_ctx *ctx);
ir_temp a64_get_carry(struct a64_ctx *ctx);
/* guest_ops.carry_state: which form the flags are in. */
uint64_t a64_carry_state(uint64_t isa_state);
/* NZ from result and C = V = 0 (logical ops). */
void a64_flags_logic(struct a64_ctx *ctx, enum ir_type t, ir_temp result);
/* a + b in type t, or with a carry (not IR_NONE: ADCS, SBCS) a + b + carry or, sub,
 * a - b - 1 + carry (a compare without one stores its operands: a64_add_flags); returns the
 * result and the values of nf, zf, cf, vf in flags[0..3] without putting them
 * (a64_put_flags). */
ir_temp a64_arith_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b, bool sub,
                        ir_temp carry, ir_temp flags[4]);
void a64_put_flags(struct a64_ctx *ctx, const ir_temp flags[4]);
/* The same without carry, putting the flags (a subtraction's as its operands). */
ir_temp a64_add_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b, bool sub);

/* A condition as an IR comparison of two temps: true iff (a cond b), comparing as type. When
 * the block's last flag setter was a compare, subtraction, addition or logical op, the test
 * compares its operands or result (cmp + b.gt becomes one compare of the operands) instead
 * of the flags it stored. a64_cond_test's tests compare as i64; a64_cond_test_typed's may
 * compare as i32 (for exit_if, whose type only says how to compare). */
struct a64_test {
    enum ir_cond cond;
    ir_temp a, b;
    enum ir_type type;
};
struct a64_test a64_cond_test(struct a64_ctx *ctx, unsigned cond);
struct a64_test a64_cond_test_typed(struct a64_ctx *ctx, unsigned cond);
/* CCMP's flags: those of a - b (type t) if test holds, else the immediate nzcv (bits 3..0). */
void a64_ccmp_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b,
                    struct a64_test test, unsigned nzcv);

/* Block ends and exceptions at this instruction. */
void a64_end_goto(struct a64_ctx *ctx, uint64_t pc);
void a64_gen_illegal(struct a64_ctx *ctx);
void a64_gen_raise(struct a64_ctx *ctx, const struct ir_helper *raise);

#define A64_TRANS_FUNCS(X)                                                        \
    /* translate_int.c */                                                         \
    X(adr) X(addsub_imm) X(logic_imm) X(movw) X(bitfield) X(extr) X(logic_reg)    \
    X(addsub_shift) X(addsub_ext) X(addsub_carry) X(ccmp) X(csel) X(div)          \
    X(shift_reg) X(crc32) X(rbit) X(rev) X(clz) X(madd) X(maddl) X(mulh)          \
    /* translate_branch.c */                                                      \
    X(b) X(bcond) X(cbz) X(tbz) X(br)                                             \
    /* translate_system.c */                                                      \
    X(svc) X(brk) X(nop) X(clrex) X(barrier) X(isb) X(dc_zva) X(sys) X(msr) X(mrs) \
    /* translate_mem.c */                                                         \
    X(ldst_uimm) X(ldst_simm) X(ldst_post) X(ldst_pre) X(ldst_reg) X(ld_literal)  \
    X(ldstp_off) X(ldstp_post) X(ldstp_pre) X(ldxr) X(stxr) X(cas) X(casp) X(ldar)    \
    X(stlr) X(ld_atomic)                                                          \
    A64_TRANS_FP(X) A64_TRANS_SIMD(X)

#define A64_TRANS_FP(X)                                                           \
    X(fp_arith2) X(fp_unary) X(fcvt) X(frint) X(fcmp) X(fccmp) X(fcsel) X(fmov_imm)  \
    X(fmadd) X(fcvt_to_int) X(fcvt_from_int) X(fmov_to_gen) X(fmov_from_gen)
#define A64_TRANS_SIMD(X)                                                          \
    X(simd_movi) X(simd_logic) X(simd_3same) X(simd_2misc) X(simd_across)             \
    X(simd_dup_elem) X(simd_dup_gen) X(simd_mov_to_gen) X(simd_ins_gen) X(simd_ins_elem) \
    X(simd_tbl) X(simd_permute) X(simd_shift) X(simd_3diff) X(simd_elem) X(simd_ldst)

#define A64_TRANS_DECLARE(name) a64_trans_fn trans_##name;
A64_TRANS_FUNCS(A64_TRANS_DECLARE)
#undef A64_TRANS_DECLARE

#endif
