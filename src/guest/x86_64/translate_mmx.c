/* The MMX family (0F opcodes without a prefix on mm registers, and MOVQ2DQ/MOVDQ2Q): moves
 * inline on the x87 registers' low quadwords, the element ops through sse.h's MMX helper,
 * which shares the SSE helpers' element code. Every form first raises a pending unmasked x87
 * exception (#MF) as FWAIT does, before its memory operand is touched (but CVTPI2PS/PD from
 * memory, which leaves the x87 state alone), then takes the x87 stack into MMX use (TOP = 0,
 * all tags valid), after its memory operand is read. */
#include "guest/x86_64/sse.h"
#include "guest/x86_64/translate.h"
#include "guest/x86_64/x87.h"

#define MO64 (IR_MO_64 | IR_MO_MMU(X64_MMU_USER))

static unsigned mm_off(unsigned n)
{
    return (unsigned)(X64_FIELD(x87.fpr) + 16 * (n & 7));
}

static ir_temp mm_get(struct x64_ctx *ctx, unsigned n)
{
    return ir_get(ctx->b, IR_I64, mm_off(n));
}

/* A write also sets the register's sign and exponent (bytes 8 and 9) to all ones. */
static void mm_put(struct x64_ctx *ctx, unsigned n, ir_temp v)
{
    ir_put(ctx->b, IR_I64, mm_off(n), v);
    ir_put(ctx->b, IR_I32, mm_off(n) + 8, ir_const(ctx->b, IR_I32, 0xffff));
}

static void enter(struct x64_ctx *ctx)
{
    ir_call(ctx->b, &x64_helper_mmx_enter, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

/* The r/m operand as an mm register or a quadword of memory. */
static ir_temp get_q(struct x64_ctx *ctx)
{
    if (ctx->in->mod == 3)
        return mm_get(ctx, ctx->in->rm);
    return ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 0);
}

void x64_trans_mmx(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned kind = (unsigned)in->def->arg >> 8, op = (unsigned)in->def->arg & 0xff;
    ir_temp v, zero = x64_const(ctx, 0);
    if (kind != X64_MMX_CVT_FROM || in->mod == 3)
        ir_call(b, &x64_helper_x87, x64_const(ctx, X87_ARG(X87_NOP, 0, 0)), zero, zero, IR_NONE);
    switch (kind) {
    case X64_MMX_INT: case X64_MMX_SHIFT: case X64_MMX_SHUF: {
        uint64_t desc;
        ir_temp lo = zero;
        if (kind == X64_MMX_SHIFT && op < 10) /* by an immediate: the register is ModRM.rm */
            desc = X64_SSE_DESC(op, in->rm & 7, 0, 0, in->imm & 0xff);
        else if (in->mod == 3)
            desc = X64_SSE_DESC(op, in->reg & 7, in->rm & 7, 0, in->imm & 0xff);
        else
            desc = X64_SSE_DESC(op, in->reg & 7, 0, 1, in->imm & 0xff), lo = get_q(ctx);
        ir_call(b, &x64_helper_mmx, x64_const(ctx, (int64_t)desc), lo, zero,
                x64_const(ctx, kind));
        return;
    }
    case X64_MMX_MOVD_TO: /* MOVD/MOVQ mm, r/m */
        v = x64_zext(ctx, in->opsize == 8 ? 8 : 4, x64_get_rm(ctx, in->opsize == 8 ? 8 : 4));
        enter(ctx);
        mm_put(ctx, in->reg, v);
        return;
    case X64_MMX_MOVD_FROM:
        enter(ctx);
        x64_put_rm(ctx, in->opsize == 8 ? 8 : 4, mm_get(ctx, in->reg));
        return;
    case X64_MMX_MOVQ_TO:
        v = get_q(ctx);
        enter(ctx);
        mm_put(ctx, in->reg, v);
        return;
    case X64_MMX_MOVQ_FROM:
        v = mm_get(ctx, in->reg);
        if (in->mod == 3) {
            enter(ctx);
            mm_put(ctx, in->rm, v);
        } else {
            ir_st(b, MO64, x64_ea(ctx), 0, v);
            enter(ctx);
        }
        return;
    case X64_MMX_EMMS:
        ir_call(b, &x64_helper_emms, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return;
    case X64_MMX_MOVMSK:
        enter(ctx);
        x64_put_reg(ctx, in->reg, 4, x64_movmsk_q(ctx, 2, mm_get(ctx, in->rm)));
        return;
    case X64_MMX_PEXTRW:
        enter(ctx);
        x64_put_reg(ctx, in->reg, 4,
                    ir_op1i(b, IR_extract, IR_I64, mm_get(ctx, in->rm), (16 * (in->imm & 3)) | 16 << 8));
        return;
    case X64_MMX_PINSRW: {
        v = in->mod == 3 ? x64_get_reg(ctx, in->rm, 8) : x64_load(ctx, x64_ea(ctx), 2);
        enter(ctx);
        ir_temp d = ir_new_temp(b, IR_I64);
        ir_emit(b, IR_deposit, IR_I64, d, mm_get(ctx, in->reg), v, IR_NONE, IR_NONE,
                (16 * (in->imm & 3)) | 16 << 8);
        mm_put(ctx, in->reg, d);
        return;
    }
    case X64_MMX_CVT_FROM: { /* CVTPI2PS/PD xmm, mm/m64: an mm source enters MMX use */
        ir_temp lo = get_q(ctx);
        if (in->mod == 3)
            enter(ctx);
        ir_call(b, &x64_helper_sse_cvt, x64_const(ctx, (int64_t)X64_SSE_DESC(op, in->reg, 0, 1, 0)),
                lo, zero, zero);
        return;
    }
    case X64_MMX_CVT_TO: { /* CVT(T)PS2PI mm, xmm/m64; CVT(T)PD2PI mm, xmm/m128 */
        uint64_t desc = X64_SSE_DESC(op, 0, in->rm, 0, 0);
        ir_temp lo = zero, hi = zero;
        if (in->mod != 3) {
            ir_temp ea = x64_ea(ctx);
            desc = X64_SSE_DESC(op, 0, 0, 1, 0);
            lo = ir_ld(b, IR_I64, MO64, ea, 0);
            if (op >= 18)
                hi = ir_ld(b, IR_I64, MO64, ea, 8);
        }
        v = ir_call(b, &x64_helper_sse_cvt, x64_const(ctx, (int64_t)desc), lo, hi, zero);
        enter(ctx);
        mm_put(ctx, in->reg, v);
        return;
    }
    case X64_MMX_MASKMOVQ:
        enter(ctx);
        x64_maskmov(ctx, true);
        return;
    case X64_MMX_MOVQ2DQ:
        v = mm_get(ctx, in->rm);
        enter(ctx);
        ir_put(b, IR_I64, X64_YMM(in->reg, 0), v);
        ir_put(b, IR_I64, X64_YMM(in->reg, 1), zero);
        return;
    default: /* X64_MMX_MOVDQ2Q */
        v = ir_get(b, IR_I64, X64_YMM(in->rm, 0));
        enter(ctx);
        mm_put(ctx, in->reg, v);
        return;
    }
}
