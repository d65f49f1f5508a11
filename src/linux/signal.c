/* How a guest dies of a signal: one line on stderr for a fault, then vm itself dies of the
 * same signal (no core file), so the parent sees WIFSIGNALED exactly as for a native program. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "linux/proc.h"

_Noreturn void linux_die_of_signal(int sig)
{
    fflush(NULL);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

_Noreturn void linux_die_of_fault(const struct cpu *cpu)
{
    int sig = cpu->fault_sig;
    if (sig == SIGSEGV || sig == SIGBUS)
        fprintf(stderr,
                "vm: guest killed by signal %d (%s) at pc 0x%" PRIx64 ", address 0x%" PRIx64 "\n",
                sig, strsignal(sig), cpu->pc, cpu->fault_addr);
    else
        fprintf(stderr, "vm: guest killed by signal %d (%s) at pc 0x%" PRIx64 "\n", sig,
                strsignal(sig), cpu->pc);
    linux_die_of_signal(sig);
}
