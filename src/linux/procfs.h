/* /proc/self files that show the guest rather than vm (procfs.c). */
#ifndef VM_LINUX_PROCFS_H
#define VM_LINUX_PROCFS_H

#include <stdbool.h>

#include "core/cpu.h"

/* True for /proc/self/maps and its other names. */
bool procfs_is_maps(const char *path);
/* A read-only fd with the guest's memory map as /proc/self/maps shows it, or -errno. */
int procfs_maps_fd(struct cpu *cpu);

#endif
