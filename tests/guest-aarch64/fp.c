/* Scalar floating point: arithmetic in every rounding mode with the FPSR flags it raises,
 * NaN propagation (signaling before quiet, first operand first, the addend first in fused
 * ops), FPCR.DN and FPCR.FZ, conversions with saturation, round-to-integral, min/max, FCMP
 * flags, single/double/half conversions. Results print as bit patterns. */
#define _GNU_SOURCE
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits_d(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t bits_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static double dbl(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static float flt(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static uint64_t get_fpcr(void) { uint64_t v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" :: "r"(v)); }
static uint64_t get_fpsr(void) { uint64_t v; __asm__ volatile("mrs %0, fpsr" : "=r"(v)); return v; }
static void set_fpsr(uint64_t v) { __asm__ volatile("msr fpsr, %0" :: "r"(v)); }

#define OP2(name, insn, T, reg)                                                   \
    static T name(T a, T b) { T r; __asm__ volatile(insn " %" reg "0, %" reg "1, %" reg "2" \
                                                   : "=w"(r) : "w"(a), "w"(b)); return r; }
OP2(addd, "fadd", double, "d") OP2(subd, "fsub", double, "d") OP2(muld, "fmul", double, "d")
OP2(divd, "fdiv", double, "d") OP2(maxd, "fmax", double, "d") OP2(mind, "fmin", double, "d")
OP2(maxnmd, "fmaxnm", double, "d") OP2(minnmd, "fminnm", double, "d")
OP2(adds, "fadd", float, "s") OP2(muls, "fmul", float, "s") OP2(divs, "fdiv", float, "s")
OP2(nmuls, "fnmul", float, "s")

static double fmad(double a, double b, double c)
{
    double r;
    __asm__ volatile("fmadd %d0, %d1, %d2, %d3" : "=w"(r) : "w"(a), "w"(b), "w"(c));
    return r;
}

static void show_flags(const char *what, uint64_t bits)
{
    uint64_t f = get_fpsr();
    printf("%-28s %016llx  fpsr %02llx\n", what, (unsigned long long)bits, (unsigned long long)(f & 0x9f));
    set_fpsr(0);
}

static const uint64_t dvals[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3fb999999999999aull, 0x4024000000000000ull, 0x7fefffffffffffffull, 0x0010000000000000ull,
    0x000fffffffffffffull, 0x0000000000000001ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000001ull, 0xfff4000000000002ull, 0x3fe0000000000000ull, 0x4008000000000000ull,
};
#define ND (sizeof(dvals) / sizeof(dvals[0]))

int main(void)
{
    static const int modes[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
    static const char *const mode_names[4] = { "rn", "rp", "rm", "rz" };
    uint64_t h = 0;
    set_fpsr(0);
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        for (unsigned i = 0; i < ND; i++)
            for (unsigned j = 0; j < ND; j++) {
                double a = dbl(dvals[i]), b = dbl(dvals[j]);
                h = h * 31 + bits_d(addd(a, b));
                h = h * 31 + bits_d(subd(a, b));
                h = h * 31 + bits_d(muld(a, b));
                h = h * 31 + bits_d(divd(a, b));
                h = h * 31 + bits_d(fmad(a, b, dbl(dvals[(i + j) % ND])));
                h = h * 31 + bits_d(sqrt(a));
                h = h * 31 + bits_f(adds((float)a, (float)b));
                h = h * 31 + bits_f(divs((float)a, (float)b));
                h = h * 31 + get_fpsr();
                set_fpsr(0);
            }
        printf("mode %s: hash %016llx\n", mode_names[m], (unsigned long long)h);
    }
    fesetround(FE_TONEAREST);

    double third = divd(1.0, 3.0);
    show_flags("1/3", bits_d(third));
    show_flags("1/0", bits_d(divd(1.0, 0.0)));
    show_flags("0/0", bits_d(divd(0.0, 0.0)));
    show_flags("inf-inf", bits_d(subd(INFINITY, INFINITY)));
    show_flags("max*2", bits_d(muld(dbl(0x7fefffffffffffffull), 2.0)));
    show_flags("min/3 (underflow)", bits_d(divd(dbl(0x0010000000000000ull), 3.0)));
    show_flags("tiny before rounding", bits_d(muld(dbl(0x0010000000000001ull), dbl(0x3fefffffffffffffull))));
    show_flags("qnan + snan", bits_d(addd(dbl(0x7ff8000000000001ull), dbl(0x7ff0000000000002ull))));
    show_flags("qnan1 + qnan2", bits_d(addd(dbl(0x7ff8000000000001ull), dbl(0xfff8000000000002ull))));
    show_flags("snan + 1", bits_d(addd(dbl(0x7ff0000000000003ull), 1.0)));
    show_flags("fma(inf,0,qnan)", bits_d(fmad(INFINITY, 0.0, dbl(0x7ff8000000000005ull))));
    show_flags("fma(qnan,1,qnan)", bits_d(fmad(dbl(0x7ff8000000000006ull), 1.0, dbl(0x7ff8000000000007ull))));
    show_flags("fmax(-0,+0)", bits_d(maxd(-0.0, 0.0)));
    show_flags("fmin(-0,+0)", bits_d(mind(0.0, -0.0)));
    show_flags("fmaxnm(qnan,1)", bits_d(maxnmd(dbl(0x7ff8000000000001ull), 1.0)));
    show_flags("fminnm(1,snan)", bits_d(minnmd(1.0, dbl(0x7ff0000000000001ull))));
    show_flags("fmax(qnan,1)", bits_d(maxd(dbl(0x7ff8000000000009ull), 1.0)));
    show_flags("fnmul 2*3", bits_f(nmuls(2.0f, 3.0f)));
    show_flags("float 1e30*1e30", bits_f(muls(1e30f, 1e30f)));

    set_fpcr(get_fpcr() | 1u << 25); /* DN */
    show_flags("DN: qnan + 1", bits_d(addd(dbl(0xfff8000000000001ull), 1.0)));
    show_flags("DN: float snan", bits_f(adds(flt(0x7f800001u), 1.0f)));
    set_fpcr(get_fpcr() & ~(1u << 25));
    set_fpcr(get_fpcr() | 1u << 24); /* FZ */
    show_flags("FZ: denormal + 0", bits_d(addd(dbl(0x000fffffffffffffull), 0.0)));
    show_flags("FZ: min/3", bits_d(divd(dbl(0x0010000000000000ull), 3.0)));
    show_flags("FZ: float min*0.5", bits_f(muls(flt(0x00800000u), 0.5f)));
    set_fpcr(get_fpcr() & ~(1u << 24));
    printf("fpcr %llx\n", (unsigned long long)get_fpcr());

    /* conversions */
    static const double cv[] = { 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1e20, -1e20, 4294967295.5,
                                 -2147483648.7, 9.3e18, NAN, INFINITY, -INFINITY, -0.0, 0.49999999999999994 };
    for (unsigned i = 0; i < sizeof(cv) / sizeof(cv[0]); i++) {
        double d = cv[i];
        int64_t s64; uint64_t u64; int32_t s32; uint32_t u32; int64_t a, n, p, mi;
        __asm__ volatile("fcvtzs %0, %d1" : "=r"(s64) : "w"(d));
        __asm__ volatile("fcvtzu %0, %d1" : "=r"(u64) : "w"(d));
        __asm__ volatile("fcvtzs %w0, %d1" : "=r"(s32) : "w"(d));
        __asm__ volatile("fcvtzu %w0, %d1" : "=r"(u32) : "w"(d));
        __asm__ volatile("fcvtas %0, %d1" : "=r"(a) : "w"(d));
        __asm__ volatile("fcvtns %0, %d1" : "=r"(n) : "w"(d));
        __asm__ volatile("fcvtps %0, %d1" : "=r"(p) : "w"(d));
        __asm__ volatile("fcvtms %0, %d1" : "=r"(mi) : "w"(d));
        printf("cvt %-24a %lld %llu %d %u %lld %lld %lld %lld fpsr %02llx\n", d, (long long)s64,
               (unsigned long long)u64, s32, u32, (long long)a, (long long)n, (long long)p,
               (long long)mi, (unsigned long long)get_fpsr());
        set_fpsr(0);
        printf("rint %a %a %a %a %a %a %a fpsr %02llx\n", rint(d), nearbyint(d), floor(d), ceil(d),
               trunc(d), round(d), roundeven(d), (unsigned long long)get_fpsr());
        set_fpsr(0);
        float f = (float)d;
        __fp16 hf = (__fp16)d;
        printf("narrow %08x %04x back %016llx fpsr %02llx\n", bits_f(f), (unsigned)*(uint16_t *)&hf,
               (unsigned long long)bits_d((double)hf), (unsigned long long)get_fpsr());
        set_fpsr(0);
    }
    static const int64_t iv[] = { 0, 1, -1, 9007199254740993ll, -9007199254740993ll, INT64_MAX, INT64_MIN, 16777217 };
    for (unsigned i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
        double fix;
        __asm__ volatile("scvtf %d0, %1, #8" : "=w"(fix) : "r"(iv[i]));
        printf("int %lld -> %a %a %a %a fixed %a fpsr %02llx\n", (long long)iv[i], (double)iv[i],
               (double)(uint64_t)iv[i], (double)(float)iv[i], (double)(int32_t)iv[i], fix,
               (unsigned long long)get_fpsr());
        set_fpsr(0);
    }
    /* FCMP and FCMPE flags via comparisons */
    for (unsigned i = 0; i < ND; i += 3)
        for (unsigned j = 0; j < ND; j += 5) {
            double a = dbl(dvals[i]), b = dbl(dvals[j]);
            uint64_t nzcv;
            __asm__ volatile("fcmp %d1, %d2\n mrs %0, nzcv" : "=r"(nzcv) : "w"(a), "w"(b));
            printf("fcmp %016llx %016llx nzcv %llx lt %d le %d uo %d fpsr %02llx\n",
                   (unsigned long long)dvals[i], (unsigned long long)dvals[j],
                   (unsigned long long)nzcv >> 28, a < b, a <= b, isunordered(a, b),
                   (unsigned long long)get_fpsr());
            set_fpsr(0);
        }
    printf("libm %.17g %.17g %.17g %.9g\n", exp(1.0), log(10.0), sin(1.0), powf(2.0f, 0.5f));
    return 0;
}
