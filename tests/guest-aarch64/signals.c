/* Signal handlers on the arm64 frame: a handler runs with its own register and FP state and
 * rt_sigreturn (through vm's trampoline) restores the interrupted state, V registers and FPCR
 * included; a fault handler sees the fault address and leaves with siglongjmp: SIGSEGV for
 * an access or a jump to an unmapped address, and for a jump to UINT64_MAX SIGBUS on arm64
 * (a PC alignment fault, as vm gives) or SIGSEGV (qemu 7.2), so the signal is not printed. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile sig_atomic_t got;
static sigjmp_buf env;

static void on_usr1(int sig, siginfo_t *info, void *ucv)
{
    ucontext_t *uc = ucv;
    volatile double clobber = 1.0;
    for (int i = 0; i < 10; i++)
        clobber = clobber * 3.5 + i;
    __asm__ volatile("msr fpcr, %0" :: "r"((uint64_t)3 << 22)); /* round toward zero */
    got = sig + (info->si_signo == sig) * 100 + (uc->uc_mcontext.pc != 0) * 1000 + (int)(clobber < 0);
}

static void on_segv(int sig, siginfo_t *info, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("fault at %p, fault_address matches %d\n", info->si_addr,
           uc->uc_mcontext.fault_address == (uintptr_t)info->si_addr);
    siglongjmp(env, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    double x = 1.0 / 3.0;
    uint64_t fpcr_before, fpcr_after;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr_before));
    raise(SIGUSR1);
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr_after));
    printf("handler ran: %d, fpcr restored %d, x %.17g\n", got, fpcr_before == fpcr_after, x * 3);

    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int *)0x10 = 5;
        printf("not reached\n");
    }
    printf("back in main\n");
    /* a jump to an unmapped address faults there; UINT64_MAX, misaligned, is also the pc of
     * vm's empty jump-cache slots */
    static void (*volatile wild[2])(void) = { (void (*)(void))0x1000, (void (*)(void))UINTPTR_MAX };
    for (int k = 0; k < 2; k++)
        if (sigsetjmp(env, 1) == 0)
            wild[k]();
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    printf("SIGSEGV blocked after longjmp: %d\n", sigismember(&set, SIGSEGV));
    return 0;
}
