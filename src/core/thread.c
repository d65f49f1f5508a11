/* Service threads (core/thread.h). */
#include "core/thread.h"

#include <pthread.h>
#include <signal.h>

int service_thread_start(void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the new thread inherits the mask */
    pthread_t t;
    int err = pthread_create(&t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err)
        return -err;
    pthread_detach(t);
    return 0;
}
