/* System registers EL0 reads: the generic timer (monotonic, at CNTFRQ), DCZID and DC ZVA,
 * CTR_EL0, TPIDR_EL0 (the thread pointer glibc set up), NZCV round trips; plus CRC32. */
#include <arm_acle.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    uint64_t f, t0, t1, dczid, tp, nzcv;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(t0));
    for (volatile int i = 0; i < 100000; i++)
        ;
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(t1));
    printf("timer frequency nonzero %d, counter advances %d\n", f != 0, t1 > t0);
    __asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
    unsigned block = 4u << (dczid & 15); /* implementation defined: vm 64, qemu 512 */
    static uint8_t buf[4096] __attribute__((aligned(2048)));
    memset(buf, 0xaa, sizeof(buf));
    __asm__ volatile("dc zva, %0" :: "r"(buf + 2048 + 5) : "memory");
    unsigned zeros = 0;
    for (unsigned i = 0; i < sizeof(buf); i++)
        zeros += buf[i] == 0;
    int first = (int)((uint8_t *)memchr(buf, 0, sizeof(buf)) - buf);
    printf("dc zva prohibited %d, zeroes one aligned block %d\n", (int)(dczid >> 4 & 1),
           zeros == block && first == 2048);
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    printf("tpidr set %d\n", tp != 0);
    __asm__ volatile("msr nzcv, %1\n mrs %0, nzcv" : "=r"(nzcv) : "r"((uint64_t)0xa0000000));
    printf("nzcv %llx\n", (unsigned long long)nzcv);
    uint32_t crc = 0xffffffff;
    const char *msg = "The quick brown fox jumps over the lazy dog";
    for (const char *p = msg; *p; p++)
        crc = __crc32b(crc, (uint8_t)*p);
    printf("crc32 %08x crc32c %08x %08x %08x\n", ~crc, __crc32cd(0, 0x0123456789abcdefull),
           __crc32ch(1, 0xbeef), __crc32w(7, 0xdeadbeef));
    return 0;
}
