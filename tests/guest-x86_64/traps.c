/* x86-64's breakpoint traps as Linux reports them: INT3, and INT 3 through the same user-mode
 * gate, raise SIGTRAP from the kernel (SI_KERNEL, no address) with trapno 3 and the pc after
 * the instruction, so a handler returns to the next one. */
#include "trapframe.h"

#include <stdio.h>

static volatile int handled;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    trapframe_keep(sig, si, uc);
    handled++;
}

/* Runs BODY at label 1 and reports where the handler saw the pc, relative to it. */
#define TRAP(what, body)                                                                    \
    do {                                                                                    \
        uint64_t at;                                                                        \
        asm volatile("lea 1f(%%rip), %0\n 1: " body "\n" : "=r"(at) : : "memory");          \
        printf("%-6s sig=%d code=%#x addr=%p rip=insn%+lld trapno=%llu handled=%d\n", what,  \
               signo, code, addr, (long long)(rip - at), (unsigned long long)trapno, handled); \
    } while (0)

int main(void)
{
    trapframe_handle(SIGTRAP, handler);
    TRAP("int3", "int3");
    TRAP("int $3", ".byte 0xcd, 0x03");   /* gas would encode int $3 as int3 */
    return 0;
}
