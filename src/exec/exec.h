/* The execution loop: look up (or translate) the block at cpu->pc and run it through the
 * selected engine until something needs the OS layer (a syscall, a fault, a halt). */
#ifndef VM_EXEC_EXEC_H
#define VM_EXEC_EXEC_H

#include <stdbool.h>

#include "core/cpu.h"
#include "core/registry.h"

/* Allocates a zeroed CPU with room for the guest state and the IR temporaries. */
struct cpu *cpu_new(const struct guest_ops *guest, const struct engine_ops *engine);
void cpu_free(struct cpu *cpu);

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
/* In the child of a fork (called outside exec_run): cpu is the only CPU left, and the locks
 * the parent's other threads may have held are reset. */
void exec_fork_child(struct cpu *cpu);

#endif
