/* One guest process in user mode and its threads: the address space and the kernel-side state
 * the syscalls keep (signal dispositions per process; signal mask, pending signals, alternate
 * stack and tid addresses per thread). A CPU reaches its thread through cpu->os. */
#ifndef VM_LINUX_PROC_H
#define VM_LINUX_PROC_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "linux/guest_linux.h"
#include "mem/uspace.h"

#define GUEST_NSIG 64
#define SIGBIT(sig) (1ull << ((sig) - 1))

/* A guest's rt_sigaction as recorded. */
struct guest_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct shm_attach {
    uint64_t addr, len;
};

struct linux_proc {
    struct uspace us;
    const struct guest_linux_ops *guest_linux;   /* the guest's Linux ABI */
    const struct syscall_abi *abi;
    char exe_path[PATH_MAX];     /* absolute host path of the program: /proc/self/exe */
    const char *sysroot;         /* guest root for absolute paths, or NULL for the host's */
    const char *given_sysroot;   /* -L as given, for re-executing vm on execve */
    const char *engine;          /* engine name, for re-executing vm on execve */
    uint64_t stack_size;         /* the main stack's size */
    uint64_t space_size;         /* --reserved-va as given (0: the default), for execve */
    char **argv;                 /* the guest's argv: /proc/self/cmdline */
    uint64_t sigreturn_tramp;    /* guest address of the signal-return code vm maps */
    bool tagged_addr_abi;        /* arm64 PR_SET_TAGGED_ADDR_CTRL: syscalls take tagged pointers */
    struct guest_sigaction sigactions[GUEST_NSIG + 1];
    pthread_mutex_t lock;        /* sigactions and the thread list */
    pthread_mutex_t mm_lock;     /* the address space's layout (mmap, munmap, brk, ...) */
    struct linux_thread *threads;
    struct shm_attach *shm;      /* SysV shared memory attached with shmat (under mm_lock) */
    size_t n_shm;
    atomic_int nthreads;
    atomic_bool group_exiting;   /* a thread called exit_group: the others stop */
};

struct linux_thread {
    struct linux_proc *proc;
    struct cpu *cpu;
    int tid;
    uint64_t sigmask;              /* blocked guest signals (mirrored on the host thread) */
    _Atomic uint64_t pending;      /* signals caught or raised, not yet delivered */
    siginfo_t info[GUEST_NSIG + 1];/* siginfo of each pending signal */
    uint64_t fault_addr;           /* si_addr of the last fault: the frames' fault address */
    bool restore_mask;             /* sigsuspend: after delivery go back to saved_mask */
    uint64_t saved_mask;
    uint64_t altstack_sp, altstack_size;
    int altstack_flags;
    uint64_t clear_child_tid;      /* set_tid_address / CLONE_CHILD_CLEARTID */
    uint64_t robust_list, robust_list_len;
    struct linux_thread *next;     /* in proc->threads */
    bool exited;                   /* this thread (exit) or the whole process (exit_group) */
    bool group_exit;
    int exit_status;
};

static inline struct linux_thread *thread_of(const struct cpu *cpu)
{
    return (struct linux_thread *)cpu->os;
}

static inline struct linux_proc *proc_of(const struct cpu *cpu)
{
    return thread_of(cpu)->proc;
}

static inline const struct guest_linux_ops *guest_linux(const struct cpu *cpu)
{
    return proc_of(cpu)->guest_linux;
}

/* Dies the way a native process killed by sig would (after stdio is flushed). */
_Noreturn void linux_die_of_signal(int sig);
/* Reports a guest fault (info: its signal) on stderr ("vm: guest killed by signal ...") and
 * dies of it. */
_Noreturn void linux_die_of_fault(const struct cpu *cpu, const siginfo_t *info);

/* Runs a guest thread's CPU until the thread or the process exits; returns the exit status. */
int linux_run_thread(struct cpu *cpu);
/* The process ends with status, on whichever thread ends it: the plugins see the exit and the
 * machine stops (so --stats, --metrics and the events report it). */
void linux_process_end(struct cpu *cpu, int status);
/* Adds a new thread to its process's list / takes an exiting one off it (clearing its tid
 * word like the kernel): returns true if it was the last thread. */
void thread_attach(struct linux_thread *t);
bool thread_detach(struct linux_thread *t);
/* The thread of this process with host tid `tid`, or NULL (caller holds proc->lock). */
struct linux_thread *thread_by_tid(struct linux_proc *proc, int tid);

#endif
