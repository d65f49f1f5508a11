/* Advanced SIMD helpers: one element loop per instruction shape (three same, two-register
 * miscellaneous, across lanes, permutes, table lookup, shifts by immediate, three different,
 * by element, structure loads and stores). Each decodes its fields from the instruction word
 * and works on copies of the source registers, so a destination that is also a source reads
 * the old value. Vectors are two little-endian 64-bit halves, element i of size s at bits
 * i * 8 << s. Reserved encodings raise SIGILL. */
#include "guest/aarch64/simd.h"

#include <string.h>

#include "guest/aarch64/cpu.h"
#include "guest/aarch64/decode.h"
#include "guest/aarch64/fpu.h"
#include "mem/aspace.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

struct vec {
    uint64_t d[2];
};

struct fields {
    unsigned rd, rn, rm, size, q, u, scalar;
};

static struct fields fields_of(uint32_t w)
{
    return (struct fields){ a64_bits(w, 4, 0), a64_bits(w, 9, 5), a64_bits(w, 20, 16),
                            a64_bits(w, 23, 22), a64_bits(w, 30, 30), a64_bits(w, 29, 29),
                            a64_bits(w, 28, 28) };
}

static _Noreturn void reserved(struct a64_cpu *c)
{
    cpu_raise(&c->c, EXC_ILLEGAL, 0);
}

static uint64_t emask(unsigned size)
{
    return size >= 3 ? ~0ull : (1ull << (8u << size)) - 1;
}

static uint64_t get_e(const struct vec *v, unsigned i, unsigned size)
{
    unsigned bits = 8u << size, per = 64 / bits;
    return (v->d[i / per] >> ((i % per) * bits)) & emask(size);
}

static void set_e(struct vec *v, unsigned i, unsigned size, uint64_t x)
{
    unsigned bits = 8u << size, per = 64 / bits, sh = (i % per) * bits;
    uint64_t m = emask(size) << sh;
    v->d[i / per] = (v->d[i / per] & ~m) | ((x << sh) & m);
}

static int64_t sx(uint64_t x, unsigned size)
{
    return a64_sext(x, 8u << size);
}

static struct vec read_v(const struct a64_cpu *c, unsigned n)
{
    return (struct vec){ { c->v[n][0], c->v[n][1] } };
}

/* A 64-bit result clears the upper half. */
static void write_v(struct a64_cpu *c, unsigned n, struct vec v, bool full)
{
    c->v[n][0] = v.d[0];
    c->v[n][1] = full ? v.d[1] : 0;
}

static unsigned lanes(const struct fields *f, unsigned size)
{
    return f->scalar ? 1 : (f->q ? 16u : 8u) >> size;
}

/* Signed or unsigned saturation of v to size; QC records it. */
static uint64_t saturate(struct a64_cpu *c, i128 v, unsigned size, bool is_signed)
{
    i128 max = is_signed ? (i128)(emask(size) >> 1) : (i128)emask(size);
    i128 min = is_signed ? -max - 1 : 0;
    if (v > max || v < min) {
        c->fpsr |= FPSR_QC;
        v = v > max ? max : min;
    }
    return (uint64_t)v & emask(size);
}

enum sat { WRAP, SAT_SIGNED, SAT_UNSIGNED };

/* x shifted left by shift (right when negative, rounding to nearest if asked), as Arm's
 * unbounded integers, then truncated or saturated to size. x fits in 65 bits. */
static uint64_t shift_int(struct a64_cpu *c, i128 x, int shift, unsigned size, enum sat sat,
                          bool rounding)
{
    i128 v;
    if (shift >= 0) {
        /* past the element width only the sign of x matters: low bits 0, saturated */
        v = shift < (int)(8u << size) ? x * ((i128)1 << shift)
                                      : x < 0 ? -((i128)1 << 100) : x > 0 ? (i128)1 << 100 : 0;
    } else {
        int sh = -shift > 65 ? 65 : -shift; /* any larger shift gives the same result */
        v = (x + (rounding ? (i128)1 << (sh - 1) : 0)) >> sh;
    }
    if (sat == WRAP)
        return (uint64_t)v & emask(size);
    return saturate(c, v, size, sat == SAT_SIGNED);
}

/* The shift amount of SSHL and its kin: the signed low byte of the second operand. */
static int shift_amount(uint64_t b)
{
    return (int8_t)b;
}

/* Polynomial (carry-less) product of two elements of at most 32 bits. */
static uint64_t carryless_mul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (; b; b >>= 1, a <<= 1)
        if (b & 1)
            r ^= a;
    return r;
}

static uint64_t int_op(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a,
                       uint64_t b, uint64_t d)
{
    uint64_t m = emask(size);
    int64_t sa = sx(a, size), sb = sx(b, size);
    uint64_t r;
    switch (op) {
    case SIMD_ADD: r = a + b; break;
    case SIMD_SUB: r = a - b; break;
    case SIMD_MUL: r = a * b; break;
    case SIMD_MLA: r = d + a * b; break;
    case SIMD_MLS: r = d - a * b; break;
    case SIMD_CMEQ: r = a == b ? m : 0; break;
    case SIMD_CMTST: r = (a & b) ? m : 0; break;
    case SIMD_CMHI: r = a > b ? m : 0; break;
    case SIMD_CMHS: r = a >= b ? m : 0; break;
    case SIMD_CMGT: r = sa > sb ? m : 0; break;
    case SIMD_CMGE: r = sa >= sb ? m : 0; break;
    case SIMD_SMAX: r = sa > sb ? a : b; break;
    case SIMD_SMIN: r = sa < sb ? a : b; break;
    case SIMD_UMAX: r = a > b ? a : b; break;
    case SIMD_UMIN: r = a < b ? a : b; break;
    case SIMD_SABD: r = (uint64_t)(sa > sb ? sa - sb : sb - sa); break;
    case SIMD_UABD: r = a > b ? a - b : b - a; break;
    case SIMD_SABA: r = d + (uint64_t)(sa > sb ? sa - sb : sb - sa); break;
    case SIMD_UABA: r = d + (a > b ? a - b : b - a); break;
    case SIMD_PMUL: r = carryless_mul(a, b); break;
    case SIMD_SHADD: r = (uint64_t)(((i128)sa + sb) >> 1); break;
    case SIMD_UHADD: r = (uint64_t)(((u128)a + b) >> 1); break;
    case SIMD_SHSUB: r = (uint64_t)(((i128)sa - sb) >> 1); break;
    case SIMD_UHSUB: r = (uint64_t)(((i128)a - b) >> 1); break;
    case SIMD_SRHADD: r = (uint64_t)(((i128)sa + sb + 1) >> 1); break;
    case SIMD_URHADD: r = (uint64_t)(((u128)a + b + 1) >> 1); break;
    case SIMD_SQADD: return saturate(c, (i128)sa + sb, size, true);
    case SIMD_UQADD: return saturate(c, (i128)a + b, size, false);
    case SIMD_SQSUB: return saturate(c, (i128)sa - sb, size, true);
    case SIMD_UQSUB: return saturate(c, (i128)a - b, size, false);
    case SIMD_SSHL: return shift_int(c, sa, shift_amount(b), size, WRAP, false);
    case SIMD_USHL: return shift_int(c, a, shift_amount(b), size, WRAP, false);
    case SIMD_SRSHL: return shift_int(c, sa, shift_amount(b), size, WRAP, true);
    case SIMD_URSHL: return shift_int(c, a, shift_amount(b), size, WRAP, true);
    case SIMD_SQSHL: return shift_int(c, sa, shift_amount(b), size, SAT_SIGNED, false);
    case SIMD_UQSHL: return shift_int(c, a, shift_amount(b), size, SAT_UNSIGNED, false);
    case SIMD_SQRSHL: return shift_int(c, sa, shift_amount(b), size, SAT_SIGNED, true);
    case SIMD_UQRSHL: return shift_int(c, a, shift_amount(b), size, SAT_UNSIGNED, true);
    default: { /* SQDMULH, SQRDMULH: the high half of 2ab, rounded for SQRDMULH */
        unsigned bits = 8u << size;
        i128 p = 2 * (i128)sa * sb + (op == SIMD_SQRDMULH ? (i128)1 << (bits - 1) : 0);
        return saturate(c, p >> bits, size, true);
    }
    }
    return r & m;
}

static uint64_t fp_sign(unsigned size)
{
    return 1ull << ((8u << size) - 1);
}

static uint64_t fp_op(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a,
                      uint64_t b, uint64_t d)
{
    uint64_t m = emask(size), abs_mask = fp_sign(size) - 1;
    switch (op) {
    case SIMD_FADD: return a64_fp_arith(c, A64_FADD, size, a, b, 0);
    case SIMD_FSUB: return a64_fp_arith(c, A64_FSUB, size, a, b, 0);
    case SIMD_FMUL: return a64_fp_arith(c, A64_FMUL, size, a, b, 0);
    case SIMD_FDIV: return a64_fp_arith(c, A64_FDIV, size, a, b, 0);
    case SIMD_FMAX: return a64_fp_arith(c, A64_FMAX, size, a, b, 0);
    case SIMD_FMIN: return a64_fp_arith(c, A64_FMIN, size, a, b, 0);
    case SIMD_FMAXNM: return a64_fp_arith(c, A64_FMAXNM, size, a, b, 0);
    case SIMD_FMINNM: return a64_fp_arith(c, A64_FMINNM, size, a, b, 0);
    case SIMD_FABD: return a64_fp_arith(c, A64_FABD, size, a, b, 0);
    case SIMD_FMLA: return a64_fp_arith(c, A64_FMULADD, size, a, b, d);
    case SIMD_FMLS: return a64_fp_arith(c, A64_FMULADD, size, a ^ fp_sign(size), b, d);
    case SIMD_FMULX: return a64_fp_arith(c, A64_FMULX, size, a, b, 0);
    case SIMD_FRECPS: return a64_fp_arith(c, A64_FRECPS, size, a, b, 0);
    case SIMD_FRSQRTS: return a64_fp_arith(c, A64_FRSQRTS, size, a, b, 0);
    case SIMD_FCMEQ: return a64_fp_compare_cond(c, size, a, b, IR_EQ) ? m : 0;
    case SIMD_FCMGE: return a64_fp_compare_cond(c, size, a, b, IR_GE) ? m : 0;
    case SIMD_FCMGT: return a64_fp_compare_cond(c, size, a, b, IR_GT) ? m : 0;
    case SIMD_FACGE: return a64_fp_compare_cond(c, size, a & abs_mask, b & abs_mask, IR_GE) ? m : 0;
    default: return a64_fp_compare_cond(c, size, a & abs_mask, b & abs_mask, IR_GT) ? m : 0;
    }
}

static bool is_fp_op(enum a64_simd_op op)
{
    return (op >= SIMD_FMAXNM && op <= SIMD_FDIV) || (op >= SIMD_FMAXNMV && op <= SIMD_FADDV);
}

static uint64_t element_op(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a,
                           uint64_t b, uint64_t d)
{
    return is_fp_op(op) ? fp_op(c, op, size, a, b, d) : int_op(c, op, size, a, b, d);
}

/* The element operation of a pairwise (or across-lanes) op, or -1. */
static int pairwise_base(enum a64_simd_op op)
{
    switch (op) {
    case SIMD_ADDP: case SIMD_ADDV: return SIMD_ADD;
    case SIMD_SMAXP: case SIMD_SMAXV: return SIMD_SMAX;
    case SIMD_UMAXP: case SIMD_UMAXV: return SIMD_UMAX;
    case SIMD_SMINP: case SIMD_SMINV: return SIMD_SMIN;
    case SIMD_UMINP: case SIMD_UMINV: return SIMD_UMIN;
    case SIMD_FADDP: case SIMD_FADDV: return SIMD_FADD;
    case SIMD_FMAXP: case SIMD_FMAXV: return SIMD_FMAX;
    case SIMD_FMINP: case SIMD_FMINV: return SIMD_FMIN;
    case SIMD_FMAXNMP: case SIMD_FMAXNMV: return SIMD_FMAXNM;
    case SIMD_FMINNMP: case SIMD_FMINNMV: return SIMD_FMINNM;
    default: return -1;
    }
}

/* Element size of an FP shape from sz (bit 22); a double vector needs Q. */
static unsigned fp_size(struct a64_cpu *c, const struct fields *f, uint32_t w)
{
    unsigned size = 2 + a64_bits(w, 22, 22);
    if (size == 3 && !f->q && !f->scalar)
        reserved(c);
    return size;
}

/* Whether an integer three-same op exists for this element size: the scalar forms are
 * 64-bit only except the saturating ones; doubling multiplies take H and S only. */
static bool int_size_ok(enum a64_simd_op op, const struct fields *f, unsigned size)
{
    switch (op) {
    case SIMD_SQDMULH: case SIMD_SQRDMULH:
        return size == 1 || size == 2;
    case SIMD_PMUL:
        return size == 0;
    case SIMD_SQADD: case SIMD_UQADD: case SIMD_SQSUB: case SIMD_UQSUB: case SIMD_SQSHL:
    case SIMD_UQSHL: case SIMD_SQRSHL: case SIMD_UQRSHL:
        return f->scalar || size < 3 || f->q;
    case SIMD_SHADD: case SIMD_UHADD: case SIMD_SRHADD: case SIMD_URHADD: case SIMD_SMAX:
    case SIMD_UMAX: case SIMD_SMIN: case SIMD_UMIN: case SIMD_SABD: case SIMD_UABD:
    case SIMD_MLA: case SIMD_MLS: case SIMD_MUL: case SIMD_SMAXP: case SIMD_UMAXP:
    case SIMD_SMINP: case SIMD_UMINP: case SIMD_SABA: case SIMD_UABA: case SIMD_SHSUB:
    case SIMD_UHSUB:
        return size < 3;
    default:
        return f->scalar ? size == 3 : size < 3 || f->q;
    }
}

/* 0xff in each byte of x that is zero, else 0 (no carry crosses a byte). */
static uint64_t zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    return ((~(((x & low7) + low7) | x | low7)) >> 7) * 0xff;
}

/* The byte-vector forms of three-same ops that glibc's string functions run in a loop
 * (strlen, memchr and kin: CMEQ, UMINP, UMAXP on .16b and .8b; 80% of the SIMD helper calls
 * of SQLite's speedtest1, where the element loop took 6% of the time), without the loop's
 * shifts and switch per element. False for the other ops. */
static bool bytes_3same(struct a64_cpu *c, enum a64_simd_op op, const struct fields *f)
{
    struct vec a = read_v(c, f->rn), b = read_v(c, f->rm), r = { { 0, 0 } };
    unsigned n = f->q ? 16 : 8;
    switch (op) {
    case SIMD_CMEQ:
        for (unsigned h = 0; h < n / 8; h++)
            r.d[h] = zero_bytes(a.d[h] ^ b.d[h]);
        break;
    case SIMD_UMINP: case SIMD_UMAXP:
        for (unsigned i = 0; i < n; i++) {
            const struct vec *src = i < n / 2 ? &a : &b;
            unsigned j = (i % (n / 2)) * 2;
            uint64_t x = get_e(src, j, 0), y = get_e(src, j + 1, 0);
            r.d[i / 8] |= ((op == SIMD_UMINP) == (x < y) ? x : y) << (i % 8 * 8);
        }
        break;
    default:
        return false;
    }
    write_v(c, f->rd, r, f->q);
    return true;
}

static uint64_t helper_3same(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    struct fields f = fields_of((uint32_t)word);
    if (f.size == 0 && !f.scalar && bytes_3same(c, op, &f))
        return 0;
    unsigned size = is_fp_op(op) ? fp_size(c, &f, (uint32_t)word) : f.size;
    if (!is_fp_op(op) && !int_size_ok(op, &f, size))
        reserved(c);
    unsigned n = lanes(&f, size);
    struct vec a = read_v(c, f.rn), b = read_v(c, f.rm), d = read_v(c, f.rd), r = { { 0, 0 } };
    int base = pairwise_base(op);
    for (unsigned i = 0; i < n; i++) {
        uint64_t x, y;
        if (base >= 0) {
            const struct vec *src = i < n / 2 ? &a : &b;
            unsigned j = (i % (n / 2)) * 2;
            x = get_e(src, j, size);
            y = get_e(src, j + 1, size);
        } else {
            x = get_e(&a, i, size);
            y = get_e(&b, i, size);
        }
        enum a64_simd_op eop = base >= 0 ? (enum a64_simd_op)base : op;
        set_e(&r, i, size, element_op(c, eop, size, x, y, get_e(&d, i, size)));
    }
    write_v(c, f.rd, r, f.q && !f.scalar);
    return 0;
}

/* ---- two-register miscellaneous ---- */

static uint64_t bit_reverse8(uint64_t x)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 8; i++)
        r |= ((x >> i) & 1) << (7 - i);
    return r;
}

static unsigned count_leading(uint64_t x, unsigned size, bool sign_bits)
{
    unsigned bits = 8u << size;
    if (sign_bits)
        x = (x ^ (x >> 1)) & (emask(size) >> 1);
    unsigned n = 0;
    while (n < bits && !((x >> (bits - 1 - n)) & 1))
        n++;
    return sign_bits ? n - 1 : n;
}

/* fp -> int (rm), int -> fp and round-to-integral for the FP two-register ops. */
static uint64_t fp_misc(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a)
{
    uint64_t m = emask(size), zero = 0;
    unsigned bits = 8u << size;
    switch (op) {
    case SIMD_FABS: return a & ~fp_sign(size);
    case SIMD_FNEG: return a ^ fp_sign(size);
    case SIMD_FSQRT: return a64_fp_arith(c, A64_FSQRT, size, a, 0, 0);
    case SIMD_FRINTN: return a64_fp_round_int(c, size, a, A64_RN, false);
    case SIMD_FRINTM: return a64_fp_round_int(c, size, a, A64_RM, false);
    case SIMD_FRINTP: return a64_fp_round_int(c, size, a, A64_RP, false);
    case SIMD_FRINTZ: return a64_fp_round_int(c, size, a, A64_RZ, false);
    case SIMD_FRINTA: return a64_fp_round_int(c, size, a, A64_RA, false);
    case SIMD_FRINTX: return a64_fp_round_int(c, size, a, A64_RFPCR, true);
    case SIMD_FRINTI: return a64_fp_round_int(c, size, a, A64_RFPCR, false);
    case SIMD_FCVTNS: return a64_fp_to_int(c, size, a, A64_RN, true, bits, 0);
    case SIMD_FCVTNU: return a64_fp_to_int(c, size, a, A64_RN, false, bits, 0);
    case SIMD_FCVTMS: return a64_fp_to_int(c, size, a, A64_RM, true, bits, 0);
    case SIMD_FCVTMU: return a64_fp_to_int(c, size, a, A64_RM, false, bits, 0);
    case SIMD_FCVTPS: return a64_fp_to_int(c, size, a, A64_RP, true, bits, 0);
    case SIMD_FCVTPU: return a64_fp_to_int(c, size, a, A64_RP, false, bits, 0);
    case SIMD_FCVTZS: return a64_fp_to_int(c, size, a, A64_RZ, true, bits, 0);
    case SIMD_FCVTZU: return a64_fp_to_int(c, size, a, A64_RZ, false, bits, 0);
    case SIMD_FCVTAS: return a64_fp_to_int(c, size, a, A64_RA, true, bits, 0);
    case SIMD_FCVTAU: return a64_fp_to_int(c, size, a, A64_RA, false, bits, 0);
    case SIMD_SCVTF: return a64_fp_from_int(c, size, a, true, bits, 0);
    case SIMD_UCVTF: return a64_fp_from_int(c, size, a, false, bits, 0);
    case SIMD_FCMGT0: return a64_fp_compare_cond(c, size, a, zero, IR_GT) ? m : 0;
    case SIMD_FCMGE0: return a64_fp_compare_cond(c, size, a, zero, IR_GE) ? m : 0;
    case SIMD_FCMEQ0: return a64_fp_compare_cond(c, size, a, zero, IR_EQ) ? m : 0;
    case SIMD_FRECPE: return a64_fp_recip_estimate(c, size, a);
    case SIMD_FRSQRTE: return a64_fp_rsqrt_estimate(c, size, a);
    case SIMD_FRECPX: return a64_fp_recip_exponent(c, size, a);
    case SIMD_FCMLT0: return a64_fp_compare_cond(c, size, zero, a, IR_GT) ? m : 0;
    default: return a64_fp_compare_cond(c, size, zero, a, IR_GE) ? m : 0; /* FCMLE0 */
    }
}

/* d is the old destination element (SUQADD and USQADD accumulate into it). */
static uint64_t int_misc(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a,
                         uint64_t d)
{
    uint64_t m = emask(size);
    int64_t s = sx(a, size);
    switch (op) {
    case SIMD_SQABS: return saturate(c, s < 0 ? -(i128)s : s, size, true);
    case SIMD_SQNEG: return saturate(c, -(i128)s, size, true);
    case SIMD_SUQADD: return saturate(c, (i128)sx(d, size) + a, size, true);
    case SIMD_USQADD: return saturate(c, (i128)d + s, size, false);
    case SIMD_URECPE: return a64_unsigned_recip_estimate((uint32_t)a);
    case SIMD_URSQRTE: return a64_unsigned_rsqrt_estimate((uint32_t)a);
    case SIMD_CNT: return (uint64_t)__builtin_popcountll(a);
    case SIMD_NOT: return ~a & m;
    case SIMD_RBIT: return bit_reverse8(a);
    case SIMD_CLS: return count_leading(a, size, true);
    case SIMD_CLZ: return count_leading(a, size, false);
    case SIMD_ABS: return (uint64_t)(s < 0 ? -s : s) & m;
    case SIMD_NEG: return -a & m;
    case SIMD_CMGT0: return s > 0 ? m : 0;
    case SIMD_CMGE0: return s >= 0 ? m : 0;
    case SIMD_CMEQ0: return s == 0 ? m : 0;
    case SIMD_CMLE0: return s <= 0 ? m : 0;
    default: return s < 0 ? m : 0; /* CMLT0 */
    }
}

/* Narrowing ops write 64 bits: the lower half (Q = 0, upper cleared) or the upper (the "2"
 * forms, lower kept); a scalar one writes one element and clears the rest. */
static void write_narrow(struct a64_cpu *c, const struct fields *f, uint64_t half)
{
    if (f->q && !f->scalar) {
        c->v[f->rd][1] = half;
    } else {
        c->v[f->rd][0] = half;
        c->v[f->rd][1] = 0;
    }
}

static uint64_t narrow(struct a64_cpu *c, enum a64_simd_op op, unsigned size, uint64_t a)
{
    switch (op) {
    case SIMD_XTN: return a & emask(size);
    case SIMD_SQXTN: return saturate(c, sx(a, size + 1), size, true);
    case SIMD_UQXTN: return saturate(c, (i128)a, size, false);
    default: return saturate(c, sx(a, size + 1), size, false); /* SQXTUN */
    }
}

/* Whether an integer two-register op exists for this element size (see int_size_ok). */
static bool misc_size_ok(enum a64_simd_op op, const struct fields *f, unsigned size)
{
    switch (op) {
    case SIMD_SQABS: case SIMD_SQNEG: case SIMD_SUQADD: case SIMD_USQADD:
        return f->scalar || size < 3 || f->q;
    case SIMD_CLS: case SIMD_CLZ:
        return size < 3;
    case SIMD_URECPE: case SIMD_URSQRTE:
        return size == 2;
    default:
        return f->scalar ? size == 3 : size < 3 || f->q;
    }
}

static uint64_t helper_2misc(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    struct vec a = read_v(c, f.rn), d = read_v(c, f.rd), r = { { 0, 0 } };
    unsigned size = op == SIMD_NOT || op == SIMD_RBIT ? 0 : f.size; /* size selects the op */
    if (op == SIMD_CMEQ0 && size == 0 && !f.scalar) {   /* strlen's: see bytes_3same */
        r.d[0] = zero_bytes(a.d[0]);
        r.d[1] = f.q ? zero_bytes(a.d[1]) : 0;
        write_v(c, f.rd, r, f.q);
        return 0;
    }
    switch (op) {
    case SIMD_REV64: case SIMD_REV32: case SIMD_REV16: {
        unsigned container = op == SIMD_REV64 ? 3 : op == SIMD_REV32 ? 2 : 1;
        if (size >= container)
            reserved(c);
        unsigned per = 1u << (container - size), n = lanes(&f, size);
        for (unsigned i = 0; i < n; i++)
            set_e(&r, i, size, get_e(&a, (i / per) * per + (per - 1 - i % per), size));
        break;
    }
    case SIMD_SADDLP: case SIMD_UADDLP: case SIMD_SADALP: case SIMD_UADALP: {
        if (size == 3)
            reserved(c);
        bool is_signed = op == SIMD_SADDLP || op == SIMD_SADALP;
        bool acc = op == SIMD_SADALP || op == SIMD_UADALP;
        unsigned n = lanes(&f, size + 1);
        for (unsigned i = 0; i < n; i++) {
            uint64_t x = get_e(&a, 2 * i, size), y = get_e(&a, 2 * i + 1, size);
            uint64_t s = is_signed ? (uint64_t)(sx(x, size) + sx(y, size)) : x + y;
            set_e(&r, i, size + 1, s + (acc ? get_e(&d, i, size + 1) : 0));
        }
        break;
    }
    case SIMD_XTN: case SIMD_SQXTN: case SIMD_UQXTN: case SIMD_SQXTUN: {
        if (size == 3)
            reserved(c);
        struct vec h = { { 0, 0 } };
        for (unsigned i = 0; i < (f.scalar ? 1u : 8u >> size); i++)
            set_e(&h, i, size, narrow(c, op, size, get_e(&a, i, size + 1)));
        write_narrow(c, &f, h.d[0]);
        return 0;
    }
    case SIMD_SHLL: {   /* widen, then shift left by the narrow element's width */
        if (size == 3)
            reserved(c);
        struct vec src = { { a.d[f.q], 0 } };
        for (unsigned i = 0; i < 8u >> size; i++)
            set_e(&r, i, size + 1, get_e(&src, i, size) << (8u << size));
        write_v(c, f.rd, r, true);
        return 0;
    }
    case SIMD_FCVTN: case SIMD_FCVTXN: {
        unsigned to = 1 + a64_bits(w, 22, 22);
        if (op == SIMD_FCVTXN && to != 2)
            reserved(c);
        struct vec h = { { 0, 0 } };
        for (unsigned i = 0; i < (f.scalar ? 1u : 8u >> to); i++) {
            uint64_t x = get_e(&a, i, to + 1);
            set_e(&h, i, to, op == SIMD_FCVTXN ? a64_fp_convert_odd(c, x) : a64_fp_convert(c, to, to + 1, x));
        }
        write_narrow(c, &f, h.d[0]);
        return 0;
    }
    case SIMD_FCVTL: {
        unsigned from = 1 + a64_bits(w, 22, 22);
        struct vec src = { { a.d[f.q], 0 } };
        for (unsigned i = 0; i < 8u >> from; i++)
            set_e(&r, i, from + 1, a64_fp_convert(c, from + 1, from, get_e(&src, i, from)));
        write_v(c, f.rd, r, true);
        return 0;
    }
    default:
        if (op >= SIMD_FRINTN) {
            size = fp_size(c, &f, w);
            for (unsigned i = 0; i < lanes(&f, size); i++)
                set_e(&r, i, size, fp_misc(c, op, size, get_e(&a, i, size)));
        } else {
            if (!misc_size_ok(op, &f, size))
                reserved(c);
            for (unsigned i = 0; i < lanes(&f, size); i++)
                set_e(&r, i, size, int_misc(c, op, size, get_e(&a, i, size), get_e(&d, i, size)));
        }
        break;
    }
    write_v(c, f.rd, r, f.q && !f.scalar);
    return 0;
}

/* ---- across lanes (and scalar pairwise) ---- */

/* Arm's Reduce: the two halves reduced recursively, then combined. */
static uint64_t reduce(struct a64_cpu *c, enum a64_simd_op op, unsigned size, const struct vec *v,
                       unsigned lo, unsigned n)
{
    if (n == 1)
        return get_e(v, lo, size);
    uint64_t x = reduce(c, op, size, v, lo, n / 2), y = reduce(c, op, size, v, lo + n / 2, n / 2);
    return element_op(c, op, size, x, y, 0);
}

static uint64_t helper_across(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    struct vec a = read_v(c, f.rn), r = { { 0, 0 } };
    bool fp = is_fp_op(op);
    unsigned size = fp ? 2 + a64_bits(w, 22, 22) : f.size;
    unsigned n = f.scalar ? 2 : (f.q ? 16u : 8u) >> size;
    /* a vector needs four elements at least: 4S is the widest, and only with Q */
    if ((f.scalar ? n < 2 : n < 4) || (fp && !f.scalar && size != 2) || (f.scalar && !fp && size != 3))
        reserved(c);
    if (op == SIMD_SADDLV || op == SIMD_UADDLV) {
        uint64_t sum = 0;
        for (unsigned i = 0; i < n; i++)
            sum += op == SIMD_SADDLV ? (uint64_t)sx(get_e(&a, i, size), size) : get_e(&a, i, size);
        set_e(&r, 0, size + 1, sum);
    } else {
        set_e(&r, 0, size, reduce(c, (enum a64_simd_op)pairwise_base(op), size, &a, 0, n));
    }
    write_v(c, f.rd, r, false);
    return 0;
}

/* ---- permutes and table lookup ---- */

static uint64_t helper_permute(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    struct vec a = read_v(c, f.rn), b = read_v(c, f.rm), r = { { 0, 0 } };
    if (op == SIMD_EXT) {
        unsigned bytes = f.q ? 16 : 8, pos = a64_bits(w, 14, 11);
        if (pos >= bytes)
            reserved(c);
        for (unsigned i = 0; i < bytes; i++) {
            unsigned j = pos + i;
            set_e(&r, i, 0, j < bytes ? get_e(&a, j, 0) : get_e(&b, j - bytes, 0));
        }
        write_v(c, f.rd, r, f.q);
        return 0;
    }
    unsigned size = f.size, n = lanes(&f, size);
    if (size == 3 && !f.q)
        reserved(c);
    for (unsigned i = 0; i < n; i++) {
        unsigned half = n / 2, k = i / 2;
        uint64_t v;
        switch (op) {
        case SIMD_UZP1: case SIMD_UZP2: {
            unsigned j = 2 * i + (op == SIMD_UZP2);
            v = j < n ? get_e(&a, j, size) : get_e(&b, j - n, size);
            break;
        }
        case SIMD_ZIP1: v = get_e(i & 1 ? &b : &a, k, size); break;
        case SIMD_ZIP2: v = get_e(i & 1 ? &b : &a, half + k, size); break;
        case SIMD_TRN1: v = get_e(i & 1 ? &b : &a, 2 * k, size); break;
        default: v = get_e(i & 1 ? &b : &a, 2 * k + 1, size); break; /* TRN2 */
        }
        set_e(&r, i, size, v);
    }
    write_v(c, f.rd, r, f.q);
    return 0;
}

/* TBL (tbx 0) and TBX (1): bytes of the len-register table starting at Rn, indexed by Rm. */
static uint64_t helper_tbl(void *opaque, uint64_t word, uint64_t tbx, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    unsigned len = a64_bits(w, 14, 13) + 1;
    uint8_t table[64];
    for (unsigned t = 0; t < len; t++)
        memcpy(table + 16 * t, c->v[(f.rn + t) % 32], 16);
    struct vec idx = read_v(c, f.rm), r = read_v(c, f.rd);
    for (unsigned i = 0; i < (f.q ? 16u : 8u); i++) {
        uint64_t j = get_e(&idx, i, 0);
        if (j < 16 * len)
            set_e(&r, i, 0, table[j]);
        else if (!tbx)
            set_e(&r, i, 0, 0);
    }
    write_v(c, f.rd, r, f.q);
    return 0;
}

/* ---- shifts by immediate ---- */

static uint64_t round_shift(uint64_t a, unsigned shift, unsigned size, bool is_signed)
{
    if (is_signed)
        return (uint64_t)(((i128)sx(a, size) + ((i128)1 << (shift - 1))) >> shift);
    return (uint64_t)(((u128)a + ((u128)1 << (shift - 1))) >> shift);
}

static uint64_t shift_right(uint64_t a, unsigned shift, unsigned size, bool is_signed)
{
    if (is_signed)
        return (uint64_t)(sx(a, size) >> (shift >= (8u << size) ? (8u << size) - 1 : shift));
    return shift >= (8u << size) ? 0 : a >> shift;
}

static uint64_t helper_shift(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    unsigned immh = a64_bits(w, 22, 19), immhb = a64_bits(w, 22, 16);
    if (!immh)
        reserved(c);
    unsigned size = 31 - (unsigned)__builtin_clz(immh), bits = 8u << size;
    unsigned right = 2 * bits - immhb, left = immhb - bits;
    struct vec a = read_v(c, f.rn), d = read_v(c, f.rd), r = { { 0, 0 } };
    bool narrowing = op == SIMD_SHRN || op == SIMD_RSHRN || (op >= SIMD_SQSHRN && op <= SIMD_SQRSHRUN);
    bool widening = op == SIMD_SSHLL || op == SIMD_USHLL;
    if ((narrowing || widening) && size == 3)
        reserved(c);
    if (narrowing) {
        bool rounding = op == SIMD_RSHRN || op == SIMD_SQRSHRN || op == SIMD_UQRSHRN ||
                        op == SIMD_SQRSHRUN;
        bool signed_in = op == SIMD_SQSHRN || op == SIMD_SQRSHRN || op == SIMD_SQSHRUN ||
                         op == SIMD_SQRSHRUN;
        enum sat sat = op == SIMD_SHRN || op == SIMD_RSHRN     ? WRAP
                       : op == SIMD_SQSHRN || op == SIMD_SQRSHRN ? SAT_SIGNED
                                                                 : SAT_UNSIGNED;
        struct vec h = { { 0, 0 } };
        for (unsigned i = 0; i < (f.scalar ? 1u : 8u >> size); i++) {
            uint64_t x = get_e(&a, i, size + 1);
            i128 xi = signed_in ? (i128)sx(x, size + 1) : (i128)x;
            set_e(&h, i, size, shift_int(c, xi, -(int)right, size, sat, rounding));
        }
        write_narrow(c, &f, h.d[0]);
        return 0;
    }
    if (widening) {
        struct vec src = { { a.d[f.q], 0 } };
        for (unsigned i = 0; i < 8u >> size; i++) {
            uint64_t x = get_e(&src, i, size);
            uint64_t v = op == SIMD_SSHLL ? (uint64_t)sx(x, size) : x;
            set_e(&r, i, size + 1, v << left);
        }
        write_v(c, f.rd, r, true);
        return 0;
    }
    bool any_size = op == SIMD_SQSHLU || op == SIMD_SQSHL_IMM || op == SIMD_UQSHL_IMM;
    if ((size == 3 && !f.q && !f.scalar) ||
        (f.scalar && size != 3 && op < SIMD_SCVTF_FIXED && !any_size) ||
        (op >= SIMD_SCVTF_FIXED && size < 2))
        reserved(c);
    for (unsigned i = 0; i < lanes(&f, size); i++) {
        uint64_t x = get_e(&a, i, size), o = get_e(&d, i, size), m = emask(size), v;
        switch (op) {
        case SIMD_SSHR: v = shift_right(x, right, size, true); break;
        case SIMD_USHR: v = shift_right(x, right, size, false); break;
        case SIMD_SSRA: v = o + shift_right(x, right, size, true); break;
        case SIMD_USRA: v = o + shift_right(x, right, size, false); break;
        case SIMD_SRSHR: v = round_shift(x, right, size, true); break;
        case SIMD_URSHR: v = round_shift(x, right, size, false); break;
        case SIMD_SRSRA: v = o + round_shift(x, right, size, true); break;
        case SIMD_URSRA: v = o + round_shift(x, right, size, false); break;
        case SIMD_SQSHLU: v = shift_int(c, sx(x, size), (int)left, size, SAT_UNSIGNED, false); break;
        case SIMD_SQSHL_IMM: v = shift_int(c, sx(x, size), (int)left, size, SAT_SIGNED, false); break;
        case SIMD_UQSHL_IMM: v = shift_int(c, x, (int)left, size, SAT_UNSIGNED, false); break;
        case SIMD_SRI: {
            uint64_t keep = right >= bits ? m : ~(m >> right);
            v = (o & keep) | shift_right(x, right, size, false);
            break;
        }
        case SIMD_SHL: v = x << left; break;
        case SIMD_SLI: v = (o & ~(m << left)) | (x << left); break;
        case SIMD_SCVTF_FIXED: v = a64_fp_from_int(c, size, x, true, bits, right); break;
        case SIMD_UCVTF_FIXED: v = a64_fp_from_int(c, size, x, false, bits, right); break;
        case SIMD_FCVTZS_FIXED: v = a64_fp_to_int(c, size, x, A64_RZ, true, bits, right); break;
        default: v = a64_fp_to_int(c, size, x, A64_RZ, false, bits, right); break;
        }
        set_e(&r, i, size, v & m);
    }
    write_v(c, f.rd, r, f.q && !f.scalar);
    return 0;
}

/* ---- three different ---- */

static bool is_signed_long(enum a64_simd_op op)
{
    switch (op) {
    case SIMD_SADDL: case SIMD_SADDW: case SIMD_SSUBL: case SIMD_SSUBW: case SIMD_SABAL:
    case SIMD_SABDL: case SIMD_SMLAL: case SIMD_SMLSL: case SIMD_SMULL: case SIMD_SQDMLAL:
    case SIMD_SQDMLSL: case SIMD_SQDMULL:
        return true;
    default:
        return false;
    }
}

static bool is_doubling(enum a64_simd_op op)
{
    return op == SIMD_SQDMLAL || op == SIMD_SQDMLSL || op == SIMD_SQDMULL;
}

/* One widening element operation: x and y are the extended narrow (or, for the W forms,
 * wide) operands, o the old destination element of size + 1. */
static uint64_t long_op(struct a64_cpu *c, enum a64_simd_op op, unsigned size, int64_t x,
                        int64_t y, uint64_t o)
{
    switch (op) {
    case SIMD_SADDL: case SIMD_UADDL: case SIMD_SADDW: case SIMD_UADDW: return (uint64_t)(x + y);
    case SIMD_SSUBL: case SIMD_USUBL: case SIMD_SSUBW: case SIMD_USUBW: return (uint64_t)(x - y);
    case SIMD_SABDL: case SIMD_UABDL: return (uint64_t)(x > y ? x - y : y - x);
    case SIMD_SABAL: case SIMD_UABAL: return o + (uint64_t)(x > y ? x - y : y - x);
    case SIMD_SMLAL: case SIMD_UMLAL: return o + (uint64_t)x * (uint64_t)y;
    case SIMD_SMLSL: case SIMD_UMLSL: return o - (uint64_t)x * (uint64_t)y;
    case SIMD_SQDMLAL: case SIMD_SQDMLSL: case SIMD_SQDMULL: {
        /* 2xy saturates first (only for the most negative inputs), then the accumulation */
        int64_t p = sx(saturate(c, 2 * (i128)x * y, size + 1, true), size + 1);
        if (op == SIMD_SQDMULL)
            return (uint64_t)p & emask(size + 1);
        i128 acc = (i128)sx(o, size + 1) + (op == SIMD_SQDMLAL ? p : -(i128)p);
        return saturate(c, acc, size + 1, true);
    }
    case SIMD_PMULL: return carryless_mul((uint64_t)x, (uint64_t)y);
    default: return (uint64_t)x * (uint64_t)y; /* SMULL, UMULL */
    }
}

static uint64_t helper_3diff(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    struct fields f = fields_of((uint32_t)word);
    unsigned size = f.size, n = f.scalar ? 1 : 8u >> size;
    /* PMULL of 64-bit elements is the Crypto extension's, which vm does not advertise */
    if (size == 3 || (is_doubling(op) && size == 0) || (op == SIMD_PMULL && size != 0))
        reserved(c);
    struct vec a = read_v(c, f.rn), b = read_v(c, f.rm), d = read_v(c, f.rd), r = { { 0, 0 } };
    if (op == SIMD_ADDHN || op == SIMD_SUBHN || op == SIMD_RADDHN || op == SIMD_RSUBHN) {
        struct vec h = { { 0, 0 } };
        uint64_t round = op == SIMD_RADDHN || op == SIMD_RSUBHN ? 1ull << ((8u << size) - 1) : 0;
        for (unsigned i = 0; i < n; i++) {
            uint64_t x = get_e(&a, i, size + 1), y = get_e(&b, i, size + 1);
            uint64_t s = (op == SIMD_ADDHN || op == SIMD_RADDHN ? x + y : x - y) + round;
            set_e(&h, i, size, (s & emask(size + 1)) >> (8u << size));
        }
        write_narrow(c, &f, h.d[0]);
        return 0;
    }
    bool is_signed = is_signed_long(op);
    bool wide_a = op == SIMD_SADDW || op == SIMD_UADDW || op == SIMD_SSUBW || op == SIMD_USUBW;
    unsigned half = f.q && !f.scalar; /* the "2" forms read the upper halves */
    struct vec lo_a = { { a.d[half], 0 } }, lo_b = { { b.d[half], 0 } };
    for (unsigned i = 0; i < n; i++) {
        uint64_t xe = wide_a ? get_e(&a, i, size + 1) : get_e(&lo_a, i, size);
        uint64_t ye = get_e(&lo_b, i, size);
        int64_t x = wide_a ? (int64_t)xe : is_signed ? sx(xe, size) : (int64_t)xe;
        int64_t y = is_signed ? sx(ye, size) : (int64_t)ye;
        set_e(&r, i, size + 1, long_op(c, op, size, x, y, get_e(&d, i, size + 1)));
    }
    write_v(c, f.rd, r, !f.scalar);
    return 0;
}

/* ---- by element ---- */

static bool is_long(enum a64_simd_op op)
{
    return op >= SIMD_SADDL && op <= SIMD_SQDMULL;
}

static uint64_t helper_elem(void *opaque, uint64_t word, uint64_t opv, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    enum a64_simd_op op = (enum a64_simd_op)opv;
    uint32_t w = (uint32_t)word;
    struct fields f = fields_of(w);
    unsigned h = a64_bits(w, 11, 11), l = a64_bits(w, 21, 21), mbit = a64_bits(w, 20, 20);
    unsigned size, index, rm = f.rm;
    if (is_fp_op(op)) {
        size = fp_size(c, &f, w);
        index = size == 3 ? h : h << 1 | l;
        if (size == 3 && l)
            reserved(c);
    } else {
        size = f.size;
        if (size == 1) {
            index = h << 2 | l << 1 | mbit;
            rm &= 15;
        } else if (size == 2) {
            index = h << 1 | l;
        } else {
            reserved(c);
        }
    }
    struct vec a = read_v(c, f.rn), b = read_v(c, rm), d = read_v(c, f.rd), r = { { 0, 0 } };
    uint64_t y = get_e(&b, index, size);
    if (is_long(op)) {
        bool is_signed = is_signed_long(op);
        struct vec src = { { a.d[f.q && !f.scalar], 0 } };
        int64_t ys = is_signed ? sx(y, size) : (int64_t)y;
        for (unsigned i = 0; i < (f.scalar ? 1u : 8u >> size); i++) {
            uint64_t xe = get_e(&src, i, size);
            int64_t x = is_signed ? sx(xe, size) : (int64_t)xe;
            set_e(&r, i, size + 1, long_op(c, op, size, x, ys, get_e(&d, i, size + 1)));
        }
        write_v(c, f.rd, r, !f.scalar);
        return 0;
    }
    for (unsigned i = 0; i < lanes(&f, size); i++)
        set_e(&r, i, size, element_op(c, op, size, get_e(&a, i, size), y, get_e(&d, i, size)));
    write_v(c, f.rd, r, f.q && !f.scalar);
    return 0;
}

/* ---- structure loads and stores ---- */

static void transfer(struct a64_cpu *c, struct vec *regs, unsigned t, unsigned e, unsigned size,
                     uint64_t addr, bool load)
{
    unsigned bytes = 1u << size;
    uint8_t *host = mem_ptr(&c->c, addr, bytes, load ? MEM_READ : MEM_WRITE, A64_MMU_EL0);
    uint64_t v = 0;
    if (load) {
        memcpy(&v, host, bytes);
        set_e(&regs[t], e, size, v);
    } else {
        v = get_e(&regs[t], e, size);
        memcpy(host, &v, bytes);
    }
    mem_report(&c->c, addr, bytes, load ? MEM_READ : MEM_WRITE);
}

/* LD1-4/ST1-4 (multiple structures), LD1-4/ST1-4 (one lane) and LD1R-LD4R. Returns the bytes
 * transferred (the post-index immediate). Loads commit to the registers only at the end. */
static uint64_t helper_ldst(void *opaque, uint64_t word, uint64_t single, uint64_t addr, uint64_t a3)
{
    struct a64_cpu *c = opaque;
    uint32_t w = (uint32_t)word;
    unsigned rt = a64_bits(w, 4, 0), size = a64_bits(w, 11, 10), q = a64_bits(w, 30, 30);
    bool load = a64_bits(w, 22, 22);
    unsigned opcode = a64_bits(w, 15, 12);
    struct vec regs[32];
    for (unsigned i = 0; i < 32; i++)
        regs[i] = read_v(c, i);
    uint64_t start = addr;
    unsigned selem, touched;
    if (!single) {
        static const signed char rpt_of[16] = { 1, -1, 4, -1, 1, -1, 3, 1, 1, -1, 2, -1, -1, -1, -1, -1 };
        static const signed char selem_of[16] = { 4, -1, 1, -1, 3, -1, 1, 1, 2, -1, 1, -1, -1, -1, -1, -1 };
        int rpt = rpt_of[opcode];
        if (rpt < 0 || (size == 3 && !q && selem_of[opcode] != 1))
            reserved(c);
        selem = (unsigned)selem_of[opcode];
        unsigned elements = (q ? 16u : 8u) >> size;
        for (int r = 0; r < rpt; r++)
            for (unsigned e = 0; e < elements; e++)
                for (unsigned s = 0; s < selem; s++, addr += 1u << size)
                    transfer(c, regs, (rt + (unsigned)r + s) % 32, e, size, addr, load);
        touched = (unsigned)rpt * selem;
    } else {
        unsigned scale = a64_bits(w, 15, 14), s_bit = a64_bits(w, 12, 12);
        selem = (a64_bits(w, 13, 13) << 1 | a64_bits(w, 21, 21)) + 1;
        touched = selem;
        if (scale == 3) { /* LDnR: one element replicated to every lane */
            if (!load || s_bit)
                reserved(c);
            for (unsigned s = 0; s < selem; s++, addr += 1u << size) {
                unsigned t = (rt + s) % 32;
                transfer(c, regs, t, 0, size, addr, true);
                uint64_t v = get_e(&regs[t], 0, size);
                for (unsigned e = 0; e < (q ? 16u : 8u) >> size; e++)
                    set_e(&regs[t], e, size, v);
                if (!q)
                    regs[t].d[1] = 0;
            }
            goto commit;
        }
        unsigned index = q << 3 | s_bit << 2 | size;
        if (scale == 1) {
            if (size & 1)
                reserved(c);
            index >>= 1;
        } else if (scale == 2) {
            if (size & 2 || (size == 1 && s_bit))
                reserved(c);
            if (size == 1) {
                scale = 3;
                index = q;
            } else {
                index >>= 2;
            }
        }
        for (unsigned s = 0; s < selem; s++, addr += 1u << scale)
            transfer(c, regs, (rt + s) % 32, index, scale, addr, load);
        q = 1; /* a lane load keeps the rest of the register */
    }
commit:
    if (load)
        for (unsigned i = 0; i < touched; i++)
            write_v(c, (rt + i) % 32, regs[(rt + i) % 32], q);
    return addr - start;
}

const struct ir_helper a64_simd_helpers[SIMDH_NHELPERS] = {
#define SIMD_HELPER(name)                                                                    \
    [SIMDH_##name] = { "a64_simd_" #name, helper_##name, 3,                                  \
                       IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT |               \
                       (SIMDH_##name == SIMDH_ldst ? IR_HELPER_MEM : 0), IR_I64 },
    SIMD_HELPERS(SIMD_HELPER)
#undef SIMD_HELPER
};
