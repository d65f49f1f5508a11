/* Self-modifying code ahead of the store: x86 sees a store into an instruction that follows it
 * in the same straight-line code (no jump, no serializing instruction between), so a
 * translator must not run the old copy of the rest of the block (or of a T2 region). The code
 * patches the immediate of a mov two instructions on, and, in a second function, of a mov past
 * a taken jump (in another block); each runs many times, rewritten back from C in between. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(int);

int main(void)
{
    uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    /* f(x): mov byte [rip + imm_of_mov], dil; mov eax, 1; ret */
    static const uint8_t f[] = {
        0x40, 0x88, 0x3d, 0x01, 0x00, 0x00, 0x00,   /* mov [rip + 1], dil: the byte after the B8 */
        0xb8, 0x01, 0x00, 0x00, 0x00,               /* mov eax, 1 */
        0xc3,
    };
    /* g(x): mov byte [rip + 3], dil; jmp +0; mov eax, 1; ret (the mov after a jump) */
    static const uint8_t g[] = {
        0x40, 0x88, 0x3d, 0x03, 0x00, 0x00, 0x00,
        0xeb, 0x00,                                 /* jmp to the next instruction */
        0xb8, 0x01, 0x00, 0x00, 0x00,
        0xc3,
    };
    uint8_t *fp = page, *gp = page + 64;
    memcpy(fp, f, sizeof(f));
    memcpy(gp, g, sizeof(g));
    fn_t fn = (fn_t)(void *)fp, gn = (fn_t)(void *)gp;
    long sum_f = 0, sum_g = 0, stale_f = 0, stale_g = 0;
    for (int i = 0; i < 3000; i++) {
        int want = 2 + i % 200;
        int r = fn(want);
        sum_f += r;
        stale_f += r != want;
        fp[8] = 1;
        r = gn(want);
        sum_g += r;
        stale_g += r != want;
        if (i % 7 == 0)
            gp[10] = 1;
    }
    printf("ahead in the block: sum %ld, stale %ld\n", sum_f, stale_f);
    printf("past a jump: sum %ld, stale %ld\n", sum_g, stale_g);
    return 0;
}
