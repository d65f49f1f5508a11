/* Static rounding modes encoded in the instruction (e.g. fadd.d ...,rtz)
 * must override frm, which is set to a different mode meanwhile and must
 * be left unchanged. Covers arithmetic, fma, sqrt and conversions.
 * Format: op rm operands -> result flags   (rm = the static mode used) */
#include <string.h>
#include "fp.h"

#define DEFS(rm)                                                               \
    FP_BINX(fadd_d_##rm, "fmv.d.x", "fmv.x.d", "fadd.d", "," #rm)             \
    FP_BINX(fsub_s_##rm, "fmv.w.x", "fmv.x.d", "fsub.s", "," #rm)             \
    FP_BINX(fmul_d_##rm, "fmv.d.x", "fmv.x.d", "fmul.d", "," #rm)             \
    FP_BINX(fdiv_s_##rm, "fmv.w.x", "fmv.x.d", "fdiv.s", "," #rm)             \
    FP_BINX(fdiv_d_##rm, "fmv.d.x", "fmv.x.d", "fdiv.d", "," #rm)             \
    FP_UNX(fsqrt_d_##rm, "fmv.d.x", "fmv.x.d", "fsqrt.d", "," #rm)            \
    FP_UNX(fsqrt_s_##rm, "fmv.w.x", "fmv.x.d", "fsqrt.s", "," #rm)            \
    FP_TRIX(fmadd_d_##rm, "fmv.d.x", "fmv.x.d", "fmadd.d", "," #rm)           \
    FP_TRIX(fnmsub_s_##rm, "fmv.w.x", "fmv.x.d", "fnmsub.s", "," #rm)         \
    FP_TOINTX(fcvt_w_d_##rm, "fmv.d.x", "fcvt.w.d", "," #rm)                  \
    FP_TOINTX(fcvt_lu_s_##rm, "fmv.w.x", "fcvt.lu.s", "," #rm)                \
    FP_TOINTX(fcvt_l_d_##rm, "fmv.d.x", "fcvt.l.d", "," #rm)                  \
    FP_FROMINTX(fcvt_d_l_##rm, "fmv.x.d", "fcvt.d.l", "," #rm)                \
    FP_FROMINTX(fcvt_s_lu_##rm, "fmv.x.d", "fcvt.s.lu", "," #rm)              \
    FP_UNX(fcvt_s_d_##rm, "fmv.d.x", "fmv.x.d", "fcvt.s.d", "," #rm)

DEFS(rne) DEFS(rtz) DEFS(rdn) DEFS(rup) DEFS(rmm) DEFS(dyn)

typedef uint64_t (*unop)(uint64_t, unsigned *);
typedef uint64_t (*binop)(uint64_t, uint64_t, unsigned *);
typedef uint64_t (*triop)(uint64_t, uint64_t, uint64_t, unsigned *);

struct fns {
    binop fadd_d, fsub_s, fmul_d, fdiv_s, fdiv_d;
    unop fsqrt_d, fsqrt_s;
    triop fmadd_d, fnmsub_s;
    unop fcvt_w_d, fcvt_lu_s, fcvt_l_d, fcvt_d_l, fcvt_s_lu, fcvt_s_d;
};
#define FNS(rm) { fadd_d_##rm, fsub_s_##rm, fmul_d_##rm, fdiv_s_##rm, fdiv_d_##rm, fsqrt_d_##rm, \
                  fsqrt_s_##rm, fmadd_d_##rm, fnmsub_s_##rm, fcvt_w_d_##rm, fcvt_lu_s_##rm,       \
                  fcvt_l_d_##rm, fcvt_d_l_##rm, fcvt_s_lu_##rm, fcvt_s_d_##rm }
static const struct fns table[6] = { FNS(rne), FNS(rtz), FNS(rdn), FNS(rup), FNS(rmm), FNS(dyn) };

static uint64_t db(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static uint64_t fb(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }

static unsigned fl;
static const char *rmn;

static void p2(const char *op, int w, uint64_t a, uint64_t b, uint64_t r)
{
    printf("%s %s %0*llx %0*llx -> %016llx %s\n", op, rmn, w, U64(a), w, U64(b), U64(r), flagstr(fl));
}
static void p1(const char *op, int w, uint64_t a, uint64_t r)
{
    printf("%s %s %0*llx -> %016llx %s\n", op, rmn, w, U64(a), U64(r), flagstr(fl));
}
static void p3(const char *op, int w, uint64_t a, uint64_t b, uint64_t c, uint64_t r)
{
    printf("%s %s %0*llx %0*llx %0*llx -> %016llx %s\n", op, rmn, w, U64(a), w, U64(b), w, U64(c),
           U64(r), flagstr(fl));
}

static void run(const struct fns *f)
{
    static const double dadd[][2] = {{1, 0x1p-53}, {-1, -0x1p-53}, {1, -0x1p-54}, {0x1.0000000000001p0, 0x1p-53},
                                     {1, -1}, {0x1.fffffffffffffp1023, 0x1p971}, {1, 0x1.8p-53}};
    static const float fsub[][2] = {{1, -0x1p-24f}, {-1, 0x1p-24f}, {1, 0x1p-25f}, {0.5f, 0.5f},
                                    {0x1.fffffep127f, -0x1p104f}};
    static const double dmul[][2] = {{0x1.0000000000001p0, 0x1.0000000000001p0}, {0x1p-1074, 0.5},
                                     {-0x1p-1074, 0.5}, {0x1.fffffffcp-512, 0x1.00000002p-511}, {1e300, 1e10}};
    static const double ddiv[][2] = {{1, 3}, {-1, 3}, {2, 3}, {-2, 3}, {1, 10}};
    static const float fdiv[][2] = {{1, 3}, {-1, 3}, {2, 3}, {1, 10}, {0x1p-126f, 3}};
    static const double dsq[] = {2, 3, 5, 0x1.0000000000001p0, 0x1.fffffffffffffp-1};
    static const float fsq[] = {2, 3, 5, 0x1.000002p0f};
    static const double dfma[][3] = {{0x1.0000000000001p0, 0x1.0000000000001p0, -1}, {1, 1, -1},
                                     {1, 0x1p-53, 1}, {-1, 0x1p-53, -1}, {0.1, 10, -1}};
    static const float ffma[][3] = {{1, 0x1p-24f, 1}, {1, 1, 1}, {-1, 0x1.8p-24f, 1}, {0.1f, 10, -1}};
    static const double dcvt[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.7, -0.7, 2147483647.5, -2147483648.5,
                                  1e10, 0x1.fffffffffffffp62, -0x1p63, 1e19, __builtin_nan("")};
    static const float fcvt[] = {0.5f, 1.5f, 2.5f, -0.3f, -0.7f, -1, 0x1.fffffep63f, 0x1p64f, 1e10f};
    static const uint64_t icvt[] = {9007199254740993ULL, 0x7fffffffffffffffULL, 0x8000000000000001ULL,
                                    (uint64_t)-9007199254740993LL, 16777217, 0xffffffffffffffffULL};
    static const double d2s[] = {0.1, -0.1, 1e39, -1e39, 1e-46, 0x1.000001p0, 0x1.000003p0, -0x1.000001p0};
    uint64_t a, b, c;
    for (size_t i = 0; i < sizeof dadd / sizeof dadd[0]; i++) {
        a = db(dadd[i][0]); b = db(dadd[i][1]); p2("fadd.d", 16, a, b, f->fadd_d(a, b, &fl));
    }
    for (size_t i = 0; i < sizeof fsub / sizeof fsub[0]; i++) {
        a = fb(fsub[i][0]); b = fb(fsub[i][1]); p2("fsub.s", 8, a, b, f->fsub_s(a, b, &fl));
    }
    for (size_t i = 0; i < sizeof dmul / sizeof dmul[0]; i++) {
        a = db(dmul[i][0]); b = db(dmul[i][1]); p2("fmul.d", 16, a, b, f->fmul_d(a, b, &fl));
    }
    for (size_t i = 0; i < sizeof ddiv / sizeof ddiv[0]; i++) {
        a = db(ddiv[i][0]); b = db(ddiv[i][1]); p2("fdiv.d", 16, a, b, f->fdiv_d(a, b, &fl));
    }
    for (size_t i = 0; i < sizeof fdiv / sizeof fdiv[0]; i++) {
        a = fb(fdiv[i][0]); b = fb(fdiv[i][1]); p2("fdiv.s", 8, a, b, f->fdiv_s(a, b, &fl));
    }
    for (size_t i = 0; i < sizeof dsq / sizeof dsq[0]; i++) {
        a = db(dsq[i]); p1("fsqrt.d", 16, a, f->fsqrt_d(a, &fl));
    }
    for (size_t i = 0; i < sizeof fsq / sizeof fsq[0]; i++) {
        a = fb(fsq[i]); p1("fsqrt.s", 8, a, f->fsqrt_s(a, &fl));
    }
    for (size_t i = 0; i < sizeof dfma / sizeof dfma[0]; i++) {
        a = db(dfma[i][0]); b = db(dfma[i][1]); c = db(dfma[i][2]);
        p3("fmadd.d", 16, a, b, c, f->fmadd_d(a, b, c, &fl));
    }
    for (size_t i = 0; i < sizeof ffma / sizeof ffma[0]; i++) {
        a = fb(ffma[i][0]); b = fb(ffma[i][1]); c = fb(ffma[i][2]);
        p3("fnmsub.s", 8, a, b, c, f->fnmsub_s(a, b, c, &fl));
    }
    for (size_t i = 0; i < sizeof dcvt / sizeof dcvt[0]; i++) {
        a = db(dcvt[i]);
        p1("fcvt.w.d", 16, a, f->fcvt_w_d(a, &fl));
        p1("fcvt.l.d", 16, a, f->fcvt_l_d(a, &fl));
    }
    for (size_t i = 0; i < sizeof fcvt / sizeof fcvt[0]; i++) {
        a = fb(fcvt[i]); p1("fcvt.lu.s", 8, a, f->fcvt_lu_s(a, &fl));
    }
    for (size_t i = 0; i < sizeof icvt / sizeof icvt[0]; i++) {
        p1("fcvt.d.l", 16, icvt[i], f->fcvt_d_l(icvt[i], &fl));
        p1("fcvt.s.lu", 16, icvt[i], f->fcvt_s_lu(icvt[i], &fl));
    }
    for (size_t i = 0; i < sizeof d2s / sizeof d2s[0]; i++) {
        a = db(d2s[i]); p1("fcvt.s.d", 16, a, f->fcvt_s_d(a, &fl));
    }
}

int main(void)
{
    for (unsigned rm = 0; rm < 5; rm++) {
        /* frm deliberately differs from the static mode: the instruction must win */
        unsigned other = rm == 0 ? 3 : rm == 3 ? 2 : 0;
        set_frm(other);
        printf("# static %s with frm=%s\n", rm_names[rm], rm_names[get_frm()]);
        rmn = rm_names[rm];
        run(&table[rm]);
        printf("# frm after: %s\n", rm_names[get_frm()]);
    }
    /* explicit dyn suffix follows frm */
    for (unsigned rm = 0; rm < 5; rm++) {
        set_frm(rm);
        rmn = rm_names[rm];
        printf("# explicit dyn with frm=%s\n", rm_names[get_frm()]);
        run(&table[5]);
    }
    set_frm(0);
    return 0;
}
