/* The lifecycle events (service/events.h), made by a machine observer: created (at start),
 * started, paused, resumed, guest-error, guest-panic and shutdown; snapshot, from service/snapshot.c; and
 * device-added and device-removed, from the control socket's hot-plug. Observers run on the thread that
 * changes the state (a hart's, at a block boundary), so each event is written at once, with
 * one write per line: to the file opened with O_APPEND and to every subscriber without
 * blocking. */
#include "service/events.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/log.h"

#define MAX_SUBSCRIBERS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int file_fd = -1;
static int subscribers[MAX_SUBSCRIBERS];
static unsigned n_subscribers;
static struct machine_observer observer;

static void emit(cJSON *e)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cJSON_AddNumberToObject(e, "time", ts.tv_sec + ts.tv_nsec / 1e9);
    char *text = cJSON_PrintUnformatted(e);
    cJSON_Delete(e);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n';   /* over the terminator: written by length */
    pthread_mutex_lock(&lock);
    if (file_fd >= 0 && write(file_fd, text, len + 1) < 0)
        vm_error("--events: %s", strerror(errno));
    for (unsigned i = 0; i < n_subscribers;) {
        ssize_t n = send(subscribers[i], text, len + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)len + 1)
            i++;
        else   /* full or gone: the control thread notices the socket on its own */
            subscribers[i] = subscribers[--n_subscribers];
    }
    pthread_mutex_unlock(&lock);
    free(text);
}

static cJSON *event(const char *name)
{
    cJSON *e = cJSON_CreateObject();
    if (e)
        cJSON_AddStringToObject(e, "event", name);
    return e;
}

static void add_pc(cJSON *e, struct machine *m)
{
    char pc[24];
    snprintf(pc, sizeof(pc), "0x%" PRIx64, machine_pc(m));
    cJSON_AddStringToObject(e, "pc", pc);
}

static void machine_changed(struct machine *m, enum machine_state old, void *opaque)
{
    (void)opaque;
    cJSON *e = NULL;
    switch (m->state) {
    case MACHINE_RUNNING:
        e = event(old == MACHINE_PAUSED ? "resumed" : "started");
        break;
    case MACHINE_PAUSED:
        if ((e = event("paused")))
            add_pc(e, m);
        break;
    case MACHINE_STOPPED: {
        bool quit = __atomic_load_n(&m->requests, __ATOMIC_ACQUIRE) & MACHINE_REQ_QUIT;
        if (!quit && m->exit_status && (e = event("guest-error"))) {
            cJSON_AddStringToObject(e, "error", "the guest ended with a failure status");
            cJSON_AddNumberToObject(e, "status", m->exit_status);
            emit(e);
        }
        if ((e = event("shutdown"))) {
            cJSON_AddStringToObject(e, "reason", quit ? "quit" : "guest");
            cJSON_AddNumberToObject(e, "status", m->exit_status);
        }
        break;
    }
    case MACHINE_CREATED:
        break;
    }
    if (e)
        emit(e);
}

void events_snapshot(const char *action, const char *path)
{
    cJSON *e = event("snapshot");
    if (!e)
        return;
    cJSON_AddStringToObject(e, "action", action);
    cJSON_AddStringToObject(e, "path", path);
    emit(e);
}

void events_device(const char *name, const struct machine_device *d)
{
    cJSON *e = event(name);
    if (!e)
        return;
    char address[24];
    snprintf(address, sizeof(address), "0x%" PRIx64, d->base);
    cJSON_AddStringToObject(e, "id", d->name);
    cJSON_AddStringToObject(e, "driver", d->driver);
    cJSON_AddNumberToObject(e, "slot", d->slot);
    cJSON_AddStringToObject(e, "file", d->file);
    cJSON_AddStringToObject(e, "address", address);
    emit(e);
}

static void guest_panicked(struct machine *m, bool crash_loaded, void *opaque)
{
    cJSON *e = event("guest-panic");
    if (e) {
        add_pc(e, m);
        cJSON_AddBoolToObject(e, "crash_loaded", crash_loaded);
        emit(e);
    }
}

int events_start(struct machine *m, const char *path)
{
    if (path && (file_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        int err = -errno;
        vm_error("--events=%s: %s", path, strerror(-err));
        return err;
    }
    observer.changed = machine_changed;
    observer.panicked = guest_panicked;
    machine_observe(m, &observer);
    cJSON *e = event("created");
    if (e) {
        cJSON_AddStringToObject(e, "kernel", m->name);
        emit(e);
    }
    return 0;
}

int events_subscribe(int fd)
{
    pthread_mutex_lock(&lock);
    int err = n_subscribers < MAX_SUBSCRIBERS ? 0 : -ENOSPC;
    if (!err)
        subscribers[n_subscribers++] = fd;
    pthread_mutex_unlock(&lock);
    return err;
}

void events_unsubscribe(int fd)
{
    pthread_mutex_lock(&lock);
    for (unsigned i = 0; i < n_subscribers; i++)
        if (subscribers[i] == fd) {
            subscribers[i] = subscribers[--n_subscribers];
            break;
        }
    pthread_mutex_unlock(&lock);
}

void events_send(int fd, const char *text, size_t len)
{
    pthread_mutex_lock(&lock);
    for (size_t done = 0; done < len;) {
        ssize_t n = send(fd, text + done, len - done, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    pthread_mutex_unlock(&lock);
}
