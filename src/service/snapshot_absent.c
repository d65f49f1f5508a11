/* Snapshots (service/snapshot.h) for a vm built without libzstd (a cross build, say):
 * snapshot-save, snapshot-load and --restore fail saying why. */
#include "service/snapshot.h"

#include <stdio.h>

int snapshot_save(struct machine *m, const char *path, uint64_t *bytes, char *why,
                  size_t why_size)
{
    snprintf(why, why_size, "this vm was built without libzstd, which snapshots need");
    return -1;
}

int snapshot_load(struct machine *m, const char *path, char *why, size_t why_size)
{
    snprintf(why, why_size, "this vm was built without libzstd, which snapshots need");
    return -1;
}
