/* The 80-bit extended soft-float (float80.h). Values are worked on as (-1)^sign * sig * 2^exp
 * with a 128-bit sig, and rounded once by round80 at the precision-control width; binary32
 * and binary64 results go through guest/softfp.h's round_pack, the same rounder the other
 * guests' FPUs use. */
#include "guest/x86_64/float80.h"

#include "guest/softfp.h"

#define BIAS 16383
#define EMIN (1 - BIAS)          /* exponent of the smallest normal, 2^-16382 */
#define EXP_MAX 0x7fff
#define JBIT (1ull << 63)
#define QBIT (1ull << 62)

static const enum softfp_round rc_mode[4] = { SF_RNE, SF_RDN, SF_RUP, SF_RTZ };

static struct f80 make(bool sign, unsigned e, uint64_t m)
{
    return (struct f80){ m, (uint16_t)((sign ? 0x8000u : 0) | e) };
}

static struct f80 zero(bool sign) { return make(sign, 0, 0); }
static struct f80 inf(bool sign) { return make(sign, EXP_MAX, JBIT); }

enum f80_class f80_classify(struct f80 a)
{
    unsigned e = a.se & EXP_MAX;
    if (e == 0)
        return a.m ? F80_DENORMAL : F80_ZERO;
    if (!(a.m & JBIT))
        return F80_UNSUPPORTED;
    if (e == EXP_MAX) {
        if (!(a.m << 1))
            return F80_INF;
        return (a.m & QBIT) ? F80_QNAN : F80_SNAN;
    }
    return F80_NORMAL;
}

unsigned f80_tag(struct f80 a)
{
    enum f80_class k = f80_classify(a);
    return k == F80_ZERO ? 1 : k == F80_NORMAL ? 0 : 2;
}

/* A finite nonzero value (normal or denormal) as a term: a pseudo-denormal (exponent 0 with
 * the integer bit) has the value it would have with exponent 1. */
static struct term term_of(struct f80 a)
{
    unsigned e = a.se & EXP_MAX;
    return (struct term){ f80_sign(a), (int)(e ? e : 1) - BIAS - 63, a.m };
}

/* Rounds (-1)^sign * sig * 2^exp (sig != 0) to prec significand bits with the extended
 * exponent range: denormal results keep what fits above 2^(EMIN-(prec-1)), as a format of
 * prec bits with the extended emin. Tininess is detected after rounding; overflow gives
 * infinity or the largest value of the precision by RC. */
/* The exponent bias adjustment of the unmasked overflow and underflow responses. */
#define WRAP 24576

/* The unmasked response (struct f80_env) to a result that overflows or underflows, if the
 * exception is unmasked and the wrapped exponent is in range: true with *r. */
static bool round_wrapped(struct f80_env *env, bool sign, int exp, u128 sig, int prec,
                          struct f80 *r)
{
    enum softfp_round rm = rc_mode[env->rc & 3];
    int q = exp + msb128(sig) - (prec - 1);
    bool inexact;
    u128 m = shift_round(sig, q - exp, rm, sign, &inexact);
    if (m >> prec) {
        m >>= 1;
        q++;
    }
    int ev = q + prec - 1, biased;
    unsigned fl;
    if (ev + BIAS >= EXP_MAX && (env->unmasked & F80_OE)) {
        biased = ev + BIAS - WRAP;
        fl = F80_OE;
    } else if (ev < EMIN && (env->unmasked & F80_UE)) {
        biased = ev + BIAS + WRAP;
        fl = F80_UE;
    } else {
        return false;
    }
    if (biased < 1 || biased >= EXP_MAX)
        return false;
    int sh = q - exp;
    env->up = inexact && m != (sh >= 128 ? 0 : sig >> sh);
    env->fl |= fl | (inexact ? F80_PE : 0);
    *r = make(sign, (unsigned)biased, (uint64_t)(m << (64 - prec)));
    return true;
}

static struct f80 round80(struct f80_env *env, bool sign, int exp, u128 sig, int prec)
{
    struct f80 wrapped;
    if (env->unmasked && round_wrapped(env, sign, exp, sig, prec, &wrapped))
        return wrapped;
    enum softfp_round rm = rc_mode[env->rc & 3];
    int e = exp + msb128(sig);
    int q = e - (prec - 1);
    if (q < EMIN - (prec - 1))
        q = EMIN - (prec - 1);
    bool inexact;
    u128 m = shift_round(sig, q - exp, rm, sign, &inexact);
    env->up = false;
    if (inexact) {
        int sh = q - exp;
        u128 trunc = sh >= 128 ? 0 : sig >> sh;
        env->up = m != trunc;
        env->fl |= F80_PE;
        bool tiny = e < EMIN;
        if (tiny && e == EMIN - 1) {
            bool ix;
            tiny = !(shift_round(sig, e - (prec - 1) - exp, rm, sign, &ix) >> prec);
        }
        if (tiny)
            env->fl |= F80_UE;
    }
    if (m >> prec) {
        m >>= 1;
        q++;
    }
    if (m == 0)
        return zero(sign);
    int top = msb128(m), ev = q + top;
    if (ev + BIAS >= EXP_MAX) {
        env->fl |= F80_OE | F80_PE;
        bool to_inf = rm == SF_RNE || (rm == SF_RUP && !sign) || (rm == SF_RDN && sign);
        env->up = to_inf;
        return to_inf ? inf(sign) : make(sign, EXP_MAX - 1, ~0ull << (64 - prec));
    }
    if (ev >= EMIN)
        return make(sign, (unsigned)(ev + BIAS), (uint64_t)(m << (63 - top)));
    return make(sign, 0, (uint64_t)(m << (q - (EMIN - 63))));
}

/* A value rounded to prec (an operand passed through, as 0 + x does). */
static struct f80 reround(struct f80_env *env, struct f80 a, int prec)
{
    struct term t = term_of(a);
    return round80(env, t.sign, t.exp, t.sig, prec);
}

static bool is_nan_class(enum f80_class k) { return k == F80_QNAN || k == F80_SNAN; }

bool f80_nan_pick(struct f80_env *env, struct f80 a, struct f80 b, bool binary, struct f80 *r)
{
    enum f80_class ka = f80_classify(a), kb = binary ? f80_classify(b) : F80_ZERO;
    if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
        env->fl |= F80_IE;
        *r = F80_INDEFINITE;
        return true;
    }
    bool na = is_nan_class(ka), nb = is_nan_class(kb);
    if (!na && !nb)
        return false;
    if (ka == F80_SNAN || kb == F80_SNAN)
        env->fl |= F80_IE;
    a.m |= QBIT;
    b.m |= QBIT;
    if (na && nb) {
        if (ka == F80_SNAN && kb == F80_QNAN)
            *r = b;
        else if (ka == F80_QNAN && kb == F80_SNAN)
            *r = a;
        else if (a.m != b.m)
            *r = a.m > b.m ? a : b;
        else
            *r = a.se < b.se ? a : b;
    } else {
        *r = na ? a : b;
    }
    return true;
}

static void denormal_check(struct f80_env *env, struct f80 a)
{
    if (f80_classify(a) == F80_DENORMAL)
        env->fl |= F80_DE;
}

static struct f80 invalid(struct f80_env *env)
{
    env->fl |= F80_IE;
    return F80_INDEFINITE;
}

static struct f80 add(struct f80_env *env, struct f80 a, struct f80 b, int prec)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (ka == F80_INF || kb == F80_INF) {
        if (ka == F80_INF && kb == F80_INF && sa != sb)
            return invalid(env);
        return ka == F80_INF ? a : b;
    }
    if (ka == F80_ZERO && kb == F80_ZERO)
        return zero(sa == sb ? sa : (env->rc & 3) == 1);
    if (ka == F80_ZERO)
        return reround(env, b, prec);
    if (kb == F80_ZERO)
        return reround(env, a, prec);
    struct term x = term_of(a), y = term_of(b);
    if (y.exp + msb128(y.sig) > x.exp + msb128(x.sig)) {
        struct term t = x;
        x = y;
        y = t;
    }
    /* x's top at bit 125; y aligned to it, its lost bits a sticky bit (see soft_sum) */
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
    if (s == 0) {
        env->up = false;
        return zero((env->rc & 3) == 1);
    }
    return round80(env, sign, x.exp, s, prec);
}

static struct f80 mul(struct f80_env *env, struct f80 a, struct f80 b, int prec)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    bool sign = f80_sign(a) ^ f80_sign(b);
    if ((ka == F80_INF && kb == F80_ZERO) || (ka == F80_ZERO && kb == F80_INF))
        return invalid(env);
    if (ka == F80_INF || kb == F80_INF)
        return inf(sign);
    if (ka == F80_ZERO || kb == F80_ZERO)
        return zero(sign);
    struct term x = term_of(a), y = term_of(b);
    return round80(env, sign, x.exp + y.exp, x.sig * y.sig, prec);
}

static struct f80 divide(struct f80_env *env, struct f80 a, struct f80 b, int prec)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    bool sign = f80_sign(a) ^ f80_sign(b);
    if ((ka == F80_INF && kb == F80_INF) || (ka == F80_ZERO && kb == F80_ZERO))
        return invalid(env);
    if (ka == F80_INF)
        return inf(sign);
    if (kb == F80_INF || ka == F80_ZERO)
        return zero(sign);
    if (kb == F80_ZERO) {
        env->fl |= F80_ZE;
        return inf(sign);
    }
    struct term x = term_of(a), y = term_of(b);
    int sx = 63 - msb128(x.sig), sy = 63 - msb128(y.sig);
    uint64_t n = (uint64_t)(x.sig << sx), dv = (uint64_t)(y.sig << sy);
    /* 128 quotient bits in two steps: (n << 63) / dv has 63 or 64, the remainder's next 64;
     * what is left becomes the sticky bit */
    u128 n1 = (u128)n << 63;
    u128 q1 = n1 / dv, r1 = n1 % dv;
    u128 n2 = r1 << 64;
    u128 q2 = n2 / dv, r2 = n2 % dv;
    u128 q = q1 << 64 | q2 | (r2 != 0);
    return round80(env, sign, (x.exp - sx) - (y.exp - sy) - 127, q, prec);
}

struct f80 f80_arith(struct f80_env *env, enum f80_op op, struct f80 a, struct f80 b, int prec)
{
    struct f80 r;
    env->up = false;
    if (f80_nan_pick(env, a, b, true, &r))
        return r;
    denormal_check(env, a);
    denormal_check(env, b);
    switch (op) {
    case F80_ADD: return add(env, a, b, prec);
    case F80_SUB: b.se ^= 0x8000; return add(env, a, b, prec);
    case F80_MUL: return mul(env, a, b, prec);
    default: return divide(env, a, b, prec);
    }
}

struct f80 f80_sqrt(struct f80_env *env, struct f80 a, int prec)
{
    struct f80 r;
    env->up = false;
    if (f80_nan_pick(env, a, a, false, &r))
        return r;
    enum f80_class k = f80_classify(a);
    if (k == F80_ZERO)
        return a;
    denormal_check(env, a);
    if (f80_sign(a))
        return invalid(env);
    if (k == F80_INF)
        return a;
    struct term t = term_of(a);
    /* sig at bit 126 or 127 with an even exponent; root = floor(sqrt(sig)) has 64 bits, and
     * the remainder gives the round bit (rem > root: above the half) and the sticky bit */
    int sh = 126 - msb128(t.sig);
    if ((t.exp - sh) & 1)
        sh++;
    u128 n = t.sig << sh;
    int exp = t.exp - sh;
    uint64_t root = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t c = root | 1ull << bit;
        if ((u128)c * c <= n)
            root = c;
    }
    u128 rem = n - (u128)root * root;
    u128 sig = (u128)root << 2 | (u128)(rem > root) << 1 | (rem != 0);
    return round80(env, false, exp / 2 - 2, sig, prec);
}

struct f80 f80_round_int(struct f80_env *env, struct f80 a)
{
    struct f80 r;
    env->up = false;
    if (f80_nan_pick(env, a, a, false, &r))
        return r;
    enum f80_class k = f80_classify(a);
    if (k == F80_ZERO || k == F80_INF)
        return a;
    denormal_check(env, a);
    struct term t = term_of(a);
    if (t.exp >= 0)
        return a;
    bool inexact;
    u128 m = shift_round(t.sig, -t.exp, rc_mode[env->rc & 3], t.sign, &inexact);
    if (inexact) {
        env->fl |= F80_PE;
        env->up = m != (-t.exp >= 128 ? 0 : t.sig >> -t.exp);
    }
    if (m == 0)
        return zero(t.sign);
    bool up = env->up;
    r = round80(env, t.sign, 0, m, 64);
    env->up = up;
    return r;
}

struct f80 f80_scale(struct f80_env *env, struct f80 a, struct f80 b)
{
    struct f80 r;
    env->up = false;
    if (f80_nan_pick(env, a, b, true, &r))
        return r;
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    denormal_check(env, a);
    denormal_check(env, b);
    if (kb == F80_INF) {
        if (f80_sign(b) ? ka == F80_INF : ka == F80_ZERO)
            return invalid(env);
        if (ka == F80_INF || ka == F80_ZERO)
            return a;
        return f80_sign(b) ? zero(f80_sign(a)) : inf(f80_sign(a));
    }
    if (ka == F80_INF || ka == F80_ZERO)
        return a;
    int64_t n = 0;
    if (kb != F80_ZERO) {
        struct term tb = term_of(b);
        if (tb.exp >= -40) {
            n = 1 << 20; /* far beyond any result's range */
        } else if (tb.exp > -128) {
            n = (int64_t)(tb.sig >> -tb.exp);
            if (n > 1 << 20)
                n = 1 << 20;
        }
        if (tb.sign)
            n = -n;
    }
    struct term ta = term_of(a);
    return round80(env, ta.sign, ta.exp + (int)n, ta.sig, 64);
}

void f80_extract(struct f80_env *env, struct f80 a, struct f80 *exp, struct f80 *sig)
{
    struct f80 r;
    env->up = false;
    if (f80_nan_pick(env, a, a, false, &r)) {
        *exp = *sig = r;
        return;
    }
    enum f80_class k = f80_classify(a);
    if (k == F80_ZERO) {
        env->fl |= F80_ZE;
        *exp = inf(true);
        *sig = a;
        return;
    }
    if (k == F80_INF) {
        *exp = inf(false);
        *sig = a;
        return;
    }
    denormal_check(env, a);
    struct term t = term_of(a);
    int top = msb128(t.sig);
    *exp = f80_from_int(t.exp + top);
    *sig = make(t.sign, BIAS, (uint64_t)(t.sig << (63 - top)));
}

struct f80 f80_rem(struct f80_env *env, struct f80 a, struct f80 b, bool near, unsigned *q,
                   bool *partial)
{
    struct f80 r;
    env->up = false;
    *q = 0;
    *partial = false;
    if (f80_nan_pick(env, a, b, true, &r))
        return r;
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    if (ka == F80_INF || kb == F80_ZERO)
        return invalid(env);
    denormal_check(env, a);
    denormal_check(env, b);
    if (ka == F80_ZERO)
        return a;
    if (kb == F80_INF)
        return reround(env, a, 64);
    struct term x = term_of(a), y = term_of(b);
    int nx = 63 - msb128(x.sig), ny = 63 - msb128(y.sig); /* normalized, denormals too */
    x.sig <<= nx, x.exp -= nx;
    y.sig <<= ny, y.exp -= ny;
    int d = x.exp - y.exp;
    if (d < (near ? -1 : 0))
        return reround(env, a, 64);
    int unit = x.exp < y.exp ? x.exp : y.exp;
    if (d >= 64) {
        /* b scaled by 2^(d - N), N in 32..63: the quotient has N bits */
        *partial = true;
        unit = y.exp + d - (32 + (d - 32) % 32);
    }
    u128 n = x.sig << (x.exp - unit);
    u128 dv = *partial ? y.sig : y.sig << (y.exp - unit);
    u128 quo = n / dv, rem = n % dv;
    bool sign = x.sign;
    if (near && !*partial && (2 * rem > dv || (2 * rem == dv && (quo & 1)))) {
        rem = dv - rem;
        quo++;
        sign = !sign;
    }
    *q = (unsigned)(quo & 7);
    if (rem == 0)
        return zero(x.sign);
    return round80(env, sign, unit, rem, 64);
}

int f80_compare(struct f80_env *env, struct f80 a, struct f80 b, bool quiet)
{
    enum f80_class ka = f80_classify(a), kb = f80_classify(b);
    if (ka == F80_UNSUPPORTED || kb == F80_UNSUPPORTED) {
        env->fl |= F80_IE;
        return 2;
    }
    if (is_nan_class(ka) || is_nan_class(kb)) {
        if (!quiet || ka == F80_SNAN || kb == F80_SNAN)
            env->fl |= F80_IE;
        return 2;
    }
    denormal_check(env, a);
    denormal_check(env, b);
    if (ka == F80_ZERO && kb == F80_ZERO)
        return 0;
    u128 ma = (u128)((a.se & EXP_MAX) ? (a.se & EXP_MAX) : 1) << 64 | a.m;
    u128 mb = (u128)((b.se & EXP_MAX) ? (b.se & EXP_MAX) : 1) << 64 | b.m;
    if (ka == F80_ZERO)
        ma = 0;
    if (kb == F80_ZERO)
        mb = 0;
    bool sa = f80_sign(a) && ka != F80_ZERO, sb = f80_sign(b) && kb != F80_ZERO;
    if (sa != sb)
        return sa ? -1 : 1;
    if (ma == mb)
        return 0;
    return (ma < mb) != sa ? -1 : 1;
}

/* ---- conversions ---- */

static struct f80 from_bin(struct f80_env *env, const struct fmt *f, uint64_t u)
{
    bool sign = (u & f_sign(f)) != 0;
    uint64_t frac = u & f_mmask(f);
    int sh = 63 - f->mbits;
    if (f_isnan(f, u)) {
        if (f_issnan(f, u))
            env->fl |= F80_IE;
        return make(sign, EXP_MAX, JBIT | QBIT | frac << sh);
    }
    if (f_isinf(f, u))
        return inf(sign);
    if (f_iszero(f, u))
        return zero(sign);
    if (f_exp(f, u) == 0) {
        env->fl |= F80_DE;
        int top = 63 - __builtin_clzll(frac);
        return make(sign, (unsigned)(1 - f->bias - f->mbits + top + BIAS), frac << (63 - top));
    }
    return make(sign, (unsigned)((int)f_exp(f, u) - f->bias + BIAS), JBIT | frac << sh);
}

struct f80 f80_from_f32(struct f80_env *env, uint32_t u) { return from_bin(env, &F32, u); }
struct f80 f80_from_f64(struct f80_env *env, uint64_t u) { return from_bin(env, &F64, u); }

static uint64_t to_bin(struct f80_env *env, const struct fmt *f, struct f80 a)
{
    enum f80_class k = f80_classify(a);
    uint64_t s = f80_sign(a) ? f_sign(f) : 0;
    env->up = false;
    switch (k) {
    case F80_UNSUPPORTED:
        env->fl |= F80_IE;
        return f->dnan | f_sign(f);
    case F80_SNAN:
        env->fl |= F80_IE;
        /* fall through */
    case F80_QNAN:
        return s | f_inf(f) | f_quiet_bit(f) | ((a.m & ~JBIT) >> (63 - f->mbits));
    case F80_INF:
        return s | f_inf(f);
    case F80_ZERO:
        return s;
    default:
        break;
    }
    struct term t = term_of(a);
    struct softfp_env se = { rc_mode[env->rc & 3], false, false,
                             F80_IE, F80_ZE, F80_OE, F80_UE, F80_PE };
    unsigned fl = 0;
    uint64_t r = round_pack(f, &se, t.sign, t.exp, t.sig, &fl);
    /* unmasked, an overflow is OE alone, and a tiny result (exact or not) UE alone */
    bool tiny = fl & F80_PE ? fl & F80_UE : t.exp + msb128(t.sig) < 1 - f->bias;
    if ((env->unmasked & F80_OE) && (fl & F80_OE))
        fl = F80_OE;
    else if ((env->unmasked & F80_UE) && tiny)
        fl = F80_UE;
    env->fl |= fl;
    struct softfp_env tz = se;
    tz.rm = SF_RTZ;
    unsigned ignore = 0;
    env->up = f_abs(f, r) > f_abs(f, round_pack(f, &tz, t.sign, t.exp, t.sig, &ignore));
    return r;
}

uint32_t f80_to_f32(struct f80_env *env, struct f80 a) { return (uint32_t)to_bin(env, &F32, a); }
uint64_t f80_to_f64(struct f80_env *env, struct f80 a) { return to_bin(env, &F64, a); }

struct f80 f80_from_int(int64_t v)
{
    if (v == 0)
        return zero(false);
    uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
    int top = 63 - __builtin_clzll(m);
    return make(v < 0, (unsigned)(BIAS + top), m << (63 - top));
}

int64_t f80_to_int(struct f80_env *env, struct f80 a, unsigned bits, bool truncate)
{
    enum f80_class k = f80_classify(a);
    int64_t indefinite = (int64_t)(~0ull << (bits - 1));
    env->up = false;
    if (k == F80_ZERO)
        return 0;
    if (k != F80_NORMAL && k != F80_DENORMAL) {
        env->fl |= F80_IE;
        return indefinite;
    }
    struct term t = term_of(a);
    if (t.exp > 0) {
        env->fl |= F80_IE;
        return indefinite;
    }
    bool inexact;
    enum softfp_round rm = truncate ? SF_RTZ : rc_mode[env->rc & 3];
    u128 m = shift_round(t.sig, -t.exp, rm, t.sign, &inexact);
    u128 limit = (u128)1 << (bits - 1);
    if (t.sign ? m > limit : m >= limit) {
        env->fl |= F80_IE;
        return indefinite;
    }
    if (inexact) {
        env->fl |= F80_PE;
        env->up = m != (-t.exp >= 128 ? 0 : t.sig >> -t.exp);
    }
    return t.sign ? -(int64_t)(uint64_t)m : (int64_t)(uint64_t)m;
}

long double f80_to_ld(struct f80 a)
{
    bool sign = f80_sign(a);
    long double r;
    switch (f80_classify(a)) {
    case F80_ZERO: r = 0; break;
    case F80_INF: r = INFINITY; break;
    case F80_NORMAL: case F80_DENORMAL: {
        struct term t = term_of(a);
        r = ldexpl((long double)(uint64_t)t.sig, t.exp);
        break;
    }
    default: r = NAN; break;
    }
    return sign ? -r : r;
}

struct f80 f80_from_ld(struct f80_env *env, long double x, int prec)
{
    env->up = false;
    if (isnan(x))
        return F80_INDEFINITE;
    bool sign = signbit(x);
    if (isinf(x))
        return inf(sign);
    if (x == 0)
        return zero(sign);
    int e;
    long double fr = ldexpl(fabsl(frexpl(x, &e)), 64);
    uint64_t hi = (uint64_t)fr;
    u128 sig = (u128)hi << 1 | (fr - (long double)hi != 0);
    return round80(env, sign, e - 65, sig, prec);
}
