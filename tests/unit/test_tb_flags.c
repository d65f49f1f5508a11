/* Unit test of the block key (pc, tb_flags) under each engine: a fake guest translates the
 * same pcs differently for each flags value, and a CPU runs them under one value, another,
 * then the first again. Each run must get the blocks of its own flags through every lookup:
 * the loop's, a direct chain, and the indirect jump that probes the jump cache (inline in
 * the JIT), whose slot for the same pc under other flags holds the other block. Then a
 * guest's flush of one page's translation (jump_cache_clear_page) once the jump cache has
 * filled too many slots to list: it drops the blocks of that page and those crossing into it,
 * under every flags value in use, and keeps the others. */
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "exec/tb.h"
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

/* Blocks at pc under flags, in their slots as tb_find puts them. */
static struct tb *put(struct exec_cpu *ex, struct tb *tb, uint64_t pc, uint64_t end_pc,
                      uint32_t flags)
{
    *tb = (struct tb){ .pc = pc, .end_pc = end_pc, .flags = (uint16_t)flags };
    jump_cache_fill(ex, jump_cache_index(pc, flags), tb);
    return tb;
}

static bool cached(const struct exec_cpu *ex, const struct tb *tb)
{
    return ex->jump_cache[jump_cache_index(tb->pc, tb->flags)] == tb;
}

static void test_clear_page(void)
{
    static struct exec_cpu ex;
    static struct tb on_page[2], crossing_in, crossing_out, before, after;
    uint64_t page = 0xffffffff80123000ull;
    ex.n_filled = JUMP_CACHE_FILLED_MAX + 1;   /* too many to list */
    jump_cache_clear(&ex);
    ex.n_filled = JUMP_CACHE_FILLED_MAX + 1;
    put(&ex, &on_page[0], page, page + 8, 0x0d);
    put(&ex, &on_page[1], page + 0xffe, page + 0x1000, 0x1c);
    put(&ex, &crossing_in, page - 4, page + 4, 0x0d);
    put(&ex, &crossing_out, page + 0xffc, page + 0x1004, 0x0d);
    put(&ex, &before, page - 0x100, page - 0xf8, 0x0d);
    put(&ex, &after, page + 0x1000, page + 0x1008, 0x0d);
    jump_cache_clear_page(&ex, page);
    CHECK(!cached(&ex, &on_page[0]));
    CHECK(!cached(&ex, &on_page[1]));
    CHECK(!cached(&ex, &crossing_in));
    CHECK(!cached(&ex, &crossing_out));
    CHECK(cached(&ex, &before));
    CHECK(cached(&ex, &after));
}

int main(void)
{
    check_group("tb_flags_clear_page");
    test_clear_page();
    check_group("tb_flags_interp");
    test_engine("interp");
    if (engine_by_name("jit")) {
        check_group("tb_flags_jit");
        test_engine("jit");
    }
    return check_done();
}
