/* Four threads calling many distinct functions at once in their own orders, so that under a
 * small JIT code cache (tests/run.sh runs this with --code-cache=64K) they translate into the
 * old space while a collection waits for the others to stop, fill it, and must leave guest
 * code for the flush instead of failing. Prints checksums that must not depend on any of that. */
#include <pthread.h>
#include <stdio.h>

#include "jitcache.h"

#define THREADS 4

static void *rounds(void *arg)
{
    uint64_t *x = arg;
    unsigned step = (unsigned)*x * 2 + 1;
    for (int round = 0; round < 40; round++)
        for (unsigned i = 0; i < N; i++)
            *x = table[(i * step + round * 13) % N](*x);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    uint64_t xs[THREADS];
    for (int k = 0; k < THREADS; k++) {
        xs[k] = (uint64_t)k + 2;
        if (pthread_create(&t[k], NULL, rounds, &xs[k]))
            return 1;
    }
    for (int k = 0; k < THREADS; k++) {
        pthread_join(t[k], NULL);
        printf("thread %d: %016llx\n", k, (unsigned long long)xs[k]);
    }
    return 0;
}
