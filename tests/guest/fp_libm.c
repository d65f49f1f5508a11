/* glibc libm on the guest: elementary functions, rounding functions under
 * each rounding mode, fma(), frexp/ldexp/modf, float variants. Results are
 * printed as exact hex bits; they depend only on the (same) glibc build and
 * on correct emulation of the F/D instructions it executes. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static unsigned long long bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static unsigned fbits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }

int main(void)
{
    static const double xs[] = {0.5, 1.0, 2.0, 3.14159, -0.75, 10.0, 1e-5, 100.5, 1e10, -7.25};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        volatile double x = xs[i];
        printf("x=%-8g sin=%016llx cos=%016llx tan=%016llx exp=%016llx log|x|=%016llx\n", x,
               bits(sin(x)), bits(cos(x)), bits(tan(x)), bits(exp(x)), bits(log(fabs(x))));
        printf("           atan=%016llx sinh=%016llx cbrt=%016llx pow(x,1.5)=%016llx erf=%016llx\n",
               bits(atan(x)), bits(sinh(x)), bits(cbrt(x)), bits(pow(fabs(x), 1.5)), bits(erf(x)));
        printf("           lgamma=%016llx log2=%016llx exp2=%016llx expm1=%016llx log1p=%016llx\n",
               bits(lgamma(x)), bits(log2(fabs(x))), bits(exp2(x)), bits(expm1(x)), bits(log1p(fabs(x))));
        float f = (float)x;
        printf("           sinf=%08x expf=%08x logf=%08x powf=%08x sqrtf=%08x\n", fbits(sinf(f)),
               fbits(expf(f)), fbits(logf(fabsf(f))), fbits(powf(fabsf(f), 0.75f)), fbits(sqrtf(fabsf(f))));
    }
    volatile double y = 3.0, z = -4.0;
    printf("atan2=%016llx hypot=%016llx fmod=%016llx remainder=%016llx\n", bits(atan2(y, z)),
           bits(hypot(y, z)), bits(fmod(10.5, y)), bits(remainder(10.5, y)));
    printf("fma(0.1,10,-1)=%a  0.1*10-1=%a\n", fma(0.1, 10.0, -1.0), (volatile double)0.1 * 10.0 - 1.0);
    printf("fmaf=%a\n", (double)fmaf(0.1f, 10.0f, -1.0f));

    int e;
    double mant = frexp(1234.5, &e);
    double ip;
    double fr = modf(-3.75, &ip);
    printf("frexp(1234.5)=%a,%d ldexp(1,-1074)=%a ldexp(1,1024)=%g modf(-3.75)=%g,%g\n", mant, e,
           ldexp(1.0, -1074), ldexp(1.0, 1024), fr, ip);
    printf("ilogb(0x1p-1060)=%d logb(1e300)=%g nextafter(1,2)=%a copysign(3,-0.)=%g\n", ilogb(0x1p-1060),
           logb(1e300), nextafter(1.0, 2.0), copysign(3.0, -0.0));
    printf("isnan=%d isinf=%d signbit(-0.)=%d fpclassify(denorm)==FP_SUBNORMAL: %d\n", isnan(NAN) != 0,
           isinf(-INFINITY) != 0, signbit(-0.0) != 0, fpclassify(1e-310) == FP_SUBNORMAL);

    /* rounding functions, nearbyint/rint/lrint depend on the current mode */
    static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    static const char *mn[] = {"nearest", "towardzero", "downward", "upward"};
    static const double rs[] = {2.5, 3.5, -2.5, -0.5, 1.2, -1.7, 1e16 + 1};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("%-10s:", mn[m]);
        for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
            volatile double r = rs[i];
            printf(" [%g: rint=%g nearbyint=%g lrint=%ld round=%g trunc=%g floor=%g ceil=%g]", r, rint(r),
                   nearbyint(r), lrint(r), round(r), trunc(r), floor(r), ceil(r));
        }
        volatile double third = 1.0, three = 3.0;
        printf(" 1/3=%a\n", third / three);
    }
    fesetround(FE_TONEAREST);

    /* exceptions raised by libm calls */
    feclearexcept(FE_ALL_EXCEPT);
    volatile double neg = -1.0;
    volatile double r1 = sqrt(neg);
    printf("sqrt(-1) is nan: %d FE_INVALID: %d\n", isnan(r1), fetestexcept(FE_INVALID) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r2 = log(0.0 * neg);
    printf("log(-0)=%g FE_DIVBYZERO: %d\n", r2, fetestexcept(FE_DIVBYZERO) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r3 = exp(1000.0);
    printf("exp(1000)=%g FE_OVERFLOW: %d\n", r3, fetestexcept(FE_OVERFLOW) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    feraiseexcept(FE_UNDERFLOW | FE_INEXACT);
    printf("feraiseexcept -> %x\n", fetestexcept(FE_ALL_EXCEPT));
    fenv_t env;
    fegetenv(&env);
    fesetround(FE_UPWARD);
    feclearexcept(FE_ALL_EXCEPT);
    fesetenv(&env);
    printf("fesetenv restored: round=%d except=%x\n", fegetround(), fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    return 0;
}
