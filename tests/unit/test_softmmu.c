/* Unit tests of the softmmu space (mem/softmmu.c): the physical map's rules, RAM and device
 * accesses with and without a guest page walk, the TLB per MMU index and its flushes, the
 * tags engines probe inline, accesses across pages (all or nothing), faults with the right
 * exception, address and kind, holes that never reach host memory, instruction fetch, code
 * protection (a store to a page holding code is handed to the execution loop once), and IR
 * blocks run through both engines on the space: one of loads and stores, and one whose code
 * is rewritten and remapped, and a device thread writing code pages while the CPU's thread
 * writes and drops others (no written page is lost). The page walk is a fake guest's hook
 * over a small table. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engines.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "mem/softmmu.h"

#define PAGE SOFTMMU_PAGE_SIZE
#define RAM_BASE 0x80000000ull
#define RAM_PAGES 4
#define DEV_BASE 0x10000000ull
#define DEV_SIZE 0x100

/* RAM with a canary page on either side: a hole access that reached host memory would show. */
static uint8_t host_mem[(RAM_PAGES + 2) * PAGE];
static uint8_t *const ram = host_mem + PAGE;

struct dev {
    uint64_t reg[DEV_SIZE / 8];
    unsigned reads, writes;
    uint64_t last_offset;
    unsigned last_size;
};
static struct dev dev;

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
    struct dev *d = opaque;
    d->reads++;
    d->last_offset = offset;
    d->last_size = size;
    return 0xa5a5a5a500000000ull | (offset << 8) | size;
}

static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct dev *d = opaque;
    d->writes++;
    d->last_offset = offset;
    d->last_size = size;
    d->reg[offset / 8 % (DEV_SIZE / 8)] = value;
}

static const struct mmio_ops dev_ops = { .name = "dev", .read = dev_read, .write = dev_write };

/* The fake guest's page table: virtual page -> physical page with what it allows; mmu index
 * 1 is the privileged one and may use pages without `user`. */
struct mapping {
    uint64_t va, pa;
    unsigned prot;
    bool user;
};
static struct mapping table[] = {
    { 0x40000000, RAM_BASE + 1 * PAGE, MEM_READ | MEM_WRITE, true },
    { 0x40001000, RAM_BASE + 2 * PAGE, MEM_READ | MEM_WRITE | MEM_EXEC, true },
    { 0x40002000, RAM_BASE + 3 * PAGE, MEM_READ, true },
    { 0x40003000, DEV_BASE, MEM_READ | MEM_WRITE | MEM_EXEC, true },
    { 0x40004000, 0x20000000, MEM_READ | MEM_WRITE | MEM_EXEC, true },     /* a hole */
    { 0x7fff0000, RAM_BASE, MEM_READ | MEM_WRITE, false },
    { 0x40005000, RAM_BASE + 3 * PAGE, MEM_READ | MEM_WRITE | MEM_EXEC, true },
};
static bool paging;
static unsigned walks;

static int fake_walk(struct cpu *cpu, uint64_t va, unsigned access, unsigned mmu_idx,
                     uint64_t *pa, unsigned *prot)
{
    (void)cpu;
    walks++;
    if (!paging) {
        *pa = va;
        *prot = MEM_READ | MEM_WRITE | MEM_EXEC;
        return 0;
    }
    for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
        if (table[k].va == (va & ~(PAGE - 1)) && (table[k].user || mmu_idx == 1)) {
            if (!(table[k].prot & access))
                break;
            *pa = table[k].pa | (va & (PAGE - 1));
            *prot = table[k].prot;
            return 0;
        }
    return access == MEM_EXEC ? EXC_FETCH_FAULT : EXC_DATA_FAULT;
}

static const struct guest_system_ops fake_system = { .page_walk = fake_walk };

/* ---- the fake guest's translation: the block under test ---- */
struct fake_cpu {
    struct cpu c;
    uint64_t r[4];
};
#define R(n) (offsetof(struct fake_cpu, r) + 8 * (n))

static int fake_translate_insn(struct translator *t)
{
    struct ir_block *b = t->b;
    ir_temp base = ir_get(b, IR_I64, R(0));
    ir_st(b, IR_MO_64, base, 8, ir_get(b, IR_I64, R(1)));                     /* RAM page 1 */
    ir_put(b, IR_I64, R(2), ir_ld(b, IR_I64, IR_MO_32 | IR_MO_SIGN, base, 12));
    ir_put(b, IR_I64, R(3), ir_ld(b, IR_I64, IR_MO_16, base, 0x3000 + 6));   /* the device */
    ir_st(b, IR_MO_64 | IR_MO_MMU(1), ir_const(b, IR_I64, 0x7fff0000), 0,
          ir_get(b, IR_I64, R(1)));
    t->len = 4;
    t->ended = true;
    ir_exit(b, EXC_SYSCALL, t->pc + 4);
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake-system",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
    .system = &fake_system,
};

static struct physmap map;
static struct softmmu sm;
static struct cpu cpu;
static sigjmp_buf jb;

static void reset(bool with_paging)
{
    memset(host_mem, 0xcc, sizeof(host_mem));
    memset(ram, 0, RAM_PAGES * PAGE);
    memset(&dev, 0, sizeof(dev));
    softmmu_init(&sm, &map);
    memset(&cpu, 0, sizeof(cpu));
    cpu.as = &sm.as;
    cpu.ops = &fake_guest;
    cpu.unwind = &jb;
    paging = with_paging;
    walks = 0;
}

/* Runs an access expected to fault; returns whether it raised. */
#define RAISES(stmt)                                                                       \
    ({                                                                                     \
        volatile int raised_ = 0;                                                          \
        cpu.exc = EXC_NONE;                                                                \
        if (sigsetjmp(jb, 0) == 0) {                                                       \
            stmt;                                                                          \
        } else {                                                                           \
            raised_ = 1;                                                                   \
        }                                                                                  \
        raised_;                                                                           \
    })

static bool canaries_intact(void)
{
    for (uint64_t k = 0; k < PAGE; k++)
        if (host_mem[k] != 0xcc || host_mem[(RAM_PAGES + 1) * PAGE + k] != 0xcc)
            return false;
    return true;
}

static void test_physmap(void)
{
    check_group("softmmu_physmap");
    struct physmap m = { 0 };
    CHECK_EQ(physmap_add_ram(&m, RAM_BASE, RAM_PAGES * PAGE, ram), 0);
    CHECK_EQ(physmap_add_ram(&m, RAM_BASE + 0x800, PAGE, ram), -EINVAL);     /* unaligned */
    CHECK_EQ(physmap_add_ram(&m, RAM_BASE + PAGE, PAGE, ram), -EINVAL);      /* overlaps */
    CHECK_EQ(physmap_add_mmio(&m, RAM_BASE - 8, 16, &dev_ops, &dev), -EINVAL);
    CHECK_EQ(physmap_add_mmio(&m, ~0ull - 4, 16, &dev_ops, &dev), -EINVAL);   /* wraps */
    CHECK_EQ(physmap_add_mmio(&m, DEV_BASE, DEV_SIZE, &dev_ops, &dev), 0);
    CHECK(physmap_find(&m, DEV_BASE + DEV_SIZE - 4, 4) == &m.ranges[1]);
    CHECK(physmap_find(&m, DEV_BASE + DEV_SIZE - 4, 8) == NULL);              /* runs past */
    CHECK(physmap_find(&m, RAM_BASE - 1, 1) == NULL);
    CHECK(physmap_ram(&m, RAM_BASE + 5, 8) == ram + 5);
    CHECK(physmap_ram(&m, RAM_BASE + RAM_PAGES * PAGE - 4, 8) == NULL);
    CHECK(physmap_ram(&m, DEV_BASE, 4) == NULL);
    for (unsigned k = 2; k < PHYSMAP_MAX; k++)
        CHECK_EQ(physmap_add_mmio(&m, 0x1000ull * k, 0x10, &dev_ops, &dev), 0);
    CHECK_EQ(physmap_add_mmio(&m, 0x1000ull * PHYSMAP_MAX, 0x10, &dev_ops, &dev), -ENOSPC);
}

/* Physical addresses as they are (the walk maps va to itself): RAM, the device, holes. */
static void test_physical(void)
{
    check_group("softmmu_physical");
    reset(false);
    const struct aspace_ops *ops = sm.as.ops;
    CHECK(sm.as.flat_base == NULL);
    ops->store(&cpu, RAM_BASE + 0x10, IR_MO_64, 0x1122334455667788);
    CHECK_EQ(ops->load(&cpu, RAM_BASE + 0x12, IR_MO_16), 0x5566);
    CHECK_EQ(ops->load(&cpu, RAM_BASE + 0x17, IR_MO_8 | IR_MO_SIGN), 0x11);  /* raw bytes */
    CHECK_EQ(ram[0x10], 0x88);
    CHECK(mem_ptr(&cpu, RAM_BASE + 0x10, 8, MEM_READ | MEM_WRITE, 0) == ram + 0x10);
    CHECK_EQ(ops->load(&cpu, DEV_BASE + 0x20, IR_MO_32), 0x2004);   /* masked to 4 bytes */
    CHECK_EQ(dev.last_offset, 0x20);
    CHECK_EQ(dev.last_size, 4);
    ops->store(&cpu, DEV_BASE + 0x18, IR_MO_64, 0xfeed);
    CHECK_EQ(dev.reg[3], 0xfeed);
    CHECK_EQ(dev.writes, 1);
    CHECK_EQ(sm.tlb_misses, 2);                      /* one RAM page, one device page */

    static const uint64_t holes[] = {
        RAM_BASE - 8, RAM_BASE + RAM_PAGES * PAGE, 0, DEV_BASE + DEV_SIZE, ~0ull - 7,
    };
    for (size_t k = 0; k < sizeof(holes) / sizeof(holes[0]); k++) {
        CHECK(RAISES(ops->load(&cpu, holes[k], IR_MO_64)));
        CHECK_EQ(cpu.exc, EXC_BUS_ERROR);
        CHECK_EQ(cpu.exc_tval, holes[k]);
        CHECK_EQ(sm.fault_access, MEM_READ);
        CHECK(RAISES(ops->store(&cpu, holes[k], IR_MO_64, 0x5a5a5a5a5a5a5a5a)));
        CHECK_EQ(cpu.exc, EXC_BUS_ERROR);
        CHECK_EQ(sm.fault_access, MEM_WRITE);
        CHECK(RAISES(mem_ptr(&cpu, holes[k], 8, MEM_WRITE, 0)));
    }
    /* The device has no host address; an access running off the end of RAM is a fault
     * before any byte changes. */
    CHECK(RAISES(mem_ptr(&cpu, DEV_BASE, 8, MEM_READ, 0)));
    CHECK_EQ(cpu.exc, EXC_BUS_ERROR);
    CHECK(RAISES(ops->store(&cpu, RAM_BASE + RAM_PAGES * PAGE - 4, IR_MO_64, ~0ull)));
    CHECK_EQ(cpu.exc_tval, RAM_BASE + RAM_PAGES * PAGE);      /* its first byte outside */
    CHECK_EQ(ram[RAM_PAGES * PAGE - 1], 0);
    CHECK(RAISES(ops->load(&cpu, DEV_BASE + DEV_SIZE - 4, IR_MO_64)));
    CHECK_EQ(cpu.exc, EXC_BUS_ERROR);
    CHECK(canaries_intact());
    CHECK_EQ(dev.writes, 1);
}

static void test_paged(void)
{
    check_group("softmmu_paged");
    reset(true);
    const struct aspace_ops *ops = sm.as.ops;
    ops->store(&cpu, 0x40000ff8, IR_MO_64, 0x0102030405060708);
    CHECK_EQ(ram[PAGE + 0xff8], 0x08);
    CHECK_EQ(ops->load(&cpu, 0x40000ffc, IR_MO_32), 0x01020304);
    CHECK_EQ(walks, 1);
    CHECK_EQ(sm.tlb_hits, 1);
    /* Across pages 0x40000000 and 0x40001000: RAM pages 1 and 2. */
    ops->store(&cpu, 0x40000ffe, IR_MO_32, 0xaabbccdd);
    CHECK_EQ(ram[PAGE + 0xffe], 0xdd);
    CHECK_EQ(ram[2 * PAGE + 1], 0xaa);
    CHECK_EQ(ops->load(&cpu, 0x40000ffd, IR_MO_64), 0x000000aabbccdd03);
    const uint64_t at_ff8 = 0xccdd030405060708;
    /* Across into a read-only page: nothing written, the fault names the first byte of the
     * portion that faults. */
    ram[2 * PAGE + 0xfff] = 0x77;
    CHECK(RAISES(ops->store(&cpu, 0x40001ffe, IR_MO_32, 0)));
    CHECK_EQ(cpu.exc, EXC_DATA_FAULT);
    CHECK_EQ(cpu.exc_tval, 0x40002000);
    CHECK_EQ(sm.fault_access, MEM_WRITE);
    CHECK_EQ(ram[2 * PAGE + 0xfff], 0x77);
    CHECK_EQ(ops->load(&cpu, 0x40001ffe, IR_MO_32) >> 8, 0x77);       /* reading is allowed */
    /* The privileged page: only under MMU index 1, with its own TLB. */
    CHECK(RAISES(ops->load(&cpu, 0x7fff0008, IR_MO_64)));
    CHECK_EQ(cpu.exc, EXC_DATA_FAULT);
    ops->store(&cpu, 0x7fff0008, IR_MO_64 | IR_MO_MMU(1), 42);
    CHECK_EQ(ram[8], 42);
    unsigned before = walks;
    CHECK_EQ(ops->load(&cpu, 0x40000ff8, IR_MO_64 | IR_MO_MMU(1)), at_ff8);
    CHECK_EQ(walks, before + 1);                     /* index 1 had no entry for the page */
    /* Device and hole behind a mapping. */
    CHECK_EQ(ops->load(&cpu, 0x40003008, IR_MO_8), 0x01);
    CHECK_EQ(dev.last_offset, 8);
    CHECK(RAISES(ops->load(&cpu, 0x40004000, IR_MO_8)));
    CHECK_EQ(cpu.exc, EXC_BUS_ERROR);
    CHECK_EQ(cpu.exc_tval, 0x40004000);

    /* A changed mapping is seen only after a flush of its page (or of all). */
    table[0].pa = RAM_BASE + 3 * PAGE;
    CHECK_EQ(ops->load(&cpu, 0x40000ff8, IR_MO_64), at_ff8);
    softmmu_tlb_flush_page(&cpu, 0x40000123);
    CHECK_EQ(cpu.exit_request, 1);
    cpu.exit_request = 0;
    CHECK_EQ(ops->load(&cpu, 0x40000ff8, IR_MO_64), 0);
    table[0].pa = RAM_BASE + 1 * PAGE;
    CHECK_EQ(ops->load(&cpu, 0x40000ff8, IR_MO_64 | IR_MO_MMU(1)), at_ff8);
    softmmu_tlb_flush(&cpu);
    CHECK_EQ(cpu.exit_request, 1);
    CHECK_EQ(ops->load(&cpu, 0x40000ff8, IR_MO_64), at_ff8);

    /* Fetch: RAM with exec, across a page; none from a page without exec or without RAM. */
    uint8_t code[8];
    memcpy(ram + 2 * PAGE, "\x11\x22\x33\x44", 4);
    CHECK_EQ(softmmu_fetch(&cpu, 0x40001000, code, 4, 0), 0);
    CHECK(memcmp(code, "\x11\x22\x33\x44", 4) == 0);
    CHECK_EQ(softmmu_fetch(&cpu, 0x40000ffe, code, 4, 0), -EFAULT);   /* page 0: no exec */
    CHECK_EQ(sm.fault_exc, EXC_FETCH_FAULT);
    CHECK_EQ(sm.fault_access, MEM_EXEC);
    CHECK_EQ(softmmu_fetch(&cpu, 0x40003000, code, 4, 0), -EFAULT);   /* the device */
    CHECK_EQ(sm.fault_exc, EXC_BUS_ERROR);
    CHECK_EQ(softmmu_fetch(&cpu, 0x50000000, code, 4, 0), -EFAULT);
    CHECK_EQ(sm.fault_exc, EXC_FETCH_FAULT);
    CHECK(canaries_intact());
}

/* The entries as engines probe them: a tag per kind of access, the addend, the flags. */
static void test_tlb_tags(void)
{
    check_group("softmmu_tlb_tags");
    reset(true);
    const struct aspace_ops *ops = sm.as.ops;
    CHECK(sm.as.tlb == &sm.tlb);
    ops->load(&cpu, 0x40000010, IR_MO_8);            /* RAM page 1, read-write */
    struct mem_tlb_entry *e = mem_tlb_entry(&sm.as, 0x40000010, 0);
    CHECK_EQ(e->read, 0x40000000);
    CHECK_EQ(e->write, 0x40000000);
    CHECK_EQ(e->exec, MEM_TLB_EMPTY);
    CHECK((uint8_t *)(uintptr_t)(0x40000010 + e->addend) == ram + PAGE + 0x10);
    CHECK_EQ(mem_tlb_tag(0x40000ff8, 8), e->read);   /* the page's last 8 bytes hit */
    CHECK(mem_tlb_tag(0x40000ffc, 8) != e->read);    /* across the page: never */
    ops->load(&cpu, 0x40002000, IR_MO_8);            /* read-only */
    e = mem_tlb_entry(&sm.as, 0x40002000, 0);
    CHECK_EQ(e->read, 0x40002000);
    CHECK_EQ(e->write, MEM_TLB_EMPTY);
    ops->load(&cpu, 0x40003000, IR_MO_8);            /* the device: always the slow path */
    e = mem_tlb_entry(&sm.as, 0x40003000, 0);
    CHECK_EQ(e->read, 0x40003000 | MEM_TLB_SLOW);
    CHECK_EQ(e->write, 0x40003000 | MEM_TLB_SLOW);
    CHECK(mem_tlb_entry(&sm.as, 0x40000010, 1) != mem_tlb_entry(&sm.as, 0x40000010, 0));
    CHECK_EQ(mem_tlb_entry(&sm.as, 0x40000010, 1)->read, MEM_TLB_EMPTY);
    uint32_t gen = sm.as.map_gen, page_gen = sm.as.page_gen;
    softmmu_tlb_flush_page(&cpu, 0x40000abc);
    CHECK_EQ(mem_tlb_entry(&sm.as, 0x40000010, 0)->read, MEM_TLB_EMPTY);
    CHECK_EQ(mem_tlb_entry(&sm.as, 0x40002000, 0)->read, 0x40002000);   /* other pages stay */
    CHECK_EQ(sm.as.map_gen, gen);              /* one page's flush names the page */
    CHECK_EQ(sm.as.page_gen, page_gen + 1);
    CHECK_EQ(sm.as.flushed_pages[page_gen % ASPACE_FLUSHED_PAGES], 0x40000000);
    softmmu_tlb_flush(&cpu);
    CHECK_EQ(mem_tlb_entry(&sm.as, 0x40002000, 0)->read, MEM_TLB_EMPTY);
    CHECK_EQ(sm.as.map_gen, gen + 1);
}

static uint64_t dropped[4][2];
static unsigned n_dropped;

static void drop(struct cpu *c, uint64_t start, uint64_t end)
{
    (void)c;
    if (n_dropped < 4) {
        dropped[n_dropped][0] = start;
        dropped[n_dropped][1] = end;
    }
    n_dropped++;
}

/* Code protection: pages with code send writes to the slow path, which hands each written
 * page to the execution loop once and makes the CPU leave guest code. */
static void test_code(void)
{
    check_group("softmmu_code");
    reset(true);
    const struct aspace_ops *ops = sm.as.ops;
    ops->store(&cpu, 0x40000008, IR_MO_64, 1);       /* RAM page 1 in the TLB, writable */
    struct mem_tlb_entry *e = mem_tlb_entry(&sm.as, 0x40000008, 0);
    CHECK_EQ(e->write, 0x40000000);
    ops->protect_code(&cpu, RAM_BASE + PAGE + 0x100, RAM_BASE + PAGE + 0x120);
    CHECK_EQ(e->write, 0x40000000 | MEM_TLB_SLOW);   /* the entry already there, too */
    CHECK_EQ(e->read, 0x40000000);                   /* reads stay inline */
    n_dropped = 0;
    ops->code_writes(&cpu, drop);
    CHECK_EQ(n_dropped, 0);
    cpu.exit_request = 0;
    ops->store(&cpu, 0x40000010, IR_MO_32, 0x1234);
    CHECK_EQ(ram[PAGE + 0x10], 0x34);                /* the store is done */
    CHECK_EQ(cpu.exit_request, 1);
    CHECK_EQ(e->write, 0x40000000);                  /* no code left: inline again */
    ops->code_writes(&cpu, drop);
    CHECK_EQ(n_dropped, 1);
    CHECK_EQ(dropped[0][0], RAM_BASE + PAGE);
    CHECK_EQ(dropped[0][1], RAM_BASE + 2 * PAGE);
    ops->code_writes(&cpu, drop);
    CHECK_EQ(n_dropped, 1);                          /* handed over once */
    cpu.exit_request = 0;
    ops->store(&cpu, 0x40000010, IR_MO_32, 0x5678);
    CHECK_EQ(cpu.exit_request, 0);

    /* An entry filled after the code was taken (another mapping of page 0, under MMU index
     * 1) is flagged from the start; an atomic's host pointer is a write. */
    ops->protect_code(&cpu, RAM_BASE + 0x10, RAM_BASE + 0x14);
    CHECK_EQ(ops->load(&cpu, 0x7fff0010, IR_MO_32 | IR_MO_MMU(1)), 0);
    CHECK_EQ(mem_tlb_entry(&sm.as, 0x7fff0010, 1)->write, 0x7fff0000 | MEM_TLB_SLOW);
    CHECK(mem_ptr(&cpu, 0x7fff0010, 8, MEM_READ | MEM_WRITE, 1) == ram + 0x10);
    CHECK_EQ(cpu.exit_request, 1);
    ops->code_writes(&cpu, drop);
    CHECK_EQ(n_dropped, 2);
    CHECK_EQ(dropped[1][0], RAM_BASE);
    /* Code addresses outside RAM are ignored (a fetch from them faults anyway). */
    ops->protect_code(&cpu, DEV_BASE, DEV_BASE + 4);
    ops->protect_code(&cpu, 0x20000000, 0x20000004);
    uint64_t pa = 0;
    CHECK_EQ(softmmu_code_addr(&cpu, 0x40001004, 0, &pa), 0);
    CHECK_EQ(pa, RAM_BASE + 2 * PAGE + 4);
    CHECK_EQ(softmmu_code_addr(&cpu, 0x40000004, 0, &pa), -EFAULT);   /* no exec */
    CHECK(canaries_intact());
}

/* A device thread's DMA into a code page races with the CPU's thread noting its own code
 * writes and handing the pages to the loop: every written page must reach the loop. The
 * threads yield now and then while they wait for each other, so that the rounds keep going
 * on one processor (a loaded machine, qemu-user in the cross suite). */
static volatile unsigned race_round, race_done;
static unsigned race_pages;

static void race_drop(struct cpu *c, uint64_t start, uint64_t end)
{
    (void)c;
    for (unsigned p = 0; p < RAM_PAGES; p++)
        if (start <= RAM_BASE + p * PAGE && RAM_BASE + p * PAGE < end)
            race_pages |= 1u << p;
}

/* Spins (the race needs both threads running at once), yielding now and then. */
static void wait_for(volatile unsigned *round, unsigned r)
{
    for (unsigned spins = 1; __atomic_load_n(round, __ATOMIC_ACQUIRE) != r; spins++)
        if (spins % 1024 == 0)
            sched_yield();
}

static void *race_device(void *arg)
{
    unsigned rounds = (unsigned)(uintptr_t)arg;
    for (unsigned r = 1; r <= rounds; r++) {
        wait_for(&race_round, r);
        softmmu_dma_written(&cpu, RAM_BASE + 3 * PAGE, 8);
        __atomic_store_n(&race_done, r, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_dma_race(void)
{
    check_group("softmmu_dma_race");
    reset(true);
    const struct aspace_ops *ops = sm.as.ops;
    enum { ROUNDS = 100000 };
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, race_device, (void *)(uintptr_t)ROUNDS), 0);
    unsigned lost = 0;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        ops->protect_code(&cpu, RAM_BASE + 2 * PAGE, RAM_BASE + 4 * PAGE);
        race_pages = 0;
        __atomic_store_n(&race_round, r, __ATOMIC_RELEASE);
        softmmu_dma_written(&cpu, RAM_BASE + 2 * PAGE, 8);
        ops->code_writes(&cpu, race_drop);
        wait_for(&race_done, r);
        ops->code_writes(&cpu, race_drop);
        lost += race_pages != 0xc;
    }
    pthread_join(t, NULL);
    CHECK_EQ(lost, 0);
}

static void test_engine(const char *engine, uint64_t pc)
{
    reset(true);
    struct fake_cpu *f = (struct fake_cpu *)cpu_new(&fake_guest, engine_by_name(engine));
    f->c.as = &sm.as;
    f->c.pc = pc;
    f->r[0] = 0x40000000;
    f->r[1] = 0x80706050fedcba98;
    exec_run(&f->c);
    CHECK_EQ(f->c.exit_reason, CPU_EXIT_EXCEPTION);
    CHECK_EQ(f->c.exc, EXC_SYSCALL);
    CHECK_EQ(f->r[2], 0xffffffff80706050);         /* sign-extended by the engine */
    CHECK_EQ(f->r[3], 0x0602);                     /* device offset 6, size 2 */
    CHECK_EQ(ram[PAGE + 8], 0x98);
    CHECK_EQ(ram[0], 0x98);                        /* through MMU index 1 */
    CHECK_EQ(dev.reads, 1);
    CHECK_EQ(sm.tlb_misses, 3);
    cpu_free(&f->c);
}

/* ---- a guest whose one instruction is its 4 code bytes: r2 = them ---- */

static int code_translate_insn(struct translator *t)
{
    uint32_t word;
    if (translator_fetch(t, 0, &word, 4) < 0)
        return -EFAULT;
    ir_put(t->b, IR_I64, R(2), ir_const(t->b, IR_I64, word));
    t->len = 4;
    t->ended = true;
    ir_exit(t->b, EXC_SYSCALL, t->pc + 4);
    return 0;
}

static const struct guest_ops code_guest = {
    .name = "fake-code",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = code_translate_insn,
    .system = &fake_system,
};

static int fake_fetch(struct cpu *c, uint64_t pc, void *buf, size_t len)
{
    return softmmu_fetch(c, pc, buf, len, 0);
}

static int fake_code_addr(struct cpu *c, uint64_t pc, uint64_t *pa)
{
    return softmmu_code_addr(c, pc, 0, pa);
}

/* Runs the block at pc until it leaves with its syscall (a TLB flush or a code write makes
 * the CPU leave first); returns what it put in r2. */
static uint64_t run_code(struct fake_cpu *f, uint64_t pc)
{
    f->c.pc = pc;
    f->r[2] = 0;
    while (exec_run(&f->c) == CPU_EXIT_INTERRUPT)
        ;
    CHECK_EQ(f->c.exc, EXC_SYSCALL);
    return f->r[2];
}

/* Blocks are known by the physical address of their code: a guest store to it drops them
 * (and only them: a block on another page stays), and after a remap (and the TLB flush the
 * guest must do) the same pc finds other code. */
static void test_code_engine(const char *engine, uint64_t pc)
{
    reset(true);
    uint64_t off = (pc >> 8) & 0xff0, va = 0x40001000 + off;   /* page 2, RWX */
    struct fake_cpu *f = (struct fake_cpu *)cpu_new(&code_guest, engine_by_name(engine));
    f->c.as = &sm.as;
    f->c.fetch_code = fake_fetch;
    f->c.code_addr = fake_code_addr;
    memcpy(ram + 2 * PAGE + off, "\x11\x11\x11\x11", 4);
    CHECK_EQ(run_code(f, va), 0x11111111);
    memcpy(ram + 2 * PAGE + off, "\x22\x22\x22\x22", 4);    /* not a guest store: unseen */
    CHECK_EQ(run_code(f, va), 0x11111111);
    memcpy(ram + 3 * PAGE + off, "\x55\x55\x55\x55", 4);
    CHECK_EQ(run_code(f, 0x40005000 + off), 0x55555555);     /* a block on another page */
    uint64_t translations = exec_stats.translations, flushes = exec_stats.flushes;
    sm.as.ops->store(&f->c, va, IR_MO_32, 0x33333333);       /* a guest store */
    CHECK_EQ(run_code(f, va), 0x33333333);
    CHECK_EQ(run_code(f, 0x40005000 + off), 0x55555555);
    CHECK_EQ(exec_stats.translations, translations + 1);     /* the written page's alone */
    CHECK_EQ(exec_stats.flushes, flushes);
    table[1].pa = RAM_BASE + 1 * PAGE;                        /* the guest remaps the page */
    memcpy(ram + 1 * PAGE + off, "\x44\x44\x44\x44", 4);
    softmmu_tlb_flush(&f->c);
    CHECK_EQ(run_code(f, va), 0x44444444);
    table[1].pa = RAM_BASE + 2 * PAGE;                        /* and back */
    softmmu_tlb_flush_page(&f->c, va);
    CHECK_EQ(run_code(f, va), 0x33333333);
    cpu_free(&f->c);
}

int main(void)
{
    CHECK_EQ(physmap_add_ram(&map, RAM_BASE, RAM_PAGES * PAGE, ram), 0);
    CHECK_EQ(physmap_add_mmio(&map, DEV_BASE, DEV_SIZE, &dev_ops, &dev), 0);
    test_physmap();
    test_physical();
    test_paged();
    test_tlb_tags();
    test_code();
    test_dma_race();
    check_each_engine("softmmu_engine", test_engine);
    check_each_engine("softmmu_code_engine", test_code_engine);
    return check_done();
}
