/* The RV64GC translator's hook for the shared block loop (guest/translator.h): fetch, expand,
 * decode and hand one instruction to its insns.def row's trans function. Also the register
 * accessors and block endings every translate_*.c file shares. */
#include "guest/riscv64/translate.h"

#include <errno.h>

#include "guest/riscv64/cpu.h"
#include "ir/raise.h"

ir_temp rv_const(struct rv64_ctx *ctx, int64_t value)
{
    return ir_const(ctx->b, IR_I64, value);
}

ir_temp rv_get_x(struct rv64_ctx *ctx, unsigned n)
{
    return n ? ir_get(ctx->b, IR_I64, RV_X(n)) : rv_const(ctx, 0);
}

void rv_put_x(struct rv64_ctx *ctx, unsigned n, ir_temp value)
{
    if (n)
        ir_put(ctx->b, IR_I64, RV_X(n), value);
}

ir_temp rv_get_f(struct rv64_ctx *ctx, unsigned n)
{
    return ir_get(ctx->b, IR_I64, RV_F(n));
}

void rv_put_f(struct rv64_ctx *ctx, unsigned n, ir_temp value)
{
    ir_put(ctx->b, IR_I64, RV_F(n), value);
}

void rv_end_goto(struct rv64_ctx *ctx, uint64_t pc)
{
    ir_goto_pc(ctx->b, pc);
    ctx->ended = true;
}

/* The helper never returns; the goto after it only satisfies the rule that a block ends with
 * an END op. */
void rv_gen_raise(struct rv64_ctx *ctx, const struct ir_helper *raise)
{
    ir_call(ctx->b, raise, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    rv_end_goto(ctx, ctx->pc);
}

void rv_gen_illegal(struct rv64_ctx *ctx)
{
    rv_gen_raise(ctx, &ir_raise_illegal);
}

/* Fetches 2 bytes, then the upper half only for a 32-bit encoding (it may lie on a page that
 * is not mapped), and translates the instruction with its insns.def row's trans function. */
int rv64_translate_insn(struct translator *t)
{
    uint8_t bytes[4];
    if (translator_fetch(t, 0, bytes, 2) < 0)
        return -EFAULT;
    uint32_t word = bytes[0] | (uint32_t)bytes[1] << 8;
    t->len = (word & 3) == 3 ? 4 : 2;
    if (t->len == 4) {
        if (translator_fetch(t, 2, bytes + 2, 2) < 0)
            return -EFAULT;
        word |= (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    }
    struct rv64_ctx ctx = { .cpu = t->cpu, .b = t->b, .pc = t->pc, .len = t->len };
    struct rv64_insn in;
    if ((ctx.len == 2 && rv64_expand_compressed((uint16_t)word, &word) < 0) ||
        rv64_decode(word, &in) < 0)
        rv_gen_illegal(&ctx);
    else
        in.def->trans(&ctx, &in);
    t->ended = ctx.ended;
    return 0;
}
