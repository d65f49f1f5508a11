/* --metrics=PATH|tcp::PORT: vm's counters in Prometheus' text exposition format (version
 * 0.0.4): translation, the code cache, exits from guest code by reason, system calls by name
 * (user mode), TLB hits and misses (system mode), per-vCPU run time, the machine's state. */
#ifndef VM_SERVICE_METRICS_H
#define VM_SERVICE_METRICS_H

#include <stdio.h>

#include "core/machine.h"

/* Writes the exposition of m's metrics to f; 0 or -errno. */
int metrics_write(FILE *f, struct machine *m);

/* spec "tcp::PORT": a thread answers `GET /metrics` on 127.0.0.1:PORT (HTTP/1.0). spec PATH:
 * the file is written (whole, by rename) when the machine stops, at exit and on SIGUSR1 (in
 * user mode only while the guest leaves SIGUSR1 at its default action). Returns 0, or a
 * negative errno after printing why. */
int metrics_start(struct machine *m, const char *spec);

#endif
