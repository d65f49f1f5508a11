/* x86-64's memory faults as Linux reports them. An address that is not canonical (bits 63..47
 * not all equal) is #GP: SIGSEGV from the kernel (SI_KERNEL) with no address, trapno 13 and
 * err 0, whichever kind of access makes it (a load, a store, an SSE or x87 operand, a string
 * instruction, a locked read-modify-write); an unmapped canonical one is a #PF, SEGV_MAPERR at
 * the address, trapno 14 with cr2. The saved pc is the faulting instruction's, which the
 * handler skips. (A stack access, through rsp or rbp, is #SS instead, SIGBUS: not here.) */
#include "trapframe.h"

#include <stdio.h>

static volatile uint64_t err, cr2, resume;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    trapframe_keep(sig, si, uc);
    err = uc->uc_mcontext.gregs[REG_ERR];
    /* a #GP leaves cr2 at the thread's last page fault for Linux, at 0 for vm: not compared */
    cr2 = trapno == 14 ? uc->uc_mcontext.gregs[REG_CR2] : 0;
    uc->uc_mcontext.gregs[REG_RIP] = resume;
}

static char scratch[64];

/* Runs SETUP, then INSN (at label 1, with the address in rsi), then AFTER (where the handler
 * resumes), and reports the fault INSN took. */
#define FAULT(what, at, setup, insn, after, ...)                                                \
    do {                                                                                        \
        uint64_t at1;                                                                           \
        char *to = scratch;                                                                     \
        signo = code = 0;                                                                       \
        asm volatile("lea 2f(%%rip), %%rax\n mov %%rax, %1\n lea 1f(%%rip), %0\n" setup      \
                     "\n 1: " insn "\n 2: " after                                               \
                     : "=&r"(at1), "=m"(resume), "+D"(to)                                       \
                     : "S"((uint64_t)(at))                                                      \
                     : "rax", "rcx", "memory", "cc", ##__VA_ARGS__);                            \
        printf("%-8s %#018llx sig=%d code=%#x addr=%p rip=insn%+lld trapno=%llu err=%llu "     \
               "cr2=%#llx\n", what, (unsigned long long)(at), signo, code, addr,               \
               (long long)(rip - at1), (unsigned long long)trapno,                             \
               (unsigned long long)err, (unsigned long long)cr2);                              \
    } while (0)

int main(void)
{
    trapframe_handle(SIGSEGV, handler);
    static const uint64_t noncanonical[] = {
        0x0000800000000000ull, 0x8000000000000000ull, 0xfffe000000001000ull,
        0x7fff000000000000ull,
    };
    for (unsigned i = 0; i < sizeof(noncanonical) / sizeof(noncanonical[0]); i++) {
        uint64_t a = noncanonical[i];
        FAULT("load", a, "", "mov (%%rsi), %%rax", "");
        FAULT("store", a, "", "movl $1, 8(%%rsi)", "");
        FAULT("byte", a, "", "movzbl 1(%%rsi), %%eax", "");
        FAULT("sse", a, "", "movups (%%rsi), %%xmm0", "", "xmm0");
        FAULT("avx", a, "", "vmovdqu (%%rsi), %%ymm0", "vzeroupper", "xmm0");
        FAULT("x87", a, "", "fldt (%%rsi)", "");
        FAULT("movs", a, "mov $4, %%ecx", "rep movsb", "");
        FAULT("lock add", a, "", "lock addq $1, (%%rsi)", "");
        FAULT("xchg", a, "", "xchg %%rax, (%%rsi)", "");
    }
    /* canonical but unmapped: the page faults with the address (a page below Linux's
     * mmap_min_addr, which nothing maps, natively or under vm, whatever the randomisation) */
    FAULT("load", 0x1000ull, "", "mov (%%rsi), %%rax", "");
    return 0;
}
