/* The x87 instructions (x87.h): the register stack over the physical registers R0..R7 with
 * TOP and the tag word, stack overflow and underflow, the status word's condition codes and
 * exception flags, the control word's precision and rounding control, and the environment
 * and save images (SDM vol. 1, ch. 8). Arithmetic is float80.c's, exact on any host; the
 * transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS) run on the
 * host's long double libm (on x86 hosts the same 64-bit significand, results within an ulp
 * or two of the hardware's, not bit-exact), their flags from the host's fenv.
 *
 * A masked exception gets the masked response (the indefinite, infinity, the rounded result)
 * and sets its flag. An unmasked one sets ES and B too, and the next waiting instruction
 * (any but FNSTSW, FNSTCW, FNSTENV, FNSAVE, FNINIT, FNCLEX; FWAIT is one) raises #MF
 * (EXC_FLOAT) before it does anything. Its unmasked response for an invalid operand, a
 * denormal operand or a division by zero leaves TOP, the registers and the condition codes as
 * they were (but C1 and SF of a stack fault), and a store that overflows or underflows stores
 * nothing and does not pop; an unmasked overflow or underflow into a register gets the
 * result scaled by 2^-24576 or 2^24576 (float80.h). FIP, FDP and FOP stay 0. Where the
 * SDM leaves a choice or a flag undefined, this does what the AMD CPUs the differential test
 * (tests/diff/x64_x87_diff.c) ran on do: IE and ZE take precedence over DE; a stack
 * underflow drops the memory operand's conversion flags; FCOMI, FUCOMI and FCMOVcc leave C1
 * alone; FPREM's C0/C3 stay on a NaN and are 0 while the reduction is partial; EMMS also sets
 * TOP to 0. Built under the same FP flags as sse_fp.c. */
#include "guest/x86_64/x87.h"

#include <fenv.h>
#include <math.h>
#include <string.h>

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/float80.h"
#include "mem/aspace.h"

enum { SW_SF = 0x40, SW_ES = 0x80, SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000,
       SW_B = 0x8000, SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3 };

/* One instruction's view: the state, what it raises, and C1 as it ends (stack fault or
 * rounded up). */
struct fpu {
    struct x64_cpu *c;
    struct x64_x87 *x;
    struct f80_env env;
    int prec;
    bool stack_fault, c1;
};

static unsigned top(const struct fpu *f) { return f->x->fsw >> 11 & 7; }
static unsigned phys(const struct fpu *f, unsigned i) { return (top(f) + i) & 7; }

static void set_top(struct fpu *f, unsigned t)
{
    f->x->fsw = (uint16_t)((f->x->fsw & ~0x3800u) | (t & 7) << 11);
}

static unsigned tag_of(const struct fpu *f, unsigned r) { return f->x->ftw >> (2 * r) & 3; }

static void set_tag(struct fpu *f, unsigned r, unsigned tag)
{
    f->x->ftw = (uint16_t)((f->x->ftw & ~(3u << (2 * r))) | tag << (2 * r));
}

static bool empty(const struct fpu *f, unsigned i) { return tag_of(f, phys(f, i)) == 3; }

static struct f80 raw(const struct fpu *f, unsigned r)
{
    struct f80 v;
    memcpy(&v.m, f->x->fpr[r], 8);
    memcpy(&v.se, f->x->fpr[r] + 8, 2);
    return v;
}

static void put_raw(struct fpu *f, unsigned r, struct f80 v)
{
    memset(f->x->fpr[r], 0, sizeof(f->x->fpr[r]));
    memcpy(f->x->fpr[r], &v.m, 8);
    memcpy(f->x->fpr[r] + 8, &v.se, 2);
    set_tag(f, r, f80_tag(v));
}

/* Stack underflow: IE and SF with C1 = 0; the operand reads as the indefinite. */
static void underflow(struct fpu *f)
{
    f->env.fl |= F80_IE;
    f->stack_fault = true;
    f->c1 = false;
}

/* ST(i), or the indefinite after an underflow if it is empty. */
static struct f80 st(struct fpu *f, unsigned i)
{
    if (empty(f, i)) {
        underflow(f);
        return F80_INDEFINITE;
    }
    return raw(f, phys(f, i));
}

static void set_st(struct fpu *f, unsigned i, struct f80 v) { put_raw(f, phys(f, i), v); }

static void push(struct fpu *f, struct f80 v)
{
    unsigned t = (top(f) - 1) & 7;
    if (tag_of(f, t) != 3) { /* overflow: C1 = 1, unless an underflow came first */
        f->env.fl |= F80_IE;
        if (!f->stack_fault)
            f->c1 = true;
        f->stack_fault = true;
        v = F80_INDEFINITE;
    }
    set_top(f, t);
    set_st(f, 0, v);
}

static void pop(struct fpu *f)
{
    set_tag(f, top(f), 3);
    set_top(f, top(f) + 1);
}

/* The result of an operation that rounds: C1 says whether it rounded up. */
static void set_rounded(struct fpu *f, unsigned i, struct f80 v)
{
    if (!f->stack_fault)
        f->c1 = f->env.up;
    set_st(f, i, v);
}

static void set_cc(struct fpu *f, unsigned cc)
{
    f->x->fsw = (uint16_t)((f->x->fsw & ~(SW_C0 | SW_C2 | SW_C3)) | cc);
}

/* ---- memory operands ---- */

static const unsigned fmt_size[7] = { 4, 8, 10, 2, 4, 8, 10 };

/* The largest packed-decimal magnitude, and the "packed BCD indefinite" FBSTP stores for a
 * value beyond it (or not a number). */
#define BCD_MAX 999999999999999999ull
static const uint8_t bcd_indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

/* FBLD's value: exact (18 digits fit the significand). A digit above 9 is undefined; it
 * weighs what its place does, as on the CPUs the differential test ran on. */
static struct f80 from_bcd(const uint8_t *p)
{
    uint64_t n = 0;
    for (int i = 8; i >= 0; i--)
        n = n * 100 + (p[i] >> 4) * 10u + (p[i] & 15u);
    struct f80 v = f80_from_int((int64_t)n);
    if (p[9] & 0x80)
        v.se |= 0x8000;
    return v;
}

/* FBSTP's bytes: v rounded by RC, keeping its sign (also that of a zero). */
static void to_bcd(struct f80_env *env, struct f80 v, uint8_t *out)
{
    unsigned fl = env->fl;
    env->fl = 0;
    int64_t n = f80_to_int(env, v, 64, false);
    uint64_t mag = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    if ((env->fl & F80_IE) || mag > BCD_MAX) {
        env->fl = fl | F80_IE;
        env->up = false;
        memcpy(out, bcd_indefinite, 10);
        return;
    }
    env->fl |= fl;
    for (unsigned i = 0; i < 9; i++, mag /= 100)
        out[i] = (uint8_t)((mag / 10 % 10) << 4 | mag % 10);
    out[9] = f80_sign(v) ? 0x80 : 0;
}

/* The operand's bytes; the access is reported here, before it is made (a host fault on it,
 * which only a page the guest unmapped inside the space gives, comes after the report). */
static uint8_t *mem(struct fpu *f, uint64_t addr, unsigned size, unsigned access)
{
    uint8_t *p = mem_ptr(&f->c->c, addr, size, access, X64_MMU_USER);
    mem_report(&f->c->c, addr, size, access);
    return p;
}

static struct f80 load(struct fpu *f, uint64_t addr, unsigned fmt)
{
    const uint8_t *p = mem(f, addr, fmt_size[fmt], MEM_READ);
    uint64_t u = 0;
    memcpy(&u, p, fmt_size[fmt] > 8 ? 8 : fmt_size[fmt]);
    switch (fmt) {
    case X87_F32: return f80_from_f32(&f->env, (uint32_t)u);
    case X87_F64: return f80_from_f64(&f->env, u);
    case X87_I16: return f80_from_int((int16_t)u);
    case X87_I32: return f80_from_int((int32_t)u);
    case X87_I64: return f80_from_int((int64_t)u);
    case X87_BCD: return from_bcd(p);
    default: {
        struct f80 v = { u, 0 };
        memcpy(&v.se, p + 8, 2);
        return v;
    }
    }
}

/* Stores v in format fmt (the integer formats truncating if trunc); C1 as it rounded. */
static void store(struct fpu *f, uint64_t addr, unsigned fmt, struct f80 v, bool trunc)
{
    uint8_t *p = mem(f, addr, fmt_size[fmt], MEM_WRITE);
    uint8_t b[10];
    uint64_t u = 0;
    switch (fmt) {
    case X87_F32: u = f80_to_f32(&f->env, v); break;
    case X87_F64: u = f80_to_f64(&f->env, v); break;
    case X87_I16: u = (uint64_t)f80_to_int(&f->env, v, 16, trunc); break;
    case X87_I32: u = (uint64_t)f80_to_int(&f->env, v, 32, trunc); break;
    case X87_I64: u = (uint64_t)f80_to_int(&f->env, v, 64, trunc); break;
    case X87_BCD: to_bcd(&f->env, v, b); break;
    default:
        memcpy(p, &v.m, 8);
        memcpy(p + 8, &v.se, 2);
        return;
    }
    if (!f->stack_fault)
        f->c1 = f->env.up;
    if (f->env.fl & ~f->x->fcw & (F80_IE | F80_DE | F80_ZE | F80_OE | F80_UE))
        return; /* unmasked: nothing stored */
    if (fmt == X87_BCD)
        memcpy(p, b, 10);
    else
        memcpy(p, &u, fmt_size[fmt]);
}

/* ---- arithmetic and compares ---- */

enum { A_ADD, A_MUL, A_COM, A_COMP, A_SUB, A_SUBR, A_DIV, A_DIVR };

static struct f80 arith(struct fpu *f, unsigned sub, struct f80 dst, struct f80 src)
{
    switch (sub) {
    case A_ADD: return f80_arith(&f->env, F80_ADD, dst, src, f->prec);
    case A_MUL: return f80_arith(&f->env, F80_MUL, dst, src, f->prec);
    case A_SUB: return f80_arith(&f->env, F80_SUB, dst, src, f->prec);
    case A_SUBR: return f80_arith(&f->env, F80_SUB, src, dst, f->prec);
    case A_DIV: return f80_arith(&f->env, F80_DIV, dst, src, f->prec);
    default: return f80_arith(&f->env, F80_DIV, src, dst, f->prec);
    }
}

/* C3 C2 C0 of a compare: greater 000, less 001, equal 100, unordered 111. */
static const unsigned cmp_cc[4] = { SW_C3, 0, SW_C0, SW_C3 | SW_C2 | SW_C0 };
/* ZF PF CF of FCOMI likewise. */
static const unsigned cmp_eflags[4] = { X64_ZF, 0, X64_CF, X64_ZF | X64_PF | X64_CF };

static int compare(struct fpu *f, struct f80 a, struct f80 b, bool quiet)
{
    bool fault = f->stack_fault;
    int r = f80_compare(&f->env, a, b, quiet || fault);
    if (fault)
        r = 2;
    return r + 1; /* 0 less, 1 equal, 2 greater, 3 unordered */
}

static void fcom(struct fpu *f, struct f80 a, struct f80 b, bool quiet, unsigned pops)
{
    int r = compare(f, a, b, quiet);
    set_cc(f, cmp_cc[r == 0 ? 2 : r == 1 ? 0 : r == 2 ? 1 : 3]);
    while (pops--)
        pop(f);
}

/* ---- constants ---- */

/* 1, log2(10), log2(e), pi, log10(2), ln(2), 0, rounded to nearest; the next four bits of
 * the exact value below say which way RC moves them (SDM: the 66-bit internal constant). */
static struct f80 constant(struct fpu *f, unsigned sub)
{
    static const struct { uint64_t m; uint16_t se; int8_t down, up; } k[7] = {
        { 0x8000000000000000ull, 0x3fff, 0, 0 },
        { 0xd49a784bcd1b8afeull, 0x4000, 0, 1 },
        { 0xb8aa3b295c17f0bcull, 0x3fff, -1, 0 },
        { 0xc90fdaa22168c235ull, 0x4000, -1, 0 },
        { 0x9a209a84fbcff799ull, 0x3ffd, -1, 0 },
        { 0xb17217f7d1cf79acull, 0x3ffe, -1, 0 },
        { 0, 0, 0, 0 },
    };
    unsigned rc = f->x->fcw >> 10 & 3;
    int adj = rc == 1 || rc == 3 ? k[sub].down : rc == 2 ? k[sub].up : 0;
    return (struct f80){ k[sub].m + (uint64_t)(int64_t)adj, k[sub].se };
}

/* ---- transcendentals on the host's long double ---- */

static unsigned host_flags(void)
{
    int ex = fetestexcept(FE_ALL_EXCEPT);
    return (ex & FE_INVALID ? F80_IE : 0) | (ex & FE_DIVBYZERO ? F80_ZE : 0) |
           (ex & FE_OVERFLOW ? F80_OE : 0) | (ex & FE_UNDERFLOW ? F80_UE : 0) |
           (ex & FE_INEXACT ? F80_PE : 0);
}

enum { T_F2XM1, T_YL2X, T_YL2XP1, T_TAN, T_ATAN, T_SIN, T_COS };

/* op of a (and b: the y of FYL2X, FYL2XP1, FPATAN). */
static struct f80 transcendental(struct fpu *f, unsigned op, struct f80 a, struct f80 b)
{
    struct f80 r;
    bool binary = op == T_YL2X || op == T_YL2XP1 || op == T_ATAN;
    if (f->stack_fault)
        return F80_INDEFINITE;
    if (f80_nan_pick(&f->env, a, b, binary, &r))
        return r;
    if (f80_classify(a) == F80_DENORMAL || (binary && f80_classify(b) == F80_DENORMAL))
        f->env.fl |= F80_DE;
    long double x = f80_to_ld(a), y = f80_to_ld(b);
    feclearexcept(FE_ALL_EXCEPT);
    volatile long double vx = x, vy = y, vr;
    switch (op) {
    case T_F2XM1: vr = expm1l(vx * 0.693147180559945309417232121458176568L); break;
    case T_YL2X: vr = vy * log2l(vx); break;
    case T_YL2XP1: vr = vy * (log1pl(vx) * 1.44269504088896340735992468100189214L); break;
    case T_TAN: vr = tanl(vx); break;
    case T_ATAN: vr = atan2l(vy, vx); break;
    case T_SIN: vr = sinl(vx); break;
    default: vr = cosl(vx); break;
    }
    long double res = vr;
    unsigned fl = host_flags();
    feclearexcept(FE_ALL_EXCEPT);
    f->env.fl |= fl;
    if (fl & F80_IE)
        return F80_INDEFINITE;
    return f80_from_ld(&f->env, res, 64);
}

/* FSIN, FCOS, FSINCOS, FPTAN leave an operand of magnitude 2^63 or more as it is, with C2. */
static bool out_of_range(struct fpu *f, struct f80 a)
{
    enum f80_class k = f80_classify(a);
    bool out = (k == F80_NORMAL && (a.se & 0x7fff) >= 0x3fff + 63);
    f->x->fsw = (uint16_t)((f->x->fsw & ~SW_C2) | (out ? SW_C2 : 0));
    return out;
}

/* ---- environment ---- */

/* The full tag word: empty registers as they are, the others from their contents. */
static uint16_t full_tags(struct fpu *f)
{
    uint16_t t = 0;
    for (unsigned r = 0; r < 8; r++)
        t |= (uint16_t)((tag_of(f, r) == 3 ? 3 : f80_tag(raw(f, r))) << (2 * r));
    return t;
}

static void put16(uint8_t *p, uint32_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* The protected-mode environment: 28 bytes (reserved halves all ones, as Linux writes
 * them), or 14 with a 16-bit operand size. FIP, FDP and their selectors are 0. */
static unsigned env_size(uint64_t desc) { return desc & X87_D_OPSZ16 ? 14 : 28; }

static void store_env(struct fpu *f, uint8_t *p, uint64_t desc)
{
    const struct x64_x87 *x = f->x;
    uint16_t w[3] = { x->fcw, x->fsw, full_tags(f) };
    if (desc & X87_D_OPSZ16) {
        memset(p, 0, 14);
        for (unsigned i = 0; i < 3; i++)
            put16(p + 2 * i, w[i]);
        return;
    }
    memset(p, 0, 28);
    for (unsigned i = 0; i < 3; i++)
        put32(p + 4 * i, 0xffff0000u | w[i]);
    put32(p + 24, 0xffff0000u);
}

static void load_env(struct fpu *f, const uint8_t *p, uint64_t desc)
{
    unsigned step = desc & X87_D_OPSZ16 ? 2 : 4;
    uint16_t tags = get16(p + 2 * step);
    f->x->fcw = (uint16_t)((get16(p) & 0x1f3f) | 0x40);
    f->x->fsw = get16(p + step);
    f->x->ftw = 0;
    for (unsigned r = 0; r < 8; r++)
        set_tag(f, r, (tags >> (2 * r) & 3) == 3 ? 3 : f80_tag(raw(f, r)));
}

static void init(struct x64_x87 *x)
{
    x->fcw = X64_FCW_RESET;
    x->fsw = 0;
    x->ftw = 0xffff;
    x->fop = 0;
    x->fip = x->fdp = 0;
}

/* ---- the helper ---- */

static void run(struct fpu *f, uint64_t desc, uint64_t addr, uint64_t cond, uint64_t *ret)
{
    unsigned sub = X87_SUB(desc), i = X87_STI(desc), fmt = X87_FMT(desc);
    struct f80 a, b, r;
    switch (X87_OP(desc)) {
    case X87_ARITH: case X87_ARITH_M:
        a = st(f, 0);
        if (X87_OP(desc) == X87_ARITH_M) {
            /* after a stack underflow the operand's conversion raises nothing, and its
             * denormal counts only if ST(0) is a number */
            unsigned fl = f->env.fl;
            b = load(f, addr, fmt);
            if (f->env.fl & ~fl & F80_IE) { /* a signalling NaN: the operation picks it */
                b.m &= ~(1ull << 62);
                f->env.fl &= ~(unsigned)F80_IE | fl;
            }
            if (f->stack_fault)
                f->env.fl = fl;
            else if (f80_isnan(a) || f80_classify(a) == F80_UNSUPPORTED)
                f->env.fl &= ~(unsigned)F80_DE | fl;
        } else {
            b = st(f, i);
        }
        if (sub == A_COM || sub == A_COMP)
            fcom(f, a, b, false, sub == A_COMP);
        else
            set_rounded(f, 0, f->stack_fault ? F80_INDEFINITE : arith(f, sub, a, b));
        break;
    case X87_ARITH_R: case X87_ARITH_RP:
        a = st(f, i);
        b = st(f, 0);
        set_rounded(f, i, f->stack_fault ? F80_INDEFINITE : arith(f, sub, a, b));
        if (X87_OP(desc) == X87_ARITH_RP)
            pop(f);
        break;
    case X87_COMPP:
        a = st(f, 0);
        fcom(f, a, st(f, 1), false, 2);
        break;
    case X87_UCOM:
        a = st(f, 0);
        fcom(f, a, st(f, i), true, sub);
        break;
    case X87_COMI: {
        a = st(f, 0);
        b = st(f, i);
        int c = compare(f, a, b, sub & 1);
        *ret = cmp_eflags[c == 0 ? 2 : c == 1 ? 0 : c == 2 ? 1 : 3];
        if (!f->stack_fault) /* C1 stays */
            f->c1 = f->x->fsw & SW_C1;
        if (sub & 2)
            pop(f);
        break;
    }
    case X87_LD_M: { /* a push that overflows drops the conversion's flags */
        unsigned fl = f->env.fl;
        a = load(f, addr, fmt);
        if (tag_of(f, (top(f) - 1) & 7) != 3)
            f->env.fl = fl;
        push(f, a);
        break;
    }
    case X87_LD_ST:
        push(f, st(f, i));
        break;
    case X87_ST_M:
        store(f, addr, fmt, st(f, 0), false);
        if (sub)
            pop(f);
        break;
    case X87_ST_ST:
        set_st(f, i, st(f, 0));
        if (sub)
            pop(f);
        break;
    case X87_IST_M:
        store(f, addr, fmt, st(f, 0), sub == 2);
        if (sub)
            pop(f);
        break;
    case X87_CONST:
        push(f, constant(f, sub));
        break;
    case X87_XCH:
        a = st(f, 0);
        b = st(f, i);
        set_st(f, 0, b);
        set_st(f, i, a);
        break;
    case X87_CHS: case X87_ABS:
        a = st(f, 0);
        if (!f->stack_fault)
            a.se = (uint16_t)(X87_OP(desc) == X87_CHS ? a.se ^ 0x8000 : a.se & 0x7fff);
        set_st(f, 0, a);
        break;
    case X87_TST:
        a = st(f, 0);
        fcom(f, a, (struct f80){ 0, 0 }, false, 0);
        break;
    case X87_XAM: {
        static const unsigned cls[] = {
            [F80_ZERO] = SW_C3, [F80_DENORMAL] = SW_C3 | SW_C2, [F80_NORMAL] = SW_C2,
            [F80_INF] = SW_C2 | SW_C0, [F80_QNAN] = SW_C0, [F80_SNAN] = SW_C0,
            [F80_UNSUPPORTED] = 0,
        };
        a = raw(f, phys(f, 0));
        set_cc(f, empty(f, 0) ? SW_C3 | SW_C0 : cls[f80_classify(a)]);
        f->c1 = f80_sign(a);
        break;
    }
    case X87_SQRT:
        a = st(f, 0);
        set_rounded(f, 0, f->stack_fault ? a : f80_sqrt(&f->env, a, f->prec));
        break;
    case X87_RNDINT:
        a = st(f, 0);
        set_rounded(f, 0, f->stack_fault ? a : f80_round_int(&f->env, a));
        break;
    case X87_SCALE:
        a = st(f, 0);
        b = st(f, 1);
        set_rounded(f, 0, f->stack_fault ? F80_INDEFINITE : f80_scale(&f->env, a, b));
        break;
    case X87_XTRACT:
        a = st(f, 0);
        if (f->stack_fault || tag_of(f, (top(f) - 1) & 7) != 3) { /* both indefinite */
            set_st(f, 0, F80_INDEFINITE);
            push(f, F80_INDEFINITE);
            break;
        }
        f80_extract(&f->env, a, &r, &b);
        set_st(f, 0, r);
        push(f, b);
        break;
    case X87_PREM: case X87_PREM1: {
        a = st(f, 0);
        b = st(f, 1);
        if (f->stack_fault) {
            set_st(f, 0, F80_INDEFINITE);
            f->x->fsw &= (uint16_t)~SW_C2;
            break;
        }
        unsigned q;
        bool partial;
        unsigned fl = f->env.fl;
        r = f80_rem(&f->env, a, b, X87_OP(desc) == X87_PREM1, &q, &partial);
        set_st(f, 0, r);
        if ((f->env.fl & ~fl & F80_IE) || f80_isnan(r)) { /* C0 and C3 stay */
            f->x->fsw &= (uint16_t)~SW_C2;
        } else if (partial) {                                /* the quotient bits are 0 */
            set_cc(f, SW_C2);
        } else {
            set_cc(f, (q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0));
            f->c1 = q & 1;
        }
        break;
    }
    case X87_F2XM1:
        a = st(f, 0);
        set_rounded(f, 0, transcendental(f, T_F2XM1, a, a));
        break;
    case X87_YL2X: case X87_YL2XP1: case X87_PATAN:
        a = st(f, 0);
        b = st(f, 1);
        r = transcendental(f, X87_OP(desc) == X87_YL2X ? T_YL2X
                             : X87_OP(desc) == X87_YL2XP1 ? T_YL2XP1 : T_ATAN, a, b);
        set_rounded(f, 1, r);
        pop(f);
        break;
    case X87_SIN: case X87_COS:
        a = st(f, 0);
        if (!f->stack_fault && out_of_range(f, a))
            break;
        set_rounded(f, 0, transcendental(f, X87_OP(desc) == X87_SIN ? T_SIN : T_COS, a, a));
        break;
    case X87_SINCOS: case X87_PTAN:
        a = st(f, 0);
        if (!f->stack_fault && out_of_range(f, a))
            break;
        if (X87_OP(desc) == X87_PTAN) {
            set_rounded(f, 0, transcendental(f, T_TAN, a, a));
            b = f->stack_fault ? F80_INDEFINITE : constant(f, 0);
        } else {
            set_rounded(f, 0, transcendental(f, T_SIN, a, a));
            b = transcendental(f, T_COS, a, a);
        }
        push(f, b);
        break;
    case X87_DECSTP:
        set_top(f, top(f) - 1);
        break;
    case X87_INCSTP:
        set_top(f, top(f) + 1);
        break;
    case X87_FREE:
        set_tag(f, phys(f, i), 3);
        break;
    case X87_CMOV: /* an empty operand faults whatever the condition; C1 stays otherwise */
        a = st(f, 0);
        b = st(f, i);
        if (f->stack_fault)
            set_st(f, 0, F80_INDEFINITE);
        else if (cond)
            set_st(f, 0, b);
        if (!f->stack_fault)
            f->c1 = f->x->fsw & SW_C1;
        break;
    case X87_STSW:
        if (sub == 0)
            put16(mem(f, addr, 2, MEM_WRITE), f->x->fsw);
        *ret = f->x->fsw;
        break;
    case X87_STCW:
        put16(mem(f, addr, 2, MEM_WRITE), f->x->fcw);
        break;
    case X87_LDCW:
        f->x->fcw = (uint16_t)((get16(mem(f, addr, 2, MEM_READ)) & 0x1f3f) | 0x40);
        break;
    case X87_STENV:
        store_env(f, mem(f, addr, env_size(desc), MEM_WRITE), desc);
        f->x->fcw |= 0x3f;
        break;
    case X87_LDENV:
        load_env(f, mem(f, addr, env_size(desc), MEM_READ), desc);
        break;
    case X87_SAVE: {
        uint8_t *p = mem(f, addr, env_size(desc) + 80, MEM_WRITE);
        store_env(f, p, desc);
        for (unsigned k = 0; k < 8; k++)
            memcpy(p + env_size(desc) + 10 * k, f->x->fpr[phys(f, k)], 10);
        init(f->x);
        break;
    }
    case X87_RSTOR: {
        const uint8_t *p = mem(f, addr, env_size(desc) + 80, MEM_READ);
        f->x->fsw = get16(p + (desc & X87_D_OPSZ16 ? 2 : 4));
        for (unsigned k = 0; k < 8; k++) {
            unsigned reg = phys(f, k);
            memset(f->x->fpr[reg], 0, sizeof(f->x->fpr[reg]));
            memcpy(f->x->fpr[reg], p + env_size(desc) + 10 * k, 10);
        }
        load_env(f, p, desc);
        break;
    }
    case X87_INIT:
        init(f->x);
        break;
    case X87_CLEX:
        f->x->fsw &= (uint16_t)~(0x3f | SW_SF | SW_ES | SW_B);
        break;
    default: /* X87_NOP */
        break;
    }
}

/* Instructions that leave the condition codes and exception flags as they are. */
static bool control_op(unsigned op)
{
    return op == X87_STSW || op == X87_STCW || op == X87_LDCW || op == X87_STENV ||
           op == X87_LDENV || op == X87_SAVE || op == X87_RSTOR || op == X87_INIT ||
           op == X87_CLEX || op == X87_NOP;
}

/* The instructions that do not check for a pending exception. */
static bool no_wait(unsigned op)
{
    return op == X87_STSW || op == X87_STCW || op == X87_STENV || op == X87_SAVE ||
           op == X87_INIT || op == X87_CLEX;
}

/* Whether an unmasked exception (fl, of the instruction op) leaves the state as it was. */
static bool unmasked_keeps_state(unsigned fl, unsigned op)
{
    return (fl & (F80_IE | F80_DE | F80_ZE)) ||
           ((fl & (F80_OE | F80_UE)) && (op == X87_ST_M || op == X87_IST_M));
}

static uint64_t helper_x87(void *cpu, uint64_t desc, uint64_t addr, uint64_t cond, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    static const int prec[4] = { 24, 64, 53, 64 };
    struct fpu f = { c, &c->x87,
                     { c->x87.fcw >> 10 & 3, 0, false, ~c->x87.fcw & (F80_OE | F80_UE) },
                     prec[c->x87.fcw >> 8 & 3], false, false };
    uint64_t ret = 0;
    unsigned op = X87_OP(desc);
    struct x64_x87 *x = &c->x87;
    if ((x->fsw & SW_ES) && !no_wait(op))
        cpu_raise(&c->c, EXC_FLOAT, x->fsw & ~x->fcw & 0x3f);
    /* with an exception unmasked, the state to go back to */
    bool unmasked = ~x->fcw & 0x3f;
    struct x64_x87 before;
    if (unmasked)
        before = *x;
    run(&f, desc, addr, cond, &ret);
    if (f.env.fl & (F80_IE | F80_ZE)) /* they take precedence over a denormal operand */
        f.env.fl &= ~(unsigned)F80_DE;
    if (f.env.fl & ~x->fcw & (F80_IE | F80_DE | F80_ZE)) /* it computed nothing */
        f.env.fl &= F80_IE | F80_DE | F80_ZE;
    if (unmasked && unmasked_keeps_state(f.env.fl & ~x->fcw, op)) {
        uint16_t fsw = before.fsw;
        *x = before;
        if (f.stack_fault)
            fsw = (uint16_t)((fsw & ~SW_C1) | (f.c1 ? SW_C1 : 0) | SW_SF);
        x->fsw = (uint16_t)(fsw | f.env.fl);
    } else if (!control_op(op)) {
        x->fsw = (uint16_t)((x->fsw & ~SW_C1) | (f.c1 ? SW_C1 : 0) | f.env.fl |
                            (f.stack_fault ? SW_SF : 0));
    }
    bool pending = x->fsw & ~x->fcw & 0x3f;
    x->fsw = (uint16_t)((x->fsw & ~(SW_ES | SW_B)) | (pending ? SW_ES | SW_B : 0));
    return ret;
}
const struct ir_helper x64_helper_x87 = {
    "x64_x87", helper_x87, 3,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};
