/* The machine object: one per running guest (a user-mode process or a whole system), with a
 * lifecycle that observers (stats, control socket, perf map, event log) subscribe to instead
 * of being called from the places that change it, and requests from other threads (pause,
 * resume, quit) that the machine's run loop honours at its next exit from guest code. */
#ifndef VM_CORE_MACHINE_H
#define VM_CORE_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/state.h"

enum machine_state { MACHINE_CREATED, MACHINE_RUNNING, MACHINE_PAUSED, MACHINE_STOPPED };

struct cpu;
struct machine;

/* Called after every state change; old is the state before it. Called with the machine's
 * lock held when the change comes from a request (pause, resume): an observer must not make
 * requests itself. */
struct machine_observer {
    void (*changed)(struct machine *m, enum machine_state old, void *opaque);
    /* The guest said it panicked (machine_guest_panicked); NULL: not listened to. */
    void (*panicked)(struct machine *m, bool crash_loaded, void *opaque);
    void *opaque;
    struct machine_observer *next;
};

#define MACHINE_MAX_CPUS 64

/* A vCPU that an accelerator runs on the host CPU (KVM's), outside exec/: what the services
 * show of it. Its own thread writes it (plain stores, read a moment late elsewhere, as
 * exec/'s per-CPU counters are). */
#define MACHINE_VCPU_EXITS_MAX 16
struct machine_vcpu {
    pid_t tid;                         /* its host thread, 0 until that runs */
    clockid_t clock;                   /* that thread's CPU-time clock */
    bool ended;                        /* the thread has ended, having used cpu_ns */
    uint64_t cpu_ns;
    uint64_t cpu_start_ns;             /* the thread's CPU time before it ran the vCPU */
    uint64_t pc;                       /* where it stopped: valid while paused and once stopped */
    uint64_t run_ns;                   /* time spent in the accelerator's run call */
    uint64_t exits[MACHINE_VCPU_EXITS_MAX];   /* by reason: machine.vcpu_exit_names */
};

/* One piece of a machine's state in a snapshot (service/snapshot.c): a hart, a device, the
 * console. */
#define MACHINE_PART_NAME 48
struct machine_part {
    char name[MACHINE_PART_NAME];      /* "cpu0", "ns16550@0x10000000" */
    state_save_fn *save;               /* NULL: it cannot be saved, so the machine cannot */
    const char *unsaved;               /* without save: why not (NULL: no snapshot support) */
    state_load_fn *load;
    void *opaque;
};

#define MACHINE_PARTS_MAX 64
#define MACHINE_CONFIG_MAX 4096

/* What a snapshot holds of a system-mode machine, as its board describes it. */
struct machine_image {
    /* "key=value" lines: the machine's type and configuration (harts, RAM size, devices and
     * their addresses). A snapshot loads only into a machine whose lines are the same. */
    char config[MACHINE_CONFIG_MAX];
    uint8_t *ram;                      /* private anonymous memory, which a load replaces */
    uint64_t ram_size;
    struct machine_part parts[MACHINE_PARTS_MAX];
    unsigned n_parts;
};

/* Adds a part to img: 0, or -ENOSPC when it holds MACHINE_PARTS_MAX already. save NULL: the
 * part cannot be saved, so neither can the machine. */
int machine_image_add(struct machine_image *img, const char *name, state_save_fn *save,
                      state_load_fn *load, void *opaque);

/* A device hot-plugged into or unplugged from a running system-mode machine (the control
 * socket's device-add and device-remove). The request's fields are the caller's; the board
 * fills in the rest, which stays valid until the next hot-plug request. */
struct machine_device {
    const char *driver;                /* "virtio-blk" (add) */
    const char *file;                  /* add: the disk image; filled in by remove */
    bool readonly;
    int slot;                          /* add: -1 for the first free one; remove: -1 for id's */
    const char *id;                    /* remove: the device's id, or NULL for slot's */
    char name[32];                     /* filled in: the device's id ("vm-disk-2") */
    uint64_t base;                     /* filled in: its register window's address */
    unsigned irq;                      /* filled in: its interrupt source */
};

/* A device's I/O so far, for --metrics: requests completed, and the bytes the guest gave the
 * device and the device gave the guest. */
struct machine_device_io {
    char name[48];                     /* driver@address: "virtio-blk@0x10001000" */
    uint64_t requests, bytes_from_guest, bytes_to_guest;
};
#define MACHINE_DEVICES_MAX 32

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
    /* An accelerator's vCPUs, whose run loops call machine_checkpoint too; kick makes them
     * all leave guest code (exec/'s CPUs leave through exit_request). */
    struct machine_vcpu *vcpus[MACHINE_MAX_CPUS];
    unsigned n_vcpus;
    const char *const *vcpu_exit_names;   /* MACHINE_VCPU_EXITS_MAX names, NULL: unused */
    void (*kick)(struct machine *m);
    unsigned n_parked;                 /* CPUs and vCPUs waiting in machine_checkpoint */
    pthread_mutex_t lock;              /* requests and the states they cause */
    pthread_cond_t changed;            /* the state or the requests changed */
    int requests;                      /* MACHINE_REQ_* */
    /* Snapshots, from the board (NULL in user mode: none). describe fills img with the
     * machine as it is; loaded is called, with the machine paused or not yet started, once a
     * load replaced RAM and every part, to drop what was derived from the old state
     * (translated code). */
    int (*describe)(struct machine *m, struct machine_image *img);
    void (*loaded)(struct machine *m);
    /* Hot-plug, from the board (NULL: the machine has none), called with the machine paused
     * or not yet started: d as struct machine_device says. 0, or -1 with why (nothing
     * changed). */
    int (*device_add)(struct machine *m, struct machine_device *d, char *why, size_t why_size);
    int (*device_remove)(struct machine *m, struct machine_device *d, char *why,
                         size_t why_size);
    /* The I/O of each device that does any, into io (MACHINE_DEVICES_MAX entries): how many.
     * NULL: the machine has no such devices (user mode). Safe while the machine runs. */
    unsigned (*device_io)(struct machine *m, struct machine_device_io *io);
};

void machine_init(struct machine *m, const char *name);
/* Adds an observer (it must outlive the machine's use of it). */
void machine_observe(struct machine *m, struct machine_observer *o);
/* Moves to state and tells every observer. A stopped machine stays stopped. */
void machine_set_state(struct machine *m, enum machine_state state);
/* A device heard the guest kernel say it panicked (or is about to run a crash kernel):
 * tells the observers. The machine runs on: what follows is the guest's. */
void machine_guest_panicked(struct machine *m, bool crash_loaded);
const char *machine_state_name(enum machine_state s);
/* A CPU whose run loop honours requests; 0 or -ENOSPC. */
int machine_add_cpu(struct machine *m, struct cpu *cpu);
/* An accelerator's vCPU whose run loop honours requests; 0 or -ENOSPC. */
int machine_add_vcpu(struct machine *m, struct machine_vcpu *v);
/* The first CPU's (or vCPU's) pc: exact while paused or stopped. 0 without any. */
uint64_t machine_pc(const struct machine *m);
/* The vCPUs' exits by reason, summed into sum. */
void machine_vcpu_exits(const struct machine *m, uint64_t sum[MACHINE_VCPU_EXITS_MAX]);
/* Host CPU seconds v's thread has used running it so far (0 before it runs). */
double machine_vcpu_cpu_seconds(const struct machine_vcpu *v);
/* Called by v's thread: it runs v from now on (tid, clock, and the CPU time it used before,
 * since it may be the thread that built the machine), or it ends now (ended, cpu_ns). */
void machine_vcpu_thread_started(struct machine_vcpu *v);
void machine_vcpu_thread_ended(struct machine_vcpu *v);

/* From another thread. Pause: 0 once every CPU has stopped at a block boundary and every
 * vCPU has left guest mode (state paused), -EBUSY if the machine is not running. Resume: 0, or -EBUSY if it is not paused.
 * Quit: the run loop ends with status; 0, or -EBUSY if the machine has stopped. */
int machine_pause(struct machine *m);
int machine_resume(struct machine *m);
int machine_quit(struct machine *m, int status);
/* Called by the run loop after each exit from guest code: waits while a pause holds; true if
 * the machine must quit (with m->exit_status). Costs one load when nothing is asked. */
bool machine_checkpoint(struct machine *m);

#endif
