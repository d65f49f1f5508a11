/* Atomics: the compiler's __atomic builtins (LL/SC or, with outline atomics and HWCAP_ATOMICS,
 * the LSE instructions), explicit LDXR/STXR loops, and every LSE instruction at every size,
 * including the signed and unsigned min/max whose operands must be truncated to the size. */
#include <stdint.h>
#include <stdio.h>

#define LSE(insn, w, mem, v, old) \
    __asm__ volatile(".arch armv8.1-a\n" insn " %" w "2, %" w "0, [%3]" \
                     : "=&r"(old), "+m"(mem) : "r"(v), "r"(&mem) : "memory")

int main(void)
{
    static uint64_t u64 = 10;
    static uint32_t u32 = 0xfffffff0u;
    static uint16_t u16 = 0x8001;
    static uint8_t u8 = 0x80;
    printf("fetch_add %llu -> %llu\n", (unsigned long long)__atomic_fetch_add(&u64, 5, __ATOMIC_SEQ_CST),
           (unsigned long long)u64);
    printf("fetch_sub %x -> %x\n", __atomic_fetch_sub(&u32, 0x20, __ATOMIC_ACQ_REL), u32);
    printf("fetch_or %x -> %x\n", __atomic_fetch_or(&u16, 0x0ff0, __ATOMIC_RELAXED), u16);
    printf("fetch_and %x -> %x\n", __atomic_fetch_and(&u8, 0xc1, __ATOMIC_ACQUIRE), u8);
    printf("fetch_xor %x -> %x\n", __atomic_fetch_xor(&u8, 0xff, __ATOMIC_RELEASE), u8);
    printf("exchange %llu -> %llu\n", (unsigned long long)__atomic_exchange_n(&u64, 99, __ATOMIC_SEQ_CST),
           (unsigned long long)u64);
    uint64_t expected = 98;
    int ok = __atomic_compare_exchange_n(&u64, &expected, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas fail %d expected %llu\n", ok, (unsigned long long)expected);
    ok = __atomic_compare_exchange_n(&u64, &expected, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas ok %d value %llu\n", ok, (unsigned long long)u64);
    uint16_t e16 = 0x8ff1;
    ok = __atomic_compare_exchange_n(&u16, &e16, 0x1234, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas16 %d %x\n", ok, u16);

    /* LDXR/STXR by hand: a counter, and a failing store after CLREX. */
    uint64_t val, status;
    __asm__ volatile("1: ldaxr %0, [%2]\n add %0, %0, #3\n stlxr %w1, %0, [%2]\n cbnz %w1, 1b"
                     : "=&r"(val), "=&r"(status) : "r"(&u64) : "memory");
    printf("ldaxr/stlxr %llu\n", (unsigned long long)u64);
    __asm__ volatile("ldxr %0, [%2]\n clrex\n stxr %w1, %0, [%2]" : "=&r"(val), "=&r"(status)
                     : "r"(&u64) : "memory");
    printf("stxr after clrex: status %llu\n", (unsigned long long)status);
    static uint64_t pair[2] __attribute__((aligned(16))) = { 1, 2 };
    uint64_t lo, hi;
    __asm__ volatile("1: ldxp %0, %1, [%3]\n add %0, %0, #10\n add %1, %1, #20\n"
                     " stxp %w2, %0, %1, [%3]\n cbnz %w2, 1b"
                     : "=&r"(lo), "=&r"(hi), "=&r"(status) : "r"(pair) : "memory");
    printf("ldxp/stxp %llu %llu\n", (unsigned long long)pair[0], (unsigned long long)pair[1]);

    /* LSE at each size; old values and results. */
    uint64_t old, v;
    static uint8_t b = 0x80;
    static uint16_t h = 0x8001;
    static uint32_t w = 0x80000000u;
    static uint64_t x = 0x8000000000000000ull;
    v = 0xffffff7f; LSE("ldsmaxb", "w", b, v, old); printf("ldsmaxb %llx %x\n", (unsigned long long)old, b);
    v = 0x1ff; LSE("lduminb", "w", b, v, old); printf("lduminb %llx %x\n", (unsigned long long)old, b);
    v = 0xffff0001; LSE("ldsmaxh", "w", h, v, old); printf("ldsmaxh %llx %x\n", (unsigned long long)old, h);
    v = 0x10000ffff; LSE("ldumaxh", "w", h, v, old); printf("ldumaxh %llx %x\n", (unsigned long long)old, h);
    v = 1; LSE("ldsmin", "w", w, v, old); printf("ldsmin %llx %x\n", (unsigned long long)old, w);
    v = 5; LSE("ldumax", "w", w, v, old); printf("ldumax %llx %x\n", (unsigned long long)old, w);
    v = 1; LSE("ldsmin", "x", x, v, old); printf("ldsmin x %llx %llx\n", (unsigned long long)old, (unsigned long long)x);
    v = 0xf0; LSE("ldclral", "x", x, v, old); printf("ldclral %llx %llx\n", (unsigned long long)old, (unsigned long long)x);
    v = 0x0f; LSE("ldsetl", "x", x, v, old); printf("ldsetl %llx %llx\n", (unsigned long long)old, (unsigned long long)x);
    v = 0xff; LSE("ldeora", "x", x, v, old); printf("ldeora %llx %llx\n", (unsigned long long)old, (unsigned long long)x);
    v = 3; LSE("ldaddh", "w", h, v, old); printf("ldaddh %llx %x\n", (unsigned long long)old, h);
    v = 0x5a; LSE("swpb", "w", b, v, old); printf("swpb %llx %x\n", (unsigned long long)old, b);
    uint64_t cmp = 0x5a, nv = 0xa5;
    __asm__ volatile(".arch armv8.1-a\n casb %w0, %w2, [%3]" : "+r"(cmp), "+m"(b) : "r"(nv), "r"(&b) : "memory");
    printf("casb old %llx now %x\n", (unsigned long long)cmp, b);
    /* CASP on a 128-bit pair: a failing swap returns the old pair, which then succeeds */
    register uint64_t e0 __asm__("x4") = 11, e1 __asm__("x5") = 0;
    register uint64_t n0 __asm__("x6") = 0x1111, n1 __asm__("x7") = 0x2222;
    uint64_t miss0, miss1;
    __asm__ volatile(".arch armv8.1-a\n casp %0, %1, %4, %5, [%6]\n mov %2, %0\n mov %3, %1\n"
                     " caspal %0, %1, %4, %5, [%6]"
                     : "+r"(e0), "+r"(e1), "=&r"(miss0), "=&r"(miss1)
                     : "r"(n0), "r"(n1), "r"(pair) : "memory");
    printf("casp miss: old %llu %llu; hit: pair %llx %llx\n", (unsigned long long)miss0,
           (unsigned long long)miss1, (unsigned long long)pair[0], (unsigned long long)pair[1]);
    return 0;
}
