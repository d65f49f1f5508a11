/* The A64 translator's hook for the shared block loop (guest/translator.h): fetch, decode and
 * hand one instruction to its insns.def row's trans function. Also what every translate_*.c
 * file shares: register and flag access, conditions, block endings. */
#include "guest/aarch64/translate.h"

#include <errno.h>

#include "guest/aarch64/cpu.h"
#include "ir/raise.h"

ir_temp a64_const(struct a64_ctx *ctx, int64_t value)
{
    return ir_const(ctx->b, IR_I64, value);
}

enum ir_type a64_type(bool sf)
{
    return sf ? IR_I64 : IR_I32;
}

ir_temp a64_deposit(struct a64_ctx *ctx, enum ir_type t, ir_temp into, ir_temp value,
                    unsigned pos, unsigned len)
{
    ir_temp d = ir_new_temp(ctx->b, t);
    ir_emit(ctx->b, IR_deposit, t, d, into, value, IR_NONE, IR_NONE, pos | len << 8);
    return d;
}

ir_temp a64_get_x(struct a64_ctx *ctx, unsigned n)
{
    return n == 31 ? a64_const(ctx, 0) : ir_get(ctx->b, IR_I64, A64_X(n));
}

ir_temp a64_get_xsp(struct a64_ctx *ctx, unsigned n)
{
    return ir_get(ctx->b, IR_I64, A64_X(n));
}

ir_temp a64_data_addr(struct a64_ctx *ctx, ir_temp addr)
{
    if (!(ctx->cpu->tb_flags & A64_TBF_TBI))
        return addr;
    return ir_op1i(ctx->b, IR_sextract, IR_I64, addr, 0 | 56 << 8);
}

void a64_put_x(struct a64_ctx *ctx, unsigned n, ir_temp value)
{
    if (n != 31)
        ir_put(ctx->b, IR_I64, A64_X(n), value);
}

void a64_put_xsp(struct a64_ctx *ctx, unsigned n, ir_temp value)
{
    ir_put(ctx->b, IR_I64, A64_X(n), value);
}

/* An i32 temp already reads as its zero-extension; an i64 one needs the extension. */
static ir_temp width_of(struct a64_ctx *ctx, bool sf, ir_temp value)
{
    if (sf || ctx->b->temp_type[value] == IR_I32)
        return value;
    return ir_op1(ctx->b, IR_zext32, IR_I64, value);
}

void a64_put_r(struct a64_ctx *ctx, unsigned n, bool sf, ir_temp value)
{
    if (n != 31)
        a64_put_x(ctx, n, width_of(ctx, sf, value));
}

void a64_put_rsp(struct a64_ctx *ctx, unsigned n, bool sf, ir_temp value)
{
    a64_put_xsp(ctx, n, width_of(ctx, sf, value));
}

ir_temp a64_get_v(struct a64_ctx *ctx, unsigned n, unsigned half)
{
    return ir_get(ctx->b, IR_I64, A64_V(n, half));
}

void a64_put_v(struct a64_ctx *ctx, unsigned n, unsigned half, ir_temp value)
{
    ir_put(ctx->b, IR_I64, A64_V(n, half), value);
}

void a64_put_v64(struct a64_ctx *ctx, unsigned n, ir_temp value)
{
    a64_put_v(ctx, n, 0, value);
    a64_put_v(ctx, n, 1, a64_const(ctx, 0));
}

/* ---- flags (their representation: struct a64_cpu) ---- */

/* What set the flags last in this block, packed into the translator's isa_state (0: unknown,
 * e.g. at the block's start): the kind, whether it was 64-bit, its operands a and b and its
 * result r (temps below IR_MAX_TEMPS). Every put of the flags goes through put_flags or
 * put_sub, which forget it; the setters with a known meaning record themselves after. Apart
 * from that, which of struct a64_cpu's forms the flags are in (FLAG_REP_*: fsub 0, 1 or 2),
 * which the next block of a T2 region knows too (a64_carry_state). */
enum { FLAG_SRC_NONE, FLAG_SRC_SUB, FLAG_SRC_ADD, FLAG_SRC_LOGIC };
enum {
    FLAG_REP_EAGER = 1 << 3, FLAG_REP_SUB64 = 2 << 3, FLAG_REP_SUB32 = 3 << 3,
    FLAG_REP_MASK = 3 << 3,
};
_Static_assert(IR_MAX_TEMPS <= 1 << 16, "flag_src packs temps in 16 bits");

static void record_flag_src(struct a64_ctx *ctx, unsigned kind, enum ir_type t, ir_temp a,
                            ir_temp b, ir_temp r)
{
    *ctx->flag_src |= kind | (uint64_t)(t == IR_I64) << 2 | (uint64_t)a << 16 |
                      (uint64_t)b << 32 | (uint64_t)r << 48;
}

uint64_t a64_carry_state(uint64_t isa_state)
{
    return isa_state & FLAG_REP_MASK;
}

static void put_nzcv_fields(struct a64_ctx *ctx, ir_temp n, ir_temp z, ir_temp c, ir_temp v)
{
    ir_put(ctx->b, IR_I64, A64_FIELD(nf), n);
    ir_put(ctx->b, IR_I64, A64_FIELD(zf), z);
    ir_put(ctx->b, IR_I64, A64_FIELD(cf), c);
    ir_put(ctx->b, IR_I64, A64_FIELD(vf), v);
}

static void put_flags(struct a64_ctx *ctx, ir_temp n, ir_temp z, ir_temp c, ir_temp v)
{
    *ctx->flag_src = FLAG_REP_EAGER;
    put_nzcv_fields(ctx, n, z, c, v);
    ir_put(ctx->b, IR_I64, A64_FIELD(fsub), a64_const(ctx, 0));
}

/* The flags of a - b in type t: its operands, for whoever reads them to compute. */
static void put_sub(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b)
{
    *ctx->flag_src = t == IR_I64 ? FLAG_REP_SUB64 : FLAG_REP_SUB32;
    ir_put(ctx->b, IR_I64, A64_FIELD(fa), a);
    ir_put(ctx->b, IR_I64, A64_FIELD(fb), b);
    ir_put(ctx->b, IR_I64, A64_FIELD(fsub), a64_const(ctx, t == IR_I64 ? 1 : 2));
}

void a64_put_nzcv(struct a64_ctx *ctx, ir_temp nzcv)
{
    struct ir_block *b = ctx->b;
    put_flags(ctx, ir_op2(b, IR_shl, IR_I64, nzcv, a64_const(ctx, 60)),
              ir_op2(b, IR_xor, IR_I64, ir_op2(b, IR_and, IR_I64, nzcv, a64_const(ctx, 4)),
                     a64_const(ctx, 4)),
              ir_op1i(b, IR_extract, IR_I64, nzcv, 1 | 1 << 8),
              ir_op2(b, IR_shl, IR_I64, nzcv, a64_const(ctx, 63)));
}

static ir_temp flag(struct a64_ctx *ctx, size_t offset)
{
    return ir_get(ctx->b, IR_I64, offset);
}

/* The flags' form as the translator knows it here (FLAG_REP_*, 0: any; then each is
 * computed and fsub chooses). */
static unsigned flag_rep(const struct a64_ctx *ctx)
{
    return (unsigned)(*ctx->flag_src & FLAG_REP_MASK);
}

/* fsub ? sub : eager, for two values computed from each form. */
static ir_temp either_rep(struct a64_ctx *ctx, ir_temp sub, ir_temp eager)
{
    return ir_movcond(ctx->b, IR_I64, IR_NE, flag(ctx, A64_FIELD(fsub)), a64_const(ctx, 0), sub,
                      eager);
}

/* 0 or 1: whether cond holds. */
static ir_temp cond_value(struct a64_ctx *ctx, unsigned cond)
{
    struct a64_test t = a64_cond_test_typed(ctx, cond);
    return ir_setcond(ctx->b, t.type, t.cond, t.a, t.b);
}

ir_temp a64_get_nzcv(struct a64_ctx *ctx)
{
    static const uint8_t cond[4] = { 4, 0, 2, 6 };   /* MI (N), EQ (Z), CS (C), VS (V) */
    ir_temp nzcv = cond_value(ctx, cond[3]);
    for (unsigned k = 0; k < 3; k++)
        nzcv = ir_op2(ctx->b, IR_or, IR_I64, nzcv,
                      ir_op2(ctx->b, IR_shl, IR_I64, cond_value(ctx, cond[k]),
                             a64_const(ctx, 3 - k)));
    return nzcv;
}

ir_temp a64_get_carry(struct a64_ctx *ctx)
{
    return flag_rep(ctx) == FLAG_REP_EAGER ? flag(ctx, A64_FIELD(cf)) : cond_value(ctx, 2);
}

/* A result of type t as the 64-bit value N, Z and V are read from. */
static ir_temp flag_value(struct a64_ctx *ctx, enum ir_type t, ir_temp x)
{
    return t == IR_I64 ? x : ir_op1(ctx->b, IR_sext32, IR_I64, x);
}

void a64_flags_logic(struct a64_ctx *ctx, enum ir_type t, ir_temp result)
{
    ir_temp r = flag_value(ctx, t, result), zero = a64_const(ctx, 0);
    put_flags(ctx, r, r, zero, zero);
    record_flag_src(ctx, FLAG_SRC_LOGIC, t, 0, 0, result);
}

/* Whether t is the constant 0, made by one of the last few ops (an immediate operand). */
static bool is_zero(const struct ir_block *blk, ir_temp t)
{
    for (uint32_t i = blk->n_ops; i-- > 0 && i + 4 >= blk->n_ops;)
        if (ir_opdefs[blk->ops[i].opc].n_out && blk->ops[i].dst == t)
            return blk->ops[i].opc == IR_const && blk->ops[i].imm == 0;
    return false;
}

/* C is the carry out of the addition (of a + ~b + carry for SBCS). V: the result's sign
 * differs from a's while the (possibly inverted) operands' signs agree. With b an immediate 0
 * (`adds x0, x1, #0`) nothing carries nor overflows: C and V are constants (at 32 bits the IR
 * passes cannot see that the ops computing them give one). */
ir_temp a64_arith_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b, bool sub,
                        ir_temp carry, ir_temp flags[4])
{
    struct ir_block *blk = ctx->b;
    ir_temp r, c, ov;
    if (carry == IR_NONE && is_zero(blk, b)) {
        r = ir_op2(blk, IR_add, t, a, b);
        c = a64_const(ctx, 0);
        ov = ir_const(blk, t, 0);
    } else if (carry == IR_NONE) {
        r = ir_op2(blk, IR_add, t, a, b);
        c = ir_setcond(blk, t, IR_LTU, r, a);
        ov = ir_op2(blk, IR_andc, t, ir_op2(blk, IR_xor, t, r, a), ir_op2(blk, IR_xor, t, a, b));
    } else {
        if (sub)
            b = ir_op1(blk, IR_not, t, b);
        ir_temp partial = ir_op2(blk, IR_add, t, a, b);
        r = ir_op2(blk, IR_add, t, partial, carry);
        c = ir_op2(blk, IR_or, IR_I64, ir_setcond(blk, t, IR_LTU, partial, a),
                   ir_setcond(blk, t, IR_LTU, r, partial));
        ov = ir_op2(blk, IR_andc, t, ir_op2(blk, IR_xor, t, r, a), ir_op2(blk, IR_xor, t, a, b));
    }
    flags[0] = flags[1] = flag_value(ctx, t, r);
    flags[2] = c;
    flags[3] = flag_value(ctx, t, ov);
    return r;
}

void a64_put_flags(struct a64_ctx *ctx, const ir_temp flags[4])
{
    put_flags(ctx, flags[0], flags[1], flags[2], flags[3]);
}

ir_temp a64_add_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b, bool sub)
{
    ir_temp r;
    if (sub) {
        r = ir_op2(ctx->b, IR_sub, t, a, b);
        put_sub(ctx, t, a, b);
    } else {
        ir_temp f[4];
        r = a64_arith_flags(ctx, t, a, b, false, IR_NONE, f);
        a64_put_flags(ctx, f);
    }
    record_flag_src(ctx, sub ? FLAG_SRC_SUB : FLAG_SRC_ADD, t, a, b, r);
    return r;
}

void a64_ccmp_flags(struct a64_ctx *ctx, enum ir_type t, ir_temp a, ir_temp b,
                    struct a64_test test, unsigned nzcv)
{
    ir_temp n = a64_const(ctx, (int64_t)((uint64_t)(nzcv >> 3) << 63));
    ir_temp z = a64_const(ctx, !(nzcv & 4)), c = a64_const(ctx, nzcv >> 1 & 1);
    ir_temp v = a64_const(ctx, (int64_t)((uint64_t)nzcv << 63));
    ir_temp holds = ir_setcond(ctx->b, IR_I64, test.cond, test.a, test.b);
    put_sub(ctx, t, a, b);
    put_nzcv_fields(ctx, n, z, c, v);
    ir_put(ctx->b, IR_I64, A64_FIELD(fsub),
           t == IR_I64 ? holds : ir_op2(ctx->b, IR_shl, IR_I64, holds, a64_const(ctx, 1)));
    *ctx->flag_src = 0;
}

/* ---- conditions ---- */

/* The even condition cond (EQ CS MI VS HI GE GT) as a compare of the last flag setter's
 * operands (sub: a - b) or result with 0, where its flags make that exact; false if they
 * do not. */
static bool fused_test(struct a64_ctx *ctx, unsigned cond, struct a64_test *t)
{
    /* [kind][cond >> 1]: the compare, or 0 when the flags must be read. For sub, the
     * operands' order gives HI as a >u b and GE as a >=s b (N == V is exactly that); for add
     * and logic only what the result alone says: Z, N, and for logic (V = 0) GE and GT. */
    enum { R = 1 << 4 };   /* compare the result with 0 */
    static const uint8_t form[4][7] = {
        [FLAG_SRC_SUB] = { IR_EQ + 1, IR_GEU + 1, (IR_LT + 1) | R, 0, IR_GTU + 1, IR_GE + 1,
                           IR_GT + 1 },
        [FLAG_SRC_ADD] = { (IR_EQ + 1) | R, 0, (IR_LT + 1) | R },
        [FLAG_SRC_LOGIC] = { (IR_EQ + 1) | R, 0, (IR_LT + 1) | R, 0, 0, (IR_GE + 1) | R,
                             (IR_GT + 1) | R },
    };
    uint64_t src = *ctx->flag_src;
    unsigned f = form[src & 3][cond >> 1];
    if (!f)
        return false;
    t->type = src & 4 ? IR_I64 : IR_I32;
    t->cond = (enum ir_cond)((f & 15) - 1);
    if (f & R) {
        t->a = (ir_temp)(src >> 48);
        t->b = ir_const(ctx->b, t->type, 0);
    } else {
        t->a = (ir_temp)(src >> 16 & 0xffff);
        t->b = (ir_temp)(src >> 32 & 0xffff);
    }
    return true;
}

/* The even condition cond (below AL) of the flags in nf, zf, cf, vf. */
static struct a64_test eager_test(struct a64_ctx *ctx, unsigned cond)
{
    struct ir_block *b = ctx->b;
    ir_temp zero = a64_const(ctx, 0);
    struct a64_test t = { IR_NE, zero, zero, IR_I64 };
    switch (cond >> 1) {
    case 0: t.cond = IR_EQ; t.a = flag(ctx, A64_FIELD(zf)); break;   /* EQ: Z */
    case 1: t.a = flag(ctx, A64_FIELD(cf)); break;                   /* CS: C */
    case 2: t.cond = IR_LT; t.a = flag(ctx, A64_FIELD(nf)); break;   /* MI: N */
    case 3: t.cond = IR_LT; t.a = flag(ctx, A64_FIELD(vf)); break;   /* VS: V */
    case 4:                                                          /* HI: C && !Z */
        t.a = ir_op2(b, IR_and, IR_I64, flag(ctx, A64_FIELD(cf)),
                     ir_setcond(b, IR_I64, IR_NE, flag(ctx, A64_FIELD(zf)), zero));
        break;
    case 5:                                                          /* GE: N == V */
        t.cond = IR_GE;
        t.a = ir_op2(b, IR_xor, IR_I64, flag(ctx, A64_FIELD(nf)), flag(ctx, A64_FIELD(vf)));
        break;
    default: {                                                       /* GT: !Z && N == V */
        ir_temp nv = ir_op2(b, IR_xor, IR_I64, flag(ctx, A64_FIELD(nf)), flag(ctx, A64_FIELD(vf)));
        t.cond = IR_EQ;   /* neither Z nor N != V */
        t.a = ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_shr, IR_I64, nv, a64_const(ctx, 63)),
                     ir_setcond(b, IR_I64, IR_EQ, flag(ctx, A64_FIELD(zf)), zero));
        break;
    }
    }
    return t;
}

/* The even condition cond (below AL) of the flags of fa - fb in the form rep (FLAG_REP_SUB32,
 * SUB64 or 0: either, by fsub): a compare of the two but for N and V. A 32-bit one compares
 * their low halves; as either, their 64-bit values, a 32-bit one's shifted up 32 bits (whose
 * difference has the same N, Z, C and V). */
static struct a64_test sub_test(struct a64_ctx *ctx, unsigned cond, unsigned rep)
{
    static const uint8_t compare[7] = { IR_EQ, IR_GEU, IR_LT, IR_LT, IR_GTU, IR_GE, IR_GT };
    struct ir_block *b = ctx->b;
    enum ir_type t = rep == FLAG_REP_SUB32 ? IR_I32 : IR_I64;
    ir_temp fa = flag(ctx, A64_FIELD(fa)), fb = flag(ctx, A64_FIELD(fb));
    if (!rep) {
        ir_temp two = a64_const(ctx, 2), sub = flag(ctx, A64_FIELD(fsub));
        ir_temp up = a64_const(ctx, 32);
        fa = ir_movcond(b, IR_I64, IR_EQ, sub, two, ir_op2(b, IR_shl, IR_I64, fa, up), fa);
        fb = ir_movcond(b, IR_I64, IR_EQ, sub, two, ir_op2(b, IR_shl, IR_I64, fb, up), fb);
    }
    struct a64_test r = { (enum ir_cond)compare[cond >> 1], fa, fb, t };
    if (cond >> 1 == 2 || cond >> 1 == 3) {   /* MI: d < 0; VS: V as vf would hold it, < 0 */
        ir_temp d = ir_op2(b, IR_sub, t, fa, fb);
        r.a = cond >> 1 == 2 ? d
                             : ir_op2(b, IR_and, t, ir_op2(b, IR_xor, t, fa, fb),
                                      ir_op2(b, IR_xor, t, fa, d));
        r.b = ir_const(b, t, 0);
    }
    return r;
}

/* Even conditions test something; the odd one next to it (except AL/NV) is its negation. */
struct a64_test a64_cond_test_typed(struct a64_ctx *ctx, unsigned cond)
{
    ir_temp zero = a64_const(ctx, 0);
    struct a64_test t = { IR_EQ, zero, zero, IR_I64 };   /* AL, NV: always */
    if (cond >= 14)
        return t;
    unsigned rep = flag_rep(ctx), even = cond & ~1u;
    if (!fused_test(ctx, even, &t)) {
        if (rep == FLAG_REP_EAGER) {
            t = eager_test(ctx, even);
        } else if (rep) {
            t = sub_test(ctx, even, rep);
        } else {   /* either form: each one's answer, fsub choosing */
            struct a64_test s = sub_test(ctx, even, 0), e = eager_test(ctx, even);
            ir_temp vs = ir_setcond(ctx->b, IR_I64, s.cond, s.a, s.b);
            ir_temp ve = ir_setcond(ctx->b, IR_I64, e.cond, e.a, e.b);
            t = (struct a64_test){ IR_NE, either_rep(ctx, vs, ve), zero, IR_I64 };
        }
    }
    if (cond & 1)
        t.cond = (enum ir_cond)ir_cond_inverse[t.cond];
    return t;
}

struct a64_test a64_cond_test(struct a64_ctx *ctx, unsigned cond)
{
    struct a64_test t = a64_cond_test_typed(ctx, cond);
    if (t.type == IR_I64)
        return t;
    ir_temp zero = a64_const(ctx, 0);
    return (struct a64_test){ IR_NE, ir_setcond(ctx->b, IR_I32, t.cond, t.a, t.b), zero, IR_I64 };
}

/* ---- block ends ---- */

void a64_end_goto(struct a64_ctx *ctx, uint64_t pc)
{
    ir_goto_pc(ctx->b, pc);
    ctx->ended = true;
}

/* The helper never returns; the goto after it only satisfies the rule that a block ends with
 * an END op. */
void a64_gen_raise(struct a64_ctx *ctx, const struct ir_helper *raise)
{
    ir_call(ctx->b, raise, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    a64_end_goto(ctx, ctx->pc);
}

void a64_gen_illegal(struct a64_ctx *ctx)
{
    a64_gen_raise(ctx, &ir_raise_illegal);
}

/* ---- one instruction, for the shared block loop ---- */

int a64_translate_insn(struct translator *t)
{
    struct a64_ctx ctx = { .cpu = t->cpu, .b = t->b, .pc = t->pc, .flag_src = &t->isa_state };
    t->len = 4;
    if (t->pc & 3) {   /* a PC alignment fault comes before any fetch: SIGBUS at pc */
        ir_call(t->b, &ir_check_aligned, a64_const(&ctx, (int64_t)t->pc), a64_const(&ctx, 4),
                IR_NONE, IR_NONE);
        ir_goto_pc(t->b, t->pc);
        t->len = 1;
        t->ended = true;
        return 0;
    }
    uint8_t bytes[4];
    if (translator_fetch(t, 0, bytes, 4) < 0)
        return -EFAULT;
    uint32_t word = bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
                    (uint32_t)bytes[3] << 24;
    struct a64_insn in;
    if (a64_decode(word, &in) < 0)
        a64_gen_illegal(&ctx);
    else
        in.def->trans(&ctx, &in);
    t->ended = ctx.ended;
    return 0;
}
