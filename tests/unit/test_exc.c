/* Unit tests of the exception vocabulary: every synchronous fault an engine can raise comes
 * out of exec_run as the right exception (kind, tval, pc) under each engine, and linux/ turns
 * each kind into the signal, si_code and si_addr Linux gives a native process. The guest
 * memory is a real user-mode space (mem/uspace.h) with a readable page, a mapped page without
 * access, an unmapped page, a readable last page and a file mapping that runs past its
 * file's end. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "ir/raise.h"
#include "linux/signal.h"
#include "mem/uspace.h"

#define PG USPACE_PAGE_SIZE
#define SPACE (1ull << 30)
#define RW_PAGE 0x10000ull      /* readable and writable */
#define NONE_PAGE 0x20000ull    /* mapped, PROT_NONE */
#define HOLE_PAGE 0x30000ull    /* not mapped */
#define FILE_PAGE 0x40000ull    /* two pages of a one-page file: the second has no backing */
#define CODE_PC 0x100000ull     /* blocks are "translated" here without fetching */

struct fake_cpu {
    struct cpu c;
    uint64_t r[4];
};

static struct uspace us;
static void (*build_block)(struct ir_block *b, uint64_t pc);

static int fake_fetch(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    return uspace_fetch(&us, pc, buf, len);
}

/* Pcs from CODE_PC on are the block under test, as one instruction; any other pc is fetched
 * (the tests run only pcs there that fault). */
static int fake_translate_insn(struct translator *t)
{
    uint8_t byte;
    if (t->pc < CODE_PC && translator_fetch(t, 0, &byte, 1) < 0)
        return -EFAULT;
    build_block(t->b, t->pc);
    t->len = 4;
    t->ended = true;
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake",
    .state_size = sizeof(struct fake_cpu),
    .translate_insn = fake_translate_insn,
};

static ir_temp c64(struct ir_block *b, uint64_t v)
{
    return ir_const(b, IR_I64, (int64_t)v);
}

static void build_illegal(struct ir_block *b, uint64_t pc)
{
    ir_call(b, &ir_raise_illegal, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_goto_pc(b, pc + 4);
}

static void build_breakpoint(struct ir_block *b, uint64_t pc)
{
    ir_call(b, &ir_raise_breakpoint, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_goto_pc(b, pc + 4);
}

static void build_misaligned(struct ir_block *b, uint64_t pc)
{
    ir_call(b, &ir_check_aligned, c64(b, RW_PAGE + 3), c64(b, 4), IR_NONE, IR_NONE);
    ir_goto_pc(b, pc + 4);
}

/* Loads/stores at r0 + disp: the address comes from a register, as guest code has it. */
static void build_load_r0(struct ir_block *b, uint64_t pc)
{
    ir_temp a = ir_get(b, IR_I64, offsetof(struct fake_cpu, r));
    ir_put(b, IR_I64, offsetof(struct fake_cpu, r) + 8, ir_ld(b, IR_I64, IR_MO_64, a, 8));
    ir_goto_pc(b, pc + 4);
}

static void build_store_r0(struct ir_block *b, uint64_t pc)
{
    ir_temp a = ir_get(b, IR_I64, offsetof(struct fake_cpu, r));
    ir_st(b, IR_MO_32, a, 16, a);
    ir_goto_pc(b, pc + 4);
}

static void build_syscall(struct ir_block *b, uint64_t pc)
{
    ir_exit(b, EXC_SYSCALL, pc + 4);
}

struct exc_case {
    const char *what;
    void (*build)(struct ir_block *b, uint64_t pc);   /* NULL: run from r0 as the pc */
    uint64_t r0;
    int exc;
    uint64_t tval;
    bool pc_after;     /* the exception's pc is the next instruction's */
    int sig, code;     /* the guest signal, 0 for none */
    bool addr_is_pc;   /* si_addr is the pc, else tval */
};

static const struct exc_case cases[] = {
    { "illegal", build_illegal, 0, EXC_ILLEGAL, 0, false, SIGILL, ILL_ILLOPC, true },
    { "breakpoint", build_breakpoint, 0, EXC_BREAKPOINT, 0, false, SIGTRAP, TRAP_BRKPT, true },
    { "misaligned", build_misaligned, 0, EXC_MISALIGNED, RW_PAGE + 3, false, SIGBUS, BUS_ADRALN, false },
    { "load_no_access", build_load_r0, NONE_PAGE, EXC_DATA_FAULT, NONE_PAGE + 8, false, SIGSEGV,
      SEGV_ACCERR, false },
    { "store_unmapped", build_store_r0, HOLE_PAGE, EXC_DATA_FAULT, HOLE_PAGE + 16, false, SIGSEGV,
      SEGV_MAPERR, false },
    { "load_outside", build_load_r0, SPACE - 12, EXC_DATA_FAULT, SPACE, false, SIGSEGV,
      SEGV_MAPERR, false },
    { "load_wild", build_load_r0, 0x7000000000000000ull, EXC_DATA_FAULT, 0x7000000000000008ull,
      false, SIGSEGV, SEGV_MAPERR, false },
    { "load_past_file_end", build_load_r0, FILE_PAGE + PG, EXC_BUS_ERROR, FILE_PAGE + PG + 8,
      false, SIGBUS, BUS_ADRERR, false },
    { "fetch_unmapped", NULL, HOLE_PAGE + 0x40, EXC_FETCH_FAULT, HOLE_PAGE + 0x40, false, SIGSEGV,
      SEGV_MAPERR, false },
    { "fetch_no_access", NULL, NONE_PAGE, EXC_FETCH_FAULT, NONE_PAGE, false, SIGSEGV,
      SEGV_ACCERR, false },
    { "syscall", build_syscall, 0, EXC_SYSCALL, 0, true, 0, 0, false },
};

static void run_case(const char *engine, const struct exc_case *k, uint64_t *next_pc)
{
    struct cpu *cpu = cpu_new(&fake_guest, engine_by_name(engine));
    cpu->as = &us.as;
    cpu->fetch_code = fake_fetch;
    struct fake_cpu *f = (struct fake_cpu *)cpu;
    f->r[0] = k->r0;
    uint64_t pc = k->build ? *next_pc : k->r0;
    *next_pc += 0x100;   /* a new pc per run: the translation cache is shared */
    cpu->pc = pc;
    build_block = k->build;
    CHECK_EQ(exec_run(cpu), CPU_EXIT_EXCEPTION);
    CHECK_EQ(cpu->exc, k->exc);
    CHECK_EQ(cpu->exc_tval, k->tval);
    CHECK_EQ(cpu->pc, k->pc_after ? pc + 4 : pc);
    CHECK_EQ(f->r[1], 0);                 /* the faulting load wrote nothing */
    siginfo_t info;
    CHECK_EQ(linux_exc_siginfo(&us, cpu->exc, cpu->exc_tval, cpu->pc, &info), k->sig);
    CHECK_EQ(info.si_signo, k->sig);
    CHECK_EQ(info.si_code, k->code);
    CHECK_EQ((uintptr_t)info.si_addr, k->sig ? (k->addr_is_pc ? cpu->pc : k->tval) : 0);
    cpu_free(cpu);
}

/* Every exception kind but a syscall is some guest signal: a new kind cannot go unmapped. */
static void test_every_kind_maps(void)
{
    check_group("exc_every_kind_is_a_signal");
    siginfo_t info;
    for (int exc = EXC_ILLEGAL; exc < EXC_COUNT; exc++)
        CHECK(linux_exc_siginfo(&us, exc, RW_PAGE, CODE_PC, &info) > 0);
    CHECK_EQ(linux_exc_siginfo(&us, EXC_NONE, 0, CODE_PC, &info), 0);
    CHECK_EQ(linux_exc_siginfo(&us, EXC_SYSCALL, 0, CODE_PC, &info), 0);
    /* A data fault on a readable page (a store to read-only memory) is ACCERR there. */
    CHECK_EQ(linux_exc_siginfo(&us, EXC_DATA_FAULT, RW_PAGE + 5, CODE_PC, &info), SIGSEGV);
    CHECK_EQ(info.si_code, SEGV_ACCERR);
    CHECK_EQ((uintptr_t)info.si_addr, RW_PAGE + 5);
    /* x86's #GP: SIGSEGV from the kernel without an address, even with a mapped tval. */
    CHECK_EQ(linux_exc_siginfo(&us, EXC_PROTECTION, 0, CODE_PC, &info), SIGSEGV);
    CHECK_EQ(info.si_code, SI_KERNEL);
    CHECK_EQ((uintptr_t)info.si_addr, 0);
    /* #DE: SIGFPE at the dividing instruction. */
    CHECK_EQ(linux_exc_siginfo(&us, EXC_DIVIDE, 0, CODE_PC, &info), SIGFPE);
    CHECK_EQ(info.si_code, FPE_INTDIV);
    CHECK_EQ((uintptr_t)info.si_addr, CODE_PC);
    /* An unmasked floating-point exception: SIGFPE at the pc, si_code as Linux picks it from
     * the flags (invalid first, then divide by zero, overflow, underflow or denormal, inexact). */
    static const struct { uint64_t flags; int code; } fp[] = {
        { 0x21, FPE_FLTINV }, { 0x24, FPE_FLTDIV }, { 0x28 | EXC_FLOAT_SIMD, FPE_FLTOVF },
        { 0x30, FPE_FLTUND }, { 0x02, FPE_FLTUND }, { 0x20, FPE_FLTRES },
    };
    for (unsigned i = 0; i < sizeof(fp) / sizeof(fp[0]); i++) {
        CHECK_EQ(linux_exc_siginfo(&us, EXC_FLOAT, fp[i].flags, CODE_PC, &info), SIGFPE);
        CHECK_EQ(info.si_code, fp[i].code);
        CHECK_EQ((uintptr_t)info.si_addr, CODE_PC);
    }
}

static void test_cpu_raise(void)
{
    check_group("exc_cpu_raise_unwinds");
    struct cpu cpu;
    memset(&cpu, 0, sizeof(cpu));
    sigjmp_buf jb;
    cpu.unwind = &jb;
    volatile int raised = 0;
    if (sigsetjmp(jb, 0) == 0)
        cpu_raise(&cpu, EXC_MISALIGNED, 0x1235);
    else
        raised = 1;
    CHECK(raised);
    CHECK_EQ(cpu.exc, EXC_MISALIGNED);
    CHECK_EQ(cpu.exc_tval, 0x1235);
}

int main(void)
{
    int err = uspace_init(&us, SPACE, 0);
    int fd = memfd_create("exc-file", 0);
    if (err < 0 || fd < 0 || ftruncate(fd, (off_t)PG) < 0 ||
        uspace_map(&us, RW_PAGE, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) < 0 ||
        uspace_map(&us, SPACE - PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) < 0 ||
        uspace_map(&us, NONE_PAGE, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) < 0 ||
        uspace_map(&us, FILE_PAGE, 2 * PG, PROT_READ, MAP_SHARED, fd, 0) < 0) {
        printf("FAIL unit/exc_setup\n");
        return 1;
    }
    test_cpu_raise();
    test_every_kind_maps();
    static const char *const engines[] = { "interp", "jit" };
    uint64_t next_pc = CODE_PC;
    char name[64];
    for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
        if (!engine_by_name(engines[e]))
            continue;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            snprintf(name, sizeof(name), "exc_%s_%s", engines[e], cases[i].what);
            check_group(strdup(name));
            run_case(engines[e], &cases[i], &next_pc);
        }
    }
    close(fd);
    uspace_destroy(&us);
    return check_done();
}
