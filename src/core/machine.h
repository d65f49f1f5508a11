/* The machine object: one per running guest (a user-mode process or, later, a whole system),
 * with a lifecycle that observers (stats, control socket, plugins, event log) subscribe to
 * instead of being called from the places that change it. */
#ifndef VM_CORE_MACHINE_H
#define VM_CORE_MACHINE_H

enum machine_state { MACHINE_CREATED, MACHINE_RUNNING, MACHINE_PAUSED, MACHINE_STOPPED };

struct machine;

/* Called after every state change; old is the state before it. */
struct machine_observer {
    void (*changed)(struct machine *m, enum machine_state old, void *opaque);
    void *opaque;
    struct machine_observer *next;
};

struct machine {
    const char *name;                  /* what runs: the program path in user mode */
    enum machine_state state;
    int exit_status;                   /* valid once stopped */
    struct machine_observer *observers;
};

void machine_init(struct machine *m, const char *name);
/* Adds an observer (it must outlive the machine's use of it). */
void machine_observe(struct machine *m, struct machine_observer *o);
/* Moves to state and tells every observer. A stopped machine stays stopped. */
void machine_set_state(struct machine *m, enum machine_state state);
const char *machine_state_name(enum machine_state s);

#endif
