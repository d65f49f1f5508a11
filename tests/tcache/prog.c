/* The guest program of tests/tcache/run.sh: dynamically linked (so most of its blocks are the
 * dynamic linker's and libc's), with output that shows whether its code ran right. VARIANT
 * changes the program's own code for the "changed binary" check; an argument K makes it
 * write code returning K into a fixed page and call it, so that two runs hold different
 * guest bytes at the same pc (the cache must notice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef VARIANT
#define VARIANT 1
#endif

#define GEN_ADDR 0x20000000ul

static int by_value(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* Machine code for "return k" (k < 2048). */
static size_t gen_return(unsigned *code, unsigned k)
{
#if defined(__riscv)
    code[0] = k << 20 | 10 << 7 | 0x13;   /* addi a0, zero, k */
    code[1] = 0x00008067;                 /* ret */
#elif defined(__aarch64__)
    code[0] = 0xd2800000 | k << 5;        /* movz x0, #k */
    code[1] = 0xd65f03c0;                 /* ret */
#else
#error "no generated code for this ISA"
#endif
    return 2 * sizeof(*code);
}

int main(int argc, char **argv)
{
    unsigned v[500], x = 12345, sum = 0;
    for (unsigned i = 0; i < 500; i++)
        v[i] = x = x * 1103515245u + 12345u + VARIANT;
    qsort(v, 500, sizeof(v[0]), by_value);
    for (unsigned i = 0; i < 500; i++)
        sum = sum * 31 + v[i] / (i + 1);
    char text[64];
    snprintf(text, sizeof(text), "%u-%x-%d", v[0], v[499], VARIANT);
    printf("variant %d: sum %u, text %s (%zu)\n", VARIANT, sum, text, strlen(text));
    if (argc > 1) {
        unsigned *page = mmap((void *)GEN_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (page == MAP_FAILED)
            return 2;
        size_t n = gen_return(page, (unsigned)atoi(argv[1]) & 2047);
        __builtin___clear_cache((char *)page, (char *)page + n);
        printf("generated %d\n", ((int (*)(void))(void *)page)());
    }
    return 0;
}
