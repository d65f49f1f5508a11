/* The breakpoint set and the OS layer's calls into an attached debugger (core/debug.h). */
#include "core/debug.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "core/cpu.h"

const struct debugger_ops *debugger;
const struct debug_memory *debug_memory;
void (*debug_kick)(struct cpu *cpu);

/* A few breakpoints at most: a small array, searched only while translating under
 * TB_FLAG_DEBUG_BP. */
static pthread_mutex_t bp_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *bps;
static unsigned n_bps, cap_bps;

int debug_breakpoint_insert(uint64_t pc)
{
    int err = 0;
    pthread_mutex_lock(&bp_lock);
    if (n_bps == cap_bps) {
        unsigned cap = cap_bps ? 2 * cap_bps : 16;
        uint64_t *n = realloc(bps, cap * sizeof(*n));
        if (!n)
            err = -ENOMEM;
        else
            bps = n, cap_bps = cap;
    }
    if (!err)
        bps[n_bps++] = pc;
    pthread_mutex_unlock(&bp_lock);
    return err;
}

int debug_breakpoint_remove(uint64_t pc)
{
    int err = -ENOENT;
    pthread_mutex_lock(&bp_lock);
    for (unsigned i = 0; i < n_bps; i++)
        if (bps[i] == pc) {
            bps[i] = bps[--n_bps];
            err = 0;
            break;
        }
    pthread_mutex_unlock(&bp_lock);
    return err;
}

bool debug_breakpoint_at(uint64_t pc)
{
    bool found = false;
    pthread_mutex_lock(&bp_lock);
    for (unsigned i = 0; i < n_bps && !found; i++)
        found = bps[i] == pc;
    pthread_mutex_unlock(&bp_lock);
    return found;
}

unsigned debug_breakpoint_count(void)
{
    return __atomic_load_n(&n_bps, __ATOMIC_RELAXED);
}

void debug_cpu_added(struct cpu *cpu, int tid)
{
    if (debugger)
        debugger->cpu_added(cpu, tid);
}

void debug_cpu_removed(struct cpu *cpu)
{
    if (debugger)
        debugger->cpu_removed(cpu);
}

bool debug_after_exit(struct cpu *cpu)
{
    if (!debugger)
        return false;
    bool stepping = cpu->tb_flags & TB_FLAG_DEBUG_STEP;
    if ((cpu->exit_reason == CPU_EXIT_EXCEPTION && cpu->exc == EXC_DEBUG) ||
        (cpu->exit_reason == CPU_EXIT_INTERRUPT && stepping)) {
        debugger->stop(cpu, SIGTRAP);
        return true;
    }
    debugger->poll(cpu);
    return false;
}

void debug_poll(struct cpu *cpu)
{
    if (debugger)
        debugger->poll(cpu);
}

void debug_signal(struct cpu *cpu, int sig)
{
    if (debugger)
        debugger->stop(cpu, sig);
}

void debug_mem_access(struct cpu *cpu, uint64_t addr, unsigned size, unsigned kind)
{
    if (debugger && debugger->mem_access)
        debugger->mem_access(cpu, addr, size, kind);
}

void debug_exited(int status, int sig)
{
    if (debugger)
        debugger->exited(status, sig);
}

void debug_fork_child(struct cpu *cpu)
{
    if (!debugger)
        return;
    debugger->fork_child();
    debugger = NULL;
    cpu->tb_flags &= ~(TB_FLAG_DEBUG_BP | TB_FLAG_DEBUG_STEP);
}
