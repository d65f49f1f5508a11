/* x86-64's memory faults as Linux reports them. An address that is not canonical (bits 63..47
 * not all equal) is #GP: SIGSEGV from the kernel (SI_KERNEL) with no address, trapno 13 and
 * err 0, whichever kind of access makes it (a load, a store, an SSE or x87 operand, a string
 * instruction, a locked read-modify-write), and a jump to one is #GP at the jump; a stack
 * access (a push or pop, or rsp or rbp as the base) is #SS instead: SIGBUS from the kernel,
 * trapno 12. An unmapped canonical address is a #PF, SEGV_MAPERR at the address (SEGV_ACCERR
 * on a page mapped without the access), trapno 14 with cr2 and the error code's user bit,
 * write bit for a store or a read-modify-write, present bit for a page mapped with some
 * access (PROT_NONE's is not present), and instruction-fetch bit for a jump there. The saved
 * pc is the faulting instruction's (the jump target's for a fetch), the handler resumes after
 * it; addresses of pages this program maps are printed relative to the page. A misaligned
 * operand of an aligned SSE or AVX form is #GP too. */
#include "trapframe.h"

#include <stdio.h>

#include <sys/mman.h>


static volatile uint64_t err, cr2, resume, resume_rsp;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    trapframe_keep(sig, si, uc);
    err = uc->uc_mcontext.gregs[REG_ERR];
    /* a #GP leaves cr2 at the thread's last page fault for Linux, at 0 for vm: not compared */
    cr2 = trapno == 14 ? uc->uc_mcontext.gregs[REG_CR2] : 0;
    uc->uc_mcontext.gregs[REG_RIP] = resume;
    uc->uc_mcontext.gregs[REG_RSP] = resume_rsp;
}

static char scratch[64];

/* An address the program does not map at a fixed place, relative to base (0: as it is). */
static void show(const char *what, uint64_t a, uint64_t base)
{
    if (!a)
        printf(" %s=0", what);
    else if (base)
        printf(" %s=page%+lld", what, (long long)(a - base));
    else
        printf(" %s=%#llx", what, (unsigned long long)a);
}

/* Runs SETUP, then INSN (at label 1, with the address in rsi; rdx holds rbp), then AFTER (where
 * the handler resumes, with rsp as it was before SETUP), and reports the fault INSN took; BASE
 * is the page AT is in when the program mapped it. */
#define FAULT(what, at, base, setup, insn, after, ...)                                          \
    do {                                                                                        \
        uint64_t at1;                                                                           \
        char *to = scratch;                                                                     \
        signo = code = 0;                                                                       \
        asm volatile("lea 2f(%%rip), %%rax\n mov %%rax, %1\n mov %%rsp, %2\n"                  \
                     " lea 1f(%%rip), %0\n  mov %%rbp, %%rdx\n" setup                            \
                     "\n 1: " insn "\n 2: mov %%rdx, %%rbp\n " after                             \
                     : "=&r"(at1), "=m"(resume), "=m"(resume_rsp), "+D"(to)                      \
                     : "S"((uint64_t)(at))                                                      \
                     : "rax", "rcx", "rdx", "memory", "cc", ##__VA_ARGS__);                     \
        printf("%-10s", what);                                                                  \
        if (base)                                                                               \
            printf(" %-18s", "page");                                                           \
        else                                                                                    \
            printf(" %#018llx", (unsigned long long)(at));                                     \
        printf(" sig=%d code=%#x", signo, code);                                                \
        show("addr", (uint64_t)addr, base);                                                     \
        if (rip - at1 < 64)                                                                     \
            printf(" rip=insn%+lld", (long long)(rip - at1));                                  \
        else                                                                                    \
            show("rip", rip, base);                                                             \
        printf(" trapno=%llu err=%#llx", (unsigned long long)trapno, (unsigned long long)err); \
        show("cr2", cr2, base);                                                                 \
        printf("\n");                                                                           \
    } while (0)

int main(void)
{
    static char altstack[65536]; /* for a handler of a fault with rsp not canonical */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    sigaltstack(&ss, NULL);
    trapframe_handle(SIGSEGV, handler);
    trapframe_handle(SIGBUS, handler);
    static const uint64_t noncanonical[] = {
        0x0000800000000000ull, 0x8000000000000000ull, 0xfffe000000001000ull,
        0x7fff000000000000ull,
    };
    for (unsigned i = 0; i < sizeof(noncanonical) / sizeof(noncanonical[0]); i++) {
        uint64_t a = noncanonical[i];
        FAULT("load", a, 0, "", "mov (%%rsi), %%rax", "");
        FAULT("store", a, 0, "", "movl $1, 8(%%rsi)", "");
        FAULT("byte", a, 0, "", "movzbl 1(%%rsi), %%eax", "");
        FAULT("sse", a, 0, "", "movups (%%rsi), %%xmm0", "", "xmm0");
        FAULT("avx", a, 0, "", "vmovdqu (%%rsi), %%ymm0", "vzeroupper", "xmm0");
        FAULT("x87", a, 0, "", "fldt (%%rsi)", "");
        FAULT("movs", a, 0, "mov $4, %%ecx", "rep movsb", "");
        FAULT("lock add", a, 0, "", "lock addq $1, (%%rsi)", "");
        FAULT("xchg", a, 0, "", "xchg %%rax, (%%rsi)", "");
        FAULT("push m", a, 0, "", "push (%%rsi)", "");
        /* through SS: #SS */
        FAULT("rbp load", a, 0, "mov %%rsi, %%rbp", "mov 8(%%rbp), %%rax", "");
        FAULT("rbp store", a, 0, "mov %%rsi, %%rbp", "mov %%rax, (%%rbp)", "");
        FAULT("rsp load", a, 0, "mov %%rsi, %%rsp", "mov 8(%%rsp), %%rax", "");
        FAULT("pop", a, 0, "mov %%rsi, %%rsp", "pop %%rax", "");
        FAULT("ret", a, 0, "mov %%rsi, %%rsp", "ret", "");
        FAULT("leave", a, 0, "mov %%rsi, %%rbp", "leave", "");
        /* (a push from 2^47 writes below it: a page fault on a page Linux has present) */
        if (a != 0x0000800000000000ull) {
            FAULT("push", a, 0, "mov %%rsi, %%rsp", "push %%rax", "");
            FAULT("call", a, 0, "mov %%rsi, %%rsp", "call 2f", "");
            FAULT("pushf", a, 0, "mov %%rsi, %%rsp", "pushf", "");
            FAULT("enter", a, 0, "mov %%rsi, %%rsp", "enter $16, $0", "");
        }
        /* a jump there: #GP at the jump, which changes nothing */
        FAULT("jmp", a, 0, "", "jmp *%%rsi", "");
        FAULT("call *", a, 0, "", "call *%%rsi", "");
        FAULT("ret to", a, 0, "push %%rsi", "ret", "");
    }
    /* canonical but unmapped: the page faults with the address (a page below Linux's
     * mmap_min_addr, which nothing maps, natively or under vm, whatever the randomisation) */
    uint64_t u = 0x1000;
    FAULT("load", u, 0, "", "mov (%%rsi), %%rax", "");
    FAULT("store", u, 0, "", "mov %%rax, (%%rsi)", "");
    FAULT("rmw", u, 0, "", "addq $1, (%%rsi)", "");
    FAULT("lock add", u, 0, "", "lock addq $1, (%%rsi)", "");
    FAULT("cmp", u, 0, "", "cmpq $1, (%%rsi)", "");
    FAULT("setcc", u, 0, "", "sete (%%rsi)", "");
    FAULT("sse store", u, 0, "", "movups %%xmm0, (%%rsi)", "");
    FAULT("x87 store", u, 0, "fldz", "fstpl (%%rsi)", "fninit");
    FAULT("movs src", u, 0, "mov $4, %%ecx", "rep movsb", "");
    FAULT("movs dst", u, 0, "mov %%rsi, %%rdi\n lea scratch(%%rip), %%rsi\n mov $4, %%ecx",
          "rep movsb", "");
    FAULT("push", u + 8, 0, "mov %%rsi, %%rsp", "push %%rax", "");
    FAULT("pop", u, 0, "mov %%rsi, %%rsp", "pop %%rax", "");
    FAULT("jmp", u, 0, "", "jmp *%%rsi", "");
    /* pages mapped without the access: present (read once) unless PROT_NONE */
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *(volatile char *)ro;
    *(volatile char *)rw = 0;
    uint64_t r = (uint64_t)ro, n = (uint64_t)none, w = (uint64_t)rw;
    FAULT("ro store", r, r, "", "mov %%rax, 8(%%rsi)", "");
    FAULT("ro rmw", r, r, "", "incl (%%rsi)", "");
    FAULT("ro stos", r, r, "mov %%rsi, %%rdi\n mov $4, %%ecx", "rep stosb", "");
    FAULT("none load", n, n, "", "mov (%%rsi), %%rax", "");
    FAULT("none store", n, n, "", "mov %%rax, (%%rsi)", "");
    FAULT("none jmp", n, n, "", "jmp *%%rsi", "");
    FAULT("rw jmp", w, w, "", "jmp *%%rsi", "");
    /* a misaligned operand of an aligned SSE or AVX form: #GP, which changes nothing */
    FAULT("movaps", w + 8, w, "", "movaps (%%rsi), %%xmm0", "", "xmm0");
    FAULT("movdqa st", w + 4, w, "", "movdqa %%xmm0, (%%rsi)", "", "xmm0");
    FAULT("paddb", w + 1, w, "", "paddb (%%rsi), %%xmm0", "", "xmm0");
    FAULT("vmovaps", w + 16, w, "", "vmovaps (%%rsi), %%ymm0", "vzeroupper", "xmm0");
    return 0;
}
