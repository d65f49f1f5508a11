/* The threaded guest program tests/gdb/run.sh debugs: two threads, one after the other, each
 * stopping at the breakpoint in work, so gdb sees them as threads 2 and 3 in that order. */
#include <pthread.h>
#include <stdio.h>

volatile int hits;

__attribute__((noinline)) void work(int id)
{
    hits += id;
}

static void *run(void *arg)
{
    work((int)(long)arg);
    return NULL;
}

int main(void)
{
    for (long i = 1; i <= 2; i++) {
        pthread_t t;
        pthread_create(&t, NULL, run, (void *)i);
        pthread_join(t, NULL);
    }
    printf("hits %d\n", hits);
    return hits;
}
