/* x86-64 hints and system instructions to IR: the NOP family (multi-byte NOP, PAUSE,
 * ENDBR64, PREFETCH, WAIT), SYSCALL (which leaves the block with EXC_SYSCALL after setting
 * RCX and R11 as the instruction does), CPUID (cpuid.c), RDTSC/RDTSCP, RDRAND/RDSEED, XGETBV,
 * the traps (UD2, INT3, INT n), the privileged instructions (#GP) and the fences. */
#include "guest/x86_64/translate.h"

#include <sys/random.h>
#include <time.h>

#include "guest/x86_64/cpuid.h"
#include "guest/x86_64/fxsave.h"
#include "ir/raise.h"

/* Nothing happens: the long NOP's memory operand is not accessed. */
void x64_trans_nop(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)ctx, (void)in;
}

/* RCX = the next RIP, R11 = RFLAGS; the OS layer takes it from there. */
void x64_trans_syscall(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    ir_temp flags = x64_get_eflags(ctx);
    ir_put(ctx->b, IR_I64, X64_R(X64_RCX), x64_const(ctx, (int64_t)ctx->next_pc));
    ir_put(ctx->b, IR_I64, X64_R(X64_R11), flags);
    ir_exit(ctx->b, EXC_SYSCALL, ctx->next_pc);
    ctx->ended = true;
}

/* ---- CPUID, time, random numbers, XCR0 ---- */

static uint64_t helper_cpuid(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    struct x64_cpu *r = cpu;
    uint32_t out[4];
    x64_cpuid((uint32_t)r->r[X64_RAX], (uint32_t)r->r[X64_RCX], out);
    r->r[X64_RAX] = out[0];
    r->r[X64_RBX] = out[1];
    r->r[X64_RCX] = out[2];
    r->r[X64_RDX] = out[3];
    return 0;
}
static const struct ir_helper cpuid_helper = {
    "x64_cpuid", helper_cpuid, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

void x64_trans_cpuid(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    ir_call(ctx->b, &cpuid_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

/* The time-stamp counter counts nanoseconds of the monotonic clock (a 1 GHz TSC). */
static uint64_t helper_tsc(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)cpu, (void)a0, (void)a1, (void)a2, (void)a3;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static const struct ir_helper tsc_helper = { "x64_tsc", helper_tsc, 0, 0, IR_I64 };

/* arg 0: RDTSC; 1: RDTSCP (also ECX = TSC_AUX, 0). EDX:EAX, upper halves cleared. */
void x64_trans_rdtsc(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp t = ir_call(b, &tsc_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_put(b, IR_I64, X64_R(X64_RAX), ir_op1(b, IR_zext32, IR_I64, t));
    ir_put(b, IR_I64, X64_R(X64_RDX), ir_op2(b, IR_shr, IR_I64, t, x64_const(ctx, 32)));
    if (in->def->arg)
        ir_put(b, IR_I64, X64_R(X64_RCX), x64_const(ctx, 0));
}

static uint64_t helper_random(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)cpu, (void)a0, (void)a1, (void)a2, (void)a3;
    uint64_t v = 0;
    while (getrandom(&v, sizeof(v), 0) != sizeof(v))
        ;
    return v;
}
static const struct ir_helper random_helper = { "x64_random", helper_random, 0, 0, IR_I64 };

/* RDRAND, RDSEED: always a value (CF = 1; the other flags clear). */
void x64_trans_rdrand(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_put_reg(ctx, in->rm, in->opsize,
                ir_call(ctx->b, &random_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE));
    x64_put_flags(ctx, x64_const(ctx, X64_CF));
}

/* XGETBV of XCR0 (ECX = 0) and of XINUSE (ECX = 1, which CPUID advertises); any other ECX is
 * #GP. */
static uint64_t helper_xgetbv(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    struct x64_cpu *r = cpu;
    uint32_t xcr = (uint32_t)r->r[X64_RCX];
    if (xcr > 1)
        cpu_raise(cpu, EXC_PROTECTION, 0);
    r->r[X64_RAX] = xcr ? x64_xinuse(r) : X64_XCR0;
    r->r[X64_RDX] = 0;
    return 0;
}
static const struct ir_helper xgetbv_helper = {
    "x64_xgetbv", helper_xgetbv, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

void x64_trans_xgetbv(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    ir_call(ctx->b, &xgetbv_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

/* ---- traps, privileged instructions, fences ---- */

/* arg 0: UD2 (#UD); 1: INT3, and INT 3 through the same user-mode gate: a trap, reported
 * with the pc after the instruction; 3: INT1 (the breakpoint exception); 2: INT n (#GP in user
 * mode: Linux has no other 64-bit gate but its own). */
void x64_trans_trap(struct x64_ctx *ctx, const struct x64_insn *in)
{
    int kind = in->def->arg == 2 && (uint8_t)in->imm == 3 ? 1 : in->def->arg;
    switch (kind) {
    case 0: x64_gen_ud(ctx); break;
    case 1:
        ir_exit(ctx->b, EXC_BREAKPOINT, ctx->next_pc);
        ctx->ended = true;
        break;
    case 2: x64_gen_gp(ctx); break;
    default: x64_gen_raise(ctx, &ir_raise_breakpoint); break;
    }
}

/* HLT, CLI, STI, IN, OUT: #GP at CPL 3. */
void x64_trans_priv(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    x64_gen_gp(ctx);
}

/* arg 0..2: LFENCE, MFENCE, SFENCE (one full fence each); 3: CLFLUSH, which only needs its
 * address to be mapped. */
void x64_trans_fence(struct x64_ctx *ctx, const struct x64_insn *in)
{
    if (in->def->arg == 3)
        x64_load(ctx, x64_ea(ctx), 1);
    else
        ir_fence(ctx->b);
}
