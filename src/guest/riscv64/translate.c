/* The RV64GC translator's block loop: fetch, expand, decode and hand each instruction to its
 * insns.def row's trans function, until a control transfer, a page boundary or a size limit.
 * Also the register accessors and block endings every translate_*.c file shares. */
#include "guest/riscv64/translate.h"

#include <errno.h>
#include <signal.h>

#include "guest/riscv64/cpu.h"
#include "ir/raise.h"

#define PAGE_MASK (~(uint64_t)0xfff)

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

/* Reads one instruction: 2 bytes, then the upper half only for a 32-bit encoding, since it
 * may lie on a page that is not mapped. Returns its length, or -EFAULT. */
static int fetch_insn(struct cpu *cpu, uint64_t pc, uint32_t *word)
{
    uint8_t half[2];
    if (cpu->fetch_code(cpu, pc, half, 2) < 0)
        return -EFAULT;
    *word = half[0] | (uint32_t)half[1] << 8;
    if ((*word & 3) != 3)
        return 2;
    if (cpu->fetch_code(cpu, pc + 2, half, 2) < 0)
        return -EFAULT;
    *word |= (uint32_t)half[0] << 16 | (uint32_t)half[1] << 24;
    return 4;
}

static void translate_insn(struct rv64_ctx *ctx, uint32_t word)
{
    struct rv64_insn in;
    if ((ctx->len == 2 && rv64_expand_compressed((uint16_t)word, &word) < 0) ||
        rv64_decode(word, &in) < 0) {
        rv_gen_illegal(ctx);
        return;
    }
    in.def->trans(ctx, &in);
}

int rv64_translate(struct cpu *cpu, struct ir_block *b, uint64_t pc)
{
    struct rv64_ctx ctx = { .cpu = cpu, .b = b, .pc = pc };
    uint64_t page = pc & PAGE_MASK;
    for (;;) {
        uint32_t word;
        int len = fetch_insn(cpu, ctx.pc, &word);
        if (len < 0) {
            if (b->n_insns == 0)
                return -EFAULT;
            ir_goto_pc(b, ctx.pc); /* the fault is raised when that pc runs as a block */
            break;
        }
        ctx.len = (unsigned)len;
        ir_insn_start(b, ctx.pc);
        b->n_insns++;
        translate_insn(&ctx, word);
        ctx.pc += ctx.len;
        if (ctx.ended)
            break;
        if (ir_block_full(b) || (ctx.pc & PAGE_MASK) != page) {
            ir_goto_pc(b, ctx.pc);
            break;
        }
    }
    b->end_pc = ctx.pc;
    return 0;
}
