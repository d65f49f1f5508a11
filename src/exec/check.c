/* --engine=check: every block runs on the JIT and then on the interpreter from the same
 * state, and the first difference stops vm with a report (block, IR, both states). The JIT
 * code is compiled in its checkable form (no inline chaining, every store logged with the
 * bytes it overwrites) so its memory effects can be undone before the interpreter runs; the
 * interpreter's copy of the block starts with a call that sets exit_request, so it stops at
 * the next block. A block that differs from itself when the interpreter runs it again (a
 * clock read, in registers or in what it stores) is not a difference. Blocks calling a
 * helper that writes guest state may also write guest memory the log cannot see (RISC-V's
 * sc), so they run on the JIT alone. Each guest thread checks its own blocks; since another
 * thread's stores could race with a block, once a second thread runs, blocks that access
 * memory run on the JIT alone too. The store log reads guest memory as host memory: the
 * check engine runs in flat spaces (user mode). Plugins' callbacks are made by the JIT's run
 * alone. With T2 a region is compiled for both like a block, so its JIT code (optimised
 * across its blocks) is compared with the interpreter's run of the same IR. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/registry.h"
#include "exec/jit.h"
#include "exec/tb.h"
#include "exec/tier2.h"
#include "guest/translator.h"
#include "host/backend.h"
#include "mem/aspace.h"
#include "plugin/plugin.h"

#define LOG_MAX 4096
/* A stop another thread asks for is seen at most this many compared blocks late (see check_run). */
#define HANDBACK_BLOCKS 64

struct store_rec {
    uint64_t addr;
    unsigned size;
    uint8_t old[8];
    uint8_t after[2][8];   /* after a run: the JIT's (AFTER_JIT), the interpreter's */
};
enum { AFTER_JIT, AFTER_INTERP };

/* Per thread: each guest thread checks its own blocks. */
static __thread struct store_rec *store_log;
static __thread unsigned n_stores;
static __thread bool log_overflow, logging;

static void log_store(struct cpu *cpu, uint64_t addr, unsigned size)
{
    if (!logging)
        return;
    if (n_stores == LOG_MAX) {
        log_overflow = true;
        return;
    }
    struct store_rec *r = &store_log[n_stores++];
    r->addr = addr;
    r->size = size;
    memcpy(r->old, cpu->as->flat_base + addr, size);
}

static uint64_t stop_after_block(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ((struct cpu *)cpu)->exit_request = 1;
    return 0;
}
static const struct ir_helper stop_helper = { .name = "check_stop", .fn = stop_after_block,
                                              .ret_type = IR_I64 };

static const struct engine_ops *interp(void)
{
    static const struct engine_ops *e;
    if (!e)
        e = engine_by_name("interp");
    return e;
}

/* What tb->aux points to: the JIT's version of the block. */
struct check_block {
    struct tb jit;      /* first: tb->aux is also the JIT's tb */
    bool compare;       /* false: the JIT alone runs it */
    bool memory;        /* it loads or stores guest memory */
};
static unsigned threads_seen;   /* guest threads that ran a block here */

static bool accesses_memory(const struct ir_block *b)
{
    for (uint32_t i = 0; i < b->n_ops; i++)
        if (ir_opdefs[b->ops[i].opc].flags & IR_F_MEM)
            return true;
    return false;
}

static bool calls_state_writer(const struct ir_block *b)
{
    for (uint32_t i = 0; i < b->n_ops; i++)
        if (b->ops[i].opc == IR_call &&
            (((const struct ir_helper *)(intptr_t)b->ops[i].imm)->flags & IR_HELPER_WSTATE))
            return true;
    return false;
}

static int check_compile(struct cpu *cpu, struct tb *tb, const struct ir_block *b)
{
    static __thread struct ir_block *copy;
    if (!copy && !(copy = malloc(sizeof(*copy))))
        return -ENOMEM;
    struct check_block *cb = calloc(1, sizeof(*cb));
    if (!cb)
        return -ENOMEM;
    struct tb *jtb = &cb->jit;
    *jtb = *tb;
    cb->compare = !calls_state_writer(b);
    cb->memory = accesses_memory(b);
    int err = jit_compile_block(cpu, jtb, b, true);
    if (err < 0) {
        free(jtb);
        return err;
    }
    /* The interpreter's copy: "call check_stop" first, then the block. */
    memcpy(copy, b, offsetof(struct ir_block, ops));
    memcpy(copy->temp_type, b->temp_type, b->n_temps);
    copy->n_ops = 0;
    ir_temp t = ir_new_temp(copy, IR_I64);
    ir_emit(copy, IR_call, IR_I64, t, IR_NONE, IR_NONE, IR_NONE, IR_NONE,
            (int64_t)(intptr_t)&stop_helper);
    memcpy(&copy->ops[1], b->ops, b->n_ops * sizeof(b->ops[0]));
    copy->n_ops = b->n_ops + 1;
    if (copy->n_ops > IR_MAX_OPS || copy->n_temps > IR_MAX_TEMPS ||
        (err = interp()->compile(cpu, tb, copy)) < 0) {
        jit_free_block(jtb);
        free(jtb);
        return err < 0 ? err : -ENOMEM;
    }
    tb->aux = jtb;
    return 0;
}

static void check_free(struct tb *tb)
{
    struct tb *jtb = tb->aux;
    interp()->free(tb);
    if (jtb) {
        jit_free_block(jtb);
        free(jtb);
    }
}

/* Runs tb once on the JIT or the interpreter, catching a fault. */
static int run_one(struct cpu *cpu, const struct tb *tb, bool jit)
{
    sigjmp_buf jb, *volatile outer = cpu->unwind;
    volatile int faulted = 0;
    cpu->unwind = &jb;
    cpu->cur_op = NULL;
    if (sigsetjmp(jb, 0)) {
        faulted = 1;
        cpu->pc = jit ? jit_fault_pc(cpu, tb->aux) : interp()->fault_pc(cpu, tb);
        cpu->exit_reason = cpu->exc == EXC_NONE ? CPU_EXIT_INTERRUPT : CPU_EXIT_EXCEPTION;
    } else if (jit) {
        if (jit_enter(cpu, tb->aux) == HOST_RET_INTERRUPT)
            cpu->exit_reason = CPU_EXIT_INTERRUPT;
    } else {
        interp()->run(cpu, tb);
        if (cpu->exit_reason == CPU_EXIT_INTERRUPT)
            cpu->exit_reason = CPU_EXIT_NONE;   /* check_stop's request */
        cpu->exit_request = 0;
    }
    cpu->unwind = outer;
    return faulted;
}

static void undo_stores(struct cpu *cpu)
{
    for (unsigned k = n_stores; k-- > 0;)
        memcpy(cpu->as->flat_base + store_log[k].addr, store_log[k].old, store_log[k].size);
}

/* Keeps the bytes at the logged stores' addresses as after[run]. */
static void keep_stores(const struct cpu *cpu, unsigned run)
{
    for (unsigned k = 0; k < n_stores; k++)
        memcpy(store_log[k].after[run], cpu->as->flat_base + store_log[k].addr,
               store_log[k].size);
}

/* Whether the bytes there now differ from after[run] (false when the log overflowed). */
static bool stores_differ(const struct cpu *cpu, unsigned run)
{
    bool differ = false;
    for (unsigned k = 0; k < n_stores && !log_overflow; k++)
        differ |= memcmp(store_log[k].after[run], cpu->as->flat_base + store_log[k].addr,
                         store_log[k].size) != 0;
    return differ;
}

/* Offsets compared: the guest registers after struct cpu, and the exit/exception fields. */
static bool states_differ(const struct cpu *cpu, const uint8_t *a, const uint8_t *b)
{
    const struct cpu *ca = (const void *)a, *cb = (const void *)b;
    if (ca->pc != cb->pc || ca->exit_reason != cb->exit_reason)
        return true;
    if (ca->exit_reason == CPU_EXIT_EXCEPTION &&
        (ca->exc != cb->exc || ca->exc_tval != cb->exc_tval))
        return true;
    size_t lo = sizeof(struct cpu);
    return memcmp(a + lo, b + lo, cpu->ops->state_size - lo) != 0;
}

static void report(struct cpu *cpu, const struct tb *tb, const uint8_t *js, const uint8_t *is,
                   const char *what)
{
    fprintf(stderr, "vm: check: block 0x%" PRIx64 ": %s differ (JIT vs interpreter)\n", tb->pc,
            what);
    static struct ir_block b;
    uint64_t fault_addr;
    unsigned n = tb->n_spans ? tb->n_spans : 1;   /* a T2 region: each of its blocks */
    for (unsigned k = 0; k < n; k++) {
        if (tb->n_spans)
            fprintf(stderr, "T2 region, block %u of %u:\n", k + 1, n);
        if (translate_block(cpu, &b, tb->n_spans ? tb->spans[k].start : tb->pc, tb->flags,
                            &fault_addr) == 0)
            ir_print(stderr, &b);
    }
    const struct cpu *cj = (const void *)js, *ci = (const void *)is;
    fprintf(stderr, "pc: jit 0x%" PRIx64 " interp 0x%" PRIx64 "; exit: jit %d interp %d\n",
            cj->pc, ci->pc, cj->exit_reason, ci->exit_reason);
    for (size_t off = sizeof(struct cpu); off + 8 <= cpu->ops->state_size; off += 8) {
        uint64_t x, y;
        memcpy(&x, js + off, 8);
        memcpy(&y, is + off, 8);
        if (x != y)
            fprintf(stderr, "state+%zu: jit 0x%016" PRIx64 " interp 0x%016" PRIx64 "\n", off, x, y);
    }
    for (unsigned k = 0; k < n_stores; k++) {
        uint64_t x = 0, y = 0;
        memcpy(&x, store_log[k].after[AFTER_JIT], store_log[k].size);
        memcpy(&y, cpu->as->flat_base + store_log[k].addr, store_log[k].size);
        if (x != y)
            fprintf(stderr, "mem[0x%" PRIx64 "]: jit 0x%" PRIx64 " interp 0x%" PRIx64 "\n",
                    store_log[k].addr, x, y);
    }
    if (cpu->ops->dump_state) {
        fprintf(stderr, "interpreter state:\n");
        cpu->ops->dump_state(cpu, stderr);
    }
    exit(125);
}

static void check_run(struct cpu *cpu, const struct tb *tb)
{
    static __thread uint8_t *s0, *sj, *si;
    size_t size = cpu->ops->state_size;
    if (!s0 && (!(s0 = malloc(size)) || !(sj = malloc(size)) || !(si = malloc(size)) ||
                !(store_log = malloc(LOG_MAX * sizeof(*store_log))))) {
        vm_error("check: out of memory");
        exit(1);
    }
    if (cpu->exit_request) {   /* the interpreter reports it as it would */
        interp()->run(cpu, tb);
        return;
    }
    /* Regions are checked like blocks: the JIT's code of the whole against the interpreter's. */
    if (tier2_counts(cpu) && tb->tier != TB_T1_ALONE &&
        --exec_of(cpu)->hot[jump_cache_index(tb->pc, tb->flags)] == 0)
        tier2_hot(cpu, (struct tb *)tb, true);
    static __thread bool counted;
    if (!counted) {
        counted = true;
        __atomic_fetch_add(&threads_seen, 1, __ATOMIC_RELAXED);
    }
    const struct check_block *cb = tb->aux;
    if (!cb->compare || (cb->memory && __atomic_load_n(&threads_seen, __ATOMIC_RELAXED) > 1)) {
        if (run_one(cpu, tb, true)) {
            cpu->cur_tb = NULL;
            siglongjmp(*cpu->unwind, 1);
        }
        if (cpu->exit_reason == CPU_EXIT_INTERRUPT)
            cpu->exit_request = 0;
        return;
    }
    memcpy(s0, cpu, size);
    n_stores = 0;
    log_overflow = false;
    jit_store_log = log_store;
    logging = true;
    int jfault = run_one(cpu, tb, true);
    logging = false;
    if (jfault && cpu->exc == EXC_NONE)   /* a store changed the block's code: start again */
        return;
    bool interrupted = !jfault && cpu->exit_reason == CPU_EXIT_INTERRUPT;
    int request = cpu->exit_request;   /* made while the block ran (a store to code) */
    memcpy(sj, cpu, size);
    keep_stores(cpu, AFTER_JIT);
    undo_stores(cpu);
    memcpy(cpu, s0, size);
    if (interrupted) {   /* a stop came in between: the interpreter hands the CPU back */
        cpu->exit_request = 1;
        interp()->run(cpu, tb);
        return;
    }
    plugin_muted = true;   /* the plugins saw the block run on the JIT */
    int ifault = run_one(cpu, tb, false);
    bool regs = jfault != ifault || states_differ(cpu, sj, (const uint8_t *)cpu);
    bool mem = stores_differ(cpu, AFTER_JIT);
    if (regs || mem) {   /* the same block run again: does it differ from itself? */
        memcpy(si, cpu, size);
        keep_stores(cpu, AFTER_INTERP);
        undo_stores(cpu);
        memcpy(cpu, s0, size);
        int again = run_one(cpu, tb, false);
        if (again == ifault && !states_differ(cpu, si, (const uint8_t *)cpu) &&
            !stores_differ(cpu, AFTER_INTERP))
            report(cpu, tb, sj, si, regs ? "registers" : "memory stores");
        ifault = again;
    }
    plugin_muted = false;
    cpu->exit_request |= request;
    /* A stop asked by another thread (a signal, a device, a pause) while the interpreter's copy
     * ran cannot be told from check's own, which run_one cleared: so the CPU goes back to the
     * loop, which looks at whatever may be pending, every HANDBACK_BLOCKS compared blocks. */
    static __thread unsigned since_handback;
    if (!ifault && cpu->exit_reason == CPU_EXIT_NONE && ++since_handback >= HANDBACK_BLOCKS) {
        since_handback = 0;
        cpu->exit_reason = CPU_EXIT_INTERRUPT;
    }
    if (ifault) {   /* deliver the fault as exec_run expects it */
        cpu->cur_tb = NULL;
        siglongjmp(*cpu->unwind, 1);
    }
}

static uint64_t check_fault_pc(struct cpu *cpu, const struct tb *tb)
{
    return cpu->pc;
}

static const struct engine_ops check_engine = {
    .name = "check",
    .help = "runs every block on the JIT and the interpreter and stops at a difference",
    .compile = check_compile,
    .free = check_free,
    .run = check_run,
    .fault_pc = check_fault_pc,
    .verify_ir = true,
};
ENGINE_REGISTER(check_engine)
