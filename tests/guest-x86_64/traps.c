/* x86-64's breakpoint traps as Linux reports them: INT3, and INT 3 through the same user-mode
 * gate, raise SIGTRAP from the kernel (SI_KERNEL, no address) with trapno 3 and the pc after
 * the instruction, so a handler returns to the next one. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile uint64_t rip, trapno;
static volatile int signo, code, handled;
static void *volatile addr;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    signo = sig;
    code = si->si_code;
    addr = si->si_addr;
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
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
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    TRAP("int3", "int3");
    TRAP("int $3", ".byte 0xcd, 0x03");   /* gas would encode int $3 as int3 */
    return 0;
}
