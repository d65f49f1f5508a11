/* Lazy EFLAGS in IR (struct x64_cpu describes the fields): flag-setting instructions store
 * their kind and operands; a reader computes what it needs. The translator remembers, per
 * block, the kind the last flag-setting instruction stored (translator.isa_state), so that a
 * condition after CMP, TEST or an ALU op compares its operands directly (CMP+Jcc is one
 * exit_if on the operands) and only an unknown kind or a rare flag costs a helper call. A
 * flag field overwritten before anything reads it is a dead store for opt/. */
#include "guest/x86_64/translate.h"

/* isa_state: bits 31..0: 0, or the cc_op the block's instructions last stored, plus 1;
 * SRC1_COMPUTED: cc_src1 holds flag bits a shift or multiply computed in this block (a RESULT
 * or EFLAGS kind), which a LOGIC kind, reading only cc_dst, overwrites with 0 so that the
 * computation is dead unless something read the flags first. Without that, a faulting op
 * before the next store of cc_src1 (a load: nearly always) kept it alive. */
#define CC_OP_BITS 0xffffffffull
#define SRC1_COMPUTED (1ull << 32)

static bool cc_known(const struct x64_ctx *ctx, uint64_t *cc_op)
{
    *cc_op = (ctx->t->isa_state & CC_OP_BITS) - 1;
    return (ctx->t->isa_state & CC_OP_BITS) != 0;
}

static unsigned log2_of(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

void x64_set_cc(struct x64_ctx *ctx, enum x64_cc_kind kind, unsigned size, ir_temp dst,
                ir_temp src1, ir_temp src2)
{
    uint64_t cc_op = X64_CC(kind, log2_of(size));
    uint64_t computed = ctx->t->isa_state & SRC1_COMPUTED;
    ir_put(ctx->b, IR_I64, X64_FIELD(cc_op), x64_const(ctx, (int64_t)cc_op));
    if (dst != IR_NONE && kind != X64_CC_SUB)   /* one store less per CMP */
        ir_put(ctx->b, IR_I64, X64_FIELD(cc_dst), dst);
    if (src1 != IR_NONE) {
        ir_put(ctx->b, IR_I64, X64_FIELD(cc_src1), src1);
        computed = kind == X64_CC_RESULT || kind == X64_CC_EFLAGS ? SRC1_COMPUTED : 0;
    } else if (kind == X64_CC_LOGIC && computed) {
        ir_put(ctx->b, IR_I64, X64_FIELD(cc_src1), x64_const(ctx, 0));
        computed = 0;
    }
    if (src2 != IR_NONE)
        ir_put(ctx->b, IR_I64, X64_FIELD(cc_src2), src2);
    ctx->t->isa_state = computed | (cc_op + 1);
}

void x64_commit_cc(struct x64_ctx *ctx, unsigned size, const struct x64_cc *cc)
{
    x64_set_cc(ctx, cc->kind, size, cc->dst, cc->src1, cc->src2);
}

struct x64_cc x64_cc_flags(ir_temp flags)
{
    return (struct x64_cc){ X64_CC_EFLAGS, IR_NONE, flags, IR_NONE };
}

/* Each field becomes cond ? new : old; the kind is no longer known. */
void x64_commit_cc_if(struct x64_ctx *ctx, ir_temp cond, unsigned size, const struct x64_cc *cc)
{
    struct ir_block *b = ctx->b;
    ir_temp zero = x64_const(ctx, 0);
    const ir_temp fields[4] = {
        x64_const(ctx, (int64_t)X64_CC(cc->kind, log2_of(size))), cc->dst, cc->src1, cc->src2,
    };
    static const size_t offsets[4] = {
        X64_FIELD(cc_op), X64_FIELD(cc_dst), X64_FIELD(cc_src1), X64_FIELD(cc_src2),
    };
    for (unsigned i = 0; i < 4; i++) {
        if (fields[i] == IR_NONE)
            continue;
        ir_temp v = fields[i];
        if (b->temp_type[v] != IR_I64)
            v = ir_op1(b, IR_zext32, IR_I64, v);
        ir_put(b, IR_I64, offsets[i],
               ir_movcond(b, IR_I64, IR_NE, cond, zero, v, ir_get(b, IR_I64, offsets[i])));
    }
    x64_cc_unknown(ctx);
}

/* The kind the block left carries into the next block of a T2 region (guest_ops.carry_state):
 * its fields are where the block put them, so the next block's readers test them directly
 * instead of calling x64_arith_flags. SRC1_COMPUTED stays behind: it only saves a store. */
uint64_t x64_carry_state(uint64_t isa_state)
{
    return isa_state & CC_OP_BITS;
}

void x64_cc_unknown(struct x64_ctx *ctx)
{
    ctx->t->isa_state &= ~CC_OP_BITS;
}

void x64_put_flags(struct x64_ctx *ctx, ir_temp flags)
{
    x64_set_cc(ctx, X64_CC_EFLAGS, 8, IR_NONE, flags, IR_NONE);
}

static uint64_t helper_arith_flags(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    return x64_arith_flags(cpu);
}
static const struct ir_helper arith_flags_helper = {
    "x64_arith_flags", helper_arith_flags, 0, IR_HELPER_RSTATE | IR_HELPER_PURE, IR_I64,
};

static ir_temp field(struct x64_ctx *ctx, size_t offset)
{
    return ir_get(ctx->b, IR_I64, offset);
}

/* Accumulates flag bits: acc | v, or v for the first. */
static ir_temp or_in(struct x64_ctx *ctx, ir_temp acc, ir_temp v)
{
    return acc == IR_NONE ? v : ir_op2(ctx->b, IR_or, IR_I64, acc, v);
}

/* Bit bit of v (i64) at position to. */
static ir_temp bit_at(struct x64_ctx *ctx, ir_temp v, unsigned bit, unsigned to)
{
    ir_temp x = ir_op1i(ctx->b, IR_extract, IR_I64, v, bit | 1 << 8);
    return to ? ir_op2(ctx->b, IR_shl, IR_I64, x, x64_const(ctx, to)) : x;
}

/* The flags in mask from the fields of a known kind other than ADC and SBB, as x64_arith_flags
 * computes them (which the other kinds and an unknown one call): PF from the low byte's
 * nibbles folded into one and looked up in 0x9669, the set of the even ones. */
static ir_temp flags_inline(struct x64_ctx *ctx, uint64_t cc_op, uint64_t mask)
{
    struct ir_block *b = ctx->b;
    unsigned kind = X64_CC_KIND(cc_op), size = 1u << X64_CC_LOG2(cc_op), top = 8 * size - 1;
    enum ir_type t = x64_type(size);
    bool add = kind == X64_CC_ADD, sub = kind == X64_CC_SUB, inc = kind == X64_CC_INC;
    bool dec = kind == X64_CC_DEC, result = kind == X64_CC_RESULT;
    ir_temp a = field(ctx, X64_FIELD(cc_src1)), r = IR_NONE;
    ir_temp c = add || sub || inc || dec ? field(ctx, X64_FIELD(cc_src2)) : IR_NONE;
    ir_temp d = sub ? ir_op2(b, IR_sub, IR_I64, a, c) : field(ctx, X64_FIELD(cc_dst));
    if (mask & X64_CF) {
        if (add)
            r = ir_setcond(b, t, IR_LTU, x64_zext(ctx, size, d), x64_zext(ctx, size, a));
        else if (sub)
            r = ir_setcond(b, t, IR_LTU, x64_zext(ctx, size, a), x64_zext(ctx, size, c));
        else if (inc || dec || result)
            r = ir_op2(b, IR_and, IR_I64, inc || dec ? c : a, x64_const(ctx, X64_CF));
    }
    if (mask & X64_PF) {
        ir_temp x = ir_op1(b, IR_zext8, IR_I64, d);
        x = ir_op2(b, IR_and, IR_I64, ir_op2(b, IR_xor, IR_I64, x,
                                             ir_op2(b, IR_shr, IR_I64, x, x64_const(ctx, 4))),
                   x64_const(ctx, 15));
        r = or_in(ctx, r, bit_at(ctx, ir_op2(b, IR_shr, IR_I64, x64_const(ctx, 0x9669), x), 0, 2));
    }
    if ((mask & X64_AF) && kind != X64_CC_LOGIC) {
        ir_temp x = result ? a : ir_op2(b, IR_xor, IR_I64, a, d);
        if (add || sub)
            x = ir_op2(b, IR_xor, IR_I64, x, c);
        r = or_in(ctx, r, ir_op2(b, IR_and, IR_I64, x, x64_const(ctx, X64_AF)));
    }
    if (mask & X64_ZF)
        r = or_in(ctx, r, ir_op2(b, IR_shl, IR_I64,
                                 ir_setcond(b, t, IR_EQ, x64_zext(ctx, size, d), ir_const(b, t, 0)),
                                 x64_const(ctx, 6)));
    if (mask & X64_SF)
        r = or_in(ctx, r, bit_at(ctx, d, top, 7));
    if ((mask & X64_OF) && kind != X64_CC_LOGIC) {
        ir_temp of;
        if (result) {
            of = ir_op2(b, IR_and, IR_I64, a, x64_const(ctx, X64_OF));
        } else if (inc || dec) {
            of = ir_op2(b, IR_shl, IR_I64,
                        ir_setcond(b, t, IR_EQ, x64_zext(ctx, size, inc ? d : a),
                                   ir_const(b, t, (int64_t)(1ull << top))),
                        x64_const(ctx, 11));
        } else {   /* ADD: a and c agree, d not; SUB: a and c differ, and a and d */
            ir_temp ad = ir_op2(b, IR_xor, IR_I64, a, d);
            ir_temp other = add ? ir_op2(b, IR_xor, IR_I64, c, d) : ir_op2(b, IR_xor, IR_I64, a, c);
            of = bit_at(ctx, ir_op2(b, IR_and, IR_I64, ad, other), top, 11);
        }
        r = or_in(ctx, r, of);
    }
    return r == IR_NONE ? x64_const(ctx, 0) : r;
}

ir_temp x64_get_flags_of(struct x64_ctx *ctx, uint64_t mask)
{
    uint64_t cc_op;
    bool known = cc_known(ctx, &cc_op);
    unsigned kind = X64_CC_KIND(cc_op);
    if (known && kind == X64_CC_EFLAGS)
        return ir_op2(ctx->b, IR_and, IR_I64, field(ctx, X64_FIELD(cc_src1)),
                      x64_const(ctx, (int64_t)mask));
    if (known && kind != X64_CC_ADC && kind != X64_CC_SBB)
        return flags_inline(ctx, cc_op, mask);
    ir_temp f = ir_call(ctx->b, &arith_flags_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    return mask == X64_FLAGS_ARITH ? f : ir_op2(ctx->b, IR_and, IR_I64, f,
                                                x64_const(ctx, (int64_t)mask));
}

ir_temp x64_get_flags(struct x64_ctx *ctx)
{
    return x64_get_flags_of(ctx, X64_FLAGS_ARITH);
}

ir_temp x64_get_cf(struct x64_ctx *ctx)
{
    struct ir_block *b = ctx->b;
    uint64_t cc_op;
    if (cc_known(ctx, &cc_op)) {
        unsigned size = 1u << X64_CC_LOG2(cc_op);
        enum ir_type t = x64_type(size);
        switch (X64_CC_KIND(cc_op)) {
        case X64_CC_ADD:
            return ir_setcond(b, t, IR_LTU, x64_zext(ctx, size, field(ctx, X64_FIELD(cc_dst))),
                              x64_zext(ctx, size, field(ctx, X64_FIELD(cc_src1))));
        case X64_CC_SUB:
            return ir_setcond(b, t, IR_LTU, x64_zext(ctx, size, field(ctx, X64_FIELD(cc_src1))),
                              x64_zext(ctx, size, field(ctx, X64_FIELD(cc_src2))));
        case X64_CC_LOGIC:
            return x64_const(ctx, 0);
        case X64_CC_INC:
        case X64_CC_DEC:
            return ir_op2(b, IR_and, IR_I64, field(ctx, X64_FIELD(cc_src2)), x64_const(ctx, 1));
        default:
            break;
        }
    }
    return x64_get_flags_of(ctx, X64_CF);
}

/* Conditions in pairs: cc and cc ^ 1 are each other's negation. */
enum { CC_O, CC_B, CC_E, CC_BE, CC_S, CC_P, CC_L, CC_LE };

/* The condition from the operands of a known kind, or false if that takes the flags. */
static bool cond_direct(struct x64_ctx *ctx, uint64_t cc_op, unsigned pair, struct x64_test *t)
{
    unsigned size = 1u << X64_CC_LOG2(cc_op), kind = X64_CC_KIND(cc_op);
    t->type = x64_type(size);
    ir_temp zero = ir_const(ctx->b, t->type, 0);
    if (kind == X64_CC_SUB && pair != CC_O && pair != CC_P && pair != CC_S) {
        bool is_signed = pair == CC_L || pair == CC_LE;
        ir_temp a = field(ctx, X64_FIELD(cc_src1)), c = field(ctx, X64_FIELD(cc_src2));
        t->a = is_signed ? x64_sext(ctx, size, a) : x64_zext(ctx, size, a);
        t->b = is_signed ? x64_sext(ctx, size, c) : x64_zext(ctx, size, c);
        static const enum ir_cond sub_cond[8] = {
            [CC_B] = IR_LTU, [CC_E] = IR_EQ, [CC_BE] = IR_LEU, [CC_L] = IR_LT, [CC_LE] = IR_LE,
        };
        t->cond = sub_cond[pair];
        return true;
    }
    if (kind == X64_CC_EFLAGS || pair == CC_P)
        return false;
    if (kind == X64_CC_LOGIC || pair == CC_E || pair == CC_S) {
        ir_temp d = kind == X64_CC_SUB
                        ? ir_op2(ctx->b, IR_sub, t->type, field(ctx, X64_FIELD(cc_src1)),
                                 field(ctx, X64_FIELD(cc_src2)))
                        : field(ctx, X64_FIELD(cc_dst));
        d = x64_sext(ctx, size, d);
        t->a = d;
        t->b = zero;
        switch (pair) {
        case CC_O: case CC_B: t->a = zero; t->cond = IR_NE; break;   /* never */
        case CC_E: case CC_BE: t->cond = IR_EQ; break;
        case CC_S: case CC_L: t->cond = IR_LT; break;
        case CC_LE: t->cond = IR_LE; break;
        default: return false;
        }
        return true;
    }
    return false;
}

/* From the arithmetic flags: SF ^ OF is bit 11 of flags ^ flags << 4. */
static void cond_from_flags(struct x64_ctx *ctx, unsigned pair, struct x64_test *t)
{
    struct ir_block *b = ctx->b;
    static const uint64_t bits[8] = {
        [CC_O] = X64_OF, [CC_B] = X64_CF, [CC_E] = X64_ZF, [CC_BE] = X64_CF | X64_ZF,
        [CC_S] = X64_SF, [CC_P] = X64_PF,
    };
    ir_temp v;
    if (pair == CC_L || pair == CC_LE) {
        ir_temp f = x64_get_flags_of(ctx, X64_SF | X64_OF | (pair == CC_LE ? X64_ZF : 0));
        ir_temp f4 = ir_op2(b, IR_shl, IR_I64, f, x64_const(ctx, 4));
        ir_temp sf_of = ir_op2(b, IR_xor, IR_I64, f, f4);
        v = ir_op2(b, IR_and, IR_I64, sf_of, x64_const(ctx, X64_OF));
        if (pair == CC_LE)
            v = ir_op2(b, IR_or, IR_I64, v, ir_op2(b, IR_and, IR_I64, f, x64_const(ctx, X64_ZF)));
    } else {
        v = x64_get_flags_of(ctx, bits[pair]);
    }
    t->type = IR_I64;
    t->cond = IR_NE;
    t->a = v;
    t->b = x64_const(ctx, 0);
}

struct x64_test x64_cond(struct x64_ctx *ctx, unsigned cc)
{
    struct x64_test t;
    unsigned pair = (cc & 15) >> 1;
    uint64_t cc_op;
    if (!cc_known(ctx, &cc_op) || !cond_direct(ctx, cc_op, pair, &t))
        cond_from_flags(ctx, pair, &t);
    if (cc & 1)
        t.cond = (enum ir_cond)ir_cond_inverse[t.cond];
    return t;
}

ir_temp x64_cond_value(struct x64_ctx *ctx, unsigned cc)
{
    struct x64_test t = x64_cond(ctx, cc);
    return ir_setcond(ctx->b, t.type, t.cond, t.a, t.b);
}

/* ---- instructions that read or write EFLAGS as a whole ---- */

/* arg 0: CMC; 1: CLC; 2: STC; 3: CLD; 4: STD. */
void x64_trans_flagop(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned op = (unsigned)in->def->arg;
    if (op >= 3) {
        ir_temp e = ir_get(b, IR_I64, X64_FIELD(eflags));
        e = op == 3 ? ir_op2(b, IR_andc, IR_I64, e, x64_const(ctx, X64_DF))
                    : ir_op2(b, IR_or, IR_I64, e, x64_const(ctx, X64_DF));
        ir_put(b, IR_I64, X64_FIELD(eflags), e);
        return;
    }
    static const enum ir_opc opc[3] = { IR_xor, IR_andc, IR_or };
    x64_put_flags(ctx, ir_op2(b, opc[op], IR_I64, x64_get_flags(ctx), x64_const(ctx, X64_CF)));
}

/* AH = SF:ZF:0:AF:0:PF:1:CF, whatever the REX prefix. */
void x64_trans_lahf(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    struct ir_block *b = ctx->b;
    ir_temp f = ir_op2(b, IR_and, IR_I64, x64_get_flags(ctx),
                       x64_const(ctx, X64_SF | X64_ZF | X64_AF | X64_PF | X64_CF));
    f = ir_op2(b, IR_or, IR_I64, f, x64_const(ctx, X64_FLAGS_FIXED));
    ir_temp d = ir_new_temp(b, IR_I64);
    ir_emit(b, IR_deposit, IR_I64, d, ir_get(b, IR_I64, X64_R(X64_RAX)), f, IR_NONE, IR_NONE,
            8 | 8 << 8);
    ir_put(b, IR_I64, X64_R(X64_RAX), d);
}

/* SF, ZF, AF, PF and CF from AH; OF stays. */
void x64_trans_sahf(struct x64_ctx *ctx, const struct x64_insn *in)
{
    (void)in;
    struct ir_block *b = ctx->b;
    const int64_t low = X64_SF | X64_ZF | X64_AF | X64_PF | X64_CF;
    ir_temp ah = ir_op1i(b, IR_extract, IR_I64, ir_get(b, IR_I64, X64_R(X64_RAX)), 8 | 8 << 8);
    ir_temp keep = ir_op2(b, IR_and, IR_I64, x64_get_flags(ctx), x64_const(ctx, X64_OF));
    x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, keep,
                              ir_op2(b, IR_and, IR_I64, ah, x64_const(ctx, low))));
}

/* a0: the popped value, a1: its size (2 keeps the upper bits). */
static uint64_t helper_popf(void *cpu, uint64_t v, uint64_t size, uint64_t a2, uint64_t a3)
{
    (void)a2, (void)a3;
    struct x64_cpu *r = cpu;
    if (size == 2)
        v = (x64_eflags(r) & ~0xffffull) | (v & 0xffff);
    x64_set_eflags(r, v);
    return 0;
}
static const struct ir_helper popf_helper = {
    "x64_popf", helper_popf, 2, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

ir_temp x64_get_eflags(struct x64_ctx *ctx)
{
    struct ir_block *b = ctx->b;
    ir_temp user = ir_op2(b, IR_and, IR_I64, ir_get(b, IR_I64, X64_FIELD(eflags)),
                          x64_const(ctx, X64_FLAGS_USER));
    ir_temp f = ir_op2(b, IR_or, IR_I64, x64_get_flags(ctx), user);
    return ir_op2(b, IR_or, IR_I64, f, x64_const(ctx, X64_FLAGS_FIXED | X64_IF));
}

void x64_trans_pushf(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_push(ctx, in->opsize, x64_get_eflags(ctx));
}

/* POPF changes the arithmetic flags, DF, AC and ID; the rest stay (user mode). */
void x64_trans_popf(struct x64_ctx *ctx, const struct x64_insn *in)
{
    ir_temp rsp;
    ir_temp v = x64_pop_value(ctx, in->opsize, &rsp);
    ir_call(ctx->b, &popf_helper, v, x64_const(ctx, in->opsize), IR_NONE, IR_NONE);
    ir_put(ctx->b, IR_I64, X64_R(X64_RSP), rsp);
    x64_cc_unknown(ctx);
}
