/* Zicsr (the user-mode CSRs: FP status and the counters; in system mode all but the FP ones
 * through guest/riscv64/system.c), ecall, ebreak, fence, Zifencei, and the privileged
 * instructions: MRET, SRET, WFI and SFENCE.VMA. */
#include "guest/riscv64/translate.h"

#include <signal.h>

#include "guest/riscv64/cpu.h"
#include "guest/riscv64/system.h"
#include "ir/raise.h"

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
};
#define FFLAGS_MASK 0x1f
#define FRM_MASK 0x7
#define FCSR_FRM_SHIFT 5

static uint64_t helper_time(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return riscv64_time();
}

/* As qemu-user, cycle and instret give host ticks. */
static uint64_t helper_ticks(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return riscv64_ticks();
}

static const struct ir_helper time_helper = { "rv64_time", helper_time, 0, 0, IR_I64 };
static const struct ir_helper ticks_helper = { "rv64_ticks", helper_ticks, 0, 0, IR_I64 };

static bool is_fp_csr(unsigned csr)
{
    return csr == CSR_FFLAGS || csr == CSR_FRM || csr == CSR_FCSR;
}

static bool csr_exists(unsigned csr)
{
    return is_fp_csr(csr) || csr == CSR_CYCLE || csr == CSR_TIME || csr == CSR_INSTRET;
}

static bool in_system_mode(const struct rv64_ctx *ctx)
{
    return ctx->b->flags & RV_TBF_SYSTEM;
}

static unsigned priv_of(const struct rv64_ctx *ctx)
{
    return ctx->b->flags & RV_TBF_PRIV_MASK;
}

/* Ends the block after an instruction that may change tb_flags or unmask an interrupt: the
 * next block is looked up under the flags then in force (a chained jump would keep the
 * block it first found). */
static void end_lookup(struct rv64_ctx *ctx)
{
    ir_goto_ind(ctx->b, rv_const(ctx, (int64_t)(ctx->pc + ctx->len)));
    ctx->ended = true;
}

/* CSR numbers 0xc00-0xfff are read-only by the spec's address map. */
static bool csr_read_only(unsigned csr)
{
    return (csr >> 10) == 3;
}

static ir_temp get_field(struct rv64_ctx *ctx, size_t offset)
{
    return ir_get(ctx->b, IR_I64, offset);
}

static ir_temp csr_read(struct rv64_ctx *ctx, unsigned csr)
{
    struct ir_block *b = ctx->b;
    ir_temp fflags, frm;
    switch (csr) {
    case CSR_FFLAGS: return get_field(ctx, offsetof(struct rv64_cpu, fflags));
    case CSR_FRM: return get_field(ctx, offsetof(struct rv64_cpu, frm));
    case CSR_FCSR:
        fflags = get_field(ctx, offsetof(struct rv64_cpu, fflags));
        frm = get_field(ctx, offsetof(struct rv64_cpu, frm));
        return ir_op2(b, IR_or, IR_I64,
                      ir_op2(b, IR_shl, IR_I64, frm, rv_const(ctx, FCSR_FRM_SHIFT)), fflags);
    case CSR_TIME: return ir_call(b, &time_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    default: /* cycle, instret */
        return ir_call(b, &ticks_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    }
}

static void put_masked(struct rv64_ctx *ctx, size_t offset, ir_temp value, int64_t mask)
{
    ir_put(ctx->b, IR_I64, offset, ir_op2(ctx->b, IR_and, IR_I64, value, rv_const(ctx, mask)));
}

/* Only the FP CSRs are writable. */
static void csr_write(struct rv64_ctx *ctx, unsigned csr, ir_temp value)
{
    switch (csr) {
    case CSR_FFLAGS:
        put_masked(ctx, offsetof(struct rv64_cpu, fflags), value, FFLAGS_MASK);
        break;
    case CSR_FRM:
        put_masked(ctx, offsetof(struct rv64_cpu, frm), value, FRM_MASK);
        break;
    default: {
        put_masked(ctx, offsetof(struct rv64_cpu, fflags), value, FFLAGS_MASK);
        ir_temp frm = ir_op1i(ctx->b, IR_extract, IR_I64, value, FCSR_FRM_SHIFT | 3 << 8);
        ir_put(ctx->b, IR_I64, offsetof(struct rv64_cpu, frm), frm);
        break;
    }
    }
}

/* A privileged CSR or a counter: the helper checks and does the access; the block ends
 * after it, as the CSR may change what the next instruction sees. */
static void trans_csr_system(struct rv64_ctx *ctx, const struct rv64_insn *in, int kind,
                             bool writes)
{
    ir_temp src = in->def->fmt == RV_FMT_CSRI ? rv_const(ctx, in->imm) : rv_get_x(ctx, in->rs1);
    ir_temp op = rv_const(ctx, in->csr | kind << 12 | (int)writes << 14);
    ir_temp old = ir_call(ctx->b, &rv64_csr_helper, op, src, IR_NONE, IR_NONE);
    rv_put_x(ctx, in->rd, old);
    end_lookup(ctx);
}

/* csrrw/csrrs/csrrc and their immediate forms. csrrw with rd = x0 does not read; csrrs and
 * csrrc with rs1 = x0 (or uimm = 0) do not write, so they may name a read-only counter. */
void trans_csr(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    int kind = in->def->arg;
    unsigned csr = in->csr;
    bool writes = kind == RV_CSR_RW || in->rs1 != 0;
    bool reads = kind != RV_CSR_RW || in->rd != 0;
    if (!is_fp_csr(csr) && in_system_mode(ctx)) {
        trans_csr_system(ctx, in, kind, writes);
        return;
    }
    if (!csr_exists(csr) || (writes && csr_read_only(csr))) {
        rv_gen_illegal(ctx);
        return;
    }
    ir_temp old = reads ? csr_read(ctx, csr) : IR_NONE;
    if (writes) {
        ir_temp src = in->def->fmt == RV_FMT_CSRI ? rv_const(ctx, in->imm)
                                                  : rv_get_x(ctx, in->rs1);
        if (kind == RV_CSR_RS)
            src = ir_op2(ctx->b, IR_or, IR_I64, old, src);
        else if (kind == RV_CSR_RC)
            src = ir_op2(ctx->b, IR_andc, IR_I64, old, src);
        csr_write(ctx, csr, src);
    }
    if (reads)
        rv_put_x(ctx, in->rd, old);
}

void trans_ecall(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_exit(ctx->b, EXC_SYSCALL, ctx->pc + ctx->len);
    ctx->ended = true;
}

void trans_ebreak(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    rv_gen_raise(ctx, &ir_raise_breakpoint);
}

/* Every fence (any pred/succ, fence.tso) is a full barrier. */
void trans_fence(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_fence(ctx->b);
}

/* The block ends after fence.i so the next instruction is looked up afresh; dropping stale
 * translations of rewritten code is the execution layer's job. */
void trans_fence_i(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_fence(ctx->b);
    rv_end_goto(ctx, ctx->pc + ctx->len);
}

/* MRET: M-mode only; the helper restores the interrupt stack and gives the return pc. */
void trans_mret(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    if (!in_system_mode(ctx) || priv_of(ctx) != RV_PRIV_M) {
        rv_gen_illegal(ctx);
        return;
    }
    ir_goto_ind(ctx->b, ir_call(ctx->b, &rv64_mret_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE));
    ctx->ended = true;
}

/* SRET, WFI and SFENCE.VMA exist in S- and M-mode; the helpers check mstatus' traps. */
static bool supervisor(struct rv64_ctx *ctx)
{
    if (in_system_mode(ctx) && priv_of(ctx) != RV_PRIV_U)
        return true;
    rv_gen_illegal(ctx);
    return false;
}

void trans_sret(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    if (!supervisor(ctx))
        return;
    ir_goto_ind(ctx->b, ir_call(ctx->b, &rv64_sret_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE));
    ctx->ended = true;
}

void trans_wfi(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    if (!supervisor(ctx))
        return;
    ir_call(ctx->b, &rv64_wfi_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    end_lookup(ctx);
}

/* The next instruction is fetched through the new translations. */
void trans_sfence_vma(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    if (!supervisor(ctx))
        return;
    ir_call(ctx->b, &rv64_sfence_vma_helper, rv_get_x(ctx, in->rs1), rv_const(ctx, in->rs1 != 0),
            IR_NONE, IR_NONE);
    end_lookup(ctx);
}
