/* A host timer for devices whose state changes with time (ACLINT's mtimecmp, an RTC alarm):
 * armed at a deadline on the host's monotonic clock, it calls notify from its own thread
 * when the deadline passes, so the board can update the device there (under its device
 * lock) or make a hart leave guest code to poll it. */
#ifndef VM_DEV_HOST_TIMER_H
#define VM_DEV_HOST_TIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define HOST_TIMER_NEVER UINT64_MAX

struct host_timer {
    int fd;                        /* a timerfd */
    uint64_t armed;                /* the deadline set last */
    unsigned fired;                /* how often it fired (the timer's thread counts) */
    unsigned fired_then;           /* fired when armed was set */
    bool running;
    pthread_t thread;
    void (*notify)(void *opaque);
    void *opaque;
};

/* The host's monotonic clock in nanoseconds. */
uint64_t host_time_ns(void);

/* 0 or a negative errno. */
int host_timer_start(struct host_timer *t, void (*notify)(void *opaque), void *opaque);
void host_timer_stop(struct host_timer *t);
/* Fires once at deadline (host_time_ns), or never with HOST_TIMER_NEVER; replaces the last.
 * Arming the deadline already armed costs nothing unless the timer fired since: then it is
 * armed again (fires at once when past), so a caller that looked at the time just before
 * the deadline and asks for it again still gets its notify. */
void host_timer_arm(struct host_timer *t, uint64_t deadline);

#endif
