/* Self-modifying code: code written into an RWX page, run, rewritten and run again (with
 * fence.i or the riscv_flush_icache syscall in between), code and data sharing a page, a
 * page whose protection changes between runs, a flush of code pages that were not rewritten,
 * a new mapping in place of old code, and code written by read(2) (the kernel, not a guest
 * store). Each new code must be seen, never a stale translation. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(long);

/* addi a0, a0, imm (12-bit signed) */
static uint32_t addi_a0(int imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | 10 << 15 | 0 << 12 | 10 << 7 | 0x13;
}
static const uint32_t RET = 0x00008067;   /* jalr zero, 0(ra) */

static void fence_i(void)
{
    __asm__ volatile("fence.i" ::: "memory");
}

/* n instructions "addi a0, a0, imm" then ret: returns x + n * imm. */
static void emit(uint32_t *code, int n, int imm)
{
    for (int i = 0; i < n; i++)
        code[i] = addi_a0(imm);
    code[n] = RET;
}

int main(void)
{
    uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    fn_t f = (fn_t)(void *)page;

    /* 1: rewrite and rerun, fence.i between */
    long sum = 0;
    for (int k = 1; k <= 50; k++) {
        emit(page, k % 7 + 1, k);
        fence_i();
        sum += f(1000);
    }
    printf("rewrite loop: sum %ld\n", sum);

    /* 2: the same through the flush-icache syscall (__builtin___clear_cache) */
    emit(page, 3, -5);
    __builtin___clear_cache((char *)page, (char *)(page + 4));
    printf("clear_cache: %ld\n", f(100));
    emit(page, 2, 9);
    __builtin___clear_cache((char *)page, (char *)(page + 4));
    printf("clear_cache again: %ld\n", f(100));

    /* 3: data stored in the same page as running code */
    volatile long *data = (volatile long *)(page + 512);
    emit(page, 1, 1);
    fence_i();
    long acc = 0;
    for (int k = 0; k < 1000; k++) {
        *data = k;
        acc += f(*data);
    }
    printf("code and data in one page: %ld\n", acc);

    /* 4: read-only between writes */
    emit(page, 4, 2);
    fence_i();
    mprotect(page, 4096, PROT_READ | PROT_EXEC);
    printf("read-only: %ld\n", f(0));
    mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    emit(page, 4, 3);
    fence_i();
    printf("writable again: %ld\n", f(0));

    /* 5: a flush over two code pages of which only one was rewritten; then the other one is
     * rewritten too */
    uint32_t *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t *second = two + 1024;
    emit(two, 1, 1);
    emit(second, 1, 2);
    __builtin___clear_cache((char *)two, (char *)(two + 2048));
    long before = ((fn_t)(void *)two)(0) + ((fn_t)(void *)second)(0);
    emit(two, 1, 10);
    __builtin___clear_cache((char *)two, (char *)(two + 2048));
    emit(second, 1, 20);
    __builtin___clear_cache((char *)two, (char *)(two + 2048));
    printf("two pages: %ld then %ld\n", before,
           ((fn_t)(void *)two)(0) + ((fn_t)(void *)second)(0));

    /* 6: new code written by the kernel: read(2) from a pipe over running code */
    uint32_t fresh[4];
    int fds[2];
    emit(page, 2, 4);
    fence_i();
    long old_result = f(0);
    emit(fresh, 3, 5);
    if (pipe(fds) < 0 || write(fds[1], fresh, sizeof(fresh)) != (ssize_t)sizeof(fresh))
        return 1;
    ssize_t got = read(fds[0], page, sizeof(fresh));
    fence_i();
    printf("read over code: %zd bytes, %ld then %ld\n", got, old_result, f(0));

    /* 7: a second mapping at the same address */
    munmap(page, 4096);
    uint32_t *again = mmap(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    emit(again, 5, 7);
    fence_i();
    printf("new mapping: %ld\n", ((fn_t)(void *)again)(0));
    return 0;
}
