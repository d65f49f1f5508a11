/* An FP op with the dynamic rounding mode while frm holds a reserved value
 * (5) is an illegal instruction: SIGILL. Writing the reserved value to frm
 * itself is allowed, and so is an op with a static rounding mode. */
#include <stdio.h>
#include <stdint.h>

int main(void)
{
    uint64_t frm, r;
    __asm__ volatile("fsrmi 5\n\tfrrm %0" : "=r"(frm));
    printf("frm=%llu\n", (unsigned long long)frm);
    __asm__ volatile("fmv.d.x ft0,%1\n\tfadd.d ft1,ft0,ft0,rne\n\tfmv.x.d %0,ft1"
                     : "=r"(r) : "r"(0x3ff0000000000000ULL) : "ft0", "ft1");
    printf("static rne add ok: %016llx\n", (unsigned long long)r);
    fflush(stdout);
    __asm__ volatile("fmv.d.x ft0,%1\n\tfadd.d ft1,ft0,ft0\n\tfmv.x.d %0,ft1"
                     : "=r"(r) : "r"(0x3ff0000000000000ULL) : "ft0", "ft1");
    printf("dynamic add with frm=5 did not trap (must not be printed)\n");
    return 0;
}
