/* T2's regions (see tier2.h): when a block's run counter reaches 0, its blocks are translated
 * again and concatenated along the path the counters say is taken most, and the result is
 * compiled by the engine like one block: on a compiler thread of its own for the JIT, so that
 * the guest does not wait (the region is swapped in when it is ready), in place for the check
 * engine. Guest state stays exact at every side exit and
 * fault because the IR keeps each block's insn_start markers and exits: a side exit leaves
 * with the state the block it belongs to would have left with. */
#include "exec/tier2.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug.h"
#include "guest/translator.h"
#include "opt/opt.h"
#include "plugin/plugin.h"

bool tier2_on;
int32_t tier2_hot_runs = 4096;
bool tier2_in_place;

/* A region stops adding blocks this close to the IR's limits (the check engine adds an op). */
#define ROOM_OPS 16

void tier2_init_counters(struct exec_cpu *ex)
{
    for (unsigned j = 0; j < JUMP_CACHE_SIZE; j++)
        ex->hot[j] = tier2_hot_runs;
}

/* The block at (pc, flags) counts its runs again from the threshold: it becomes hot again
 * later, when its region could not be made now. */
static void count_again(struct cpu *cpu, uint64_t pc, uint32_t flags)
{
    exec_of(cpu)->hot[jump_cache_index(pc, flags)] = tier2_hot_runs;
}

bool tier2_counts(const struct cpu *cpu)
{
    return tier2_on && !cpu->code_addr;
}

/* Appends block b to region r, its temps renumbered after r's. */
static void append(struct ir_block *r, const struct ir_block *b)
{
    uint32_t base = r->n_temps;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        struct ir_op op = b->ops[i];
        const struct ir_opdef *d = &ir_opdefs[op.opc];
        if (d->n_out)
            op.dst += base;
        for (unsigned s = 0; s < d->n_in; s++)
            if (op.src[s] != IR_NONE)
                op.src[s] += base;
        r->ops[r->n_ops++] = op;
    }
    memcpy(r->temp_type + base, b->temp_type, b->n_temps);
    r->n_temps += b->n_temps;
    r->n_insns += b->n_insns;
}

static int in_path(const struct tb_span *spans, int n, uint64_t pc)
{
    for (int k = 0; k < n; k++)
        if (spans[k].start == pc)
            return k;
    return -1;
}

/* The path came back to its block k, which starts at op `at` of r: that block gets a loop op
 * in front, and the goto_pc back to it becomes goto_loop. */
static void close_loop(struct ir_block *r, uint32_t at)
{
    struct ir_op *last = &r->ops[r->n_ops - 1];
    last->opc = IR_goto_loop;
    memmove(&r->ops[at + 1], &r->ops[at], (r->n_ops - at) * sizeof(r->ops[0]));
    r->n_ops++;
    r->ops[at] = (struct ir_op){ .opc = IR_loop, .type = IR_I64, .dst = IR_NONE,
                                 .src = { IR_NONE, IR_NONE, IR_NONE, IR_NONE },
                                 .imm = r->ops[r->n_ops - 1].imm };
}

/* Whether temp t of r is made of constants and guest state by up to depth integer ops, so
 * that the passes may find it a constant: not a load (x86-64's ret reads its target from
 * the stack), whose look would cost a run of the passes for nothing. */
static bool made_of_state(const struct ir_block *r, ir_temp t, int depth)
{
    uint32_t i = r->n_ops;
    while (i-- > 0 && !(ir_opdefs[r->ops[i].opc].n_out && r->ops[i].dst == t))
        ;
    if (i == UINT32_MAX)
        return false;
    const struct ir_op *op = &r->ops[i];
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    if (op->opc == IR_const || op->opc == IR_get)
        return true;
    if (depth == 0 || (d->class != IR_CLASS_int1 && d->class != IR_CLASS_int2))
        return false;
    for (unsigned k = 0; k < d->n_in; k++)
        if (op->src[k] != IR_NONE && !made_of_state(r, op->src[k], depth - 1))
            return false;
    return true;
}

/* The guest pc that r's last op, a goto_ind, goes to where the path itself gives it: a return
 * whose call is on the path (RISC-V's jal ra in the caller and jalr zero, 0(ra) in the
 * callee, AArch64's bl and ret: the link register is put as a constant that the passes
 * forward to the jump); 0 if the path does not say. */
static uint64_t known_target(const struct ir_block *r)
{
    static __thread struct ir_block *s;
    if (!made_of_state(r, r->ops[r->n_ops - 1].src[0], 3) || (!s && !(s = malloc(sizeof(*s)))))
        return 0;
    memcpy(s, r, offsetof(struct ir_block, ops) + r->n_ops * sizeof(r->ops[0]));
    memcpy(s->temp_type, r->temp_type, r->n_temps);
    s->overflow = r->overflow;
    opt_block_uncounted(s);
    ir_temp t = s->ops[s->n_ops - 1].src[0];
    for (uint32_t i = 0; i < s->n_ops; i++)
        if (s->ops[i].opc == IR_const && s->ops[i].dst == t)
            return (uint64_t)s->ops[i].imm;
    return 0;
}

/* Forms the region from pc; returns its number of blocks or -EFAULT. Each block starts with
 * what the one before it carries (guest_ops.carry_state), but for the first and the block at
 * pc cut. Where the path comes back to block k > 0 with another state than it started with,
 * *again is set to its pc: that block is entered from two places, so the region must be formed
 * again with it cut. */
static int form(struct cpu *cpu, uint64_t pc, uint32_t flags, struct ir_block *r,
                struct tb_span *spans, uint64_t cut, uint64_t *again)
{
    static __thread struct ir_block *b;
    if (!b && !(b = malloc(sizeof(*b))))
        return -ENOMEM;
    const int32_t *hot = exec_of(cpu)->hot;
    uint32_t first_op[TIER2_MAX_BLOCKS];   /* where each block's ops start in r */
    uint64_t entry[TIER2_MAX_BLOCKS];      /* the state each block started with */
    uint64_t state = 0;
    int n = 0, resolved = -1;   /* the last block whose goto_ind known_target resolved */
    ir_block_init(r, pc);
    r->flags = flags;
    for (;;) {
        uint64_t fault_addr;
        if (pc == cut)
            state = 0;
        uint64_t start = state;
        if (translate_block_from(cpu, b, pc, flags, &fault_addr, &state) < 0 ||
            (n && (r->n_ops + b->n_ops > IR_MAX_OPS - ROOM_OPS ||
                   r->n_temps + b->n_temps > IR_MAX_TEMPS))) {
            if (!n)
                return -EFAULT;
            return n;   /* the last block's goto_pc is still there */
        }
        if (n)
            r->n_ops--;   /* the previous block's goto_pc to this one */
        else
            r->end_pc = b->end_pc;
        first_op[n] = r->n_ops;
        entry[n] = start;
        append(r, b);
        spans[n++] = (struct tb_span){ b->pc, b->end_pc };
        struct ir_op *last = &r->ops[r->n_ops - 1];
        uint64_t to = last->opc == IR_goto_ind ? known_target(r) : 0;
        if (to) {   /* a direct jump from here on: the path follows it, or a chain */
            last->opc = IR_goto_pc;
            last->src[0] = IR_NONE;
            last->imm = (int64_t)to;
            resolved = n - 1;
        }
        if (last->opc != IR_goto_pc || n == TIER2_MAX_BLOCKS)
            return n;
        uint64_t next = (uint64_t)last->imm;
        struct ir_op *branch = r->n_ops >= 2 ? &r->ops[r->n_ops - 2] : NULL;
        /* The likelier side goes on: the one counted down further, but for a way back to the
         * head when both are hot (at or below 0), whose counts stopped wherever their own
         * regions replaced them and so say nothing: that is a loop, and the head's count
         * just fired. */
        if (branch && branch->opc == IR_exit_if) {
            uint64_t taken = (uint64_t)branch->imm;
            bool loop_taken = in_path(spans, n, taken) == 0 && resolved < 0;
            bool loop_next = in_path(spans, n, next) == 0 && resolved < 0;
            int32_t ht = hot[jump_cache_index(taken, flags)];
            int32_t hn = hot[jump_cache_index(next, flags)];
            if (loop_taken != loop_next && ht <= 0 && hn <= 0 ? loop_taken : ht < hn) {
                branch->cond = ir_cond_inverse[branch->cond];
                branch->imm = (int64_t)next;
                last->imm = (int64_t)taken;
                next = taken;
            }
        }
        /* A way back to a block of the path is a loop inside the region; a way to a block
         * that was never translated leaves: it is not the hot path, and only the code of
         * blocks that exist is sure to be watched for writes (tb_add_region sees them
         * dropped). */
        int k = in_path(spans, n, next);
        if (k >= 0 && entry[k] != 0 && entry[k] != state) {
            *again = next;
            return n;
        }
        /* A jump resolved in a block of the loop may have been given its target by a block
         * before the loop: another iteration may not go there. */
        if (k >= 0 && k > resolved)
            close_loop(r, first_op[k]);
        if (k >= 0 || !tb_exists(cpu, next))
            return n;
        pc = next;
    }
}

int tier2_form(struct cpu *cpu, uint64_t pc, uint32_t flags, struct ir_block *r,
               struct tb_span *spans)
{
    uint64_t again = 0;
    int n = form(cpu, pc, flags, r, spans, 0, &again);
    /* Once: should the second path differ (the size limits end it elsewhere) and come back
     * to another such block, that region just leaves there instead of looping. */
    if (again)
        n = form(cpu, pc, flags, r, spans, again, &again);
    return n;
}

/* A region formed on a guest thread, waiting for the compiler thread. */
struct job {
    struct cpu *cpu;
    struct tb *head;
    unsigned gen;   /* tb_flush_gen before it was formed */
    unsigned n;
    struct tb_span spans[TIER2_MAX_BLOCKS];
    struct ir_block b;
};

#define QUEUE_MAX 16

/* The compiler thread's queue; running is the job it works on. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_filled = PTHREAD_COND_INITIALIZER;
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;
static struct job *queue[QUEUE_MAX];
static unsigned n_queued;
static struct job *running;
static bool compiler_started;
static bool stopped;   /* tier2_stop: no job is queued any more */

static void compile_job(struct job *j)
{
    exec_code_read_lock();
    if (!tb_add_region(j->cpu, j->head, &j->b, j->spans, j->n, j->gen, true))
        count_again(j->cpu, j->b.pc, j->b.flags);
    exec_code_read_unlock();
}

static void *compiler(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (!n_queued)
            pthread_cond_wait(&queue_filled, &queue_lock);
        running = queue[0];
        memmove(queue, queue + 1, --n_queued * sizeof(queue[0]));
        pthread_mutex_unlock(&queue_lock);
        compile_job(running);
        pthread_mutex_lock(&queue_lock);
        free(running);
        running = NULL;
        pthread_cond_broadcast(&job_done);
    }
    return NULL;
}

/* Starts the compiler thread, with every signal blocked: they are the guest threads'. */
static bool start_compiler(void)
{
    if (compiler_started)
        return true;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    compiler_started = pthread_create(&t, &attr, compiler, NULL) == 0;
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return compiler_started;
}

void tier2_cpu_gone(struct cpu *cpu)
{
    pthread_mutex_lock(&queue_lock);
    for (unsigned k = 0; k < n_queued;) {
        if (queue[k]->cpu == cpu) {
            free(queue[k]);
            memmove(queue + k, queue + k + 1, (--n_queued - k) * sizeof(queue[0]));
        } else {
            k++;
        }
    }
    while (running && running->cpu == cpu)
        pthread_cond_wait(&job_done, &queue_lock);
    pthread_mutex_unlock(&queue_lock);
}

void tier2_stop(void)
{
    pthread_mutex_lock(&queue_lock);
    stopped = true;
    while (n_queued)
        free(queue[--n_queued]);
    while (running)
        pthread_cond_wait(&job_done, &queue_lock);
    pthread_mutex_unlock(&queue_lock);
}

void tier2_fork_child(void)
{
    static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    static const pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
    queue_lock = fresh;
    queue_filled = job_done = fresh_cond;
    n_queued = 0;   /* the parent's jobs: their memory is left */
    running = NULL;
    compiler_started = false;
}

/* Whether the compiler's queue has room now (forming a region costs about as much as
 * translating its blocks: not worth doing for a job the full queue would throw away). */
static bool compiler_has_room(void)
{
    pthread_mutex_lock(&queue_lock);
    bool room = n_queued < QUEUE_MAX;
    pthread_mutex_unlock(&queue_lock);
    return room;
}

struct tb *tier2_hot(struct cpu *cpu, struct tb *tb, bool wait)
{
    if (tb->tier != TB_T1 || !tier2_counts(cpu) || (tb->flags & TB_FLAGS_ONE_OFF) ||
        plugin_translating)
        return tb;
    if (!wait && !tier2_in_place && !compiler_has_room()) {
        count_again(cpu, tb->pc, tb->flags);
        return tb;
    }
    tb->tier = TB_T1_TRIED;
    struct job *j = malloc(sizeof(*j));
    if (!j)
        return tb;
    j->cpu = cpu;
    j->head = tb;
    j->gen = __atomic_load_n(&tb_flush_gen, __ATOMIC_RELAXED);
    int n = tier2_form(cpu, tb->pc, tb->flags, &j->b, j->spans);
    if (n < 1 || (n == 1 && j->b.ops[j->b.n_ops - 1].opc != IR_goto_loop)) {   /* one block: a loop only */
        free(j);
        if (n == 1) {   /* and so it stays: counting its runs is of no more use */
            tb->tier = TB_T1_ALONE;
            exec_of(cpu)->hot[jump_cache_index(tb->pc, tb->flags)] = TIER2_ALONE_COUNT;
            if (exec_of(cpu)->engine->uncount)
                exec_of(cpu)->engine->uncount(tb);
        }
        return tb;
    }
    j->n = (unsigned)n;
    if (wait || tier2_in_place) {
        struct tb *region = tb_add_region(cpu, tb, &j->b, j->spans, j->n, j->gen, false);
        free(j);
        return region ? region : tb;
    }
    pthread_mutex_lock(&queue_lock);
    bool queued = !stopped && n_queued < QUEUE_MAX && start_compiler();
    if (queued) {
        queue[n_queued++] = j;
        pthread_cond_signal(&queue_filled);
    }
    pthread_mutex_unlock(&queue_lock);
    if (!queued) {   /* the compiler is behind: try again later */
        free(j);
        tb->tier = TB_T1;
        count_again(cpu, tb->pc, tb->flags);
    }
    return tb;
}
