/* The x87 FPU and MMX through what C programs use: long double arithmetic printed exactly
 * (%La) and in decimal (printf's %f/%Lf, which go through the x87 in glibc), the precision
 * and rounding controls, conversions to and from integers, glibc's fmodl/remainderl/
 * frexpl/ldexpl/logbl/rintl (FPREM, FPREM1, FXTRACT, FSCALE, FRNDINT), compares with NaNs,
 * the exception flags and environment (fenv.h), the transcendentals (to 15 digits: they are
 * not bit-exact under vm), MMX element ops with the tag word they leave, and the x87 state in
 * the signal frame (kept across a handler that uses the FPU, and changed through it). The
 * native run is the oracle. */
#include <fenv.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile long double vals[] = {
    0.0L, -0.0L, 1.0L, -1.5L, 3.0L, 0.1L, 1e10L, -7.25e-3L, 123456789.123456789L,
    LDBL_MAX, LDBL_MIN, LDBL_MIN / 3, 0x1p-16445L, 1e300L, 2.5L, -2.5L, 3.5L,
};
#define NV (sizeof(vals) / sizeof(vals[0]))

static void bits(const char *what, long double x)
{
    uint64_t m;
    uint16_t se;
    memcpy(&m, &x, 8);
    memcpy(&se, (char *)&x + 8, 2);
    printf("%s %04x:%016llx\n", what, se, (unsigned long long)m);
}

static unsigned short fpu_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

static void set_cw(unsigned short cw)
{
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

static void arithmetic(void)
{
    for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j += 3) {
            long double a = vals[i], b = vals[j];
            printf("%u %u: %La %La %La %La\n", i, j, a + b, a - b, a * b, b != 0 ? a / b : a);
        }
    for (unsigned i = 0; i < NV; i++)
        printf("sqrt %La\n", sqrtl(fabsl(vals[i])));
}

static void decimal(void)
{
    volatile double d = 3.14159265358979;
    printf("%f %e %g %.10f\n", d, d * 1e20, d / 1e9, d);
    printf("%Lf %Le %Lg %.25Lf\n", vals[8], vals[8], vals[5], vals[5]);
    printf("%.30Lg %Lg %Lg\n", vals[11], vals[9], vals[12]);
    printf("%f %f\n", 1.0 / 3, 2.0 / 3);
}

static void precision_and_rounding(void)
{
    unsigned short cw = fpu_cw();
    static const unsigned short pc[] = { 0x000, 0x200, 0x300 };
    for (unsigned p = 0; p < 3; p++) {
        set_cw((unsigned short)((cw & ~0x300) | pc[p]));
        long double q = vals[2] / vals[4], s = vals[8] * vals[5];
        set_cw(cw);
        bits("pc", q);
        bits("pc", s);
    }
    static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
    for (unsigned m = 0; m < 4; m++) {
        fesetround(modes[m]);
        long double q = vals[2] / vals[4];
        bits("rc", q);
        bits("rc", -q);
        printf("rint %La %La %La %ld %lld\n", rintl(vals[14]), rintl(vals[15]), nearbyintl(vals[16]),
               lrintl(vals[15]), llrintl(vals[8]));
        printf("cvt %.20Lg %La %a %a\n", (long double)0x7fffffffffffffffLL, vals[5],
               (double)vals[5], (float)vals[5]);
    }
    fesetround(FE_TONEAREST);
}

static void conversions(void)
{
    for (unsigned i = 0; i < NV; i++) {
        long double x = vals[i] * 1000;
        long long ll = fabsl(x) < 9e18L ? (long long)x : 0;
        int n = fabsl(x) < 2e9L ? (int)x : 0;
        short s = fabsl(x) < 32000 ? (short)x : 0;
        unsigned long long u = x >= 0 && x < 1.8e19L ? (unsigned long long)x : 0;
        printf("int %lld %d %d %llu %a %a\n", ll, n, s, u, (double)x, (float)x);
    }
    volatile long long big = -9007199254740993LL;
    volatile unsigned long long ubig = 18446744073709551615ULL;
    printf("from %La %La\n", (long double)big, (long double)ubig);
}

static void library(void)
{
    for (unsigned i = 0; i < NV; i++) {
        long double x = vals[i];
        int e;
        long double fr = frexpl(x, &e);
        long double ip;
        long double fp = modfl(x, &ip);
        printf("lib %La %d %La %La %La %La %La %La\n", fr, e, ldexpl(x, 100), ldexpl(x, -16000),
               logbl(x != 0 ? x : 1), fp, floorl(x), ceill(x));
        printf("rem %La %La %La\n", fmodl(x, 0.3L), remainderl(x, 0.3L),
               fmodl(1e300L, x != 0 && fabsl(x) < 1e100L ? x : 7));
    }
}

static void compares(void)
{
    volatile long double nan = NAN, one = 1;
    printf("cmp %d %d %d %d %d %d\n", nan < one, nan == nan, one <= one, isless(nan, one),
           isunordered(nan, one), one > nan);
    for (unsigned i = 0; i + 1 < NV; i++) {
        long double a = vals[i], b = vals[i + 1];
        long double m = a < b ? a : b;
        printf("min %La %d %d\n", m, a == b, a >= b);
    }
}

static void flags_and_env(void)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile long double z = 0, r = 1 / z;
    printf("divzero %La %d %d\n", r, fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INVALID) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    r = z / z;
    printf("invalid %d %d\n", isnan(r) != 0, fetestexcept(FE_INVALID) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    r = vals[9] * 2;
    printf("overflow %La %d %d\n", r, fetestexcept(FE_OVERFLOW) != 0, fetestexcept(FE_INEXACT) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    r = vals[10] / 1e10L;
    printf("underflow %La %d\n", r, fetestexcept(FE_UNDERFLOW) != 0);
    fenv_t env;
    feholdexcept(&env);
    r = 1 / z;
    printf("held %d\n", fetestexcept(FE_DIVBYZERO) != 0);
    feupdateenv(&env);
    printf("updated %d cw %04x\n", fetestexcept(FE_DIVBYZERO) != 0, fpu_cw());
    feclearexcept(FE_ALL_EXCEPT);
}

static void transcendentals(void)
{
    static const long double xs[] = { 0.5L, 1.0L, 2.0L, 10.0L, 0.001L, 100.0L };
    for (unsigned i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        long double x = xs[i];
        printf("tr %.15Lg %.15Lg %.15Lg %.15Lg %.15Lg %.15Lg %.15Lg %.15Lg\n", sinl(x), cosl(x),
               tanl(x), atan2l(x, 3), expl(x / 10), logl(x), log2l(x), powl(x, 0.37L));
    }
}

typedef int64_t m64;

static m64 mmx2(const char *op, m64 a, m64 b)
{
    m64 r = a;
    if (!strcmp(op, "paddb"))
        __asm__("movq %1, %%mm0\n\tmovq %2, %%mm1\n\tpaddb %%mm1, %%mm0\n\tmovq %%mm0, %0"
                : "=m"(r) : "m"(a), "m"(b) : "mm0", "mm1");
    else if (!strcmp(op, "pmullw"))
        __asm__("movq %1, %%mm2\n\tpmullw %2, %%mm2\n\tmovq %%mm2, %0" : "=m"(r) : "m"(a), "m"(b) : "mm2");
    else if (!strcmp(op, "punpckhbw"))
        __asm__("movq %1, %%mm3\n\tpunpckhbw %2, %%mm3\n\tmovq %%mm3, %0" : "=m"(r) : "m"(a), "m"(b) : "mm3");
    else if (!strcmp(op, "packsswb"))
        __asm__("movq %1, %%mm4\n\tpacksswb %2, %%mm4\n\tmovq %%mm4, %0" : "=m"(r) : "m"(a), "m"(b) : "mm4");
    else if (!strcmp(op, "psrlq"))
        __asm__("movq %1, %%mm5\n\tpsrlq $13, %%mm5\n\tpsllw %2, %%mm5\n\tmovq %%mm5, %0" : "=m"(r) : "m"(a), "m"(b) : "mm5");
    else if (!strcmp(op, "pshufw"))
        __asm__("pshufw $0x1b, %1, %%mm6\n\tpsadbw %2, %%mm6\n\tmovq %%mm6, %0" : "=m"(r) : "m"(a), "m"(b) : "mm6");
    else
        __asm__("movq %1, %%rax\n\tmovq %%rax, %%mm7\n\tpcmpgtw %2, %%mm7\n\tpmovmskb %%mm7, %%eax\n\t"
                "pextrw $2, %%mm7, %%ecx\n\tshl $16, %%rcx\n\tor %%rcx, %%rax\n\tmovq %%rax, %0"
                : "=m"(r) : "m"(a), "m"(b) : "rax", "rcx", "mm7");
    return r;
}

static void mmx(void)
{
    static const char *const ops[] = { "paddb", "pmullw", "punpckhbw", "packsswb", "psrlq", "pshufw", "pcmpgtw" };
    static const m64 in[] = { 0x0123456789abcdefLL, -2LL, 0x7f80ff017ffe8001LL, 5 };
    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
        for (unsigned i = 0; i < 4; i++)
            printf("%s %016llx\n", ops[o], (unsigned long long)mmx2(ops[o], in[i], in[(i + 1) % 4]));
    unsigned char env[28];
    __asm__ volatile("fnstenv %0" : "=m"(env));
    printf("tags after mmx %02x%02x sw %02x%02x\n", env[9], env[8], env[5], env[4]);
    __asm__ volatile("emms\n\tfnstenv %0" : "=m"(env));
    printf("tags after emms %02x%02x\n", env[9], env[8]);
    __asm__ volatile("fldcw %0" : : "m"(env)); /* fnstenv masked the exceptions: restore */
}

static volatile long double handler_result;

static void on_usr1(int sig, siginfo_t *info, void *uc_)
{
    (void)info;
    ucontext_t *uc = uc_;
    volatile long double x = sig;
    handler_result = sqrtl(x) / 3; /* the handler's own use of the stack */
    printf("handler cw %04x sw.top %d\n", uc->uc_mcontext.fpregs->cwd,
           uc->uc_mcontext.fpregs->swd >> 11 & 7);
    uc->uc_mcontext.fpregs->cwd = (uint16_t)((uc->uc_mcontext.fpregs->cwd & ~0xc00) | 0x400);
}

static void signal_frame(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    long double a = 1.25L, b = -3e100L, out[2];
    long pid = getpid(), rc;
    /* two values on the stack across the signal, raised from inside the asm */
    __asm__ volatile("fldt %3\n\tfldt %4\n\tsyscall\n\tfstpt %1\n\tfstpt %2"
                     : "=a"(rc), "=m"(out[0]), "=m"(out[1])
                     : "m"(a), "m"(b), "a"((long)SYS_kill), "D"(pid), "S"((long)SIGUSR1)
                     : "rcx", "r11", "memory");
    printf("kept %ld %La %La handler %La cw %04x\n", rc, out[0], out[1], handler_result,
           fpu_cw());
    set_cw(0x37f);
}

int main(void)
{
    arithmetic();
    decimal();
    precision_and_rounding();
    conversions();
    library();
    compares();
    flags_and_env();
    transcendentals();
    mmx();
    signal_frame();
    return 0;
}
