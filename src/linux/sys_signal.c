/* Signal syscalls. Dispositions, the mask and the alternate stack are recorded per process;
 * delivery to guest handlers is later work. What the host can do for the guest it does:
 * SIG_IGN is mirrored on the host (so an ignored SIGPIPE gives EPIPE), and a signal a guest
 * sends itself with its default action kills vm the same way. */
#include <elf.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/syscall.h"

#define GUEST_SIGSET_SIZE 8
#define GUEST_SIG_DFL 0
#define GUEST_SIG_IGN 1
#define GUEST_MINSIGSTKSZ 2048
#define GUEST_STACK_T_SIZE 24
#define GUEST_SS_AUTODISARM (1u << 31)
#define SIGBIT(sig) (1ull << ((sig) - 1))

/* What a signal does by default, for the ones that do not terminate. */
static bool default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static bool default_stops(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Signals whose host disposition follows the guest's SIG_IGN/SIG_DFL: the classic ones vm
 * itself does not catch (it catches SIGSEGV and SIGBUS for guest faults). */
static bool host_mirrors(int sig)
{
    return sig < 32 && sig != SIGSEGV && sig != SIGBUS && sig != SIGKILL && sig != SIGSTOP;
}

/* struct sigaction as the guest passes it: riscv64 has no sa_restorer field. */
static size_t guest_sigaction_size(const struct cpu *cpu)
{
    return cpu->ops->elf_machine == EM_RISCV ? 24 : 32;
}

static void sigaction_from_guest(const struct cpu *cpu, const uint64_t *raw,
                                 struct guest_sigaction *sa)
{
    bool restorer = guest_sigaction_size(cpu) == 32;
    sa->handler = raw[0];
    sa->flags = raw[1];
    sa->restorer = restorer ? raw[2] : 0;
    sa->mask = raw[restorer ? 3 : 2];
}

static void sigaction_to_guest(const struct cpu *cpu, const struct guest_sigaction *sa,
                               uint64_t *raw)
{
    bool restorer = guest_sigaction_size(cpu) == 32;
    raw[0] = sa->handler;
    raw[1] = sa->flags;
    if (restorer)
        raw[2] = sa->restorer;
    raw[restorer ? 3 : 2] = sa->mask;
}

SYSCALL(rt_sigaction)
{
    struct linux_proc *proc = proc_of(cpu);
    int sig = (int)a[0];
    size_t size = guest_sigaction_size(cpu);
    uint64_t raw[4];
    struct guest_sigaction new_sa;
    if (a[3] != GUEST_SIGSET_SIZE || sig < 1 || sig > GUEST_NSIG)
        return -EINVAL;
    if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (a[1]) {
        if (uspace_read(&proc->us, a[1], raw, size) < 0)
            return -EFAULT;
        sigaction_from_guest(cpu, raw, &new_sa);
    }
    if (a[2]) {
        sigaction_to_guest(cpu, &proc->sigactions[sig], raw);
        if (uspace_write(&proc->us, a[2], raw, size) < 0)
            return -EFAULT;
    }
    if (!a[1])
        return 0;
    new_sa.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    proc->sigactions[sig] = new_sa;
    if (host_mirrors(sig) && new_sa.handler <= GUEST_SIG_IGN)
        signal(sig, new_sa.handler == GUEST_SIG_IGN ? SIG_IGN : SIG_DFL);
    else if (new_sa.handler > GUEST_SIG_IGN)
        vm_log(unimp, "vm: handler for signal %d recorded; signals are not delivered yet\n", sig);
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    struct linux_proc *proc = proc_of(cpu);
    uint64_t set = 0, old = proc->sigmask;
    if (a[3] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (a[1]) {
        if (a[0] != SIG_BLOCK && a[0] != SIG_UNBLOCK && a[0] != SIG_SETMASK)
            return -EINVAL;
        if (uspace_read(&proc->us, a[1], &set, sizeof(set)) < 0)
            return -EFAULT;
    }
    if (a[2] && uspace_write(&proc->us, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    if (!a[1])
        return 0;
    uint64_t mask = a[0] == SIG_BLOCK ? old | set : a[0] == SIG_UNBLOCK ? old & ~set : set;
    proc->sigmask = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    return 0;
}

SYSCALL(sigaltstack)
{
    struct linux_proc *proc = proc_of(cpu);
    uint64_t raw[3];
    if (a[1]) {
        uint64_t old[3] = { proc->altstack_sp,
                            proc->altstack_size ? (uint32_t)proc->altstack_flags : SS_DISABLE,
                            proc->altstack_size };
        if (uspace_write(&proc->us, a[1], old, GUEST_STACK_T_SIZE) < 0)
            return -EFAULT;
    }
    if (!a[0])
        return 0;
    if (uspace_read(&proc->us, a[0], raw, GUEST_STACK_T_SIZE) < 0)
        return -EFAULT;
    int flags = (int)raw[1];
    if (flags & ~(SS_ONSTACK | SS_DISABLE | GUEST_SS_AUTODISARM))
        return -EINVAL;
    if (flags & SS_DISABLE) {
        proc->altstack_sp = proc->altstack_size = 0;
        proc->altstack_flags = 0;
        return 0;
    }
    if (raw[2] < GUEST_MINSIGSTKSZ)
        return -ENOMEM;
    proc->altstack_sp = raw[0];
    proc->altstack_size = raw[2];
    proc->altstack_flags = flags & GUEST_SS_AUTODISARM;
    return 0;
}

/* A signal the guest sends itself: what its disposition would do, without handlers. */
static long signal_self(struct cpu *cpu, int sig)
{
    if (sig < 0 || sig > GUEST_NSIG)
        return -EINVAL;
    if (sig == 0)
        return 0;
    const struct guest_sigaction *sa = &proc_of(cpu)->sigactions[sig];
    if (sa->handler == GUEST_SIG_IGN || (sa->handler == GUEST_SIG_DFL && default_ignored(sig)))
        return 0;
    if (sa->handler > GUEST_SIG_IGN)
        vm_log(unimp, "vm: signal %d sent to self has a guest handler; not delivered yet, "
                      "taking the default action\n", sig);
    if (default_stops(sig))
        return host_ret(kill(getpid(), sig));
    if (default_ignored(sig))
        return 0;
    linux_die_of_signal(sig);
}

SYSCALL(kill)
{
    pid_t pid = (pid_t)a[0];
    return pid == getpid() ? signal_self(cpu, (int)a[1]) : host_ret(kill(pid, (int)a[1]));
}

SYSCALL(tkill)
{
    pid_t tid = (pid_t)a[0];
    return tid == gettid() ? signal_self(cpu, (int)a[1])
                           : host_ret(syscall(SYS_tkill, tid, (int)a[1]));
}

SYSCALL(tgkill)
{
    pid_t tgid = (pid_t)a[0], tid = (pid_t)a[1];
    if (tgid == getpid() && tid == gettid())
        return signal_self(cpu, (int)a[2]);
    return host_ret(syscall(SYS_tgkill, tgid, tid, (int)a[2]));
}
