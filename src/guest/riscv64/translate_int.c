/* RV64I and M to IR: integer arithmetic, compares, upper immediates, jumps and branches.
 * The W forms compute in i32 (the IR reads the low halves of i64 registers) and sign-extend. */
#include "guest/riscv64/translate.h"

static ir_temp imm_of(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    return rv_const(ctx, in->imm);
}

/* The RV64 result of a 32-bit operation: the i32 value sign-extended to 64 bits. */
static void put_x_w(struct rv64_ctx *ctx, unsigned rd, ir_temp value32)
{
    rv_put_x(ctx, rd, ir_op1(ctx->b, IR_sext32, IR_I64, value32));
}

/* Ops for which x OP 0 == 0 OP x == x: with one operand x0 the instruction is a move, which
 * is how the assembler writes mv, li and nop. */
static bool zero_is_identity(enum ir_opc opc)
{
    return opc == IR_add || opc == IR_or || opc == IR_xor;
}

void trans_alu_rr(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    enum ir_opc opc = (enum ir_opc)in->def->arg;
    if (zero_is_identity(opc) && (in->rs1 == 0 || in->rs2 == 0)) {
        rv_put_x(ctx, in->rd, rv_get_x(ctx, in->rs1 | in->rs2));
        return;
    }
    ir_temp a = rv_get_x(ctx, in->rs1), c = rv_get_x(ctx, in->rs2);
    rv_put_x(ctx, in->rd, ir_op2(ctx->b, opc, IR_I64, a, c));
}

void trans_alu_rr_w(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp a = rv_get_x(ctx, in->rs1), c = rv_get_x(ctx, in->rs2);
    put_x_w(ctx, in->rd, ir_op2(ctx->b, (enum ir_opc)in->def->arg, IR_I32, a, c));
}

void trans_alu_ri(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    enum ir_opc opc = (enum ir_opc)in->def->arg;
    if (!in->rd)
        return; /* nop and the other HINTs: no effect at all */
    if (zero_is_identity(opc) && in->rs1 == 0) {
        rv_put_x(ctx, in->rd, imm_of(ctx, in));
        return;
    }
    if (in->imm == 0 && opc != IR_and) { /* x op 0 == x also holds for the shifts */
        rv_put_x(ctx, in->rd, rv_get_x(ctx, in->rs1));
        return;
    }
    ir_temp a = rv_get_x(ctx, in->rs1);
    rv_put_x(ctx, in->rd, ir_op2(ctx->b, opc, IR_I64, a, imm_of(ctx, in)));
}

void trans_alu_ri_w(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp a = rv_get_x(ctx, in->rs1);
    ir_temp c = ir_const(ctx->b, IR_I32, (uint32_t)in->imm); /* i32 temps are zero-extended */
    put_x_w(ctx, in->rd, ir_op2(ctx->b, (enum ir_opc)in->def->arg, IR_I32, a, c));
}

void trans_setcond_rr(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp a = rv_get_x(ctx, in->rs1), c = rv_get_x(ctx, in->rs2);
    rv_put_x(ctx, in->rd, ir_setcond(ctx->b, IR_I64, (enum ir_cond)in->def->arg, a, c));
}

void trans_setcond_ri(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp a = rv_get_x(ctx, in->rs1);
    rv_put_x(ctx, in->rd,
             ir_setcond(ctx->b, IR_I64, (enum ir_cond)in->def->arg, a, imm_of(ctx, in)));
}

void trans_lui(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    rv_put_x(ctx, in->rd, imm_of(ctx, in));
}

void trans_auipc(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    rv_put_x(ctx, in->rd, rv_const(ctx, (int64_t)(ctx->pc + (uint64_t)in->imm)));
}

static void put_link(struct rv64_ctx *ctx, unsigned rd)
{
    if (rd)
        rv_put_x(ctx, rd, rv_const(ctx, (int64_t)(ctx->pc + ctx->len)));
}

void trans_jal(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    put_link(ctx, in->rd);
    rv_end_goto(ctx, ctx->pc + (uint64_t)in->imm);
}

/* The target is computed before rd is written: rd may be rs1. */
void trans_jalr(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp target = rv_get_x(ctx, in->rs1);
    if (in->imm)
        target = ir_op2(b, IR_add, IR_I64, target, imm_of(ctx, in));
    target = ir_op2(b, IR_and, IR_I64, target, rv_const(ctx, ~(int64_t)1));
    put_link(ctx, in->rd);
    ir_goto_ind(b, target);
    ctx->ended = true;
}

void trans_branch(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp a = rv_get_x(ctx, in->rs1), c = rv_get_x(ctx, in->rs2);
    ir_exit_if(ctx->b, IR_I64, (enum ir_cond)in->def->arg, a, c, ctx->pc + (uint64_t)in->imm);
    rv_end_goto(ctx, ctx->pc + ctx->len);
}
