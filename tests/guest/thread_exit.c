/* How threads end: a signal sent to a thread spinning in guest code reaches it, the main
 * thread leaving with pthread_exit (the exit syscall: one thread) lets the others go on, and
 * exit() in a worker (exit_group) ends the process with its status. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int spin_stop, spinning, got_signal;

static void on_usr1(int sig)
{
    got_signal = 1;
    spin_stop = 1;
}

static void *spinner(void *arg)
{
    unsigned long n = 0;
    while (!spin_stop)
        if (++n == 1)
            spinning = 1;
    return (void *)(long)(n > 0);
}

static void *last_one(void *arg)
{
    usleep(20000);
    printf("worker: still running after main left\n");
    exit(3);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_usr1);
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    /* On a loaded machine the spinner may not have run yet: signal it once it loops. */
    while (!spinning)
        sched_yield();
    usleep(10000);
    pthread_kill(t, SIGUSR1);
    void *r;
    pthread_join(t, &r);
    printf("spinner: signal=%d looped=%ld\n", got_signal, (long)r);

    /* Printed before the worker exists, so that a main thread descheduled for longer than the
     * worker's sleep cannot print after it. */
    printf("main: leaving with pthread_exit\n");
    pthread_create(&t, NULL, last_one, NULL);
    pthread_exit(NULL);
}
