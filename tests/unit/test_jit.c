/* Differential test of the JIT against the interpreter: thousands of random IR blocks (every
 * op of ops.def, at both widths, with more live temps than host registers, loads that fault,
 * bases outside the space that the displacement brings back in, loops with a back edge)
 * run on both engines from the same registers and memory; the results, down to the faulting
 * pc and the guest state at the fault, must be identical. The generic ops are drawn from
 * ops.def by class, so a new one is tested as soon as it is in the table, and the test fails
 * if some op of the table never ran. A fake guest whose translation is the random block
 * drives exec_run. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/uspace.h"

#define NREGS 16
#define NFREGS 4   /* float results go to r[NREGS..]: their NaN payloads are unspecified */
#define MEM_SIZE 8192
#define OUTSIDE 13   /* a register that starts just past the end of the space */

struct fake_cpu {
    struct cpu c;
    uint64_t r[NREGS + NFREGS];
    uint64_t count;   /* a loop block's iterations left */
};
#define LOOP_RUNS 4
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

static uint64_t seed, block_pc;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static uint64_t interesting(void)
{
    static const uint64_t v[] = { 0, 1, 2, 3, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fffffff,
                                  0x80000000, 0xffffffff, 0x100000000ull, INT64_MAX,
                                  (uint64_t)INT64_MIN, UINT64_MAX, UINT64_MAX - 1 };
    return rnd() % 3 ? v[rnd() % (sizeof(v) / sizeof(v[0]))] : rnd();
}

static uint64_t helper_mix(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return a * 3 + (b ^ c) - d;
}
static uint64_t helper_state(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct fake_cpu *f = cpu;
    f->r[15] += a;   /* writes guest state: later gets must reload */
    return f->r[14] ^ b;
}
static uint64_t helper_peek(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    const struct fake_cpu *f = cpu;
    return f->r[14] * 5 + a;   /* reads guest state without a get: puts before it are done */
}
static const struct ir_helper mix = { "mix", helper_mix, 4, 0, IR_I64 };
static const struct ir_helper peek = { "peek", helper_peek, 1,
                                       IR_HELPER_RSTATE | IR_HELPER_PURE, IR_I64 };
static const struct ir_helper state = { "state", helper_state, 2,
                                        IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64 };

struct pool {
    ir_temp t[IR_MAX_TEMPS];
    unsigned n;
};

static ir_temp pick(const struct pool *p)
{
    return p->t[rnd() % p->n];
}

static enum ir_type int_type(void)
{
    return rnd() & 1 ? IR_I64 : IR_I32;
}

static ir_temp last_address;   /* of this block, reused as a base: the JIT checks it once */

/* A guest address inside the fake memory, 8-aligned, for an access at offset 0..7; at times
 * the last one again. */
static ir_temp address(struct ir_block *b, struct pool *p)
{
    if (last_address == IR_NONE || rnd() % 2)
        last_address = ir_op2(b, IR_and, IR_I64, pick(p), ir_const(b, IR_I64, (MEM_SIZE - 16) & ~7));
    return last_address;
}

/* Mostly 0..7; at times one that leaves the space on either side (a fault in a guard page). */
static int64_t displacement(void)
{
    return rnd() % 16 ? (int64_t)(rnd() % 8) : (int64_t)(rnd() % (4 * MEM_SIZE)) - 2 * MEM_SIZE;
}

/* An access's base: at times an address plus or minus constants, which opt folds into the
 * access's displacement (x86-64's [rsp + disp], its pushes and pops). */
static ir_temp access_base(struct ir_block *b, struct pool *p)
{
    ir_temp a = address(b, p);
    for (unsigned n = rnd() % 3 ? 0 : 1 + (unsigned)(rnd() % 2); n; n--)
        a = ir_op2(b, rnd() & 1 ? IR_add : IR_sub, IR_I64, a, ir_const(b, IR_I64, displacement() - 4));
    return a;
}

/* What opt reads through (x86-64's byte and dword forms): an extension, a mask or a 32-bit
 * compare of a value that is narrow already, of an extension or of a deposit at bit 0. */
static ir_temp narrowing(struct ir_block *b, struct pool *p, enum ir_type ty)
{
    static const enum ir_opc ext[] = { IR_zext8, IR_zext16, IR_zext32, IR_sext8, IR_sext16,
                                       IR_sext32 };
    static const unsigned lens[] = { 1, 7, 8, 15, 16, 31, 32 };
    unsigned len = lens[rnd() % (sizeof(lens) / sizeof(lens[0]))];
    enum ir_type xt = int_type();
    ir_temp x, y = pick(p);
    switch (rnd() % 5) {
    case 0:
        x = ir_emit(b, IR_deposit, xt, ir_new_temp(b, xt), y, pick(p), IR_NONE, IR_NONE,
                    len << 8)->dst;
        break;
    case 1:
        x = ir_op1(b, ext[rnd() % 6], xt, y);
        break;
    case 2:
        x = ir_setcond(b, xt, (enum ir_cond)(rnd() % IR_NCONDS), y, pick(p));
        break;
    case 3:
        x = ir_ld(b, xt, (unsigned)(rnd() % 3) | (rnd() & IR_MO_SIGN), address(b, p), displacement());
        break;
    default:
        x = ir_op2(b, IR_and, xt, y, rnd() & 1 ? y : ir_const(b, xt, (int64_t)((1ull << len) - 1)));
        break;
    }
    p->t[p->n++] = x;
    len = lens[rnd() % (sizeof(lens) / sizeof(lens[0]))];
    switch (rnd() % 4) {
    case 0:
        return ir_op1(b, ext[rnd() % 6], ty, x);
    case 1:
        return ir_op1i(b, rnd() & 1 ? IR_extract : IR_sextract, ty, x, len << 8);
    case 2:
        return ir_op2(b, IR_and, ty, x, ir_const(b, ty, (int64_t)((1ull << len) - 1)));
    default:
        return ir_setcond(b, IR_I32, (enum ir_cond)(rnd() % IR_NCONDS), x, pick(p));
    }
}

static void random_op(struct ir_block *b, struct pool *p, struct pool fp[2])
{
#define OPC(name) IR_##name,
#define IR_OP(name, nout, nin, flags, class) IR_PICK_##class(INT2, INT1, FP2, FP1, IR_SKIP)(name)
#define INT2 OPC
#define INT1 IR_SKIP
#define FP2 IR_SKIP
#define FP1 IR_SKIP
    static const enum ir_opc bin[] = {
#include "ir/ops.def"
    };
#undef INT2
#undef INT1
#define INT2 IR_SKIP
#define INT1 OPC
    static const enum ir_opc un[] = {
#include "ir/ops.def"
    };
#undef INT1
#undef FP2
#undef FP1
#define INT1 IR_SKIP
#define FP2 OPC
#define FP1 OPC
    static const enum ir_opc fop[] = {
#include "ir/ops.def"
    };
#undef INT2
#undef INT1
#undef FP2
#undef FP1
#undef IR_OP
#undef OPC
#define N(a) (sizeof(a) / sizeof((a)[0]))
    enum ir_type ty = int_type();
    unsigned width = ty == IR_I64 ? 64 : 32;
    ir_temp t = IR_NONE;
    switch (rnd() % 17) {
    case 0:
        t = ir_const(b, ty, (int64_t)(ty == IR_I32 ? (uint32_t)interesting() : interesting()));
        break;
    case 1: case 2: case 3:
        if (rnd() % 4 == 0)   /* a scaled index: the x86-64 backend folds the shl into a lea */
            t = ir_op2(b, IR_add, IR_I64, pick(p),
                       ir_op2(b, IR_shl, IR_I64, pick(p), ir_const(b, IR_I64, 1 + (int64_t)(rnd() % 3))));
        else
            t = ir_op2(b, bin[rnd() % N(bin)], ty, pick(p), pick(p));
        break;
    case 4:
        t = rnd() % 2 ? narrowing(b, p, ty) : ir_op1(b, un[rnd() % N(un)], ty, pick(p));
        break;
    case 5: {
        unsigned len = 1 + (unsigned)(rnd() % width), pos = (unsigned)(rnd() % (width - len + 1));
        /* the x86-64 backend's shorter forms: the low or the high half, a field to bit 63 */
        if (width == 64 && rnd() % 4 == 0) {
            pos = (unsigned)(rnd() % 2) * 32;
            len = 32;
            if (rnd() % 2)
                len = 64 - (pos = 1 + (unsigned)(rnd() % 63));
        }
        enum ir_opc opc = (enum ir_opc[]){ IR_extract, IR_sextract, IR_deposit }[rnd() % 3];
        if (opc == IR_deposit)
            t = ir_emit(b, opc, ty, ir_new_temp(b, ty), pick(p), pick(p), IR_NONE, IR_NONE,
                        pos | len << 8)->dst;
        else
            t = ir_op1i(b, opc, ty, pick(p), pos | len << 8);
        break;
    }
    case 6:
        t = ir_setcond(b, ty, (enum ir_cond)(rnd() % IR_NCONDS), pick(p), pick(p));
        break;
    case 7:
        if (rnd() % 3 == 0) {   /* a flag tested against 0: the x86-64 backend folds them */
            ir_temp flag = ir_setcond(b, int_type(), (enum ir_cond)(rnd() % IR_NCONDS), pick(p),
                                      pick(p));
            t = ir_movcond(b, ty, rnd() & 1 ? IR_NE : IR_EQ, flag, ir_const(b, ty, 0), pick(p),
                           pick(p));
        } else {
            t = ir_movcond(b, ty, (enum ir_cond)(rnd() % IR_NCONDS), pick(p), pick(p), pick(p),
                           pick(p));
        }
        break;
    case 8:
        t = ir_ld(b, ty, (unsigned)(rnd() % (ty == IR_I64 ? 4 : 3)) | (rnd() & IR_MO_SIGN),
                  access_base(b, p), displacement());
        break;
    case 9:
        ir_st(b, (unsigned)(rnd() % 4), access_base(b, p), displacement(), pick(p));
        break;
    case 10:
        ir_put(b, ty, R(rnd() % NREGS), pick(p));
        break;
    case 11:
        t = ir_get(b, ty, R(rnd() % NREGS));
        break;
    case 12:
        switch (rnd() % 3) {
        case 0: t = ir_call(b, &mix, pick(p), pick(p), pick(p), pick(p)); break;
        case 1: t = ir_call(b, &state, pick(p), pick(p), IR_NONE, IR_NONE); break;
        default: t = ir_call(b, &peek, pick(p), IR_NONE, IR_NONE, IR_NONE); break;
        }
        break;
    case 13: {
        unsigned mo = (unsigned)(rnd() % 4);
        ir_temp a = ir_op2(b, IR_and, IR_I64, pick(p),
                           ir_const(b, IR_I64, (MEM_SIZE - 16) & ~(int64_t)7));
        t = rnd() & 1 ? ir_atomic_rmw(b, IR_I64, (enum ir_rmw)(rnd() % IR_NRMW), mo, a, pick(p))
                      : ir_cmpxchg(b, IR_I64, mo, a, pick(p), pick(p));
        break;
    }
    case 14: {
        int single = rnd() & 1;
        enum ir_type ft = single ? IR_F32 : IR_F64;
        struct pool *q = &fp[single];
        ir_temp x = q->t[rnd() % q->n], y = q->t[rnd() % q->n];
        enum ir_opc opc = fop[rnd() % N(fop)];
        ir_temp f = ir_opdefs[opc].n_in == 1 ? ir_op1(b, opc, ft, x) : ir_op2(b, opc, ft, x, y);
        q->t[q->n++] = f;
        ir_put(b, ft, R(NREGS + rnd() % NFREGS), f);
        break;
    }
    case 15:   /* an address that is mostly outside the space: the fault must be precise */
        if (rnd() % 4 == 0)
            t = ir_ld(b, IR_I64, IR_MO_64, pick(p), 0);
        else if (rnd() % 4 == 0)
            ir_fence(b);
        else if (rnd() % 2 == 0)   /* r[OUTSIDE] is past the end: the displacement comes back */
            t = ir_ld(b, ty, IR_MO_32, ir_get(b, IR_I64, R(OUTSIDE)), -8 * (int64_t)(1 + rnd() % 4));
        else
            ir_st(b, IR_MO_32, ir_get(b, IR_I64, R(OUTSIDE)), -8 * (int64_t)(1 + rnd() % 4), pick(p));
        break;
    default:
        if (rnd() % 4 == 0)
            ir_exit_if(b, ty, (enum ir_cond)(rnd() % IR_NCONDS), pick(p), pick(p),
                       block_pc + 0x40 + 4 * (rnd() % 4));
        break;
    }
    if (t != IR_NONE)
        p->t[p->n++] = t;
}

/* A quarter of the blocks are a loop (as T2 makes them) that runs LOOP_RUNS times unless
 * an exit or a fault ends it first: its guest registers kept in host registers across the
 * back edge on the JIT, the interpreter running the block again from its pc. */
static void build_random(struct ir_block *b)
{
    static struct pool p, fp[2];   /* f64, f32 */
    p.n = fp[0].n = fp[1].n = 0;
    last_address = IR_NONE;
    bool loop = rnd() % 4 == 0;
    if (loop)
        ir_loop(b, block_pc);
    if (loop && rnd() % 2)   /* r14 read by a helper, then put: the back edge must store it */
        ir_put(b, IR_I64, R(14), ir_call(b, &peek, ir_const(b, IR_I64, 1), IR_NONE, IR_NONE,
                                         IR_NONE));
    for (int k = 0; k < 6; k++)
        p.t[p.n++] = ir_get(b, k & 1 ? IR_I32 : IR_I64, R(rnd() % NREGS));
    for (int k = 0; k < 3; k++) {
        fp[0].t[fp[0].n++] = ir_get(b, IR_F64, R(rnd() % (NREGS + NFREGS)));
        fp[1].t[fp[1].n++] = ir_get(b, IR_F32, R(rnd() % (NREGS + NFREGS)));
    }
    unsigned n = 10 + (unsigned)(rnd() % 60);
    for (unsigned k = 0; k < n && !ir_block_full(b); k++) {
        if (rnd() % 8 == 0)
            ir_insn_start(b, block_pc + 4 * (k + 1));
        random_op(b, &p, fp);
    }
    /* Keep many temps live to the end: more than there are host registers. */
    for (unsigned k = 0; k < 20 && k < p.n; k++)
        ir_put(b, IR_I64, R(k % NREGS), p.t[p.n - 1 - k]);
    unsigned end = (unsigned)(rnd() % 8);
    if (loop) {
        ir_temp left = ir_op2(b, IR_sub, IR_I64, ir_get(b, IR_I64, offsetof(struct fake_cpu, count)),
                              ir_const(b, IR_I64, 1));
        ir_put(b, IR_I64, offsetof(struct fake_cpu, count), left);
        ir_exit_if(b, IR_I64, IR_EQ, left, ir_const(b, IR_I64, 0), block_pc + 0x80);
        ir_goto_loop(b, block_pc);
    } else if (end == 0)
        ir_exit(b, EXC_SYSCALL, (int64_t)block_pc + 0x80);
    else if (end & 1)
        ir_goto_pc(b, block_pc + 0x80);
    else
        ir_goto_ind(b, ir_op2(b, IR_add, IR_I64, ir_const(b, IR_I64, (int64_t)block_pc + 0x90),
                              ir_op2(b, IR_and, IR_I64, pick(&p), ir_const(b, IR_I64, 4))));
}

static unsigned op_seen[IR_NOPS];   /* random blocks holding each op */

/* The fake guest's block at pc, after its insn_start: the random block, or a halt. */
static void build_block(struct ir_block *b, uint64_t pc)
{
    if (pc == block_pc) {
        uint64_t s = seed;
        build_random(b);
        seed = s;   /* both engines get the same block */
        for (uint32_t i = 0; i < b->n_ops; i++)
            op_seen[b->ops[i].opc]++;
    } else {
        ir_exit(b, EXC_SYSCALL, (int64_t)pc);
    }
}

/* One fake instruction is the whole block. */
static int fake_translate_insn(struct translator *t)
{
    build_block(t->b, t->pc);
    t->len = 4;
    t->ended = true;
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake-jit",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

/* The guest space, with the guard pages the JIT relies on around it. */
static struct uspace space;
static uint8_t mem_init[MEM_SIZE], *mem;

static bool is_nan64(uint64_t v)
{
    return (v >> 52 & 0x7ff) == 0x7ff && (v << 12);
}
static bool is_nan32(uint32_t v)
{
    return (v >> 23 & 0xff) == 0xff && (v << 9);
}

/* The float registers hold the same values, any NaN matching any NaN of the same width. */
static bool same_floats(const uint64_t *a, const uint64_t *b)
{
    for (int k = NREGS; k < NREGS + NFREGS; k++)
        if (a[k] != b[k] && !(is_nan64(a[k]) && is_nan64(b[k])) &&
            !(a[k] >> 32 == b[k] >> 32 && is_nan32((uint32_t)a[k]) && is_nan32((uint32_t)b[k])))
            return false;
    return true;
}

/* Runs the block at block_pc on engine from regs; the results land in out and mem. */
static void run(const char *engine, const uint64_t *regs, struct fake_cpu *out)
{
    struct cpu *cpu = cpu_new(&fake_guest, engine_by_name(engine));
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    memcpy(f->r, regs, sizeof(f->r));
    f->count = LOOP_RUNS;
    memcpy(mem, mem_init, MEM_SIZE);
    static struct aspace flat;
    aspace_flat_init(&flat, mem, MEM_SIZE);
    cpu->as = &flat;
    cpu->pc = block_pc;
    exec_run(cpu);
    memcpy(out, f, sizeof(*out));
    cpu_free(cpu);
}

int main(int argc, char **argv)
{
    check_group("jit_vs_interp_random_blocks");
    if (!engine_by_name("jit")) {
        printf("    no jit engine on this host\n");
        return check_done();
    }
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 3000, failures = 0, faults = 0;
    CHECK_EQ(uspace_init(&space, MEM_SIZE, 0), 0);
    CHECK_EQ(uspace_map(&space, 0, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0), 0);
    mem = space.base;
    static uint8_t mem_interp[MEM_SIZE];
    for (unsigned i = 0; i < n && failures < 5; i++) {
        seed = 0x9E3779B97F4A7C15ull * (i + 1);
        uint64_t regs[NREGS + NFREGS];
        for (int k = 0; k < NREGS + NFREGS; k++)
            regs[k] = interesting();
        regs[OUTSIDE] = MEM_SIZE + 8 * (rnd() % 4);
        for (unsigned k = 0; k < MEM_SIZE; k++)
            mem_init[k] = (uint8_t)rnd();
        uint64_t block_seed = seed;
        struct fake_cpu a, b;
        block_pc = 0x100000 + 0x1000ull * (2 * i);
        run("interp", regs, &a);
        memcpy(mem_interp, mem, MEM_SIZE);
        seed = block_seed;
        block_pc += 0x1000;   /* a fresh pc: the block cache is shared by the engines */
        run("jit", regs, &b);
        faults += a.c.exit_reason == CPU_EXIT_EXCEPTION && a.c.exc != EXC_SYSCALL;
        bool same = !memcmp(a.r, b.r, NREGS * sizeof(a.r[0])) && same_floats(a.r, b.r) &&
                    a.count == b.count && !memcmp(mem_interp, mem, MEM_SIZE) &&
                    a.c.pc - (block_pc - 0x1000) == b.c.pc - block_pc &&
                    a.c.exit_reason == b.c.exit_reason &&
                    (a.c.exit_reason != CPU_EXIT_EXCEPTION ||
                     (a.c.exc == b.c.exc && a.c.exc_tval == b.c.exc_tval));
        if (!same) {
            failures++;
            printf("    block %u differs (seed %#llx): pc %#llx/%#llx, exit %d/%d, exception %d/%d "
                   "at %#llx/%#llx, loop runs left %llu/%llu\n", i, (unsigned long long)block_seed,
                   (unsigned long long)a.c.pc, (unsigned long long)b.c.pc, a.c.exit_reason,
                   b.c.exit_reason, a.c.exc, b.c.exc,
                   (unsigned long long)a.c.exc_tval, (unsigned long long)b.c.exc_tval,
                   (unsigned long long)a.count, (unsigned long long)b.count);
            for (int k = 0; k < NREGS + NFREGS; k++)
                if (a.r[k] != b.r[k])
                    printf("      r%d: interp %#llx jit %#llx\n", k, (unsigned long long)a.r[k],
                           (unsigned long long)b.r[k]);
            if (argc > 2) {   /* test_jit N print: show the block */
                static struct ir_block ib;
                seed = block_seed;
                ir_block_init(&ib, block_pc);
                ir_insn_start(&ib, block_pc);
                build_block(&ib, block_pc);
                ir_print(stdout, &ib);
            }
            for (unsigned k = 0; k < MEM_SIZE; k++)
                if (mem_interp[k] != mem[k]) {
                    printf("      mem[%#x]: interp %#x jit %#x\n", k, mem_interp[k], mem[k]);
                    break;
                }
        }
    }
    CHECK_EQ(failures, 0);
    CHECK(faults > n / 20);   /* the fault paths were exercised */
    check_group("jit_vs_interp_every_op");   /* every row of ops.def ran on both engines */
    for (unsigned opc = 0; opc < IR_NOPS; opc++)
        if (!op_seen[opc])
            printf("    op %s: in no random block\n", ir_opdefs[opc].name);
    for (unsigned opc = 0; opc < IR_NOPS; opc++)
        CHECK(op_seen[opc] > 0);
    return check_done();
}
