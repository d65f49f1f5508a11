/* Threads, timer signals, mmap and fork at once (a guest program; the harness runs it under
 * a timeout, and a hang is a finding): one thread spins on a flag without system calls, others
 * map and unmap memory and make short-lived threads, the main thread forks children that do
 * the same briefly, and SIGALRM arrives every millisecond in whichever thread. Prints
 * "stress: ok" and the work done, which does not depend on timing.
 *
 * Usage: stress SEED ROUNDS [nofork]
 * nofork leaves the children out: vm built with GCC 12's ASan deadlocks in a fork child that
 * allocates while another thread held ASan's allocator lock at the fork (glibc's malloc
 * takes its locks around fork; that ASan does not), so make test SANITIZE=1 uses it. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 6

static atomic_int stop;
static atomic_long alarms;
static long rounds;

static void on_alarm(int sig)
{
    atomic_fetch_add_explicit(&alarms, 1, memory_order_relaxed);
}

/* Spins without system calls until told to stop: the thread the others must stop for mmap. */
static void *spinner(void *arg)
{
    volatile uint64_t x = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        x = x * 6364136223846793005ull + 1;
    return NULL;
}

static void *leaf(void *arg)
{
    return (void *)((uintptr_t)arg * 2);
}

/* Maps, touches and unmaps memory of varying sizes, and makes and joins a thread, rounds times. */
static void *worker(void *arg)
{
    uint64_t state = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
    long sum = 0;
    for (long i = 0; i < rounds; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        size_t size = (1 + state % 64) * 4096;
        uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("stress: mmap");
            exit(1);
        }
        memset(p, (int)i, size);
        sum += p[size - 1];
        if (i % 8 == 0)
            mprotect(p, 4096, PROT_READ);
        munmap(p, size);
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, leaf, (void *)(uintptr_t)i) != 0 || pthread_join(t, &r) != 0) {
            fprintf(stderr, "stress: thread create/join failed\n");
            exit(1);
        }
        sum += (long)(uintptr_t)r;
    }
    return (void *)sum;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "nofork"))) {
        fprintf(stderr, "usage: stress SEED ROUNDS [nofork]\n");
        return 2;
    }
    bool forks = argc == 3;
    long seed = atol(argv[1]);
    rounds = atol(argv[2]);
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &every_ms, NULL);

    pthread_t spin, workers[WORKERS];
    pthread_create(&spin, NULL, spinner, NULL);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&workers[i], NULL, worker, (void *)(seed * WORKERS + i));
    long children = 0;
    for (long i = 0; forks && i < rounds / 16 + 1; i++) {
        pid_t pid = fork();
        if (pid == 0) {   /* the child: only this thread; a little of the same, then exit */
            void *r = worker((void *)(seed + i));
            _exit((long)r == 0 ? 1 : 0);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "stress: fork child %ld failed (status %#x)\n", i, status);
            return 1;
        }
        children++;
    }
    long total = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(workers[i], &r);
        total += (long)r;
    }
    atomic_store(&stop, 1);
    pthread_join(spin, NULL);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("stress: ok, %d workers x %ld rounds, %ld children, sum %ld\n", WORKERS, rounds,
           children, total);   /* children: 0 with nofork */
    return 0;
}
