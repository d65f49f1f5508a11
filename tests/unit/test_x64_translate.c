/* The x86-64 translator on small hand-assembled programs under every engine (interp, jit,
 * check): results, partial registers, lazy flags read in the same block and in the next,
 * the stack, RIP-relative and FS-based addresses, instructions across a page boundary, string
 * ops, CPUID, and the exceptions of bad input (#UD, #GP, #DE, INT3) at the right pc; and the
 * lazy flags through opt/ (dead flag stores dropped, CMP+Jcc without a flags helper).
 * Encodings from GNU as (x86_64-linux-gnu). Each program ends with SYSCALL, which leaves the
 * CPU with EXC_SYSCALL. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/translator.h"
#include "guest/x86_64/cpu.h"
#include "ir/ir.h"
#include "mem/aspace.h"
#include "opt/opt.h"

#define MEM_SIZE 0x10000u
#define CODE 0x1000u
#define STACK_TOP 0x8000u

static uint8_t mem[MEM_SIZE];
static uint64_t code_end;   /* the pages after the one it ends in cannot be fetched */

static int fetch(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    (void)cpu;
    if (pc + len > ((code_end + 0xfff) & ~0xfffull))
        return -EFAULT;
    memcpy(buf, mem + pc, len);
    return 0;
}

static uint64_t fs_base;   /* for the next run */

static struct x64_cpu *run(const char *engine, uint64_t at, const uint8_t *code, size_t len,
                           const uint64_t regs[16])
{
    static struct cpu *cpu;
    static struct aspace flat;
    if (cpu)
        cpu_free(cpu);
    cpu = cpu_new(guest_by_name("x86_64"), engine_by_name(engine));
    aspace_flat_init(&flat, mem, MEM_SIZE);
    cpu->as = &flat;
    cpu->fetch_code = fetch;
    memset(mem, 0, sizeof(mem));
    memcpy(mem + at, code, len);
    code_end = at + len;
    struct x64_cpu *r = (struct x64_cpu *)cpu;
    memcpy(r->r, regs, sizeof(r->r));
    r->r[X64_RSP] = STACK_TOP;
    r->fs_base = fs_base;
    mem[0x7010] = 0x42;
    cpu->pc = at;
    while (exec_run(cpu) == CPU_EXIT_INTERRUPT)   /* a block boundary: go on */
        ;
    return r;
}

static const uint64_t zero[16];

#define RUN(engine, ...)                                                                     \
    ({                                                                                       \
        static const uint8_t code_[] = { __VA_ARGS__ };                                      \
        run(engine, CODE, code_, sizeof(code_), zero);                                       \
    })

static void check_syscall_at(struct x64_cpu *r, uint64_t pc)
{
    CHECK_EQ(r->c.exc, EXC_SYSCALL);
    CHECK_EQ(r->c.pc, pc);
}

static void test_engine(const char *e, const char *group)
{
    struct x64_cpu *r;
    check_group(group);

    /* mov eax, 5; add eax, 7; syscall */
    r = RUN(e, 0xb8, 5, 0, 0, 0, 0x83, 0xc0, 0x07, 0x0f, 0x05);
    check_syscall_at(r, CODE + 10);
    CHECK_EQ(r->r[X64_RAX], 12);
    CHECK_EQ(r->r[X64_RCX], CODE + 10);   /* SYSCALL's return address */
    CHECK_EQ(r->r[X64_R11], 0x206);      /* RFLAGS: PF, IF, bit 1 */

    /* xor eax, eax; mov ecx, 10; 1: add eax, ecx; sub ecx, 1; jne 1b; syscall */
    r = RUN(e, 0x31, 0xc0, 0xb9, 10, 0, 0, 0, 0x01, 0xc8, 0x83, 0xe9, 0x01, 0x75, 0xf9, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RAX], 55);
    CHECK_EQ(r->r[X64_RCX], CODE + 16);

    /* mov rax, -1; mov ah, 0x12; mov bl, ah; mov si, ax; mov edx, eax; syscall */
    r = RUN(e, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xb4, 0x12, 0x88, 0xe3, 0x66, 0x89,
            0xc6, 0x89, 0xc2, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RAX], 0xffffffffffff12ffull);
    CHECK_EQ(r->r[X64_RBX], 0x12);
    CHECK_EQ(r->r[X64_RSI], 0x12ff);
    CHECK_EQ(r->r[X64_RDX], 0xffff12ff);

    /* With REX, byte register 6 is SIL: mov r8b, 0x80; mov sil, r8b; syscall */
    r = RUN(e, 0x41, 0xb0, 0x80, 0x44, 0x88, 0xc6, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RSI], 0x80);

    /* mov al, 0xff; add al, 1; jae 1f; mov edx, 1; 1: syscall (CF of a byte add) */
    r = RUN(e, 0xb0, 0xff, 0x04, 0x01, 0x73, 0x05, 0xba, 1, 0, 0, 0, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RDX], 1);
    CHECK_EQ(r->r[X64_RAX], 0);

    /* mov ax, 0x8000; cmp ax, 1; jge 1f; mov ebx, 1; 1: syscall (a 16-bit signed compare) */
    r = RUN(e, 0x66, 0xb8, 0x00, 0x80, 0x66, 0x83, 0xf8, 0x01, 0x7d, 0x05, 0xbb, 1, 0, 0, 0,
            0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 1);

    /* The flags of a compare read in the next block (a helper computes them): mov eax, 3;
     * cmp eax, 5; jmp 1f; 1: jae 2f; mov ebx, 1; 2: jo 3f; jp 3f; mov edx, 1; 3: syscall.
     * 3 - 5 = -2 = 0xfffffffe: CF set, OF clear, PF clear (0xfe has 7 bits). */
    r = RUN(e, 0xb8, 3, 0, 0, 0, 0x83, 0xf8, 0x05, 0xeb, 0x00, 0x73, 0x05, 0xbb, 1, 0, 0, 0,
            0x70, 0x07, 0x7a, 0x05, 0xba, 1, 0, 0, 0, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 1);
    CHECK_EQ(r->r[X64_RDX], 1);
    CHECK_EQ(x64_eflags(r) & X64_FLAGS_ARITH, X64_CF | X64_SF | X64_AF);

    /* sub with borrow into adc: mov eax, 1; sub eax, 2; mov ebx, 10; adc ebx, 0; syscall */
    r = RUN(e, 0xb8, 1, 0, 0, 0, 0x83, 0xe8, 0x02, 0xbb, 10, 0, 0, 0, 0x83, 0xd3, 0x00, 0x0f,
            0x05);
    CHECK_EQ(r->r[X64_RBX], 11);

    /* call f; jmp end; nop; f: mov ebx, 0x1234; ret; end: syscall */
    r = RUN(e, 0xe8, 3, 0, 0, 0, 0xeb, 0x07, 0x90, 0xbb, 0x34, 0x12, 0, 0, 0xc3, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 0x1234);
    CHECK_EQ(r->r[X64_RSP], STACK_TOP);
    CHECK_EQ(r->c.pc, CODE + 16);

    /* push 7; push rsp; pop rax; pop rbx; lea rdi, [rip - 7] (its own address);
     * mov [rsp - 8], rbx; mov rdx, [rsp - 8]; syscall */
    r = RUN(e, 0x6a, 0x07, 0x54, 0x58, 0x5b, 0x48, 0x8d, 0x3d, 0xf9, 0xff, 0xff, 0xff, 0x48,
            0x89, 0x5c, 0x24, 0xf8, 0x48, 0x8b, 0x54, 0x24, 0xf8, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RAX], STACK_TOP - 8);
    CHECK_EQ(r->r[X64_RBX], 7);
    CHECK_EQ(r->r[X64_RDX], 7);
    CHECK_EQ(r->r[X64_RDI], CODE + 5);
    CHECK_EQ(r->r[X64_RSP], STACK_TOP);
    CHECK_EQ(r->r[X64_R11] & X64_FLAGS_ARITH, 0);

    /* An instruction across a page boundary: mov eax, 0x11223344 at 0x1ffd; syscall */
    static const uint8_t straddle[] = { 0xb8, 0x44, 0x33, 0x22, 0x11, 0x0f, 0x05 };
    r = run(e, 0x1ffd, straddle, sizeof(straddle), zero);
    check_syscall_at(r, 0x2004);
    CHECK_EQ(r->r[X64_RAX], 0x11223344);

    /* Truncated at the end of what can be fetched: a fetch fault on the next page. */
    r = run(e, 0x1ffd, straddle, 3, zero);
    CHECK_EQ(r->c.exc, EXC_FETCH_FAULT);
    CHECK_EQ(r->c.exc_tval, 0x2000);

    /* FS: mov rax, fs:[0x10] with the FS base at 0x7000 (a byte 0x42 at 0x7010); LEA takes
     * no segment base: lea rbx, fs:[0x10] */
    fs_base = 0x7000;
    r = RUN(e, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0, 0x64, 0x48, 0x8d, 0x1c, 0x25, 0x10, 0,
            0, 0, 0x0f, 0x05);
    fs_base = 0;
    CHECK_EQ(r->r[X64_RAX], 0x42);
    CHECK_EQ(r->r[X64_RBX], 0x10);

    /* ud2 (#UD) after a mov that still happens */
    r = RUN(e, 0xb8, 1, 0, 0, 0, 0x0f, 0x0b);
    CHECK_EQ(r->c.exc, EXC_ILLEGAL);
    CHECK_EQ(r->c.pc, CODE + 5);
    CHECK_EQ(r->r[X64_RAX], 1);

    /* LOCK on a register form: #UD */
    r = RUN(e, 0xf0, 0x01, 0xc0);
    CHECK_EQ(r->c.exc, EXC_ILLEGAL);
    CHECK_EQ(r->c.pc, CODE);

    /* Fifteen prefixes and an opcode: longer than 15 bytes, #GP */
    r = RUN(e, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
            0x66, 0x66, 0x90);
    CHECK_EQ(r->c.exc, EXC_PROTECTION);
    CHECK_EQ(r->c.pc, CODE);

    /* div by zero: #DE at the div, the registers as before it: mov eax, 7; xor ecx, ecx;
     * div ecx */
    r = RUN(e, 0xb8, 7, 0, 0, 0, 0x31, 0xc9, 0xf7, 0xf1);
    CHECK_EQ(r->c.exc, EXC_DIVIDE);
    CHECK_EQ(r->c.pc, CODE + 7);
    CHECK_EQ(r->r[X64_RAX], 7);

    /* idiv of INT64_MIN by -1 overflows the quotient: #DE: mov rax, 1 << 63 (movabs); cqo;
     * mov rcx, -1; idiv rcx */
    r = RUN(e, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x48, 0x99, 0x48, 0xc7, 0xc1, 0xff, 0xff,
            0xff, 0xff, 0x48, 0xf7, 0xf9);
    CHECK_EQ(r->c.exc, EXC_DIVIDE);
    CHECK_EQ(r->c.pc, CODE + 19);

    /* hlt at CPL 3: #GP */
    r = RUN(e, 0x90, 0xf4);
    CHECK_EQ(r->c.exc, EXC_PROTECTION);
    CHECK_EQ(r->c.pc, CODE + 1);

    /* int3: the breakpoint exception, a trap: the pc after it (and so for int 3) */
    r = RUN(e, 0xcc);
    CHECK_EQ(r->c.exc, EXC_BREAKPOINT);
    CHECK_EQ(r->c.pc, CODE + 1);
    r = RUN(e, 0xcd, 0x03);
    CHECK_EQ(r->c.exc, EXC_BREAKPOINT);
    CHECK_EQ(r->c.pc, CODE + 2);

    /* rep stosb of 5 bytes, then repne scasb for the byte after them: lea rdi, [rsp - 64];
     * mov al, 0x5a; mov ecx, 5; rep stosb; lea rdi, [rsp - 64]; xor eax, eax; mov ecx, 9;
     * repne scasb; syscall. scasb stops on the sixth byte (the first 0). */
    r = RUN(e, 0x48, 0x8d, 0x7c, 0x24, 0xc0, 0xb0, 0x5a, 0xb9, 5, 0, 0, 0, 0xf3, 0xaa, 0x48,
            0x8d, 0x7c, 0x24, 0xc0, 0x31, 0xc0, 0xb9, 9, 0, 0, 0, 0xf2, 0xae, 0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_SYSCALL);
    CHECK_EQ(mem[STACK_TOP - 64], 0x5a);
    CHECK_EQ(mem[STACK_TOP - 60], 0x5a);
    CHECK_EQ(mem[STACK_TOP - 59], 0);
    CHECK_EQ(r->r[X64_RDI], STACK_TOP - 64 + 6);

    /* CPUID leaf 0: the vendor vm reports (EBX, EDX, ECX: "AuthenticAMD") */
    r = RUN(e, 0x31, 0xc0, 0x0f, 0xa2, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 0x68747541);
    CHECK_EQ(r->r[X64_RDX], 0x69746e65);

    /* CPUID leaf 1: FXSR, SSE and SSE2 in EDX (bits 24..26): mov eax, 1; cpuid; syscall */
    r = RUN(e, 0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RDX] >> 24 & 7, 7);
    /* and the rest of the x86-64 baseline glibc checks: FPU, CX8, CMOV, MMX */
    CHECK_EQ(r->r[X64_RDX] & (1u << 0 | 1u << 8 | 1u << 15 | 1u << 23),
             1u << 0 | 1u << 8 | 1u << 15 | 1u << 23);

    /* lock add [rsp - 8], eax with memory there: mov dword [rsp - 8], 40; mov eax, 2;
     * lock add [rsp - 8], eax; mov ebx, [rsp - 8]; syscall */
    r = RUN(e, 0xc7, 0x44, 0x24, 0xf8, 40, 0, 0, 0, 0xb8, 2, 0, 0, 0, 0xf0, 0x01, 0x44, 0x24,
            0xf8, 0x8b, 0x5c, 0x24, 0xf8, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 42);
}

/* The block at CODE after the passes: how many puts to the lazy-flags fields it keeps, and
 * how many helper calls. */
static void count_ops(const uint8_t *code, size_t len, unsigned *flag_puts, unsigned *calls)
{
    static struct ir_block b;
    static struct x64_cpu cpu;
    memset(&cpu, 0, sizeof(cpu));
    cpu.c.ops = guest_by_name("x86_64");
    cpu.c.fetch_code = fetch;
    memset(mem, 0, sizeof(mem));
    memcpy(mem + CODE, code, len);
    code_end = CODE + len;
    uint64_t fault_addr;
    *flag_puts = *calls = 0;
    if (translate_block(&cpu.c, &b, CODE, 0, &fault_addr) < 0)
        return;
    opt_block(&b);
    for (uint32_t i = 0; i < b.n_ops; i++) {
        const struct ir_op *op = &b.ops[i];
        if (op->opc == IR_call)
            (*calls)++;
        if (op->opc == IR_put && op->imm >= (int64_t)X64_FIELD(cc_op) &&
            op->imm <= (int64_t)X64_FIELD(cc_src2))
            (*flag_puts)++;
    }
}

/* Lazy flags through opt/: a flag-setting instruction whose flags the next one overwrites
 * leaves no store; CMP+Jcc compares the operands without computing EFLAGS. */
static void test_lazy_flags(void)
{
    unsigned puts, calls;
    check_group("x64_dead_flags");
    /* add eax, ebx; add eax, ecx; ret */
    static const uint8_t two_adds[] = { 0x01, 0xd8, 0x01, 0xc8, 0xc3 };
    count_ops(two_adds, sizeof(two_adds), &puts, &calls);
    CHECK_EQ(puts, 4);   /* the second ADD's kind, result and operands */
    check_group("x64_cmp_jcc");
    static const uint8_t cmp_jl[] = { 0x39, 0xd8, 0x7c, 0x00 };   /* cmp eax, ebx; jl .+2 */
    count_ops(cmp_jl, sizeof(cmp_jl), &puts, &calls);
    CHECK_EQ(calls, 0);
    static const uint8_t test_jle[] = { 0x48, 0x85, 0xc0, 0x7e, 0x00 };   /* test rax, rax; jle */
    count_ops(test_jle, sizeof(test_jle), &puts, &calls);
    CHECK_EQ(calls, 0);
}

int main(void)
{
    test_lazy_flags();
    static const char *const engines[][2] = {
        { "interp", "x64_translate_interp" }, { "jit", "x64_translate_jit" },
        { "check", "x64_translate_check" },
    };
    for (unsigned i = 0; i < 3; i++)
        if (engine_by_name(engines[i][0]))   /* the JIT engines exist on hosts with a backend */
            test_engine(engines[i][0], engines[i][1]);
    return check_done();
}
