/* RISC-V F and D helpers (unprivileged spec v20191213, chapters 11 and 12).
 *
 * Three kinds of work, each done the cheapest way that is still exact:
 *  - sign injection, min/max, compares and fclass are bit manipulation: no host FP at all;
 *  - conversions (int<->fp, single<->double) are integer code around round_pack(), a small
 *    softfloat rounder, so they honour all five rounding modes and never touch host state;
 *  - add/sub/mul/div/sqrt/fma run on the host FPU in the guest's rounding mode (C99 fenv),
 *    with two exceptions that go through round_pack() instead:
 *      * RMM (ties to max magnitude) has no host mode. It differs from RNE only on exact ties,
 *        and sqrt never produces one (a tie would need x = m^2 with m of p+1 bits, which has
 *        more than p bits), so sqrt uses RNE and the rest use the softfloat path.
 *      * RISC-V detects tininess after rounding; some hosts (aarch64) detect it before. The
 *        two conventions disagree only when the delivered result is exactly +-2^emin and
 *        inexact, so that one case is recomputed in software on every host.
 *
 * Host FP state invariants between helpers: rounding mode RNE (helpers that change it put it
 * back before returning), host exception flags may hold anything. Flags are cleared lazily:
 * before a host operation we clear only the host flags whose guest flag is still 0, and after
 * it we read only those; a flag the guest already has cannot change anything.
 *
 * Build: the compiler must not fold or move FP operations across fenv calls. gcc needs
 * -frounding-math -fsignaling-nans (checked below); clang uses the FENV_ACCESS pragma. Every
 * host operation also reads its operands from and writes its result to volatile objects so it
 * stays between the fenv calls that bracket it. -ffp-contract=off keeps the compiler from
 * fusing a multiply and an add on its own; -fno-math-errno lets sqrt be one instruction. */
#include "guest/riscv64/fpu.h"

#include <fenv.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "core/cpu.h"
#include "guest/riscv64/cpu.h"

#if defined(__clang__)
#pragma STDC FENV_ACCESS ON
#elif defined(__GNUC__) && !(defined(__ROUNDING_MATH__) && defined(__SUPPORT_SNAN__))
#error "fpu.c must be compiled with -frounding-math -fsignaling-nans"
#endif

typedef unsigned __int128 u128;

/* fflags bits and rounding modes, as the spec encodes them. */
enum { FL_NX = 0x01, FL_UF = 0x02, FL_OF = 0x04, FL_DZ = 0x08, FL_NV = 0x10 };
enum { RNE, RTZ, RDN, RUP, RMM, DYN = 7 };

/* ---- formats ---------------------------------------------------------------------------- */

struct fmt {
    int mbits;     /* stored mantissa bits: precision p = mbits + 1 */
    int ebits;
    int bias;
    uint64_t qnan; /* the canonical NaN */
};
static const struct fmt F32 = { 23, 8, 127, 0x7fc00000u };
static const struct fmt F64 = { 52, 11, 1023, 0x7ff8000000000000u };

static inline uint64_t f_sign(const struct fmt *f) { return 1ull << (f->mbits + f->ebits); }
static inline uint64_t f_mmask(const struct fmt *f) { return (1ull << f->mbits) - 1; }
static inline uint64_t f_emask(const struct fmt *f) { return (1ull << f->ebits) - 1; }
static inline uint64_t f_exp(const struct fmt *f, uint64_t u) { return (u >> f->mbits) & f_emask(f); }
static inline uint64_t f_abs(const struct fmt *f, uint64_t u) { return u & (f_sign(f) - 1); }
static inline uint64_t f_inf(const struct fmt *f) { return f_emask(f) << f->mbits; }
static inline bool f_isnan(const struct fmt *f, uint64_t u) { return f_abs(f, u) > f_inf(f); }
static inline bool f_isinf(const struct fmt *f, uint64_t u) { return f_abs(f, u) == f_inf(f); }
static inline bool f_iszero(const struct fmt *f, uint64_t u) { return f_abs(f, u) == 0; }
static inline bool f_isfinite(const struct fmt *f, uint64_t u) { return f_abs(f, u) < f_inf(f); }
static inline bool f_issnan(const struct fmt *f, uint64_t u)
{
    return f_isnan(f, u) && !(u & (1ull << (f->mbits - 1)));
}
/* Magnitude of the smallest normal number, 2^emin. */
static inline uint64_t f_minnorm(const struct fmt *f) { return 1ull << f->mbits; }

/* A single input is valid only when NaN-boxed; otherwise it reads as the canonical NaN. */
static inline uint64_t unbox(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32.qnan;
}
static inline uint64_t box(uint64_t v) { return 0xffffffff00000000ull | v; }

/* ---- rounding mode ---------------------------------------------------------------------- */

/* The effective rounding mode; reserved encodings (rm 5/6, or DYN with frm 5..7) are illegal. */
static int resolve_rm(struct rv64_cpu *cpu, uint64_t rmf)
{
    uint64_t rm = rmf == DYN ? cpu->frm : rmf;
    if (rm > RMM)
        cpu_raise(&cpu->c, SIGILL, ILL_ILLOPC, 0);
    return (int)rm;
}

/* ---- softfloat rounding ----------------------------------------------------------------- */

static inline int msb128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

/* Whether dropping bits rounds the kept magnitude up (away from zero). */
static inline bool round_up(int rm, bool sign, bool lsb, bool rbit, bool sticky)
{
    switch (rm) {
    case RNE: return rbit && (sticky || lsb);
    case RTZ: return false;
    case RDN: return sign && (rbit || sticky);
    case RUP: return !sign && (rbit || sticky);
    default:  return rbit; /* RMM: a tie goes away from zero */
    }
}

/* sig >> shift rounded per rm (shift <= 0 shifts left, exactly; the caller ensures it fits). */
static u128 shift_round(u128 sig, int shift, int rm, bool sign, bool *inexact)
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
 * below the rounding point) to format f, ORing NX/UF/OF into *fl. Tininess is detected after
 * rounding, i.e. on the value rounded to p bits with an unbounded exponent. */
static uint64_t round_pack(const struct fmt *f, bool sign, int exp, u128 sig, int rm, unsigned *fl)
{
    const int emin = 1 - f->bias;
    int e = exp + msb128(sig); /* 2^e <= |value| < 2^(e+1) */
    int q = (e < emin ? emin : e) - f->mbits; /* exponent of the result's last place */
    bool inexact;
    u128 m = shift_round(sig, q - exp, rm, sign, &inexact);
    if (m >> (f->mbits + 1)) { /* rounded up to the next binade */
        m >>= 1;
        q++;
    }
    uint64_t s = sign ? f_sign(f) : 0;
    if (inexact) {
        *fl |= FL_NX;
        bool tiny = e < emin - 1;
        if (e == emin - 1) { /* tiny unless p-bit rounding carries up to 2^emin */
            bool ix;
            tiny = !(shift_round(sig, e - f->mbits - exp, rm, sign, &ix) >> (f->mbits + 1));
        }
        if (tiny)
            *fl |= FL_UF;
    }
    uint64_t biased = (m >> f->mbits) ? (uint64_t)(q + f->mbits + f->bias) : 0;
    if (biased >= f_emask(f)) {
        *fl |= FL_OF | FL_NX;
        bool to_inf = rm == RNE || rm == RMM || (rm == RUP && !sign) || (rm == RDN && sign);
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
static uint64_t soft_sum(const struct fmt *f, struct term x, struct term y, int rm, unsigned *fl)
{
    if (y.sig == 0)
        return round_pack(f, x.sign, x.exp, x.sig, rm, fl);
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
        return rm == RDN ? f_sign(f) : 0;
    return round_pack(f, sign, x.exp, s, rm, fl);
}

enum arith { A_ADD, A_MUL, A_DIV, A_SQRT, A_FMA };

/* Whether soft_arith handles these operands: finite and nonzero (an fma addend may be zero).
 * Every other case of add/mul/div/fma is exact or NaN, hence the same in RMM and RNE. */
static bool soft_ok(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c)
{
    bool ok = f_isfinite(f, a) && !f_iszero(f, a) && f_isfinite(f, b) && !f_iszero(f, b);
    return op == A_FMA ? ok && f_isfinite(f, c) : ok && op != A_SQRT;
}

/* add/mul/div/fma of finite operands (see soft_ok) in software, exactly rounded. */
static uint64_t soft_arith(const struct fmt *f, enum arith op, uint64_t a, uint64_t b, uint64_t c,
                           int rm, unsigned *fl)
{
    struct term x = unpack(f, a), y = unpack(f, b);
    switch (op) {
    case A_ADD:
        return soft_sum(f, x, y, rm, fl);
    case A_MUL:
        return round_pack(f, x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig, rm, fl);
    case A_DIV: {
        /* Normalize both to bit 63; the quotient of (x << 64) / y then has 64 or 65 bits
         * and a nonzero remainder becomes its sticky bit. */
        int sx = 63 - msb128(x.sig), sy = 63 - msb128(y.sig);
        u128 n = (x.sig << sx) << 64;
        uint64_t dv = (uint64_t)(y.sig << sy);
        u128 qt = n / dv;
        qt |= (n % dv) != 0;
        return round_pack(f, x.sign ^ y.sign, (x.exp - sx - 64) - (y.exp - sy), qt, rm, fl);
    }
    default: { /* A_FMA: the product is exact in 106 bits */
        struct term p = { x.sign ^ y.sign, x.exp + y.exp, x.sig * y.sig };
        struct term z = f_iszero(f, c) ? (struct term){ false, 0, 0 } : unpack(f, c);
        return soft_sum(f, p, z, rm, fl);
    }
    }
}

/* ---- host FPU --------------------------------------------------------------------------- */

static const int host_mode[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static int rv_to_host(unsigned rv)
{
    return (rv & FL_NV ? FE_INVALID : 0) | (rv & FL_DZ ? FE_DIVBYZERO : 0) |
           (rv & FL_OF ? FE_OVERFLOW : 0) | (rv & FL_UF ? FE_UNDERFLOW : 0) |
           (rv & FL_NX ? FE_INEXACT : 0);
}

static unsigned host_to_rv(int ex)
{
    return (ex & FE_INVALID ? FL_NV : 0) | (ex & FE_DIVBYZERO ? FL_DZ : 0) |
           (ex & FE_OVERFLOW ? FL_OF : 0) | (ex & FE_UNDERFLOW ? FL_UF : 0) |
           (ex & FE_INEXACT ? FL_NX : 0);
}

/* Clears the host flags we must observe and enters rounding mode rm (RNE..RUP). Returns the
 * host flags to read afterwards: those the guest does not have yet, plus inexact whenever
 * underflow is wanted (the tininess fix-up needs it). */
static int host_enter(const struct rv64_cpu *cpu, int rm)
{
    int watch = rv_to_host(~(unsigned)cpu->fflags & 0x1f);
    if (watch & FE_UNDERFLOW)
        watch |= FE_INEXACT;
    int stale = fetestexcept(watch);
    if (stale)
        feclearexcept(stale);
    if (rm != RNE)
        fesetround(host_mode[rm]);
    return watch;
}

static unsigned host_leave(int rm, int watch)
{
    if (rm != RNE)
        fesetround(FE_TONEAREST);
    return host_to_rv(fetestexcept(watch));
}

/* The operation itself: volatile operands and result keep it between the fenv calls. */
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

/* One arithmetic instruction on raw (unboxed) operand bits of format f; rm already resolved. */
static uint64_t arith(struct rv64_cpu *cpu, const struct fmt *f, enum arith op, uint64_t a,
                      uint64_t b, uint64_t c, int rm)
{
    unsigned fl = 0;
    uint64_t r;
    if (rm == RMM && soft_ok(f, op, a, b, c)) {
        r = soft_arith(f, op, a, b, c, rm, &fl);
    } else {
        int hrm = rm == RMM ? RNE : rm; /* no tie possible here: RMM == RNE */
        int watch = host_enter(cpu, hrm);
        r = f == &F64 ? host_d(op, a, b, c) : host_s(op, a, b, c);
        fl = host_leave(hrm, watch);
        if (f_isnan(f, r)) {
            r = f->qnan;
        } else if ((fl & FL_NX) && (watch & FE_UNDERFLOW) && f_abs(f, r) == f_minnorm(f) &&
                   op != A_SQRT) {
            /* +-2^emin and inexact: the only case where a host that detects tininess
             * before rounding would differ. Ask the exact rounder instead. */
            fl = 0;
            r = soft_arith(f, op, a, b, c, rm, &fl);
        }
        /* inf * 0 is invalid even when the addend is a quiet NaN (hosts differ here). */
        if (op == A_FMA && ((f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b))))
            fl |= FL_NV;
    }
    cpu->fflags |= fl;
    return r;
}

static uint64_t arith_d(void *cpu, enum arith op, uint64_t a, uint64_t b, uint64_t c, uint64_t rmf)
{
    return arith(cpu, &F64, op, a, b, c, resolve_rm(cpu, rmf));
}

static uint64_t arith_s(void *cpu, enum arith op, uint64_t a, uint64_t b, uint64_t c, uint64_t rmf)
{
    int rm = resolve_rm(cpu, rmf);
    return box(arith(cpu, &F32, op, unbox(a), unbox(b), unbox(c), rm));
}

#define SGN_S 0x80000000u
#define SGN_D 0x8000000000000000u

uint64_t rvfp_fadd_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_ADD, a, b, 0, rm);
}
uint64_t rvfp_fsub_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_ADD, a, box(unbox(b) ^ SGN_S), 0, rm);
}
uint64_t rvfp_fmul_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_MUL, a, b, 0, rm);
}
uint64_t rvfp_fdiv_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_DIV, a, b, 0, rm);
}
uint64_t rvfp_fsqrt_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_SQRT, a, 0, 0, rm);
}
/* The fused forms negate operands, not the result, so an exact zero gets the sign the spec
 * gives -(a*b)+-c (e.g. fnmadd of +0*x and +0 is -0). */
uint64_t rvfp_fmadd_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_FMA, a, b, c, rm);
}
uint64_t rvfp_fmsub_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_FMA, a, b, box(unbox(c) ^ SGN_S), rm);
}
uint64_t rvfp_fnmsub_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_FMA, box(unbox(a) ^ SGN_S), b, c, rm);
}
uint64_t rvfp_fnmadd_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_s(cpu, A_FMA, box(unbox(a) ^ SGN_S), b, box(unbox(c) ^ SGN_S), rm);
}

uint64_t rvfp_fadd_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_ADD, a, b, 0, rm);
}
uint64_t rvfp_fsub_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_ADD, a, b ^ SGN_D, 0, rm);
}
uint64_t rvfp_fmul_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_MUL, a, b, 0, rm);
}
uint64_t rvfp_fdiv_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_DIV, a, b, 0, rm);
}
uint64_t rvfp_fsqrt_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_SQRT, a, 0, 0, rm);
}
uint64_t rvfp_fmadd_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_FMA, a, b, c, rm);
}
uint64_t rvfp_fmsub_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_FMA, a, b, c ^ SGN_D, rm);
}
uint64_t rvfp_fnmsub_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_FMA, a ^ SGN_D, b, c, rm);
}
uint64_t rvfp_fnmadd_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return arith_d(cpu, A_FMA, a ^ SGN_D, b, c ^ SGN_D, rm);
}

/* ---- sign injection, min/max, compares, classify (no rounding, no rm) --------------------- */

/* A key whose unsigned order is the numeric order of non-NaN values, with -0 < +0. */
static inline uint64_t order_key(const struct fmt *f, uint64_t u)
{
    uint64_t s = f_sign(f);
    return (u & s) ? ~u & (2 * s - 1) : u | s;
}

/* fmin/fmax (version 2.2): a single NaN operand yields the other operand, two NaNs yield the
 * canonical NaN; any signaling NaN raises NV. */
static uint64_t minmax(struct rv64_cpu *cpu, const struct fmt *f, uint64_t a, uint64_t b, bool max)
{
    if (f_issnan(f, a) || f_issnan(f, b))
        cpu->fflags |= FL_NV;
    bool na = f_isnan(f, a), nb = f_isnan(f, b);
    if (na && nb)
        return f->qnan;
    if (na || nb)
        return na ? b : a;
    bool a_less = order_key(f, a) < order_key(f, b);
    return a_less != max ? a : b;
}

enum cmp { C_EQ, C_LT, C_LE };

/* feq is a quiet compare (NV only for signaling NaNs); flt/fle signal on any NaN. */
static uint64_t compare(struct rv64_cpu *cpu, const struct fmt *f, uint64_t a, uint64_t b, enum cmp k)
{
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (k != C_EQ || f_issnan(f, a) || f_issnan(f, b))
            cpu->fflags |= FL_NV;
        return 0;
    }
    if (f_iszero(f, a) && f_iszero(f, b))
        return k != C_LT;
    switch (k) {
    case C_EQ: return a == b;
    case C_LT: return order_key(f, a) < order_key(f, b);
    default:   return order_key(f, a) <= order_key(f, b);
    }
}

static uint64_t classify(const struct fmt *f, uint64_t u)
{
    bool neg = (u & f_sign(f)) != 0;
    uint64_t e = f_exp(f, u), m = u & f_mmask(f);
    if (e == f_emask(f)) {
        if (!m)
            return neg ? 1u << 0 : 1u << 7;
        return f_issnan(f, u) ? 1u << 8 : 1u << 9;
    }
    if (e)
        return neg ? 1u << 1 : 1u << 6;
    if (m)
        return neg ? 1u << 2 : 1u << 5;
    return neg ? 1u << 3 : 1u << 4;
}

uint64_t rvfp_fmin_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(minmax(cpu, &F32, unbox(a), unbox(b), false));
}
uint64_t rvfp_fmax_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(minmax(cpu, &F32, unbox(a), unbox(b), true));
}
uint64_t rvfp_fmin_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return minmax(cpu, &F64, a, b, false);
}
uint64_t rvfp_fmax_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return minmax(cpu, &F64, a, b, true);
}

uint64_t rvfp_fsgnj_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box((unbox(a) & ~SGN_S) | (unbox(b) & SGN_S));
}
uint64_t rvfp_fsgnjn_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box((unbox(a) & ~SGN_S) | (~unbox(b) & SGN_S));
}
uint64_t rvfp_fsgnjx_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(unbox(a) ^ (unbox(b) & SGN_S));
}
uint64_t rvfp_fsgnj_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return (a & ~SGN_D) | (b & SGN_D);
}
uint64_t rvfp_fsgnjn_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return (a & ~SGN_D) | (~b & SGN_D);
}
uint64_t rvfp_fsgnjx_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return a ^ (b & SGN_D);
}

uint64_t rvfp_feq_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F32, unbox(a), unbox(b), C_EQ);
}
uint64_t rvfp_flt_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F32, unbox(a), unbox(b), C_LT);
}
uint64_t rvfp_fle_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F32, unbox(a), unbox(b), C_LE);
}
uint64_t rvfp_feq_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F64, a, b, C_EQ);
}
uint64_t rvfp_flt_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F64, a, b, C_LT);
}
uint64_t rvfp_fle_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return compare(cpu, &F64, a, b, C_LE);
}

uint64_t rvfp_fclass_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return classify(&F32, unbox(a));
}
uint64_t rvfp_fclass_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return classify(&F64, a);
}

/* ---- conversions ------------------------------------------------------------------------ */

/* Integer destination: width and signedness. */
struct ity {
    bool is_signed;
    bool w32;
};
static const struct ity I_W = { true, true }, I_WU = { false, true };
static const struct ity I_L = { true, false }, I_LU = { false, false };

/* fp -> int: round per rm; NaN gives the largest positive value, anything whose rounded value
 * does not fit saturates with NV (and no NX); NX only for in-range inexact results. 32-bit
 * results are sign-extended to 64 bits, unsigned ones included. */
static uint64_t to_int(struct rv64_cpu *cpu, const struct fmt *f, uint64_t u, struct ity t, int rm)
{
    uint64_t maxpos = t.is_signed ? (t.w32 ? INT32_MAX : INT64_MAX) : (t.w32 ? UINT32_MAX : UINT64_MAX);
    uint64_t maxneg = t.is_signed ? maxpos + 1 : 0; /* largest magnitude of a negative result */
    bool neg = (u & f_sign(f)) && !f_isnan(f, u);
    uint64_t r;
    if (f_iszero(f, u))
        return 0;
    if (!f_isfinite(f, u)) {
        cpu->fflags |= FL_NV;
        r = neg ? -maxneg : maxpos;
    } else {
        struct term x = unpack(f, u);
        bool inexact = false, fits = false;
        u128 m = 0;
        if (x.exp + msb128(x.sig) < 64) { /* else |x| >= 2^64: out of range for every type */
            m = shift_round(x.sig, -x.exp, rm, neg, &inexact);
            fits = neg ? m <= maxneg : m <= maxpos;
        }
        if (!fits) {
            cpu->fflags |= FL_NV;
            r = neg ? -maxneg : maxpos;
        } else {
            if (inexact)
                cpu->fflags |= FL_NX;
            r = neg ? -(uint64_t)m : (uint64_t)m;
        }
    }
    return t.w32 ? (uint64_t)(int64_t)(int32_t)r : r;
}

/* int -> fp: the magnitude rounded per rm; zero is +0. */
static uint64_t from_int(struct rv64_cpu *cpu, const struct fmt *f, uint64_t mag, bool neg, int rm)
{
    if (!mag)
        return 0;
    unsigned fl = 0;
    uint64_t r = round_pack(f, neg, 0, mag, rm, &fl);
    cpu->fflags |= fl;
    return r;
}

static uint64_t from_signed(void *cpu, const struct fmt *f, int64_t v, uint64_t rmf)
{
    int rm = resolve_rm(cpu, rmf);
    return from_int(cpu, f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, rm);
}

static uint64_t from_unsigned(void *cpu, const struct fmt *f, uint64_t v, uint64_t rmf)
{
    return from_int(cpu, f, v, false, resolve_rm(cpu, rmf));
}

/* Between formats: NaN becomes the canonical NaN (NV if signaling), inf and zero keep their
 * sign, finite values are rounded (exact when widening). */
static uint64_t convert(struct rv64_cpu *cpu, const struct fmt *to, const struct fmt *from, uint64_t u,
                        int rm)
{
    uint64_t s = (u & f_sign(from)) ? f_sign(to) : 0;
    if (f_isnan(from, u)) {
        if (f_issnan(from, u))
            cpu->fflags |= FL_NV;
        return to->qnan;
    }
    if (f_isinf(from, u))
        return s | f_inf(to);
    if (f_iszero(from, u))
        return s;
    unsigned fl = 0;
    struct term x = unpack(from, u);
    uint64_t r = round_pack(to, x.sign, x.exp, x.sig, rm, &fl);
    cpu->fflags |= fl;
    return r;
}

uint64_t rvfp_fcvt_w_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F32, unbox(a), I_W, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_wu_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F32, unbox(a), I_WU, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_l_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F32, unbox(a), I_L, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_lu_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F32, unbox(a), I_LU, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_w_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F64, a, I_W, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_wu_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F64, a, I_WU, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_l_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F64, a, I_L, resolve_rm(cpu, rm));
}
uint64_t rvfp_fcvt_lu_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return to_int(cpu, &F64, a, I_LU, resolve_rm(cpu, rm));
}

uint64_t rvfp_fcvt_s_w(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(from_signed(cpu, &F32, (int32_t)a, rm));
}
uint64_t rvfp_fcvt_s_wu(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(from_unsigned(cpu, &F32, (uint32_t)a, rm));
}
uint64_t rvfp_fcvt_s_l(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(from_signed(cpu, &F32, (int64_t)a, rm));
}
uint64_t rvfp_fcvt_s_lu(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(from_unsigned(cpu, &F32, a, rm));
}
/* The widening conversions cannot round but still decode rm as usual (spec 11.2): a reserved
 * rm is illegal for them too. */
uint64_t rvfp_fcvt_d_w(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return from_signed(cpu, &F64, (int32_t)a, rm);
}
uint64_t rvfp_fcvt_d_wu(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return from_unsigned(cpu, &F64, (uint32_t)a, rm);
}
uint64_t rvfp_fcvt_d_l(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return from_signed(cpu, &F64, (int64_t)a, rm);
}
uint64_t rvfp_fcvt_d_lu(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return from_unsigned(cpu, &F64, a, rm);
}

uint64_t rvfp_fcvt_s_d(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return box(convert(cpu, &F32, &F64, a, resolve_rm(cpu, rm)));
}
uint64_t rvfp_fcvt_d_s(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
{
    return convert(cpu, &F64, &F32, unbox(a), resolve_rm(cpu, rm));
}

/* ---- IR helper table -------------------------------------------------------------------- */

const struct ir_helper rvfp_helpers[RVFP_NOPS] = {
#define RVFP_HELPER(name, n, rm)                                                              \
    [RVFP_##name] = { "rvfp_" #name, (ir_helper_fn)rvfp_##name, (n) + 1,                      \
                      IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64 },
    RVFP_OPS(RVFP_HELPER)
#undef RVFP_HELPER
};
