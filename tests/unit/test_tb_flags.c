/* Unit test of the block key (pc, tb_flags) under each engine: a fake guest translates the
 * same pcs differently for each flags value, and a CPU runs them under one value, another,
 * then the first again. Each run must get the blocks of its own flags through every lookup:
 * the loop's, a direct chain, and the indirect jump that probes the jump cache (inline in
 * the JIT), whose slot for the same pc under other flags holds the other block. */
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/aspace.h"

#define PC_A 0x1000
#define PC_B 0x2000
#define PC_C 0x3000

struct fake_cpu {
    struct cpu c;
    uint64_t r[4];
};
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

/* A (r0 = flags) jumps directly to B (r1 = flags), which jumps indirectly to the pc in r3,
 * C (r2 = flags), which ends the run. */
static int fake_translate_insn(struct translator *t)
{
    struct ir_block *b = t->b;
    ir_temp flags = ir_const(b, IR_I64, b->flags);
    if (t->pc == PC_A) {
        ir_put(b, IR_I64, R(0), flags);
        ir_goto_pc(b, PC_B);
    } else if (t->pc == PC_B) {
        ir_put(b, IR_I64, R(1), flags);
        ir_goto_ind(b, ir_get(b, IR_I64, R(3)));
    } else {
        ir_put(b, IR_I64, R(2), flags);
        ir_exit(b, EXC_SYSCALL, PC_A);
    }
    t->len = 4;
    t->ended = true;
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake-flags",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

/* Runs A..C under flags; true if every block was the one translated for them. */
static bool run_under(struct cpu *cpu, uint32_t flags)
{
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    memset(f->r, 0xff, 3 * sizeof(f->r[0]));
    f->r[3] = PC_C;
    cpu->tb_flags = flags;
    cpu->pc = PC_A;
    exec_run(cpu);
    return f->r[0] == flags && f->r[1] == flags && f->r[2] == flags;
}

static void test_engine(const char *engine)
{
    struct cpu *cpu = cpu_new(&fake_guest, engine_by_name(engine));
    static uint8_t mem[4096];   /* the blocks access no memory, but engines need a space */
    static struct aspace flat;
    aspace_flat_init(&flat, mem, sizeof(mem));
    cpu->as = &flat;
    for (int round = 0; round < 2; round++) {   /* the second finds chains and cache entries */
        CHECK(run_under(cpu, 0));
        CHECK(run_under(cpu, 1));
        CHECK(run_under(cpu, 0x80));
        CHECK(run_under(cpu, 0));
    }
    cpu_free(cpu);
}

int main(void)
{
    check_group("tb_flags_interp");
    test_engine("interp");
    if (engine_by_name("jit")) {
        check_group("tb_flags_jit");
        test_engine("jit");
    }
    return check_done();
}
