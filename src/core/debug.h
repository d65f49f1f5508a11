/* What a debugger (the gdb stub, debug/) and the layers below it share: the breakpoint set the
 * translator consults, the tb_flags bits that make translation stop for the debugger, and the
 * hooks the OS layer calls when a CPU starts, stops for the debugger, or the guest exits. A
 * debugger is optional: with none attached, nothing here is consulted on a hot path. */
#ifndef VM_CORE_DEBUG_H
#define VM_CORE_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* tb_flags bits (core/cpu.h). DEBUG_BP: some breakpoint is set, so the translator ends a
 * block before each breakpoint address and raises EXC_DEBUG there. DEBUG_STEP: the CPU is
 * single-stepping: blocks are one instruction that ignores a breakpoint on itself (so a CPU
 * stopped at one can step off it) and that asks to leave guest code after it. */
#define TB_FLAG_DEBUG_BP (1u << 10)
#define TB_FLAG_DEBUG_STEP (1u << 11)

/* The debugger's side: called on the CPU's own thread, outside guest code. */
struct debugger_ops {
    void (*cpu_added)(struct cpu *cpu, int tid);
    void (*cpu_removed)(struct cpu *cpu);
    /* cpu stopped with guest signal sig (SIGTRAP for a breakpoint or a step): returns when the
     * debugger resumes it (having set its tb_flags for stepping or not). */
    void (*stop)(struct cpu *cpu, int sig);
    /* The CPU left guest code for another reason: returns at once unless the debugger asked
     * every CPU to stop (an interrupt, another CPU's stop); then it stops too. */
    void (*poll)(struct cpu *cpu);
    /* The guest ends with status, or killed by signal sig (then status is unused). */
    void (*exited)(int status, int sig);
    /* In a forked child: let go of the connection, which stays the parent's. */
    void (*fork_child)(void);
    /* After a memory access of guest code in a single-step block (read and access
     * watchpoints): kind is DEBUG_ACCESS_READ, _WRITE or both (an atomic read-modify-write). */
    void (*mem_access)(struct cpu *cpu, uint64_t addr, unsigned size, unsigned kind);
};
enum { DEBUG_ACCESS_READ = 1, DEBUG_ACCESS_WRITE = 2 };

/* The attached debugger, or NULL (the common case). */
extern const struct debugger_ops *debugger;

/* Guest memory as the debugger reads and writes it, given by the OS layer (user mode: the
 * process's space, with its page permissions). 0 or -EFAULT. */
struct debug_memory {
    int (*read)(struct cpu *cpu, uint64_t addr, void *buf, uint64_t len);
    int (*write)(struct cpu *cpu, uint64_t addr, const void *buf, uint64_t len);
};
extern const struct debug_memory *debug_memory;
/* How the OS layer makes a CPU that sleeps outside guest code (system mode's harts after
 * WFI) look at its exit_request, which the debugger sets to stop it; NULL: none sleeps. */
extern void (*debug_kick)(struct cpu *cpu);

/* Software breakpoints: the translator asks debug_breakpoint_at for each instruction of a
 * block translated under TB_FLAG_DEBUG_BP. Insert and remove return 0 or -ENOMEM/-ENOENT;
 * the caller drops the translations of that address. */
int debug_breakpoint_insert(uint64_t pc);
int debug_breakpoint_remove(uint64_t pc);
bool debug_breakpoint_at(uint64_t pc);
unsigned debug_breakpoint_count(void);

/* The OS layer's side, each a no-op without a debugger. debug_after_exit looks at how exec_run
 * returned: true if it was for the debugger (a breakpoint, a finished step, an interrupt),
 * which it has handled. */
void debug_cpu_added(struct cpu *cpu, int tid);
void debug_cpu_removed(struct cpu *cpu);
bool debug_after_exit(struct cpu *cpu);
/* The CPU woke from a sleep outside guest code: it stops here if the debugger asked. */
void debug_poll(struct cpu *cpu);
void debug_signal(struct cpu *cpu, int sig);
void debug_exited(int status, int sig);
/* Called from single-step blocks after each memory access (guest/watch.h). */
void debug_mem_access(struct cpu *cpu, uint64_t addr, unsigned size, unsigned kind);
/* A forked child runs undebugged (gdb follows the parent), with no breakpoints or stepping. */
void debug_fork_child(struct cpu *cpu);

#endif
