/* The SSE FP helpers (see sse.h): arithmetic, MIN/MAX, RSQRT/RCP, compares and conversions of
 * single and double precision under MXCSR, with x86's rules, which differ from the other guests':
 *  - a NaN operand gives the first source if it is a NaN, else the second, quieted; an
 *    invalid operation gives the negative default NaN ("QNaN floating-point indefinite");
 *  - DAZ reads denormal operands as zeros of their sign; without it a denormal operand of an
 *    arithmetic op, compare or FP-to-FP conversion sets DE, unless a NaN, an invalid
 *    operation or a division by zero takes precedence (SDM vol. 1, 11.5.2; the last is what
 *    the AMD CPUs the differential test ran on do); MIN and MAX flush before choosing;
 *  - tininess is detected after rounding; FTZ turns a tiny result into a zero of its sign and
 *    sets UE and PE;
 *  - FP-to-integer conversions give the "integer indefinite" (the sign bit alone) and IE for a
 *    NaN, an infinity or an out-of-range value.
 * An exception unmasked in MXCSR raises #XM (EXC_FLOAT) instead of writing the result: the
 * flags then say what the instruction raised before computing (IE, DE, ZE) if one of those is
 * unmasked, else all it raised, as the SDM has it; a VEX.256 form's two lanes, a call each,
 * trap or are written together (sse.h's X64_SSE_HOLD).
 *
 * Add, subtract, multiply, divide and square root of non-NaN operands run on the host FPU in
 * MXCSR's rounding mode (C99 fenv); a tiny inexact result is recomputed by the soft-float core
 * (guest/softfp.h) so that the result and UE do not depend on the host's tininess rule. Built
 * like the other guests' fpu.c, with -frounding-math -fsignaling-nans -ffp-contract=off.
 * On an x86-64 host, arithmetic, MIN/MAX and (U)COMISS/SD are the host's own instructions run
 * under the guest's MXCSR instead (native_arith, native_comi). */
#include "guest/x86_64/sse.h"

#include <fenv.h>
#include <math.h>
#include <string.h>

#include "guest/softfp.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/sse_vec.h"

enum {
    IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20,
    DAZ = 0x40, FTZ = 0x8000,
};

/* One instruction's MXCSR and the flags it raises. */
struct fpx {
    uint32_t mxcsr;
    unsigned fl;
    struct softfp_env env;
};

static struct fpx fpx_of(const struct x64_cpu *c)
{
    static const enum softfp_round rc[4] = { SF_RNE, SF_RDN, SF_RUP, SF_RTZ };
    return (struct fpx){ c->mxcsr, 0,
                         { .rm = rc[c->mxcsr >> 13 & 3], .tiny_before = false, .fz = false,
                           .nv = IE, .dz = ZE, .of = OE, .uf = UE, .nx = PE } };
}

/* #XM for the exceptions fl holds that MXCSR unmasks, with their flags set. */
static void trap_unmasked(struct x64_cpu *c, unsigned fl)
{
    unsigned unmasked = fl & ~(c->mxcsr >> 7) & 0x3f;
    if (!unmasked)
        return;
    if (unmasked & (IE | DE | ZE))
        fl &= IE | DE | ZE;
    c->mxcsr |= fl;
    cpu_raise(&c->c, EXC_FLOAT, (c->mxcsr & ~(c->mxcsr >> 7) & 0x3f) | EXC_FLOAT_SIMD);
}

/* The flags an op raised, for an op with no result to write (or one written already): #XM
 * for an unmasked one, else the flags set. */
static void commit_flags(struct x64_cpu *c, unsigned fl)
{
    trap_unmasked(c, fl);
    c->mxcsr |= fl;
}

/* The end of a vector FP helper: #XM for an exception fl holds that MXCSR unmasks, else
 * the result and the flags; or, X64_SSE_HOLD, both kept for the second lane (sse.h). */
static void commit(struct x64_cpu *c, uint64_t desc, union vec r, unsigned fl)
{
    if (desc & X64_SSE_HOLD) {
        c->ymm[X64_HELD][0] = r.q[0];
        c->ymm[X64_HELD][1] = r.q[1];
        c->ymm[X64_HELD][2] = fl;
        return;
    }
    if (desc & X64_SSE_TAKE)
        fl |= (unsigned)c->ymm[X64_HELD][2];
    trap_unmasked(c, fl);
    put_result(c, desc, r);
    c->mxcsr |= fl;
}

static uint64_t indefinite(const struct fmt *f)
{
    return f->dnan | f_sign(f);
}

static bool is_denormal(const struct fmt *f, uint64_t u)
{
    return f_exp(f, u) == 0 && (u & f_mmask(f));
}

/* DAZ: a denormal operand reads as a zero; without DAZ, *den notes it for DE. */
static uint64_t operand(const struct fpx *x, const struct fmt *f, uint64_t u, bool *den)
{
    if (is_denormal(f, u)) {
        if (x->mxcsr & DAZ)
            return u & f_sign(f);
        *den = true;
    }
    return u;
}

/* The result of two operands one of which is a NaN: the first NaN, quieted. */
static bool nan2(struct fpx *x, const struct fmt *f, uint64_t a, uint64_t b, uint64_t *r)
{
    if (!f_isnan(f, a) && !f_isnan(f, b))
        return false;
    if (f_issnan(f, a) || f_issnan(f, b))
        x->fl |= IE;
    *r = (f_isnan(f, a) ? a : b) | f_quiet_bit(f);
    return true;
}

/* A rounded result with its flags fl: FTZ flushes a tiny one. */
static uint64_t finish(struct fpx *x, const struct fmt *f, uint64_t r, unsigned fl)
{
    uint64_t mag = f_abs(f, r);
    if ((x->mxcsr & FTZ) && ((fl & UE) || (mag && mag < f_minnorm(f)))) {
        r &= f_sign(f);
        fl |= UE | PE;
    }
    x->fl |= fl;
    return r;
}

/* ---- arithmetic ---- */

enum { OP_SQRT, OP_ADD, OP_MUL, OP_SUB, OP_MIN, OP_DIV, OP_MAX };

static uint64_t host_arith(struct fpx *x, const struct fmt *f, enum arith op, uint64_t a,
                           uint64_t b, uint64_t c)
{
    feclearexcept(FE_ALL_EXCEPT);
    if (x->env.rm != SF_RNE)
        fesetround(host_mode[x->env.rm]);
    uint64_t r = host_op(f, op, a, b, c);
    unsigned fl = host_to_flags(&x->env, fetestexcept(FE_ALL_EXCEPT));
    if (x->env.rm != SF_RNE)
        fesetround(FE_TONEAREST);
    if ((fl & PE) && f_abs(f, r) <= f_minnorm(f) && soft_ok(f, op, a, b, c)) {
        fl = 0;
        r = soft_arith(f, &x->env, op, a, b, c, &fl);
    }
    return finish(x, f, r, fl);
}

static uint64_t minmax(struct fpx *x, const struct fmt *f, uint64_t a, uint64_t b, bool max)
{
    bool den = false;
    a = operand(x, f, a, &den);
    b = operand(x, f, b, &den);
    if (f_isnan(f, a) || f_isnan(f, b)) {
        x->fl |= IE;
        return b;
    }
    if (den)
        x->fl |= DE;
    if (f_iszero(f, a) && f_iszero(f, b))
        return b;
    uint64_t ka = order_key(f, a), kb = order_key(f, b);
    return (max ? ka > kb : ka < kb) ? a : b;
}

static uint64_t arith(struct fpx *x, const struct fmt *f, unsigned op, uint64_t a, uint64_t b)
{
    if (op == OP_MIN || op == OP_MAX)
        return minmax(x, f, a, b, op == OP_MAX);
    uint64_t r;
    if (op == OP_SQRT ? nan2(x, f, b, b, &r) : nan2(x, f, a, b, &r))
        return r;
    bool den = false;
    b = operand(x, f, b, &den);
    if (op != OP_SQRT)
        a = operand(x, f, a, &den);
    uint64_t s = f_sign(f);
    bool invalid;
    switch (op) {
    case OP_SQRT: invalid = (b & s) && !f_iszero(f, b); break;
    case OP_ADD: invalid = f_isinf(f, a) && f_isinf(f, b) && ((a ^ b) & s); break;
    case OP_SUB: invalid = f_isinf(f, a) && f_isinf(f, b) && !((a ^ b) & s); break;
    case OP_MUL:
        invalid = (f_iszero(f, a) && f_isinf(f, b)) || (f_isinf(f, a) && f_iszero(f, b));
        break;
    default:
        invalid = (f_iszero(f, a) && f_iszero(f, b)) || (f_isinf(f, a) && f_isinf(f, b));
        break;
    }
    if (invalid) {
        x->fl |= IE;
        return indefinite(f);
    }
    if (op == OP_DIV && f_iszero(f, b) && !f_isinf(f, a)) { /* ZE hides DE (as AMD CPUs do) */
        x->fl |= ZE;
        return ((a ^ b) & s) | f_inf(f);
    }
    if (den)
        x->fl |= DE;
    switch (op) {
    case OP_SQRT: return host_arith(x, f, A_SQRT, b, 0, 0);
    case OP_ADD: return host_arith(x, f, A_ADD, a, b, 0);
    case OP_SUB: return host_arith(x, f, A_ADD, a, b ^ s, 0);
    case OP_MUL: return host_arith(x, f, A_MUL, a, b, 0);
    default: return host_arith(x, f, A_DIV, a, b, 0);
    }
}

/* Applies fn to the lanes the shape names (one for scalars, which keep the rest of a). */
#define LANES(shape, a, b, r, fn)                                                            \
    do {                                                                                     \
        unsigned n_ = (shape) == X64_PS ? 4 : (shape) == X64_PD ? 2 : 1;                     \
        for (unsigned i = 0; i < n_; i++) {                                                  \
            if ((shape) == X64_PS || (shape) == X64_SS)                                      \
                (r).d[i] = (uint32_t)fn(&F32, (a).d[i], (b).d[i]);                            \
            else                                                                             \
                (r).q[i] = fn(&F64, (a).q[i], (b).q[i]);                                      \
        }                                                                                    \
    } while (0)

/* ADDSUBPS/PD (op 7: subtract in even lanes, add in odd ones), HADDPS/PD and HSUBPS/PD (8, 9:
 * adjacent pairs of a, then of b). */
static union vec pairwise(struct fpx *x, unsigned shape, unsigned op, union vec a, union vec b)
{
    union vec r;
    bool dbl = shape == X64_PD;
    const struct fmt *f = dbl ? &F64 : &F32;
    unsigned n = dbl ? 2 : 4;
    for (unsigned i = 0; i < n; i++) {
        const union vec *v = op == 7 || i < n / 2 ? &a : &b;
        unsigned k = op == 7 ? i : 2 * (i % (n / 2)), o = op == 8 ? OP_ADD : OP_SUB;
        uint64_t p = dbl ? v->q[k] : v->d[k], q;
        if (op == 7) {
            q = dbl ? b.q[i] : b.d[i];
            o = i & 1 ? OP_ADD : OP_SUB;
        } else {
            q = dbl ? v->q[k + 1] : v->d[k + 1];
        }
        uint64_t res = arith(x, f, o, p, q);
        if (dbl)
            r.q[i] = res;
        else
            r.d[i] = (uint32_t)res;
    }
    return r;
}

/* RSQRTPS/SS (op 10) and RCPPS/SS (11) of single u: approximations the SDM bounds by 1.5 *
 * 2^-12 relative error and whose bits differ between CPU models; vm gives the correctly rounded
 * value, well inside the bound. As on the CPUs: no flag, a denormal operand reads as a zero,
 * a result below the normal range is a zero, and RSQRT of a negative number is the
 * indefinite NaN. */
static uint32_t estimate(unsigned op, uint32_t u)
{
    uint32_t sign = u & 0x80000000u;
    if (f_isnan(&F32, u))
        return u | 0x00400000u;
    if (f_exp(&F32, u) == 0)
        return sign | 0x7f800000u;
    if (op == 10 && sign)
        return 0xffc00000u;
    if (f_isinf(&F32, u))
        return sign;
    float v;
    memcpy(&v, &u, 4);
    float r = (float)(op == 11 ? 1.0 / (double)v : 1.0 / sqrt((double)v));
    uint32_t bits;
    memcpy(&bits, &r, 4);
    return f_exp(&F32, bits) == 0 ? sign : bits;
}

#if defined(__x86_64__)
/* On an x86-64 host the host's own instruction is the definition of the guest's: it runs with
 * the guest's MXCSR (its rounding mode, DAZ and FTZ; every exception masked, so that the host
 * never raises #XM itself) and the flags it raises are added to the guest's, or raise the
 * guest's #XM if it unmasked one (trap_unmasked). That is exact and an order of magnitude
 * cheaper than the portable path's fenv calls and operand checks. When the guest masks every
 * exception and the host's MXCSR has the guest's control bits and no flag the guest lacks
 * (both at the default, with the inexact flag the first rounding sets), the op runs under it
 * as it is, since a flag it raises that the host had already is one the guest has too;
 * otherwise MXCSR is loaded with the guest's control bits and no flags around the op, so
 * that its flags are exactly what the op raised, and left as the host's without flags
 * (nothing in vm reads them outside a feclearexcept bracket). */
typedef uint64_t native_xmm __attribute__((vector_size(16)));

struct native_env {
    uint32_t host, guest;
    bool loaded;
};

static uint32_t host_mxcsr(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void load_mxcsr(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

static struct native_env native_enter(const struct x64_cpu *c)
{
    struct native_env e = { host_mxcsr(), (c->mxcsr & ~(uint32_t)0x3f) | 0x1f80u, false };
    if ((c->mxcsr & 0x1f80) != 0x1f80 || (e.host & ~(uint32_t)0x3f) != e.guest ||
        (e.host & 0x3f & ~c->mxcsr)) {
        load_mxcsr(e.guest);
        e.loaded = true;
    }
    return e;
}

/* The flags the op raised, the host's MXCSR back; the caller commits them (they may raise
 * #XM) before it writes the result. */
static unsigned native_leave(const struct native_env *e)
{
    unsigned fl = host_mxcsr() & 0x3f;
    if (e->loaded)
        load_mxcsr(e->host & ~(uint32_t)0x3f);
    return fl;
}

#define NATIVE2(insn) __asm__ volatile(insn " %[y], %[x]" : [x] "+x"(va) : [y] "x"(vb))

#define NATIVE_SHAPES(n, name)                                                             \
    case 4 * (n) + X64_PS: NATIVE2(name "ps"); break;                                      \
    case 4 * (n) + X64_PD: NATIVE2(name "pd"); break;                                      \
    case 4 * (n) + X64_SS: NATIVE2(name "ss"); break;                                      \
    case 4 * (n) + X64_SD: NATIVE2(name "sd"); break;

/* Arithmetic ops 0..6 (OP_SQRT..OP_MAX) of any shape: a op b under the MXCSR in force. */
static union vec native_op(unsigned op, unsigned shape, union vec a, union vec b)
{
    native_xmm va, vb;
    memcpy(&va, &a, 16);
    memcpy(&vb, &b, 16);
    switch (4 * op + shape) {
        NATIVE_SHAPES(OP_SQRT, "sqrt")
        NATIVE_SHAPES(OP_ADD, "add")
        NATIVE_SHAPES(OP_MUL, "mul")
        NATIVE_SHAPES(OP_SUB, "sub")
        NATIVE_SHAPES(OP_MIN, "min")
        NATIVE_SHAPES(OP_DIV, "div")
        NATIVE_SHAPES(OP_MAX, "max")
    }
    union vec r;
    memcpy(&r, &va, 16);
    return r;
}

static unsigned exponent(bool dbl, uint64_t u)
{
    return dbl ? (unsigned)(u >> 52) & 0x7ff : (unsigned)(u >> 23) & 0xff;
}

/* Whether every lane the shape computes has a finite exponent of at least min_exp. */
static bool normal_lanes(const union vec *v, unsigned shape, unsigned min_exp)
{
    bool dbl = shape == X64_PD || shape == X64_SD;
    unsigned n = shape == X64_PS ? 4 : shape == X64_PD ? 2 : 1, max = dbl ? 0x7ff : 0xff;
    for (unsigned i = 0; i < n; i++) {
        unsigned e = exponent(dbl, dbl ? v->q[i] : v->d[i]);
        if (e < min_exp || e == max)
            return false;
    }
    return true;
}

/* The MXCSR bits that have the host's values while vm runs in the common case, and those
 * values: round to nearest, no DAZ or FTZ, every exception masked. */
#define PLAIN (0x7f80u | DAZ | FTZ)
#define MASKED 0x1f80u

/* Whether the guest's MXCSR is the host's while vm runs, with the inexact flag set. */
static bool plain_mxcsr(const struct x64_cpu *c)
{
    return (c->mxcsr & (PLAIN | PE)) == (MASKED | PE);
}

/* r = a op b as the host computes it, and the flags it raised. The common case
 * needs no MXCSR access at all: the guest masks every exception and rounds to nearest without
 * DAZ or FTZ, as the host's MXCSR does while vm runs (the JIT's lowering of fadd and the
 * others relies on that too), its inexact flag is set already, and the operands are normal numbers: then a result that is a
 * normal number above the smallest one (so neither tiny nor, rounding to nearest, an
 * overflow) raises nothing the guest lacks. Anything else runs again under the guest's MXCSR. */
static unsigned native_arith(const struct x64_cpu *c, unsigned op, unsigned shape, union vec a,
                             union vec b, union vec *r)
{
    if (plain_mxcsr(c) && normal_lanes(&a, shape, 1) &&
        normal_lanes(&b, shape, 1)) {
        *r = native_op(op, shape, a, b);
        if (normal_lanes(r, shape, 2))
            return 0;
    }
    struct native_env e = native_enter(c);
    *r = native_op(op, shape, a, b);
    return native_leave(&e);
}

/* The scalar legacy-SSE forms (ADDSD xmm, xmm/m64 and the others; shape X64_SS or X64_SD),
 * the bulk of compiled scalar FP code, on the low element alone: the same rules as
 * native_arith without moving whole vectors through memory. */
#define NATIVE_SCALAR(type, x, y, sfx)                                                     \
    do {                                                                                   \
        type vx_, vy_;                                                                     \
        memcpy(&vx_, &(x), sizeof vx_);                                                    \
        memcpy(&vy_, &(y), sizeof vy_);                                                    \
        switch (op) {                                                                      \
        case OP_SQRT: __asm__ volatile("sqrt" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break; \
        case OP_ADD: __asm__ volatile("add" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;   \
        case OP_MUL: __asm__ volatile("mul" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;   \
        case OP_SUB: __asm__ volatile("sub" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;   \
        case OP_MIN: __asm__ volatile("min" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;   \
        case OP_DIV: __asm__ volatile("div" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;   \
        default: __asm__ volatile("max" sfx " %1, %0" : "+x"(vx_) : "x"(vy_)); break;       \
        }                                                                                  \
        memcpy(&(x), &vx_, sizeof vx_);                                                    \
    } while (0)

static uint64_t scalar_op(unsigned op, bool dbl, uint64_t x, uint64_t y)
{
    if (dbl) {
        NATIVE_SCALAR(double, x, y, "sd");
        return x;
    }
    uint32_t x32 = (uint32_t)x, y32 = (uint32_t)y;
    NATIVE_SCALAR(float, x32, y32, "ss");
    return x32;
}

static void native_scalar(struct x64_cpu *c, uint64_t desc, uint64_t lo, unsigned op, bool dbl)
{
    unsigned d = X64_SSE_DST(desc), max = dbl ? 0x7ff : 0xff;
    uint64_t x = c->ymm[d][0], y = X64_SSE_MEM(desc) ? lo : c->ymm[X64_SSE_SRC(desc)][0], r;
    unsigned ex = exponent(dbl, x), ey = exponent(dbl, y), er;
    if (plain_mxcsr(c) && ex != 0 && ex != max && ey != 0 &&
        ey != max) {
        r = scalar_op(op, dbl, x, y);
        er = exponent(dbl, r);
        if (er >= 2 && er != max)
            goto done;
    }
    struct native_env e = native_enter(c);
    r = scalar_op(op, dbl, x, y);
    commit_flags(c, native_leave(&e));
done:
    c->ymm[d][0] = dbl ? r : (x & ~0xffffffffull) | r;
}

/* UCOMISS (op 1), UCOMISD, COMISS, COMISD (4) of a and b: the EFLAGS the host sets. */
static uint64_t native_comi(struct x64_cpu *c, unsigned op, union vec a, union vec b)
{
    native_xmm va, vb;
    memcpy(&va, &a, 16);
    memcpy(&vb, &b, 16);
    uint8_t z, p, cf;
#define COMI(insn)                                                                         \
    __asm__ volatile(insn " %[y], %[x]\n\tsetz %[z]\n\tsetp %[p]\n\tsetc %[c]"            \
                     : [z] "=q"(z), [p] "=q"(p), [c] "=q"(cf) : [x] "x"(va), [y] "x"(vb)   \
                     : "cc")
    /* normal operands raise no flag, whatever MXCSR says */
    unsigned shape = op & 1 ? X64_SS : X64_SD;
    bool plain = normal_lanes(&a, shape, 1) && normal_lanes(&b, shape, 1);
    struct native_env e = { 0, 0, false };
    if (!plain)
        e = native_enter(c);
    switch (op) {
    case 1: COMI("ucomiss"); break;
    case 2: COMI("ucomisd"); break;
    case 3: COMI("comiss"); break;
    default: COMI("comisd"); break;
    }
#undef COMI
    if (!plain)
        commit_flags(c, native_leave(&e));
    return (z ? X64_ZF : 0) | (p ? X64_PF : 0) | (cf ? X64_CF : 0);
}
#endif

static uint64_t helper_arith(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc) & 63, shape = X64_SSE_OP(desc) >> 6;
#if defined(__x86_64__)
    if (op <= OP_MAX && shape >= X64_SS && !X64_SSE_IS_VEX(desc)) {
        native_scalar(c, desc, lo, op, shape == X64_SD);
        return 0;
    }
#endif
    union vec a = first(c, desc), b = source(c, desc, lo, hi), r = a;
#if defined(__x86_64__)
    if (op <= OP_MAX) {
        commit(c, desc, r, native_arith(c, op, shape, a, b, &r));
        return 0;
    }
#endif
    struct fpx x = fpx_of(c);
#define ARITH(f, p, q) arith(&x, f, op, p, q)
#define ESTIMATE(f, p, q) ((void)(f), (void)(p), estimate(op, (uint32_t)(q)))
    if (op >= 10)
        LANES(shape, a, b, r, ESTIMATE);
    else if (op >= 7)
        r = pairwise(&x, shape, op, a, b);
    else
        LANES(shape, a, b, r, ARITH);
#undef ARITH
#undef ESTIMATE
    commit(c, desc, r, x.fl);
    return 0;
}
const struct ir_helper x64_helper_sse_arith = {
    "x64_sse_arith", helper_arith, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};

/* ---- compares ---- */

/* Orders a and b: -1, 0, 1, or 2 for unordered; raises IE for a signaling NaN, or for any
 * NaN when quiet is false, and DE for a denormal of an ordered pair. */
static int compare(struct fpx *x, const struct fmt *f, uint64_t a, uint64_t b, bool quiet)
{
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (!quiet || f_issnan(f, a) || f_issnan(f, b))
            x->fl |= IE;
        return 2;
    }
    bool den = false;
    a = operand(x, f, a, &den);
    b = operand(x, f, b, &den);
    if (den)
        x->fl |= DE;
    if (f_iszero(f, a) && f_iszero(f, b))
        return 0;
    uint64_t ka = order_key(f, a), kb = order_key(f, b);
    return ka < kb ? -1 : ka > kb;
}

/* CMPccPS..SD's predicates 0..7 (EQ_OQ LT_OS LE_OS UNORD_Q NEQ_UQ NLT_US NLE_US ORD_Q) and
 * VEX's 8..31 (EQ_UQ NGE_US NGT_US FALSE_OQ NEQ_OQ GE_OS GT_OS TRUE_UQ, then all sixteen with
 * quiet and signaling swapped): the signaling ones raise IE for a quiet NaN too. */
static uint64_t cmpcc(struct fpx *x, const struct fmt *f, uint64_t a, uint64_t b, unsigned pred)
{
    static const uint16_t signaling = 0x6666; /* of predicates 0..15 */
    bool quiet = !(signaling >> (pred & 15) & 1) ^ (pred >> 4 & 1);
    int o = compare(x, f, a, b, quiet);
    bool t;
    switch (pred & 15) {
    case 0: t = o == 0; break;
    case 1: t = o == -1; break;
    case 2: t = o == -1 || o == 0; break;
    case 3: t = o == 2; break;
    case 4: t = o != 0; break;
    case 5: t = o != -1; break;
    case 6: t = o == 1 || o == 2; break;
    case 7: t = o != 2; break;
    case 8: t = o == 0 || o == 2; break;
    case 9: t = o == -1 || o == 2; break;
    case 10: t = o != 1; break;
    case 11: t = false; break;
    case 12: t = o == -1 || o == 1; break;
    case 13: t = o == 0 || o == 1; break;
    case 14: t = o == 1; break;
    default: t = true; break;
    }
    return t ? (f == &F64 ? ~0ull : 0xffffffffu) : 0;
}

static uint64_t helper_cmpcc(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    struct fpx x = fpx_of(c);
    unsigned shape = X64_SSE_OP(desc) >> 6;
    unsigned imm = X64_SSE_IMM(desc) & (X64_SSE_IS_VEX(desc) ? 31 : 7);
    union vec a = first(c, desc), b = source(c, desc, lo, hi), r = a;
#define CMPCC(f, p, q) cmpcc(&x, f, p, q, imm)
    LANES(shape, a, b, r, CMPCC);
#undef CMPCC
    commit(c, desc, r, x.fl);
    return 0;
}
const struct ir_helper x64_helper_sse_cmpcc = {
    "x64_sse_cmpcc", helper_cmpcc, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};

static uint64_t helper_comi(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc);
    union vec a = xmm(c, X64_SSE_DST(desc)), b = source(c, desc, lo, hi);
#if defined(__x86_64__)
    return native_comi(c, op, a, b);
#else
    struct fpx x = fpx_of(c);
    const struct fmt *f = op == 1 || op == 3 ? &F32 : &F64;
    uint64_t m = f == &F32 ? 0xffffffffu : ~0ull;
    int o = compare(&x, f, a.q[0] & m, b.q[0] & m, op <= 2);
    commit_flags(c, x.fl);
    static const uint64_t eflags[4] = { X64_CF, X64_ZF, 0, X64_ZF | X64_PF | X64_CF };
    return eflags[o + 1];
#endif
}
const struct ir_helper x64_helper_sse_comi = {
    "x64_sse_comi", helper_comi, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};

/* ---- conversions ---- */

static uint64_t from_int(struct fpx *x, const struct fmt *f, int64_t v)
{
    if (v == 0)
        return 0;
    bool sign = v < 0;
    uint64_t mag = sign ? -(uint64_t)v : (uint64_t)v;
    unsigned fl = 0;
    uint64_t r = round_pack(f, &x->env, sign, 0, mag, &fl);
    x->fl |= fl;
    return r;
}

/* To a signed integer of bits bits, truncating or in MXCSR's rounding mode. */
static uint64_t to_int(struct fpx *x, const struct fmt *f, uint64_t u, unsigned bits, bool trunc)
{
    uint64_t indef = 1ull << (bits - 1), mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    if (!f_isfinite(f, u)) {
        x->fl |= IE;
        return indef;
    }
    bool den = false;
    u = operand(x, f, u, &den);
    if (f_iszero(f, u))
        return 0;
    struct term t = unpack(f, u);
    bool inexact = false;
    u128 m;
    if (t.exp > 63)
        m = (u128)1 << 64;
    else if (t.exp >= 0)
        m = t.sig << t.exp;
    else
        m = shift_round(t.sig, -t.exp, trunc ? SF_RTZ : x->env.rm, t.sign, &inexact);
    if (m > (t.sign ? (u128)indef : (u128)indef - 1)) {
        x->fl |= IE;
        return indef;
    }
    if (inexact)
        x->fl |= PE;
    return (t.sign ? -(uint64_t)m : (uint64_t)m) & mask;
}

/* Between single and double precision (to is the result's format). */
static uint64_t convert(struct fpx *x, const struct fmt *from, const struct fmt *to, uint64_t u)
{
    uint64_t sign = u & f_sign(from) ? f_sign(to) : 0;
    if (f_isnan(from, u)) {
        if (f_issnan(from, u))
            x->fl |= IE;
        uint64_t m = u & f_mmask(from);
        m = to->mbits > from->mbits ? m << (to->mbits - from->mbits)
                                    : m >> (from->mbits - to->mbits);
        return sign | f_inf(to) | f_quiet_bit(to) | m;
    }
    bool den = false;
    u = operand(x, from, u, &den);
    if (den)
        x->fl |= DE;
    if (f_isinf(from, u))
        return sign | f_inf(to);
    if (f_iszero(from, u))
        return sign;
    struct term t = unpack(from, u);
    unsigned fl = 0;
    uint64_t r = round_pack(to, &x->env, t.sign, t.exp, t.sig, &fl);
    return finish(x, to, r, fl);
}

/* F16C's half precision: VCVTPH2PS is exact, ignores DAZ and raises only IE (a signaling
 * NaN); VCVTPS2PH rounds as imm says (bit 2: MXCSR's mode, else bits 1..0), honours DAZ and
 * raises DE, but ignores FTZ. */
static const struct fmt F16 = { 10, 5, 15, 0x7e00u };

static uint32_t half_to_single(struct fpx *x, uint16_t h)
{
    if (f_isnan(&F16, h)) {
        if (f_issnan(&F16, h))
            x->fl |= IE;
        return (h & 0x8000u ? 0x80000000u : 0) | 0x7fc00000u | (uint32_t)(h & 0x3ffu) << 13;
    }
    uint32_t sign = h & 0x8000u ? 0x80000000u : 0;
    if (f_isinf(&F16, h))
        return sign | 0x7f800000u;
    if (f_iszero(&F16, h))
        return sign;
    struct term t = unpack(&F16, h);
    unsigned fl = 0;
    return (uint32_t)round_pack(&F32, &x->env, t.sign, t.exp, t.sig, &fl);
}

static uint16_t single_to_half(struct fpx *x, uint32_t u, unsigned imm)
{
    static const enum softfp_round rc[4] = { SF_RNE, SF_RDN, SF_RUP, SF_RTZ };
    uint16_t sign = u & 0x80000000u ? 0x8000u : 0;
    if (f_isnan(&F32, u)) {
        if (f_issnan(&F32, u))
            x->fl |= IE;
        return (uint16_t)(sign | 0x7e00u | (u & 0x7fffffu) >> 13);
    }
    bool den = false;
    u = (uint32_t)operand(x, &F32, u, &den);
    if (den)
        x->fl |= DE;
    if (f_isinf(&F32, u))
        return sign | 0x7c00u;
    if (f_iszero(&F32, u))
        return sign;
    struct softfp_env env = x->env;
    if (!(imm & 4))
        env.rm = rc[imm & 3];
    struct term t = unpack(&F32, u);
    unsigned fl = 0;
    uint16_t r = (uint16_t)round_pack(&F16, &env, t.sign, t.exp, t.sig, &fl);
    x->fl |= fl;
    return r;
}

static uint64_t helper_cvt(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t w64)
{
    struct x64_cpu *c = cpu;
    struct fpx x = fpx_of(c);
    unsigned op = X64_SSE_OP(desc), bits = w64 ? 64 : 32;
    union vec a = first(c, desc), b = source(c, desc, lo, hi), r = a;
    int64_t gpr = w64 ? (int64_t)lo : (int32_t)lo;
    uint64_t ret = 0;
    switch (op) {
    case 0: r.d[0] = (uint32_t)from_int(&x, &F32, gpr); break;
    case 1: r.q[0] = from_int(&x, &F64, gpr); break;
    case 2: case 4: ret = to_int(&x, &F32, b.d[0], bits, op == 2); break;
    case 3: case 5: ret = to_int(&x, &F64, b.q[0], bits, op == 3); break;
    case 6: {
        uint32_t s0 = b.d[0], s1 = b.d[1];
        r.q[0] = convert(&x, &F32, &F64, s0);
        r.q[1] = convert(&x, &F32, &F64, s1);
        break;
    }
    case 7:
        r.d[0] = (uint32_t)convert(&x, &F64, &F32, b.q[0]);
        r.d[1] = (uint32_t)convert(&x, &F64, &F32, b.q[1]);
        r.q[1] = 0;
        break;
    case 8: r.q[0] = convert(&x, &F32, &F64, b.d[0]); break;
    case 9: r.d[0] = (uint32_t)convert(&x, &F64, &F32, b.q[0]); break;
    case 10: for (unsigned i = 0; i < 4; i++) r.d[i] = (uint32_t)from_int(&x, &F32, b.sd[i]); break;
    case 11: case 12:
        for (unsigned i = 0; i < 4; i++) r.d[i] = (uint32_t)to_int(&x, &F32, b.d[i], 32, op == 12);
        break;
    case 13: case 15:
        r.d[0] = (uint32_t)to_int(&x, &F64, b.q[0], 32, op == 13);
        r.d[1] = (uint32_t)to_int(&x, &F64, b.q[1], 32, op == 13);
        r.q[1] = 0;
        break;
    case 14: { /* CVTDQ2PD, CVTPI2PD */
        int32_t s0 = b.sd[0], s1 = b.sd[1];
        r.q[0] = from_int(&x, &F64, s0);
        r.q[1] = from_int(&x, &F64, s1);
        break;
    }
    case 16: case 17: /* CVTPS2PI, CVTTPS2PI: to an mm register, returned */
        for (unsigned i = 0; i < 2; i++)
            ret |= (to_int(&x, &F32, b.d[i], 32, op == 17) & 0xffffffffu) << (32 * i);
        break;
    case 18: case 19: /* CVTPD2PI, CVTTPD2PI */
        for (unsigned i = 0; i < 2; i++)
            ret |= (to_int(&x, &F64, b.q[i], 32, op == 19) & 0xffffffffu) << (32 * i);
        break;
    case 21: /* VCVTPH2PS: the four halves of the source's low quadword */
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = half_to_single(&x, b.w[i]);
        break;
    case 22: /* VCVTPS2PH: the four halves returned */
        for (unsigned i = 0; i < 4; i++)
            ret |= (uint64_t)single_to_half(&x, b.d[i], X64_SSE_IMM(desc)) << (16 * i);
        break;
    default: /* 20: CVTPI2PS, the upper half kept */
        for (unsigned i = 0; i < 2; i++)
            r.d[i] = (uint32_t)from_int(&x, &F32, b.sd[i]);
        break;
    }
    if (op <= 1 || (op >= 6 && op <= 15) || op == 20 || op == 21 || (desc & X64_SSE_HOLD))
        commit(c, desc, r, x.fl);
    else
        commit_flags(c, x.fl | (desc & X64_SSE_TAKE ? (unsigned)c->ymm[X64_HELD][2] : 0));
    return ret;
}
const struct ir_helper x64_helper_sse_cvt = {
    "x64_sse_cvt", helper_cvt, 4, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};

/* ---- SSE4.1: ROUNDPS/PD/SS/SD (ops 0..3) and DPPS/DPPD (4, 5) ---- */

/* u rounded to an integral value: imm bits 1..0 are the mode unless bit 2 says MXCSR's; bit
 * 3 keeps PE clear. A signaling NaN raises IE (no DE: ROUND does not report denormals). */
static uint64_t round_integral(struct fpx *x, const struct fmt *f, uint64_t u, unsigned imm)
{
    static const enum softfp_round rc[4] = { SF_RNE, SF_RDN, SF_RUP, SF_RTZ };
    if (f_isnan(f, u)) {
        if (f_issnan(f, u))
            x->fl |= IE;
        return u | f_quiet_bit(f);
    }
    bool den = false;
    u = operand(x, f, u, &den);
    if (!f_isfinite(f, u) || f_iszero(f, u))
        return u;
    struct term t = unpack(f, u);
    if (t.exp >= 0)
        return u;
    bool inexact;
    enum softfp_round rm = imm & 4 ? x->env.rm : rc[imm & 3];
    u128 m = shift_round(t.sig, -t.exp, rm, t.sign, &inexact);
    if (inexact && !(imm & 8))
        x->fl |= PE;
    if (m == 0)
        return u & f_sign(f);
    unsigned fl = 0;
    return round_pack(f, &x->env, t.sign, 0, m, &fl);
}

/* DPPS/DPPD: the products of the lanes imm's high bits select (+0 for the others), summed
 * pairwise, into the lanes its low bits select. */
static union vec dot(struct fpx *x, bool dbl, union vec a, union vec b, unsigned imm)
{
    const struct fmt *f = dbl ? &F64 : &F32;
    unsigned n = dbl ? 2 : 4;
    uint64_t p[4];
    for (unsigned i = 0; i < n; i++)
        p[i] = imm >> (4 + i) & 1
                   ? arith(x, f, OP_MUL, dbl ? a.q[i] : a.d[i], dbl ? b.q[i] : b.d[i]) : 0;
    uint64_t sum = arith(x, f, OP_ADD, p[0], p[1]);
    if (!dbl)
        sum = arith(x, f, OP_ADD, sum, arith(x, f, OP_ADD, p[2], p[3]));
    union vec r = { .q = { 0, 0 } };
    for (unsigned i = 0; i < n; i++)
        if (imm >> i & 1) {
            if (dbl)
                r.q[i] = sum;
            else
                r.d[i] = (uint32_t)sum;
        }
    return r;
}

static uint64_t helper_fp4(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    struct fpx x = fpx_of(c);
    unsigned op = X64_SSE_OP(desc), imm = X64_SSE_IMM(desc);
    union vec a = first(c, desc), b = source(c, desc, lo, hi), r = a;
    switch (op) {
    case 0:
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = (uint32_t)round_integral(&x, &F32, b.d[i], imm);
        break;
    case 1:
        for (unsigned i = 0; i < 2; i++)
            r.q[i] = round_integral(&x, &F64, b.q[i], imm);
        break;
    case 2: r.d[0] = (uint32_t)round_integral(&x, &F32, b.d[0], imm); break;
    case 3: r.q[0] = round_integral(&x, &F64, b.q[0], imm); break;
    default: r = dot(&x, op == 5, a, b, imm); break;
    }
    commit(c, desc, r, x.fl);
    return 0;
}
const struct ir_helper x64_helper_sse_fp4 = {
    "x64_sse_fp4", helper_fp4, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};

/* ---- FMA: VFMADD, VFMSUB, VFNMADD, VFNMSUB, VFMADDSUB, VFMSUBADD in the 132, 213 and 231
 * operand orders ---- */

/* a * b + c rounded once, the product negated (neg_p) or the addend (neg_c) as the form says.
 * A NaN operand gives the first NaN of a, b, c, quieted, and IE only if one is signaling
 * (0 * inf + a quiet NaN raises nothing, as the AMD CPUs the differential test ran on do). */
static uint64_t fused(struct fpx *x, const struct fmt *f, uint64_t a, uint64_t b, uint64_t c,
                      bool neg_p, bool neg_c)
{
    uint64_t s = f_sign(f);
    if (f_isnan(f, a) || f_isnan(f, b) || f_isnan(f, c)) {
        if (f_issnan(f, a) || f_issnan(f, b) || f_issnan(f, c))
            x->fl |= IE;
        return (f_isnan(f, a) ? a : f_isnan(f, b) ? b : c) | f_quiet_bit(f);
    }
    bool den = false;
    a = operand(x, f, a, &den) ^ (neg_p ? s : 0);
    b = operand(x, f, b, &den);
    c = operand(x, f, c, &den) ^ (neg_c ? s : 0);
    bool inf_zero = (f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b));
    if (inf_zero || ((f_isinf(f, a) || f_isinf(f, b)) && f_isinf(f, c) && ((a ^ b ^ c) & s))) {
        x->fl |= IE;
        return indefinite(f);
    }
    if (den)
        x->fl |= DE;
    return host_arith(x, f, A_FMA, a, b, c);
}

/* op: the kind (bits 2..0: 0 FMADDSUB, 1 FMSUBADD, 2 FMADD, 3 FMSUB, 4 FNMADD, 5 FNMSUB), the
 * order (bits 4..3: 132, 213, 231) and the shape (bits 7..6, X64_PS..X64_SD). The operands
 * are dst (x), VEX.vvvv (y) and r/m (z); a scalar form keeps the rest of x. */
static uint64_t helper_fma(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    struct fpx fx = fpx_of(c);
    unsigned op = X64_SSE_OP(desc), kind = op & 7, order = op >> 3 & 3, shape = op >> 6;
    union vec x = lane_of(c, X64_SSE_DST(desc), X64_SSE_LANE(desc)), y = first(c, desc);
    union vec z = source(c, desc, lo, hi), r = x;
    bool dbl = shape == X64_PD || shape == X64_SD;
    const struct fmt *f = dbl ? &F64 : &F32;
    unsigned n = shape >= X64_SS ? 1 : dbl ? 2 : 4;
    for (unsigned i = 0; i < n; i++) {
        uint64_t xv = dbl ? x.q[i] : x.d[i], yv = dbl ? y.q[i] : y.d[i];
        uint64_t zv = dbl ? z.q[i] : z.d[i];
        uint64_t a = order == 2 ? yv : order == 1 ? yv : xv;
        uint64_t b = order == 0 ? zv : order == 1 ? xv : zv;
        uint64_t ad = order == 0 ? yv : order == 1 ? zv : xv;
        bool neg_c = kind == 0 ? !(i & 1) : kind == 1 ? (i & 1) : kind == 3 || kind == 5;
        uint64_t v = fused(&fx, f, a, b, ad, kind >= 4, neg_c);
        if (dbl)
            r.q[i] = v;
        else
            r.d[i] = (uint32_t)v;
    }
    commit(c, desc, r, fx.fl);
    return 0;
}
const struct ir_helper x64_helper_fma = {
    "x64_fma", helper_fma, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT,
    IR_I64,
};
