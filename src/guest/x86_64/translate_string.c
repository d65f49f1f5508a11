/* x86-64 string instructions to IR: MOVS, CMPS, STOS, LODS, SCAS of every element size, with
 * REP, REPE and REPNE, and XLAT. A repeated instruction does one element per run and leaves
 * the block back to its own pc while RCX is not 0 (and, for CMPS and SCAS, while the
 * condition holds), so an interrupt or a fault comes between elements with RSI, RDI and RCX
 * exact, as on the CPU. DF picks the direction. The source may take an FS/GS override, the
 * destination (RDI) never does. */
#include "guest/x86_64/translate.h"

enum { MOVS, CMPS, STOS, LODS, SCAS };

/* +size, or -size when DF is set (i64). */
static ir_temp step(struct x64_ctx *ctx, unsigned size)
{
    struct ir_block *b = ctx->b;
    ir_temp df = ir_op1i(b, IR_extract, IR_I64, ir_get(b, IR_I64, X64_FIELD(eflags)),
                         10 | 1 << 8);
    unsigned log2 = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    return ir_op2(b, IR_sub, IR_I64, x64_const(ctx, size),
                  ir_op2(b, IR_shl, IR_I64, df, x64_const(ctx, log2 + 1)));
}

static ir_temp reg64(struct x64_ctx *ctx, unsigned n)
{
    return ir_get(ctx->b, IR_I64, X64_R(n));
}

/* The byte forms have even opcodes; the others take the operand size. */
void x64_trans_string(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned kind = (unsigned)in->def->arg, size = (in->opcode & 1) ? in->opsize : 1;
    bool rep = in->prefixes & (X64_P_REP | X64_P_REPNE);
    if (rep)
        ir_exit_if(b, IR_I64, IR_EQ, reg64(ctx, X64_RCX), x64_const(ctx, 0), ctx->next_pc);
    ir_temp d = step(ctx, size), a = IR_NONE, c = IR_NONE;
    ir_temp rsi = reg64(ctx, X64_RSI), rdi = reg64(ctx, X64_RDI);
    switch (kind) {
    case MOVS:
        x64_store(ctx, rdi, size, x64_load(ctx, x64_seg_addr(ctx, rsi), size));
        break;
    case CMPS:
        a = x64_load(ctx, x64_seg_addr(ctx, rsi), size);
        c = x64_load(ctx, rdi, size);
        break;
    case STOS:
        x64_store(ctx, rdi, size, x64_get_reg(ctx, X64_RAX, size));
        break;
    case LODS:
        x64_put_reg(ctx, X64_RAX, size, x64_load(ctx, x64_seg_addr(ctx, rsi), size));
        break;
    default:
        a = x64_get_reg(ctx, X64_RAX, size);
        c = x64_load(ctx, rdi, size);
        break;
    }
    if (kind == MOVS || kind == CMPS || kind == LODS)
        ir_put(b, IR_I64, X64_R(X64_RSI), ir_op2(b, IR_add, IR_I64, rsi, d));
    if (kind != LODS)
        ir_put(b, IR_I64, X64_R(X64_RDI), ir_op2(b, IR_add, IR_I64, rdi, d));
    if (a != IR_NONE)
        x64_set_cc(ctx, X64_CC_SUB, size, ir_op2(b, IR_sub, x64_type(size), a, c), a, c);
    if (!rep)
        return;
    ir_temp rcx = ir_op2(b, IR_sub, IR_I64, reg64(ctx, X64_RCX), x64_const(ctx, 1));
    ir_put(b, IR_I64, X64_R(X64_RCX), rcx);
    if (a != IR_NONE)   /* REPE stops on a difference, REPNE on equality */
        ir_exit_if(b, x64_type(size), (in->prefixes & X64_P_REP) ? IR_NE : IR_EQ,
                   x64_zext(ctx, size, a), x64_zext(ctx, size, c), ctx->next_pc);
    ir_exit_if(b, IR_I64, IR_NE, rcx, x64_const(ctx, 0), ctx->pc);
    x64_end_goto(ctx, ctx->next_pc);
}

/* AL = [rBX + AL] */
void x64_trans_xlat(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    struct ir_block *b = ctx->b;
    ir_temp off = ir_op2(b, IR_add, IR_I64, reg64(ctx, X64_RBX),
                         ir_op1(b, IR_zext8, IR_I64, reg64(ctx, X64_RAX)));
    x64_put_reg(ctx, X64_RAX, 1, x64_load(ctx, x64_seg_addr(ctx, off), 1));
}
