/* `vm boot --control=PATH`: the machine driven by JSON requests on a unix socket, one object a
 * line, answered one object a line (docs/control.md is the schema). */
#ifndef VM_SERVICE_CONTROL_H
#define VM_SERVICE_CONTROL_H

#include "core/machine.h"

/* Longest request line, without its newline. */
#define CONTROL_MAX_LINE (64 * 1024)

/* Listens on the unix socket path (replacing a stale socket there) and serves m from a thread
 * of its own. Returns 0, or a negative errno after printing why. */
int control_start(struct machine *m, const char *path);

#endif
