/* The JSON services (service/events.h, service/control.h) for a vm built without libcjson (a
 * cross build, say): --events and --control fail with a message saying why instead of the
 * options vanishing. */
#include <errno.h>

#include "core/log.h"
#include "service/control.h"
#include "service/events.h"

int events_start(struct machine *m, const char *path)
{
    vm_error("--events/--control: this vm was built without libcjson");
    return -ENOSYS;
}

/* Without events there is nothing to tell of a snapshot. */
void events_snapshot(const char *action, const char *path)
{
}

int control_start(struct machine *m, const char *path)
{
    vm_error("--control=%s: this vm was built without libcjson", path);
    return -ENOSYS;
}
