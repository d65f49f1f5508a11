/* --perf-map: /tmp/perf-PID.map for Linux perf, so `perf report` names the JIT's code by the
 * guest code it runs (the guest symbol and offset, or the guest pc). */
#ifndef VM_SERVICE_PERFMAP_H
#define VM_SERVICE_PERFMAP_H

#include "core/machine.h"

/* Creates /tmp/perf-PID.map and, from then on, appends a line `START SIZE NAME` (hex host
 * address and size) for every piece of code the JIT commits; the guest's symbols come from
 * m->name once m runs. A forked child gets its own file, starting as a copy of its parent's.
 * Returns 0, or a negative errno after printing why. */
int perfmap_start(struct machine *m);

#endif
