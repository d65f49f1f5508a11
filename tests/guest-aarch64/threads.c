/* Guest threads: four threads bump shared counters with atomic adds (LSE or LDXR/STXR, as
 * the outline atomics choose), a compare-and-swap loop and a mutex, and read their own
 * thread-local variable (TPIDR_EL0). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 20000

static uint64_t atomic_count, cas_count, locked_count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int my_id;

static void *worker(void *arg)
{
    my_id = (int)(intptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        __atomic_fetch_add(&atomic_count, 1, __ATOMIC_RELAXED);
        uint64_t old = __atomic_load_n(&cas_count, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_count, &old, old + 2, 1, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED))
            ;
        pthread_mutex_lock(&lock);
        locked_count += 3;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(intptr_t)(my_id * 10);
}

int main(void)
{
    pthread_t t[THREADS];
    my_id = 99;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    int sum = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (int)(intptr_t)r;
    }
    printf("atomic %llu cas %llu locked %llu returns %d main tls %d\n",
           (unsigned long long)atomic_count, (unsigned long long)cas_count,
           (unsigned long long)locked_count, sum, my_id);
    return 0;
}
