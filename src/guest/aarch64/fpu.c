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
 * and volatile operands so no FP operation moves across the fenv calls around it. The formats,
 * the exact rounder and the host operations are guest/softfp.h, shared with RISC-V. */
#include "guest/aarch64/fpu.h"

#include <fenv.h>

#include "guest/aarch64/cpu.h"
#include "guest/softfp.h"

/* ---- formats ---------------------------------------------------------------------------- */

/* F32 and F64 come from guest/softfp.h; half precision is Arm's alone. */
static const struct fmt F16 = { 10, 5, 15, 0x7e00u };

static const struct fmt *fmt_of(unsigned size)
{
    return size == 3 ? &F64 : size == 2 ? &F32 : &F16;
}

/* ---- FPCR and FPSR ---------------------------------------------------------------------- */

static bool fpcr_fz(const struct a64_cpu *cpu, const struct fmt *f)
{
    return (cpu->fpcr & FPCR_FZ) && f != &F16;
}

/* The effective rounding mode: FPCR.RMode for A64_RFPCR, in the soft-float core's numbering. */
static enum softfp_round resolve_rm(const struct a64_cpu *cpu, enum a64_round rm)
{
    if (rm == A64_RFPCR)
        rm = (enum a64_round)((cpu->fpcr >> FPCR_RMODE_SHIFT) & 3);
    switch (rm) {
    case A64_RN: return SF_RNE;
    case A64_RP: return SF_RUP;
    case A64_RM: return SF_RDN;
    case A64_RZ: return SF_RTZ;
    default:     return SF_RMM; /* A64_RA */
    }
}

/* Arm's rules for the soft-float core: FPSR bits, tininess before rounding, FZ for results. */
static struct softfp_env a64_env(enum softfp_round rm, bool fz)
{
    return (struct softfp_env){ .rm = rm, .tiny_before = true, .fz = fz, .nv = FPSR_IOC,
                                .dz = FPSR_DZC, .of = FPSR_OFC, .uf = FPSR_UFC, .nx = FPSR_IXC };
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

/* ---- host FPU --------------------------------------------------------------------------- */

/* One arithmetic operation on non-NaN, already flushed operands of f (single or double). */
static uint64_t host_arith(struct a64_cpu *cpu, const struct fmt *f, enum arith op, uint64_t a,
                           uint64_t b, uint64_t c)
{
    const struct softfp_env env = a64_env(resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, f));
    feclearexcept(FE_ALL_EXCEPT);
    if (env.rm != SF_RNE)
        fesetround(host_mode[env.rm]);
    uint64_t r = host_op(f, op, a, b, c);
    unsigned fl = host_to_flags(&env, fetestexcept(FE_ALL_EXCEPT));
    if (env.rm != SF_RNE)
        fesetround(FE_TONEAREST);
    uint64_t mag = f_abs(f, r);
    if (f_isnan(f, r)) {
        r = f->dnan;
    } else if (((fl & FPSR_IXC) && mag <= f_minnorm(f)) || (env.fz && mag && mag < f_minnorm(f))) {
        if (soft_ok(f, op, a, b, c)) {
            fl = 0;
            r = soft_arith(f, &env, op, a, b, c, &fl);
        }
    }
    cpu->fpsr |= fl;
    return r;
}

/* ---- arithmetic ------------------------------------------------------------------------- */

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

/* softfp_fast for op when it applies: FPCR.RMode RNE and IXC already in FPSR (its operand
 * checks keep NaNs, infinities and denormals, hence FZ and IDC, on the exact path). Inlined
 * with f constant. */
static inline __attribute__((always_inline)) bool
fast_arith(const struct a64_cpu *cpu, const struct fmt *f, enum a64_fp_op op, uint64_t a,
           uint64_t b, uint64_t c, uint64_t *r)
{
    static const uint8_t arith_of[] = {   /* enum arith + 1 */
        [A64_FADD] = A_ADD + 1, [A64_FSUB] = A_ADD + 1, [A64_FMUL] = A_MUL + 1,
        [A64_FDIV] = A_DIV + 1, [A64_FSQRT] = A_SQRT + 1, [A64_FMULADD] = A_FMA + 1,
    };
    if (!(cpu->fpsr & FPSR_IXC) || resolve_rm(cpu, A64_RFPCR) != SF_RNE ||
        (unsigned)op >= sizeof(arith_of) || !arith_of[op])
        return false;
    if (op == A64_FSUB)
        b ^= f_sign(f);
    return softfp_fast(f, (enum arith)(arith_of[op] - 1), a, b, c, r);
}

static bool inf_times_zero(const struct fmt *f, uint64_t a, uint64_t b)
{
    return (f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b));
}

static uint64_t f_two(const struct fmt *f)
{
    return (uint64_t)(f->bias + 1) << f->mbits;
}

static uint64_t f_one_point_five(const struct fmt *f)
{
    return (uint64_t)f->bias << f->mbits | f_quiet_bit(f);
}

/* FRECPS and FRSQRTS with op1 already negated (Arm's FPRecipStepFused, FPRSqrtStepFused):
 * the halving of FRSQRTS is part of its one rounding, so it runs on the exact path. */
static uint64_t step(struct a64_cpu *cpu, const struct fmt *f, enum a64_fp_op op, uint64_t a,
                     uint64_t b)
{
    uint64_t ops[2] = { a, b }, r;
    if (process_nans(cpu, f, 2, ops, &r))
        return r;
    bool recip = op == A64_FRECPS;
    if (inf_times_zero(f, a, b) || (!f_isinf(f, a) && !f_isinf(f, b) && (f_iszero(f, a) || f_iszero(f, b))))
        return recip ? f_two(f) : f_one_point_five(f);
    if (f_isinf(f, a) || f_isinf(f, b))
        return ((a ^ b) & f_sign(f)) | f_inf(f);
    if (recip)
        return host_arith(cpu, f, A_FMA, a, b, f_two(f));
    const struct softfp_env env = a64_env(resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, f));
    struct term x = unpack(f, a), y = unpack(f, b);
    struct term p = { x.sign ^ y.sign, x.exp + y.exp - 1, x.sig * y.sig };
    unsigned fl = 0;
    r = soft_sum(f, &env, p, unpack(f, f_one_point_five(f)), &fl);
    cpu->fpsr |= fl;
    return r;
}

uint64_t a64_fp_arith(struct a64_cpu *cpu, enum a64_fp_op op, unsigned size, uint64_t a,
                      uint64_t b, uint64_t c)
{
    const struct fmt *f = fmt_of(size);
    uint64_t fast;
    if (size == 3 ? fast_arith(cpu, &F64, op, a, b, c, &fast)
                  : size == 2 && fast_arith(cpu, &F32, op, a, b, c, &fast))
        return fast;
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
        if (f_isnan(f, c) && !f_issnan(f, c) && inf_times_zero(f, a, b)) {
            cpu->fpsr |= FPSR_IOC;
            return f->dnan;
        }
        uint64_t ops[3] = { c, a, b };
        if (process_nans(cpu, f, 3, ops, &r))
            return r;
        return host_arith(cpu, f, A_FMA, a, b, c);
    }
    case A64_FRECPS:
    case A64_FRSQRTS:
        return step(cpu, f, op, a ^ f_sign(f), b);
    default: {
        uint64_t ops[2] = { a, b };
        if (process_nans(cpu, f, 2, ops, &r))
            return op == A64_FABD ? f_abs(f, r) : r;
        if (op == A64_FMULX && inf_times_zero(f, a, b))
            return ((a ^ b) & f_sign(f)) | f_two(f);
        switch (op) {
        case A64_FADD: return host_arith(cpu, f, A_ADD, a, b, 0);
        case A64_FSUB: return host_arith(cpu, f, A_ADD, a, b ^ f_sign(f), 0);
        case A64_FABD: return f_abs(f, host_arith(cpu, f, A_ADD, a, b ^ f_sign(f), 0));
        case A64_FMUL: case A64_FMULX: return host_arith(cpu, f, A_MUL, a, b, 0);
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
    const struct softfp_env env = a64_env(resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, f));
    unsigned fl = 0;
    uint64_t r = round_pack(f, &env, neg, -(int)fbits, mag, &fl);
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
    const struct softfp_env env = a64_env(resolve_rm(cpu, A64_RFPCR), fpcr_fz(cpu, to));
    unsigned fl = 0;
    struct term x = unpack(from, a);
    uint64_t r = round_pack(to, &env, x.sign, x.exp, x.sig, &fl);
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
    const struct softfp_env env = a64_env(SF_RNE, false);
    unsigned fl = 0;
    return round_pack(f, &env, x.sign, 0, m, &fl);
}

/* ---- estimates ------------------------------------------------------------------------- */

/* Arm's RecipEstimate: 256 <= a < 512 (0.5 <= a / 512 < 1) to 256 <= r < 512. */
static unsigned recip_estimate(unsigned a)
{
    unsigned b = (1u << 19) / (a * 2 + 1);
    return (b + 1) / 2;
}

/* Arm's RecipSqrtEstimate: 128 <= a < 512 (0.25 <= a / 512 < 1) to 256 <= r < 512. */
static unsigned rsqrt_estimate(unsigned a)
{
    a = a < 256 ? a * 2 + 1 : ((a >> 1) << 1) * 2 + 2;
    unsigned b = 512;
    while ((uint64_t)a * (b + 1) * (b + 1) < (1u << 28))
        b++;
    return (b + 1) / 2;
}

uint32_t a64_unsigned_recip_estimate(uint32_t a)
{
    return a >> 31 ? recip_estimate(a >> 23) << 23 : 0xffffffffu;
}

uint32_t a64_unsigned_rsqrt_estimate(uint32_t a)
{
    return a >> 30 ? rsqrt_estimate(a >> 23) << 23 : 0xffffffffu;
}

/* The 52 fraction bits of a (single precision shifted up) and its biased exponent. */
static uint64_t fraction52(const struct fmt *f, uint64_t a, int *exp)
{
    *exp = (int)f_exp(f, a);
    return (a & f_mmask(f)) << (52 - f->mbits);
}

/* sign, biased exponent and the top 8 fraction bits of an estimate packed into f. */
static uint64_t pack_estimate(const struct fmt *f, uint64_t sign, int exp, uint64_t frac52)
{
    return sign | (uint64_t)exp << f->mbits | frac52 >> (52 - f->mbits);
}

uint64_t a64_fp_recip_estimate(struct a64_cpu *cpu, unsigned size, uint64_t a)
{
    const struct fmt *f = fmt_of(size);
    uint64_t r, sign = a & f_sign(f);
    a = flush_input(cpu, f, a);
    if (process_nans(cpu, f, 1, &a, &r))
        return r;
    if (f_isinf(f, a))
        return sign;
    if (f_iszero(f, a)) {
        cpu->fpsr |= FPSR_DZC;
        return sign | f_inf(f);
    }
    if (f_abs(f, a) < 1ull << (f->mbits - 2)) { /* below 2^(emin - 2): 1/a overflows */
        cpu->fpsr |= FPSR_OFC | FPSR_IXC;
        enum softfp_round rm = resolve_rm(cpu, A64_RFPCR);
        bool to_inf = rm == SF_RNE || (rm == SF_RUP && !sign) || (rm == SF_RDN && sign);
        return sign | (to_inf ? f_inf(f) : f_inf(f) - 1);
    }
    int exp;
    uint64_t frac = fraction52(f, a, &exp);
    if (fpcr_fz(cpu, f) && exp >= (int)f_emask(f) - 2) { /* 1/a is below the normal range */
        cpu->fpsr |= FPSR_UFC;
        return sign;
    }
    if (exp == 0) {
        if (!(frac >> 51)) {
            exp = -1;
            frac = (frac << 2) & ((1ull << 52) - 1);
        } else {
            frac = (frac << 1) & ((1ull << 52) - 1);
        }
    }
    int result_exp = 2 * f->bias - 1 - exp;
    frac = (uint64_t)(recip_estimate(256 | (unsigned)(frac >> 44)) & 0xff) << 44;
    if (result_exp == 0) {
        frac = 1ull << 51 | frac >> 1;
    } else if (result_exp == -1) {
        frac = 1ull << 50 | frac >> 2;
        result_exp = 0;
    }
    return pack_estimate(f, sign, result_exp, frac);
}

uint64_t a64_fp_rsqrt_estimate(struct a64_cpu *cpu, unsigned size, uint64_t a)
{
    const struct fmt *f = fmt_of(size);
    uint64_t r, sign = a & f_sign(f);
    a = flush_input(cpu, f, a);
    if (process_nans(cpu, f, 1, &a, &r))
        return r;
    if (f_iszero(f, a)) {
        cpu->fpsr |= FPSR_DZC;
        return sign | f_inf(f);
    }
    if (sign) {
        cpu->fpsr |= FPSR_IOC;
        return f->dnan;
    }
    if (f_isinf(f, a))
        return 0;
    int exp;
    uint64_t frac = fraction52(f, a, &exp);
    if (exp == 0) {
        while (!(frac >> 51)) {
            frac <<= 1;
            exp--;
        }
        frac = (frac << 1) & ((1ull << 52) - 1);
    }
    unsigned scaled = exp & 1 ? 128 | (unsigned)(frac >> 45) : 256 | (unsigned)(frac >> 44);
    int result_exp = (3 * f->bias - 1 - exp) / 2;
    return pack_estimate(f, 0, result_exp, (uint64_t)(rsqrt_estimate(scaled) & 0xff) << 44);
}

uint64_t a64_fp_recip_exponent(struct a64_cpu *cpu, unsigned size, uint64_t a)
{
    const struct fmt *f = fmt_of(size);
    uint64_t r;
    if (process_nans(cpu, f, 1, &a, &r))
        return r;
    a = flush_input(cpu, f, a);
    uint64_t e = f_exp(f, a);
    return (a & f_sign(f)) | (e ? ~e & f_emask(f) : f_emask(f) - 1) << f->mbits;
}

/* Round to odd: round toward zero, then set the last place if anything was lost. */
uint64_t a64_fp_convert_odd(struct a64_cpu *cpu, uint64_t a)
{
    uint64_t s = (a & f_sign(&F64)) ? f_sign(&F32) : 0;
    if (f_isnan(&F64, a) || f_isinf(&F64, a))
        return a64_fp_convert(cpu, 2, 3, a);
    a = flush_input(cpu, &F64, a);
    if (f_iszero(&F64, a))
        return s;
    const struct softfp_env env = a64_env(SF_RTZ, fpcr_fz(cpu, &F32));
    unsigned fl = 0;
    struct term x = unpack(&F64, a);
    uint64_t r = round_pack(&F32, &env, x.sign, x.exp, x.sig, &fl);
    cpu->fpsr |= fl;
    return fl & FPSR_IXC ? r | 1 : r;
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
