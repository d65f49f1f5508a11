/* Unit test of T2 (exec/tier2.c): how a region is formed from the blocks of a fake guest (the
 * likelier side of a branch followed, the branch turned into a side exit, a loop's back edge
 * made a loop inside the region, and taken where both sides' counts stopped), and runs of loops on the JIT with T2 against the
 * interpreter, down to the pc, the registers and memory at a fault inside a region's loop, at
 * its side exit in the middle of an iteration, and at an exit request made while it runs; a
 * call's return followed inside a region. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "exec/tier2.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/aspace.h"
#include "mem/uspace.h"

#define PC_A 0x1000   /* r0 += 1; r0 < r3 ? B : C */
#define PC_B 0x2000   /* r1 += r0; r2 += load(r0 * 4); A */
#define PC_C 0x3000   /* exit */
#define MEM_SIZE 0x10000   /* B's load faults once r0 reaches MEM_SIZE / 4 */
/* A loop of one block, L (4 instructions):
 *   r0 += 1
 *   r1 += r0; r0 == r4 ? X            (a side exit in the middle of an iteration)
 *   r2 += load64(r6 + (r0 & 0xff) * 8)   (faults when that is outside the space)
 *   store32(0x8000 + (r0 & 0xfff) * 4, r1); store64(SEEN, r0); r0 < r3 ? L : X */
#define PC_L 0x4000
#define PC_X 0x5000   /* exit */
#define SEEN 0x100    /* where L stores r0 each iteration */
#define PC_J 0x6000   /* r1 += 1; r1 >= r3 ? X : jump to r5 (PC_J): a region of itself alone */
/* A call whose return a region follows, F called from P to return to Q, and again from Q,
 * without P, to return to R:
 *   P: r5 = Q; F        F (as J): r1 += 1; r1 >= r3 ? X : jump to r5
 *   Q: r2 += 1; r5 = R; F        R: P */
#define PC_P 0x7000
#define PC_F 0x7100
#define PC_Q 0x7200
#define PC_R 0x7300

struct fake_cpu {
    struct cpu c;
    uint64_t r[7];
};
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

static int fake_translate_insn(struct translator *t)
{
    struct ir_block *b = t->b;
    t->len = 4;
    t->ended = true;
    if (t->pc == PC_A) {
        ir_temp r0 = ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(0)), ir_const(b, IR_I64, 1));
        ir_put(b, IR_I64, R(0), r0);
        ir_exit_if(b, IR_I64, IR_LTU, r0, ir_get(b, IR_I64, R(3)), PC_B);
        ir_goto_pc(b, PC_C);
    } else if (t->pc == PC_B) {
        ir_temp r0 = ir_get(b, IR_I64, R(0));
        ir_put(b, IR_I64, R(1), ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(1)), r0));
        t->ended = false;
    } else if (t->pc == PC_B + 4) {
        ir_temp a = ir_op2(b, IR_shl, IR_I64, ir_get(b, IR_I64, R(0)), ir_const(b, IR_I64, 2));
        ir_temp v = ir_ld(b, IR_I64, IR_MO_32, a, 0);
        ir_put(b, IR_I64, R(2), ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(2)), v));
        ir_goto_pc(b, PC_A);
    } else if (t->pc >= PC_L && t->pc < PC_L + 16) {
        t->ended = t->pc == PC_L + 12;
        ir_temp r0 = ir_get(b, IR_I64, R(0));
        ir_temp low = ir_op2(b, IR_and, IR_I64, r0, ir_const(b, IR_I64, 0xff));
        switch (t->pc - PC_L) {
        case 0:
            ir_put(b, IR_I64, R(0), ir_op2(b, IR_add, IR_I64, r0, ir_const(b, IR_I64, 1)));
            break;
        case 4:
            ir_put(b, IR_I64, R(1), ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(1)), r0));
            ir_exit_if(b, IR_I64, IR_EQ, r0, ir_get(b, IR_I64, R(4)), PC_X);
            break;
        case 8: {
            ir_temp a = ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(6)),
                               ir_op2(b, IR_shl, IR_I64, low, ir_const(b, IR_I64, 3)));
            ir_temp v = ir_ld(b, IR_I64, IR_MO_64, a, 0);
            ir_put(b, IR_I64, R(2), ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(2)), v));
            break;
        }
        default: {
            ir_temp i = ir_op2(b, IR_and, IR_I64, r0, ir_const(b, IR_I64, 0xfff));
            ir_st(b, IR_MO_32, ir_op2(b, IR_shl, IR_I64, i, ir_const(b, IR_I64, 2)), 0x8000,
                  ir_get(b, IR_I64, R(1)));
            ir_st(b, IR_MO_64, ir_const(b, IR_I64, 0), SEEN, r0);
            ir_exit_if(b, IR_I64, IR_GEU, r0, ir_get(b, IR_I64, R(3)), PC_X);
            ir_goto_pc(b, PC_L);
        }
        }
    } else if (t->pc == PC_J || t->pc == PC_F) {
        ir_temp r1 = ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(1)), ir_const(b, IR_I64, 1));
        ir_put(b, IR_I64, R(1), r1);
        ir_exit_if(b, IR_I64, IR_GEU, r1, ir_get(b, IR_I64, R(3)), PC_X);
        ir_goto_ind(b, ir_get(b, IR_I64, R(5)));
    } else if (t->pc == PC_P || t->pc == PC_Q) {
        if (t->pc == PC_Q)
            ir_put(b, IR_I64, R(2), ir_op2(b, IR_add, IR_I64, ir_get(b, IR_I64, R(2)),
                                           ir_const(b, IR_I64, 1)));
        ir_put(b, IR_I64, R(5), ir_const(b, IR_I64, t->pc == PC_P ? PC_Q : PC_R));
        ir_goto_pc(b, PC_F);
    } else if (t->pc == PC_R) {
        ir_goto_pc(b, PC_P);
    } else {
        ir_exit(b, EXC_SYSCALL, t->pc);
    }
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake-tier2",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

static struct uspace space;
static struct aspace flat;

static struct cpu *new_cpu(const char *engine)
{
    struct cpu *cpu = cpu_new(&fake_guest, engine_by_name(engine));
    cpu->as = &flat;
    return cpu;
}

static unsigned count_ops(const struct ir_block *b, enum ir_opc opc)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < b->n_ops; i++)
        n += b->ops[i].opc == opc;
    return n;
}

static void test_form(void)
{
    static struct ir_block r;
    struct tb_span spans[TIER2_MAX_BLOCKS];
    struct cpu *cpu = new_cpu("jit");
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    f->r[3] = 2;   /* A B A C: the blocks exist (a region has only blocks that do) */
    cpu->pc = PC_A;
    exec_run(cpu);
    int32_t *hot = exec_of(cpu)->hot;
    /* B ran more than C: A's branch to B is the path, its way to C a side exit. */
    hot[jump_cache_index(PC_B, 0)] = 10;
    hot[jump_cache_index(PC_C, 0)] = 90;
    CHECK_EQ(tier2_form(cpu, PC_A, 0, &r, spans), 2);
    CHECK_EQ(spans[0].start, PC_A);
    CHECK_EQ(spans[1].start, PC_B);
    CHECK_EQ(spans[1].end, PC_B + 8);
    CHECK_EQ(r.n_insns, 3);
    CHECK_EQ(count_ops(&r, IR_insn_start), 3);   /* every instruction keeps its pc */
    CHECK_EQ(count_ops(&r, IR_goto_pc), 0);
    const struct ir_op *exit_if = NULL;
    for (uint32_t i = 0; i < r.n_ops; i++)
        if (r.ops[i].opc == IR_exit_if)
            exit_if = &r.ops[i];
    CHECK(exit_if && exit_if->cond == IR_GEU && exit_if->imm == PC_C);
    /* the back edge: a loop around the whole region */
    CHECK(r.ops[0].opc == IR_loop && r.ops[0].imm == PC_A);
    CHECK(r.ops[r.n_ops - 1].opc == IR_goto_loop && r.ops[r.n_ops - 1].imm == PC_A);
    CHECK_EQ(count_ops(&r, IR_loop), 1);
    char err[160];
    CHECK_EQ(ir_verify(&r, err, sizeof(err)), 0);
    /* C ran more: the region is A then C, which leaves. */
    hot[jump_cache_index(PC_C, 0)] = 5;
    CHECK_EQ(tier2_form(cpu, PC_A, 0, &r, spans), 2);
    CHECK_EQ(spans[1].start, PC_C);
    CHECK(r.ops[r.n_ops - 1].opc == IR_exit);
    CHECK_EQ(ir_verify(&r, err, sizeof(err)), 0);
    cpu_free(cpu);
}

/* Runs the loop from r0 = 0 to limit on engine; the state at its end lands in out. */
static void run(const char *engine, uint64_t limit, struct fake_cpu *out)
{
    struct cpu *cpu = new_cpu(engine);
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    f->r[3] = limit;
    cpu->pc = PC_A;
    exec_run(cpu);
    memcpy(out, f, sizeof(*out));
    cpu_free(cpu);
}

static void test_run(uint64_t limit, bool in_place)
{
    struct fake_cpu a, b;
    run("interp", limit, &a);
    uint64_t regions = exec_stats.regions;
    run("jit", limit, &b);
    CHECK(!in_place || exec_stats.regions > regions);   /* the loop ran as a region */
    CHECK_EQ(a.c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(b.c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(a.c.exc, b.c.exc);
    CHECK_EQ(a.c.exc_tval, b.c.exc_tval);
    CHECK_EQ(a.c.pc, b.c.pc);
    for (int k = 0; k < 3; k++)
        CHECK_EQ(a.r[k], b.r[k]);
}

static uint8_t mem_init[MEM_SIZE];

/* Runs L on cpu from r0 = r1 = r2 = 0 with the limits given, the data L reads and writes
 * as at the start (the pages of code are write-protected once translated). */
static void run_l(struct cpu *cpu, uint64_t limit, uint64_t exit_at, uint64_t base)
{
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    memcpy(space.base, mem_init, PC_A);
    memcpy(space.base + 0x8000, mem_init + 0x8000, MEM_SIZE - 0x8000);
    memset(f->r, 0, sizeof(f->r));
    f->r[3] = limit;
    f->r[4] = exit_at;
    f->r[6] = base;
    cpu->pc = PC_L;
    exec_run(cpu);
}

/* At L's end the path forks back to its head (L) and out (X). With both sides hot and their
 * counts stopped where their regions replaced them, the counts say nothing: the way back is
 * taken, a loop (xz's byte-compare loop left its region every iteration for the fork's other
 * side, counted lower). Counts that still run decide. */
static void test_form_loop(void)
{
    static struct ir_block r;
    struct tb_span spans[TIER2_MAX_BLOCKS];
    struct cpu *cpu = new_cpu("jit");
    run_l(cpu, 2, 100, 0);   /* L L X: the blocks exist */
    int32_t *hot = exec_of(cpu)->hot;
    hot[jump_cache_index(PC_L, 0)] = 0;
    hot[jump_cache_index(PC_X, 0)] = -50;
    CHECK_EQ(tier2_form(cpu, PC_L, 0, &r, spans), 1);
    CHECK(r.ops[0].opc == IR_loop && r.ops[r.n_ops - 1].opc == IR_goto_loop);
    hot[jump_cache_index(PC_L, 0)] = 10;
    hot[jump_cache_index(PC_X, 0)] = 5;
    CHECK_EQ(tier2_form(cpu, PC_L, 0, &r, spans), 2);
    CHECK_EQ(spans[1].start, PC_X);
    CHECK_EQ(count_ops(&r, IR_loop), 0);
    cpu_free(cpu);
}

/* L on the interpreter and on the JIT, whose region of L (formed by a first run of 1000
 * iterations) must end with the same pc, registers and memory. */
static void test_loop(uint64_t limit, uint64_t exit_at, uint64_t base, struct fake_cpu *out)
{
    static uint8_t mem_interp[MEM_SIZE];
    struct fake_cpu a_state;
    struct cpu *ic = new_cpu("interp");   /* alone: the engines share the blocks */
    run_l(ic, limit, exit_at, base);
    memcpy(mem_interp, space.base, MEM_SIZE);
    memcpy(&a_state, ic, sizeof(a_state));
    cpu_free(ic);
    struct cpu *jc = new_cpu("jit");
    uint64_t regions = exec_stats.regions;
    run_l(jc, 1000, UINT64_MAX, 0);
    CHECK_EQ(exec_stats.regions, regions + 1);   /* L, one block, became a region */
    run_l(jc, limit, exit_at, base);
    struct fake_cpu *a = &a_state, *b = (struct fake_cpu *)jc;
    CHECK_EQ(a->c.exit_reason, b->c.exit_reason);
    CHECK_EQ(a->c.exc, b->c.exc);
    CHECK_EQ(a->c.exc_tval, b->c.exc_tval);
    CHECK_EQ(a->c.pc, b->c.pc);
    for (int k = 0; k < 7; k++)
        CHECK_EQ(a->r[k], b->r[k]);
    CHECK(!memcmp(mem_interp, space.base, MEM_SIZE));
    memcpy(out, b, sizeof(*out));
    cpu_free(jc);
}

/* A stop asked for by another thread (as a signal's is) after the loop has run a while. */
static void *request_exit(void *arg)
{
    struct cpu *cpu = arg;
    volatile uint64_t *seen = (volatile uint64_t *)(space.base + SEEN);
    while (*seen < 100000)
        ;
    nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
    /* The iteration is read once the request is visible to the loop's thread: read before
     * it, a pause of this thread between the two (or the store waiting in its store buffer)
     * let the loop run on uncounted, which the check below took for a late stop. */
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_SEQ_CST);
    uint64_t at = *seen;
    return (void *)(uintptr_t)at;
}

static void test_exit_request(void)
{
    struct cpu *cpu = new_cpu("jit");
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    uint64_t regions = exec_stats.regions;
    run_l(cpu, 1000, UINT64_MAX, 0);
    CHECK_EQ(exec_stats.regions, regions + 1);
    memset(space.base + SEEN, 0, 8);
    pthread_t t;
    void *at;
    CHECK_EQ(pthread_create(&t, NULL, request_exit, cpu), 0);
    run_l(cpu, 1ull << 40, UINT64_MAX, 0);   /* days without the stop */
    pthread_join(t, &at);
    CHECK_EQ(cpu->exit_reason, CPU_EXIT_INTERRUPT);
    CHECK_EQ(cpu->pc, PC_L);   /* at an iteration's start, its state exact */
    CHECK_EQ(f->r[1], f->r[0] * (f->r[0] + 1) / 2);
    /* taken at once: within a few iterations of a few nanoseconds each (the loop ran up to
     * 7 past the count read after the request in the ASan build, in half of its runs; 2 in
     * the plain one), where without the stop it would run for days */
    CHECK(f->r[0] >= (uintptr_t)at && f->r[0] - (uintptr_t)at <= 64);
    cpu_free(cpu);
}

/* A block whose region would be itself alone (it ends in an indirect jump) heads none, and
 * its code stops counting its runs once its counter fires: the count stays at
 * TIER2_ALONE_COUNT. */
static void test_alone(void)
{
    struct cpu *cpu = new_cpu("jit");
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    uint64_t regions = exec_stats.regions;
    f->r[3] = 1000;
    f->r[5] = PC_J;
    cpu->pc = PC_J;
    exec_run(cpu);
    CHECK_EQ(cpu->pc, PC_X);
    CHECK_EQ(f->r[1], 1000);
    CHECK_EQ(exec_stats.regions, regions);
    struct tb *tb = tb_find(cpu, PC_J);
    CHECK(tb && tb->tier == TB_T1_ALONE);
    CHECK_EQ(exec_of(cpu)->hot[jump_cache_index(PC_J, 0)], TIER2_ALONE_COUNT);
    cpu_free(cpu);
}

/* A return whose call is on the path is a direct jump in the region (P, F returning to Q,
 * Q); Q's way back to F is no loop, since F's return went to Q because P came first: on the
 * JIT the program counts as on the interpreter. */
static void test_call(void)
{
    static struct ir_block r;
    struct tb_span spans[TIER2_MAX_BLOCKS];
    struct fake_cpu a;
    struct cpu *cpu = new_cpu("interp");
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    f->r[3] = 3000;
    cpu->pc = PC_P;
    exec_run(cpu);
    memcpy(&a, f, sizeof(a));
    cpu_free(cpu);
    CHECK_EQ(a.c.pc, PC_X);
    CHECK_EQ(a.r[2], 1500);
    cpu = new_cpu("jit");
    f = (struct fake_cpu *)cpu;
    f->r[3] = 3000;
    cpu->pc = PC_P;
    uint64_t regions = exec_stats.regions;
    exec_run(cpu);
    CHECK(exec_stats.regions > regions);
    CHECK_EQ(cpu->pc, a.c.pc);
    CHECK_EQ(f->r[1], a.r[1]);
    CHECK_EQ(f->r[2], a.r[2]);
    CHECK_EQ(tier2_form(cpu, PC_P, 0, &r, spans), 3);
    CHECK(spans[0].start == PC_P && spans[1].start == PC_F && spans[2].start == PC_Q);
    CHECK_EQ(count_ops(&r, IR_goto_ind), 0);
    CHECK_EQ(count_ops(&r, IR_loop), 0);
    CHECK(r.ops[r.n_ops - 1].opc == IR_goto_pc && r.ops[r.n_ops - 1].imm == PC_F);
    char err[160];
    CHECK_EQ(ir_verify(&r, err, sizeof(err)), 0);
    cpu_free(cpu);
}

int main(void)
{
    CHECK_EQ(uspace_init(&space, MEM_SIZE, 0), 0);
    CHECK_EQ(uspace_map(&space, 0, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0), 0);
    for (unsigned k = 0; k < MEM_SIZE; k++)
        mem_init[k] = space.base[k] = (uint8_t)(k * 7 + 1);
    aspace_flat_init(&flat, space.base, MEM_SIZE);
    if (!engine_by_name("jit")) {
        check_group("tier2");
        printf("    no jit engine on this host\n");
        return check_done();
    }
    tier2_on = true;
    tier2_hot_runs = 50;
    check_group("tier2_form");
    test_form();
    check_group("tier2_form_loop");
    test_form_loop();
    tier2_in_place = true;
    check_group("tier2_side_exit");   /* the loop ends at A's side exit, in the region */
    test_run(3000, true);
    check_group("tier2_fault");       /* B's load faults inside the region */
    test_run(1u << 20, true);
    tier2_in_place = false;   /* the region swapped in while the loop runs */
    check_group("tier2_compiler_thread");
    test_run(1u << 20, false);
    {
        struct fake_cpu b;
        run("jit", 1u << 20, &b);
        CHECK_EQ(b.c.exc, EXC_DATA_FAULT);
        CHECK_EQ(b.c.pc, PC_B + 4);
        CHECK_EQ(b.r[0], MEM_SIZE / 4);
    }
    tier2_in_place = true;
    struct fake_cpu out;
    check_group("tier2_loop_counted");   /* 3000 iterations, leaving at the end */
    test_loop(3000, UINT64_MAX, 0, &out);
    CHECK_EQ(out.c.pc, PC_X);
    CHECK_EQ(out.r[0], 3000);
    CHECK_EQ(out.r[1], 3000ull * 3001 / 2);
    check_group("tier2_loop_side_exit");   /* in the middle of the 5th iteration */
    test_loop(3000, 5, 0, &out);
    CHECK_EQ(out.c.pc, PC_X);
    CHECK_EQ(out.r[0], 5);
    CHECK_EQ(out.r[1], 15);
    uint64_t sum = 0;
    for (unsigned k = 1; k < 5; k++)
        sum += *(uint64_t *)(mem_init + 8 * k);
    CHECK_EQ(out.r[2], sum);   /* the 5th iteration's load is not made */
    CHECK_EQ(*(uint64_t *)(space.base + SEEN), 4);
    check_group("tier2_loop_fault");   /* the load of the 3rd iteration is outside */
    test_loop(3000, UINT64_MAX, MEM_SIZE - 3 * 8, &out);
    CHECK_EQ(out.c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(out.c.exc, EXC_DATA_FAULT);
    CHECK_EQ(out.c.pc, PC_L + 8);
    CHECK_EQ(out.r[0], 3);
    CHECK_EQ(out.r[1], 6);
    CHECK_EQ(*(uint64_t *)(space.base + SEEN), 2);
    check_group("tier2_loop_exit_request");
    test_exit_request();
    check_group("tier2_alone");
    test_alone();
    check_group("tier2_call");
    test_call();
    return check_done();
}
