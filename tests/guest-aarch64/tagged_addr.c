/* AArch64 top-byte-ignore, as Linux user space has it: loads and stores through pointers with
 * a tag in bits 63:56 reach the untagged address (plain, pair, register-offset, post-index
 * with the tag kept in the base, exclusive and atomic, SIMD structure), in the main program
 * and in a second thread; a tagged pointer to an unmapped page still faults, at the untagged
 * address. System calls take tagged pointers once PR_SET_TAGGED_ADDR_CTRL enabled them. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void *tag(void *p, uint64_t t)
{
    return (void *)(((uintptr_t)p & ~(0xffull << 56)) | t << 56);
}

static uint64_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void *worker(void *arg)
{
    volatile uint64_t *p = tag(data, 0x5a);
    p[7] += 100;
    return arg;
}

static sigjmp_buf jb;
static char *page;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    printf("SIGSEGV at the untagged address: %s\n", si->si_addr == page ? "yes" : "no");
    siglongjmp(jb, 1);
}

int main(void)
{
    volatile uint64_t *t1 = tag(data, 0x12);
    printf("load tagged: %lu\n", (unsigned long)t1[2]);
    t1[3] = 40;
    printf("store tagged: %lu\n", (unsigned long)data[3]);

    uint64_t a, b;
    const uint64_t *t2 = tag(data, 0xf0);
    __asm__ volatile("ldp %0, %1, [%2, #8]" : "=r"(a), "=r"(b) : "r"(t2) : "memory");
    printf("ldp tagged: %lu %lu\n", (unsigned long)a, (unsigned long)b);

    uint64_t idx = 5, v;
    __asm__ volatile("ldr %0, [%1, %2, lsl #3]" : "=r"(v) : "r"(t2), "r"(idx) : "memory");
    printf("ldr register offset: %lu\n", (unsigned long)v);

    const uint64_t *base = t2;
    __asm__ volatile("ldr %0, [%1], #16" : "=r"(v), "+r"(base) : : "memory");
    printf("post-index: %lu, base tag kept: %s, advanced %ld\n", (unsigned long)v,
           (uintptr_t)base >> 56 == 0xf0 ? "yes" : "no",
           (long)((uintptr_t)base - (uintptr_t)t2));

    uint64_t old = __atomic_fetch_add((uint64_t *)tag(data, 0x33), 10, __ATOMIC_SEQ_CST);
    printf("atomic add: old %lu new %lu\n", (unsigned long)old, (unsigned long)data[0]);
    uint64_t expect = 11;
    int ok = __atomic_compare_exchange_n((uint64_t *)tag(data, 0x77), &expect, 99, 0,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas: %d now %lu\n", ok, (unsigned long)data[0]);

    uint64_t out[2];
    __asm__ volatile("ld1 {v0.2d}, [%1]\n\tst1 {v0.2d}, [%0]"
                     : : "r"(tag(out, 0x01)), "r"(tag(data + 4, 0x02)) : "v0", "memory");
    printf("ld1/st1 tagged: %lu %lu\n", (unsigned long)out[0], (unsigned long)out[1]);

    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    printf("thread store tagged: %lu\n", (unsigned long)data[7]);

    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page, 4096);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(jb, 1)) {
        volatile char *bad = tag(page, 0x44);
        printf("read %d\n", *bad);
    }

    /* System calls take tagged pointers only with the tagged address ABI. */
    static char msg[] = "written through a tagged pointer\n";
    fflush(stdout);
    printf("tagged ctrl: %d\n", prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    fflush(stdout);
    long n = write(1, tag(msg, 0x2b), sizeof(msg) - 1);
    printf("write without the ABI: %ld\n", n);
    printf("set with a bad argument: %d\n", prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 1, 0, 0));
    printf("set: %d\n", prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE, 0, 0, 0));
    printf("tagged ctrl: %d\n", prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
    fflush(stdout);
    n = write(1, tag(msg, 0x2b), sizeof(msg) - 1);
    printf("write with the ABI: %ld\n", n);
    return 0;
}
