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
 * -frounding-math -fsignaling-nans; clang uses the FENV_ACCESS pragma (both in guest/softfp.h,
 * which also holds the rounder and the host operations shared with AArch64). Every host
 * operation also reads its operands from and writes its result to volatile objects so it
 * stays between the fenv calls that bracket it. -ffp-contract=off keeps the compiler from
 * fusing a multiply and an add on its own; -fno-math-errno lets sqrt be one instruction. */
#include "guest/riscv64/fpu.h"

#include <fenv.h>
#include <signal.h>
#include <stdbool.h>

#include "core/cpu.h"
#include "guest/riscv64/cpu.h"
#include "guest/softfp.h"

/* fflags bits, and the rm encoding that means "use frm"; rm 0..4 are SF_RNE..SF_RMM. */
enum { FL_NX = 0x01, FL_UF = 0x02, FL_OF = 0x04, FL_DZ = 0x08, FL_NV = 0x10 };
enum { DYN = 7 };

/* A single input is valid only when NaN-boxed; otherwise it reads as the canonical NaN. */
static inline uint64_t unbox(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32.dnan;
}
static inline uint64_t box(uint64_t v) { return 0xffffffff00000000ull | v; }

/* ---- rounding mode ---------------------------------------------------------------------- */

/* The effective rounding mode; reserved encodings (rm 5/6, or DYN with frm 5..7) are illegal. */
static enum softfp_round resolve_rm(struct rv64_cpu *cpu, uint64_t rmf)
{
    uint64_t rm = rmf == DYN ? cpu->frm : rmf;
    if (rm > SF_RMM)
        cpu_raise(&cpu->c, EXC_ILLEGAL, 0);
    return (enum softfp_round)rm;
}

/* RISC-V's rules for the soft-float core: fflags bits, tininess after rounding, no flushing. */
static struct softfp_env rv_env(enum softfp_round rm)
{
    return (struct softfp_env){ .rm = rm, .tiny_before = false, .fz = false, .nv = FL_NV,
                                .dz = FL_DZ, .of = FL_OF, .uf = FL_UF, .nx = FL_NX };
}

/* ---- host FPU --------------------------------------------------------------------------- */

/* Clears the host flags we must observe and enters env's rounding mode (RNE..RUP). Returns
 * the host flags to read afterwards: those the guest does not have yet, plus inexact whenever
 * underflow is wanted (the tininess fix-up needs it). */
static int host_enter(const struct rv64_cpu *cpu, const struct softfp_env *env)
{
    int watch = flags_to_host(env, ~(unsigned)cpu->fflags & 0x1f);
    if (watch & FE_UNDERFLOW)
        watch |= FE_INEXACT;
    int stale = fetestexcept(watch);
    if (stale)
        feclearexcept(stale);
    if (env->rm != SF_RNE)
        fesetround(host_mode[env->rm]);
    return watch;
}

static unsigned host_leave(const struct softfp_env *env, int watch)
{
    if (env->rm != SF_RNE)
        fesetround(FE_TONEAREST);
    return host_to_flags(env, fetestexcept(watch));
}

/* One arithmetic instruction on raw (unboxed) operand bits of format f; rm already resolved.
 * RMM has no host mode: soft_ok's operands go through the exact rounder, and every other case
 * of add/mul/div/fma is exact or NaN, hence the same in RMM and RNE. */
static uint64_t arith(struct rv64_cpu *cpu, const struct fmt *f, enum arith op, uint64_t a,
                      uint64_t b, uint64_t c, enum softfp_round rm)
{
    const struct softfp_env env = rv_env(rm);
    unsigned fl = 0;
    uint64_t r;
    if (rm == SF_RMM && soft_ok(f, op, a, b, c)) {
        r = soft_arith(f, &env, op, a, b, c, &fl);
    } else {
        const struct softfp_env henv = rv_env(rm == SF_RMM ? SF_RNE : rm); /* no tie possible */
        int watch = host_enter(cpu, &henv);
        r = host_op(f, op, a, b, c);
        fl = host_leave(&henv, watch);
        if (f_isnan(f, r)) {
            r = f->dnan;
        } else if ((fl & FL_NX) && (watch & FE_UNDERFLOW) && f_abs(f, r) == f_minnorm(f) &&
                   op != A_SQRT) {
            /* +-2^emin and inexact: the only case where a host that detects tininess
             * before rounding would differ. Ask the exact rounder instead. */
            fl = 0;
            r = soft_arith(f, &env, op, a, b, c, &fl);
        }
        /* inf * 0 is invalid even when the addend is a quiet NaN (hosts differ here). */
        if (op == A_FMA && ((f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b))))
            fl |= FL_NV;
    }
    cpu->fflags |= fl;
    return r;
}

/* softfp_fast applies in RNE once inexact is in fflags. */
static inline bool fast_allowed(const struct rv64_cpu *cpu, enum softfp_round rm)
{
    return rm == SF_RNE && (cpu->fflags & FL_NX);
}

/* Inlined into each instruction's helper, so the format and op of the fast path are
 * constants. */
static inline uint64_t arith_d(void *cpu, enum arith op, uint64_t a, uint64_t b, uint64_t c,
                               uint64_t rmf)
{
    enum softfp_round rm = resolve_rm(cpu, rmf);
    uint64_t r;
    if (fast_allowed(cpu, rm) && softfp_fast(&F64, op, a, b, c, &r))
        return r;
    return arith(cpu, &F64, op, a, b, c, rm);
}

static inline uint64_t arith_s(void *cpu, enum arith op, uint64_t a, uint64_t b, uint64_t c,
                               uint64_t rmf)
{
    enum softfp_round rm = resolve_rm(cpu, rmf);
    uint64_t r;
    a = unbox(a), b = unbox(b), c = unbox(c);
    if (fast_allowed(cpu, rm) && softfp_fast(&F32, op, a, b, c, &r))
        return box(r);
    return box(arith(cpu, &F32, op, a, b, c, rm));
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

/* fmin/fmax (version 2.2): a single NaN operand yields the other operand, two NaNs yield the
 * canonical NaN; any signaling NaN raises NV. */
static uint64_t minmax(struct rv64_cpu *cpu, const struct fmt *f, uint64_t a, uint64_t b, bool max)
{
    if (f_issnan(f, a) || f_issnan(f, b))
        cpu->fflags |= FL_NV;
    bool na = f_isnan(f, a), nb = f_isnan(f, b);
    if (na && nb)
        return f->dnan;
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
static uint64_t to_int(struct rv64_cpu *cpu, const struct fmt *f, uint64_t u, struct ity t,
                       enum softfp_round rm)
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
static uint64_t from_int(struct rv64_cpu *cpu, const struct fmt *f, uint64_t mag, bool neg,
                         enum softfp_round rm)
{
    if (!mag)
        return 0;
    const struct softfp_env env = rv_env(rm);
    unsigned fl = 0;
    uint64_t r = round_pack(f, &env, neg, 0, mag, &fl);
    cpu->fflags |= fl;
    return r;
}

static uint64_t from_signed(void *cpu, const struct fmt *f, int64_t v, uint64_t rmf)
{
    enum softfp_round rm = resolve_rm(cpu, rmf);
    return from_int(cpu, f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, rm);
}

static uint64_t from_unsigned(void *cpu, const struct fmt *f, uint64_t v, uint64_t rmf)
{
    return from_int(cpu, f, v, false, resolve_rm(cpu, rmf));
}

/* Between formats: NaN becomes the canonical NaN (NV if signaling), inf and zero keep their
 * sign, finite values are rounded (exact when widening). */
static uint64_t convert(struct rv64_cpu *cpu, const struct fmt *to, const struct fmt *from, uint64_t u,
                        enum softfp_round rm)
{
    uint64_t s = (u & f_sign(from)) ? f_sign(to) : 0;
    if (f_isnan(from, u)) {
        if (f_issnan(from, u))
            cpu->fflags |= FL_NV;
        return to->dnan;
    }
    if (f_isinf(from, u))
        return s | f_inf(to);
    if (f_iszero(from, u))
        return s;
    const struct softfp_env env = rv_env(rm);
    unsigned fl = 0;
    struct term x = unpack(from, u);
    uint64_t r = round_pack(to, &env, x.sign, x.exp, x.sig, &fl);
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
