/* x86-64 bit instructions to IR: BT, BTS, BTR, BTC (a register bit offset reaches memory past
 * the operand), BSF, BSR, TZCNT, LZCNT, POPCNT, CRC32 (CRC-32C, a helper) and the BMI1 and
 * BMI2 general-register forms (PEXT and PDEP in a helper). Flags that Intel leaves undefined
 * are what the host AMD CPU gives (tests/diff/x64_diff.c compares them). */
#include "guest/x86_64/translate.h"

static ir_temp c64(struct x64_ctx *ctx, int64_t v)
{
    return x64_const(ctx, v);
}

static unsigned log2_of(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/* The operand at 64 bits, zero-extended. */
static ir_temp wide(struct x64_ctx *ctx, unsigned size, ir_temp v)
{
    if (size == 8)
        return v;
    return size == 4 ? ir_op1(ctx->b, IR_zext32, IR_I64, v) : x64_zext(ctx, size, v);
}

/* Replaces the arithmetic flags by bits (i64) except those in keep, which stay. */
static void flags_keep(struct x64_ctx *ctx, ir_temp bits, int64_t keep)
{
    struct ir_block *b = ctx->b;
    x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, x64_get_flags_of(ctx, (uint64_t)keep), bits));
}

/* ---- BT, BTS, BTR, BTC ---- */

struct bt_arg {
    unsigned op;     /* 0 BT, 1 BTS, 2 BTR, 3 BTC */
    ir_temp bit;     /* i64, below the width */
    ir_temp *cf;     /* out: the bit before (i64 0 or 1) */
};

static ir_temp bt_apply(struct x64_ctx *ctx, unsigned size, ir_temp old, const void *arg_,
                        struct x64_cc *cc)
{
    (void)cc;
    struct ir_block *b = ctx->b;
    const struct bt_arg *arg = arg_;
    ir_temp v = wide(ctx, size, old);
    *arg->cf = ir_op2(b, IR_and, IR_I64, ir_op2(b, IR_shr, IR_I64, v, arg->bit), c64(ctx, 1));
    ir_temp m = ir_op2(b, IR_shl, IR_I64, c64(ctx, 1), arg->bit);
    static const enum ir_opc opc[4] = { IR_or, IR_or, IR_andc, IR_xor };
    return ir_op2(b, opc[arg->op], IR_I64, v, m);
}

/* arg 0..3: BT, BTS, BTR, BTC by a register; 4..7 by an immediate. CF is the bit; the other
 * flags stay. */
void x64_trans_bt(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, bits = 8 * size, op = (unsigned)in->def->arg & 3;
    ir_temp bit, cf;
    if (in->def->arg >= 4) {
        bit = c64(ctx, in->imm & (bits - 1));
    } else {
        ir_temp off = x64_get_greg(ctx, size);
        bit = ir_op2(b, IR_and, IR_I64, off, c64(ctx, bits - 1));
        if (in->mod != 3) {   /* the operand holding the bit: offset >> log2(bits) units on */
            static const enum ir_opc sext[9] = { [2] = IR_sext16, [4] = IR_sext32 };
            ir_temp s = size == 8 ? off : ir_op1(b, sext[size], IR_I64, off);
            ir_temp units = ir_op2(b, IR_sar, IR_I64, s, c64(ctx, 3 + log2_of(size)));
            ir_temp disp = ir_op2(b, IR_shl, IR_I64, units, c64(ctx, log2_of(size)));
            ctx->ea = ir_op2(b, IR_add, IR_I64, x64_ea(ctx), disp);
        }
    }
    struct bt_arg arg = { op, bit, &cf };
    if (op == 0) {
        struct x64_cc unused;
        bt_apply(ctx, size, x64_get_rm(ctx, size), &arg, &unused);
    } else {
        x64_rmw_rm(ctx, size, bt_apply, &arg);
    }
    flags_keep(ctx, cf, X64_FLAGS_ARITH & ~X64_CF);
}

/* ---- bit scans and counts ---- */

/* arg 0: BSF; 1: BSR (a zero source leaves the destination alone, ZF set); 2: TZCNT;
 * 3: LZCNT (CF for a zero source, ZF for a zero result). BSF and BSR leave the other flags
 * alone, TZCNT and LZCNT keep OF and clear SF, AF and PF (AMD). */
void x64_trans_bitscan(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, bits = 8 * size, op = (unsigned)in->def->arg;
    ir_temp src = wide(ctx, size, x64_get_rm(ctx, size)), zero = c64(ctx, 0);
    ir_temp is_zero = ir_setcond(b, IR_I64, IR_EQ, src, zero);
    ir_temp r;
    switch (op) {
    case 0:
    case 2:   /* a bit above the operand makes a zero source count the width */
        r = ir_op1(b, IR_ctz, IR_I64, size == 8 ? src : ir_op2(b, IR_or, IR_I64, src,
                                                                c64(ctx, 1ll << bits)));
        break;
    case 1:
        r = ir_op2(b, IR_sub, IR_I64, c64(ctx, 63), ir_op1(b, IR_clz, IR_I64, src));
        break;
    default:
        r = ir_op2(b, IR_sub, IR_I64, ir_op1(b, IR_clz, IR_I64, src), c64(ctx, 64 - bits));
        break;
    }
    if (op < 2) {
        unsigned n = in->reg;
        size_t full = X64_R(n);
        ir_temp before = ir_get(b, IR_I64, full);
        x64_put_greg(ctx, size, r);
        ir_put(b, IR_I64, full, ir_movcond(b, IR_I64, IR_NE, is_zero, zero, before,
                                           ir_get(b, IR_I64, full)));
        flags_keep(ctx, ir_op2(b, IR_shl, IR_I64, is_zero, c64(ctx, 6)),
                   X64_FLAGS_ARITH & ~X64_ZF);
        return;
    }
    x64_put_greg(ctx, size, r);
    ir_temp zf = ir_setcond(b, IR_I64, IR_EQ, r, zero);
    flags_keep(ctx, ir_op2(b, IR_or, IR_I64, is_zero, ir_op2(b, IR_shl, IR_I64, zf, c64(ctx, 6))),
               X64_OF);
}

/* POPCNT: ZF for a zero source, the other flags clear. */
void x64_trans_popcnt(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize;
    ir_temp src = wide(ctx, size, x64_get_rm(ctx, size));
    x64_put_greg(ctx, size, ir_op1(b, IR_popcnt, IR_I64, src));
    ir_temp zf = ir_setcond(b, IR_I64, IR_EQ, src, c64(ctx, 0));
    x64_put_flags(ctx, ir_op2(b, IR_shl, IR_I64, zf, c64(ctx, 6)));
}

/* ---- CRC32 ---- */

static uint32_t crc32c_table[256];

__attribute__((constructor)) static void build_crc32c_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
        crc32c_table[i] = c;
    }
}

static uint64_t helper_crc32(void *cpu, uint64_t crc, uint64_t v, uint64_t bytes, uint64_t a3)
{
    (void)cpu, (void)a3;
    uint32_t c = (uint32_t)crc;
    for (unsigned i = 0; i < bytes; i++)
        c = (c >> 8) ^ crc32c_table[(c ^ (uint8_t)(v >> (8 * i))) & 0xff];
    return c;
}
static const struct ir_helper crc32_helper = { "x64_crc32", helper_crc32, 3, IR_HELPER_PURE,
                                                 IR_I64 };

/* arg 1: a byte source; 0: the operand size's. The CRC is 32 bits, zero-extended. */
void x64_trans_crc32(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned src_size = in->def->arg ? 1 : in->opsize;
    unsigned dst_size = (in->rex & 8) ? 8 : 4;
    ir_temp src = wide(ctx, src_size, x64_get_rm(ctx, src_size));
    ir_temp r = ir_call(ctx->b, &crc32_helper, x64_get_greg(ctx, 4), src, c64(ctx, src_size),
                        IR_NONE);
    x64_put_greg(ctx, dst_size, ir_op1(ctx->b, IR_zext32, IR_I64, r));
}

/* ---- BMI1, BMI2 ---- */

static uint64_t helper_pext_pdep(void *cpu, uint64_t src, uint64_t mask, uint64_t deposit,
                                 uint64_t a3)
{
    (void)cpu, (void)a3;
    uint64_t r = 0, k = 0;
    for (unsigned i = 0; i < 64; i++) {
        if (!(mask >> i & 1))
            continue;
        if (deposit)
            r |= (src >> k & 1) << i;
        else
            r |= (src >> i & 1) << k;
        k++;
    }
    return r;
}
static const struct ir_helper pext_pdep_helper = {
    "x64_pext_pdep", helper_pext_pdep, 3, IR_HELPER_PURE, IR_I64,
};

enum { ANDN, BLSR, BLSMSK, BLSI, BZHI, PEXT, PDEP, MULX, BEXTR, SHLX, SARX, SHRX, RORX };

/* VEX.W picks 32 or 64 bits; VEX.vvvv names the By operand. */
void x64_trans_bmi(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = (in->rex & 8) ? 8 : 4, bits = 8 * size, op = (unsigned)in->def->arg;
    enum ir_type t = x64_type(size);
    ir_temp e = x64_get_rm(ctx, size), zero = c64(ctx, 0), r;
    ir_temp by = op == RORX ? IR_NONE : x64_get_reg(ctx, in->vex_v, size);
    ir_temp ew = wide(ctx, size, e);
    switch (op) {
    case ANDN:
        r = ir_op2(b, IR_andc, t, e, by);
        x64_put_greg(ctx, size, r);
        x64_set_cc(ctx, X64_CC_LOGIC, size, r, IR_NONE, IR_NONE);
        return;
    case BLSR:
    case BLSMSK:
    case BLSI: {
        ir_temp m1 = ir_op2(b, IR_sub, t, e, ir_const(b, t, 1));
        r = op == BLSR ? ir_op2(b, IR_and, t, e, m1)
          : op == BLSMSK ? ir_op2(b, IR_xor, t, e, m1)
                         : ir_op2(b, IR_and, t, e, ir_op1(b, IR_neg, t, e));
        x64_put_reg(ctx, in->vex_v, size, r);
        ir_temp cf = ir_setcond(b, IR_I64, op == BLSI ? IR_NE : IR_EQ, ew, zero);
        x64_set_cc(ctx, X64_CC_RESULT, size, r, cf, IR_NONE);
        return;
    }
    case BZHI: {
        ir_temp n = ir_op1(b, IR_zext8, IR_I64, by);
        ir_temp big = ir_setcond(b, IR_I64, IR_GEU, n, c64(ctx, bits));
        ir_temp m = ir_op2(b, IR_shl, IR_I64, c64(ctx, 1), n);
        m = ir_op2(b, IR_sub, IR_I64, m, c64(ctx, 1));
        r = ir_movcond(b, IR_I64, IR_NE, big, zero, ew, ir_op2(b, IR_and, IR_I64, ew, m));
        x64_put_greg(ctx, size, r);
        x64_set_cc(ctx, X64_CC_RESULT, size, r, big, IR_NONE);
        return;
    }
    case PEXT:
    case PDEP:
        r = ir_call(b, &pext_pdep_helper, wide(ctx, size, by), ew, c64(ctx, op == PDEP), IR_NONE);
        x64_put_greg(ctx, size, r);
        return;
    case MULX: {   /* the low half to By first: with the same register, the high half wins */
        ir_temp d = wide(ctx, size, x64_get_reg(ctx, X64_RDX, size));
        ir_temp lo, hi;
        if (size == 8) {
            lo = ir_op2(b, IR_mul, IR_I64, d, ew);
            hi = ir_op2(b, IR_mulhu, IR_I64, d, ew);
        } else {
            lo = ir_op2(b, IR_mul, IR_I64, d, ew);
            hi = ir_op2(b, IR_shr, IR_I64, lo, c64(ctx, 32));
        }
        x64_put_reg(ctx, in->vex_v, size, lo);
        x64_put_greg(ctx, size, hi);
        return;
    }
    case BEXTR: {
        ir_temp start = ir_op1(b, IR_zext8, IR_I64, by);
        ir_temp len = ir_op1i(b, IR_extract, IR_I64, by, 8 | 8 << 8);
        ir_temp shifted = ir_movcond(b, IR_I64, IR_GEU, start, c64(ctx, bits), zero,
                                     ir_op2(b, IR_shr, IR_I64, ew, start));
        ir_temp m = ir_op2(b, IR_shl, IR_I64, c64(ctx, 1), len);
        m = ir_op2(b, IR_sub, IR_I64, m, c64(ctx, 1));
        m = ir_movcond(b, IR_I64, IR_GEU, len, c64(ctx, 64), c64(ctx, -1), m);
        r = ir_op2(b, IR_and, IR_I64, shifted, m);
        x64_put_greg(ctx, size, r);
        /* ZF and PF from the result, AF set, CF = OF = SF = 0 (AMD) */
        ir_temp zf = ir_setcond(b, IR_I64, IR_EQ, r, zero);
        ir_temp bits_set = ir_op1(b, IR_popcnt, IR_I64, ir_op1(b, IR_zext8, IR_I64, r));
        ir_temp odd = ir_op2(b, IR_and, IR_I64, bits_set, c64(ctx, 1));
        ir_temp pf = ir_op2(b, IR_shl, IR_I64, ir_op2(b, IR_xor, IR_I64, odd, c64(ctx, 1)),
                            c64(ctx, 2));
        ir_temp f = ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_shl, IR_I64, zf, c64(ctx, 6)), pf);
        x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, f, c64(ctx, X64_AF)));
        return;
    }
    case SHLX:
    case SARX:
    case SHRX: {
        ir_temp n = ir_op2(b, IR_and, IR_I64, by, c64(ctx, bits - 1));
        static const enum ir_opc opc[3] = { IR_shl, IR_sar, IR_shr };
        ir_temp src = op == SARX ? x64_sext(ctx, size, e) : e;
        x64_put_greg(ctx, size, ir_op2(b, opc[op - SHLX], t, src, n));
        return;
    }
    default:
        x64_put_greg(ctx, size, ir_op2(b, IR_rotr, t, e, ir_const(b, t, in->imm & (bits - 1))));
        return;
    }
}

/* ---- ADX ---- */

/* arg 0: ADCX (carry in and out in CF); 1: ADOX (in OF). The other flags stay. */
void x64_trans_adx(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = (in->rex & 8) ? 8 : 4;
    int64_t bit = in->def->arg ? X64_OF : X64_CF;
    enum ir_type t = x64_type(size);
    ir_temp flags = x64_get_flags(ctx);
    ir_temp cin = ir_setcond(b, IR_I64, IR_NE, ir_op2(b, IR_and, IR_I64, flags, c64(ctx, bit)),
                             c64(ctx, 0));
    ir_temp a = x64_get_greg(ctx, size), c = x64_get_rm(ctx, size);
    ir_temp partial = ir_op2(b, IR_add, t, a, c);
    ir_temp r = ir_op2(b, IR_add, t, partial, cin);
    ir_temp cout = ir_op2(b, IR_or, IR_I64, ir_setcond(b, t, IR_LTU, partial, a),
                          ir_setcond(b, t, IR_LTU, r, partial));
    x64_put_greg(ctx, size, r);
    ir_temp rest = ir_op2(b, IR_andc, IR_I64, flags, c64(ctx, bit));
    x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, rest,
                              ir_op2(b, IR_mul, IR_I64, cout, c64(ctx, bit))));
}
