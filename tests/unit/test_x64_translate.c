/* The x86-64 translator on small hand-assembled programs under every engine (interp, jit,
 * check): results, partial registers, lazy flags read in the same block and in the next,
 * the stack, RIP-relative addresses, instructions across a page boundary, and the exceptions
 * of bad input (#UD, #GP) at the right pc. Encodings from GNU as (x86_64-linux-gnu). Each
 * program ends with SYSCALL, which leaves the CPU with EXC_SYSCALL. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/x86_64/cpu.h"
#include "mem/aspace.h"

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
    cpu->pc = at;
    exec_run(cpu);
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

    /* ud2 (not translated yet: #UD) after a mov that still happens */
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

    /* lock add [rsp - 8], eax with memory there: mov dword [rsp - 8], 40; mov eax, 2;
     * lock add [rsp - 8], eax; mov ebx, [rsp - 8]; syscall */
    r = RUN(e, 0xc7, 0x44, 0x24, 0xf8, 40, 0, 0, 0, 0xb8, 2, 0, 0, 0, 0xf0, 0x01, 0x44, 0x24,
            0xf8, 0x8b, 0x5c, 0x24, 0xf8, 0x0f, 0x05);
    CHECK_EQ(r->r[X64_RBX], 42);
}

int main(void)
{
    static const char *const engines[][2] = {
        { "interp", "x64_translate_interp" }, { "jit", "x64_translate_jit" },
        { "check", "x64_translate_check" },
    };
    for (unsigned i = 0; i < 3; i++)
        if (engine_by_name(engines[i][0]))   /* the JIT engines exist on hosts with a backend */
            test_engine(engines[i][0], engines[i][1]);
    return check_done();
}
