/* The host thread that serves a KVM machine's eventfds: queue notifications KVM signals
 * through ioeventfd instead of exiting KVM_RUN, and frames waiting for the guest. Each
 * eventfd has a handler, run on this thread under the machine's device lock (the lock the
 * vCPU threads take for their port and MMIO exits), so devices stay single-threaded as the
 * software machine has them. */
#ifndef VM_ACCEL_IO_THREAD_H
#define VM_ACCEL_IO_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IO_THREAD_FDS_MAX 32

/* count: the eventfd's counter when read, the number of signals since the last read. */
typedef void io_handler_fn(void *opaque, uint64_t count);

struct io_watch {
    int fd;
    io_handler_fn *handler;
    void *opaque;
};

struct io_thread {
    int epoll_fd, stop_fd;
    pthread_mutex_t *lock;
    struct io_watch watch[IO_THREAD_FDS_MAX];
    unsigned n_watch;
    pthread_t thread;
    bool running;
};

/* Each returns 0 or -1 after printing `vm: what failed: why`. */
int io_thread_init(struct io_thread *t, pthread_mutex_t *lock);
/* A new eventfd, served by handler once the thread starts: its fd in *fd (closed by
 * io_thread_destroy). */
int io_thread_eventfd(struct io_thread *t, io_handler_fn *handler, void *opaque, int *fd);
int io_thread_start(struct io_thread *t);
/* Stops the thread (a handler running finishes first) and closes the eventfds. */
void io_thread_destroy(struct io_thread *t);

#endif
