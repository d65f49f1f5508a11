/* Unit tests of the IR passes (src/opt/): what each removes or rewrites, and above all what it
 * must keep: a put is only dropped when a later put overwrites it with no exit, faulting op,
 * state-reading helper or get of that field in between. */
#include "check.h"
#include "ir/ir.h"
#include "opt/opt.h"

static struct ir_block blk;

static unsigned count(const struct ir_block *b, enum ir_opc opc)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < b->n_ops; i++)
        n += b->ops[i].opc == opc;
    return n;
}

static const struct ir_op *find(const struct ir_block *b, enum ir_opc opc, unsigned nth)
{
    for (uint32_t i = 0; i < b->n_ops; i++)
        if (b->ops[i].opc == opc && nth-- == 0)
            return &b->ops[i];
    return NULL;
}

static uint64_t helper_fn(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return a;
}
static const struct ir_helper reader = { "reader", helper_fn, 1, IR_HELPER_RSTATE, IR_I64 };
static const struct ir_helper writer = { "writer", helper_fn, 1, IR_HELPER_WSTATE, IR_I64 };
static const struct ir_helper pure = { "pure", helper_fn, 1, IR_HELPER_RSTATE | IR_HELPER_PURE,
                                       IR_I64 };

static struct ir_block *start(void)
{
    ir_block_init(&blk, 0x1000);
    ir_insn_start(&blk, 0x1000);
    return &blk;
}

static void test_forwarding(void)
{
    check_group("opt_forwarding");
    struct ir_block *b = start();
    ir_temp x = ir_get(b, IR_I64, 8);
    ir_temp y = ir_op2(b, IR_add, IR_I64, x, ir_const(b, IR_I64, 5));
    ir_put(b, IR_I64, 16, y);
    ir_temp z = ir_get(b, IR_I64, 16);        /* = y */
    ir_temp w = ir_get(b, IR_I64, 8);         /* = x */
    ir_put(b, IR_I64, 24, ir_op2(b, IR_sub, IR_I64, z, w));
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_get), 1);
    const struct ir_op *sub = find(b, IR_sub, 0);
    CHECK(sub && sub->src[0] == y && sub->src[1] == x);

    /* A helper that writes state ends forwarding; a narrower read of a known field is a
     * 32-bit mov of its temp (which zero-extends, as the load does). */
    b = start();
    ir_put(b, IR_I64, 16, ir_get(b, IR_I64, 8));
    ir_call(b, &writer, ir_const(b, IR_I64, 0), IR_NONE, IR_NONE, IR_NONE);
    ir_temp g = ir_get(b, IR_I64, 16);
    ir_put(b, IR_I64, 24, g);
    ir_put(b, IR_I64, 32, ir_get(b, IR_I32, 16));
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_get), 2);
    const struct ir_op *mov = find(b, IR_mov, 0);
    CHECK(mov && mov->type == IR_I32 && mov->src[0] == g);

    /* put.i64 of an i32 value (a 32-bit register write): reading it back at 64 bits is that
     * value, at 32 bits a mov of it. */
    b = start();
    ir_temp v = ir_op2(b, IR_add, IR_I32, ir_get(b, IR_I32, 8), ir_const(b, IR_I32, 1));
    ir_put(b, IR_I64, 16, v);
    ir_temp r64 = ir_get(b, IR_I64, 16), r32 = ir_get(b, IR_I32, 16);
    ir_put(b, IR_I64, 24, ir_op2(b, IR_add, IR_I64, r64, ir_const(b, IR_I64, 2)));
    ir_put(b, IR_I64, 32, ir_op2(b, IR_add, IR_I32, r32, ir_const(b, IR_I32, 3)));
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_get), 1);
    const struct ir_op *add64 = find(b, IR_add, 1), *add32 = find(b, IR_add, 2);
    mov = find(b, IR_mov, 0);
    CHECK(add64 && add64->src[0] == v);
    CHECK(mov && mov->type == IR_I32 && mov->src[0] == v && add32 && add32->src[0] == mov->dst);
}

static void test_dead_stores(void)
{
    check_group("opt_dead_stores");
    struct ir_block *b = start();
    ir_put(b, IR_I64, 8, ir_const(b, IR_I64, 1));
    ir_insn_start(b, 0x1004);
    ir_put(b, IR_I64, 8, ir_const(b, IR_I64, 2));   /* overwrites the first */
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_put), 1);
    CHECK_EQ(b->ops[find(b, IR_put, 0) - b->ops - 1].imm, 2);

    /* Each of these makes the first put observable, so it stays. */
    for (int k = 0; k < 5; k++) {
        b = start();
        ir_temp a = ir_get(b, IR_I64, 0);
        ir_put(b, IR_I64, 8, ir_const(b, IR_I64, 1));
        switch (k) {
        case 0: ir_ld(b, IR_I64, IR_MO_64, a, 0); break;                          /* may fault */
        case 1: ir_exit_if(b, IR_I64, IR_EQ, a, ir_const(b, IR_I64, 0), 0x3000); break;
        case 2: ir_call(b, &reader, a, IR_NONE, IR_NONE, IR_NONE); break;
        case 3: ir_put(b, IR_I64, 16, ir_get(b, IR_I32, 12)); break;              /* overlaps */
        default: ir_st(b, IR_MO_8, a, 0, a); break;
        }
        ir_put(b, IR_I64, 8, ir_const(b, IR_I64, 2));
        ir_goto_pc(b, 0x2000);
        opt_block(b);
        CHECK_EQ(count(b, IR_put) - (k == 3), 2);
    }

    /* A narrower later put does not cover a wider earlier one. */
    b = start();
    ir_put(b, IR_I64, 8, ir_const(b, IR_I64, 1));
    ir_put(b, IR_I32, 8, ir_const(b, IR_I32, 2));
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_put), 2);
}

/* Constants fold, x op identity is x, and x ^ x, x - x are 0 (x86-64's xor eax, eax). */
static void test_folding(void)
{
    check_group("opt_folding");
    struct ir_block *b = start();
    ir_temp c = ir_op2(b, IR_add, IR_I64, ir_const(b, IR_I64, 40), ir_const(b, IR_I64, 2));
    ir_temp d = ir_op2(b, IR_shl, IR_I32, ir_const(b, IR_I32, 0x80000001), ir_const(b, IR_I32, 33));
    ir_temp e = ir_op1(b, IR_sext32, IR_I64, ir_const(b, IR_I64, 0xfffffffe));
    ir_put(b, IR_I64, 8, c);
    ir_put(b, IR_I64, 16, d);
    ir_put(b, IR_I64, 24, e);
    ir_temp x = ir_get(b, IR_I64, 0);
    ir_put(b, IR_I64, 32, ir_op2(b, IR_add, IR_I64, x, ir_const(b, IR_I64, 0)));   /* = x */
    ir_temp x32 = ir_get(b, IR_I32, 0);   /* x's low half: a mov.i32, which zero-extends */
    ir_put(b, IR_I64, 40, ir_op2(b, IR_add, IR_I32, x, ir_const(b, IR_I32, 0)));   /* truncates */
    ir_put(b, IR_I64, 48, ir_op2(b, IR_or, IR_I32, x32, ir_const(b, IR_I32, 0)));  /* = x32 */
    ir_temp y32 = ir_get(b, IR_I32, 56);
    ir_put(b, IR_I64, 64, ir_op2(b, IR_or, IR_I32, y32, ir_const(b, IR_I32, 0)));  /* kept: */
    /* y32 may carry upper bits (an i32 temp is not always zero-extended), the or drops them */
    ir_put(b, IR_I64, 72, ir_op2(b, IR_xor, IR_I32, y32, ir_get(b, IR_I32, 56)));   /* 0 */
    ir_put(b, IR_I64, 80, ir_op2(b, IR_sub, IR_I64, x, x));                       /* 0 */
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_xor) + count(b, IR_sub), 0);
    CHECK_EQ(count(b, IR_add), 1);
    CHECK_EQ(count(b, IR_shl) + count(b, IR_sext32), 0);
    CHECK_EQ(count(b, IR_or), 1);
    static const unsigned consts[5] = { 0, 1, 2, 7, 8 };   /* the puts of constants */
    for (unsigned k = 0; k < 5; k++) {
        const struct ir_op *p = find(b, IR_put, consts[k]);
        const struct ir_op *def = NULL;
        for (uint32_t i = 0; p && i < b->n_ops; i++)
            if (ir_opdefs[b->ops[i].opc].n_out && b->ops[i].dst == p->src[0])
                def = &b->ops[i];
        static const int64_t want[5] = { 42, 2, -2, 0, 0 };
        CHECK(def && def->opc == IR_const && def->imm == want[k]);
    }
    CHECK(find(b, IR_put, 3)->src[0] == x);
    CHECK_EQ(find(b, IR_or, 0)->src[0], y32);
}

/* Extensions of values that narrow already go (x86-64's byte compares and SETcc into a byte
 * register); those that change a value stay. */
static void test_narrowing(void)
{
    check_group("opt_narrowing");
    struct ir_block *b = start();
    ir_temp a = ir_get(b, IR_I64, 0);
    ir_temp byte = ir_ld(b, IR_I32, IR_MO_8, a, 0);
    ir_put(b, IR_I64, 8, ir_op1(b, IR_zext8, IR_I32, byte));                  /* = byte */
    ir_temp flag = ir_setcond(b, IR_I32, IR_LTU, a, byte);
    ir_temp merged = ir_emit(b, IR_deposit, IR_I64, ir_new_temp(b, IR_I64), a, flag,
                             IR_NONE, IR_NONE, 8 << 8)->dst;
    ir_put(b, IR_I64, 16, merged);
    ir_put(b, IR_I64, 24, ir_op1(b, IR_sext8, IR_I32, ir_op1(b, IR_zext8, IR_I32, merged))); /* = flag */
    ir_temp d32 = ir_op2(b, IR_sub, IR_I32, a, byte);
    ir_put(b, IR_I64, 32, ir_op1(b, IR_zext32, IR_I64, d32));   /* kept: an i64 of an i32 temp */
    ir_put(b, IR_I64, 40, ir_op1(b, IR_zext16, IR_I64, d32));                 /* kept */
    ir_put(b, IR_I64, 48, ir_op1(b, IR_sext8, IR_I64, ir_ld(b, IR_I64, IR_MO_8, a, 1))); /* kept */
    ir_exit_if(b, IR_I32, IR_NE, ir_op2(b, IR_and, IR_I32, a, a), ir_const(b, IR_I32, 0), 0x3000);
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(find(b, IR_put, 0)->src[0], byte);
    CHECK_EQ(find(b, IR_put, 2)->src[0], flag);
    CHECK_EQ(count(b, IR_zext8) + count(b, IR_and), 0);
    CHECK_EQ(count(b, IR_zext32) + count(b, IR_zext16) + count(b, IR_sext8), 3);
    CHECK_EQ(find(b, IR_exit_if, 0)->src[0], a);   /* a 32-bit compare reads a's low half */
    char err[160];
    CHECK(ir_verify(b, err, sizeof(err)) == 0);
}

/* Rewrites toward what the backends emit best: a constant first operand goes second (a
 * compare's condition swapped), an extension reads through a 32-bit identity op (RISC-V's
 * sext.w, addiw x, 0), and x << c >> c is an extension (its zext.w, slli then srli 32), as is
 * a bit field of 8, 16 or 32 bits from bit 0 (AArch64's SXTH, UXTB). */
static void test_canonical(void)
{
    check_group("opt_canonical");
    struct ir_block *b = start();
    ir_temp x = ir_get(b, IR_I64, 0);
    ir_temp k = ir_const(b, IR_I64, 127);
    ir_put(b, IR_I64, 8, ir_op2(b, IR_add, IR_I64, ir_const(b, IR_I64, 0), x));   /* = x */
    ir_temp w = ir_op2(b, IR_add, IR_I32, x, ir_const(b, IR_I32, 0));
    ir_put(b, IR_I64, 16, ir_op1(b, IR_sext32, IR_I64, w));                       /* sext32 x */
    ir_temp up = ir_op2(b, IR_shl, IR_I64, x, ir_const(b, IR_I64, 32));
    ir_put(b, IR_I64, 24, ir_op2(b, IR_shr, IR_I64, up, ir_const(b, IR_I64, 32)));  /* zext32 x */
    up = ir_op2(b, IR_shl, IR_I64, x, ir_const(b, IR_I64, 20));
    ir_put(b, IR_I64, 32, ir_op2(b, IR_sar, IR_I64, up, ir_const(b, IR_I64, 20)));  /* 44 bits */
    up = ir_op2(b, IR_shl, IR_I64, x, ir_const(b, IR_I64, 8));
    ir_put(b, IR_I64, 40, ir_op2(b, IR_shr, IR_I64, up, ir_const(b, IR_I64, 4)));   /* kept */
    ir_put(b, IR_I64, 48, ir_op1i(b, IR_sextract, IR_I64, x, 0 | 16 << 8));       /* sext16 x */
    ir_put(b, IR_I32, 56, ir_op1i(b, IR_extract, IR_I32, x, 0 | 8 << 8));         /* zext8 x */
    ir_exit_if(b, IR_I64, IR_LTU, k, x, 0x3000);                                  /* x > 127 */
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(find(b, IR_put, 0)->src[0], x);
    CHECK_EQ(count(b, IR_add), 0);
    const struct ir_op *s32 = find(b, IR_sext32, 0);
    CHECK(s32 && s32->src[0] == x && find(b, IR_put, 1)->src[0] == s32->dst);
    const struct ir_op *z32 = find(b, IR_zext32, 0);
    CHECK(z32 && z32->src[0] == x && find(b, IR_put, 2)->src[0] == z32->dst);
    const struct ir_op *s44 = find(b, IR_sextract, 0);
    CHECK(s44 && s44->src[0] == x && s44->imm == 44 << 8 && find(b, IR_put, 3)->src[0] == s44->dst);
    CHECK_EQ(count(b, IR_shl), 1);
    CHECK_EQ(count(b, IR_shr), 1);
    CHECK_EQ(count(b, IR_sar), 0);
    const struct ir_op *s16 = find(b, IR_sext16, 0), *z8 = find(b, IR_zext8, 0);
    CHECK(s16 && s16->src[0] == x && s16->type == IR_I64 && find(b, IR_put, 5)->src[0] == s16->dst);
    CHECK(z8 && z8->src[0] == x && z8->type == IR_I32 && find(b, IR_put, 6)->src[0] == z8->dst);
    CHECK_EQ(count(b, IR_extract), 0);
    const struct ir_op *e = find(b, IR_exit_if, 0);
    CHECK(e && e->src[0] == x && e->src[1] == k && e->cond == IR_GTU);
    char err[160];
    CHECK(ir_verify(b, err, sizeof(err)) == 0);
}

/* A shift left that moves out every bit a field, an extension or a low mask set reads their
 * source (AArch64's LSL, a UBFM: a field, then the shift). */
static void test_shl_of_field(void)
{
    check_group("opt_shl_of_field");
    struct ir_block *b = start();
    ir_temp x = ir_get(b, IR_I64, 0);
    ir_temp f62 = ir_op1i(b, IR_extract, IR_I64, x, 0 | 62 << 8);
    ir_put(b, IR_I64, 8, ir_op2(b, IR_shl, IR_I64, f62, ir_const(b, IR_I64, 2)));     /* x << 2 */
    ir_temp f31 = ir_op1i(b, IR_extract, IR_I64, x, 0 | 31 << 8);
    ir_put(b, IR_I32, 16, ir_op2(b, IR_shl, IR_I32, f31, ir_const(b, IR_I32, 1)));    /* x << 1 */
    ir_temp s32 = ir_op1(b, IR_sext32, IR_I64, x);
    ir_put(b, IR_I64, 24, ir_op2(b, IR_shl, IR_I64, s32, ir_const(b, IR_I64, 32)));   /* x << 32 */
    ir_temp low = ir_op2(b, IR_and, IR_I64, x, ir_const(b, IR_I64, 0xffff));
    ir_put(b, IR_I64, 40, ir_op2(b, IR_shl, IR_I64, low, ir_const(b, IR_I64, 48)));   /* x << 48 */
    ir_temp f40 = ir_op1i(b, IR_extract, IR_I64, x, 0 | 40 << 8);
    ir_put(b, IR_I64, 32, ir_op2(b, IR_shl, IR_I64, f40, ir_const(b, IR_I64, 8)));    /* kept */
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    for (unsigned k = 0; k < 4; k++)
        CHECK(find(b, IR_shl, k) && find(b, IR_shl, k)->src[0] == x);
    CHECK(find(b, IR_shl, 4) && find(b, IR_shl, 4)->src[0] == f40);
    CHECK_EQ(count(b, IR_extract) + count(b, IR_sext32) + count(b, IR_and), 1);
    char err[160];
    CHECK(ir_verify(b, err, sizeof(err)) == 0);
}

/* MOVZ/MOVK chains and bit-field moves of constants: deposit, extract and sextract fold. */
static void test_folding_fields(void)
{
    check_group("opt_folding_fields");
    struct ir_block *b = start();
    ir_temp lo = ir_const(b, IR_I64, 0x2b);
    ir_temp d = ir_new_temp(b, IR_I64);
    ir_emit(b, IR_deposit, IR_I64, d, lo, ir_const(b, IR_I64, 0x7000), IR_NONE, IR_NONE, 16 | 16 << 8);
    ir_put(b, IR_I64, 8, d);
    ir_put(b, IR_I64, 16, ir_op1i(b, IR_extract, IR_I64, ir_const(b, IR_I64, 0xabcd), 4 | 8 << 8));
    ir_put(b, IR_I64, 24, ir_op1i(b, IR_sextract, IR_I32, ir_const(b, IR_I64, 0xf0), 4 | 4 << 8));
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_deposit) + count(b, IR_extract) + count(b, IR_sextract), 0);
    static const int64_t want[3] = { 0x7000002b, 0xbc, 0xffffffff };
    for (unsigned k = 0; k < 3; k++) {
        const struct ir_op *p = find(b, IR_put, k);
        const struct ir_op *def = NULL;
        for (uint32_t i = 0; i < b->n_ops; i++)
            if (ir_opdefs[b->ops[i].opc].n_out && b->ops[i].dst == p->src[0])
                def = &b->ops[i];
        CHECK(def && def->opc == IR_const && def->imm == want[k]);
    }
}

static void test_dead_code(void)
{
    check_group("opt_dead_code");
    struct ir_block *b = start();
    ir_temp a = ir_get(b, IR_I64, 0);
    ir_op2(b, IR_mul, IR_I64, a, a);                   /* unused: removed */
    ir_ld(b, IR_I64, IR_MO_64, a, 0);                  /* unused but may fault: kept */
    ir_call(b, &reader, a, IR_NONE, IR_NONE, IR_NONE); /* kept */
    ir_call(b, &pure, a, IR_NONE, IR_NONE, IR_NONE);   /* unused and pure: removed */
    ir_temp used = ir_call(b, &pure, a, IR_NONE, IR_NONE, IR_NONE);
    ir_put(b, IR_I64, 8, used);
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    CHECK_EQ(count(b, IR_mul), 0);
    CHECK_EQ(count(b, IR_ld), 1);
    CHECK_EQ(count(b, IR_call), 2);
    const struct ir_op *kept = find(b, IR_call, 0), *used_call = find(b, IR_call, 1);
    CHECK(kept && kept->imm == (int64_t)(intptr_t)&reader);
    CHECK(used_call && used_call->imm == (int64_t)(intptr_t)&pure);
    CHECK_EQ(count(b, IR_insn_start), 1);
    CHECK_EQ(count(b, IR_goto_pc), 1);
    char err[160];
    CHECK(ir_verify(b, err, sizeof(err)) == 0);
}

/* An access at base + constant (or - constant, through a chain of them) is one at base with
 * the constant in its displacement, while that fits 32 bits. */
static void test_addresses(void)
{
    check_group("opt_addresses");
    struct ir_block *b = start();
    ir_temp sp = ir_get(b, IR_I64, 0);
    ir_temp a = ir_op2(b, IR_add, IR_I64, sp, ir_const(b, IR_I64, -0x14));
    ir_put(b, IR_I64, 8, ir_ld(b, IR_I64, IR_MO_32, a, 4));
    ir_st(b, IR_MO_64, ir_op2(b, IR_add, IR_I64, ir_const(b, IR_I64, 0x28), sp), 0, sp);
    ir_ld(b, IR_I64, IR_MO_8, ir_op2(b, IR_add, IR_I64, sp, ir_const(b, IR_I64, INT32_MAX)), 1);
    ir_temp push1 = ir_op2(b, IR_sub, IR_I64, sp, ir_const(b, IR_I64, 8));   /* two pushes */
    ir_st(b, IR_MO_64, ir_op2(b, IR_sub, IR_I64, push1, ir_const(b, IR_I64, 8)), 0, sp);
    ir_ld(b, IR_I64, IR_MO_64, ir_op2(b, IR_sub, IR_I64, ir_const(b, IR_I64, 8), sp), 0);   /* 8 - sp */
    ir_goto_pc(b, 0x2000);
    opt_block(b);
    const struct ir_op *ld = find(b, IR_ld, 0), *st = find(b, IR_st, 0), *far = find(b, IR_ld, 1);
    CHECK(ld->src[0] == sp && ld->imm == -0x10);
    CHECK(st->src[0] == sp && st->imm == 0x28);
    CHECK(far->src[0] != sp && far->imm == 1);   /* INT32_MAX + 1 does not fit */
    const struct ir_op *pushed = find(b, IR_st, 1), *neg = find(b, IR_ld, 2);
    CHECK(pushed->src[0] == sp && pushed->imm == -16);
    CHECK(neg->src[0] != sp && neg->imm == 0);
    CHECK_EQ(count(b, IR_add), 1);
    CHECK_EQ(count(b, IR_sub), 1);
    char err[160];
    CHECK(ir_verify(b, err, sizeof(err)) == 0);
}

int main(void)
{
    test_forwarding();
    test_dead_stores();
    test_folding();
    test_folding_fields();
    test_narrowing();
    test_canonical();
    test_shl_of_field();
    test_addresses();
    test_dead_code();
    return check_done();
}
