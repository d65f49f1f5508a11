/* The x86-64 translator's hook for the shared block loop (guest/translator.h): fetch (across
 * a page boundary only when the instruction needs the bytes), decode, and dispatch by the
 * row's family through one table. Also what every translate_*.c file shares: registers with
 * the partial-register rules, effective addresses, the stack, block endings. */
#include "guest/x86_64/translate.h"

#include <errno.h>

#include "ir/raise.h"

#define PAGE_SIZE 4096u

static x64_trans_fn *const families[X64_N_FAMILIES] = {
#define X64_TRANS_ENTRY(name) [X64_FAM_##name] = x64_trans_##name,
    X64_TRANS_FUNCS(X64_TRANS_ENTRY)
#undef X64_TRANS_ENTRY
};

/* ---- values ---- */

ir_temp x64_const(struct x64_ctx *ctx, int64_t value)
{
    return ir_const(ctx->b, IR_I64, value);
}

enum ir_type x64_type(unsigned size)
{
    return size == 8 ? IR_I64 : IR_I32;
}

ir_temp x64_tconst(struct x64_ctx *ctx, unsigned size, int64_t value)
{
    return size == 8 ? x64_const(ctx, value) : ir_const(ctx->b, IR_I32, (uint32_t)value);
}

ir_temp x64_zext(struct x64_ctx *ctx, unsigned size, ir_temp value)
{
    switch (size) {
    case 1: return ir_op1(ctx->b, IR_zext8, IR_I32, value);
    case 2: return ir_op1(ctx->b, IR_zext16, IR_I32, value);
    case 4: return ctx->b->temp_type[value] == IR_I32 ? value
                                                      : ir_op1(ctx->b, IR_zext32, IR_I64, value);
    default: return value;
    }
}

ir_temp x64_sext(struct x64_ctx *ctx, unsigned size, ir_temp value)
{
    switch (size) {
    case 1: return ir_op1(ctx->b, IR_sext8, IR_I32, value);
    case 2: return ir_op1(ctx->b, IR_sext16, IR_I32, value);
    default: return value;
    }
}

/* ---- registers ---- */

/* AH, CH, DH, BH: byte registers 4..7 without REX. */
static bool high_byte(const struct x64_ctx *ctx, unsigned n, unsigned size)
{
    return size == 1 && n >= 4 && n < 8 && !(ctx->in->prefixes & X64_P_REX);
}

ir_temp x64_get_reg(struct x64_ctx *ctx, unsigned n, unsigned size)
{
    if (high_byte(ctx, n, size))
        return ir_op1i(ctx->b, IR_extract, IR_I32, ir_get(ctx->b, IR_I64, X64_R(n - 4)),
                       8 | 8 << 8);
    ir_temp r = ir_get(ctx->b, IR_I64, X64_R(n));
    return size < 4 ? x64_zext(ctx, size, r) : r;
}

void x64_put_reg(struct x64_ctx *ctx, unsigned n, unsigned size, ir_temp value)
{
    struct ir_block *b = ctx->b;
    unsigned pos = 0;
    if (high_byte(ctx, n, size)) {
        n -= 4;
        pos = 8;
    }
    if (size <= 2) {
        ir_temp d = ir_new_temp(b, IR_I64);
        ir_emit(b, IR_deposit, IR_I64, d, ir_get(b, IR_I64, X64_R(n)), value, IR_NONE, IR_NONE,
                pos | (8u * size) << 8);
        value = d;
    } else if (size == 4) {
        value = x64_zext(ctx, 4, value);
    }
    ir_put(b, IR_I64, X64_R(n), value);
}

/* ---- memory ---- */

ir_temp x64_seg_addr(struct x64_ctx *ctx, ir_temp offset)
{
    unsigned seg = ctx->in->seg;
    if (seg == X64_SEG_NONE)
        return offset;
    size_t field = seg == X64_SEG_FS ? X64_FIELD(fs_base) : X64_FIELD(gs_base);
    return ir_op2(ctx->b, IR_add, IR_I64, ir_get(ctx->b, IR_I64, field), offset);
}

ir_temp x64_ea_offset(struct x64_ctx *ctx)
{
    const struct x64_insn *in = ctx->in;
    struct ir_block *b = ctx->b;
    if (in->base == X64_REG_RIP)
        return x64_const(ctx, (int64_t)(ctx->next_pc + (uint64_t)(int64_t)in->disp) &
                                  (in->addrsize == 4 ? 0xffffffffll : -1ll));
    ir_temp a = IR_NONE;
    if (in->base != X64_REG_NONE)
        a = in->base == X64_RSP && ctx->rsp_after != IR_NONE ? ctx->rsp_after
                                                             : ir_get(b, IR_I64, X64_R(in->base));
    if (in->index != X64_REG_NONE) {
        ir_temp i = ir_get(b, IR_I64, X64_R(in->index));
        if (in->scale)
            i = ir_op2(b, IR_shl, IR_I64, i, x64_const(ctx, in->scale));
        a = a == IR_NONE ? i : ir_op2(b, IR_add, IR_I64, a, i);
    }
    if (a == IR_NONE)
        a = x64_const(ctx, in->disp);
    else if (in->disp)
        a = ir_op2(b, IR_add, IR_I64, a, x64_const(ctx, in->disp));
    if (in->addrsize == 4)
        a = ir_op1(b, IR_zext32, IR_I64, a);
    return a;
}

ir_temp x64_ea(struct x64_ctx *ctx)
{
    if (ctx->ea == IR_NONE)
        ctx->ea = x64_seg_addr(ctx, x64_ea_offset(ctx));
    return ctx->ea;
}

unsigned x64_memop(unsigned size)
{
    return (size == 1 ? IR_MO_8 : size == 2 ? IR_MO_16 : size == 4 ? IR_MO_32 : IR_MO_64) |
           IR_MO_MMU(X64_MMU_USER);
}

ir_temp x64_load(struct x64_ctx *ctx, ir_temp addr, unsigned size)
{
    return ir_ld(ctx->b, x64_type(size), x64_memop(size), addr, 0);
}

void x64_store(struct x64_ctx *ctx, ir_temp addr, unsigned size, ir_temp value)
{
    ir_st(ctx->b, x64_memop(size), addr, 0, value);
}

/* ---- ModRM operands ---- */

ir_temp x64_get_rm(struct x64_ctx *ctx, unsigned size)
{
    if (ctx->in->mod == 3)
        return x64_get_reg(ctx, ctx->in->rm, size);
    return x64_load(ctx, x64_ea(ctx), size);
}

void x64_put_rm(struct x64_ctx *ctx, unsigned size, ir_temp value)
{
    if (ctx->in->mod == 3)
        x64_put_reg(ctx, ctx->in->rm, size, value);
    else
        x64_store(ctx, x64_ea(ctx), size, value);
}

ir_temp x64_get_greg(struct x64_ctx *ctx, unsigned size)
{
    return x64_get_reg(ctx, ctx->in->reg, size);
}

void x64_put_greg(struct x64_ctx *ctx, unsigned size, ir_temp value)
{
    x64_put_reg(ctx, ctx->in->reg, size, value);
}

ir_temp x64_rmw_rm(struct x64_ctx *ctx, unsigned size, x64_rmw_fn *fn, const void *arg)
{
    struct x64_cc cc = { X64_CC_EFLAGS, IR_NONE, IR_NONE, IR_NONE };
    bool has_cc;
    ir_temp old;
    if (ctx->in->prefixes & X64_P_LOCK) {
        ir_temp addr = x64_ea(ctx);
        old = x64_load(ctx, addr, size);
        cc.kind = X64_CC_NKINDS;
        ir_temp r = fn(ctx, size, old, arg, &cc);
        ir_temp seen = ir_cmpxchg(ctx->b, x64_type(size), x64_memop(size), addr, old,
                                  x64_zext(ctx, size, r));
        ir_exit_if(ctx->b, x64_type(size), IR_NE, seen, old, ctx->pc);
    } else {
        old = x64_get_rm(ctx, size);
        cc.kind = X64_CC_NKINDS;
        x64_put_rm(ctx, size, fn(ctx, size, old, arg, &cc));
    }
    has_cc = cc.kind != X64_CC_NKINDS;
    if (has_cc)
        x64_commit_cc(ctx, size, &cc);
    return old;
}

/* ---- stack ---- */

void x64_push(struct x64_ctx *ctx, unsigned size, ir_temp value)
{
    ir_temp rsp = ir_op2(ctx->b, IR_sub, IR_I64, ir_get(ctx->b, IR_I64, X64_R(X64_RSP)),
                         x64_const(ctx, size));
    x64_store(ctx, rsp, size, value);
    ir_put(ctx->b, IR_I64, X64_R(X64_RSP), rsp);
}

ir_temp x64_pop_value(struct x64_ctx *ctx, unsigned size, ir_temp *new_rsp)
{
    ir_temp rsp = ir_get(ctx->b, IR_I64, X64_R(X64_RSP));
    ir_temp v = x64_load(ctx, rsp, size);
    *new_rsp = ir_op2(ctx->b, IR_add, IR_I64, rsp, x64_const(ctx, size));
    return v;
}

/* ---- block ends and exceptions ---- */

void x64_end_goto(struct x64_ctx *ctx, uint64_t pc)
{
    ir_goto_pc(ctx->b, pc);
    ctx->ended = true;
}

void x64_end_ind(struct x64_ctx *ctx, ir_temp pc)
{
    ir_goto_ind(ctx->b, pc);
    ctx->ended = true;
}

/* The helper never returns; the goto after it only satisfies the rule that a block ends with
 * an END op. */
void x64_gen_raise(struct x64_ctx *ctx, const struct ir_helper *raise)
{
    ir_call(ctx->b, raise, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x64_end_goto(ctx, ctx->pc);
}

void x64_gen_ud(struct x64_ctx *ctx)
{
    x64_gen_raise(ctx, &ir_raise_illegal);
}

static uint64_t helper_protection(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    cpu_raise(cpu, EXC_PROTECTION, 0);
}
static const struct ir_helper raise_protection = {
    "x64_raise_gp", helper_protection, 0, IR_HELPER_FAULT, IR_I64,
};

void x64_gen_gp(struct x64_ctx *ctx)
{
    x64_gen_raise(ctx, &raise_protection);
}

/* ---- one instruction, for the shared block loop ---- */

/* Reads the instruction's bytes on its first page, and on the next one only if the decoder
 * asks for more, so that an instruction ending at a page end never touches the next page. */
int x64_translate_insn(struct translator *t)
{
    uint8_t code[X64_MAX_LEN];
    size_t first = PAGE_SIZE - (t->pc & (PAGE_SIZE - 1));
    if (first > X64_MAX_LEN)
        first = X64_MAX_LEN;
    if (translator_fetch(t, 0, code, first) < 0)
        return -EFAULT;
    struct x64_insn in;
    int err = x64_decode(code, first, &in);
    if (err == -EAGAIN && first < X64_MAX_LEN) {
        if (translator_fetch(t, first, code + first, X64_MAX_LEN - first) < 0)
            return -EFAULT;
        err = x64_decode(code, X64_MAX_LEN, &in);
    }
    struct x64_ctx ctx = {
        .t = t, .b = t->b, .in = &in, .pc = t->pc, .ea = IR_NONE, .rsp_after = IR_NONE,
    };
    if (err < 0) {
        t->len = 1;
        if (err == -E2BIG)
            x64_gen_gp(&ctx);
        else
            x64_gen_ud(&ctx);
        t->ended = true;
        return 0;
    }
    t->len = in.len;
    ctx.next_pc = t->pc + in.len;
    x64_trans_fn *fn = families[in.def->family];
    if (fn)
        fn(&ctx, &in);
    else
        x64_gen_ud(&ctx);
    t->ended = ctx.ended;
    return 0;
}
