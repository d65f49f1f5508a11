/* Atomics: __atomic builtins on 32- and 64-bit objects (AMOs), compare-
 * exchange (LR/SC loops emitted by gcc), hand-written LR/SC loops and AMO
 * instructions including the W forms' sign extension. Single-threaded. */
#include <stdio.h>
#include <stdint.h>

static volatile uint32_t w32;
static volatile uint64_t w64;

#define P32(what, ret) printf("%-10s ret=%08x mem=%08x\n", what, (unsigned)(ret), (unsigned)w32)
#define P64(what, ret) printf("%-10s ret=%016llx mem=%016llx\n", what, \
                              (unsigned long long)(ret), (unsigned long long)w64)

static uint64_t lrsc_add64(volatile uint64_t *p, uint64_t v)
{
    uint64_t old, tmp, fail;
    __asm__ volatile(
        "1: lr.d.aqrl %0,(%3)\n\t"
        "add %1,%0,%4\n\t"
        "sc.d.rl %2,%1,(%3)\n\t"
        "bnez %2,1b"
        : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old;
}

static uint64_t lrsc_add32(volatile uint32_t *p, uint64_t v)
{
    uint64_t old, tmp, fail;
    __asm__ volatile(
        "1: lr.w %0,(%3)\n\t"
        "addw %1,%0,%4\n\t"
        "sc.w %2,%1,(%3)\n\t"
        "bnez %2,1b"
        : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old; /* lr.w sign-extends */
}

#define AMO(insn, p, v) ({ uint64_t _r; \
    __asm__ volatile(insn " %0,%2,(%1)" : "=r"(_r) : "r"(p), "r"((uint64_t)(v)) : "memory"); _r; })

int main(void)
{
    uint32_t r32; uint64_t r64;

    w32 = 0x7ffffff0;
    r32 = __atomic_fetch_add(&w32, 0x20, __ATOMIC_SEQ_CST); P32("add32", r32);
    r32 = __atomic_fetch_sub(&w32, 1, __ATOMIC_RELAXED); P32("sub32", r32);
    r32 = __atomic_fetch_and(&w32, 0xf0f0f0f0, __ATOMIC_ACQUIRE); P32("and32", r32);
    r32 = __atomic_fetch_or(&w32, 0x0000ffff, __ATOMIC_RELEASE); P32("or32", r32);
    r32 = __atomic_fetch_xor(&w32, 0xffffffff, __ATOMIC_ACQ_REL); P32("xor32", r32);
    r32 = __atomic_exchange_n(&w32, 0xdeadbeef, __ATOMIC_SEQ_CST); P32("xchg32", r32);
    r32 = __atomic_add_fetch(&w32, 0x11111111, __ATOMIC_SEQ_CST); P32("addf32", r32);
    r32 = __atomic_nand_fetch(&w32, 0x0ff00ff0, __ATOMIC_SEQ_CST); P32("nand32", r32);

    uint32_t exp32 = 0x12345678;
    int ok = __atomic_compare_exchange_n(&w32, &exp32, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas32 fail: ok=%d expected=%08x mem=%08x\n", ok, exp32, (unsigned)w32);
    ok = __atomic_compare_exchange_n(&w32, &exp32, 0x80000001, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas32 ok: ok=%d expected=%08x mem=%08x\n", ok, exp32, (unsigned)w32);

    w64 = 0x7ffffffffffffff0ULL;
    r64 = __atomic_fetch_add(&w64, 0x20, __ATOMIC_SEQ_CST); P64("add64", r64);
    r64 = __atomic_fetch_sub(&w64, 1, __ATOMIC_SEQ_CST); P64("sub64", r64);
    r64 = __atomic_fetch_and(&w64, 0xf0f0f0f0f0f0f0f0ULL, __ATOMIC_SEQ_CST); P64("and64", r64);
    r64 = __atomic_fetch_or(&w64, 0xffffULL, __ATOMIC_SEQ_CST); P64("or64", r64);
    r64 = __atomic_fetch_xor(&w64, ~0ULL, __ATOMIC_SEQ_CST); P64("xor64", r64);
    r64 = __atomic_exchange_n(&w64, 0x0123456789abcdefULL, __ATOMIC_SEQ_CST); P64("xchg64", r64);
    uint64_t exp64 = 0x0123456789abcdefULL;
    ok = __atomic_compare_exchange_n(&w64, &exp64, 0x8000000000000000ULL, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    /* weak CAS may fail spuriously in theory; retry until it settles */
    while (!ok && exp64 == 0x0123456789abcdefULL)
        ok = __atomic_compare_exchange_n(&w64, &exp64, 0x8000000000000000ULL, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    printf("cas64 ok: ok=%d mem=%016llx\n", ok, (unsigned long long)w64);
    exp64 = 5;
    ok = __atomic_compare_exchange_n(&w64, &exp64, 6, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas64 fail: ok=%d expected=%016llx\n", ok, (unsigned long long)exp64);

    /* 8-bit atomic add emulated with a masked LR/SC loop on the aligned
     * word, the way libatomic does it (gcc 12 does not inline these). */
    static volatile uint32_t bytes __attribute__((aligned(4))) = 0x04030201;
    {
        uint64_t shift = 8, mask = 0xffULL << shift, inc = 0xffULL << shift;
        uint64_t old, tmp, fail;
        __asm__ volatile(
            "1: lr.w.aq %0,(%3)\n\t"
            "add %1,%0,%5\n\t"
            "xor %1,%1,%0\n\t"
            "and %1,%1,%4\n\t"
            "xor %1,%1,%0\n\t"
            "sc.w.rl %2,%1,(%3)\n\t"
            "bnez %2,1b"
            : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(&bytes), "r"(mask), "r"(inc) : "memory");
        printf("masked byte add: old=%08x now=%08x\n", (unsigned)old, (unsigned)bytes);
    }

    /* AMO instructions directly, incl. signed/unsigned min/max */
    static const char *names[] = {"amomin", "amomax", "amominu", "amomaxu"};
    static const uint64_t a64[] = {5, (uint64_t)-5, 0x8000000000000000ULL, 0x7fffffffffffffffULL};
    static const uint32_t a32[] = {5, (uint32_t)-5, 0x80000000u, 0x7fffffffu};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                w64 = a64[i];
                w32 = a32[i];
                uint64_t o = 0, o2 = 0;
                switch (k) {
                case 0: o = AMO("amomin.d", &w64, a64[j]); o2 = AMO("amomin.w", &w32, (int64_t)(int32_t)a32[j]); break;
                case 1: o = AMO("amomax.d", &w64, a64[j]); o2 = AMO("amomax.w", &w32, (int64_t)(int32_t)a32[j]); break;
                case 2: o = AMO("amominu.d", &w64, a64[j]); o2 = AMO("amominu.w", &w32, (int64_t)(int32_t)a32[j]); break;
                case 3: o = AMO("amomaxu.d", &w64, a64[j]); o2 = AMO("amomaxu.w", &w32, (int64_t)(int32_t)a32[j]); break;
                }
                printf("%-8s d: %016llx,%016llx -> old=%016llx mem=%016llx | w: %08x,%08x -> old=%016llx mem=%08x\n",
                       names[k], (unsigned long long)a64[i], (unsigned long long)a64[j],
                       (unsigned long long)o, (unsigned long long)w64, a32[i], a32[j],
                       (unsigned long long)o2, (unsigned)w32);
            }
    /* upper register bits must be ignored by the .w forms (value 0x1_0000_0001 -> 1) */
    w32 = 0x80000000u;
    r64 = AMO("amoadd.w", &w32, 0x100000001ULL);
    printf("amoadd.w old=%016llx mem=%08x\n", (unsigned long long)r64, (unsigned)w32);
    r64 = AMO("amoswap.w.aqrl", &w32, 0xffffffff00000007ULL);
    printf("amoswap.w old=%016llx mem=%08x\n", (unsigned long long)r64, (unsigned)w32);
    w64 = 1;
    r64 = AMO("amoswap.d.aq", &w64, 0xfedcba9876543210ULL);
    printf("amoswap.d old=%016llx mem=%016llx\n", (unsigned long long)r64, (unsigned long long)w64);
    r64 = AMO("amoxor.d.rl", &w64, 0xffffffffffffffffULL);
    printf("amoxor.d old=%016llx mem=%016llx\n", (unsigned long long)r64, (unsigned long long)w64);

    /* LR/SC loops */
    w64 = 100;
    for (int i = 0; i < 1000; i++)
        lrsc_add64(&w64, (uint64_t)i);
    printf("lrsc64 sum %llu\n", (unsigned long long)w64);
    w32 = 0x7fffff00;
    r64 = lrsc_add32(&w32, 0x200);
    printf("lrsc32 old=%016llx mem=%08x\n", (unsigned long long)r64, (unsigned)w32);

    /* sc without a matching reservation must fail (nonzero), memory unchanged */
    uint64_t fail, dummy;
    w64 = 77;
    __asm__ volatile("lr.d %1,(%2)\n\tsc.d %0,%3,(%2)\n\tsc.d %0,%3,(%2)"
                     : "=&r"(fail), "=&r"(dummy) : "r"(&w64), "r"(88ULL) : "memory");
    printf("second sc: %s mem=%llu\n", fail ? "failed" : "succeeded", (unsigned long long)w64);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return 0;
}
