/* Snapshots of a system-mode machine: its configuration, RAM (zstd-compressed), every
 * hart, every device and the console in one versioned file with a CRC per section
 * (docs/snapshot.md is the format). Saved and loaded with the machine paused (or not yet
 * started), so the state is that of an instruction boundary. */
#ifndef VM_SERVICE_SNAPSHOT_H
#define VM_SERVICE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/machine.h"

#define SNAPSHOT_MAGIC "VMSNAPSH"
#define SNAPSHOT_VERSION 2

/* Writes m's snapshot to path (through a temporary file renamed over it, so path is never
 * a partial snapshot). 0 with the file's size in *bytes, or -1 with why in why (a
 * sentence for `vm: what: why` or a JSON error; nothing written at path). */
int snapshot_save(struct machine *m, const char *path, uint64_t *bytes, char *why,
                  size_t why_size);
/* Replaces m's state with path's: everything in the file (its header, every section's CRC,
 * the machine's configuration, each part's bytes, RAM) is checked before anything of m
 * changes, so on failure (-1, why says what is wrong) m is as it was. */
int snapshot_load(struct machine *m, const char *path, char *why, size_t why_size);

#endif
