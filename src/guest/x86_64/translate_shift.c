/* x86-64 shifts and rotates to IR: SHL/SAL, SHR, SAR, ROL, ROR (inline), RCL, RCR (a helper),
 * SHLD and SHRD (a helper), by 1, an immediate or CL. The count is masked to 5 bits (6 for
 * 64-bit operands); a masked count of 0 changes neither the destination nor a flag, which for
 * CL is decided at run time. Flags follow the host's AMD CPUs where Intel leaves them
 * undefined (tests/diff/x64_diff.c compares them). */
#include "guest/x86_64/translate.h"

enum { ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR };

static ir_temp c64(struct x64_ctx *ctx, int64_t v)
{
    return x64_const(ctx, v);
}

/* The result of a shift or rotate op of a (size bytes) by count (1..mask, an i64 temp) and
 * its flags record. */
static ir_temp shift_compute(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp a,
                             ir_temp count, struct x64_cc *cc)
{
    struct ir_block *b = ctx->b;
    unsigned bits = 8 * size;
    ir_temp a64 = size == 8 ? a : size == 4 ? ir_op1(b, IR_zext32, IR_I64, a)
                                            : x64_zext(ctx, size, a);   /* read as i64 */
    ir_temp r, cf, of;
    switch (op) {
    case SHL:
    case SAL: {
        /* CF: the last bit shifted out, bit (bits - count) of a; 0 once count > bits */
        ir_temp wide = ir_op2(b, IR_shl, IR_I64, a64, count);
        r = wide;
        if (size == 8) {
            cf = ir_op2(b, IR_and, IR_I64,
                        ir_op2(b, IR_shr, IR_I64, a64,
                               ir_op2(b, IR_sub, IR_I64, c64(ctx, 64), count)),
                        c64(ctx, 1));
        } else {
            cf = ir_op1i(b, IR_extract, IR_I64, wide, bits | 1 << 8);
        }
        /* OF: the top bit of the result xor CF */
        of = ir_op2(b, IR_xor, IR_I64, ir_op1i(b, IR_extract, IR_I64, r, (bits - 1) | 1 << 8), cf);
        break;
    }
    case SHR: {
        ir_temp less = ir_op2(b, IR_sub, IR_I64, count, c64(ctx, 1));
        ir_temp before = ir_op2(b, IR_shr, IR_I64, a64, less);
        cf = ir_op2(b, IR_and, IR_I64, before, c64(ctx, 1));
        r = ir_op2(b, IR_shr, IR_I64, a64, count);   /* not of before: dead with CF */
        /* OF: the operand's top bit for a count of 1, 0 for more: the result's second bit */
        of = ir_op1i(b, IR_extract, IR_I64, r, (bits - 2) | 1 << 8);
        break;
    }
    case SAR: {
        static const enum ir_opc sext[9] = { [1] = IR_sext8, [2] = IR_sext16, [4] = IR_sext32 };
        ir_temp s = size == 8 ? a : ir_op1(b, sext[size], IR_I64, a);
        ir_temp less = ir_op2(b, IR_sub, IR_I64, count, c64(ctx, 1));
        ir_temp before = ir_op2(b, IR_sar, IR_I64, s, less);
        cf = ir_op2(b, IR_and, IR_I64, before, c64(ctx, 1));
        r = ir_op2(b, IR_sar, IR_I64, s, count);
        of = c64(ctx, 0);
        break;
    }
    default: {   /* ROL, ROR: only CF and OF change */
        ir_temp n = size < 4 ? ir_op2(b, IR_and, IR_I64, count, c64(ctx, bits - 1)) : count;
        if (size >= 4) {
            r = ir_op2(b, op == ROL ? IR_rotl : IR_rotr, x64_type(size), a, n);
        } else {
            /* a sub-word rotate: the operand repeated to 32 bits, rotated, low part kept */
            ir_temp copies = ir_const(b, IR_I32, size == 1 ? 0x01010101 : 0x00010001);
            ir_temp rep = ir_op2(b, IR_mul, IR_I32, a64, copies);
            r = ir_op2(b, op == ROL ? IR_rotl : IR_rotr, IR_I32, rep, n);
        }
        ir_temp top = ir_op1i(b, IR_extract, IR_I64, r, (bits - 1) | 1 << 8);
        if (op == ROL) {
            cf = ir_op1i(b, IR_extract, IR_I64, r, 0 | 1 << 8);
            of = ir_op2(b, IR_xor, IR_I64, top, cf);
        } else {
            cf = top;
            ir_temp second = ir_op1i(b, IR_extract, IR_I64, r, (bits - 2) | 1 << 8);
            of = ir_op2(b, IR_xor, IR_I64, top, second);
        }
        ir_temp old = x64_get_flags_of(ctx, X64_FLAGS_ARITH & ~(uint64_t)(X64_CF | X64_OF));
        ir_temp co = ir_op2(b, IR_or, IR_I64, cf, ir_op2(b, IR_shl, IR_I64, of, c64(ctx, 11)));
        *cc = x64_cc_flags(ir_op2(b, IR_or, IR_I64, old, co));
        return r;
    }
    }
    /* AF: set by every shift on AMD CPUs */
    ir_temp co = ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_or, IR_I64, cf, c64(ctx, X64_AF)),
                        ir_op2(b, IR_shl, IR_I64, of, c64(ctx, 11)));
    *cc = (struct x64_cc){ X64_CC_RESULT, r, co, IR_NONE };
    return r;
}

/* RCL and RCR through a helper: a0 the operand, a1 the count (masked), a2 the op and size.
 * Returns the result; the flags (CF, OF; the rest as they were) go to the state unless the
 * count is 0. A count that is a multiple of the width + 1 still sets OF from the result. */
static uint64_t helper_rc(void *cpu_, uint64_t a, uint64_t count, uint64_t how, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *r = cpu_;
    unsigned size = how & 15, bits = 8 * size;
    bool left = how & 16;
    uint64_t flags = x64_arith_flags(r), cf = flags & 1;
    uint64_t mask = size == 8 ? ~0ull : (1ull << bits) - 1;
    a &= mask;
    if (count == 0)
        return a;
    unsigned n = (unsigned)(count % (bits + 1));
    for (unsigned i = 0; i < n; i++) {
        if (left) {
            uint64_t out = a >> (bits - 1) & 1;
            a = ((a << 1) | cf) & mask;
            cf = out;
        } else {
            uint64_t out = a & 1;
            a = (a >> 1) | cf << (bits - 1);
            cf = out;
        }
    }
    uint64_t top = a >> (bits - 1) & 1, of;
    of = left ? top ^ cf : top ^ (a >> (bits - 2) & 1);
    flags = (flags & ~(uint64_t)(X64_CF | X64_OF)) | cf | of << 11;
    r->cc_op = X64_CC(X64_CC_EFLAGS, 3);
    r->cc_src1 = flags;
    return a;
}
static const struct ir_helper rc_helper = {
    "x64_rcl_rcr", helper_rc, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* Group 2. The count: 1 for D0/D1, the immediate for C0/C1, CL for D2/D3. */
void x64_trans_shift(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, op = (unsigned)in->def->arg;
    unsigned mask = size == 8 ? 63 : 31;
    ir_temp a = x64_get_rm(ctx, size);
    if (op == RCL || op == RCR) {
        ir_temp count;
        if (in->opcode >= 0xd2) {
            count = ir_op2(b, IR_and, IR_I64, x64_get_reg(ctx, X64_RCX, 1), c64(ctx, mask));
        } else {
            unsigned n = in->opcode >= 0xd0 ? 1 : (unsigned)(in->imm & mask);
            if (n == 0) {
                x64_put_rm(ctx, size, a);
                return;
            }
            count = c64(ctx, n);
        }
        ir_temp r = ir_call(b, &rc_helper, a, count, c64(ctx, size | (op == RCL ? 16 : 0)),
                            IR_NONE);
        x64_cc_unknown(ctx);
        if (in->opcode >= 0xd2)   /* a count of 0 leaves the operand as it was */
            r = ir_movcond(b, IR_I64, IR_EQ, count, c64(ctx, 0), a, r);
        x64_put_rm(ctx, size, r);
        return;
    }
    if (in->opcode < 0xd2) {
        unsigned n = in->opcode >= 0xd0 ? 1 : (unsigned)(in->imm & mask);
        if (n == 0) {   /* no flag changes, but a 32-bit register is still zero-extended */
            x64_put_rm(ctx, size, a);
            return;
        }
        struct x64_cc cc;
        ir_temp r = shift_compute(ctx, op, size, a, c64(ctx, n), &cc);
        x64_put_rm(ctx, size, r);
        x64_commit_cc(ctx, size, &cc);
        return;
    }
    ir_temp count = ir_op2(b, IR_and, IR_I64, x64_get_reg(ctx, X64_RCX, 1), c64(ctx, mask));
    /* a zero count computes with 1 and keeps the old value and flags */
    ir_temp nonzero = ir_setcond(b, IR_I64, IR_NE, count, c64(ctx, 0));
    ir_temp n = ir_movcond(b, IR_I64, IR_NE, nonzero, c64(ctx, 0), count, c64(ctx, 1));
    struct x64_cc cc;
    ir_temp r = shift_compute(ctx, op, size, a, n, &cc);
    x64_put_rm(ctx, size, ir_movcond(b, IR_I64, IR_NE, nonzero, c64(ctx, 0), r, a));
    x64_commit_cc_if(ctx, nonzero, size, &cc);
}

/* SHLD/SHRD in a helper: a0 the destination, a1 the source, a2 the count (masked, not 0),
 * a3 size | 16 for SHRD. Returns the result; sets the flags as AMD CPUs do: OF from the
 * result's top bit and CF (SHLD) or its second bit (SHRD) whatever the count, AF set. A 16-bit
 * operand shifted by more than 16 shifts dst:src:src (SHLD) or src:src:dst (SHRD) and clears
 * CF (and OF for SHLD). */
static uint64_t helper_shiftd(void *cpu_, uint64_t dst, uint64_t src, uint64_t count,
                              uint64_t how)
{
    struct x64_cpu *r = cpu_;
    unsigned size = how & 15, bits = 8 * size;
    bool right = how & 16;
    uint64_t mask = size == 8 ? ~0ull : (1ull << bits) - 1;
    dst &= mask;
    src &= mask;
    unsigned __int128 cat;
    unsigned width;
    if (size == 2) {
        width = 48;
        cat = right ? (unsigned __int128)src << 32 | src << 16 | dst
                    : (unsigned __int128)dst << 32 | src << 16 | src;
    } else {
        width = 2 * bits;
        cat = right ? (unsigned __int128)src << bits | dst : (unsigned __int128)dst << bits | src;
    }
    uint64_t result, cf;
    if (right) {
        result = (uint64_t)(cat >> count) & mask;
        cf = (uint64_t)(cat >> (count - 1)) & 1;
    } else {
        result = (uint64_t)(cat >> (width - bits - count)) & mask;
        cf = (uint64_t)(cat >> (width - count)) & 1;
    }
    uint64_t top = result >> (bits - 1) & 1;
    uint64_t of = right ? top ^ (result >> (bits - 2) & 1) : top ^ cf;
    if (!right && count == bits)   /* SHLD of 16 bits by 16: OF is CF */
        of = cf;
    if (count > bits) {   /* 16 bits by 17..31: CF clear, and OF for SHLD */
        cf = 0;
        of = right ? of : 0;
    }
    r->cc_op = X64_CC(X64_CC_RESULT, size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3);
    r->cc_dst = result;
    r->cc_src1 = cf | X64_AF | of << 11;
    return result;
}
static const struct ir_helper shiftd_helper = {
    "x64_shiftd", helper_shiftd, 4, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* arg 0: SHLD imm; 1: SHLD CL; 2: SHRD imm; 3: SHRD CL. */
void x64_trans_shiftd(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, arg = (unsigned)in->def->arg, mask = size == 8 ? 63 : 31;
    ir_temp a = x64_get_rm(ctx, size), src = x64_get_greg(ctx, size);
    ir_temp how = c64(ctx, size | (arg >= 2 ? 16 : 0));
    if (!(arg & 1)) {
        unsigned n = (unsigned)(in->imm & mask);
        if (n == 0) {
            x64_put_rm(ctx, size, a);
            return;
        }
        ir_temp r = ir_call(b, &shiftd_helper, a, src, c64(ctx, n), how);
        x64_cc_unknown(ctx);
        x64_put_rm(ctx, size, r);
        return;
    }
    ir_temp count = ir_op2(b, IR_and, IR_I64, x64_get_reg(ctx, X64_RCX, 1), c64(ctx, mask));
    ir_temp n = ir_movcond(b, IR_I64, IR_EQ, count, c64(ctx, 0), c64(ctx, 1), count);
    /* the helper sets the flags; with a zero count they are put back */
    ir_temp op = ir_get(b, IR_I64, X64_FIELD(cc_op)), dst = ir_get(b, IR_I64, X64_FIELD(cc_dst));
    ir_temp s1 = ir_get(b, IR_I64, X64_FIELD(cc_src1));
    ir_temp r = ir_call(b, &shiftd_helper, a, src, n, how);
    ir_temp zero = c64(ctx, 0);
    ir_put(b, IR_I64, X64_FIELD(cc_op), ir_movcond(b, IR_I64, IR_EQ, count, zero, op,
                                                   ir_get(b, IR_I64, X64_FIELD(cc_op))));
    ir_put(b, IR_I64, X64_FIELD(cc_dst), ir_movcond(b, IR_I64, IR_EQ, count, zero, dst,
                                                    ir_get(b, IR_I64, X64_FIELD(cc_dst))));
    ir_put(b, IR_I64, X64_FIELD(cc_src1), ir_movcond(b, IR_I64, IR_EQ, count, zero, s1,
                                                     ir_get(b, IR_I64, X64_FIELD(cc_src1))));
    x64_cc_unknown(ctx);
    x64_put_rm(ctx, size, ir_movcond(b, IR_I64, IR_EQ, count, zero, a, r));
}
