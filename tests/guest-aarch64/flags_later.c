/* NZCV read in a later block than the one that set them: every condition (CSET), MRS NZCV,
 * ADC and SBC after a 64-bit and a 32-bit CMP, SUBS, CMN, TST, CCMP and MSR NZCV, with a
 * direct branch between the setter and the readers. A block alone does not know which form
 * the setter left the flags in (a compare stores its operands, the others the flags), a T2
 * region's next block does: three rounds, so that the blocks are hot for --tier2-hot=2. */
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t vals[] = {
    0, 1, 2, 0x7f, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
    0x123456789abcdef0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0xfffffffffffffffeull, 0xffffffffffffffffull,
};
#define N (sizeof(vals) / sizeof(vals[0]))

static uint64_t h = 0xcbf29ce484222325ull;
static void mix(uint64_t v)
{
    h = (h ^ v) * 0x100000001b3ull;
}

/* Every condition as a bit (EQ bit 0 ... LE bit 13), then NZCV, ADC 0 + 0 and SBC 0 - 0, all
 * read after "b 1f"; SETTER is the flag-setting instruction(s) on %[a] and %[b]. */
#define READ_LATER(SETTER)                                                                   \
    ({                                                                                       \
        uint64_t c[14], nzcv, adc, sbc, bits = 0;                                            \
        __asm__ volatile(SETTER "\n\tb 1f\n1:\n\t"                                           \
                         "cset %[c0], eq\n\tcset %[c1], ne\n\tcset %[c2], cs\n\t"            \
                         "cset %[c3], cc\n\tcset %[c4], mi\n\tcset %[c5], pl\n\t"            \
                         "cset %[c6], vs\n\tcset %[c7], vc\n\tcset %[c8], hi\n\t"            \
                         "cset %[c9], ls\n\tcset %[c10], ge\n\tcset %[c11], lt\n\t"          \
                         "cset %[c12], gt\n\tcset %[c13], le\n\t"                            \
                         "mrs %[nzcv], nzcv\n\tadc %[adc], xzr, xzr\n\tsbc %[sbc], xzr, xzr" \
                         : [c0] "=&r"(c[0]), [c1] "=&r"(c[1]), [c2] "=&r"(c[2]),             \
                           [c3] "=&r"(c[3]), [c4] "=&r"(c[4]), [c5] "=&r"(c[5]),             \
                           [c6] "=&r"(c[6]), [c7] "=&r"(c[7]), [c8] "=&r"(c[8]),             \
                           [c9] "=&r"(c[9]), [c10] "=&r"(c[10]), [c11] "=&r"(c[11]),         \
                           [c12] "=&r"(c[12]), [c13] "=&r"(c[13]), [nzcv] "=&r"(nzcv),       \
                           [adc] "=&r"(adc), [sbc] "=&r"(sbc), [d] "=&r"(d)                  \
                         : [a] "r"(a), [b] "r"(b)                                            \
                         : "cc");                                                            \
        for (unsigned k = 0; k < 14; k++)                                                    \
            bits |= c[k] << k;                                                               \
        bits | nzcv << 4 | adc << 36 | (sbc & 1) << 37;                                      \
    })

int main(void)
{
    for (unsigned round = 0; round < 3; round++) {
        h = 0xcbf29ce484222325ull;
        for (unsigned i = 0; i < N; i++) {
            for (unsigned j = 0; j < N; j++) {
                uint64_t a = vals[i], b = vals[j], d;
                uint64_t r[] = {
                    READ_LATER("cmp %x[a], %x[b]"),
                    READ_LATER("cmp %w[a], %w[b]"),
                    READ_LATER("subs %x[d], %x[a], %x[b]"),
                    READ_LATER("subs %w[d], %w[a], %w[b]"),
                    READ_LATER("cmn %x[a], %x[b]"),
                    READ_LATER("cmn %w[a], %w[b]"),
                    READ_LATER("tst %x[a], %x[b]"),
                    READ_LATER("cmp %x[a], #5\n\tccmp %x[b], %x[a], #6, ne"),
                    READ_LATER("cmp %w[b], %w[a]\n\tccmp %w[a], #3, #9, ge"),
                    READ_LATER("msr nzcv, %x[a]"),
                };
                for (unsigned k = 0; k < sizeof(r) / sizeof(r[0]); k++)
                    mix(r[k]);
                if (round == 0 && i == j + 1)
                    printf("%016llx %016llx: %09llx %09llx %09llx\n", (unsigned long long)a,
                           (unsigned long long)b, (unsigned long long)r[0],
                           (unsigned long long)r[1], (unsigned long long)r[7]);
            }
        }
        printf("round %u: %016llx\n", round, (unsigned long long)h);
    }
    return 0;
}
