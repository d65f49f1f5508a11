/* Unit tests of the IR: the verifier's rules, and the exact results of ops as the interpreter
 * runs them (expected values worked out by hand from docs/ir.md). A fake guest whose
 * "translation" is the block under test lets exec_run drive the real engine. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/aspace.h"

struct fake_cpu {
    struct cpu c;
    uint64_t r[8];
};
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

static void (*build_block)(struct ir_block *b);

/* One fake instruction is the whole block. */
static int fake_translate_insn(struct translator *t)
{
    build_block(t->b);
    t->len = 4;
    t->ended = true;
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

static uint8_t guest_mem[4096];
static uint64_t next_pc = 0x1000;

/* Runs one block built by fn on a fresh CPU with r[0..7] = in[0..7]. */
static struct fake_cpu *run_block(void (*fn)(struct ir_block *), const uint64_t *in)
{
    static struct cpu *cpu;
    if (cpu)
        cpu_free(cpu);
    cpu = cpu_new(&fake_guest, engine_by_name("interp"));
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    memcpy(f->r, in, sizeof(f->r));
    static struct aspace flat;
    aspace_flat_init(&flat, guest_mem, sizeof(guest_mem));
    cpu->as = &flat;
    cpu->pc = next_pc;
    next_pc += 0x100;   /* a new pc per block: the translation cache is shared */
    build_block = fn;
    exec_run(cpu);
    return f;
}

/* r1 = r0 op r1 for the binary op under test. */
static enum ir_opc bin_opc;
static enum ir_type bin_type;
static void build_binop(struct ir_block *b)
{
    ir_temp a = ir_get(b, IR_I64, R(0)), c = ir_get(b, IR_I64, R(1));
    ir_temp d = ir_op2(b, bin_opc, bin_type, a, c);
    ir_put(b, IR_I64, R(2), d);
    ir_exit(b, EXC_SYSCALL, 0x2000);
}

static uint64_t binop(enum ir_opc opc, enum ir_type type, uint64_t x, uint64_t y)
{
    uint64_t in[8] = { x, y };
    bin_opc = opc;
    bin_type = type;
    return run_block(build_binop, in)->r[2];
}

static void test_integer_ops(void)
{
    check_group("ir_integer_ops");
    CHECK_EQ(binop(IR_add, IR_I64, 5, 7), 12);
    CHECK_EQ(binop(IR_add, IR_I32, 0xffffffff, 1), 0);           /* i32 results are zero-extended */
    CHECK_EQ(binop(IR_sub, IR_I64, 0, 1), UINT64_MAX);
    CHECK_EQ(binop(IR_divs, IR_I64, 7, 0), UINT64_MAX);
    CHECK_EQ(binop(IR_divu, IR_I64, 7, 0), UINT64_MAX);
    CHECK_EQ(binop(IR_divs, IR_I64, (uint64_t)INT64_MIN, UINT64_MAX), (uint64_t)INT64_MIN);
    CHECK_EQ(binop(IR_rems, IR_I64, (uint64_t)INT64_MIN, UINT64_MAX), 0);
    CHECK_EQ(binop(IR_rems, IR_I64, (uint64_t)-7, 2), (uint64_t)-1);
    CHECK_EQ(binop(IR_remu, IR_I64, 7, 0), 7);
    CHECK_EQ(binop(IR_divs, IR_I32, 0x80000000, 0xffffffff), 0x80000000);
    CHECK_EQ(binop(IR_divu, IR_I32, 5, 0), 0xffffffff);
    CHECK_EQ(binop(IR_mulhs, IR_I64, (uint64_t)-2, 3), UINT64_MAX);
    CHECK_EQ(binop(IR_mulhu, IR_I64, UINT64_MAX, UINT64_MAX), UINT64_MAX - 1);
    CHECK_EQ(binop(IR_mulhsu, IR_I64, (uint64_t)-1, UINT64_MAX), UINT64_MAX);
    CHECK_EQ(binop(IR_shl, IR_I64, 1, 65), 2);                   /* counts are modulo the width */
    CHECK_EQ(binop(IR_shl, IR_I32, 1, 33), 2);
    CHECK_EQ(binop(IR_sar, IR_I64, (uint64_t)INT64_MIN, 63), UINT64_MAX);
    CHECK_EQ(binop(IR_sar, IR_I32, 0x80000000, 31), 0xffffffff);
    CHECK_EQ(binop(IR_shr, IR_I32, 0xffffffffffffffff, 28), 0xf);
    CHECK_EQ(binop(IR_rotl, IR_I64, 0x8000000000000001, 1), 3);
    CHECK_EQ(binop(IR_rotr, IR_I32, 1, 1), 0x80000000);
    CHECK_EQ(binop(IR_andc, IR_I64, 0xff, 0x0f), 0xf0);
}

static enum ir_opc un_opc;
static enum ir_type un_type;
static void build_unop(struct ir_block *b)
{
    ir_temp d = ir_op1(b, un_opc, un_type, ir_get(b, IR_I64, R(0)));
    ir_put(b, IR_I64, R(2), d);
    ir_exit(b, EXC_SYSCALL, 0x2000);
}

static uint64_t unop(enum ir_opc opc, enum ir_type type, uint64_t x)
{
    uint64_t in[8] = { x };
    un_opc = opc;
    un_type = type;
    return run_block(build_unop, in)->r[2];
}

static void test_unary_ops(void)
{
    check_group("ir_unary_ops");
    CHECK_EQ(unop(IR_sext32, IR_I64, 0x80000000), 0xffffffff80000000);
    CHECK_EQ(unop(IR_sext8, IR_I32, 0x80), 0xffffff80);
    CHECK_EQ(unop(IR_zext16, IR_I64, 0x12345678), 0x5678);
    CHECK_EQ(unop(IR_clz, IR_I64, 0), 64);
    CHECK_EQ(unop(IR_clz, IR_I32, 1), 31);
    CHECK_EQ(unop(IR_ctz, IR_I32, 0), 32);
    CHECK_EQ(unop(IR_popcnt, IR_I64, 0xf0f0), 8);
    CHECK_EQ(unop(IR_bswap, IR_I32, 0x11223344), 0x44332211);
    CHECK_EQ(unop(IR_neg, IR_I64, 1), UINT64_MAX);
    CHECK_EQ(unop(IR_not, IR_I32, 0), 0xffffffff);
}

static void build_conds(struct ir_block *b)
{
    ir_temp a = ir_get(b, IR_I64, R(0)), c = ir_get(b, IR_I64, R(1));
    ir_put(b, IR_I64, R(2), ir_setcond(b, IR_I64, IR_LT, a, c));
    ir_put(b, IR_I64, R(3), ir_setcond(b, IR_I64, IR_LTU, a, c));
    ir_put(b, IR_I64, R(4), ir_setcond(b, IR_I32, IR_EQ, a, ir_const(b, IR_I64, 0)));
    ir_put(b, IR_I64, R(5), ir_movcond(b, IR_I64, IR_GE, a, c, a, c));
    ir_put(b, IR_I64, R(6), ir_op1i(b, IR_extract, IR_I64, c, 4 | 8 << 8));
    ir_put(b, IR_I64, R(7), ir_op1i(b, IR_sextract, IR_I64, c, 4 | 8 << 8));
    ir_exit(b, EXC_SYSCALL, 0x2000);
}

static void test_conditions(void)
{
    check_group("ir_conditions");
    uint64_t in[8] = { (uint64_t)-1 << 32, 0xf80 };
    struct fake_cpu *f = run_block(build_conds, in);
    CHECK_EQ(f->r[2], 1);               /* signed: negative < 0xf80 */
    CHECK_EQ(f->r[3], 0);               /* unsigned: huge > 0xf80 */
    CHECK_EQ(f->r[4], 1);               /* i32 compare sees only the low half (0) */
    CHECK_EQ(f->r[5], 0xf80);           /* max(a, c) signed */
    CHECK_EQ(f->r[6], 0xf8);
    CHECK_EQ(f->r[7], 0xfffffffffffffff8);
}

static void build_memory(struct ir_block *b)
{
    ir_temp addr = ir_get(b, IR_I64, R(0));
    ir_st(b, IR_MO_32, addr, 4, ir_get(b, IR_I64, R(1)));
    ir_put(b, IR_I64, R(2), ir_ld(b, IR_I64, IR_MO_32 | IR_MO_SIGN, addr, 4));
    ir_put(b, IR_I64, R(3), ir_ld(b, IR_I64, IR_MO_8, addr, 7));
    ir_put(b, IR_I64, R(4), ir_atomic_rmw(b, IR_I64, IR_RMW_SMAX, IR_MO_32, ir_op2(b, IR_add, IR_I64, addr, ir_const(b, IR_I64, 4)), ir_const(b, IR_I64, 5)));
    ir_put(b, IR_I64, R(5), ir_ld(b, IR_I64, IR_MO_32, addr, 4));
    ir_put(b, IR_I64, R(6), ir_cmpxchg(b, IR_I64, IR_MO_32, ir_op2(b, IR_add, IR_I64, addr, ir_const(b, IR_I64, 4)), ir_const(b, IR_I64, 5), ir_const(b, IR_I64, 9)));
    ir_put(b, IR_I64, R(7), ir_ld(b, IR_I64, IR_MO_16, addr, 4));
    ir_exit(b, EXC_SYSCALL, 0x2000);
}

static void build_wild_load(struct ir_block *b)
{
    ir_put(b, IR_I64, R(1), ir_const(b, IR_I64, 1));
    ir_insn_start(b, 0x4444);
    ir_put(b, IR_I64, R(2), ir_ld(b, IR_I64, IR_MO_64, ir_get(b, IR_I64, R(0)), 0));
    ir_exit(b, EXC_SYSCALL, 0x2000);
}

static void test_memory(void)
{
    check_group("ir_memory");
    uint64_t in[8] = { 16, 0x80000001 };
    struct fake_cpu *f = run_block(build_memory, in);
    CHECK_EQ(f->r[2], 0xffffffff80000001);
    CHECK_EQ(f->r[3], 0x80);
    CHECK_EQ(f->r[4], 0x80000001);       /* old value; smax(-2^31+1, 5) = 5 stored */
    CHECK_EQ(f->r[5], 5);
    CHECK_EQ(f->r[6], 5);
    CHECK_EQ(f->r[7], 9);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_SYSCALL);

    check_group("ir_memory_fault");
    uint64_t wild[8] = { 4093 };         /* an 8-byte load that ends past the space */
    f = run_block(build_wild_load, wild);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_DATA_FAULT);
    CHECK_EQ(f->c.exc_tval, 4096);     /* its first byte outside, as for an unmapped page */
    CHECK_EQ(f->c.pc, 0x4444);           /* the pc of the faulting instruction */
    CHECK_EQ(f->r[1], 1);                /* earlier instructions completed */
    CHECK_EQ(f->r[2], 0);
}

static void build_exits(struct ir_block *b)
{
    ir_temp a = ir_get(b, IR_I64, R(0));
    ir_exit_if(b, IR_I64, IR_EQ, a, ir_const(b, IR_I64, 0), 0x3000);
    ir_put(b, IR_I64, R(1), ir_const(b, IR_I64, 42));
    ir_exit(b, EXC_BREAKPOINT, 0x3004);
}

static void test_exits(void)
{
    check_group("ir_exits");
    uint64_t in[8] = { 1 };
    struct fake_cpu *f = run_block(build_exits, in);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_BREAKPOINT);
    CHECK_EQ(f->c.exc_tval, 0);
    CHECK_EQ(f->c.pc, 0x3004);
    CHECK_EQ(f->r[1], 42);
}

static void build_bad_use(struct ir_block *b)
{
    ir_put(b, IR_I64, R(0), 3);   /* t3 was never defined */
    ir_exit(b, EXC_SYSCALL, 0);
}

static void build_no_end(struct ir_block *b)
{
    ir_put(b, IR_I64, R(0), ir_const(b, IR_I64, 1));
}

static void build_bad_type(struct ir_block *b)
{
    ir_temp f = ir_const(b, IR_F64, 0);
    ir_put(b, IR_I64, R(0), ir_op2(b, IR_add, IR_F64, f, f));
    ir_exit(b, EXC_SYSCALL, 0);
}

static int verify(void (*fn)(struct ir_block *))
{
    static struct ir_block b;
    char err[128];
    ir_block_init(&b, 0);
    fn(&b);
    return ir_verify(&b, err, sizeof(err));
}

static void test_verifier(void)
{
    check_group("ir_verifier");
    CHECK(verify(build_exits) == 0);
    CHECK(verify(build_memory) == 0);
    CHECK(verify(build_bad_use) < 0);
    CHECK(verify(build_no_end) < 0);
    CHECK(verify(build_bad_type) < 0);
}

/* The class column of ops.def promises a shape the generic code (interpreter handlers, folder,
 * test_jit) relies on: one result, two or one operands, no imm, cond, memory or effects. */
static void test_op_classes(void)
{
    check_group("ir_op_classes");
    unsigned generic = 0;
    for (unsigned opc = 0; opc < IR_NOPS; opc++) {
        const struct ir_opdef *d = &ir_opdefs[opc];
        CHECK(d->name != NULL);
        if (d->class == IR_CLASS_own)
            continue;
        generic++;
        bool two = d->class == IR_CLASS_int2 || d->class == IR_CLASS_fp2;
        CHECK_EQ(d->n_out, 1);
        CHECK_EQ(d->n_in, two ? 2 : 1);
        CHECK_EQ(d->flags, 0);
    }
    CHECK(generic >= 30);
    CHECK_EQ(ir_opdefs[IR_add].class, IR_CLASS_int2);
    CHECK_EQ(ir_opdefs[IR_fsqrt].class, IR_CLASS_fp1);
    CHECK_EQ(ir_opdefs[IR_ld].class, IR_CLASS_own);
}

int main(void)
{
    test_op_classes();
    test_integer_ops();
    test_unary_ops();
    test_conditions();
    test_memory();
    test_exits();
    test_verifier();
    return check_done();
}
