/* What a guest exception becomes in user mode: the signal, si_code and si_addr that Linux
 * gives a native process for the same fault. One table, so each exception kind has exactly
 * one reporting and sig_fault stays free of per-kind cases. */
#include <signal.h>
#include <string.h>

#include "linux/signal.h"

static const struct {
    int sig, code;
    bool at_pc;   /* si_addr is the pc, not the exception's address */
} exc_signal[EXC_COUNT] = {
    [EXC_ILLEGAL] = { SIGILL, ILL_ILLOPC, true },
    [EXC_BREAKPOINT] = { SIGTRAP, TRAP_BRKPT, true },
    [EXC_MISALIGNED] = { SIGBUS, BUS_ADRALN, false },
    [EXC_FETCH_FAULT] = { SIGSEGV, SEGV_MAPERR, false },
    [EXC_DATA_FAULT] = { SIGSEGV, SEGV_MAPERR, false },
    [EXC_BUS_ERROR] = { SIGBUS, BUS_ADRERR, false },
    /* Only with no debugger left to take it (one detached meanwhile). */
    [EXC_DEBUG] = { SIGTRAP, TRAP_BRKPT, true },
    /* Linux reports a #GP as SIGSEGV from the kernel with no address. */
    [EXC_PROTECTION] = { SIGSEGV, SI_KERNEL, false },
    [EXC_DIVIDE] = { SIGFPE, FPE_INTDIV, true },
    /* si_code from the flags (float_code) */
    [EXC_FLOAT] = { SIGFPE, 0, true },
};

/* An unmasked floating-point exception's si_code as Linux picks it from the flags: invalid
 * first, then divide by zero, overflow, underflow or denormal, inexact. */
static int float_code(uint64_t flags)
{
    return flags & 0x01 ? FPE_FLTINV : flags & 0x04 ? FPE_FLTDIV : flags & 0x08 ? FPE_FLTOVF
         : flags & 0x12 ? FPE_FLTUND : flags & 0x20 ? FPE_FLTRES : 0;
}

int linux_exc_siginfo(const struct uspace *us, int exc, uint64_t tval, uint64_t pc,
                      siginfo_t *info)
{
    memset(info, 0, sizeof(*info));
    if (exc <= EXC_SYSCALL || exc >= EXC_COUNT)
        return 0;
    int sig = exc_signal[exc].sig, code = exc_signal[exc].code;
    uint64_t addr = exc_signal[exc].at_pc ? pc : tval;
    if (exc == EXC_FLOAT)
        code = float_code(tval);
    /* A page inside the space that is mapped but not accessible is ACCERR, as for Linux. */
    if (sig == SIGSEGV && code == SEGV_MAPERR && addr < us->limit &&
        uspace_access_ok(us, addr, 1, 0))
        code = SEGV_ACCERR;
    info->si_signo = sig;
    info->si_code = code;
    info->si_addr = (void *)(uintptr_t)addr;
    return sig;
}
