/* Threads, a timer signal every millisecond and mmap together: one thread spins on a flag
 * without a syscall while the others are created, map and unmap memory and mprotect a page of
 * their own code, and SIGALRM keeps interrupting them all. A change to memory holding
 * translated code stops the other threads, and each of them must stop even when a signal is
 * being taken at that moment (vm used to lose the stop request then and hang for ever). */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#define ROUNDS 40
#define WORKERS 6
#define MAPS 10

static atomic_int stop, spinning;
static atomic_long ticks;
static volatile long spins;

static void on_alarm(int sig)
{
    ticks++;
}

static void *spinner(void *arg)
{
    spinning = 1;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        spins++;
    return arg;
}

static __attribute__((noinline)) long step(long sum, int i)
{
    return sum * 3 + i;
}

static void *worker(void *arg)
{
    long sum = 0;
    uintptr_t code = (uintptr_t)step & ~(uintptr_t)4095;
    for (int i = 0; i < MAPS; i++) {
        if (mprotect((void *)code, 4096, PROT_READ | PROT_EXEC) < 0)
            return NULL;
        sum = step(sum, i);
        size_t len = (size_t)(1 + i % 4) << 16;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        memset(p, i, len);
        sum += p[len - 1];
        munmap(p, len);
    }
    return (void *)(sum + 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    pthread_t spin;
    pthread_create(&spin, NULL, spinner, NULL);
    while (!spinning)
        ;
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    int ok = 0;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_t th[WORKERS];
        for (int i = 0; i < WORKERS; i++)
            pthread_create(&th[i], NULL, worker, NULL);
        for (int i = 0; i < WORKERS; i++) {
            void *res;
            pthread_join(th[i], &res);
            ok += res != NULL;
        }
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    stop = 1;
    pthread_join(spin, NULL);
    printf("workers finished: %d of %d\n", ok, ROUNDS * WORKERS);
    printf("timer ticks seen: %s\n", ticks > 0 ? "yes" : "no");
    return 0;
}
