/* x86-64 control transfer and the stack to IR: JMP, Jcc, CALL and RET (relative and
 * indirect), PUSH and POP. Branches end the block; Jcc with an exit_if to the taken target
 * (a compare of the operands themselves after CMP, TEST and ALU ops: translate_flags.c) and
 * a goto to the next instruction, unless that is a Jcc too. RSP changes only after the
 * access that may fault. A target that is not canonical is #GP at the branch, which changes
 * nothing (fault.h). */
#include "guest/x86_64/fault.h"
#include "guest/x86_64/translate.h"

/* A relative target, or the marker of a #GP at this instruction if it is not canonical. */
static uint64_t rel_target(const struct x64_ctx *ctx, const struct x64_insn *in)
{
    uint64_t target = ctx->next_pc + (uint64_t)in->imm;
    return x64_canonical(target) ? target : x64_gp_marker(ctx->pc);
}

/* Leaves for the marker of a #GP at this instruction if target is not canonical: before the
 * instruction changes anything. */
static void check_target(struct x64_ctx *ctx, ir_temp target)
{
    struct ir_block *b = ctx->b;
    ir_temp ext = ir_op2(b, IR_shl, IR_I64, target, x64_const(ctx, 16));
    ext = ir_op2(b, IR_sar, IR_I64, ext, x64_const(ctx, 16));
    ir_exit_if(b, IR_I64, IR_NE, ext, target, x64_gp_marker(ctx->pc));
}

/* arg 0: relative; 1: r/m. */
void x64_trans_jmp(struct x64_ctx *ctx, const struct x64_insn *in)
{
    if (in->def->arg == 0) {
        x64_end_goto(ctx, rel_target(ctx, in));
        return;
    }
    ir_temp target = x64_get_rm(ctx, 8);
    check_target(ctx, target);
    x64_end_ind(ctx, target);
}

/* Whether the next instruction, on this page, is a Jcc (rel8 or rel32, no prefix). */
static bool jcc_follows(struct x64_ctx *ctx, const struct x64_insn *in)
{
    uint8_t p[2];
    unsigned left = 4096 - (unsigned)(ctx->next_pc & 4095);
    size_t n = left < sizeof(p) ? left : sizeof(p);
    if (left == 4096 || translator_fetch(ctx->t, in->len, p, n) < 0)
        return false;
    return (p[0] & 0xf0) == 0x70 || (n == 2 && p[0] == 0x0f && (p[1] & 0xf0) == 0x80);
}

/* A Jcc right after this one (JL then JLE, JS then JE) reads the same flags, so it stays in
 * the block: it knows how they were set, where a block starting with it would compute them
 * in a call. */
void x64_trans_jcc(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct x64_test t = x64_cond(ctx, (unsigned)in->def->arg);
    ir_exit_if(ctx->b, t.type, t.cond, t.a, t.b, rel_target(ctx, in));
    if (!jcc_follows(ctx, in))
        x64_end_goto(ctx, ctx->next_pc);
}

/* arg 0: relative; 1: r/m, read before the push (call [rsp] calls the old top). */
void x64_trans_call(struct x64_ctx *ctx, const struct x64_insn *in)
{
    ir_temp target = in->def->arg == 0 ? IR_NONE : x64_get_rm(ctx, 8);
    if (target != IR_NONE)
        check_target(ctx, target);
    else if (!x64_canonical(ctx->next_pc + (uint64_t)in->imm)) {
        x64_gen_gp(ctx);
        return;
    }
    x64_push(ctx, 8, x64_const(ctx, (int64_t)ctx->next_pc));
    if (target == IR_NONE)
        x64_end_goto(ctx, rel_target(ctx, in));
    else
        x64_end_ind(ctx, target);
}

/* arg 0: RET; 1: RET imm16, which also releases imm16 bytes. */
void x64_trans_ret(struct x64_ctx *ctx, const struct x64_insn *in)
{
    ir_temp rsp;
    ir_temp target = x64_pop_value(ctx, 8, &rsp);
    check_target(ctx, target);
    if (in->def->arg == 1)
        rsp = ir_op2(ctx->b, IR_add, IR_I64, rsp, x64_const(ctx, in->imm & 0xffff));
    ir_put(ctx->b, IR_I64, X64_R(X64_RSP), rsp);
    x64_end_ind(ctx, target);
}

/* arg 0: register; 1: immediate; 2: r/m. PUSH RSP pushes the value before the push. */
void x64_trans_push(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp v;
    switch (in->def->arg) {
    case 0: v = x64_get_reg(ctx, in->rm, size); break;
    case 1: v = x64_tconst(ctx, size, in->imm); break;
    default: v = x64_get_rm(ctx, size); break;
    }
    x64_push(ctx, size, v);
}

/* arg 0: register; 1: r/m. A memory destination's address uses RSP after the pop; POP RSP
 * leaves the popped value in RSP. */
void x64_trans_pop(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp rsp;
    ir_temp v = x64_pop_value(ctx, size, &rsp);
    if (in->def->arg == 1 && in->mod != 3) {
        ctx->rsp_after = rsp;
        x64_put_rm(ctx, size, v);
        ir_put(ctx->b, IR_I64, X64_R(X64_RSP), rsp);
        return;
    }
    ir_put(ctx->b, IR_I64, X64_R(X64_RSP), rsp);
    x64_put_reg(ctx, in->rm, size, v);
}

/* arg 0: LOOPNE; 1: LOOPE; 2: LOOP (RCX -= 1, taken while not 0, and ZF 0 or 1); 3: JRCXZ.
 * With 67 the counter is ECX. */
void x64_trans_loop(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned csize = in->addrsize, op = (unsigned)in->def->arg;
    enum ir_type t = x64_type(csize);
    ir_temp zero = ir_const(b, t, 0);
    ir_temp rcx = x64_get_reg(ctx, X64_RCX, csize);
    if (op == 3) {
        ir_exit_if(b, t, IR_EQ, rcx, zero, rel_target(ctx, in));
        x64_end_goto(ctx, ctx->next_pc);
        return;
    }
    ir_temp n = ir_op2(b, IR_sub, t, rcx, ir_const(b, t, 1));
    ir_temp zf = op < 2 ? x64_cond_value(ctx, op == 0 ? 5 : 4) : IR_NONE;
    x64_put_reg(ctx, X64_RCX, csize, n);
    if (zf == IR_NONE) {
        ir_exit_if(b, t, IR_NE, n, zero, rel_target(ctx, in));
    } else {
        ir_temp go = ir_op2(b, IR_and, IR_I64, zf, ir_setcond(b, t, IR_NE, n, zero));
        ir_exit_if(b, IR_I64, IR_NE, go, x64_const(ctx, 0), rel_target(ctx, in));
    }
    x64_end_goto(ctx, ctx->next_pc);
}

/* ENTER size, level: push rBP, copy level - 1 frame pointers from the old frame, push the new
 * frame's, rBP = the frame, rSP -= size. The registers change last, so a fault (the copies'
 * loads come before their stores) leaves them as they were. */
void x64_trans_enter(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, level = in->imm2 & 31;
    ir_temp rbp = ir_get(b, IR_I64, X64_R(X64_RBP)), rsp = ir_get(b, IR_I64, X64_R(X64_RSP));
    ir_temp frame = ir_op2(b, IR_sub, IR_I64, rsp, x64_const(ctx, size));
    x64_store(ctx, frame, size, rbp);
    ir_temp copied[32];
    for (unsigned i = 1; i < level; i++)
        copied[i] = x64_load(ctx, ir_op2(b, IR_sub, IR_I64, rbp, x64_const(ctx, i * size)), size);
    ir_temp top = frame;
    for (unsigned i = 1; i <= level; i++) {
        top = ir_op2(b, IR_sub, IR_I64, top, x64_const(ctx, size));
        x64_store(ctx, top, size, i < level ? copied[i] : frame);
    }
    x64_put_reg(ctx, X64_RBP, size, frame);
    ir_put(b, IR_I64, X64_R(X64_RSP),
           ir_op2(b, IR_sub, IR_I64, top, x64_const(ctx, in->imm & 0xffff)));
}

/* LEAVE: rSP = rBP, then pop rBP. */
void x64_trans_leave(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize;
    ir_temp rbp = ir_get(b, IR_I64, X64_R(X64_RBP));
    ir_temp v = x64_load(ctx, rbp, size);
    ir_put(b, IR_I64, X64_R(X64_RSP), ir_op2(b, IR_add, IR_I64, rbp, x64_const(ctx, size)));
    x64_put_reg(ctx, X64_RBP, size, v);
}
