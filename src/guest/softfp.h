/* The exact floating-point core that the RISC-V and AArch64 FPUs share: binary formats as raw
 * bits, a softfloat rounder (round_pack) with the add/mul/div/fma built on it, and the host
 * operations run between fenv calls. The two guests need the same exact arithmetic and differ
 * only in what struct softfp_env carries (rounding mode, flag bits, tininess rule, flush to
 * zero), so one copy keeps a rounding fix from landing in one guest and not the other.
 *
 * Header-only and static so that each fpu.c compiles it under its own FP flags
 * (-frounding-math -fsignaling-nans -ffp-contract=off, see its meson.build); include it only
 * from files built that way (the two fpu.c, and x86-64's sse_fp.c and float80.c). */
#ifndef VM_GUEST_SOFTFP_H
#define VM_GUEST_SOFTFP_H

#include <fenv.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The compiler must not fold or move FP operations across fenv calls, here or in the including
 * file: gcc needs -frounding-math -fsignaling-nans, clang the FENV_ACCESS pragma (which holds
 * to the end of the including file). */
#if defined(__clang__)
#pragma STDC FENV_ACCESS ON
#elif defined(__GNUC__) && !(defined(__ROUNDING_MATH__) && defined(__SUPPORT_SNAN__))
#error "guest/softfp.h must be compiled with -frounding-math -fsignaling-nans"
#endif

typedef unsigned __int128 u128;

/* ---- formats ---------------------------------------------------------------------------- */

struct fmt {
    int mbits;     /* stored mantissa bits: precision p = mbits + 1 */
    int ebits;
    int bias;
    uint64_t dnan; /* the default NaN (RISC-V calls it the canonical NaN) */
};
static const struct fmt F32 = { 23, 8, 127, 0x7fc00000u };
static const struct fmt F64 = { 52, 11, 1023, 0x7ff8000000000000u };

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
/* Magnitude of the smallest normal number, 2^emin. */
static inline uint64_t f_minnorm(const struct fmt *f) { return 1ull << f->mbits; }

/* A key whose unsigned order is the numeric order of non-NaN values, with -0 < +0. */
static inline uint64_t order_key(const struct fmt *f, uint64_t u)
{
    uint64_t s = f_sign(f);
    return (u & s) ? ~u & (2 * s - 1) : u | s;
}

/* ---- what differs between the guests ---------------------------------------------------- */

/* Rounding modes, numbered as RISC-V's rm field; AArch64 maps FPCR.RMode onto them. */
enum softfp_round { SF_RNE, SF_RTZ, SF_RDN, SF_RUP, SF_RMM };

struct softfp_env {
    enum softfp_round rm;
    /* Tininess is detected before rounding (Arm) rather than after it (RISC-V). */
    bool tiny_before;
    /* A result that is tiny before rounding becomes a zero of its sign, raising only underflow
     * (Arm's FPCR.FZ); meant together with tiny_before. */
    bool fz;
    /* The guest's flag bit for each IEEE exception. */
    unsigned nv, dz, of, uf, nx;
};

/* ---- softfloat rounding ----------------------------------------------------------------- */

static inline int msb128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

/* Whether dropping bits rounds the kept magnitude up (away from zero). */
static inline bool round_up(enum softfp_round rm, bool sign, bool lsb, bool rbit, bool sticky)
{
    switch (rm) {
    case SF_RNE: return rbit && (sticky || lsb);
    case SF_RTZ: return false;
    case SF_RDN: return sign && (rbit || sticky);
    case SF_RUP: return !sign && (rbit || sticky);
    default:     return rbit; /* SF_RMM: a tie goes away from zero */
    }
}

/* sig >> shift rounded per rm (shift <= 0 shifts left, exactly; the caller ensures it fits). */
static inline u128 shift_round(u128 sig, int shift, enum softfp_round rm, bool sign, bool *inexact)
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
 * below the rounding point) to format f per env, ORing env's nx/uf/of bits into *fl. After
 * rounding, "tiny" means the value rounded to p bits with an unbounded exponent is below
 * 2^emin; the two rules differ only for values just below 2^emin that round up to it. */
static inline uint64_t round_pack(const struct fmt *f, const struct softfp_env *env, bool sign,
                                  int exp, u128 sig, unsigned *fl)
{
    const int emin = 1 - f->bias;
    const enum softfp_round rm = env->rm;
    int e = exp + msb128(sig); /* 2^e <= |value| < 2^(e+1) */
    uint64_t s = sign ? f_sign(f) : 0;
    bool tiny = e < emin; /* before rounding */
    if (tiny && env->fz) {
        *fl |= env->uf;
        return s;
    }
    int q = (tiny ? emin : e) - f->mbits; /* exponent of the result's last place */
    bool inexact;
    u128 m = shift_round(sig, q - exp, rm, sign, &inexact);
    if (m >> (f->mbits + 1)) { /* rounded up to the next binade */
        m >>= 1;
        q++;
    }
    if (inexact) {
        *fl |= env->nx;
        if (tiny && !env->tiny_before && e == emin - 1) {
            /* tiny unless p-bit rounding carries up to 2^emin */
            bool ix;
            tiny = !(shift_round(sig, e - f->mbits - exp, rm, sign, &ix) >> (f->mbits + 1));
        }
        if (tiny)
            *fl |= env->uf;
    }
    uint64_t biased = (m >> f->mbits) ? (uint64_t)(q + f->mbits + f->bias) : 0;
    if (biased >= f_emask(f)) {
        *fl |= env->of | env->nx;
        bool to_inf = rm == SF_RNE || rm == SF_RMM || (rm == SF_RUP && !sign) ||
                      (rm == SF_RDN && sign);
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

static inline struct term unpack(const struct fmt *f, uint64_t u)
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
static inline uint64_t soft_sum(const struct fmt *f, const struct softfp_env *env, struct term x,
                                struct term y, unsigned *fl)
{
    if (y.sig == 0)
        return round_pack(f, env, x.sign, x.exp, x.sig, fl);
    if (y.exp + msb128(y.sig) > x.exp + msb128(x.sig)) {
        struct term t = x;
        x = y;
        y = t;
    }
    /* Put x's top bit at bit 125 (room for a carry) and align y to it. If y loses bits they
     * become a sticky bit: y's top is then below bit 53, so the result keeps its top at bit
     * 124 or 125 and is rounded at bit 71 or above, far from the sticky bit. */
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
        return env->rm == SF_RDN ? f_sign(f) : 0;
    return round_pack(f, env, sign, x.exp, s, fl);
}

enum arith { A_ADD, A_MUL, A_DIV, A_SQRT, A_FMA };

/* Whether soft_arith handles these operands: finite and nonzero (an fma addend may be zero). */
static inline bool soft_ok(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c)
{
    bool ok = f_isfinite(f, a) && !f_iszero(f, a) && f_isfinite(f, b) && !f_iszero(f, b);
    return op == A_FMA ? ok && f_isfinite(f, c) : ok && op != A_SQRT;
}

/* add/mul/div/fma of finite operands (see soft_ok) in software, exactly rounded. */
static inline uint64_t soft_arith(const struct fmt *f, const struct softfp_env *env, enum arith op,
                                  uint64_t a, uint64_t b, uint64_t c, unsigned *fl)
{
    struct term x = unpack(f, a), y = unpack(f, b);
    switch (op) {
    case A_ADD:
        return soft_sum(f, env, x, y, fl);
    case A_MUL:
        return round_pack(f, env, x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig, fl);
    case A_DIV: {
        /* Normalize both to bit 63; the quotient of (x << 64) / y then has 64 or 65 bits
         * and a nonzero remainder becomes its sticky bit. */
        int sx = 63 - msb128(x.sig), sy = 63 - msb128(y.sig);
        u128 n = (x.sig << sx) << 64;
        uint64_t dv = (uint64_t)(y.sig << sy);
        u128 qt = n / dv;
        qt |= (n % dv) != 0;
        return round_pack(f, env, x.sign ^ y.sign, (x.exp - sx - 64) - (y.exp - sy), qt, fl);
    }
    default: { /* A_FMA: the product is exact in 106 bits */
        struct term p = { x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig };
        struct term z = f_iszero(f, c) ? (struct term){ false, 0, 0 } : unpack(f, c);
        return soft_sum(f, env, p, z, fl);
    }
    }
}

/* ---- host FPU --------------------------------------------------------------------------- */

/* The host mode of each directed or nearest-even mode; SF_RMM has none. */
static const int host_mode[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static inline int flags_to_host(const struct softfp_env *env, unsigned fl)
{
    return (fl & env->nv ? FE_INVALID : 0) | (fl & env->dz ? FE_DIVBYZERO : 0) |
           (fl & env->of ? FE_OVERFLOW : 0) | (fl & env->uf ? FE_UNDERFLOW : 0) |
           (fl & env->nx ? FE_INEXACT : 0);
}

static inline unsigned host_to_flags(const struct softfp_env *env, int ex)
{
    return (ex & FE_INVALID ? env->nv : 0) | (ex & FE_DIVBYZERO ? env->dz : 0) |
           (ex & FE_OVERFLOW ? env->of : 0) | (ex & FE_UNDERFLOW ? env->uf : 0) |
           (ex & FE_INEXACT ? env->nx : 0);
}

/* The operation itself: volatile operands and result keep it between the fenv calls. */
static inline uint64_t host_d(enum arith op, uint64_t a, uint64_t b, uint64_t c)
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

static inline uint64_t host_s(enum arith op, uint64_t a, uint64_t b, uint64_t c)
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

/* One host operation on raw bits of F32 or F64, in whatever host mode the caller set. */
static inline uint64_t host_op(const struct fmt *f, enum arith op, uint64_t a, uint64_t b,
                               uint64_t c)
{
    return f == &F64 ? host_d(op, a, b, c) : host_s(op, a, b, c);
}

/* QEMU's "hardfloat" shortcut: op on the host in round-to-nearest-even, without looking at
 * host flags, when its operands (finite, normal or zero) and result (normal and above
 * +-2^emin, or an exact zero sum) show it raises nothing but inexact. The caller takes it only
 * in RNE with the guest's cumulative inexact flag already set, where no flag can change; on
 * false it takes the exact path. The host is in RNE between helpers. Always inlined, so that
 * a constant f turns its field tests into constants. */
static inline __attribute__((always_inline)) bool
softfp_fast(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c, uint64_t *r)
{
    const uint64_t ops[3] = { a, b, c };
    unsigned n = op == A_SQRT ? 1 : op == A_FMA ? 3 : 2;
    for (unsigned i = 0; i < n; i++) {
        uint64_t e = f_exp(f, ops[i]);
        if (e == f_emask(f) || (e == 0 && (ops[i] & f_mmask(f))))
            return false;
    }
    if ((op == A_DIV && f_iszero(f, b)) || (op == A_SQRT && (a & f_sign(f)) && !f_iszero(f, a)))
        return false;
    uint64_t x = host_op(f, op, a, b, c), mag = f_abs(f, x);
    if (mag >= f_inf(f) || (mag <= f_minnorm(f) && !(mag == 0 && op == A_ADD)))
        return false;
    *r = x;
    return true;
}

#endif
