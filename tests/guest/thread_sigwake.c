/* A signal sent to a thread just as it goes to wait ends the wait, whether it comes before
 * the wait starts or during it. The main thread sends the signal the moment the waiter says
 * it is about to wait, thousands of times, so some arrive between vm's look for pending
 * signals and the host's call, where vm once recorded the signal and then blocked for ever
 * (the test then reports the lost wake). Both waits are free of that race on Linux: in odd
 * rounds a futex wait on a word the handler sets (the kernel compares the word), in even ones
 * a readv of a pipe the handler writes a byte to (the self-pipe trick), into 1024 buffers that
 * vm checks one by one before the call: a wide window. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 3000
#define DELAYS 1000    /* spin iterations before a send, at most */
#define PATIENCE_S 20   /* a wake is lost if the handler has not run after this long */

static atomic_int word, ready, handled, waiter_tid;

static int pipe_fd[2];

static void on_usr1(int sig)
{
    (void)sig;
    atomic_store(&word, 1);
    if (atomic_load(&ready) % 2 == 0 && write(pipe_fd[1], "x", 1) != 1)
        _exit(2);
    atomic_fetch_add(&handled, 1);
}

#define NIOV 1024

static char bytes[NIOV];
static struct iovec iov[NIOV];

static void *waiter(void *arg)
{
    (void)arg;
    for (int k = 0; k < NIOV; k++)
        iov[k] = (struct iovec){ bytes + k, 1 };
    atomic_store(&waiter_tid, (int)syscall(SYS_gettid));
    for (int i = 1; i <= ROUNDS; i++) {
        atomic_store(&word, 0);
        atomic_store(&ready, i);
        if (i % 2)
            while (!atomic_load(&word))
                syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        else
            while (readv(pipe_fd[0], iov, NIOV) != 1)   /* -1: EINTR, the byte still to come */
                ;
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pipe(pipe_fd);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    for (int i = 1; i <= ROUNDS; i++) {
        while (atomic_load(&ready) != i)
            ;
        for (volatile int k = (i * 7919) % DELAYS; k > 0; k--)   /* spreads the sends */
            ;
        syscall(SYS_tgkill, getpid(), atomic_load(&waiter_tid), SIGUSR1);
        double start = now();
        while (atomic_load(&handled) != i) {
            if (now() - start > PATIENCE_S) {
                printf("wake %d lost: the waiter never ran its handler\n", i);
                fflush(stdout);
                _exit(1);
            }
            sched_yield();
        }
    }
    pthread_join(t, NULL);
    printf("%d wakes, %d handled\n", ROUNDS, atomic_load(&handled));
    return 0;
}
