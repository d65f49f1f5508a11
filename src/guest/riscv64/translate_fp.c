/* F and D to IR. Anything that rounds, raises flags, or looks at NaNs is a call to the fpu.h
 * helper the insns.def row names; the pure bit moves (fmv.*, double sign injection) are
 * inline. Single values live NaN-boxed in the 64-bit f registers. */
#include "guest/riscv64/translate.h"

#include "guest/riscv64/fpu.h"

#define NAN_BOX_32 ((int64_t)0xffffffff00000000ull)
#define SIGN_64 INT64_MIN

static ir_temp get_reg(struct rv64_ctx *ctx, const struct rv64_insn *in, unsigned n,
                       unsigned f_flag)
{
    return (in->def->fregs & f_flag) ? rv_get_f(ctx, n) : rv_get_x(ctx, n);
}

static void put_rd(struct rv64_ctx *ctx, const struct rv64_insn *in, ir_temp value)
{
    if (in->def->fregs & RV_RD_F)
        rv_put_f(ctx, in->rd, value);
    else
        rv_put_x(ctx, in->rd, value);
}

static unsigned source_count(enum rv64_fmt fmt)
{
    switch (fmt) {
    case RV_FMT_R4: return 3;
    case RV_FMT_R2:
    case RV_FMT_R2_RM: return 1;
    default: return 2;
    }
}

static bool has_rm(enum rv64_fmt fmt)
{
    return fmt == RV_FMT_R_RM || fmt == RV_FMT_R2_RM || fmt == RV_FMT_R4;
}

/* rd = helper(rs1[, rs2[, rs3]], rm): the helper resolves the dynamic mode (7) from frm. */
void trans_fp_helper(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    enum rv64_fmt fmt = (enum rv64_fmt)in->def->fmt;
    if (has_rm(fmt) && (in->rm == 5 || in->rm == 6)) {
        rv_gen_illegal(ctx);
        return;
    }
    unsigned n = source_count(fmt);
    ir_temp a = get_reg(ctx, in, in->rs1, RV_RS1_F);
    ir_temp c = n >= 2 ? get_reg(ctx, in, in->rs2, RV_RS2_F) : IR_NONE;
    ir_temp d = n >= 3 ? get_reg(ctx, in, in->rs3, RV_RS3_F) : IR_NONE;
    ir_temp rm = rv_const(ctx, has_rm(fmt) ? in->rm : 0);
    put_rd(ctx, in, ir_call(ctx->b, &rvfp_helpers[in->def->arg], a, c, d, rm));
}

/* fsgnj.d (arg 0), fsgnjn.d (1), fsgnjx.d (2): rs1's magnitude with a sign from rs2. */
void trans_fsgnj_d(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp a = rv_get_f(ctx, in->rs1), c = rv_get_f(ctx, in->rs2);
    ir_temp sign_bit = rv_const(ctx, SIGN_64);
    ir_temp result;
    if (in->def->arg == 2) {
        result = ir_op2(b, IR_xor, IR_I64, a, ir_op2(b, IR_and, IR_I64, c, sign_bit));
    } else {
        ir_temp sign = in->def->arg == 0 ? ir_op2(b, IR_and, IR_I64, c, sign_bit)
                                         : ir_op2(b, IR_andc, IR_I64, sign_bit, c);
        result = ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_andc, IR_I64, a, sign_bit), sign);
    }
    rv_put_f(ctx, in->rd, result);
}

/* fmv.x.w: the low 32 bits of the f register, sign-extended (boxed or not). */
void trans_fmv_x_w(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    rv_put_x(ctx, in->rd, ir_op1(ctx->b, IR_sext32, IR_I64, rv_get_f(ctx, in->rs1)));
}

/* fmv.w.x: the low 32 bits of the x register, NaN-boxed. */
void trans_fmv_w_x(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp v = ir_op2(ctx->b, IR_or, IR_I64, rv_get_x(ctx, in->rs1), rv_const(ctx, NAN_BOX_32));
    rv_put_f(ctx, in->rd, v);
}

/* fmv.x.d, fmv.d.x: the 64-bit pattern unchanged. */
void trans_fmv_bits(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    put_rd(ctx, in, get_reg(ctx, in, in->rs1, RV_RS1_F));
}
