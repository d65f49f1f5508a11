/* AArch64 FP helpers (Arm ARM, chapter "Floating-point support" and the pseudocode library's
 * FPAdd, FPMulAdd, FPRound, FPToFixed, FPConvert ...).
 *
 * Three kinds of work, each done the cheapest way that is still exact:
 *  - NaN propagation, min/max and compares are bit manipulation: ARM's NaN rules (first
 *    signaling NaN, then first quiet NaN, in operand order; the addend first for fused ops;
 *    FPCR.DN replaces any NaN by the default NaN) differ from every host's, so operands that are
 *    NaN never reach the host FPU;
 *  - conversions (int<->fp, between formats, round to integral) are integer code around
 *    round_pack(), a small softfloat rounder that honours every rounding mode, ties-away
 *    included;
 *  - add/sub/mul/div/sqrt/fma of non-NaN operands run on the host FPU in FPCR's rounding mode
 *    (C99 fenv); an invalid result becomes the default NaN. Arm detects tininess before
 *    rounding and FPCR.FZ flushes tiny results to zero, so a result at or below the smallest
 *    normal that is inexact (or, with FZ, any nonzero subnormal) is recomputed by the exact
 *    software path.
 * Input denormals are flushed (IDC) when FPCR.FZ is set, for every operation that unpacks its
 * operands; FZ does not apply to half precision (that is FZ16, which vm leaves at 0).
 *
 * Host FP state between helpers: rounding mode round-to-nearest; exception flags anything.
 * Build: like riscv64's fpu.c, compiled with -frounding-math -fsignaling-nans -ffp-contract=off
 * and volatile operands so no FP operation moves across the fenv calls around it. */
#include "guest/aarch64/fpu.h"

#include <fenv.h>
#include <math.h>
#include <string.h>

#include "guest/aarch64/cpu.h"

#if defined(__clang__)
#pragma STDC FENV_ACCESS ON
#elif defined(__GNUC__) && !(defined(__ROUNDING_MATH__) && defined(__SUPPORT_SNAN__))
#error "fpu.c must be compiled with -frounding-math -fsignaling-nans"
#endif

typedef unsigned __int128 u128;

/* ---- formats ---------------------------------------------------------------------------- */

struct fmt {
    int mbits;     /* stored mantissa bits: precision p = mbits + 1 */
    int ebits;
    int bias;
    uint64_t dnan; /* the default NaN */
};
static const struct fmt F16 = { 10, 5, 15, 0x7e00u };
static const struct fmt F32 = { 23, 8, 127, 0x7fc00000u };
static const struct fmt F64 = { 52, 11, 1023, 0x7ff8000000000000u };

static const struct fmt *fmt_of(unsigned size)
{
    return size == 3 ? &F64 : size == 2 ? &F32 : &F16;
}

static inline uint64_t f_sign(const struct fmt *f) { return 1ull << (f->mbits + f->ebits); }
static inline uint64_t f_mmask(const struct fmt *f) { return (1ull << f->mbits) - 1; }
static inline uint64_t f_emask(const struct fmt *f) { return (1ull << f->ebits) - 1; }
static inline uint64_t f_exp(const struct fmt *f, uint64_t u) { return (u >> f->mbits) & f_emask(f); }
static inline uint64_t f_abs(const struct fmt *f, uint64_t u) { return u & (f_sign(f) - 1); }
static inline uint64_t f_inf(const struct fmt *f) { return f_emask(f) << f->mbits; }
static inline uint64_t f_quiet_bit(const struct fmt *f) { return 1ull << (f->mbits - 1); }
static inline bool f_isnan(const struct fmt *f, uint64_t u) { return f_abs(f, u) > f_inf(f); }
static inline bool f_isinf(const struct fmt *f, uint64_t u) { return f_abs(f, u) == f_inf(f); }
static inline bool f_iszero(const struct fmt *f, uint64_t u) { return f_abs(f, u) == 0; }
static inline bool f_isfinite(const struct fmt *f, uint64_t u) { return f_abs(f, u) < f_inf(f); }
static inline bool f_issnan(const struct fmt *f, uint64_t u)
{
    return f_isnan(f, u) && !(u & f_quiet_bit(f));
}
static inline uint64_t f_minnorm(const struct fmt *f) { return 1ull << f->mbits; }

/* ---- FPCR and FPSR ---------------------------------------------------------------------- */

static bool fpcr_fz(const struct a64_cpu *cpu, const struct fmt *f)
{
    return (cpu->fpcr & FPCR_FZ) && f != &F16;
}

static enum a64_round resolve_rm(const struct a64_cpu *cpu, enum a64_round rm)
{
    return rm == A64_RFPCR ? (enum a64_round)((cpu->fpcr >> FPCR_RMODE_SHIFT) & 3) : rm;
}

/* FZ: a denormal input reads as a zero of its sign, and IDC records it. */
static uint64_t flush_input(struct a64_cpu *cpu, const struct fmt *f, uint64_t u)
{
    if (fpcr_fz(cpu, f) && f_exp(f, u) == 0 && (u & f_mmask(f))) {
        cpu->fpsr |= FPSR_IDC;
        return u & f_sign(f);
    }
    return u;
}

/* ARM's NaN selection among n operands in priority order: the first signaling NaN (quieted,
 * IOC), else the first quiet NaN; DN gives the default NaN. Returns false if none is a NaN. */
static bool process_nans(struct a64_cpu *cpu, const struct fmt *f, unsigned n,
                         const uint64_t *ops, uint64_t *out)
{
    int pick = -1;
    for (unsigned i = 0; i < n && pick < 0; i++)
        if (f_issnan(f, ops[i]))
            pick = (int)i;
    if (pick >= 0)
        cpu->fpsr |= FPSR_IOC;
    for (unsigned i = 0; i < n && pick < 0; i++)
        if (f_isnan(f, ops[i]))
            pick = (int)i;
    if (pick < 0)
        return false;
    *out = (cpu->fpcr & FPCR_DN) ? f->dnan : ops[pick] | f_quiet_bit(f);
    return true;
}

/* ---- softfloat rounding ----------------------------------------------------------------- */

static inline int msb128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

/* Whether dropping bits rounds the kept magnitude up (away from zero). */
static inline bool round_up(enum a64_round rm, bool sign, bool lsb, bool rbit, bool sticky)
{
    switch (rm) {
    case A64_RN: return rbit && (sticky || lsb);
    case A64_RZ: return false;
    case A64_RM: return sign && (rbit || sticky);
    case A64_RP: return !sign && (rbit || sticky);
    default:     return rbit; /* A64_RA: a tie goes away from zero */
    }
}

/* sig >> shift rounded per rm (shift <= 0 shifts left, exactly; the caller ensures it fits). */
static u128 shift_round(u128 sig, int shift, enum a64_round rm, bool sign, bool *inexact)
{
    if (shift <= 0) {
        *inexact = false;
        return sig << -shift;
    }
    u128 m;
    bool rbit, sticky;
    if (shift > 128) {
        m = 0, rbit = false, sticky = sig != 0;
    } else {
        m = shift == 128 ? 0 : sig >> shift;
        rbit = (sig >> (shift - 1)) & 1;
        sticky = (sig & (((u128)1 << (shift - 1)) - 1)) != 0;
    }
    *inexact = rbit || sticky;
    return m + round_up(rm, sign, (unsigned)m & 1, rbit, sticky);
}

/* Rounds (-1)^sign * sig * 2^exp (sig != 0, exact or with the lowest bit as sticky bit far
 * below the rounding point) to format f, ORing FPSR bits into *fl. Tininess is detected
 * before rounding; with fz a tiny result is a zero (UFC, no IXC). */
static uint64_t round_pack(const struct fmt *f, bool sign, int exp, u128 sig, enum a64_round rm,
                           bool fz, unsigned *fl)
{
    const int emin = 1 - f->bias;
    int e = exp + msb128(sig); /* 2^e <= |value| < 2^(e+1) */
    uint64_t s = sign ? f_sign(f) : 0;
    bool tiny = e < emin;
    if (tiny && fz) {
        *fl |= FPSR_UFC;
        return s;
    }
    int q = (tiny ? emin : e) - f->mbits; /* exponent of the result's last place */
    bool inexact;
    u128 m = shift_round(sig, q - exp, rm, sign, &inexact);
    if (m >> (f->mbits + 1)) { /* rounded up to the next binade */
        m >>= 1;
        q++;
    }
    if (inexact)
        *fl |= FPSR_IXC | (tiny ? FPSR_UFC : 0);
    uint64_t biased = (m >> f->mbits) ? (uint64_t)(q + f->mbits + f->bias) : 0;
    if (biased >= f_emask(f)) {
        *fl |= FPSR_OFC | FPSR_IXC;
        bool to_inf = rm == A64_RN || rm == A64_RA || (rm == A64_RP && !sign) ||
                      (rm == A64_RM && sign);
        return s | (to_inf ? f_inf(f) : f_inf(f) - 1);
    }
    return s | (biased << f->mbits) | ((uint64_t)m & f_mmask(f));
}

/* A finite nonzero value as (-1)^sign * sig * 2^exp. */
struct term {
    bool sign;
    int exp;
    u128 sig;
};

static struct term unpack(const struct fmt *f, uint64_t u)
{
    uint64_t ef = f_exp(f, u), m = u & f_mmask(f);
    struct term t = { (u & f_sign(f)) != 0, 0, 0 };
    if (ef) {
        t.sig = m | (1ull << f->mbits);
        t.exp = (int)ef - f->bias - f->mbits;
    } else {
        t.sig = m;
        t.exp = 1 - f->bias - f->mbits;
    }
    return t;
}

/* x + y, where y.sig may be 0 (an fma addend of zero) and both sigs have at most 106 bits. */
static uint64_t soft_sum(const struct fmt *f, struct term x, struct term y, enum a64_round rm,
                         bool fz, unsigned *fl)
{
    if (y.sig == 0)
        return round_pack(f, x.sign, x.exp, x.sig, rm, fz, fl);
    if (y.exp + msb128(y.sig) > x.exp + msb128(x.sig)) {
        struct term t = x;
        x = y;
        y = t;
    }
    /* x's top bit at bit 125 (room for a carry); y aligned to it, lost bits become sticky. */
    int sh = 125 - msb128(x.sig);
    x.sig <<= sh;
    x.exp -= sh;
    int d = x.exp - y.exp;
    if (d <= 0)
        y.sig <<= -d;
    else if (d >= 128)
        y.sig = 1;
    else
        y.sig = (y.sig >> d) | ((y.sig & (((u128)1 << d) - 1)) != 0);
    u128 s;
    bool sign = x.sign;
    if (x.sign == y.sign) {
        s = x.sig + y.sig;
    } else if (x.sig >= y.sig) {
        s = x.sig - y.sig;
    } else {
        s = y.sig - x.sig;
        sign = y.sign;
    }
    if (s == 0) /* exact cancellation: +0, or -0 when rounding down */
        return rm == A64_RM ? f_sign(f) : 0;
    return round_pack(f, sign, x.exp, s, rm, fz, fl);
}

enum arith { A_ADD, A_MUL, A_DIV, A_SQRT, A_FMA };

/* Whether soft_arith handles these operands: finite and nonzero (an fma addend may be zero). */
static bool soft_ok(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c)
{
    bool ok = f_isfinite(f, a) && !f_iszero(f, a) && f_isfinite(f, b) && !f_iszero(f, b);
    return op == A_FMA ? ok && f_isfinite(f, c) : ok && op != A_SQRT;
}

static uint64_t soft_arith(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c,
                           enum a64_round rm, bool fz, unsigned *fl)
{
    struct term x = unpack(f, a), y = unpack(f, b);
    switch (op) {
    case A_ADD:
        return soft_sum(f, x, y, rm, fz, fl);
    case A_MUL:
        return round_pack(f, x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig, rm, fz, fl);
    case A_DIV: {
        int sx = 63 - msb128(x.sig), sy = 63 - msb128(y.sig);
        u128 n = (x.sig << sx) << 64;
        uint64_t dv = (uint64_t)(y.sig << sy);
        u128 qt = n / dv;
        qt |= (n % dv) != 0;
        return round_pack(f, x.sign ^ y.sign, (x.exp - sx - 64) - (y.exp - sy), qt, rm, fz, fl);
    }
    default: { /* A_FMA: the product is exact in 106 bits */
        struct term p = { x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig };
        struct term z = f_iszero(f, c) ? (struct term){ false, 0, 0 } : unpack(f, c);
        return soft_sum(f, p, z, rm, fz, fl);
    }
    }
}

/* ---- host FPU --------------------------------------------------------------------------- */

static const int host_mode[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };

static unsigned host_to_fpsr(int ex)
{
    return (ex & FE_INVALID ? FPSR_IOC : 0) | (ex & FE_DIVBYZERO ? FPSR_DZC : 0) |
           (ex & FE_OVERFLOW ? FPSR_OFC : 0) | (ex & FE_UNDERFLOW ? FPSR_UFC : 0) |
           (ex & FE_INEXACT ? FPSR_IXC : 0);
}

static uint64_t host_d(enum arith op, uint64_t a, uint64_t b, uint64_t c)
{
    double da, db, dc;
    memcpy(&da, &a, 8), memcpy(&db, &b, 8), memcpy(&dc, &c, 8);
    volatile double va = da, vb = db, vc = dc, vr;
    switch (op) {
    case A_ADD: vr = va + vb; break;
    case A_MUL: vr = va * vb; break;
    case A_DIV: vr = va / vb; break;
    case A_SQRT: vr = sqrt(va); break;
    default: vr = fma(va, vb, vc); break;
    }
    double r = vr;
    uint64_t u;
    memcpy(&u, &r, 8);
    return u;
}

static uint64_t host_s(enum arith op, uint64_t a, uint64_t b, uint64_t c)
{
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b, uc = (uint32_t)c;
    float fa, fb, fc;
    memcpy(&fa, &ua, 4), memcpy(&fb, &ub, 4), memcpy(&fc, &uc, 4);
    volatile float va = fa, vb = fb, vc = fc, vr;
    switch (op) {
    case A_ADD: vr = va + vb; break;
    case A_MUL: vr = va * vb; break;
    case A_DIV: vr = va / vb; break;
    case A_SQRT: vr = sqrtf(va); break;
    default: vr = fmaf(va, vb, vc); break;
    }
    float r = vr;
    uint32_t u;
    memcpy(&u, &r, 4);
    return u;
}

/* One arithmetic operation on non-NaN, already flushed operands of f (single or double). */
static uint64_t host_arith(struct a64_cpu *cpu, const struct fmt *f, enum arith op, uint64_t a,
                           uint64_t b, uint64_t c)
{
    enum a64_round rm = resolve_rm(cpu, A64_RFPCR);
    bool fz = fpcr_fz(cpu, f);
    feclearexcept(FE_ALL_EXCEPT);
    if (rm != A64_RN)
        fesetround(host_mode[rm]);
    uint64_t r = f == &F64 ? host_d(op, a, b, c) : host_s(op, a, b, c);
    unsigned fl = host_to_fpsr(fetestexcept(FE_ALL_EXCEPT));
    if (rm != A64_RN)
        fesetround(FE_TONEAREST);
    uint64_t mag = f_abs(f, r);
    if (f_isnan(f, r)) {
        r = f->dnan;
    } else if (((fl & FPSR_IXC) && mag <= f_minnorm(f)) || (fz && mag && mag < f_minnorm(f))) {
        if (soft_ok(f, op, a, b, c)) {
            fl = 0;
            r = soft_arith(f, op, a, b, c, rm, fz, &fl);
        }
    }
    cpu->fpsr |= fl;
    return r;
}

/* ---- arithmetic ------------------------------------------------------------------------- */

/* A key whose unsigned order is the numeric order of non-NaN values, with -0 < +0. */
static inline uint64_t order_key(const struct fmt *f, uint64_t u)
{
    uint64_t s = f_sign(f);
    return (u & s) ? ~u & (2 * s - 1) : u | s;
}

/* FMAX/FMIN, and FMAXNM/FMINNM, which first replace a lone quiet NaN by the infinity that
 * loses (so the other operand wins). */
static uint64_t minmax(struct a64_cpu *cpu, const struct fmt *f, uint64_t a, uint64_t b, bool max,
                       bool number)
{
    if (number) {
        uint64_t loser = max ? f_sign(f) | f_inf(f) : f_inf(f);
        bool qa = f_isnan(f, a) && !f_issnan(f, a), qb = f_isnan(f, b) && !f_issnan(f, b);
        if (qa && !f_isnan(f, b))
            a = loser;
        else if (qb && !f_isnan(f, a))
            b = loser;
    }
    uint64_t ops[2] = { a, b }, r;
    if (process_nans(cpu, f, 2, ops, &r))
        return r;
    bool a_less = order_key(f, a) < order_key(f, b);
    return a_less != max ? a : b;
}

uint64_t a64_fp_arith(struct a64_cpu *cpu, enum a64_fp_op op, unsigned size, uint64_t a,
                      uint64_t b, uint64_t c)
{
    const struct fmt *f = fmt_of(size);
    a = flush_input(cpu, f, a);
    b = flush_input(cpu, f, b);
    uint64_t r;
    switch (op) {
    case A64_FMAX: return minmax(cpu, f, a, b, true, false);
    case A64_FMIN: return minmax(cpu, f, a, b, false, false);
    case A64_FMAXNM: return minmax(cpu, f, a, b, true, true);
    case A64_FMINNM: return minmax(cpu, f, a, b, false, true);
    case A64_FSQRT: {
        if (process_nans(cpu, f, 1, &a, &r))
            return r;
        return host_arith(cpu, f, A_SQRT, a, 0, 0);
    }
    case A64_FMULADD: {
        c = flush_input(cpu, f, c);
        bool inf_times_zero = (f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b));
        if (f_isnan(f, c) && !f_issnan(f, c) && inf_times_zero) {
            cpu->fpsr |= FPSR_IOC;
            return f->dnan;
        }
        uint64_t ops[3] = { c, a, b };
        if (process_nans(cpu, f, 3, ops, &r))
            return r;
        return host_arith(cpu, f, A_FMA, a, b, c);
    }
    default: {
        uint64_t ops[2] = { a, b };
        if (process_nans(cpu, f, 2, ops, &r))
            return op == A64_FABD ? f_abs(f, r) : r;
        switch (op) {
        case A64_FADD: return host_arith(cpu, f, A_ADD, a, b, 0);
        case A64_FSUB: return host_arith(cpu, f, A_ADD, a, b ^ f_sign(f), 0);
        case A64_FABD: return f_abs(f, host_arith(cpu, f, A_ADD, a, b ^ f_sign(f), 0));
        case A64_FMUL: return host_arith(cpu, f, A_MUL, a, b, 0);
        default: return host_arith(cpu, f, A_DIV, a, b, 0);
        }
    }
    }
}

/* ---- compares --------------------------------------------------------------------------- */

unsigned a64_fp_compare(struct a64_cpu *cpu, unsigned size, uint64_t a, uint64_t b, bool signaling)
{
    const struct fmt *f = fmt_of(size);
    a = flush_input(cpu, f, a);
    b = flush_input(cpu, f, b);
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (signaling || f_issnan(f, a) || f_issnan(f, b))
            cpu->fpsr |= FPSR_IOC;
        return 0x3; /* unordered: C and V */
    }
    if ((f_iszero(f, a) && f_iszero(f, b)) || a == b)
        return 0x6; /* equal: Z and C */
    return order_key(f, a) < order_key(f, b) ? 0x8 : 0x2;
}

bool a64_fp_compare_cond(struct a64_cpu *cpu, unsigned size, uint64_t a, uint64_t b,
                         enum ir_cond cond)
{
    unsigned nzcv = a64_fp_compare(cpu, size, a, b, cond != IR_EQ);
    switch (cond) {
    case IR_EQ: return nzcv == 0x6;
    case IR_GE: return nzcv == 0x6 || nzcv == 0x2;
    default: return nzcv == 0x2;
    }
}

/* ---- conversions ------------------------------------------------------------------------ */

uint64_t a64_fp_to_int(struct a64_cpu *cpu, unsigned size, uint64_t a, enum a64_round rm,
                       bool is_signed, unsigned int_bits, unsigned fbits)
{
    const struct fmt *f = fmt_of(size);
    uint64_t width_mask = int_bits == 64 ? ~0ull : (1ull << int_bits) - 1;
    uint64_t maxpos = is_signed ? width_mask >> 1 : width_mask;
    uint64_t maxneg = is_signed ? maxpos + 1 : 0; /* largest magnitude of a negative result */
    a = flush_input(cpu, f, a);
    if (f_isnan(f, a)) {
        cpu->fpsr |= FPSR_IOC;
        return 0;
    }
    bool neg = (a & f_sign(f)) != 0;
    if (f_iszero(f, a))
        return 0;
    bool fits = false, inexact = false;
    u128 m = 0;
    if (!f_isinf(f, a)) {
        struct term x = unpack(f, a);
        x.exp += (int)fbits;
        if (x.exp + msb128(x.sig) < 65) {
            m = shift_round(x.sig, -x.exp, resolve_rm(cpu, rm), neg, &inexact);
            fits = neg ? m <= maxneg : m <= maxpos;
        }
    }
    if (!fits) {
        cpu->fpsr |= FPSR_IOC;
        return (neg ? -maxneg : maxpos) & width_mask;
    }
    if (inexact)
        cpu->fpsr |= FPSR_IXC;
    return (neg ? -(uint64_t)m : (uint64_t)m) & width_mask;
}

uint64_t a64_fp_from_int(struct a64_cpu *cpu, unsigned size, uint64_t v, bool is_signed,
                         unsigned int_bits, unsigned fbits)
{
    const struct fmt *f = fmt_of(size);
    if (int_bits == 32)
        v = is_signed ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
    bool neg = is_signed && (int64_t)v < 0;
    uint64_t mag = neg ? -v : v;
    if (!mag)
        return 0;
    unsigned fl = 0;
    uint64_t r = round_pack(f, neg, -(int)fbits, mag, resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, f), &fl);
    cpu->fpsr |= fl;
    return r;
}

/* FCVT between formats: a NaN keeps its sign and top payload bits (quieted, IOC if it was
 * signaling) unless DN; finite values round per FPCR. */
uint64_t a64_fp_convert(struct a64_cpu *cpu, unsigned to_size, unsigned from_size, uint64_t a)
{
    const struct fmt *to = fmt_of(to_size), *from = fmt_of(from_size);
    uint64_t s = (a & f_sign(from)) ? f_sign(to) : 0;
    if (f_isnan(from, a)) {
        if (f_issnan(from, a))
            cpu->fpsr |= FPSR_IOC;
        if (cpu->fpcr & FPCR_DN)
            return to->dnan;
        uint64_t payload = a & f_mmask(from);
        payload = to->mbits > from->mbits ? payload << (to->mbits - from->mbits)
                                          : payload >> (from->mbits - to->mbits);
        return s | f_inf(to) | f_quiet_bit(to) | payload;
    }
    a = flush_input(cpu, from, a);
    if (f_isinf(from, a))
        return s | f_inf(to);
    if (f_iszero(from, a))
        return s;
    unsigned fl = 0;
    struct term x = unpack(from, a);
    uint64_t r = round_pack(to, x.sign, x.exp, x.sig, resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, to), &fl);
    cpu->fpsr |= fl;
    return r;
}

uint64_t a64_fp_round_int(struct a64_cpu *cpu, unsigned size, uint64_t a, enum a64_round rm,
                          bool exact)
{
    const struct fmt *f = fmt_of(size);
    uint64_t r;
    a = flush_input(cpu, f, a);
    if (process_nans(cpu, f, 1, &a, &r))
        return r;
    if (!f_isfinite(f, a) || f_iszero(f, a))
        return a;
    struct term x = unpack(f, a);
    if (x.exp >= 0)
        return a; /* already integral */
    bool inexact;
    u128 m = shift_round(x.sig, -x.exp, resolve_rm(cpu, rm), x.sign, &inexact);
    if (inexact && exact)
        cpu->fpsr |= FPSR_IXC;
    if (!m)
        return a & f_sign(f);
    unsigned fl = 0;
    return round_pack(f, x.sign, 0, m, A64_RN, false, &fl);
}

/* ---- IR helpers ------------------------------------------------------------------------- */

static uint64_t helper_arith(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_arith(cpu, (enum a64_fp_op)(desc >> 4), desc & 3, a, b, c);
}

static uint64_t helper_compare(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_compare(cpu, desc & 3, a, b, (desc >> 4) & 1);
}

static uint64_t helper_to_int(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_to_int(cpu, desc & 3, a, (enum a64_round)((desc >> 4) & 7), (desc >> 8) & 1,
                         (desc >> 9) & 127, (desc >> 16) & 127);
}

static uint64_t helper_from_int(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_from_int(cpu, desc & 3, a, (desc >> 8) & 1, (desc >> 9) & 127,
                           (desc >> 16) & 127);
}

static uint64_t helper_convert(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_convert(cpu, desc & 3, (desc >> 4) & 3, a);
}

static uint64_t helper_round_int(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t desc)
{
    return a64_fp_round_int(cpu, desc & 3, a, (enum a64_round)((desc >> 4) & 7), (desc >> 8) & 1);
}

const struct ir_helper a64fp_helpers[A64FP_NHELPERS] = {
#define A64FP_HELPER(name) \
    [A64FP_##name] = { "a64fp_" #name, helper_##name, 4, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64 },
    A64FP_HELPERS(A64FP_HELPER)
#undef A64FP_HELPER
};
