/* The machine lifecycle and its observer list. */
#include "core/machine.h"

#include <stddef.h>

void machine_init(struct machine *m, const char *name)
{
    m->name = name;
    m->state = MACHINE_CREATED;
    m->exit_status = 0;
    m->observers = NULL;
}

void machine_observe(struct machine *m, struct machine_observer *o)
{
    o->next = m->observers;
    m->observers = o;
}

void machine_set_state(struct machine *m, enum machine_state state)
{
    enum machine_state old = m->state;
    if (old == MACHINE_STOPPED || old == state)
        return;
    m->state = state;
    for (struct machine_observer *o = m->observers; o; o = o->next)
        o->changed(m, old, o->opaque);
}

const char *machine_state_name(enum machine_state s)
{
    static const char *const names[] = { "created", "running", "paused", "stopped" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
