/* A64 branches to IR: immediate (B, BL), conditional (B.cond, CBZ/CBNZ, TBZ/TBNZ) and
 * register (BR, BLR, RET). Each ends the block; conditional ones with an exit_if to the taken
 * target and a goto to the next instruction. */
#include "guest/aarch64/translate.h"

#define LINK_REG 30

static uint64_t target(struct a64_ctx *ctx, const struct a64_insn *in, unsigned hi, unsigned lo)
{
    return ctx->pc + ((uint64_t)a64_sext(a64_bits(in->word, hi, lo), hi - lo + 1) << 2);
}

void trans_b(struct a64_ctx *ctx, const struct a64_insn *in)
{
    if (in->def->arg)
        a64_put_x(ctx, LINK_REG, a64_const(ctx, (int64_t)(ctx->pc + 4)));
    a64_end_goto(ctx, target(ctx, in, 25, 0));
}

void trans_bcond(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned cond = a64_bits(in->word, 3, 0);
    uint64_t taken = target(ctx, in, 23, 5);
    if (cond >= 14) {
        a64_end_goto(ctx, taken);
        return;
    }
    struct a64_test t = a64_cond_test_typed(ctx, cond);
    ir_exit_if(ctx->b, t.type, t.cond, t.a, t.b, taken);
    a64_end_goto(ctx, ctx->pc + 4);
}

void trans_cbz(struct a64_ctx *ctx, const struct a64_insn *in)
{
    enum ir_type t = a64_type(in->sf);
    ir_exit_if(ctx->b, t, (enum ir_cond)in->def->arg, a64_get_x(ctx, in->rd),
               ir_const(ctx->b, t, 0), target(ctx, in, 23, 5));
    a64_end_goto(ctx, ctx->pc + 4);
}

/* Bit b5:b40 of Rt: 0 (tbz) or not (tbnz). */
void trans_tbz(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned bit = a64_bits(in->word, 31, 31) << 5 | a64_bits(in->word, 23, 19);
    ir_temp v = ir_op1i(ctx->b, IR_extract, IR_I64, a64_get_x(ctx, in->rd), bit | 1 << 8);
    ir_exit_if(ctx->b, IR_I64, (enum ir_cond)in->def->arg, v, a64_const(ctx, 0),
               target(ctx, in, 18, 5));
    a64_end_goto(ctx, ctx->pc + 4);
}

/* The target is read before the link register is written: blr x30 jumps to the old x30. */
void trans_br(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp dest = a64_get_x(ctx, in->rn);
    if (in->def->arg)
        a64_put_x(ctx, LINK_REG, a64_const(ctx, (int64_t)(ctx->pc + 4)));
    ir_goto_ind(ctx->b, dest);
    ctx->ended = true;
}
