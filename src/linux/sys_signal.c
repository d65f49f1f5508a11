/* Signal syscalls: dispositions (mirrored on the host so host signals reach vm's catcher or
 * take the guest's SIG_IGN/SIG_DFL), the per-thread mask (mirrored on the host thread, so
 * sigsuspend, sigtimedwait and blocking keep their host semantics), the alternate stack,
 * sending, rt_sigreturn and timers. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/signal.h"
#include "linux/syscall.h"

#define GUEST_SIGSET_SIZE 8
#define GUEST_STACK_T_SIZE 24
#define GUEST_SIGINFO_SIZE 128
#define GUEST_TIMESPEC_SIZE 16
#define GUEST_ITIMERVAL_SIZE 32
#define GUEST_ITIMERSPEC_SIZE 32
#define GUEST_SIGEVENT_SIZE 64

/* struct sigaction as the guest passes it: handler, flags, [restorer,] mask. */
static size_t guest_sigaction_size(const struct cpu *cpu)
{
    return guest_linux(cpu)->sa_restorer ? 32 : 24;
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
        new_sa.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
    }
    pthread_mutex_lock(&proc->lock);
    struct guest_sigaction old_sa = proc->sigactions[sig];
    if (a[1]) {
        proc->sigactions[sig] = new_sa;
        sig_host_disposition(sig, &new_sa);
    }
    pthread_mutex_unlock(&proc->lock);
    if (a[2]) {
        sigaction_to_guest(cpu, &old_sa, raw);
        if (uspace_write(&proc->us, a[2], raw, size) < 0)
            return -EFAULT;
    }
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t set = 0, old = t->sigmask;
    if (a[3] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (a[1]) {
        if (a[0] != SIG_BLOCK && a[0] != SIG_UNBLOCK && a[0] != SIG_SETMASK)
            return -EINVAL;
        if (uspace_read(&t->proc->us, a[1], &set, sizeof(set)) < 0)
            return -EFAULT;
    }
    if (a[2] && uspace_write(&t->proc->us, a[2], &old, sizeof(old)) < 0)
        return -EFAULT;
    if (a[1])
        sig_set_mask(t, a[0] == SIG_BLOCK ? old | set : a[0] == SIG_UNBLOCK ? old & ~set : set);
    return 0;
}

SYSCALL(rt_sigpending)
{
    struct linux_thread *t = thread_of(cpu);
    sigset_t host;
    uint64_t set = atomic_load(&t->pending);
    if (a[1] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    sigpending(&host);
    for (int sig = 1; sig <= GUEST_NSIG; sig++)
        if (!sig_host_reserved(sig) && sigismember(&host, sig_to_host(sig)) == 1)
            set |= SIGBIT(sig);
    return uspace_write(&t->proc->us, a[0], &set, sizeof(set));
}

/* Waits with the given mask on the host; the catcher queues what arrives, and the frame
 * records the mask from before, which sig_deliver restores. */
SYSCALL(rt_sigsuspend)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t mask;
    sigset_t set;
    if (a[1] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (uspace_read(&t->proc->us, a[0], &mask, sizeof(mask)) < 0)
        return -EFAULT;
    sig_wait_mask(t, mask, &set);
    sig_syscall(SYS_rt_sigsuspend, &set, _NSIG / 8);   /* a signal before it ends it too */
    return -EINTR;
}

/* Takes a queued signal of set if there is one, else waits on the host (the guest has them
 * blocked, so they stay pending there). */
SYSCALL(rt_sigtimedwait)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t want;
    void *info = NULL, *timeout = NULL;
    sigset_t set;
    if (a[3] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (uspace_read(&t->proc->us, a[0], &want, sizeof(want)) < 0)
        return -EFAULT;
    if (a[1] && !(info = guest_ptr(cpu, a[1], GUEST_SIGINFO_SIZE, PROT_WRITE)))
        return -EFAULT;
    if (a[2] && !(timeout = guest_ptr(cpu, a[2], GUEST_TIMESPEC_SIZE, PROT_READ)))
        return -EFAULT;
    uint64_t ready = atomic_load(&t->pending) & want;
    if (ready) {
        int sig = __builtin_ctzll(ready) + 1;
        atomic_fetch_and(&t->pending, ~SIGBIT(sig));
        if (info && uspace_write(&t->proc->us, a[1], &t->info[sig], GUEST_SIGINFO_SIZE) < 0)
            return -EFAULT;
        return sig;
    }
    sig_host_set(want, &set);
    siginfo_t host_info;
    long r = sig_syscall(SYS_rt_sigtimedwait, &set, &host_info, timeout, _NSIG / 8);
    if (r <= 0)
        return r;
    host_info.si_signo = sig_from_host((int)r);
    if (info && uspace_write(&t->proc->us, a[1], &host_info, GUEST_SIGINFO_SIZE) < 0)
        return -EFAULT;
    return host_info.si_signo;
}

SYSCALL(sigaltstack)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t raw[3];
    uint64_t sp = guest_linux(cpu)->get_sp(cpu);
    bool on = t->altstack_size && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
    if (a[1]) {
        uint64_t old[3] = { t->altstack_sp,
                            t->altstack_size ? (uint32_t)(t->altstack_flags | (on ? SS_ONSTACK : 0))
                                             : SS_DISABLE,
                            t->altstack_size };
        if (uspace_write(&t->proc->us, a[1], old, GUEST_STACK_T_SIZE) < 0)
            return -EFAULT;
    }
    if (!a[0])
        return 0;
    if (uspace_read(&t->proc->us, a[0], raw, GUEST_STACK_T_SIZE) < 0)
        return -EFAULT;
    int flags = (int)raw[1];
    if (on)
        return -EPERM;
    if (flags & ~(SS_ONSTACK | SS_DISABLE | (int)GUEST_SS_AUTODISARM))
        return -EINVAL;
    if (flags & SS_DISABLE) {
        t->altstack_sp = t->altstack_size = 0;
        t->altstack_flags = 0;
        return 0;
    }
    if (raw[2] < GUEST_MINSIGSTKSZ)
        return -ENOMEM;
    t->altstack_sp = raw[0];
    t->altstack_size = raw[2];
    t->altstack_flags = flags & (int)GUEST_SS_AUTODISARM;
    return 0;
}

SYSCALL(rt_sigreturn)
{
    return sig_return(cpu);
}

/* Signals go through the host, whose dispositions and masks mirror the guest's, except those
 * the host cannot carry (sig_host_reserved): sent to a thread of this process, they are queued
 * on it (a thread blocked in a syscall then sees them when the syscall returns). */
static bool queued(struct cpu *cpu, int tid, int sig)
{
    struct linux_proc *proc = proc_of(cpu);
    if (sig < 1 || sig > GUEST_NSIG || !sig_host_reserved(sig))
        return false;
    pthread_mutex_lock(&proc->lock);
    struct linux_thread *t = tid ? thread_by_tid(proc, tid) : thread_of(cpu);
    if (t)
        sig_queue(t, sig, NULL);
    pthread_mutex_unlock(&proc->lock);
    return t;
}

SYSCALL(kill)
{
    if ((pid_t)a[0] == getpid() && queued(cpu, 0, (int)a[1]))
        return 0;
    return host_ret(kill((pid_t)a[0], sig_to_host((int)a[1])));
}

SYSCALL(tkill)
{
    if (queued(cpu, (pid_t)a[0], (int)a[1]))
        return 0;
    return host_ret(syscall(SYS_tkill, (pid_t)a[0], sig_to_host((int)a[1])));
}

SYSCALL(tgkill)
{
    if ((pid_t)a[0] == getpid() && queued(cpu, (pid_t)a[1], (int)a[2]))
        return 0;
    return host_ret(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], sig_to_host((int)a[2])));
}

static long queueinfo(struct cpu *cpu, pid_t tgid, pid_t tid, int sig, uint64_t uinfo)
{
    siginfo_t info;
    if (uspace_read(&proc_of(cpu)->us, uinfo, &info, sizeof(info)) < 0)
        return -EFAULT;
    if ((tgid == getpid() && (tid == 0 || tid == gettid())) && sig > 0 && sig <= GUEST_NSIG &&
        sig_host_reserved(sig)) {
        info.si_signo = sig;
        sig_queue(thread_of(cpu), sig, &info);
        return 0;
    }
    info.si_signo = sig_to_host(sig);
    return tid ? host_ret(syscall(SYS_rt_tgsigqueueinfo, tgid, tid, info.si_signo, &info))
               : host_ret(syscall(SYS_rt_sigqueueinfo, tgid, info.si_signo, &info));
}

SYSCALL(rt_sigqueueinfo)
{
    return queueinfo(cpu, (pid_t)a[0], 0, (int)a[1], a[2]);
}

SYSCALL(rt_tgsigqueueinfo)
{
    return queueinfo(cpu, (pid_t)a[0], (pid_t)a[1], (int)a[2], a[3]);
}

/* Interval timers and POSIX timers: struct itimerval, itimerspec and sigevent have the host's
 * layout on every 64-bit ABI; their signals reach vm's catcher like any other. */
SYSCALL(getitimer)
{
    void *v = guest_ptr(cpu, a[1], GUEST_ITIMERVAL_SIZE, PROT_WRITE);
    return v ? host_ret(syscall(SYS_getitimer, (int)a[0], v)) : -EFAULT;
}

SYSCALL(setitimer)
{
    void *nv = guest_ptr(cpu, a[1], GUEST_ITIMERVAL_SIZE, PROT_READ), *ov = NULL;
    if (!nv || (a[2] && !(ov = guest_ptr(cpu, a[2], GUEST_ITIMERVAL_SIZE, PROT_WRITE))))
        return -EFAULT;
    return host_ret(syscall(SYS_setitimer, (int)a[0], nv, ov));
}

SYSCALL(timer_create)
{
    void *sev = NULL, *id = guest_ptr(cpu, a[2], sizeof(int), PROT_WRITE);
    if (!id || (a[1] && !(sev = guest_ptr(cpu, a[1], GUEST_SIGEVENT_SIZE, PROT_READ))))
        return -EFAULT;
    return host_ret(syscall(SYS_timer_create, (clockid_t)a[0], sev, id));
}

SYSCALL(timer_settime)
{
    void *nv = guest_ptr(cpu, a[2], GUEST_ITIMERSPEC_SIZE, PROT_READ), *ov = NULL;
    if (!nv || (a[3] && !(ov = guest_ptr(cpu, a[3], GUEST_ITIMERSPEC_SIZE, PROT_WRITE))))
        return -EFAULT;
    return host_ret(syscall(SYS_timer_settime, (int)a[0], (int)a[1], nv, ov));
}

SYSCALL(timer_gettime)
{
    void *v = guest_ptr(cpu, a[1], GUEST_ITIMERSPEC_SIZE, PROT_WRITE);
    return v ? host_ret(syscall(SYS_timer_gettime, (int)a[0], v)) : -EFAULT;
}

SYSCALL(timer_getoverrun)
{
    return host_ret(syscall(SYS_timer_getoverrun, (int)a[0]));
}

SYSCALL(timer_delete)
{
    return host_ret(syscall(SYS_timer_delete, (int)a[0]));
}
