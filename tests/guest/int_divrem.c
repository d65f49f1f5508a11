/* Integer division corner cases: div/rem by zero, overflow (INT_MIN/-1),
 * 32-bit W variants (sign-extended results), unsigned forms.
 * Each op is issued with inline asm so the compiler cannot fold it. */
#include <stdio.h>
#include <stdint.h>

#define OP64(name) \
    static uint64_t op_##name(uint64_t a, uint64_t b) { \
        uint64_t r; __asm__ volatile(#name " %0,%1,%2" : "=r"(r) : "r"(a), "r"(b)); return r; }

OP64(div) OP64(divu) OP64(rem) OP64(remu)
OP64(divw) OP64(divuw) OP64(remw) OP64(remuw)
OP64(mul) OP64(mulw)

struct op { const char *name; uint64_t (*fn)(uint64_t, uint64_t); };

static const struct op ops[] = {
    {"div", op_div}, {"divu", op_divu}, {"rem", op_rem}, {"remu", op_remu},
    {"divw", op_divw}, {"divuw", op_divuw}, {"remw", op_remw}, {"remuw", op_remuw},
    {"mul", op_mul}, {"mulw", op_mulw},
};

static const uint64_t vals[] = {
    0, 1, 2, 3, 7,
    (uint64_t)-1, (uint64_t)-2, (uint64_t)-7,
    0x7fffffffULL, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL,
    0xffffffff80000000ULL,  /* INT32_MIN sign-extended */
    0x123456789abcdef0ULL,
    0x7fffffffffffffffULL, 0x8000000000000000ULL,
    0x00000001fffffff9ULL,  /* upper bits set, low word = -7 */
};

int main(void)
{
    size_t nv = sizeof vals / sizeof vals[0];
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (size_t i = 0; i < nv; i++)
            for (size_t j = 0; j < nv; j++) {
                uint64_t a = vals[i], b = vals[j];
                printf("%-5s %016llx %016llx = %016llx\n", ops[o].name,
                       (unsigned long long)a, (unsigned long long)b,
                       (unsigned long long)ops[o].fn(a, b));
            }

    /* The same corner cases through plain C (compiler-chosen instructions). */
    volatile int64_t mn = INT64_MIN, m1 = -1, z = 0;
    volatile int32_t mn32 = INT32_MIN, m132 = -1, z32 = 0;
    /* C division by zero is UB, so only the overflow case is done in C */
    printf("C: INT64_MIN/-1 via asm = %lld\n", (long long)op_div((uint64_t)mn, (uint64_t)m1));
    printf("C: INT64_MIN%%-1 via asm = %lld\n", (long long)op_rem((uint64_t)mn, (uint64_t)m1));
    printf("C: x/0 via asm = %lld, x%%0 = %lld\n", (long long)op_div(12345, (uint64_t)z),
           (long long)op_rem(12345, (uint64_t)z));
    printf("C: INT32_MIN/-1 (w) = %lld\n",
           (long long)op_divw((uint64_t)(int64_t)mn32, (uint64_t)(int64_t)m132));
    printf("C: -7/0 (w) = %lld, -7%%0 (w) = %lld\n",
           (long long)op_divw((uint64_t)-7, (uint64_t)(int64_t)z32),
           (long long)op_remw((uint64_t)-7, (uint64_t)(int64_t)z32));
    int64_t a = 1000000007;
    for (int k = 1; k < 40; k += 7) {
        volatile int64_t d = k * 37 - 100;
        printf("C: %lld / %lld = %lld r %lld\n", (long long)a, (long long)d,
               (long long)(a / d), (long long)(a % d));
        volatile int32_t a32 = (int32_t)a, d32 = (int32_t)d;
        printf("C32: %d / %d = %d r %d\n", a32, d32, a32 / d32, a32 % d32);
        a = a * 31 + 17;
    }
    return 0;
}
