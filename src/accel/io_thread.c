/* The eventfd thread of a KVM machine (accel/io_thread.h): one epoll over the eventfds and a
 * stop eventfd of its own. */
#include "accel/io_thread.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"

static int fail(const char *what)
{
    vm_error("%s: %s", what, strerror(errno));
    return -1;
}

static int watch(struct io_thread *t, int fd, void *data)
{
    struct epoll_event e = { .events = EPOLLIN, .data.ptr = data };
    if (epoll_ctl(t->epoll_fd, EPOLL_CTL_ADD, fd, &e) < 0)
        return fail("kvm: epoll_ctl");
    return 0;
}

int io_thread_init(struct io_thread *t, pthread_mutex_t *lock)
{
    t->lock = lock;
    t->n_watch = 0;
    t->running = false;
    t->stop_fd = -1;
    t->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (t->epoll_fd < 0)
        return fail("kvm: epoll_create1");
    t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (t->stop_fd < 0)
        return fail("kvm: eventfd");
    return watch(t, t->stop_fd, NULL);
}

int io_thread_eventfd(struct io_thread *t, io_handler_fn *handler, void *opaque, int *fd)
{
    if (t->n_watch == IO_THREAD_FDS_MAX) {
        vm_error("kvm: more than %d eventfds", IO_THREAD_FDS_MAX);
        return -1;
    }
    struct io_watch *w = &t->watch[t->n_watch];
    w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->fd < 0)
        return fail("kvm: eventfd");
    w->handler = handler;
    w->opaque = opaque;
    t->n_watch++;
    *fd = w->fd;
    return watch(t, w->fd, w);
}

static void *serve(void *opaque)
{
    struct io_thread *t = opaque;
    for (;;) {
        struct epoll_event e[8];
        int n = epoll_wait(t->epoll_fd, e, 8, -1);
        if (n < 0 && errno != EINTR)
            return NULL;
        for (int k = 0; k < n; k++) {
            struct io_watch *w = e[k].data.ptr;
            if (!w)
                return NULL;
            uint64_t count;
            if (read(w->fd, &count, sizeof(count)) != sizeof(count))
                continue;
            pthread_mutex_lock(t->lock);
            w->handler(w->opaque, count);
            pthread_mutex_unlock(t->lock);
        }
    }
}

int io_thread_start(struct io_thread *t)
{
    int err = pthread_create(&t->thread, NULL, serve, t);
    if (err) {
        vm_error("kvm: cannot start the I/O thread: %s", strerror(err));
        return -1;
    }
    t->running = true;
    return 0;
}

void io_thread_destroy(struct io_thread *t)
{
    if (t->running) {
        uint64_t one = 1;
        if (write(t->stop_fd, &one, sizeof(one)) == sizeof(one))
            pthread_join(t->thread, NULL);
        t->running = false;
    }
    for (unsigned k = 0; k < t->n_watch; k++)
        close(t->watch[k].fd);
    t->n_watch = 0;
    if (t->stop_fd >= 0)
        close(t->stop_fd);
    if (t->epoll_fd >= 0)
        close(t->epoll_fd);
}
