/* User networking over libslirp (dev/net_slirp.h). libslirp is loaded with dlopen when a
 * machine asks for --net, not linked: with it would come glib and pcre2, which every start of
 * vm (user mode, a KVM microVM without network) would pay to load and relocate. */
#include "dev/net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/dynlib.h"
#include "core/log.h"
#include "core/thread.h"

/* Debian's libslirp0: the soname's major is not the header's SLIRP_MAJOR_VERSION. */
#define SLIRP_SONAME "libslirp.so.0"

#define SLIRP_FUNCTIONS(X) X(new) X(cleanup) X(input) X(pollfds_fill) X(pollfds_poll) X(add_hostfwd)

static struct {
#define MEMBER(name) __typeof__(slirp_##name) *name;
    SLIRP_FUNCTIONS(MEMBER)
#undef MEMBER
} lib;
static const struct dynlib_sym slirp_syms[] = {
#define SYM(name) { "slirp_" #name, (void **)&lib.name },
    SLIRP_FUNCTIONS(SYM)
#undef SYM
};
static struct dynlib slirp_lib = DYNLIB(SLIRP_SONAME, slirp_syms);

#define TIMERS_MAX 8
#define POLL_MAX_MS 100            /* the longest the thread sleeps without a timer */

struct slirp_timer {
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms;             /* -1: not armed */
    bool used;
};

struct queued_frame {
    uint8_t *data;
    size_t len;
};

struct net_slirp {
    pthread_mutex_t lock;          /* libslirp, the timers and the queue */
    Slirp *slirp;
    int wake;                      /* an eventfd: the thread polls again at once */
    bool stop;
    struct pollfd *fds;            /* the service thread's own */
    unsigned n_fds, fds_cap;
    struct slirp_timer timers[TIMERS_MAX];
    struct queued_frame queue[NET_SLIRP_QUEUE];
    unsigned head, count;
    void (*kick)(void *opaque);
    void *kick_opaque;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void wake(struct net_slirp *s)
{
    uint64_t one = 1;
    if (write(s->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
        return;
}

/* ---- libslirp's callbacks (the lock is held) ---- */

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
    struct net_slirp *s = opaque;
    if (s->count == NET_SLIRP_QUEUE || len > VIRTIO_NET_FRAME_MAX)
        return (ssize_t)len;                    /* dropped, as a full link would */
    uint8_t *copy = malloc(len);
    if (!copy)
        return (ssize_t)len;
    memcpy(copy, buf, len);
    s->queue[(s->head + s->count++) % NET_SLIRP_QUEUE] = (struct queued_frame){ copy, len };
    s->kick(s->kick_opaque);
    return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
}

static int64_t clock_get_ns(void *opaque)
{
    return now_ns();
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct net_slirp *s = opaque;
    for (unsigned k = 0; k < TIMERS_MAX; k++)
        if (!s->timers[k].used) {
            s->timers[k] = (struct slirp_timer){ cb, cb_opaque, -1, true };
            return &s->timers[k];
        }
    return NULL;
}

static void timer_free(void *timer, void *opaque)
{
    if (timer)
        ((struct slirp_timer *)timer)->used = false;
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    if (timer)
        ((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

static void register_poll_fd(int fd, void *opaque)
{
}

static void notify(void *opaque)
{
    wake(opaque);
}

static const SlirpCb callbacks = {
    .send_packet = send_packet, .guest_error = guest_error, .clock_get_ns = clock_get_ns,
    .timer_new = timer_new, .timer_free = timer_free, .timer_mod = timer_mod,
    .register_poll_fd = register_poll_fd, .unregister_poll_fd = register_poll_fd,
    .notify = notify,
};

/* ---- the service thread ---- */

static int add_poll(int fd, int events, void *opaque)
{
    struct net_slirp *s = opaque;
    if (s->n_fds + 1 >= s->fds_cap) {
        unsigned cap = s->fds_cap ? 2 * s->fds_cap : 64;
        struct pollfd *fds = realloc(s->fds, cap * sizeof(*fds));
        if (!fds)
            return -1;
        s->fds = fds;
        s->fds_cap = cap;
    }
    short ev = (short)((events & SLIRP_POLL_IN ? POLLIN : 0) |
                       (events & SLIRP_POLL_OUT ? POLLOUT : 0) |
                       (events & SLIRP_POLL_PRI ? POLLPRI : 0));
    s->fds[s->n_fds] = (struct pollfd){ fd, ev, 0 };
    return (int)s->n_fds++;
}

static int get_revents(int idx, void *opaque)
{
    struct net_slirp *s = opaque;
    if (idx < 0 || (unsigned)idx >= s->n_fds)
        return 0;
    short r = s->fds[idx].revents;
    return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
           (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
           (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static void *service(void *arg)
{
    struct net_slirp *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        uint32_t timeout = POLL_MAX_MS;
        s->n_fds = 0;
        lib.pollfds_fill(s->slirp, &timeout, add_poll, s);
        int64_t now_ms = now_ns() / 1000000;
        for (unsigned k = 0; k < TIMERS_MAX; k++) {
            const struct slirp_timer *t = &s->timers[k];
            if (!t->used || t->expire_ms < 0)
                continue;
            int64_t left = t->expire_ms > now_ms ? t->expire_ms - now_ms : 0;
            if (left < timeout)
                timeout = (uint32_t)left;
        }
        unsigned n = s->n_fds;
        bool have_wake = add_poll(s->wake, SLIRP_POLL_IN, s) >= 0;
        pthread_mutex_unlock(&s->lock);
        int ready = poll(s->fds, s->n_fds, (int)timeout);
        if (ready > 0 && have_wake && (s->fds[n].revents & POLLIN)) {
            uint64_t v;
            if (read(s->wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
                ready = -1;
        }
        pthread_mutex_lock(&s->lock);
        s->n_fds = n;
        lib.pollfds_poll(s->slirp, ready < 0, get_revents, s);
        now_ms = now_ns() / 1000000;
        for (unsigned k = 0; k < TIMERS_MAX; k++) {
            struct slirp_timer *t = &s->timers[k];
            if (t->used && t->expire_ms >= 0 && t->expire_ms <= now_ms) {
                t->expire_ms = -1;
                t->cb(t->cb_opaque);
            }
        }
    }
    lib.cleanup(s->slirp);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- the backend ---- */

static void backend_send(void *opaque, const uint8_t *frame, size_t len)
{
    struct net_slirp *s = opaque;
    pthread_mutex_lock(&s->lock);
    if (!s->stop)
        lib.input(s->slirp, frame, (int)len);
    pthread_mutex_unlock(&s->lock);
    wake(s);             /* the frame may have opened a socket the thread must poll */
}

static size_t backend_recv(void *opaque, uint8_t *buf, size_t size)
{
    struct net_slirp *s = opaque;
    size_t len = 0;
    pthread_mutex_lock(&s->lock);
    if (s->count) {
        struct queued_frame *f = &s->queue[s->head];
        len = f->len < size ? f->len : size;
        memcpy(buf, f->data, len);
        free(f->data);
        s->head = (s->head + 1) % NET_SLIRP_QUEUE;
        s->count--;
    }
    pthread_mutex_unlock(&s->lock);
    return len;
}

struct net_backend net_slirp_backend(struct net_slirp *s)
{
    return (struct net_backend){ backend_send, backend_recv, s };
}

/* One hostfwd rule, "tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT": 0 or -1. */
static int hostfwd(Slirp *slirp, const char *rule, struct in_addr guest_default)
{
    char proto[4], haddr[64] = "", gaddr[64] = "";
    unsigned hport, gport;
    int end = 0;
    struct in_addr host = { INADDR_ANY }, guest = guest_default;
    if ((sscanf(rule, "%3[a-z]:%63[0-9.]:%u-%63[0-9.]:%u%n", proto, haddr, &hport, gaddr,
                &gport, &end) == 5 ||
         sscanf(rule, "%3[a-z]::%u-%63[0-9.]:%u%n", proto, &hport, gaddr, &gport, &end) == 4 ||
         sscanf(rule, "%3[a-z]:%63[0-9.]:%u-:%u%n", proto, haddr, &hport, &gport, &end) == 4 ||
         sscanf(rule, "%3[a-z]::%u-:%u%n", proto, &hport, &gport, &end) == 3) &&
        !rule[end] && (!strcmp(proto, "tcp") || !strcmp(proto, "udp")) && hport < 65536 &&
        gport > 0 && gport < 65536 && (!*haddr || inet_aton(haddr, &host)) &&
        (!*gaddr || inet_aton(gaddr, &guest))) {
        if (lib.add_hostfwd(slirp, !strcmp(proto, "udp"), host, (int)hport, guest,
                              (int)gport) < 0) {
            vm_error("--net: hostfwd=%s: cannot listen on host port %u: %s", rule, hport,
                     strerror(errno ? errno : EADDRINUSE));
            return -1;
        }
        return 0;
    }
    vm_error("--net: hostfwd=%s: expected tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
             rule);
    return -1;
}

int net_slirp_open(struct net_slirp **out, const char *spec, void (*kick)(void *opaque),
                   void *opaque)
{
    if (strncmp(spec, "user", 4) || (spec[4] && spec[4] != ',')) {
        vm_error("--net=%s: expected user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...", spec);
        return -1;
    }
    const char *error = dynlib_open(&slirp_lib);
    if (error) {
        vm_error("--net: cannot load %s: %s", SLIRP_SONAME, error);
        return -1;
    }
    struct net_slirp *s = calloc(1, sizeof(*s));
    if (!s) {
        vm_error("--net: %s", strerror(ENOMEM));
        return -1;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->kick = kick;
    s->kick_opaque = opaque;
    SlirpConfig cfg = { .version = 4, .in_enabled = true };
    inet_aton("10.0.2.0", &cfg.vnetwork);
    inet_aton("255.255.255.0", &cfg.vnetmask);
    inet_aton("10.0.2.2", &cfg.vhost);
    inet_aton("10.0.2.15", &cfg.vdhcp_start);
    inet_aton("10.0.2.3", &cfg.vnameserver);
    s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wake < 0 || !(s->slirp = lib.new(&cfg, &callbacks, s))) {
        vm_error("--net: cannot start user networking: %s", strerror(errno ? errno : ENOMEM));
        goto fail;
    }
    /* The options after "user": hostfwd rules. */
    char *opts = strdup(spec + 4), *save = NULL;
    for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
        if (strncmp(o, "hostfwd=", 8)) {
            vm_error("--net: %s: unknown option (expected hostfwd=...)", o);
            free(opts);
            goto fail;
        }
        if (hostfwd(s->slirp, o + 8, cfg.vdhcp_start) < 0) {
            free(opts);
            goto fail;
        }
    }
    free(opts);
    int err = service_thread_start(service, s);
    if (err < 0) {
        vm_error("--net: cannot start its thread: %s", strerror(-err));
        goto fail;
    }
    *out = s;
    return 0;
fail:
    if (s->slirp)
        lib.cleanup(s->slirp);
    if (s->wake >= 0)
        close(s->wake);
    free(s);
    return -1;
}

void net_slirp_close(struct net_slirp *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_mutex_unlock(&s->lock);
    wake(s);
}
