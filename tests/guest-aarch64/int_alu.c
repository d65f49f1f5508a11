/* Integer corner cases: flags through comparisons and carries, division by zero, shifts,
 * bit manipulation, widening multiplies, bitfields. Values come from volatile so gcc cannot
 * fold them. */
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t vals[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000ull, 0x123456789abcdef0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
    0xffffffffffffffffull, 0xfffffffffffffffeull, 0x5555555555555555ull,
};
#define N (sizeof(vals) / sizeof(vals[0]))

static uint64_t h = 0xcbf29ce484222325ull;
static void mix(uint64_t v)
{
    h = (h ^ v) * 0x100000001b3ull;
}

int main(void)
{
    for (unsigned i = 0; i < N; i++) {
        for (unsigned j = 0; j < N; j++) {
            uint64_t a = vals[i], b = vals[j];
            int64_t sa = (int64_t)a, sb = (int64_t)b;
            uint32_t wa = (uint32_t)a, wb = (uint32_t)b;
            int32_t swa = (int32_t)wa, swb = (int32_t)wb;
            mix(a + b); mix(a - b); mix(a * b);
            mix(b ? a / b : 0); mix(b ? a % b : 0);
            mix((sb && !(sa == INT64_MIN && sb == -1)) ? (uint64_t)(sa / sb) : 0);
            mix(wb ? wa / wb : 0);
            mix((swb && !(swa == INT32_MIN && swb == -1)) ? (uint32_t)(swa / swb) : 0);
            mix((unsigned __int128)a * b >> 64);
            mix((uint64_t)((__int128)sa * sb >> 64));
            mix((uint64_t)(int64_t)swa * (uint64_t)(int64_t)swb);
            mix((uint64_t)wa * wb);
            mix(a < b); mix(sa < sb); mix(a <= b); mix(sa >= sb); mix(a == b);
            mix(wa < wb); mix(swa > swb);
            mix(a << (b & 63)); mix(a >> (b & 63)); mix((uint64_t)(sa >> (b & 63)));
            mix(wa << (b & 31)); mix(wa >> (b & 31)); mix((uint32_t)(swa >> (b & 31)));
            mix((a >> (b & 63)) | (a << ((64 - (b & 63)) & 63)));
            unsigned __int128 s = (unsigned __int128)a + b + (a > b);
            mix((uint64_t)(s >> 64)); mix((uint64_t)s);
            mix(a & ~b); mix(a | ~b); mix(a ^ ~b);
            mix(a > b ? a : b); mix(sa < sb ? a : b + 1);
            mix(__builtin_add_overflow(sa, sb, &sa)); mix(__builtin_sub_overflow(swa, swb, &swa));
            mix(__builtin_mul_overflow(a, b, &a));
        }
        uint64_t a = vals[i];
        uint32_t w = (uint32_t)a;
        mix(a ? __builtin_clzll(a) : 64); mix(w ? __builtin_clz(w) : 32);
        mix(__builtin_ctzll(a | 1ull << 63)); mix(__builtin_popcountll(a));
        mix(__builtin_clrsbll((int64_t)a)); mix(__builtin_clrsb((int)w));
        mix(__builtin_bswap64(a)); mix(__builtin_bswap32(w)); mix(__builtin_bswap16((uint16_t)a));
        mix((a >> 13) & 0x7ff); mix((uint64_t)((int64_t)(a << 7) >> 19));
        mix((a & ~0xff0ull) | ((a >> 4) & 0xff0)); mix((uint64_t)(int8_t)a); mix((uint64_t)(int16_t)a);
        mix((uint64_t)(int32_t)a); mix((uint8_t)a); mix((uint16_t)a);
    }
    printf("hash %016llx\n", (unsigned long long)h);
    /* A64 division by zero gives 0, and INT_MIN / -1 wraps. */
    uint64_t q64, zero = vals[0], minus1 = vals[17], min64 = vals[16];
    uint32_t q32;
    __asm__("udiv %0, %1, %2" : "=r"(q64) : "r"(vals[5]), "r"(zero));
    printf("udiv x/0 = %llu\n", (unsigned long long)q64);
    __asm__("sdiv %0, %1, %2" : "=r"(q64) : "r"(min64), "r"(zero));
    printf("sdiv x/0 = %llu\n", (unsigned long long)q64);
    __asm__("sdiv %0, %1, %2" : "=r"(q64) : "r"(min64), "r"(minus1));
    printf("sdiv min/-1 = %llx\n", (unsigned long long)q64);
    __asm__("sdiv %w0, %w1, %w2" : "=r"(q32) : "r"((uint32_t)vals[11]), "r"((uint32_t)minus1));
    printf("sdiv w min/-1 = %x\n", q32);
    __asm__("udiv %w0, %w1, %w2" : "=r"(q32) : "r"((uint32_t)vals[11]), "r"((uint32_t)zero));
    printf("udiv w x/0 = %x\n", q32);
    return 0;
}
