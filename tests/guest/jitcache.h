/* Three hundred distinct functions and a table of pointers to them, for the tests that make a
 * small JIT code cache collect while they run (jitcache.c, threads_jitcache.c). */
#include <stdint.h>

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
