/* The host timer (dev/host_timer.h): a timerfd on CLOCK_MONOTONIC read by a thread. */
#include "dev/host_timer.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

uint64_t host_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *waiter(void *arg)
{
    struct host_timer *t = arg;
    for (;;) {
        uint64_t expirations;
        ssize_t n = read(t->fd, &expirations, sizeof(expirations));
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return NULL;
        if (n == sizeof(expirations)) {
            __atomic_add_fetch(&t->fired, 1, __ATOMIC_SEQ_CST);
            /* Cancelled only inside read: never while notify holds the board's locks. */
            pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
            t->notify(t->opaque);
            pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
        }
    }
}

int host_timer_start(struct host_timer *t, void (*notify)(void *opaque), void *opaque)
{
    memset(t, 0, sizeof(*t));
    t->notify = notify;
    t->opaque = opaque;
    t->armed = HOST_TIMER_NEVER;
    t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (t->fd < 0)
        return -errno;
    int err = pthread_create(&t->thread, NULL, waiter, t);
    if (err) {
        close(t->fd);
        return -err;
    }
    t->running = true;
    return 0;
}

void host_timer_stop(struct host_timer *t)
{
    if (!t->running)
        return;
    pthread_cancel(t->thread);
    pthread_join(t->thread, NULL);
    close(t->fd);
    t->running = false;
}

void host_timer_arm(struct host_timer *t, uint64_t deadline)
{
    struct itimerspec its = { 0 };
    unsigned fired = __atomic_load_n(&t->fired, __ATOMIC_SEQ_CST);
    if (deadline == t->armed && fired == t->fired_then)
        return;
    t->armed = deadline;
    t->fired_then = fired;
    if (deadline != HOST_TIMER_NEVER) {
        /* 0 would disarm: a deadline already past fires a nanosecond after the epoch. */
        if (deadline == 0)
            deadline = 1;
        its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
        its.it_value.tv_nsec = (long)(deadline % 1000000000u);
    }
    timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}
