/* User-level CSRs: cycle/time/instret counters (only monotonicity is
 * printed) and the FP CSRs fflags, frm, fcsr through csrr/csrw/csrrs/csrrc
 * and their immediate forms, including how fcsr, frm and fflags alias and
 * which bits are writable, and how exception flags accrue. */
#include <stdio.h>
#include <stdint.h>

#define CSRR(name) ({ uint64_t _v; __asm__ volatile("csrr %0," #name : "=r"(_v) :: "memory"); _v; })
#define CSRW(name, v) __asm__ volatile("csrw " #name ",%0" :: "r"((uint64_t)(v)) : "memory")
/* read fflags only after the value x (an FP or integer result) was computed */
#define FFLAGS_AFTER_F(x) ({ uint64_t _v; __asm__ volatile("frflags %0" : "=r"(_v) : "f"(x) : "memory"); _v; })
#define FFLAGS_AFTER_I(x) ({ uint64_t _v; __asm__ volatile("frflags %0" : "=r"(_v) : "r"(x) : "memory"); _v; })

int main(void)
{
    uint64_t c0 = CSRR(cycle), t0 = CSRR(time), i0 = CSRR(instret);
    uint64_t r0, r1, r2;
    __asm__ volatile("rdcycle %0\n\trdtime %1\n\trdinstret %2" : "=r"(r0), "=r"(r1), "=r"(r2));
    volatile uint64_t sink = 0;
    for (int i = 0; i < 100000; i++)
        sink += (uint64_t)i * i;
    uint64_t c1 = CSRR(cycle), t1 = CSRR(time), i1 = CSRR(instret);
    printf("cycle nondecreasing: %s\n", r0 >= c0 && c1 >= r0 ? "yes" : "no");
    printf("time nondecreasing: %s\n", r1 >= t0 && t1 >= r1 ? "yes" : "no");
    printf("instret nondecreasing: %s\n", r2 >= i0 && i1 >= r2 ? "yes" : "no");
    printf("instret advanced over a 100000-iteration loop: %s\n", i1 > i0 ? "yes" : "no");

    /* FP CSRs */
    CSRW(fcsr, 0);
    printf("fcsr after write 0: %02llx\n", (unsigned long long)CSRR(fcsr));
    CSRW(fcsr, 0xff);
    printf("fcsr after write ff: %02llx frm=%llu fflags=%02llx\n", (unsigned long long)CSRR(fcsr),
           (unsigned long long)CSRR(frm), (unsigned long long)CSRR(fflags));
    CSRW(fcsr, 0xffffffffffffffffULL);   /* bits above 7 are reserved: read as zero */
    printf("fcsr after write all-ones: %02llx\n", (unsigned long long)CSRR(fcsr));
    CSRW(fcsr, 0x6b);
    printf("fcsr=6b: frm=%llu fflags=%02llx\n", (unsigned long long)CSRR(frm), (unsigned long long)CSRR(fflags));
    CSRW(frm, 0xfc);                      /* only 3 bits */
    printf("frm write fc: frm=%llu fcsr=%02llx\n", (unsigned long long)CSRR(frm), (unsigned long long)CSRR(fcsr));
    CSRW(fflags, 0xe4);                   /* only 5 bits */
    printf("fflags write e4: fflags=%02llx fcsr=%02llx\n", (unsigned long long)CSRR(fflags),
           (unsigned long long)CSRR(fcsr));

    uint64_t old;
    __asm__ volatile("csrrw %0,fcsr,%1" : "=r"(old) : "r"(0x21ULL));
    printf("csrrw fcsr old=%02llx new=%02llx\n", (unsigned long long)old, (unsigned long long)CSRR(fcsr));
    __asm__ volatile("csrrs %0,fflags,%1" : "=r"(old) : "r"(0x12ULL));
    printf("csrrs fflags old=%02llx new=%02llx\n", (unsigned long long)old, (unsigned long long)CSRR(fflags));
    __asm__ volatile("csrrc %0,fflags,%1" : "=r"(old) : "r"(0x03ULL));
    printf("csrrc fflags old=%02llx new=%02llx\n", (unsigned long long)old, (unsigned long long)CSRR(fflags));
    __asm__ volatile("csrrwi %0,frm,3" : "=r"(old));
    printf("csrrwi frm old=%llu new=%llu\n", (unsigned long long)old, (unsigned long long)CSRR(frm));
    __asm__ volatile("csrrsi %0,fflags,8" : "=r"(old));
    printf("csrrsi fflags old=%02llx new=%02llx\n", (unsigned long long)old, (unsigned long long)CSRR(fflags));
    __asm__ volatile("csrrci %0,fcsr,0x1f" : "=r"(old));
    printf("csrrci fcsr old=%02llx new=%02llx\n", (unsigned long long)old, (unsigned long long)CSRR(fcsr));
    /* csrrs with x0 reads without writing */
    __asm__ volatile("csrrs %0,fcsr,x0" : "=r"(old));
    printf("csrrs x0 fcsr=%02llx\n", (unsigned long long)old);

    /* flags accrue across operations and are only cleared explicitly */
    CSRW(fcsr, 0);
    volatile double one = 1.0, zero = 0.0, three = 3.0, big = 1e308;
    double r;
    r = one / zero;  printf("after 1/0: fflags=%02llx\n", (unsigned long long)FFLAGS_AFTER_F(r));
    r = one / three; printf("after 1/3: fflags=%02llx\n", (unsigned long long)FFLAGS_AFTER_F(r));
    r = big * big;   printf("after big*big: fflags=%02llx\n", (unsigned long long)FFLAGS_AFTER_F(r));
    r = zero / zero; printf("after 0/0: fflags=%02llx\n", (unsigned long long)FFLAGS_AFTER_F(r));
    r = one + one;   printf("after 1+1: fflags=%02llx\n", (unsigned long long)FFLAGS_AFTER_F(r));
    /* a compare of a NaN with feq is quiet, flt signals */
    CSRW(fflags, 0);
    volatile double qn = __builtin_nan("");
    int eq = qn == one;
    printf("feq NaN: %d fflags=%02llx\n", eq, (unsigned long long)FFLAGS_AFTER_I(eq));
    int lt = __builtin_isless(qn, one);   /* quiet: must not raise NV */
    printf("isless NaN: %d fflags=%02llx\n", lt, (unsigned long long)FFLAGS_AFTER_I(lt));
    lt = qn < one;                        /* flt.d: signalling, raises NV */
    printf("< NaN: %d fflags=%02llx\n", lt, (unsigned long long)FFLAGS_AFTER_I(lt));
    CSRW(fcsr, 0);
    return (int)(sink & 0);
}
