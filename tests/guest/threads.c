/* Threads: pthread_create/join with results, a mutex-protected counter and an atomic one
 * under contention, a condition variable handshake, a barrier, thread-local storage, distinct
 * tids, a signal sent to one thread with pthread_kill, pthread_cancel of a thread blocked in
 * a condition wait, and mmap/munmap from several threads at once. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NTHREADS 4
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static atomic_long acounter;
static __thread int tls_value;
static pid_t tids[NTHREADS];
static int ready;

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    tls_value = id * 100;
    tids[id] = gettid();
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        atomic_fetch_add(&acounter, 1);
    }
    for (int i = 0; i < 50; i++) {
        void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(p, id, 65536);
        munmap(p, 65536);
    }
    return (void *)(long)(tls_value + 1);
}

static volatile pid_t handler_tid;
static void on_usr1(int sig)
{
    handler_tid = gettid();
}

static pid_t target_tid;
static void *sig_target(void *arg)
{
    target_tid = gettid();
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&cond);
    while (ready != 2)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *cancel_target(void *arg)
{
    pthread_mutex_lock(&lock);
    pthread_cleanup_push((void (*)(void *))pthread_mutex_unlock, &lock);
    ready = 3;
    pthread_cond_broadcast(&cond);
    for (;;)
        pthread_cond_wait(&cond, &lock);
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    pthread_t th[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    tls_value = -1;
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        sum += (long)r;
    }
    int distinct = 1;
    for (int i = 0; i < NTHREADS; i++)
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j] && tids[i] != getpid();
    printf("join results sum=%ld main tls=%d\n", sum, tls_value);
    printf("counter=%ld atomic=%ld\n", counter, (long)atomic_load(&acounter));
    printf("distinct tids=%d\n", distinct);

    /* a signal to one thread runs its handler on that thread */
    signal(SIGUSR1, on_usr1);
    pthread_t t;
    pthread_create(&t, NULL, sig_target, NULL);
    pthread_mutex_lock(&lock);
    while (ready != 1)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    pthread_kill(t, SIGUSR1);
    while (!handler_tid)
        usleep(1000);
    pthread_mutex_lock(&lock);
    ready = 2;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("pthread_kill: handled on target=%d\n", handler_tid == target_tid);

    /* pthread_cancel of a thread waiting on a condition */
    pthread_create(&t, NULL, cancel_target, NULL);
    pthread_mutex_lock(&lock);
    while (ready != 3)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    pthread_cancel(t);
    void *res;
    pthread_join(t, &res);
    printf("pthread_cancel: canceled=%d\n", res == PTHREAD_CANCELED);
    return 0;
}
