/* AArch64 scalar floating point to IR. Anything that rounds, raises FPSR flags or looks at
 * NaNs is a call to an fpu.h helper; the pure bit moves (FMOV, FABS, FNEG, FCSEL, the FNMUL and
 * fused-negate sign flips) are inline. Scalars live in the low bits of a V register and
 * writing one clears the rest of the register. */
#include "guest/aarch64/translate.h"

#include "guest/aarch64/cpu.h"
#include "guest/aarch64/fpu.h"

/* log2 of the byte size for ftype (00 single, 01 double, 11 half), or -1 if reserved. */
static int ftype_size(unsigned ftype, bool half_ok)
{
    switch (ftype) {
    case 0: return 2;
    case 1: return 3;
    case 3: return half_ok ? 1 : -1;
    default: return -1;
    }
}

static int insn_size(const struct a64_insn *in, bool half_ok)
{
    return ftype_size(a64_bits(in->word, 23, 22), half_ok);
}

static ir_temp size_mask(struct a64_ctx *ctx, int size, ir_temp v)
{
    static const enum ir_opc narrow[4] = { IR_zext8, IR_zext16, IR_zext32, IR_mov };
    return size == 3 ? v : ir_op1(ctx->b, narrow[size], IR_I64, v);
}

static ir_temp get_fp(struct a64_ctx *ctx, unsigned n, int size)
{
    return size_mask(ctx, size, a64_get_v(ctx, n, 0));
}

static ir_temp sign_mask(struct a64_ctx *ctx, int size)
{
    return a64_const(ctx, (int64_t)(1ull << ((8 << size) - 1)));
}

static ir_temp call_fp(struct a64_ctx *ctx, enum a64fp_helper h, ir_temp a, ir_temp b, ir_temp c,
                       uint64_t desc)
{
    return ir_call(ctx->b, &a64fp_helpers[h], a, b == IR_NONE ? a64_const(ctx, 0) : b,
                   c == IR_NONE ? a64_const(ctx, 0) : c, a64_const(ctx, (int64_t)desc));
}

void trans_fp_arith2(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    unsigned op = in->def->arg & 0xff;
    ir_temp r = call_fp(ctx, A64FP_arith, get_fp(ctx, in->rn, size), get_fp(ctx, in->rm, size),
                        IR_NONE, (uint64_t)size | op << 4);
    if (in->def->arg & A64_INVERT) /* FNMUL negates the product, NaN or not */
        r = ir_op2(ctx->b, IR_xor, IR_I64, r, sign_mask(ctx, size));
    a64_put_v64(ctx, in->rd, r);
}

void trans_fp_unary(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp v = get_fp(ctx, in->rn, size);
    switch (in->def->arg) {
    case A64_FP_ABS: v = ir_op2(ctx->b, IR_andc, IR_I64, v, sign_mask(ctx, size)); break;
    case A64_FP_NEG: v = ir_op2(ctx->b, IR_xor, IR_I64, v, sign_mask(ctx, size)); break;
    case A64_FP_SQRT:
        v = call_fp(ctx, A64FP_arith, v, IR_NONE, IR_NONE, (uint64_t)size | A64_FSQRT << 4);
        break;
    default: break;
    }
    a64_put_v64(ctx, in->rd, v);
}

/* FCVT: source type in ftype, destination type in bits 16:15. */
void trans_fcvt(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int from = insn_size(in, true), to = ftype_size(a64_bits(in->word, 16, 15), true);
    if (from < 0 || to < 0 || from == to) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp r = call_fp(ctx, A64FP_convert, get_fp(ctx, in->rn, from), IR_NONE, IR_NONE,
                        (uint64_t)to | (uint64_t)from << 4);
    a64_put_v64(ctx, in->rd, r);
}

void trans_frint(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t desc = (uint64_t)size | (uint64_t)(in->def->arg & 7) << 4 |
                    ((in->def->arg & A64_FP_EXACT) ? 1u << 8 : 0);
    a64_put_v64(ctx, in->rd, call_fp(ctx, A64FP_round_int, get_fp(ctx, in->rn, size), IR_NONE,
                                     IR_NONE, desc));
}

/* FCMP/FCMPE (bit 4 signals on quiet NaNs); bit 3 compares with +0.0. */
void trans_fcmp(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp b = a64_bits(in->word, 3, 3) ? a64_const(ctx, 0) : get_fp(ctx, in->rm, size);
    ir_temp nzcv = call_fp(ctx, A64FP_compare, get_fp(ctx, in->rn, size), b, IR_NONE,
                           (uint64_t)size | a64_bits(in->word, 4, 4) << 4);
    a64_put_nzcv(ctx, nzcv);
}

/* FCCMP/FCCMPE: the compare's flags if cond holds, else the nzcv immediate. */
void trans_fccmp(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    struct a64_test t = a64_cond_test(ctx, a64_bits(in->word, 15, 12));
    /* The compare may raise flags only when it happens: run it on a NaN-free pair otherwise. */
    ir_temp zero = a64_const(ctx, 0);
    ir_temp a = ir_movcond(ctx->b, IR_I64, t.cond, t.a, t.b, get_fp(ctx, in->rn, size), zero);
    ir_temp c = ir_movcond(ctx->b, IR_I64, t.cond, t.a, t.b, get_fp(ctx, in->rm, size), zero);
    ir_temp nzcv = call_fp(ctx, A64FP_compare, a, c, IR_NONE,
                           (uint64_t)size | a64_bits(in->word, 4, 4) << 4);
    nzcv = ir_movcond(ctx->b, IR_I64, t.cond, t.a, t.b, nzcv,
                      a64_const(ctx, a64_bits(in->word, 3, 0)));
    a64_put_nzcv(ctx, nzcv);
}

void trans_fcsel(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    struct a64_test t = a64_cond_test(ctx, a64_bits(in->word, 15, 12));
    a64_put_v64(ctx, in->rd, ir_movcond(ctx->b, IR_I64, t.cond, t.a, t.b,
                                        get_fp(ctx, in->rn, size), get_fp(ctx, in->rm, size)));
}

void trans_fmov_imm(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t v = a64_expand_fp_imm(a64_bits(in->word, 20, 13), size == 3);
    a64_put_v64(ctx, in->rd, a64_const(ctx, (int64_t)v));
}

/* Rd = (+-Ra) + (+-Rn) * Rm, fused; the negations apply to the operands (NaNs included). */
void trans_fmadd(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp n = get_fp(ctx, in->rn, size), addend = get_fp(ctx, in->ra, size);
    if (in->def->arg & A64_FP_NEG_PRODUCT)
        n = ir_op2(ctx->b, IR_xor, IR_I64, n, sign_mask(ctx, size));
    if (in->def->arg & A64_FP_NEG_ADDEND)
        addend = ir_op2(ctx->b, IR_xor, IR_I64, addend, sign_mask(ctx, size));
    ir_temp r = call_fp(ctx, A64FP_arith, n, get_fp(ctx, in->rm, size), addend,
                        (uint64_t)size | A64_FMULADD << 4);
    a64_put_v64(ctx, in->rd, r);
}

/* Fraction bits of the fixed-point forms: 64 - scale, at most the integer width. */
static int fixed_bits(const struct a64_insn *in)
{
    if (!(in->def->arg & A64_FP_FIXED))
        return 0;
    unsigned fbits = 64 - a64_bits(in->word, 15, 10);
    return fbits > (in->sf ? 64u : 32u) ? -1 : (int)fbits;
}

void trans_fcvt_to_int(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false), fbits = fixed_bits(in);
    if (size < 0 || fbits < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t desc = (uint64_t)size | (uint64_t)(in->def->arg & 7) << 4 |
                    ((in->def->arg & A64_FP_SIGNED) ? 1u << 8 : 0) |
                    (uint64_t)(in->sf ? 64 : 32) << 9 | (uint64_t)fbits << 16;
    a64_put_x(ctx, in->rd, call_fp(ctx, A64FP_to_int, get_fp(ctx, in->rn, size), IR_NONE,
                                   IR_NONE, desc));
}

void trans_fcvt_from_int(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = insn_size(in, false), fbits = fixed_bits(in);
    if (size < 0 || fbits < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t desc = (uint64_t)size | ((in->def->arg & A64_FP_SIGNED) ? 1u << 8 : 0) |
                    (uint64_t)(in->sf ? 64 : 32) << 9 | (uint64_t)fbits << 16;
    a64_put_v64(ctx, in->rd, call_fp(ctx, A64FP_from_int, a64_get_x(ctx, in->rn), IR_NONE,
                                     IR_NONE, desc));
}

/* The FMOV general forms: W<->S (sf 0, single), X<->D (sf 1, double), W/X<->H (half), and
 * (arg 1) X<->V.D[1]. */
static int fmov_gen_size(const struct a64_insn *in)
{
    if (in->def->arg)
        return 3;
    int size = insn_size(in, true);
    if (size == 1 || (size == 2 && !in->sf) || (size == 3 && in->sf))
        return size;
    return -1;
}

void trans_fmov_to_gen(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = fmov_gen_size(in);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    a64_put_x(ctx, in->rd, size_mask(ctx, size, a64_get_v(ctx, in->rn, in->def->arg)));
}

void trans_fmov_from_gen(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int size = fmov_gen_size(in);
    if (size < 0) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp v = size_mask(ctx, size, a64_get_x(ctx, in->rn));
    if (in->def->arg)
        a64_put_v(ctx, in->rd, 1, v);
    else
        a64_put_v64(ctx, in->rd, v);
}
