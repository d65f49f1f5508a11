/* RV64I, F and D loads and stores, and the A extension. Plain accesses may be misaligned
 * (Linux emulates those); LR, SC and AMOs must be naturally aligned or raise SIGBUS, as Linux
 * does. SC is a helper: it checks the reservation and compare-and-swaps against the value LR
 * read, so a store of the same value in between is not noticed (as in QEMU). */
#include "guest/riscv64/translate.h"

#include <signal.h>

#include "guest/riscv64/cpu.h"
#include "ir/raise.h"
#include "mem/aspace.h"

#define NAN_BOX_32 ((int64_t)0xffffffff00000000ull)

static ir_temp address_of(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    return rv_get_x(ctx, in->rs1);
}

/* memop with the MMU index of this block's loads and stores (0 in user mode). */
static unsigned with_mmu(const struct rv64_ctx *ctx, unsigned memop)
{
    return memop | IR_MO_MMU(rv_data_mmu(ctx->b->flags));
}

void trans_load(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    /* Emitted even for rd = x0: the access may fault. */
    ir_temp v = ir_ld(ctx->b, IR_I64, with_mmu(ctx, (unsigned)in->def->arg), address_of(ctx, in), in->imm);
    rv_put_x(ctx, in->rd, v);
}

void trans_store(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_st(ctx->b, with_mmu(ctx, (unsigned)in->def->arg), address_of(ctx, in), in->imm, rv_get_x(ctx, in->rs2));
}

void trans_fload(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    unsigned memop = (unsigned)in->def->arg;
    ir_temp v = ir_ld(ctx->b, IR_I64, with_mmu(ctx, memop), address_of(ctx, in), in->imm);
    if (memop == IR_MO_32)
        v = ir_op2(ctx->b, IR_or, IR_I64, v, rv_const(ctx, NAN_BOX_32));
    rv_put_f(ctx, in->rd, v);
}

void trans_fstore(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_st(ctx->b, with_mmu(ctx, (unsigned)in->def->arg), address_of(ctx, in), in->imm,
          rv_get_f(ctx, in->rs2));
}

/* ---- A extension ---- */


static uint64_t compare_and_swap(void *host, uint64_t size, uint64_t expected, uint64_t value)
{
    if (size == 4) {
        uint32_t e = (uint32_t)expected;
        return __atomic_compare_exchange_n((uint32_t *)host, &e, (uint32_t)value, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    return __atomic_compare_exchange_n((uint64_t *)host, &expected, value, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Returns SC's rd: 0 if the store happened, 1 if not. A host fault on the access (a read-only
 * or unmapped page) becomes the guest's data fault through the engine's fault handler.
 * mmu: the MMU index of the access. */
static uint64_t helper_sc(void *opaque, uint64_t addr, uint64_t value, uint64_t size,
                          uint64_t mmu)
{
    struct rv64_cpu *cpu = opaque;
    cpu_check_aligned(&cpu->c, addr, size);
    bool reserved = cpu->res_addr == addr && cpu->res_size == size;
    cpu->res_addr = ~(uint64_t)0;
    if (!reserved)
        return 1;
    void *host = mem_ptr(&cpu->c, addr, (unsigned)size, MEM_READ | MEM_WRITE, (unsigned)mmu);
    if (!compare_and_swap(host, size, cpu->res_val, value))
        return 1;
    mem_report(&cpu->c, addr, (unsigned)size, MEM_WRITE);
    return 0;
}

static const struct ir_helper sc_helper = {
    "rv64_sc", helper_sc, 4,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

/* funct3 2 is the .W form, 3 the .D form. */
static bool is_word(const struct rv64_insn *in)
{
    return ((in->word >> 12) & 7) == 2;
}

static ir_temp aligned_address(struct rv64_ctx *ctx, const struct rv64_insn *in, int64_t size)
{
    ir_temp addr = address_of(ctx, in);
    ir_call(ctx->b, &ir_check_aligned, addr, rv_const(ctx, size), IR_NONE, IR_NONE);
    return addr;
}

/* The IR atomics are sequentially consistent, which covers every aq/rl combination. */
void trans_amo(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_rmw kind = (enum ir_rmw)in->def->arg;
    bool word = is_word(in);
    ir_temp addr = aligned_address(ctx, in, word ? 4 : 8);
    ir_temp value = rv_get_x(ctx, in->rs2);
    if (word) {
        ir_temp old = ir_atomic_rmw(b, IR_I32, kind, with_mmu(ctx, IR_MO_32), addr, value);
        rv_put_x(ctx, in->rd, ir_op1(b, IR_sext32, IR_I64, old));
    } else {
        rv_put_x(ctx, in->rd, ir_atomic_rmw(b, IR_I64, kind, with_mmu(ctx, IR_MO_64), addr, value));
    }
}

void trans_lr(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    struct ir_block *b = ctx->b;
    bool word = is_word(in);
    ir_temp addr = aligned_address(ctx, in, word ? 4 : 8);
    ir_temp v = ir_ld(b, IR_I64, with_mmu(ctx, word ? IR_MO_32 | IR_MO_SIGN : IR_MO_64), addr, 0);
    ir_put(b, IR_I64, offsetof(struct rv64_cpu, res_addr), addr);
    ir_put(b, IR_I64, offsetof(struct rv64_cpu, res_val), v);
    ir_put(b, IR_I64, offsetof(struct rv64_cpu, res_size), rv_const(ctx, word ? 4 : 8));
    rv_put_x(ctx, in->rd, v);
}

void trans_sc(struct rv64_ctx *ctx, const struct rv64_insn *in)
{
    ir_temp addr = address_of(ctx, in), value = rv_get_x(ctx, in->rs2);
    ir_temp size = rv_const(ctx, is_word(in) ? 4 : 8);
    ir_temp mmu = rv_const(ctx, rv_data_mmu(ctx->b->flags));
    rv_put_x(ctx, in->rd, ir_call(ctx->b, &sc_helper, addr, value, size, mmu));
}
