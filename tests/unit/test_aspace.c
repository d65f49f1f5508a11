/* Unit tests of the address-space interface (mem/aspace.h): a fake softmmu space (guest
 * RAM and an MMIO device behind a physical map, a page table walked on a miss, a TLB per MMU
 * index counting its hits and misses) runs one block of loads, stores and an atomic through
 * both engines. That the same counts, memory and registers come out of each engine is the
 * proof that the engines lower memory per the CPU's space and that the memop's MMU index
 * reaches it. Faults of the walk come out as the CPU's data fault at the access's pc. The
 * flat space of user mode is checked through the same interface. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engines.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/aspace.h"

#define PAGE 4096ull
#define TLB_SIZE 8
#define MMU_USER 0
#define MMU_PRIV 1

/* Physical map: RAM pages 0..3 at 0, one MMIO page at 0x100000. */
#define RAM_SIZE (4 * PAGE)
#define MMIO_PHYS 0x100000ull
static uint8_t ram[RAM_SIZE];

/* The page table the walk reads: virtual page -> physical page, and who may use it. */
static const struct pte {
    uint64_t va, pa;
    bool user;        /* else MMU_PRIV only */
} page_table[] = {
    { 0x40000000, 2 * PAGE, true },
    { 0x40001000, 0 * PAGE, true },
    { 0x40002000, MMIO_PHYS, true },
    { 0x7fff0000, 3 * PAGE, false },
};

struct tlb_entry {
    uint64_t va;      /* page address; ~0: empty */
    uint64_t pa;
};

struct fake_mmu {
    struct aspace as;
    struct tlb_entry tlb[2][TLB_SIZE];   /* per MMU index, direct-mapped */
    unsigned hits, misses, walks_failed;
    uint64_t mmio_reads, mmio_last_store;
};
static struct fake_mmu mmu;

static void tlb_flush(void)
{
    memset(mmu.tlb, 0xff, sizeof(mmu.tlb));
    mmu.hits = mmu.misses = mmu.walks_failed = 0;
}

/* The physical address of addr for an access under mmu_idx: the TLB, else the walk. */
static uint64_t translate(struct cpu *cpu, uint64_t addr, unsigned size, unsigned mmu_idx)
{
    uint64_t va = addr & ~(PAGE - 1);
    struct tlb_entry *e = &mmu.tlb[mmu_idx][(va / PAGE) % TLB_SIZE];
    if ((addr & (PAGE - 1)) + size > PAGE)
        cpu_raise(cpu, EXC_MISALIGNED, addr);   /* the fake does not split accesses */
    if (e->va == va) {
        mmu.hits++;
        return e->pa + (addr - va);
    }
    mmu.misses++;
    for (size_t k = 0; k < sizeof(page_table) / sizeof(page_table[0]); k++)
        if (page_table[k].va == va && (page_table[k].user || mmu_idx == MMU_PRIV)) {
            *e = (struct tlb_entry){ va, page_table[k].pa };
            return e->pa + (addr - va);
        }
    mmu.walks_failed++;
    cpu_raise(cpu, EXC_DATA_FAULT, addr);
}

static void *mmu_host_ptr(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                          unsigned mmu_idx)
{
    uint64_t pa = translate(cpu, addr, size, mmu_idx);
    if (pa >= RAM_SIZE)
        cpu_raise(cpu, EXC_DATA_FAULT, addr);    /* no host memory behind MMIO */
    return ram + pa;
}

static uint64_t mmu_load(struct cpu *cpu, uint64_t addr, unsigned memop)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    uint64_t pa = translate(cpu, addr, size, ir_mo_mmu(memop)), v = 0;
    if (pa >= MMIO_PHYS)
        return 0x1000 + (pa - MMIO_PHYS) + mmu.mmio_reads++;   /* a device register */
    memcpy(&v, ram + pa, size);
    return v;
}

static void mmu_store(struct cpu *cpu, uint64_t addr, unsigned memop, uint64_t value)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    uint64_t pa = translate(cpu, addr, size, ir_mo_mmu(memop));
    if (pa >= MMIO_PHYS)
        mmu.mmio_last_store = value;
    else
        memcpy(ram + pa, &value, size);
}

static const struct aspace_ops mmu_ops = {
    .host_ptr = mmu_host_ptr,
    .load = mmu_load,
    .store = mmu_store,
};

/* ---- a fake guest whose translation is the block under test ---- */

struct fake_cpu {
    struct cpu c;
    uint64_t r[8];
};
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

/* A program is a NULL-terminated list of instructions, 4 bytes each; its last instruction
 * leaves with EXC_SYSCALL. */
typedef void insn_fn(struct ir_block *b);
static insn_fn *const *program;

static int fake_translate_insn(struct translator *t)
{
    insn_fn *const *insn = &program[(t->pc - t->b->pc) / 4];
    (*insn)(t->b);
    t->len = 4;
    t->ended = !insn[1];
    if (t->ended)
        ir_exit(t->b, EXC_SYSCALL, t->pc + 4);
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

static ir_temp reg(struct ir_block *b, unsigned n)
{
    return ir_get(b, IR_I64, R(n));
}

static ir_temp c64(struct ir_block *b, uint64_t v)
{
    return ir_const(b, IR_I64, (int64_t)v);
}

/* r0 = 0x40000000 (RAM page 2), r1 = a value. 13 accesses on 4 (MMU index, page) pairs. */
static void st64(struct ir_block *b) { ir_st(b, IR_MO_64, reg(b, 0), 0, reg(b, 1)); }   /* miss */
static void st8(struct ir_block *b) { ir_st(b, IR_MO_8, reg(b, 0), 8, c64(b, 0xab)); }  /* hit */
static void ld64(struct ir_block *b)                                                    /* hit */
{
    ir_put(b, IR_I64, R(2), ir_ld(b, IR_I64, IR_MO_64, reg(b, 0), 0));
}
static void ld_s8(struct ir_block *b)                                                   /* hit */
{
    ir_put(b, IR_I64, R(3), ir_ld(b, IR_I64, IR_MO_8 | IR_MO_SIGN, reg(b, 0), 8));
}
static void ld_s16(struct ir_block *b)                                                  /* hit */
{
    ir_put(b, IR_I64, R(4), ir_ld(b, IR_I64, IR_MO_16 | IR_MO_SIGN, reg(b, 0), 6));
}
static void st32_page0(struct ir_block *b)                                    /* miss: page 0 */
{
    ir_st(b, IR_MO_32, reg(b, 0), 0x1000 + 12, c64(b, 0xdeadbeef));
}
static void ld32_page0(struct ir_block *b)                                              /* hit */
{
    ir_put(b, IR_I64, R(5), ir_ld(b, IR_I64, IR_MO_32, reg(b, 0), 0x1000 + 12));
}
static void ld32_mmio(struct ir_block *b)                                       /* miss: MMIO */
{
    ir_put(b, IR_I64, R(6), ir_ld(b, IR_I64, IR_MO_32, reg(b, 0), 0x2000 + 8));
}
static void st64_mmio(struct ir_block *b) { ir_st(b, IR_MO_64, reg(b, 0), 0x2000, reg(b, 1)); }
static void atomic_add(struct ir_block *b)                                   /* hit: host_ptr */
{
    ir_put(b, IR_I64, R(7), ir_atomic_rmw(b, IR_I64, IR_RMW_ADD, IR_MO_64, reg(b, 0), c64(b, 5)));
}
static void st64_priv(struct ir_block *b)                                    /* miss: index 1 */
{
    ir_st(b, IR_MO_64 | IR_MO_MMU(MMU_PRIV), c64(b, 0x7fff0000), 16, reg(b, 1));
}
static void ld64_priv(struct ir_block *b)                                              /* hit */
{
    ir_temp back = ir_ld(b, IR_I64, IR_MO_64 | IR_MO_MMU(MMU_PRIV), c64(b, 0x7fff0000), 16);
    ir_put(b, IR_I64, R(1), ir_op2(b, IR_add, IR_I64, back, c64(b, 1)));
}
static void ld64_r0(struct ir_block *b)                                                 /* hit */
{
    ir_put(b, IR_I64, R(0), ir_ld(b, IR_I64, IR_MO_64, reg(b, 0), 0));
}
static insn_fn *const loads_and_stores[] = {
    st64, st8, ld64, ld_s8, ld_s16, st32_page0, ld32_page0, ld32_mmio, st64_mmio, atomic_add,
    st64_priv, ld64_priv, ld64_r0, NULL,
};

/* The privileged page under the user's index: the walk fails at the second instruction. */
static void ld32_priv_as_user(struct ir_block *b)
{
    ir_put(b, IR_I64, R(3), ir_ld(b, IR_I64, IR_MO_32, c64(b, 0x7fff0000), 4));
}
static void set_r4(struct ir_block *b) { ir_put(b, IR_I64, R(4), c64(b, 1)); }
static insn_fn *const user_fault[] = { ld64, ld32_priv_as_user, set_r4, NULL };

static struct fake_cpu *run(const char *engine, insn_fn *const *prog, uint64_t pc)
{
    struct cpu *cpu = cpu_new(&fake_guest, engine_by_name(engine));
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    cpu->as = &mmu.as;
    f->r[0] = 0x40000000;
    f->r[1] = 0x1122334455667788;
    cpu->pc = pc;
    program = prog;
    exec_run(cpu);
    return f;
}

static void test_block(const char *engine, uint64_t pc)
{
    memset(ram, 0, sizeof(ram));
    memcpy(ram + 3 * PAGE + 16, "\x01\0\0\0\0\0\0\0", 8);
    tlb_flush();
    mmu.mmio_reads = mmu.mmio_last_store = 0;
    struct fake_cpu *f = run(engine, loads_and_stores, pc);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_SYSCALL);
    CHECK_EQ(f->c.pc, pc + 4 * 13);
    CHECK_EQ(mmu.misses, 4);            /* one per (MMU index, page) pair */
    CHECK_EQ(mmu.hits, 9);
    CHECK_EQ(mmu.walks_failed, 0);
    uint64_t w;
    memcpy(&w, ram + 2 * PAGE, 8);
    CHECK_EQ(w, 0x1122334455667788 + 5);           /* st, then the atomic add */
    CHECK_EQ(ram[2 * PAGE + 8], 0xab);
    memcpy(&w, ram + 0 * PAGE + 12, 4);
    CHECK_EQ((uint32_t)w, 0xdeadbeef);
    memcpy(&w, ram + 3 * PAGE + 16, 8);
    CHECK_EQ(w, 0x1122334455667788);               /* through MMU index 1 */
    CHECK_EQ(f->r[1], 0x1122334455667789);
    CHECK_EQ(f->r[2], 0x1122334455667788);
    CHECK_EQ(f->r[3], 0xffffffffffffffab);         /* sign-extended to 64 */
    CHECK_EQ(f->r[4], 0x1122);                     /* bytes 6..7 of the value */
    CHECK_EQ(f->r[5], 0xdeadbeef);
    CHECK_EQ(f->r[6], 0x1000 + 8);                 /* the device register, first read */
    CHECK_EQ(mmu.mmio_reads, 1);
    CHECK_EQ(mmu.mmio_last_store, 0x1122334455667788);
    CHECK_EQ(f->r[7], 0x1122334455667788);         /* the atomic's old value */
    CHECK_EQ(f->r[0], 0x1122334455667788 + 5);
    cpu_free(&f->c);

    tlb_flush();
    f = run(engine, user_fault, pc + 0x1000);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_DATA_FAULT);
    CHECK_EQ(f->c.exc_tval, 0x7fff0004);
    CHECK_EQ(f->c.pc, pc + 0x1000 + 4);            /* the second instruction */
    CHECK_EQ(f->r[2], 0x1122334455667788 + 5);     /* the first one completed */
    CHECK_EQ(f->r[3], 0);
    CHECK_EQ(f->r[4], 0);
    CHECK_EQ(mmu.misses, 2);
    CHECK_EQ(mmu.walks_failed, 1);
    cpu_free(&f->c);
}

/* The flat space through the interface: what helpers and the engines' slow paths see. */
static void test_flat(void)
{
    check_group("aspace_flat");
    static uint8_t mem[2 * PAGE];
    struct aspace flat;
    aspace_flat_init(&flat, mem, sizeof(mem));
    struct cpu cpu;
    memset(&cpu, 0, sizeof(cpu));
    cpu.as = &flat;
    sigjmp_buf jb;
    cpu.unwind = &jb;
    flat.ops->store(&cpu, 100, IR_MO_32, 0x89abcdef01234567);
    CHECK_EQ(flat.ops->load(&cpu, 100, IR_MO_32), 0x01234567);
    CHECK_EQ(flat.ops->load(&cpu, 103, IR_MO_8 | IR_MO_SIGN), 0x01);   /* raw bytes: no sign */
    CHECK_EQ(flat.ops->load(&cpu, 102, IR_MO_16 | IR_MO_MMU(3)), 0x0123);
    CHECK(mem_ptr(&cpu, 2 * PAGE - 8, 8, MEM_WRITE, 0) == mem + 2 * PAGE - 8);
    static const struct { uint64_t addr; unsigned size; uint64_t tval; } outside[] = {
        { 2 * PAGE - 4, 8, 2 * PAGE },     /* straddles the end: its first byte outside */
        { 2 * PAGE, 1, 2 * PAGE },
        { ~0ull - 3, 8, ~0ull - 3 },       /* wraps around */
    };
    for (size_t k = 0; k < sizeof(outside) / sizeof(outside[0]); k++) {
        volatile int raised = 0;
        cpu.exc = EXC_NONE;
        if (sigsetjmp(jb, 0) == 0)
            mem_ptr(&cpu, outside[k].addr, outside[k].size, MEM_READ, 0);
        else
            raised = 1;
        CHECK(raised);
        CHECK_EQ(cpu.exc, EXC_DATA_FAULT);
        CHECK_EQ(cpu.exc_tval, outside[k].tval);
        raised = 0;
        if (sigsetjmp(jb, 0) == 0)
            flat.ops->load(&cpu, outside[k].addr, IR_MO_64);
        else
            raised = 1;
        CHECK(raised);
    }
    CHECK_EQ(ir_ld_extend(0x80, IR_MO_8 | IR_MO_SIGN, false), 0xffffffffffffff80);
    CHECK_EQ(ir_ld_extend(0x80, IR_MO_8 | IR_MO_SIGN, true), 0xffffff80);
    CHECK_EQ(ir_ld_extend(0x8000, IR_MO_16 | IR_MO_SIGN, true), 0xffff8000);
    CHECK_EQ(ir_ld_extend(0x80000000, IR_MO_32 | IR_MO_SIGN, true), 0xffffffff80000000);
    CHECK_EQ(ir_ld_extend(0x80, IR_MO_8, false), 0x80);
}

int main(void)
{
    test_flat();
    mmu.as.ops = &mmu_ops;
    check_each_engine("aspace_softmmu", test_block);
    return check_done();
}
