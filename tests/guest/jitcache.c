/* Many distinct blocks, called directly and through a table of function pointers in a
 * changing order, so that a small JIT code cache (tests/run.sh runs this with
 * --code-cache=64K) collects, promotes, drops and re-translates blocks and re-links chains
 * while the program runs. Prints checksums that must not depend on any of that. */
#include <stdint.h>
#include <stdio.h>

#define F(n)                                                                        \
    __attribute__((noinline)) static uint64_t f##n(uint64_t x)                      \
    {                                                                               \
        x ^= x >> (n % 13 + 1);                                                     \
        x *= 0x9E3779B97F4A7C15ull + n;                                             \
        if (x & (1ull << (n % 61)))                                                 \
            x += n * 0x1234567ull;                                                  \
        else                                                                        \
            x -= (x >> 7) | n;                                                      \
        return x ^ (x << (n % 5 + 1));                                              \
    }
#define F10(d) F(d##0) F(d##1) F(d##2) F(d##3) F(d##4) F(d##5) F(d##6) F(d##7) F(d##8) F(d##9)
#define F100(h) F10(h##0) F10(h##1) F10(h##2) F10(h##3) F10(h##4) F10(h##5) F10(h##6) \
                F10(h##7) F10(h##8) F10(h##9)
F100(1) F100(2) F100(3)

#define R(n) f##n,
#define R10(d) R(d##0) R(d##1) R(d##2) R(d##3) R(d##4) R(d##5) R(d##6) R(d##7) R(d##8) R(d##9)
#define R100(h) R10(h##0) R10(h##1) R10(h##2) R10(h##3) R10(h##4) R10(h##5) R10(h##6) \
                R10(h##7) R10(h##8) R10(h##9)
static uint64_t (*const table[])(uint64_t) = { R100(1) R100(2) R100(3) };
#define N (sizeof(table) / sizeof(table[0]))

int main(void)
{
    uint64_t x = 1;
    for (int round = 0; round < 20; round++) {
        for (unsigned i = 0; i < N; i++)
            x = table[(i * 7 + round * 13) % N](x);
        if (round % 5 == 4)
            printf("round %d: %016llx\n", round, (unsigned long long)x);
    }
    /* hot loop over a few functions among many cold ones */
    for (int k = 0; k < 200000; k++)
        x = f100(x) + f200(x >> 3) + f300(k);
    printf("hot: %016llx\n", (unsigned long long)x);
    return 0;
}
