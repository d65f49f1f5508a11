/* F and D non-arithmetic ops: fmin/fmax (NaN and signed-zero rules), fsgnj
 * family (no NaN canonicalisation, no flags), feq (quiet) / flt / fle
 * (signalling), fclass (all 10 classes), fmv.x.w / fmv.w.x / fmv.x.d /
 * fmv.d.x, flw/fsw/fld/fsd bit preservation, and NaN-boxing: a single op on
 * a register that does not hold a NaN-boxed value must see the canonical NaN.
 * Single operands are given as full 64-bit register images (moved in with
 * fmv.d.x) so that boxing is explicit. Format: op - operands -> result flags */
#include "fp.h"

#define D(x) ((uint64_t)(x))
#define S(x) (0xffffffff00000000ULL | (uint32_t)(x))   /* NaN-boxed single */

FP_BIN(fmin_d, "fmv.d.x", "fmv.x.d", "fmin.d")
FP_BIN(fmax_d, "fmv.d.x", "fmv.x.d", "fmax.d")
FP_BIN(fmin_s, "fmv.d.x", "fmv.x.d", "fmin.s")
FP_BIN(fmax_s, "fmv.d.x", "fmv.x.d", "fmax.s")
FP_BIN(fsgnj_d, "fmv.d.x", "fmv.x.d", "fsgnj.d")
FP_BIN(fsgnjn_d, "fmv.d.x", "fmv.x.d", "fsgnjn.d")
FP_BIN(fsgnjx_d, "fmv.d.x", "fmv.x.d", "fsgnjx.d")
FP_BIN(fsgnj_s, "fmv.d.x", "fmv.x.d", "fsgnj.s")
FP_BIN(fsgnjn_s, "fmv.d.x", "fmv.x.d", "fsgnjn.s")
FP_BIN(fsgnjx_s, "fmv.d.x", "fmv.x.d", "fsgnjx.s")
FP_CMP(feq_d, "fmv.d.x", "feq.d")
FP_CMP(flt_d, "fmv.d.x", "flt.d")
FP_CMP(fle_d, "fmv.d.x", "fle.d")
FP_CMP(feq_s, "fmv.d.x", "feq.s")
FP_CMP(flt_s, "fmv.d.x", "flt.s")
FP_CMP(fle_s, "fmv.d.x", "fle.s")
FP_TOINT(fclass_d, "fmv.d.x", "fclass.d")
FP_TOINT(fclass_s, "fmv.d.x", "fclass.s")
FP_TOINT(fmv_x_w, "fmv.d.x", "fmv.x.w")
FP_FROMINT(fmv_w_x, "fmv.x.d", "fmv.w.x")
/* NaN-boxing probes: single ops fed a raw 64-bit register image */
FP_BIN(fadd_s, "fmv.d.x", "fmv.x.d", "fadd.s")
FP_BIN(fmul_s, "fmv.d.x", "fmv.x.d", "fmul.s")
FP_UN(fsqrt_s, "fmv.d.x", "fmv.x.d", "fsqrt.s")
FP_UN(fcvt_d_s, "fmv.d.x", "fmv.x.d", "fcvt.d.s")
FP_TOINT(fcvt_w_s, "fmv.d.x", "fcvt.w.s")
FP_TRI(fmadd_s, "fmv.d.x", "fmv.x.d", "fmadd.s")
FP_BIN(fadd_d, "fmv.d.x", "fmv.x.d", "fadd.d")

typedef uint64_t (*binop)(uint64_t, uint64_t, unsigned *);
typedef uint64_t (*unop)(uint64_t, unsigned *);

static const uint64_t dv[] = {
    D(0x0000000000000000), D(0x8000000000000000), D(0x3ff0000000000000), D(0xbff0000000000000),
    D(0x0000000000000001), D(0x7ff0000000000000), D(0xfff0000000000000),
    D(0x7ff8000000000000), D(0xfff8000000000123), D(0x7ff0000000000001), D(0xfff4000000000000),
};
static const uint64_t sv[] = {
    S(0x00000000), S(0x80000000), S(0x3f800000), S(0xbf800000), S(0x00000001), S(0x7f800000),
    S(0xff800000), S(0x7fc00000), S(0xffc00123), S(0x7f800001), S(0xffa00000),
    0x000000003f800000ULL /* not boxed: reads as canonical NaN */,
};
static const uint64_t dclass[] = {
    D(0xfff0000000000000), D(0xbff0000000000000), D(0x800fffffffffffff), D(0x8000000000000000),
    D(0x0000000000000000), D(0x0000000000000001), D(0x3ff0000000000000), D(0x7ff0000000000000),
    D(0x7ff0000000000001), D(0x7ff8000000000000), D(0xfff7ffffffffffff), D(0xffffffffffffffff),
};
static const uint64_t sclass[] = {
    S(0xff800000), S(0xbf800000), S(0x807fffff), S(0x80000000), S(0x00000000), S(0x00000001),
    S(0x3f800000), S(0x7f800000), S(0x7f800001), S(0x7fc00000), S(0xffbfffff), S(0xffffffff),
    0x000000003f800000ULL, 0xfffffffe7f800000ULL, 0x7ff0000000000000ULL,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void all_pairs(const char *name, binop fn, const uint64_t *v, size_t n)
{
    unsigned fl;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            uint64_t r = fn(v[i], v[j], &fl);
            printf("%s - %016llx %016llx -> %016llx %s\n", name, U64(v[i]), U64(v[j]), U64(r), flagstr(fl));
        }
}

static void each(const char *name, unop fn, const uint64_t *v, size_t n)
{
    unsigned fl;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = fn(v[i], &fl);
        printf("%s - %016llx -> %016llx %s\n", name, U64(v[i]), U64(r), flagstr(fl));
    }
}

int main(void)
{
    static const struct { const char *name; binop fn; int single; } bins[] = {
        {"fmin.d", fmin_d, 0}, {"fmax.d", fmax_d, 0}, {"fmin.s", fmin_s, 1}, {"fmax.s", fmax_s, 1},
        {"feq.d", feq_d, 0}, {"flt.d", flt_d, 0}, {"fle.d", fle_d, 0},
        {"feq.s", feq_s, 1}, {"flt.s", flt_s, 1}, {"fle.s", fle_s, 1},
        {"fsgnj.d", fsgnj_d, 0}, {"fsgnjn.d", fsgnjn_d, 0}, {"fsgnjx.d", fsgnjx_d, 0},
        {"fsgnj.s", fsgnj_s, 1}, {"fsgnjn.s", fsgnjn_s, 1}, {"fsgnjx.s", fsgnjx_s, 1},
    };
    for (size_t k = 0; k < N(bins); k++) {
        if (bins[k].single)
            all_pairs(bins[k].name, bins[k].fn, sv, N(sv));
        else
            all_pairs(bins[k].name, bins[k].fn, dv, N(dv));
    }
    each("fclass.d", fclass_d, dclass, N(dclass));
    each("fclass.s", fclass_s, sclass, N(sclass));

    /* moves: fmv.x.w sign-extends the low 32 bits and does not check boxing;
     * fmv.w.x NaN-boxes */
    static const uint64_t mv[] = {
        S(0x3f800000), S(0xbf800000), 0x1234567887654321ULL, 0x000000007f800001ULL,
    };
    each("fmv.x.w", fmv_x_w, mv, N(mv));
    each("fmv.w.x", fmv_w_x, mv, N(mv));

    /* NaN boxing: values that are not properly boxed read as canonical NaN */
    static const uint64_t box[] = {
        S(0x3f800000), 0x000000003f800000ULL, 0xfffffffe3f800000ULL, 0x7fffffff3f800000ULL,
        0x3ff0000000000000ULL,
    };
    unsigned fl;
    for (size_t i = 0; i < N(box); i++) {
        uint64_t r;
        r = fadd_s(box[i], S(0x3f800000), &fl);
        printf("fadd.s - %016llx %016llx -> %016llx %s\n", U64(box[i]), U64(S(0x3f800000)), U64(r), flagstr(fl));
        r = fmul_s(S(0x40000000), box[i], &fl);
        printf("fmul.s - %016llx %016llx -> %016llx %s\n", U64(S(0x40000000)), U64(box[i]), U64(r), flagstr(fl));
        r = fsqrt_s(box[i], &fl);
        printf("fsqrt.s - %016llx -> %016llx %s\n", U64(box[i]), U64(r), flagstr(fl));
        r = fcvt_d_s(box[i], &fl);
        printf("fcvt.d.s - %016llx -> %016llx %s\n", U64(box[i]), U64(r), flagstr(fl));
        r = fcvt_w_s(box[i], &fl);
        printf("fcvt.w.s - %016llx -> %016llx %s\n", U64(box[i]), U64(r), flagstr(fl));
        r = fmadd_s(box[i], S(0x3f800000), S(0x3f800000), &fl);
        printf("fmadd.s - %016llx %016llx %016llx -> %016llx %s\n", U64(box[i]), U64(S(0x3f800000)),
               U64(S(0x3f800000)), U64(r), flagstr(fl));
    }
    /* a D op sees the whole register: a boxed single is a negative quiet NaN to it */
    uint64_t r = fadd_d(S(0x3f800000), 0x3ff0000000000000ULL, &fl);
    printf("fadd.d - %016llx %016llx -> %016llx %s\n", U64(S(0x3f800000)), U64(0x3ff0000000000000ULL), U64(r), flagstr(fl));

    /* loads and stores transfer bits unchanged (sNaN payloads kept), flw boxes,
     * fsw stores the low half of whatever the register holds */
    volatile uint64_t mem[4] = {0x7ff0000000000001ULL, 0xdeadbeef7f800001ULL, 0, 0};
    uint64_t ld_d, ld_s;
    __asm__ volatile("fsflags zero\n\t"
                     "fld ft0,0(%2)\n\tfsd ft0,16(%2)\n\tfmv.x.d %0,ft0\n\t"
                     "flw ft1,8(%2)\n\tfmv.x.d %1,ft1\n\t"
                     "fsw ft1,24(%2)\n\t"
                     "fmv.d.x ft2,%3\n\tfsw ft2,28(%2)\n\t"
                     : "=&r"(ld_d), "=&r"(ld_s) : "r"(mem), "r"(0x1122334455667788ULL)
                     : "ft0", "ft1", "ft2", "memory");
    printf("fld %016llx fsd %016llx flw %016llx fsw %016llx flags %s\n", U64(ld_d), U64(mem[2]),
           U64(ld_s), U64(mem[3]), flagstr(get_fflags()));

    /* fmv.d / fneg.d / fabs.d (sign-injection aliases) keep sNaN payloads */
    uint64_t mvd, negd, absd;
    __asm__ volatile("fsflags zero\n\tfmv.d.x ft0,%3\n\tfmv.d ft1,ft0\n\tfneg.d ft2,ft0\n\tfabs.d ft3,ft2\n\t"
                     "fmv.x.d %0,ft1\n\tfmv.x.d %1,ft2\n\tfmv.x.d %2,ft3"
                     : "=r"(mvd), "=r"(negd), "=r"(absd) : "r"(0x7ff0000000000abcULL)
                     : "ft0", "ft1", "ft2", "ft3");
    printf("fmv.d %016llx fneg.d %016llx fabs.d %016llx flags %s\n", U64(mvd), U64(negd), U64(absd),
           flagstr(get_fflags()));
    return 0;
}
