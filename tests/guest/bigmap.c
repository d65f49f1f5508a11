/* Terabyte mappings, as Linux allows them in a 47-bit user space: a 1 TiB PROT_NONE mapping, a
 * page made writable in its middle, moved with mremap and unmapped; a fixed mapping at 32 TiB;
 * many terabytes mapped and unmapped in a row (which must take no time). qemu-user 7.2 keeps
 * page flags per page and runs out of memory here: the expectation is the native run's. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define TIB (1ull << 40)
#define PAGE 4096

static const char *err(long r)
{
    return r == -1 ? strerror(errno) : "ok";
}

int main(void)
{
    char *p = mmap(NULL, TIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mmap 1 TiB PROT_NONE: %s\n", p == MAP_FAILED ? strerror(errno) : "ok");
    if (p == MAP_FAILED)
        return 1;
    char *mid = p + TIB / 2 + 12345 * PAGE;
    printf("mprotect a page in the middle: %s\n", err(mprotect(mid, PAGE, PROT_READ | PROT_WRITE)));
    strcpy(mid, "hello from the middle");
    strcpy(mid + PAGE - 6, "edge");
    printf("read back: %s, %s\n", mid, mid + PAGE - 6);
    printf("mprotect the page after it: %s\n", err(mprotect(mid + PAGE, PAGE, PROT_READ)));
    printf("the page after reads zero: %d\n", mid[PAGE]);
    unsigned char vec[4] = { 0xff, 0xff, 0xff, 0xff };
    printf("mincore of the two pages: %s\n", err(mincore(mid, 2 * PAGE, vec)));

    char *moved = mremap(mid, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
    printf("mremap grows the page: %s\n", moved == MAP_FAILED ? strerror(errno) : "ok");
    if (moved != MAP_FAILED) {
        printf("moved contents: %s, %s\n", moved, moved + PAGE - 6);
        moved[3 * PAGE - 1] = 7;
        printf("its last page is writable: %d\n", moved[3 * PAGE - 1]);
        printf("munmap the moved pages: %s\n", err(munmap(moved, 3 * PAGE)));
    }
    char *back = mremap(mid + PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, mid);
    printf("mremap a page back into the middle: %s\n", back == mid ? "ok" : strerror(errno));
    printf("munmap 1 TiB: %s\n", err(munmap(p, TIB)));
    printf("mprotect in the unmapped middle: %s\n", err(mprotect(mid, PAGE, PROT_READ)));

    char *fixed = (char *)(32 * TIB);
    char *f = mmap(fixed, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0);
    printf("MAP_FIXED at 32 TiB: %s\n", f == fixed ? "ok" : strerror(errno));
    if (f == fixed) {
        f[PAGE] = 42;
        printf("it holds %d\n", f[PAGE]);
        printf("munmap: %s\n", err(munmap(f, 2 * PAGE)));
    }

    int good = 0;
    for (int i = 0; i < 200; i++) {
        char *q = mmap(NULL, 8 * TIB, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (q == MAP_FAILED)
            break;
        q[4 * TIB + i] = 1;
        good += q[4 * TIB + i] == 1 && munmap(q, 8 * TIB) == 0;
    }
    printf("8 TiB mapped, touched and unmapped 200 times: %d\n", good);
    return 0;
}
