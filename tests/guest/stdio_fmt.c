/* printf-family formatting and number parsing: integer conversions and
 * flags, %f %e %g %a of doubles (incl. rounding, inf/nan, -0, denormals),
 * long double (binary128, soft-float in libgcc), snprintf truncation,
 * strtod/strtof/strtold/strtol/strtoull with errno, sscanf. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    /* integers */
    printf("[%d] [%i] [%u] [%x] [%X] [%o] [%c] [%s]\n", -42, 42, 42u, 0xbeefu, 0xbeefu, 8u, 'z', "str");
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%#x] [%#o] [%*d] [%-*d]\n",
           42, 42, 42, 42, 42, 7, 255u, 8u, 6, -3, 6, -3);
    printf("[%hhd] [%hhu] [%hd] [%hu] [%ld] [%lu] [%lld] [%llx]\n", (signed char)-1, (unsigned char)255,
           (short)-32768, (unsigned short)65535, LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX);
    printf("[%zu] [%zd] [%jd] [%" PRId64 "] [%" PRIx32 "] [%td]\n", (size_t)123, (ssize_t)-5,
           (intmax_t)INT64_MAX, (int64_t)-1, (uint32_t)0xdeadbeef, (ptrdiff_t)-77);
    printf("[%s] [%.2s] [%10.3s] [%-10s] [%%]\n", "hello", "hello", "hello", "hi");

    /* doubles */
    static const double ds[] = {
        0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 2.5, 3.5, 0.125, 123456789.0, 1e21, 1e-5, 1e-7,
        1.7976931348623157e308, 2.2250738585072014e-308, 4.9406564584124654e-324, 6.02214076e23,
        -9.999999e-10, 0.5e-300, __builtin_inf(), -__builtin_inf(), __builtin_nan(""),
    };
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double d = ds[i];
        printf("%%f=%f %%.0f=%.0f %%.3f=%.3f %%e=%e %%.2e=%.2E %%g=%g %%.10g=%.10g %%#g=%#g %%a=%a %%.17g=%.17g\n",
               d, d, d, d, d, d, d, d, d, d);
    }
    printf("[%10.4f] [%-10.2f] [%+.1f] [% .2f] [%010.3f] [%.0e] [%#.0f] [%G]\n",
           3.14159265, 2.71828, 0.05, 1.005, -3.5, 12345.0, 7.0, 1e-10);
    printf("round-half-even in printf: %.0f %.0f %.0f %.0f %.1f %.2f\n", 0.5, 1.5, 2.5, -0.5, 0.25, 1.005);
    printf("%.60f\n", 0.1);
    printf("%.40e\n", 1e300);
    printf("%f\n", 1e300);
    printf("float via double: %f %a %.9g\n", (double)3.4028235e38f, (double)1e-45f, (double)0.1f);

    /* long double is IEEE binary128 on riscv64 (software arithmetic) */
    long double ld = 1.0L / 3.0L;
    long double ld2 = (long double)0.1 * 10.0L - 1.0L;
    printf("long double: %.36Lg %La %Le\n", ld, ld, ld2);
    printf("LDBL_MANT_DIG=%d LDBL_MAX=%Lg sqrt-ish=%.30Lf\n", LDBL_MANT_DIG, LDBL_MAX, ld * ld * 9.0L);

    /* snprintf */
    char buf[16];
    /* volatile operands keep gcc from computing the results at compile time */
    const char *volatile word8 = "abcdefgh", *volatile xyz = "xyz";
    volatile size_t one = 1;
    int n = snprintf(buf, sizeof buf, "%s-%d-%f", word8, 123456, 2.5);
    printf("snprintf ret=%d buf=[%s]\n", n, buf);
    n = snprintf(NULL, 0, "%0100zu", one);
    printf("snprintf(NULL,0) ret=%d\n", n);
    n = snprintf(buf, one, "%s", xyz);
    printf("snprintf size 1 ret=%d buf=[%s]\n", n, buf);

    /* strtod and friends */
    static const char *nums[] = {
        "0", "-0", "1e308", "1e309", "-1e309", "1e-320", "1e-400", "0x1.8p1", "0X.8P-2", "inf",
        "-Infinity", "nan", "NAN(123)", "  +3.25xyz", "2.2250738585072011e-308", ".5", "5.",
        "1.00000000000000011102230246251565404236316680908203125", "abc", "",
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(nums[i], &end);
        int e1 = errno;
        errno = 0;
        float f = strtof(nums[i], NULL);
        int e2 = errno;
        uint64_t bits;
        uint32_t fbits;
        memcpy(&bits, &d, 8);
        memcpy(&fbits, &f, 4);
        printf("strtod(\"%s\") = %.17g [%016llx] used=%d erange=%d | strtof %08x erange=%d\n", nums[i], d,
               (unsigned long long)bits, (int)(end - nums[i]), e1 == ERANGE, (unsigned)fbits, e2 == ERANGE);
    }
    printf("strtold(\"0.1\") = %.40Lg\n", strtold("0.1", NULL));

    static const char *ints[] = {"0", "-1", "9223372036854775807", "9223372036854775808",
                                 "-9223372036854775809", "0x7f", "0777", "  -12abc", "18446744073709551615",
                                 "18446744073709551616", "-1"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        errno = 0;
        long l = strtol(ints[i], NULL, 0);
        int e1 = errno;
        errno = 0;
        unsigned long long u = strtoull(ints[i], NULL, 10);
        int e2 = errno;
        printf("strtol(\"%s\",0)=%ld erange=%d strtoull(10)=%llu erange=%d\n", ints[i], l, e1 == ERANGE, u,
               e2 == ERANGE);
    }
    printf("strtol base 36: %ld, base 2: %ld, atoi: %d\n", strtol("zz", NULL, 36), strtol("-1011", NULL, 2),
           atoi("  42x"));

    int a, cnt;
    double d;
    char word[8];
    cnt = sscanf("  17 3.5e2 hello", "%d %lf %7s", &a, &d, word);
    printf("sscanf cnt=%d a=%d d=%g word=%s\n", cnt, a, d, word);
    cnt = sscanf("x", "%d", &a);
    printf("sscanf mismatch cnt=%d\n", cnt);
    return 0;
}
