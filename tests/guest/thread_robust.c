/* Robust mutexes: a thread that exits holding one leaves it to the next locker with
 * EOWNERDEAD (vm walks the guest's robust list when the thread exits), which can make it
 * consistent again. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m;

static void *hold_and_exit(void *arg)
{
    pthread_mutex_lock(&m);
    return NULL;   /* exits with the mutex held */
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &a);
    pthread_t t;
    pthread_create(&t, NULL, hold_and_exit, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&m);
    printf("lock after owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    printf("consistent: %d\n", pthread_mutex_consistent(&m));
    printf("unlock: %d\n", pthread_mutex_unlock(&m));
    printf("relock: %d\n", pthread_mutex_lock(&m));
    pthread_mutex_unlock(&m);
    return 0;
}
