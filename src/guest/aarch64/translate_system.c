/* A64 system instructions to IR: SVC, BRK, hints, barriers, the exclusive monitor's CLREX,
 * DC ZVA and the cache maintenance SYS ops, and MRS/MSR of the registers EL0 may touch
 * (NZCV, FPCR, FPSR, TPIDR_EL0, the generic timer, CTR_EL0, DCZID_EL0). */
#include "guest/aarch64/translate.h"

#include <signal.h>
#include <time.h>

#include "guest/aarch64/cpu.h"
#include "ir/raise.h"

/* System register numbers: op0:op1:CRn:CRm:op2 as bits 20:5 of MRS/MSR. */
#define SYSREG(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
enum {
    REG_NZCV = SYSREG(3, 3, 4, 2, 0),
    REG_FPCR = SYSREG(3, 3, 4, 4, 0),
    REG_FPSR = SYSREG(3, 3, 4, 4, 1),
    REG_TPIDR = SYSREG(3, 3, 13, 0, 2),
    REG_TPIDRRO = SYSREG(3, 3, 13, 0, 3),
    REG_CNTFRQ = SYSREG(3, 3, 14, 0, 0),
    REG_CNTPCT = SYSREG(3, 3, 14, 0, 1),
    REG_CNTVCT = SYSREG(3, 3, 14, 0, 2),
    REG_CTR = SYSREG(3, 3, 0, 0, 1),
    REG_DCZID = SYSREG(3, 3, 0, 0, 7),
};

/* The counter runs at 1 GHz: CLOCK_MONOTONIC in nanoseconds. */
#define TIMER_HZ 1000000000u
/* 64-byte I and D cache lines, PIPT I-cache (as on Cortex-A57). */
#define CTR_VALUE 0x8444c004u
/* DC ZVA zeroes 2^4 words = 64 bytes. */
#define DCZID_VALUE 4u
#define ZVA_BYTES 64

void trans_svc(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_exit(ctx->b, EXC_SYSCALL, ctx->pc + 4);
    ctx->ended = true;
}

void trans_brk(struct a64_ctx *ctx, const struct a64_insn *in)
{
    a64_gen_raise(ctx, &ir_raise_breakpoint);
}

/* NOP, YIELD, WFE, SEV, the pointer-authentication and BTI hints: no effect in user mode. */
void trans_nop(struct a64_ctx *ctx, const struct a64_insn *in)
{
}

void trans_clrex(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_put(ctx->b, IR_I64, A64_FIELD(excl_addr), a64_const(ctx, -1));
}

/* Every DMB and DSB is a full barrier. */
void trans_barrier(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_fence(ctx->b);
}

/* The block ends after ISB so the next instruction is looked up afresh. */
void trans_isb(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_fence(ctx->b);
    a64_end_goto(ctx, ctx->pc + 4);
}

void trans_dc_zva(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp base = ir_op2(ctx->b, IR_and, IR_I64, a64_get_x(ctx, in->rd),
                          a64_const(ctx, -(int64_t)ZVA_BYTES));
    ir_temp zero = a64_const(ctx, 0);
    for (unsigned off = 0; off < ZVA_BYTES; off += 8)
        ir_st(ctx->b, IR_MO_64, base, off, zero);
}

/* SYS with op1 = 3 is the EL0 cache maintenance (DC CVAU, CIVAC, CVAC, CVAP, IC IVAU): nothing
 * to do, since vm's caches are coherent; the rest is privileged. */
void trans_sys(struct a64_ctx *ctx, const struct a64_insn *in)
{
    if (a64_bits(in->word, 18, 16) != 3)
        a64_gen_illegal(ctx);
}

static uint64_t helper_counter(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * TIMER_HZ + (uint64_t)ts.tv_nsec;
}

static const struct ir_helper counter_helper = { "a64_counter", helper_counter, 0, 0, IR_I64 };

static ir_temp field(struct a64_ctx *ctx, size_t offset)
{
    return ir_get(ctx->b, IR_I64, offset);
}

void trans_mrs(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp v;
    switch (a64_bits(in->word, 20, 5)) {
    case REG_NZCV: v = ir_op2(ctx->b, IR_shl, IR_I64, a64_get_nzcv(ctx), a64_const(ctx, 28)); break;
    case REG_FPCR: v = field(ctx, A64_FIELD(fpcr)); break;
    case REG_FPSR: v = field(ctx, A64_FIELD(fpsr)); break;
    case REG_TPIDR: v = field(ctx, A64_FIELD(tpidr)); break;
    case REG_TPIDRRO: v = a64_const(ctx, 0); break;
    case REG_CNTFRQ: v = a64_const(ctx, TIMER_HZ); break;
    case REG_CNTPCT:
    case REG_CNTVCT: v = ir_call(ctx->b, &counter_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE); break;
    case REG_CTR: v = a64_const(ctx, CTR_VALUE); break;
    case REG_DCZID: v = a64_const(ctx, DCZID_VALUE); break;
    default: a64_gen_illegal(ctx); return;
    }
    a64_put_x(ctx, in->rd, v);
}

void trans_msr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp v = a64_get_x(ctx, in->rd);
    switch (a64_bits(in->word, 20, 5)) {
    case REG_NZCV:
        a64_put_nzcv(ctx, ir_op1i(b, IR_extract, IR_I64, v, 28 | 4 << 8));
        break;
    case REG_FPCR:
        ir_put(b, IR_I64, A64_FIELD(fpcr), ir_op2(b, IR_and, IR_I64, v, a64_const(ctx, FPCR_MASK)));
        break;
    case REG_FPSR:
        ir_put(b, IR_I64, A64_FIELD(fpsr), ir_op2(b, IR_and, IR_I64, v, a64_const(ctx, FPSR_MASK)));
        break;
    case REG_TPIDR:
        ir_put(b, IR_I64, A64_FIELD(tpidr), v);
        break;
    default:
        a64_gen_illegal(ctx);
        break;
    }
}
