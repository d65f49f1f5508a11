/* FP <-> integer and F <-> D conversions in each of the 5 dynamic rounding
 * modes: fcvt.{w,wu,l,lu}.{s,d} (rounding, saturation, NaN -> max, 32-bit
 * results sign-extended), fcvt.{s,d}.{w,wu,l,lu} (inexact results, W forms
 * ignore the upper register half), fcvt.s.d / fcvt.d.s.
 * Format: op rm operand -> result flags  (flags "VZOUX" = NV DZ OF UF NX) */
#include <fenv.h>
#include <string.h>
#include "fp.h"

FP_TOINT(cvt_w_d, "fmv.d.x", "fcvt.w.d")
FP_TOINT(cvt_wu_d, "fmv.d.x", "fcvt.wu.d")
FP_TOINT(cvt_l_d, "fmv.d.x", "fcvt.l.d")
FP_TOINT(cvt_lu_d, "fmv.d.x", "fcvt.lu.d")
FP_TOINT(cvt_w_s, "fmv.w.x", "fcvt.w.s")
FP_TOINT(cvt_wu_s, "fmv.w.x", "fcvt.wu.s")
FP_TOINT(cvt_l_s, "fmv.w.x", "fcvt.l.s")
FP_TOINT(cvt_lu_s, "fmv.w.x", "fcvt.lu.s")
FP_FROMINT(cvt_d_w, "fmv.x.d", "fcvt.d.w")
FP_FROMINT(cvt_d_wu, "fmv.x.d", "fcvt.d.wu")
FP_FROMINT(cvt_d_l, "fmv.x.d", "fcvt.d.l")
FP_FROMINT(cvt_d_lu, "fmv.x.d", "fcvt.d.lu")
FP_FROMINT(cvt_s_w, "fmv.x.d", "fcvt.s.w")
FP_FROMINT(cvt_s_wu, "fmv.x.d", "fcvt.s.wu")
FP_FROMINT(cvt_s_l, "fmv.x.d", "fcvt.s.l")
FP_FROMINT(cvt_s_lu, "fmv.x.d", "fcvt.s.lu")
FP_UN(cvt_s_d, "fmv.d.x", "fmv.x.d", "fcvt.s.d")
FP_UN(cvt_d_s, "fmv.w.x", "fmv.x.d", "fcvt.d.s")

static uint64_t db(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static uint64_t fb(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }

static const double dvals[] = {
    0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 0.7, -0.7, 1.5, -1.5, 2.5, -2.5, 1e-310, -1e-310, -1,
    2147483647.0, 2147483647.5, 2147483648.0, 2147483648.5, -2147483648.0, -2147483648.5,
    -2147483649.0, 3e9, 4294967295.0, 4294967295.5, 4294967296.0, -4294967296.0,
    9007199254740993.0 /* rounds to 2^53 */, 0x1.fffffffffffffp62, 0x1p63, -0x1p63,
    -0x1.0000000000001p63, 0x1.fffffffffffffp63, 0x1p64, 1e30, -1e30,
    __builtin_inf(), -__builtin_inf(), __builtin_nan(""), -__builtin_nan(""), __builtin_nans(""),
};
static const float fvals[] = {
    0.0f, -0.0f, 0.3f, -0.3f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 1e-40f, -1,
    2147483520.0f /* largest float < 2^31 */, 2147483648.0f, -2147483648.0f, -2147483904.0f,
    3e9f, 4294967040.0f, 4294967296.0f, 0x1.fffffep62f, 0x1p63f, -0x1p63f, -0x1.000002p63f,
    0x1.fffffep63f, 0x1p64f, 1e30f, -1e30f, 8388607.5f, -8388607.5f,
    __builtin_inff(), -__builtin_inff(), __builtin_nanf(""), -__builtin_nanf(""), __builtin_nansf(""),
};
static const uint64_t ivals[] = {
    0, 1, (uint64_t)-1, 5, 16777217, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001,
    0x100000005ULL, 0xffffffff00000003ULL, 9007199254740993ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0x123456789abcdefULL, (uint64_t)-9007199254740993LL,
    0xfffffffffffff800ULL, 0x20000020000001ULL,
};
static const double d2s[] = {
    1.0, 0.1, -0.1, 1e39, -1e39, 0x1.fffffefffffffp127 /* just below FLT_MAX+half ulp */,
    0x1.ffffffp127, 1e-39, 1e-46, 0x1p-150, 0x1.0000000000001p-150, 0x1.fffffp-127,
    0x1.000001p0, 0x1.0000030000001p0, -0.0, __builtin_inf(), __builtin_nan(""),
    -__builtin_nan("0x5"), __builtin_nans(""), 3.4028235677973366e38,
};
static const float s2d[] = {
    1.0f, 0.1f, -0.1f, 1e-40f, 0x1p-149f, 3.4028235e38f, -0.0f, __builtin_inff(),
    __builtin_nanf(""), -__builtin_nanf("0x5"), __builtin_nansf(""),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef uint64_t (*unop)(uint64_t, unsigned *);

static void run_mode(const char *rm)
{
    static const struct { const char *name; unop fn; } d2i[] = {
        {"fcvt.w.d", cvt_w_d}, {"fcvt.wu.d", cvt_wu_d}, {"fcvt.l.d", cvt_l_d}, {"fcvt.lu.d", cvt_lu_d},
    }, s2i[] = {
        {"fcvt.w.s", cvt_w_s}, {"fcvt.wu.s", cvt_wu_s}, {"fcvt.l.s", cvt_l_s}, {"fcvt.lu.s", cvt_lu_s},
    }, i2f[] = {
        {"fcvt.d.w", cvt_d_w}, {"fcvt.d.wu", cvt_d_wu}, {"fcvt.d.l", cvt_d_l}, {"fcvt.d.lu", cvt_d_lu},
        {"fcvt.s.w", cvt_s_w}, {"fcvt.s.wu", cvt_s_wu}, {"fcvt.s.l", cvt_s_l}, {"fcvt.s.lu", cvt_s_lu},
    };
    unsigned fl;
    uint64_t r;
    for (size_t o = 0; o < N(d2i); o++)
        for (size_t i = 0; i < N(dvals); i++) {
            uint64_t a = db(dvals[i]);
            r = d2i[o].fn(a, &fl);
            printf("%s %s %016llx -> %016llx %s\n", d2i[o].name, rm, U64(a), U64(r), flagstr(fl));
        }
    for (size_t o = 0; o < N(s2i); o++)
        for (size_t i = 0; i < N(fvals); i++) {
            uint64_t a = fb(fvals[i]);
            r = s2i[o].fn(a, &fl);
            printf("%s %s %08llx -> %016llx %s\n", s2i[o].name, rm, U64(a), U64(r), flagstr(fl));
        }
    for (size_t o = 0; o < N(i2f); o++)
        for (size_t i = 0; i < N(ivals); i++) {
            r = i2f[o].fn(ivals[i], &fl);
            printf("%s %s %016llx -> %016llx %s\n", i2f[o].name, rm, U64(ivals[i]), U64(r), flagstr(fl));
        }
    for (size_t i = 0; i < N(d2s); i++) {
        uint64_t a = db(d2s[i]);
        r = cvt_s_d(a, &fl);
        printf("fcvt.s.d %s %016llx -> %016llx %s\n", rm, U64(a), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(s2d); i++) {
        uint64_t a = fb(s2d[i]);
        r = cvt_d_s(a, &fl);
        printf("fcvt.d.s %s %08llx -> %016llx %s\n", rm, U64(a), U64(r), flagstr(fl));
    }
}

int main(void)
{
    static const int modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("# mode %s frm=%u\n", rm_names[m], get_frm());
        run_mode(rm_names[m]);
    }
    set_frm(4);
    printf("# mode rmm frm=%u\n", get_frm());
    run_mode("rmm");
    set_frm(0);

    /* C casts: gcc uses the static rtz form whatever frm says */
    fesetround(FE_UPWARD);
    volatile double d = -2.7, big = 1e20, nan = __builtin_nan("");
    volatile float f = 2.7f;
    printf("C casts under rup: (int)-2.7=%d (long)2.7f=%ld (unsigned)-2.7=%u (int)1e20=%d (long)nan=%ld\n",
           (int)d, (long)f, (unsigned)(int)d, (int)big, (long)nan);
    fesetround(FE_TONEAREST);
    return 0;
}
