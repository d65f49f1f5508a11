/* High-half multiplies: mulh, mulhu, mulhsu issued directly and compared
 * with the __int128 computation the compiler generates. */
#include <stdio.h>
#include <stdint.h>

static uint64_t mulh(uint64_t a, uint64_t b)   { uint64_t r; __asm__ volatile("mulh %0,%1,%2"   : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t mulhu(uint64_t a, uint64_t b)  { uint64_t r; __asm__ volatile("mulhu %0,%1,%2"  : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t mulhsu(uint64_t a, uint64_t b) { uint64_t r; __asm__ volatile("mulhsu %0,%1,%2" : "=r"(r) : "r"(a), "r"(b)); return r; }

static const uint64_t vals[] = {
    0, 1, 2, (uint64_t)-1, (uint64_t)-2, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
    0xffffffffULL, 0x100000000ULL, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL,
    0x5555555555555555ULL, 0xaaaaaaaaaaaaaaabULL,
};

int main(void)
{
    size_t n = sizeof vals / sizeof vals[0];
    int mismatches = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            uint64_t a = vals[i], b = vals[j];
            uint64_t h = mulh(a, b), hu = mulhu(a, b), hsu = mulhsu(a, b);
            printf("%016llx %016llx mulh=%016llx mulhu=%016llx mulhsu=%016llx\n",
                   (unsigned long long)a, (unsigned long long)b, (unsigned long long)h,
                   (unsigned long long)hu, (unsigned long long)hsu);
            /* C versions through __int128 (gcc emits mulh/mulhu/mul or mulhsu) */
            volatile int64_t sa = (int64_t)a, sb = (int64_t)b;
            volatile uint64_t ua = a, ub = b;
            uint64_t ch = (uint64_t)(((__int128)sa * (__int128)sb) >> 64);
            uint64_t chu = (uint64_t)(((unsigned __int128)ua * ub) >> 64);
            uint64_t chsu = (uint64_t)(((__int128)sa * (__int128)(unsigned __int128)ub) >> 64);
            unsigned __int128 full = (unsigned __int128)ua * ub;
            if (ch != h || chu != hu || chsu != hsu || (uint64_t)full != a * b) {
                printf("  mismatch with __int128\n");
                mismatches++;
            }
        }
    /* a 128-bit multiply-accumulate chain */
    unsigned __int128 acc = 1;
    for (int k = 0; k < 100; k++)
        acc = acc * 0x9e3779b97f4a7c15ULL + (unsigned)k;
    printf("chain %016llx%016llx\n", (unsigned long long)(acc >> 64), (unsigned long long)acc);
    __int128 s = -1;
    for (int k = 0; k < 50; k++)
        s = s * -3 + k;
    printf("schain %016llx%016llx\n", (unsigned long long)((unsigned __int128)s >> 64),
           (unsigned long long)s);
    printf("mismatches %d\n", mismatches);
    return 0;
}
