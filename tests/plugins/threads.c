/* The plugins' thread test (run.sh): THREADS guest threads (argv[1]) each run a loop of N
 * iterations (argv[2]) in count_up, so callbacks come from several threads at once; they
 * all wait at a barrier first, so all of them are alive together. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long iterations;
static pthread_barrier_t all_started;

__attribute__((noinline)) static void *count_up(void *arg)
{
    pthread_barrier_wait(&all_started);
    for (volatile long i = 0; i < iterations; i++)
        ;
    return arg;
}

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[1]) : 4;
    iterations = argc > 2 ? atol(argv[2]) : 1000;
    pthread_t t[64];
    if (n < 1 || n > 64)
        n = 4;
    pthread_barrier_init(&all_started, NULL, n);
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, count_up, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    printf("%d threads done\n", n);
    return 0;
}
