/* Heap: malloc/free/realloc/calloc over many sizes (brk-backed small
 * chunks and mmap-backed large ones), contents preserved across realloc,
 * alignment guarantees, memalign variants. Only facts are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <malloc.h>

static unsigned char pat(size_t i, size_t salt) { return (unsigned char)(i * 31 + salt * 7 + 1); }

int main(void)
{
    enum { N = 600 };
    static unsigned char *blk[N];
    static size_t len[N];
    unsigned bad = 0, misaligned = 0;
    size_t total = 0;

    for (size_t i = 0; i < N; i++) {
        size_t n = (i * 37) % 3000 + (i % 50 == 0 ? 300000 : 0) + (i == 7 ? 5 << 20 : 0);
        blk[i] = malloc(n);
        len[i] = n;
        if (!blk[i]) { printf("malloc(%zu) failed\n", n); return 1; }
        if ((uintptr_t)blk[i] % 16) misaligned++;
        for (size_t k = 0; k < n; k++) blk[i][k] = pat(k, i);
        total += n;
    }
    /* free every third, then reallocate some bigger and some smaller */
    for (size_t i = 0; i < N; i += 3) { free(blk[i]); blk[i] = NULL; }
    for (size_t i = 1; i < N; i += 3) {
        size_t n = i % 2 ? len[i] * 3 + 100 : len[i] / 2;
        unsigned char *p = realloc(blk[i], n);
        if (!p) { printf("realloc failed\n"); return 1; }
        size_t keep = n < len[i] ? n : len[i];
        for (size_t k = 0; k < keep; k++) bad += p[k] != pat(k, i);
        for (size_t k = keep; k < n; k++) p[k] = pat(k, i);
        blk[i] = p;
        len[i] = n;
        if ((uintptr_t)p % 16) misaligned++;
    }
    for (size_t i = 0; i < N; i++) {
        if (!blk[i]) continue;
        for (size_t k = 0; k < len[i]; k++) bad += blk[i][k] != pat(k, i);
        free(blk[i]);
    }
    printf("malloc/realloc: %d blocks, %zu bytes first round, corrupt bytes=%u misaligned=%u\n", N, total, bad,
           misaligned);

    /* calloc must zero, including recycled memory */
    unsigned nonzero = 0;
    for (int r = 0; r < 50; r++) {
        unsigned char *p = malloc(4000);
        memset(p, 0xff, 4000);
        free(p);
        unsigned char *q = calloc(1000, 4);
        for (int k = 0; k < 4000; k++) nonzero += q[k] != 0;
        free(q);
    }
    unsigned char *big = calloc(1, 3 << 20);
    for (size_t k = 0; k < (3u << 20); k += 4096) nonzero += big[k] != 0;
    free(big);
    printf("calloc nonzero bytes: %u\n", nonzero);

    /* growing realloc chain (like a dynamic array) */
    unsigned char *arr = NULL;
    size_t cap = 0;
    bad = 0;
    for (size_t n = 1; n <= 1 << 22; n *= 2) {
        arr = realloc(arr, n);
        for (size_t k = cap; k < n; k++) arr[k] = pat(k, 3);
        cap = n;
    }
    for (size_t k = 0; k < cap; k++) bad += arr[k] != pat(k, 3);
    arr = realloc(arr, 10);
    for (size_t k = 0; k < 10; k++) bad += arr[k] != pat(k, 3);
    free(arr);
    printf("realloc chain to 4 MiB and back: corrupt=%u\n", bad);

    /* aligned allocation */
    misaligned = 0;
    for (size_t al = 16; al <= 65536; al *= 4) {
        void *p = NULL;
        if (posix_memalign(&p, al, 1000) != 0) { printf("posix_memalign failed\n"); return 1; }
        misaligned += (uintptr_t)p % al != 0;
        free(p);
        p = aligned_alloc(al, al * 2);
        misaligned += (uintptr_t)p % al != 0;
        free(p);
        p = memalign(al, 77);
        misaligned += (uintptr_t)p % al != 0;
        free(p);
    }
    printf("aligned allocations misaligned: %u\n", misaligned);
    printf("malloc(0) usable: %d, free(NULL) ok\n", malloc(0) != NULL);
    free(NULL);
    void *huge = malloc((size_t)1 << 62);
    printf("malloc(2^62) fails: %d\n", huge == NULL);
    return 0;
}
