/* The execution loop: look up (or translate) the block at cpu->pc and run it through the
 * selected engine until something needs the OS layer (a syscall, a fault, a halt). */
#ifndef VM_EXEC_EXEC_H
#define VM_EXEC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/registry.h"

/* Allocates a zeroed CPU with room for the guest state and the IR temporaries. */
struct cpu *cpu_new(const struct guest_ops *guest, const struct engine_ops *engine);
void cpu_free(struct cpu *cpu);
/* The same for the CPUs of a process that exits next: the last one's translations are left
 * to the exit instead of freed one by one. */
void cpu_free_at_exit(struct cpu *cpu);

/* Runs guest code from cpu->pc until cpu->exit_reason != CPU_EXIT_NONE; returns it.
 * On CPU_EXIT_EXCEPTION, cpu->exc and exc_tval say what was raised (enum cpu_exc). */
int exec_run(struct cpu *cpu);

/* Drops every translation of the guest range [start, end) (munmap, mprotect, fence.i). */
void exec_invalidate(struct cpu *cpu, uint64_t start, uint64_t end);

/* True if cpu is the only CPU: then an engine may free blocks other code could be running. */
bool exec_cpu_alone(const struct cpu *cpu);
/* Runs fn(cpu') soon, from the next CPU cpu' entering exec_run, with every other CPU out of
 * guest code (the JIT's code-cache collection when guest threads run). */
void exec_at_safepoint(struct cpu *cpu, void (*fn)(struct cpu *cpu));
/* The code lock that guest code runs under, taken for reading by a thread that is no CPU's
 * (T2's compiler) while it adds code: no invalidation or flush happens meanwhile. */
void exec_code_read_lock(void);
void exec_code_read_unlock(void);
/* In the child of a fork (called outside exec_run): cpu is the only CPU left, and the locks
 * the parent's other threads may have held are reset. */
void exec_fork_child(struct cpu *cpu);

/* What each CPU counts with plain increments on its own thread (no atomics on its path);
 * others read the sums, which may lag by a few events. */
#define EXEC_SYSCALL_SLOTS 1024   /* system call numbers beyond are counted in the last slot */
struct exec_counters {
    uint64_t exits[CPU_EXIT_INTERRUPT + 1];   /* exec_run's returns by enum cpu_exit */
    uint64_t exceptions[EXC_COUNT];           /* of them CPU_EXIT_EXCEPTION, by enum cpu_exc */
    uint64_t syscalls[EXEC_SYSCALL_SLOTS];    /* by number (the OS layer counts them) */
};
/* The counters of the CPU running on this thread's cpu. */
struct exec_counters *exec_counters(struct cpu *cpu);
/* Adds up the counters of every CPU, including CPUs that are gone. */
void exec_counters_sum(struct exec_counters *out);

/* A live CPU as others see it: its number (in order of creation, from 0), the host thread
 * that last ran it, and that thread's CPU time (host user + system) in seconds. */
struct exec_cpu_info {
    unsigned index;
    int tid;             /* 0: it has not run yet */
    double cpu_seconds;
};
/* Calls fn for every live CPU, in no particular order; fn must not create or free CPUs. */
void exec_for_each_cpu(void (*fn)(const struct exec_cpu_info *info, void *opaque), void *opaque);

#endif
