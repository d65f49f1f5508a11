/* /proc/self files that show the guest rather than vm (procfs.c). */
#ifndef VM_LINUX_PROCFS_H
#define VM_LINUX_PROCFS_H

#include <stdbool.h>

#include "core/cpu.h"

/* True for /proc/self/maps and /proc/self/cmdline (and their other names), with *fd a
 * read-only fd holding the guest's view or -errno; false for any other path. */
bool procfs_open(struct cpu *cpu, const char *path, long *fd);

#endif
