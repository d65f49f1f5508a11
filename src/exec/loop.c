/* The execution loop and the way out of guest code: an exception (a host SIGSEGV/SIGBUS on a
 * guest address, or a helper's cpu_raise) unwinds with siglongjmp to exec_run, which maps
 * the engine position back to the faulting guest pc. */
#include "exec/exec.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "core/registry.h"
#include "exec/codegc.h"
#include "exec/tb.h"
#include "exec/tier2.h"
#include "host/backend.h"
#include "mem/aspace.h"
#include "mem/smc.h"
#include "mem/uspace.h"

static __thread struct cpu *current_cpu;
static __thread int current_tid;   /* gettid() is a system call: asked once per thread */
/* Work that needs every other CPU out of guest code (exec_at_safepoint). */
static void (*safepoint_fn)(struct cpu *cpu);
static void run_safepoint(struct cpu *cpu);

/* Translated code is shared by every CPU (guest threads): each holds code_lock for reading
 * while it runs guest code in exec_run (so not across syscalls); a flush takes it for writing
 * after asking the running CPUs to leave at their next block boundary. Writers are preferred
 * so a flush cannot starve. all_cpus lists the live CPUs for that request. */
static pthread_rwlock_t code_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static pthread_mutex_t cpus_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cpu *all_cpus;
/* The counters of CPUs freed (exec_counters_sum), and the next CPU's number; under cpus_lock. */
static struct exec_counters gone_counters;
static unsigned next_cpu_index;
/* Stops asked for whose writer does not hold code_lock yet. A CPU clears its exit_request when
 * it leaves guest code for any reason (a signal), which may erase a stop request made at that
 * moment; it may then take code_lock again before the stopper waits for it. So a CPU entering
 * guest code while a stop is pending leaves again at its first block boundary. */
static unsigned stops_pending;

/* Unwinds from a host fault inside guest code to the loop with exception exc (cpu_raise). A
 * fault in JIT code: its host pc is the engine position fault_pc maps back, and its registers
 * may hold guest registers. */
static _Noreturn void leave_guest_code(struct cpu *cpu, const void *host_pc, bool in_jit,
                                       void *uc, int exc, uint64_t tval)
{
    if (in_jit) {
        struct exec_cpu *ex = exec_of(cpu);
        cpu->cur_op = ex->fault_host_pc = host_pc;
        host_backend()->signal_regs(uc, ex->fault_regs);
    }
    cpu_raise(cpu, exc, tval);
}

/* A host fault inside guest code on a guest address is the guest's fault; anything else is
 * a bug in vm itself and must crash loudly with the default action. */
static void host_fault_handler(int sig, siginfo_t *si, void *uc)
{
    struct cpu *cpu = current_cpu;
    uint8_t *addr = si->si_addr;
    /* Only a flat space has host memory where guest addresses are. */
    uint8_t *base = cpu && cpu->as ? cpu->as->flat_base : NULL;
    uint64_t limit = base ? cpu->as->flat_limit : 0;
    const struct host_backend *hb = host_backend();
    const void *host_pc = hb ? hb->signal_pc(uc) : NULL;
    bool in_jit = host_pc && codegc_contains(host_pc);
    /* A store to guest code we write-protected (mem/smc.c): the page is writable now. The
     * running block may hold the code the store changes, after the store (x86 runs what it
     * just wrote): so it stops before the store, which runs as a block of its own
     * (TB_FLAG_ONE_INSN), whose own such store is retried. Outside guest code, retried too. */
    if (base && sig == SIGSEGV && si->si_code == SEGV_ACCERR && addr >= base &&
        addr < base + limit && smc_write_fault(cpu, (uint64_t)(addr - base))) {
        if (!cpu->unwind || exec_of(cpu)->one_insn || (!in_jit && !cpu->cur_tb))
            return;
        cpu->tb_flags |= TB_FLAG_ONE_INSN;
        cpu->exit_request = 0;   /* smc_write_fault's: leaving now does it */
        leave_guest_code(cpu, host_pc, in_jit, uc, EXC_NONE, 0);
    }
    /* JIT code may also run into the guards around the space (mem/uspace.h). */
    uintptr_t guard = in_jit ? USPACE_GUARD : 0, a = (uintptr_t)addr;
    if (base && cpu->unwind && a >= (uintptr_t)base - guard &&
        a < (uintptr_t)base + limit + guard)
        leave_guest_code(cpu, host_pc, in_jit, uc, sig == SIGBUS ? EXC_BUS_ERROR : EXC_DATA_FAULT,
                         (uint64_t)(a - (uintptr_t)base));
    signal(sig, SIG_DFL);
}

static void install_fault_handlers(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

struct cpu *cpu_new(const struct guest_ops *guest, const struct engine_ops *engine)
{
    size_t temps_offset = (guest->state_size + 63) & ~(size_t)63;
    size_t temps_size = (IR_MAX_TEMPS + 1) * sizeof(uint64_t);
    /* struct exec_cpu follows the temps in the same allocation, so that translated code
     * reaches its jump cache and run counters at fixed offsets from the CPU's register. */
    size_t exec_offset = (temps_offset + temps_size + 63) & ~(size_t)63;
    struct cpu *cpu = calloc(1, exec_offset + sizeof(struct exec_cpu));
    if (!cpu)
        return NULL;
    struct exec_cpu *ex = (struct exec_cpu *)((char *)cpu + exec_offset);
    cpu->ops = guest;
    cpu->temps_offset = temps_offset;
    cpu->exec = ex;
    ex->engine = engine;
    if (engine->prepare)
        engine->prepare();
    ex->n_filled = JUMP_CACHE_FILLED_MAX + 1;   /* every slot is to be emptied */
    jump_cache_clear(ex);
    tier2_init_counters(ex);
    install_fault_handlers();
    pthread_mutex_lock(&cpus_lock);
    ex->next_cpu = all_cpus;
    ex->index = next_cpu_index++;
    all_cpus = cpu;
    pthread_mutex_unlock(&cpus_lock);
    return cpu;
}

static void add_counters(struct exec_counters *to, const struct exec_counters *from)
{
    const uint64_t *f = (const uint64_t *)from;
    uint64_t *t = (uint64_t *)to;
    for (size_t i = 0; i < sizeof(*from) / sizeof(uint64_t); i++)
        t[i] += __atomic_load_n(&f[i], __ATOMIC_RELAXED);
}

struct exec_counters *exec_counters(struct cpu *cpu)
{
    return &exec_of(cpu)->counters;
}

void exec_counters_sum(struct exec_counters *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&cpus_lock);
    add_counters(out, &gone_counters);
    for (struct cpu *c = all_cpus; c; c = exec_of(c)->next_cpu)
        add_counters(out, &exec_of(c)->counters);
    pthread_mutex_unlock(&cpus_lock);
}

void jump_cache_moved(const struct tb *tb)
{
    unsigned j = jump_cache_index(tb->pc, tb->flags);
    pthread_mutex_lock(&cpus_lock);
    for (struct cpu *c = all_cpus; c; c = exec_of(c)->next_cpu)
        if (exec_of(c)->jump_cache[j] == tb)
            exec_of(c)->jump_slots[j].code = tb->code;
    pthread_mutex_unlock(&cpus_lock);
}

void exec_for_each_cpu(void (*fn)(const struct exec_cpu_info *info, void *opaque), void *opaque)
{
    pthread_mutex_lock(&cpus_lock);
    for (struct cpu *c = all_cpus; c; c = exec_of(c)->next_cpu) {
        struct exec_cpu *ex = exec_of(c);
        struct exec_cpu_info info = { .index = ex->index };
        struct timespec ts;
        info.tid = __atomic_load_n(&ex->tid, __ATOMIC_ACQUIRE);
        if (info.tid && clock_gettime(ex->clock, &ts) == 0)
            info.cpu_seconds = ts.tv_sec + ts.tv_nsec / 1e9;
        fn(&info, opaque);
    }
    pthread_mutex_unlock(&cpus_lock);
}

/* exec_run's way out: counts why. */
static int count_exit(struct cpu *cpu)
{
    struct exec_counters *k = &exec_of(cpu)->counters;
    k->exits[cpu->exit_reason]++;
    if (cpu->exit_reason == CPU_EXIT_EXCEPTION && (unsigned)cpu->exc < EXC_COUNT)
        k->exceptions[cpu->exc]++;
    return cpu->exit_reason;
}

static void free_cpu(struct cpu *cpu, bool flush_if_last)
{
    if (!cpu)
        return;
    debug_cpu_removed(cpu);   /* a debugger detaching later must not reach it */
    tier2_cpu_gone(cpu);
    pthread_mutex_lock(&cpus_lock);
    struct cpu **p = &all_cpus;
    while (*p != cpu)
        p = &exec_of(*p)->next_cpu;
    *p = exec_of(cpu)->next_cpu;
    add_counters(&gone_counters, &exec_of(cpu)->counters);
    bool last = !all_cpus;
    pthread_mutex_unlock(&cpus_lock);
    if (last && flush_if_last)
        tb_flush(cpu);
    free(cpu);
}

void cpu_free(struct cpu *cpu)
{
    free_cpu(cpu, true);
}

void cpu_free_at_exit(struct cpu *cpu)
{
    free_cpu(cpu, false);
}

int exec_run(struct cpu *cpu)
{
    struct exec_cpu *ex = exec_of(cpu);
    sigjmp_buf unwind;
    current_cpu = cpu;
    if (__builtin_expect(!current_tid, 0))
        current_tid = gettid();
    if (ex->tid != current_tid) {   /* a thread's first run of this CPU */
        pthread_getcpuclockid(pthread_self(), &ex->clock);
        __atomic_store_n(&ex->tid, current_tid, __ATOMIC_RELEASE);
    }
    cpu->exit_reason = CPU_EXIT_NONE;
    cpu->cur_tb = NULL;
    if (cpu->as && cpu->as->ops->code_writes)
        cpu->as->ops->code_writes(cpu, exec_invalidate);
    if (__atomic_load_n(&safepoint_fn, __ATOMIC_ACQUIRE))
        run_safepoint(cpu);
    pthread_rwlock_rdlock(&code_lock);
    if (__atomic_load_n(&stops_pending, __ATOMIC_SEQ_CST))
        cpu->exit_request = 1;
    if (ex->flush_gen != tb_flush_gen) {   /* another CPU flushed: drop stale jumps */
        jump_cache_clear(ex);
        ex->flush_gen = tb_flush_gen;
    }
    /* The mapping changed (a guest TLB flush, which also made the CPU leave guest code): the
     * jump cache found blocks by virtual pc under the old one, of every page or of the pages
     * flushed one by one. */
    if (cpu->as && ex->map_gen != cpu->as->map_gen) {
        jump_cache_clear(ex);
        ex->map_gen = cpu->as->map_gen;
        ex->page_gen = cpu->as->page_gen;
    } else if (cpu->as && ex->page_gen != cpu->as->page_gen) {
        uint32_t n = cpu->as->page_gen - ex->page_gen;
        if (n > ASPACE_FLUSHED_PAGES)
            jump_cache_clear(ex);
        else
            for (uint32_t k = 0; k < n; k++)
                jump_cache_clear_page(ex, cpu->as->flushed_pages[(ex->page_gen + k) %
                                                                 ASPACE_FLUSHED_PAGES]);
        ex->page_gen = cpu->as->page_gen;
    }
    if (sigsetjmp(unwind, 0)) {
        if (cpu->cur_tb)
            cpu->pc = ex->engine->fault_pc(cpu, cpu->cur_tb);
        ex->fault_host_pc = NULL;
        cpu->mem_watch = NULL;   /* a helper faulted between its instrumentation's calls */
        cpu->exit_reason = cpu->exc == EXC_NONE ? CPU_EXIT_INTERRUPT : CPU_EXIT_EXCEPTION;
        cpu->unwind = NULL;
        pthread_rwlock_unlock(&code_lock);
        return count_exit(cpu);
    }
    cpu->unwind = &unwind;
    ex->one_insn = false;
    while (cpu->exit_reason == CPU_EXIT_NONE) {
        cpu->cur_tb = NULL;
        struct tb *tb = tb_find(cpu, cpu->pc);
        if (cpu->tb_flags & TB_FLAG_ONE_INSN) {   /* that block only: it leaves after its insn */
            cpu->tb_flags &= ~TB_FLAG_ONE_INSN;
            ex->one_insn = true;
        }
        if (!tb) {
            if (cpu->exit_reason == CPU_EXIT_NONE)
                cpu->exit_reason = CPU_EXIT_EXCEPTION;
            break;
        }
        ex->engine->run(cpu, tb);
    }
    cpu->unwind = NULL;
    pthread_rwlock_unlock(&code_lock);
    return count_exit(cpu);
}

/* Makes every other CPU leave guest code and takes the code lock for writing. */
static void stop_other_cpus(struct cpu *cpu)
{
    __atomic_add_fetch(&stops_pending, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&cpus_lock);
    for (struct cpu *c = all_cpus; c; c = exec_of(c)->next_cpu)
        if (c != cpu)
            c->exit_request = 1;
    pthread_mutex_unlock(&cpus_lock);
    pthread_rwlock_wrlock(&code_lock);
    __atomic_sub_fetch(&stops_pending, 1, __ATOMIC_SEQ_CST);
}

void exec_invalidate(struct cpu *cpu, uint64_t start, uint64_t end)
{
    smc_forget(cpu, start, end);
    if (!tb_overlaps(start, end))
        return;
    stop_other_cpus(cpu);
    tb_invalidate(cpu, start, end);
    pthread_rwlock_unlock(&code_lock);
}

void exec_code_read_lock(void)
{
    pthread_rwlock_rdlock(&code_lock);
}

void exec_code_read_unlock(void)
{
    pthread_rwlock_unlock(&code_lock);
}

bool exec_cpu_alone(const struct cpu *cpu)
{
    pthread_mutex_lock(&cpus_lock);
    bool alone = all_cpus == cpu && !exec_of(cpu)->next_cpu;
    pthread_mutex_unlock(&cpus_lock);
    return alone;
}

void exec_at_safepoint(struct cpu *cpu, void (*fn)(struct cpu *cpu))
{
    __atomic_store_n(&safepoint_fn, fn, __ATOMIC_RELEASE);
    cpu->exit_request = 1;
}

static void run_safepoint(struct cpu *cpu)
{
    void (*fn)(struct cpu *) = __atomic_exchange_n(&safepoint_fn, NULL, __ATOMIC_ACQ_REL);
    if (!fn)
        return;
    stop_other_cpus(cpu);
    fn(cpu);
    pthread_rwlock_unlock(&code_lock);
}

void exec_fork_child(struct cpu *cpu)
{
    static const pthread_rwlock_t fresh_rwlock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    static const pthread_mutex_t fresh_mutex = PTHREAD_MUTEX_INITIALIZER;
    code_lock = fresh_rwlock;
    cpus_lock = fresh_mutex;
    all_cpus = cpu;
    exec_of(cpu)->next_cpu = NULL;
    stops_pending = 0;
    current_tid = 0;
    tier2_fork_child();
    tb_fork_child();
}
