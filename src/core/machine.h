/* The machine object: one per running guest (a user-mode process or a whole system), with a
 * lifecycle that observers (stats, control socket, perf map, event log) subscribe to instead
 * of being called from the places that change it, and requests from other threads (pause,
 * resume, quit) that the machine's run loop honours at its next exit from guest code. */
#ifndef VM_CORE_MACHINE_H
#define VM_CORE_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum machine_state { MACHINE_CREATED, MACHINE_RUNNING, MACHINE_PAUSED, MACHINE_STOPPED };

struct cpu;
struct machine;

/* Called after every state change; old is the state before it. Called with the machine's
 * lock held when the change comes from a request (pause, resume): an observer must not make
 * requests itself. */
struct machine_observer {
    void (*changed)(struct machine *m, enum machine_state old, void *opaque);
    void *opaque;
    struct machine_observer *next;
};

#define MACHINE_MAX_CPUS 64

/* Bits of machine.requests. */
enum { MACHINE_REQ_PAUSE = 1, MACHINE_REQ_QUIT = 2 };

struct machine {
    const char *name;                  /* what runs: the program path in user mode, the
                                        * kernel's in system mode */
    uint64_t load_bias;                /* where name's image lies minus its link address (a
                                        * PIE's load offset), once running */
    enum machine_state state;
    int exit_status;                   /* valid once stopped */
    struct machine_observer *observers;
    /* The CPUs whose run loops call machine_checkpoint (system mode's harts). */
    struct cpu *cpus[MACHINE_MAX_CPUS];
    unsigned n_cpus;
    pthread_mutex_t lock;              /* requests and the states they cause */
    pthread_cond_t changed;            /* the state or the requests changed */
    int requests;                      /* MACHINE_REQ_* */
};

void machine_init(struct machine *m, const char *name);
/* Adds an observer (it must outlive the machine's use of it). */
void machine_observe(struct machine *m, struct machine_observer *o);
/* Moves to state and tells every observer. A stopped machine stays stopped. */
void machine_set_state(struct machine *m, enum machine_state state);
const char *machine_state_name(enum machine_state s);
/* A CPU whose run loop honours requests; 0 or -ENOSPC. */
int machine_add_cpu(struct machine *m, struct cpu *cpu);

/* From another thread. Pause: 0 once every CPU has stopped at a block boundary (state
 * paused), -EBUSY if the machine is not running. Resume: 0, or -EBUSY if it is not paused.
 * Quit: the run loop ends with status; 0, or -EBUSY if the machine has stopped. */
int machine_pause(struct machine *m);
int machine_resume(struct machine *m);
int machine_quit(struct machine *m, int status);
/* Called by the run loop after each exit from guest code: waits while a pause holds; true if
 * the machine must quit (with m->exit_status). Costs one load when nothing is asked. */
bool machine_checkpoint(struct machine *m);

#endif
