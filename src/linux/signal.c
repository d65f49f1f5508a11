/* The host side of guest signals: catching host signals the guest has handlers for (recorded
 * as pending, the CPU asked to leave guest code at the next block boundary), mirroring the
 * guest's mask and SIG_IGN/SIG_DFL on the host, and dying of a signal like a native process. */
#include "linux/signal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/debug.h"
#include "linux/safe_syscall.h"
#include "mem/smc.h"
#include "plugin/plugin.h"

static __thread struct linux_thread *current_thread;

bool sig_host_reserved(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == 63 || sig == 64;
}

int sig_to_host(int sig)
{
    return sig == 32 ? 64 : sig == 33 ? 63 : sig;
}

int sig_from_host(int sig)
{
    return sig == 64 ? 32 : sig == 63 ? 33 : sig;
}

bool sig_default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

bool sig_default_stops(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

void sig_thread_start(struct linux_thread *t)
{
    current_thread = t;
}

long sig_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    const struct linux_thread *t = current_thread;
    static const _Atomic uint64_t none;
    return safe_syscall6(t ? &t->pending : &none, t ? t->sigmask : 0, nr, a0, a1, a2, a3, a4,
                         a5);
}

void sig_queue(struct linux_thread *t, int sig, const siginfo_t *info)
{
    if (info) {
        t->info[sig] = *info;
    } else {
        memset(&t->info[sig], 0, sizeof(t->info[sig]));
        t->info[sig].si_signo = sig;
        t->info[sig].si_code = SI_TKILL;
        t->info[sig].si_pid = getpid();
        t->info[sig].si_uid = getuid();
    }
    atomic_fetch_or(&t->pending, SIGBIT(sig));
    t->cpu->exit_request = 1;
}

/* The host handler for signals with a guest handler: records, never runs guest code. */
static void catcher(int host_sig, siginfo_t *info, void *uc)
{
    struct linux_thread *t = current_thread;
    int sig = sig_from_host(host_sig);
    if (t && sig >= 1 && sig <= GUEST_NSIG) {
        info->si_signo = sig;
        sig_queue(t, sig, info);
        safe_syscall_rewind(uc);
    }
}

static struct sigaction exec_fault_action[2];   /* SIGSEGV's and SIGBUS's before ours */

/* SIGSEGV/SIGBUS sent with kill() become pending guest signals; a host fault while vm copies
 * guest memory for a syscall ends the copy with -EFAULT; anything else goes to the execution
 * layer's handler (guest faults, vm's own bugs). */
static void copy_fault_handler(int sig, siginfo_t *info, void *uc)
{
    if (info->si_code <= 0 && current_thread) {   /* sent by kill(), not a fault */
        sig_queue(current_thread, sig, info);
        safe_syscall_rewind(uc);
        return;
    }
    if (uspace_copy_guard) {
        struct linux_thread *t = current_thread;
        uint8_t *addr = info->si_addr, *base = t ? t->proc->us.base : NULL;
        /* A page exec write-protected under translated code: writable again, retry. */
        if (t && sig == SIGSEGV && info->si_code == SEGV_ACCERR && addr >= base &&
            addr < base + t->proc->us.limit && smc_write_fault(t->cpu, (uint64_t)(addr - base)))
            return;
        siglongjmp(*uspace_copy_guard, 1);
    }
    const struct sigaction *prev = &exec_fault_action[sig == SIGBUS];
    if (prev->sa_flags & SA_SIGINFO)
        prev->sa_sigaction(sig, info, uc);
    else
        signal(sig, SIG_DFL);   /* re-raised by the kernel when the handler returns */
}

void sig_install_copy_guard(void)
{
    static bool installed;
    if (installed)
        return;
    installed = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = copy_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &exec_fault_action[0]);
    sigaction(SIGBUS, &sa, &exec_fault_action[1]);
}

/* Host signals vm takes over from their default action (sig_claim_default). */
static void (*claimed[NSIG])(int);

static void install_claimed(int host_sig)
{
    struct sigaction h;
    memset(&h, 0, sizeof(h));
    sigfillset(&h.sa_mask);
    h.sa_handler = claimed[host_sig];
    h.sa_flags = SA_RESTART;   /* the guest's blocking calls go on as if nothing came */
    sigaction(host_sig, &h, NULL);
}

void sig_claim_default(int host_sig, void (*handler)(int))
{
    claimed[host_sig] = handler;
    install_claimed(host_sig);
}

void sig_host_disposition(int sig, const struct guest_sigaction *sa)
{
    if (sig_host_reserved(sig) || sig == SIGKILL || sig == SIGSTOP)
        return;
    struct sigaction h;
    memset(&h, 0, sizeof(h));
    sigfillset(&h.sa_mask);
    if (sa->handler == GUEST_SIG_IGN) {
        h.sa_handler = SIG_IGN;
    } else if (sa->handler == GUEST_SIG_DFL && claimed[sig_to_host(sig)]) {
        install_claimed(sig_to_host(sig));
        return;
    } else if (sa->handler == GUEST_SIG_DFL) {
        h.sa_handler = SIG_DFL;
    } else {
        h.sa_sigaction = catcher;
        h.sa_flags = SA_SIGINFO;   /* no SA_RESTART: vm decides about restarting */
    }
    sigaction(sig_to_host(sig), &h, NULL);
}

void sig_inherit(struct linux_thread *t)
{
    sigset_t cur;
    struct sigaction h;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    for (int sig = 1; sig <= GUEST_NSIG; sig++) {
        if (sig_host_reserved(sig))
            continue;
        if (sigismember(&cur, sig_to_host(sig)) == 1)
            t->sigmask |= SIGBIT(sig);
        if (sigaction(sig_to_host(sig), NULL, &h) == 0 && h.sa_handler == SIG_IGN)
            t->proc->sigactions[sig].handler = GUEST_SIG_IGN;
    }
}

void sig_host_set(uint64_t guest_mask, sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; sig <= GUEST_NSIG; sig++)
        if ((guest_mask & SIGBIT(sig)) && !sig_host_reserved(sig))
            sigaddset(set, sig_to_host(sig));
}

void sig_set_mask(struct linux_thread *t, uint64_t mask)
{
    sigset_t set;
    t->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    sig_host_set(t->sigmask, &set);
    pthread_sigmask(SIG_SETMASK, &set, NULL);
}

void sig_wait_mask(struct linux_thread *t, uint64_t mask, sigset_t *host)
{
    t->saved_mask = t->sigmask;
    t->restore_mask = true;
    t->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    sig_host_set(t->sigmask, host);
}

long sig_wait_done(struct linux_thread *t, long ret)
{
    if (ret != -EINTR) {
        t->sigmask = t->saved_mask;
        t->restore_mask = false;
    }
    return ret;
}

_Noreturn void linux_die_of_signal(int sig)
{
    sig = sig_to_host(sig);
    debug_exited(0, sig);
    plugin_exit(128 + sig);
    fflush(NULL);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

_Noreturn void linux_die_of_fault(const struct cpu *cpu, const siginfo_t *info)
{
    int sig = info->si_signo;
    if (sig == SIGSEGV || sig == SIGBUS)
        fprintf(stderr,
                "vm: guest killed by signal %d (%s) at pc 0x%" PRIx64 ", address 0x%" PRIx64 "\n",
                sig, strsignal(sig), cpu->pc, (uint64_t)(uintptr_t)info->si_addr);
    else
        fprintf(stderr, "vm: guest killed by signal %d (%s) at pc 0x%" PRIx64 "\n", sig,
                strsignal(sig), cpu->pc);
    linux_die_of_signal(sig);
}
