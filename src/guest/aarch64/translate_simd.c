/* Advanced SIMD to IR. Bitwise ops, immediates and element moves (DUP, INS, UMOV, SMOV) are
 * inline on the two 64-bit halves of the V registers; everything with an element loop is a
 * simd.h helper that gets the instruction word and the row's operation. */
#include "guest/aarch64/translate.h"

#include "guest/aarch64/cpu.h"
#include "guest/aarch64/simd.h"

static bool q_bit(const struct a64_insn *in)
{
    return a64_bits(in->word, 30, 30);
}

static void call_simd(struct a64_ctx *ctx, const struct a64_insn *in, enum a64_simd_helper h)
{
    ir_call(ctx->b, &a64_simd_helpers[h], a64_const(ctx, in->word), a64_const(ctx, in->def->arg),
            a64_const(ctx, 0), IR_NONE);
}

#define SIMD_HELPER_TRANS(name) \
    void trans_simd_##name(struct a64_ctx *ctx, const struct a64_insn *in) { call_simd(ctx, in, SIMDH_##name); }
SIMD_HELPER_TRANS(3same)
SIMD_HELPER_TRANS(2misc)
SIMD_HELPER_TRANS(across)
SIMD_HELPER_TRANS(permute)
SIMD_HELPER_TRANS(tbl)
SIMD_HELPER_TRANS(shift)
SIMD_HELPER_TRANS(3diff)
SIMD_HELPER_TRANS(elem)
#undef SIMD_HELPER_TRANS

/* One half of AND, BIC, ORR, ORN, EOR and the bitwise selects (d is the old destination). */
static ir_temp logic_half(struct a64_ctx *ctx, enum a64_simd_op op, ir_temp n, ir_temp m, ir_temp d)
{
    struct ir_block *b = ctx->b;
    switch (op) {
    case SIMD_AND: return ir_op2(b, IR_and, IR_I64, n, m);
    case SIMD_BIC: return ir_op2(b, IR_andc, IR_I64, n, m);
    case SIMD_ORR: return ir_op2(b, IR_or, IR_I64, n, m);
    case SIMD_ORN: return ir_op2(b, IR_or, IR_I64, n, ir_op1(b, IR_not, IR_I64, m));
    case SIMD_EOR: return ir_op2(b, IR_xor, IR_I64, n, m);
    case SIMD_BSL: /* d ? n : m, bitwise */
        return ir_op2(b, IR_xor, IR_I64, ir_op2(b, IR_and, IR_I64, ir_op2(b, IR_xor, IR_I64, n, m), d), m);
    case SIMD_BIT: /* m ? n : d */
        return ir_op2(b, IR_xor, IR_I64, ir_op2(b, IR_and, IR_I64, ir_op2(b, IR_xor, IR_I64, n, d), m), d);
    default: /* BIF: m ? d : n */
        return ir_op2(b, IR_xor, IR_I64, ir_op2(b, IR_andc, IR_I64, ir_op2(b, IR_xor, IR_I64, n, d), m), d);
    }
}

void trans_simd_logic(struct a64_ctx *ctx, const struct a64_insn *in)
{
    enum a64_simd_op op = (enum a64_simd_op)in->def->arg;
    bool selects = op == SIMD_BSL || op == SIMD_BIT || op == SIMD_BIF;
    unsigned halves = q_bit(in) ? 2 : 1;
    ir_temp r[2];
    for (unsigned h = 0; h < halves; h++) {
        ir_temp d = selects ? a64_get_v(ctx, in->rd, h) : IR_NONE;
        ir_temp n = a64_get_v(ctx, in->rn, h);
        r[h] = in->rn == in->rm && op == SIMD_ORR ? n /* mov */
                                                  : logic_half(ctx, op, n, a64_get_v(ctx, in->rm, h), d);
    }
    a64_put_v(ctx, in->rd, 0, r[0]);
    a64_put_v(ctx, in->rd, 1, halves == 2 ? r[1] : a64_const(ctx, 0));
}

/* MOVI, MVNI, ORR and BIC (immediate), FMOV (vector, immediate). */
void trans_simd_movi(struct a64_ctx *ctx, const struct a64_insn *in)
{
    uint32_t w = in->word;
    unsigned op = a64_bits(w, 29, 29), cmode = a64_bits(w, 15, 12);
    unsigned imm8 = a64_bits(w, 18, 16) << 5 | a64_bits(w, 9, 5);
    bool q = q_bit(in);
    if (op && cmode == 15 && !q) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t imm = a64_expand_simd_imm(op, cmode, imm8);
    bool shifted = cmode < 12 && (cmode & 1);          /* ORR / BIC */
    bool inverted = op && cmode < 14 && !shifted;       /* MVNI */
    ir_temp r[2];
    for (unsigned h = 0; h < 2; h++) {
        if (shifted) {
            ir_temp d = a64_get_v(ctx, in->rd, h);
            r[h] = ir_op2(ctx->b, op ? IR_andc : IR_or, IR_I64, d, a64_const(ctx, (int64_t)imm));
        } else {
            r[h] = a64_const(ctx, (int64_t)(inverted ? ~imm : imm));
        }
    }
    a64_put_v(ctx, in->rd, 0, r[0]);
    a64_put_v(ctx, in->rd, 1, q ? r[1] : a64_const(ctx, 0));
}

/* imm5 = index:1:0..0 gives the element size (its lowest set bit) and index; false if none. */
static bool imm5_element(const struct a64_insn *in, unsigned *size, unsigned *index)
{
    unsigned imm5 = a64_bits(in->word, 20, 16);
    if (!(imm5 & 15))
        return false;
    *size = (unsigned)__builtin_ctz(imm5);
    *index = imm5 >> (*size + 1);
    return true;
}

/* Element index of size in V[n], zero-extended. */
static ir_temp get_element(struct a64_ctx *ctx, unsigned n, unsigned size, unsigned index)
{
    unsigned bits = 8u << size, per = 64 / bits;
    ir_temp half = a64_get_v(ctx, n, index / per);
    if (size == 3)
        return half;
    return ir_op1i(ctx->b, IR_extract, IR_I64, half, (index % per) * bits | bits << 8);
}

/* value (zero-extended, of size) copied into every element of a 64-bit half. */
static ir_temp replicate(struct a64_ctx *ctx, unsigned size, ir_temp value)
{
    static const uint64_t ones[4] = { 0x0101010101010101ull, 0x0001000100010001ull,
                                      0x0000000100000001ull, 1 };
    if (size == 3)
        return value;
    return ir_op2(ctx->b, IR_mul, IR_I64, value, a64_const(ctx, (int64_t)ones[size]));
}

static void put_replicated(struct a64_ctx *ctx, const struct a64_insn *in, unsigned size,
                           ir_temp value)
{
    bool q = q_bit(in);
    if (size == 3 && !q) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp half = replicate(ctx, size, value);
    a64_put_v(ctx, in->rd, 0, half);
    a64_put_v(ctx, in->rd, 1, q ? half : a64_const(ctx, 0));
}

/* DUP (element): vector form replicates; scalar form (bit 28) is MOV Vd, Vn.T[i]. */
void trans_simd_dup_elem(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned size, index;
    if (!imm5_element(in, &size, &index)) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp e = get_element(ctx, in->rn, size, index);
    if (a64_bits(in->word, 28, 28))
        a64_put_v64(ctx, in->rd, e);
    else
        put_replicated(ctx, in, size, e);
}

void trans_simd_dup_gen(struct a64_ctx *ctx, const struct a64_insn *in)
{
    static const enum ir_opc narrow[4] = { IR_zext8, IR_zext16, IR_zext32, IR_mov };
    unsigned size, index;
    if (!imm5_element(in, &size, &index)) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp v = a64_get_x(ctx, in->rn);
    if (size < 3)
        v = ir_op1(ctx->b, narrow[size], IR_I64, v);
    put_replicated(ctx, in, size, v);
}

/* UMOV (arg 0): W from B/H/S, X from D; SMOV (arg 1): W from B/H, X from B/H/S. Q selects
 * the X destination. */
void trans_simd_mov_to_gen(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned size, index;
    bool q = q_bit(in), is_signed = in->def->arg;
    bool ok = imm5_element(in, &size, &index) &&
              (is_signed ? size < 2u + q : (q ? size == 3 : size < 3));
    if (!ok) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp e = get_element(ctx, in->rn, size, index);
    if (is_signed)
        e = ir_op1i(ctx->b, IR_sextract, q ? IR_I64 : IR_I32, e, (8u << size) << 8);
    a64_put_r(ctx, in->rd, q, e);
}

void trans_simd_ins_gen(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned size, index;
    if (!imm5_element(in, &size, &index)) {
        a64_gen_illegal(ctx);
        return;
    }
    unsigned bits = 8u << size, per = 64 / bits, h = index / per;
    ir_temp v = a64_get_x(ctx, in->rn);
    if (size < 3)
        v = a64_deposit(ctx, IR_I64, a64_get_v(ctx, in->rd, h), v, (index % per) * bits, bits);
    a64_put_v(ctx, in->rd, h, v);
}

void trans_simd_ins_elem(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned size, index;
    if (!imm5_element(in, &size, &index)) {
        a64_gen_illegal(ctx);
        return;
    }
    unsigned src = a64_bits(in->word, 14, 11) >> size;
    unsigned bits = 8u << size, per = 64 / bits, h = index / per;
    ir_temp v = get_element(ctx, in->rn, size, src);
    if (size < 3)
        v = a64_deposit(ctx, IR_I64, a64_get_v(ctx, in->rd, h), v, (index % per) * bits, bits);
    a64_put_v(ctx, in->rd, h, v);
}

/* Structure loads and stores: the helper moves the data and returns the byte count, which
 * the post-index form adds to the base when Rm is 31 (else it adds Xm). */
void trans_simd_ldst(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp base = a64_get_xsp(ctx, in->rn);
    ir_temp bytes = ir_call(b, &a64_simd_helpers[SIMDH_ldst], a64_const(ctx, in->word),
                            a64_const(ctx, (in->def->arg & A64_SIMD_SINGLE) != 0),
                            a64_data_addr(ctx, base), IR_NONE);
    if (in->def->arg & A64_SIMD_POST) {
        ir_temp step = in->rm == 31 ? bytes : a64_get_x(ctx, in->rm);
        a64_put_xsp(ctx, in->rn, ir_op2(b, IR_add, IR_I64, base, step));
    }
}
