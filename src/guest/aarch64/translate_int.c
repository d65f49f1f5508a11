/* A64 integer data processing to IR: add/sub (immediate, shifted, extended, with carry),
 * logical, moves of wide immediates, bitfields, conditional select and compare, shifts,
 * multiply and divide, bit and byte reversal, CRC32. W forms compute in i32 and the result is
 * zero-extended into the X register. */
#include "guest/aarch64/translate.h"

#include "guest/aarch64/cpu.h"

static ir_temp tconst(struct a64_ctx *ctx, enum ir_type t, int64_t value)
{
    return ir_const(ctx->b, t, value);
}

static unsigned width(bool sf)
{
    return sf ? 64 : 32;
}

void trans_adr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int64_t imm = a64_sext(a64_bits(in->word, 23, 5) << 2 | a64_bits(in->word, 30, 29), 21);
    uint64_t value = in->def->arg ? (ctx->pc & ~(uint64_t)0xfff) + ((uint64_t)imm << 12)
                                  : ctx->pc + (uint64_t)imm;
    a64_put_x(ctx, in->rd, a64_const(ctx, (int64_t)value));
}

/* Rd is SP unless the instruction sets flags (then it is XZR); Rn is SP. */
void trans_addsub_imm(struct a64_ctx *ctx, const struct a64_insn *in)
{
    enum ir_type t = a64_type(in->sf);
    uint64_t imm = a64_bits(in->word, 21, 10) << (a64_bits(in->word, 22, 22) ? 12 : 0);
    bool sub = in->def->arg & A64_OP_SUB;
    ir_temp a = a64_get_xsp(ctx, in->rn), c = tconst(ctx, t, (int64_t)imm);
    if (in->def->arg & A64_SETF) {
        a64_put_r(ctx, in->rd, in->sf, a64_add_flags(ctx, t, a, c, sub));
    } else {
        ir_temp r = imm ? ir_op2(ctx->b, sub ? IR_sub : IR_add, t, a, c) : a;
        a64_put_rsp(ctx, in->rd, in->sf, r);
    }
}

void trans_logic_imm(struct a64_ctx *ctx, const struct a64_insn *in)
{
    uint64_t mask;
    if (!a64_decode_bitmask(a64_bits(in->word, 22, 22), a64_bits(in->word, 15, 10),
                            a64_bits(in->word, 21, 16), in->sf, true, &mask, NULL)) {
        a64_gen_illegal(ctx);
        return;
    }
    enum ir_type t = a64_type(in->sf);
    enum ir_opc opc = (enum ir_opc)(in->def->arg & 0xff);
    ir_temp r = ir_op2(ctx->b, opc, t, a64_get_x(ctx, in->rn), tconst(ctx, t, (int64_t)mask));
    if (in->def->arg & A64_SETF) {
        a64_flags_logic(ctx, t, r);
        a64_put_r(ctx, in->rd, in->sf, r);
    } else {
        a64_put_rsp(ctx, in->rd, in->sf, r);
    }
}

void trans_movw(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned hw = a64_bits(in->word, 22, 21);
    if (!in->sf && hw >= 2) {
        a64_gen_illegal(ctx);
        return;
    }
    uint64_t imm = a64_bits(in->word, 20, 5), shift = 16 * hw;
    switch (in->def->arg) {
    case A64_MOVK: {
        ir_temp r = a64_deposit(ctx, IR_I64, a64_get_x(ctx, in->rd),
                                a64_const(ctx, (int64_t)imm), (unsigned)shift, 16);
        a64_put_r(ctx, in->rd, in->sf, r);
        break;
    }
    case A64_MOVN: {
        uint64_t v = ~(imm << shift);
        a64_put_x(ctx, in->rd, a64_const(ctx, (int64_t)(in->sf ? v : (uint32_t)v)));
        break;
    }
    default:
        a64_put_x(ctx, in->rd, a64_const(ctx, (int64_t)(imm << shift)));
        break;
    }
}

/* SBFM/BFM/UBFM: with imms >= immr the field immr..imms moves down to bit 0 (sbfx, bfxil,
 * ubfx and the shifts right); otherwise bits imms..0 move up to width - immr (sbfiz, bfi,
 * ubfiz, lsl). */
void trans_bitfield(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned n = a64_bits(in->word, 22, 22), immr = a64_bits(in->word, 21, 16);
    unsigned imms = a64_bits(in->word, 15, 10), w = width(in->sf);
    if (n != in->sf || immr >= w || imms >= w) {
        a64_gen_illegal(ctx);
        return;
    }
    enum ir_type t = a64_type(in->sf);
    ir_temp src = a64_get_x(ctx, in->rn), r;
    bool down = imms >= immr;
    unsigned pos = down ? immr : 0, len = down ? imms - immr + 1 : imms + 1;
    unsigned dest = down ? 0 : w - immr;
    switch (in->def->arg) {
    case A64_BFM:
        if (!down)
            r = a64_deposit(ctx, t, a64_get_x(ctx, in->rd), src, dest, len);
        else
            r = a64_deposit(ctx, t, a64_get_x(ctx, in->rd),
                            ir_op1i(b, IR_extract, t, src, pos | len << 8), 0, len);
        break;
    default: {
        enum ir_opc ext = in->def->arg == A64_SBFM ? IR_sextract : IR_extract;
        r = ir_op1i(b, ext, t, src, pos | len << 8);
        if (dest)
            r = ir_op2(b, IR_shl, t, r, tconst(ctx, t, dest));
        break;
    }
    }
    a64_put_r(ctx, in->rd, in->sf, r);
}

void trans_extr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned lsb = a64_bits(in->word, 15, 10), w = width(in->sf);
    if (a64_bits(in->word, 22, 22) != in->sf || lsb >= w) {
        a64_gen_illegal(ctx);
        return;
    }
    enum ir_type t = a64_type(in->sf);
    ir_temp lo = a64_get_x(ctx, in->rm), r = lo;
    if (lsb) {
        ir_temp hi = a64_get_x(ctx, in->rn);
        r = ir_op2(ctx->b, IR_or, t, ir_op2(ctx->b, IR_shr, t, lo, tconst(ctx, t, lsb)),
                   ir_op2(ctx->b, IR_shl, t, hi, tconst(ctx, t, w - lsb)));
    }
    a64_put_r(ctx, in->rd, in->sf, r);
}

/* Rm shifted by imm6 as bits 23:22 say (LSL LSR ASR ROR); NULL-equivalent IR_NONE if the
 * encoding is reserved. */
static ir_temp shifted_rm(struct a64_ctx *ctx, const struct a64_insn *in, bool ror_ok)
{
    static const enum ir_opc shift_op[4] = { IR_shl, IR_shr, IR_sar, IR_rotr };
    unsigned type = a64_bits(in->word, 23, 22), amount = a64_bits(in->word, 15, 10);
    if (amount >= width(in->sf) || (type == 3 && !ror_ok))
        return IR_NONE;
    enum ir_type t = a64_type(in->sf);
    ir_temp v = a64_get_x(ctx, in->rm);
    return amount ? ir_op2(ctx->b, shift_op[type], t, v, tconst(ctx, t, amount)) : v;
}

void trans_logic_reg(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp c = shifted_rm(ctx, in, true);
    if (c == IR_NONE) {
        a64_gen_illegal(ctx);
        return;
    }
    enum ir_type t = a64_type(in->sf);
    enum ir_opc opc = (enum ir_opc)(in->def->arg & 0xff);
    ir_temp r;
    if (opc == IR_or && in->rn == 31 && !(in->def->arg & A64_INVERT)) {
        r = c; /* mov */
    } else if (in->def->arg & A64_INVERT) {
        r = opc == IR_and ? ir_op2(ctx->b, IR_andc, t, a64_get_x(ctx, in->rn), c)
                          : ir_op2(ctx->b, opc, t, a64_get_x(ctx, in->rn), ir_op1(ctx->b, IR_not, t, c));
    } else {
        r = ir_op2(ctx->b, opc, t, a64_get_x(ctx, in->rn), c);
    }
    if (in->def->arg & A64_SETF)
        a64_flags_logic(ctx, t, r);
    a64_put_r(ctx, in->rd, in->sf, r);
}

static void addsub(struct a64_ctx *ctx, const struct a64_insn *in, ir_temp a, ir_temp c,
                   bool rd_is_sp)
{
    enum ir_type t = a64_type(in->sf);
    bool sub = in->def->arg & A64_OP_SUB;
    if (in->def->arg & A64_SETF)
        a64_put_r(ctx, in->rd, in->sf, a64_add_flags(ctx, t, a, c, sub));
    else if (rd_is_sp)
        a64_put_rsp(ctx, in->rd, in->sf, ir_op2(ctx->b, sub ? IR_sub : IR_add, t, a, c));
    else
        a64_put_r(ctx, in->rd, in->sf, ir_op2(ctx->b, sub ? IR_sub : IR_add, t, a, c));
}

void trans_addsub_shift(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp c = shifted_rm(ctx, in, false);
    if (c == IR_NONE) {
        a64_gen_illegal(ctx);
        return;
    }
    addsub(ctx, in, a64_get_x(ctx, in->rn), c, false);
}

/* Rm extended per option (UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX) and shifted left by imm3;
 * Rn and (without S) Rd are SP. */
void trans_addsub_ext(struct a64_ctx *ctx, const struct a64_insn *in)
{
    static const enum ir_opc extend_op[8] = {
        IR_zext8, IR_zext16, IR_zext32, IR_mov, IR_sext8, IR_sext16, IR_sext32, IR_mov,
    };
    unsigned option = a64_bits(in->word, 15, 13), shift = a64_bits(in->word, 12, 10);
    if (shift > 4) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp c = a64_get_x(ctx, in->rm);
    if ((option & 3) != 3)
        c = ir_op1(ctx->b, extend_op[option], IR_I64, c);
    if (shift)
        c = ir_op2(ctx->b, IR_shl, IR_I64, c, a64_const(ctx, shift));
    addsub(ctx, in, a64_get_xsp(ctx, in->rn), c, true);
}

void trans_addsub_carry(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    bool sub = in->def->arg & A64_OP_SUB;
    ir_temp a = a64_get_x(ctx, in->rn), c = a64_get_x(ctx, in->rm);
    ir_temp carry = a64_get_carry(ctx);
    ir_temp r;
    if (in->def->arg & A64_SETF) {
        ir_temp f[4];
        r = a64_arith_flags(ctx, t, a, c, sub, carry, f);
        a64_put_flags(ctx, f);
    } else {
        if (sub)
            c = ir_op1(b, IR_not, t, c);
        r = ir_op2(b, IR_add, t, ir_op2(b, IR_add, t, a, c), carry);
    }
    a64_put_r(ctx, in->rd, in->sf, r);
}

/* Flags = cond ? flags of Rn +- (Rm or imm5) : the nzcv immediate (CCMP's as its operands). */
void trans_ccmp(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    ir_temp a = a64_get_x(ctx, in->rn);
    ir_temp c = (in->def->arg & A64_IMM) ? tconst(ctx, t, in->rm) : a64_get_x(ctx, in->rm);
    unsigned nzcv = a64_bits(in->word, 3, 0);
    if (in->def->arg & A64_OP_SUB) {
        a64_ccmp_flags(ctx, t, a, c, a64_cond_test(ctx, a64_bits(in->word, 15, 12)), nzcv);
        return;
    }
    ir_temp f[4];
    a64_arith_flags(ctx, t, a, c, false, IR_NONE, f);
    struct a64_test test = a64_cond_test(ctx, a64_bits(in->word, 15, 12));
    const int64_t imm[4] = { (int64_t)((uint64_t)(nzcv >> 3) << 63), !(nzcv & 4),
                             nzcv >> 1 & 1, (int64_t)((uint64_t)nzcv << 63) };
    for (unsigned i = 0; i < 4; i++)
        f[i] = ir_movcond(b, IR_I64, test.cond, test.a, test.b, f[i], a64_const(ctx, imm[i]));
    a64_put_flags(ctx, f);
}

void trans_csel(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    unsigned cond = a64_bits(in->word, 15, 12);
    if (in->rn == 31 && in->rm == 31 && cond < 14 &&
        (in->def->arg == A64_CSINC || in->def->arg == A64_CSINV)) {
        /* CSET, CSETM: the inverse condition's 0 or 1 (negated: 0 or all ones), compared
         * at its own width, not a 32-bit compare's setcond tested again by a movcond */
        struct a64_test test = a64_cond_test_typed(ctx, cond ^ 1);
        ir_temp v = ir_setcond(b, test.type, test.cond, test.a, test.b);
        if (in->def->arg == A64_CSINV)
            v = ir_op1(b, IR_neg, IR_I64, v);
        a64_put_r(ctx, in->rd, in->sf, v);
        return;
    }
    ir_temp x = a64_get_x(ctx, in->rn), y = a64_get_x(ctx, in->rm);
    switch (in->def->arg) {
    case A64_CSINC: y = ir_op2(b, IR_add, t, y, tconst(ctx, t, 1)); break;
    case A64_CSINV: y = ir_op1(b, IR_not, t, y); break;
    case A64_CSNEG: y = ir_op1(b, IR_neg, t, y); break;
    default: break;
    }
    if (!in->sf) {   /* the W result: the compare at its width, the choice zero-extended */
        struct a64_test test = a64_cond_test_typed(ctx, cond);
        ir_temp v = ir_movcond(b, test.type, test.cond, test.a, test.b, x, y);
        if (in->rd != 31)
            a64_put_x(ctx, in->rd, ir_op1(b, IR_zext32, IR_I64, v));
        return;
    }
    struct a64_test test = a64_cond_test(ctx, cond);
    a64_put_r(ctx, in->rd, in->sf, ir_movcond(b, IR_I64, test.cond, test.a, test.b, x, y));
}

/* x / 0 is 0 on AArch64 (the IR gives RISC-V's all-ones); INT_MIN / -1 wraps in both. */
void trans_div(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    ir_temp a = a64_get_x(ctx, in->rn), c = a64_get_x(ctx, in->rm);
    ir_temp q = ir_op2(b, (enum ir_opc)in->def->arg, t, a, c);
    ir_temp zero = tconst(ctx, t, 0);
    a64_put_r(ctx, in->rd, in->sf, ir_movcond(b, t, IR_EQ, c, zero, zero, q));
}

/* The count is taken modulo the width, as the IR shifts do. */
void trans_shift_reg(struct a64_ctx *ctx, const struct a64_insn *in)
{
    enum ir_type t = a64_type(in->sf);
    ir_temp r = ir_op2(ctx->b, (enum ir_opc)in->def->arg, t, a64_get_x(ctx, in->rn),
                       a64_get_x(ctx, in->rm));
    a64_put_r(ctx, in->rd, in->sf, r);
}

/* ---- CRC32 and bit reversal: helpers ---- */

static uint32_t crc32_update(uint32_t crc, uint64_t value, unsigned bytes, uint32_t poly)
{
    for (unsigned i = 0; i < bytes * 8; i++) {
        uint32_t bit = (crc ^ (uint32_t)(value >> i)) & 1;
        crc = (crc >> 1) ^ (bit ? poly : 0);
    }
    return crc;
}

/* a2 = log2 of the data size; a3 = 1 for CRC32C (Castagnoli), 0 for CRC32 (IEEE). */
static uint64_t helper_crc32(void *cpu, uint64_t acc, uint64_t value, uint64_t size_log2,
                             uint64_t castagnoli)
{
    return crc32_update((uint32_t)acc, value, 1u << size_log2,
                        castagnoli ? 0x82f63b78u : 0xedb88320u);
}

static const struct ir_helper crc32_helper = { "a64_crc32", helper_crc32, 4, IR_HELPER_PURE,
                                                 IR_I64 };

void trans_crc32(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned size = a64_bits(in->word, 11, 10);
    if ((size == 3) != in->sf) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp r = ir_call(ctx->b, &crc32_helper, a64_get_x(ctx, in->rn), a64_get_x(ctx, in->rm),
                        a64_const(ctx, size), a64_const(ctx, in->def->arg));
    a64_put_r(ctx, in->rd, false, r);
}

static uint64_t helper_rbit(void *cpu, uint64_t x, uint64_t bits, uint64_t a2, uint64_t a3)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        r |= ((x >> i) & 1) << (bits - 1 - i);
    return r;
}

static const struct ir_helper rbit_helper = { "a64_rbit", helper_rbit, 2, IR_HELPER_PURE, IR_I64 };

void trans_rbit(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp r = ir_call(ctx->b, &rbit_helper, a64_get_x(ctx, in->rn),
                        a64_const(ctx, width(in->sf)), IR_NONE, IR_NONE);
    a64_put_r(ctx, in->rd, in->sf, r);
}

/* rev16 swaps the bytes of each halfword; rev32 (X only) of each word; rev the whole width. */
void trans_rev(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    ir_temp x = a64_get_x(ctx, in->rn), r;
    switch (in->def->arg) {
    case A64_REV16: {
        ir_temp m = tconst(ctx, t, 0x00ff00ff00ff00ffll);
        ir_temp eight = tconst(ctx, t, 8);
        r = ir_op2(b, IR_or, t, ir_op2(b, IR_and, t, ir_op2(b, IR_shr, t, x, eight), m),
                   ir_op2(b, IR_shl, t, ir_op2(b, IR_and, t, x, m), eight));
        break;
    }
    case A64_REV32:
        r = ir_op2(b, IR_rotr, IR_I64, ir_op1(b, IR_bswap, IR_I64, x), a64_const(ctx, 32));
        break;
    default:
        r = ir_op1(b, IR_bswap, t, x);
        break;
    }
    a64_put_r(ctx, in->rd, in->sf, r);
}

/* clz (arg 0); cls (1) = clz(x ^ (x >> 1 arithmetic)) - 1. */
void trans_clz(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    ir_temp x = a64_get_x(ctx, in->rn);
    if (in->def->arg) {
        x = ir_op2(b, IR_xor, t, x, ir_op2(b, IR_sar, t, x, tconst(ctx, t, 1)));
        x = ir_op2(b, IR_sub, t, ir_op1(b, IR_clz, t, x), tconst(ctx, t, 1));
        a64_put_r(ctx, in->rd, in->sf, x);
        return;
    }
    a64_put_r(ctx, in->rd, in->sf, ir_op1(b, IR_clz, t, x));
}

void trans_madd(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = a64_type(in->sf);
    ir_temp p = ir_op2(b, IR_mul, t, a64_get_x(ctx, in->rn), a64_get_x(ctx, in->rm));
    ir_temp r = in->ra == 31 && !(in->def->arg & A64_OP_SUB)
                    ? p
                    : ir_op2(b, (in->def->arg & A64_OP_SUB) ? IR_sub : IR_add, t,
                             a64_get_x(ctx, in->ra), p);
    a64_put_r(ctx, in->rd, in->sf, r);
}

void trans_maddl(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    enum ir_opc ext = (in->def->arg & A64_SIGNED) ? IR_sext32 : IR_zext32;
    ir_temp x = ir_op1(b, ext, IR_I64, a64_get_x(ctx, in->rn));
    ir_temp y = ir_op1(b, ext, IR_I64, a64_get_x(ctx, in->rm));
    ir_temp p = ir_op2(b, IR_mul, IR_I64, x, y);
    ir_temp r = ir_op2(b, (in->def->arg & A64_OP_SUB) ? IR_sub : IR_add, IR_I64,
                       a64_get_x(ctx, in->ra), p);
    a64_put_x(ctx, in->rd, r);
}

void trans_mulh(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp r = ir_op2(ctx->b, (enum ir_opc)in->def->arg, IR_I64, a64_get_x(ctx, in->rn),
                       a64_get_x(ctx, in->rm));
    a64_put_x(ctx, in->rd, r);
}
