/* F and D arithmetic: fadd fsub fmul fdiv fsqrt fmadd fmsub fnmadd fnmsub,
 * in each of the 5 dynamic rounding modes (4 set with fesetround, RMM with
 * fsrm since glibc has no name for it), printing result bits and fflags.
 * Cases target ties, overflow, underflow (tininess after rounding), exact
 * zero signs, invalid ops, NaN canonicalisation. Format:
 *   op rm operands... -> result flags   (flags "VZOUX" = NV DZ OF UF NX) */
#include <fenv.h>
#include <string.h>
#include "fp.h"

FP_BIN(fadd_d, "fmv.d.x", "fmv.x.d", "fadd.d")
FP_BIN(fsub_d, "fmv.d.x", "fmv.x.d", "fsub.d")
FP_BIN(fmul_d, "fmv.d.x", "fmv.x.d", "fmul.d")
FP_BIN(fdiv_d, "fmv.d.x", "fmv.x.d", "fdiv.d")
FP_UN(fsqrt_d, "fmv.d.x", "fmv.x.d", "fsqrt.d")
FP_TRI(fmadd_d, "fmv.d.x", "fmv.x.d", "fmadd.d")
FP_TRI(fmsub_d, "fmv.d.x", "fmv.x.d", "fmsub.d")
FP_TRI(fnmadd_d, "fmv.d.x", "fmv.x.d", "fnmadd.d")
FP_TRI(fnmsub_d, "fmv.d.x", "fmv.x.d", "fnmsub.d")
FP_BIN(fadd_s, "fmv.w.x", "fmv.x.d", "fadd.s")
FP_BIN(fsub_s, "fmv.w.x", "fmv.x.d", "fsub.s")
FP_BIN(fmul_s, "fmv.w.x", "fmv.x.d", "fmul.s")
FP_BIN(fdiv_s, "fmv.w.x", "fmv.x.d", "fdiv.s")
FP_UN(fsqrt_s, "fmv.w.x", "fmv.x.d", "fsqrt.s")
FP_TRI(fmadd_s, "fmv.w.x", "fmv.x.d", "fmadd.s")
FP_TRI(fmsub_s, "fmv.w.x", "fmv.x.d", "fmsub.s")
FP_TRI(fnmadd_s, "fmv.w.x", "fmv.x.d", "fnmadd.s")
FP_TRI(fnmsub_s, "fmv.w.x", "fmv.x.d", "fnmsub.s")

#define QNAN __builtin_nan("")
#define QNANP (-__builtin_nan("0x123"))   /* negative quiet NaN with payload */
#define SNAN __builtin_nans("")
#define INF __builtin_inf()
#define DMAX 0x1.fffffffffffffp1023
#define DMINN 0x1p-1022
#define DMINS 0x1p-1074
#define QNANF __builtin_nanf("")
#define QNANPF (-__builtin_nanf("0x123"))
#define SNANF __builtin_nansf("")
#define INFF __builtin_inff()
#define FMAX 0x1.fffffep127f
#define FMINN 0x1p-126f
#define FMINS 0x1p-149f

static uint64_t db(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static uint64_t fb(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }

struct d2 { double a, b; };
struct d3 { double a, b, c; };
struct f2 { float a, b; };
struct f3 { float a, b, c; };

static const struct d2 add_d[] = {
    {1, 0x1p-53}, {1, 0x1.8p-53}, {0x1.0000000000001p0, 0x1p-53}, {-1, -0x1p-53},
    {1, -0x1p-54}, {1, -1}, {0.0, -0.0}, {-0.0, -0.0}, {DMAX, DMAX}, {-DMAX, -DMAX},
    {DMAX, 0x1p970}, {DMINS, DMINS}, {DMINN, -DMINS}, {INF, -INF}, {INF, 1}, {-INF, -INF},
    {QNAN, 1}, {QNANP, 1}, {SNAN, 1}, {1, SNAN}, {QNAN, SNAN}, {1e300, 1e-300}, {0.1, 0.2},
    {-0.1, 0.3}, {0x1p-1022, 0x1.8p-1074},
};
static const struct d2 mul_d[] = {
    {0x1.0000000000001p0, 0x1.0000000000001p0}, {0x1.0000000000001p0, 0x1.fffffffffffffp-1},
    {-0x1.0000000000001p0, 0x1.0000000000001p0}, {DMAX, 2}, {-DMAX, 2}, {DMINN, 0.5},
    {DMINN, 0x1.fffffffffffffp-1},
    {0x1.fffffffcp-512, 0x1.00000002p-511},  /* exact product (1-2^-54)*2^-1022: tiny only before rounding */
    {DMINS, 0.5}, {-DMINS, 0.5}, {DMINS, 0.75}, {0.0, INF}, {-0.0, 5}, {-2, 3}, {INF, -2},
    {SNAN, 0}, {QNAN, INF}, {1e300, 1e10}, {1e-300, 1e-300}, {3, 0x1.5555555555555p-2},
    {0.1, 0.1}, {-0.0, -0.0},
};
static const struct d2 div_d[] = {
    {1, 3}, {-1, 3}, {2, 3}, {1, 10}, {1, 0}, {-1, 0}, {1, -0.0}, {0, 0}, {INF, INF},
    {1, INF}, {-1, INF}, {INF, 0}, {DMAX, 0.5}, {DMINN, 0x1p60}, {DMINN, 3}, {QNAN, 0},
    {SNAN, 1}, {0, QNAN}, {-0.0, 7}, {DMINS, 2}, {DMINS, -2}, {DMINS, 1.5},
};
static const double sqrt_d[] = {
    2, 3, 4, 0.25, 0.0, -0.0, -1, INF, -INF, QNAN, QNANP, SNAN, DMINS, DMAX,
    0x1.0000000000001p0, -DMINS, 1e-310, 0x1.fffffffffffffp-1,
};
static const struct d3 fma_d[] = {
    {0x1.00000004p0, 0x1.fffffff8p-1, -1},  /* (1+2^-30)(1-2^-30)-1 = -2^-60 exactly */
    {1, 1, -1}, {-1, 1, 1}, {-0.0, 1, -0.0}, {0.0, 1, -0.0}, {2, 3, 1},
    {INF, 0, QNAN}, {0, INF, QNAN}, {INF, 1, -INF}, {INF, 1, INF}, {DMAX, 2, -DMAX},
    {1, 0x1p-53, 1}, {-1, 0x1p-53, -1}, {QNAN, 1, 1}, {1, 1, SNAN}, {SNAN, 0, INF},
    {DMINN, 0.5, -0.0}, {0.1, 10, -1}, {0x1.0000000000001p0, 0x1.0000000000001p0, -1},
    {DMAX, DMAX, -INF}, {DMINS, DMINS, 0}, {DMINS, -DMINS, -0.0}, {1e308, 10, -1e308},
};

static const struct f2 add_s[] = {
    {1, 0x1p-24f}, {1, 0x1.8p-24f}, {0x1.000002p0f, 0x1p-24f}, {-1, -0x1p-24f},
    {1, -0x1p-25f}, {1, -1}, {0.0f, -0.0f}, {-0.0f, -0.0f}, {FMAX, FMAX}, {-FMAX, -FMAX},
    {FMAX, 0x1p103f}, {FMINS, FMINS}, {FMINN, -FMINS}, {INFF, -INFF}, {INFF, 1},
    {QNANF, 1}, {QNANPF, 1}, {SNANF, 1}, {1, SNANF}, {1e30f, 1e-30f}, {0.1f, 0.2f},
};
static const struct f2 mul_s[] = {
    {0x1.000002p0f, 0x1.000002p0f}, {0x1.000002p0f, 0x1.fffffep-1f}, {FMAX, 2}, {-FMAX, 2},
    {FMINN, 0.5f}, {FMINN, 0x1.fffffep-1f},
    {0x1.fffp-64f, 0x1.001p-63f},  /* exact product (1-2^-24)*2^-126: tiny only before rounding */
    {FMINS, 0.5f}, {-FMINS, 0.5f}, {FMINS, 0.75f}, {0.0f, INFF}, {-0.0f, 5}, {SNANF, 0},
    {QNANF, INFF}, {1e30f, 1e10f}, {1e-30f, 1e-30f}, {0.1f, 0.1f},
};
static const struct f2 div_s[] = {
    {1, 3}, {-1, 3}, {2, 3}, {1, 10}, {1, 0}, {-1, 0}, {0, 0}, {INFF, INFF}, {INFF, 0},
    {FMAX, 0.5f}, {FMINN, 0x1p30f}, {FMINN, 3}, {QNANF, 0}, {SNANF, 1}, {FMINS, 2},
};
static const float sqrt_s[] = {
    2, 3, 4, 0.0f, -0.0f, -1, INFF, -INFF, QNANF, SNANF, FMINS, FMAX, 0x1.000002p0f, -FMINS,
};
static const struct f3 fma_s[] = {
    {0x1.0008p0f, 0x1.ffep-1f, -1},  /* (1+2^-12)(1-2^-12)-1 = -2^-24 exactly */
    {1, 1, -1}, {-1, 1, 1}, {-0.0f, 1, -0.0f}, {2, 3, 1}, {INFF, 0, QNANF}, {INFF, 1, -INFF},
    {FMAX, 2, -FMAX}, {1, 0x1p-24f, 1}, {QNANF, 1, 1}, {1, 1, SNANF}, {0.1f, 10, -1},
    {0x1.000002p0f, 0x1.000002p0f, -1},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void run_mode(const char *rm)
{
    unsigned fl;
    uint64_t r;
    for (size_t i = 0; i < N(add_d); i++) {
        uint64_t a = db(add_d[i].a), b = db(add_d[i].b);
        r = fadd_d(a, b, &fl); printf("fadd.d %s %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
        r = fsub_d(a, b, &fl); printf("fsub.d %s %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(mul_d); i++) {
        uint64_t a = db(mul_d[i].a), b = db(mul_d[i].b);
        r = fmul_d(a, b, &fl); printf("fmul.d %s %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(div_d); i++) {
        uint64_t a = db(div_d[i].a), b = db(div_d[i].b);
        r = fdiv_d(a, b, &fl); printf("fdiv.d %s %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(sqrt_d); i++) {
        uint64_t a = db(sqrt_d[i]);
        r = fsqrt_d(a, &fl); printf("fsqrt.d %s %016llx -> %016llx %s\n", rm, U64(a), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(fma_d); i++) {
        uint64_t a = db(fma_d[i].a), b = db(fma_d[i].b), c = db(fma_d[i].c);
        r = fmadd_d(a, b, c, &fl);  printf("fmadd.d %s %016llx %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fmsub_d(a, b, c, &fl);  printf("fmsub.d %s %016llx %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fnmadd_d(a, b, c, &fl); printf("fnmadd.d %s %016llx %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fnmsub_d(a, b, c, &fl); printf("fnmsub.d %s %016llx %016llx %016llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(add_s); i++) {
        uint64_t a = fb(add_s[i].a), b = fb(add_s[i].b);
        r = fadd_s(a, b, &fl); printf("fadd.s %s %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
        r = fsub_s(a, b, &fl); printf("fsub.s %s %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(mul_s); i++) {
        uint64_t a = fb(mul_s[i].a), b = fb(mul_s[i].b);
        r = fmul_s(a, b, &fl); printf("fmul.s %s %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(div_s); i++) {
        uint64_t a = fb(div_s[i].a), b = fb(div_s[i].b);
        r = fdiv_s(a, b, &fl); printf("fdiv.s %s %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(sqrt_s); i++) {
        uint64_t a = fb(sqrt_s[i]);
        r = fsqrt_s(a, &fl); printf("fsqrt.s %s %08llx -> %016llx %s\n", rm, U64(a), U64(r), flagstr(fl));
    }
    for (size_t i = 0; i < N(fma_s); i++) {
        uint64_t a = fb(fma_s[i].a), b = fb(fma_s[i].b), c = fb(fma_s[i].c);
        r = fmadd_s(a, b, c, &fl);  printf("fmadd.s %s %08llx %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fmsub_s(a, b, c, &fl);  printf("fmsub.s %s %08llx %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fnmadd_s(a, b, c, &fl); printf("fnmadd.s %s %08llx %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
        r = fnmsub_s(a, b, c, &fl); printf("fnmsub.s %s %08llx %08llx %08llx -> %016llx %s\n", rm, U64(a), U64(b), U64(c), U64(r), flagstr(fl));
    }
}

int main(void)
{
    static const int modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    for (int m = 0; m < 4; m++) {
        int rc = fesetround(modes[m]);
        printf("# fesetround(%s) = %d, fegetround() == mode: %d, frm = %u\n",
               rm_names[m], rc, fegetround() == modes[m], get_frm());
        run_mode(rm_names[m]);
    }
    set_frm(4);
    printf("# fsrm 4: frm = %u, fegetround() = %d\n", get_frm(), fegetround());
    run_mode("rmm");
    set_frm(0);
    /* glibc rejects rounding modes it has no name for */
    printf("# fesetround(4) rejected: %d, frm = %u\n", fesetround(4) != 0, get_frm());
    return 0;
}
