/* x86-64 hints and system instructions to IR: the NOP family (multi-byte NOP, PAUSE,
 * ENDBR64, PREFETCH, WAIT) and SYSCALL, which leaves the block with EXC_SYSCALL after setting
 * RCX and R11 as the instruction does. */
#include "guest/x86_64/translate.h"

/* Nothing happens: the long NOP's memory operand is not accessed. */
void x64_trans_nop(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)ctx, (void)in;
}

static uint64_t helper_eflags(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    return x64_eflags(cpu);
}
static const struct ir_helper eflags_helper = {
    "x64_eflags", helper_eflags, 0, IR_HELPER_RSTATE, IR_I64,
};

/* RCX = the next RIP, R11 = RFLAGS; the OS layer takes it from there. */
void x64_trans_syscall(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    ir_temp flags = ir_call(ctx->b, &eflags_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_put(ctx->b, IR_I64, X64_R(X64_RCX), x64_const(ctx, (int64_t)ctx->next_pc));
    ir_put(ctx->b, IR_I64, X64_R(X64_R11), flags);
    ir_exit(ctx->b, EXC_SYSCALL, ctx->next_pc);
    ctx->ended = true;
}
