/* A machine's lifecycle as JSON events, one object a line: {"event":"paused","time":T,...}.
 * They go to an append-only JSONL file (--events=FILE) and to the control socket's
 * subscribers (service/control.c). docs/control.md lists every event and its fields. */
#ifndef VM_SERVICE_EVENTS_H
#define VM_SERVICE_EVENTS_H

#include <stddef.h>

#include "core/machine.h"

/* Starts observing m (and emits "created"); path is the JSONL file to append to, or NULL.
 * Returns 0, or a negative errno after printing why. */
int events_start(struct machine *m, const char *path);
/* fd gets every event from now on (written without blocking: a subscriber that does not
 * read is dropped from the list when its socket is full), until events_unsubscribe. */
int events_subscribe(int fd);
void events_unsubscribe(int fd);
/* The "snapshot" event: action "save" or "load" of the snapshot file path. */
void events_snapshot(const char *action, const char *path);
/* The "device-added" or "device-removed" event (name) of the hot-plugged device d. */
void events_device(const char *name, const struct machine_device *d);
/* Sends a whole line to fd (a control reply), never in the middle of an event; gives up when
 * the socket's send timeout passes. */
void events_send(int fd, const char *text, size_t len);

#endif
