/* Process and thread identity, exit, limits, system information, randomness and futexes.
 * Structures passed through here (rlimit, utsname, tms, sysinfo, timespec) have the same
 * layout for every 64-bit guest ABI and the host, so checked guest buffers go straight through. */
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "linux/syscall.h"

#define GUEST_RLIMIT_SIZE 16
#define GUEST_ROBUST_LIST_HEAD_SIZE 24
#define GUEST_TIMESPEC_SIZE 16

/* Ends the process: the other threads leave guest code at their next block boundary and
 * stop there (linux_run_thread) while this one exits. */
SYSCALL(exit_group)
{
    struct linux_thread *t = thread_of(cpu);
    struct linux_proc *proc = t->proc;
    t->exited = t->group_exit = true;
    t->exit_status = (int)(a[0] & 0xff);
    atomic_store(&proc->group_exiting, true);
    debug_exited(t->exit_status, 0);
    pthread_mutex_lock(&proc->lock);
    for (struct linux_thread *o = proc->threads; o; o = o->next)
        o->cpu->exit_request = 1;
    pthread_mutex_unlock(&proc->lock);
    return 0;
}

SYSCALL(set_tid_address)
{
    thread_of(cpu)->clear_child_tid = a[0];
    return gettid();
}

SYSCALL(set_robust_list)
{
    if (a[1] != GUEST_ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    thread_of(cpu)->robust_list = a[0];
    thread_of(cpu)->robust_list_len = a[1];
    return 0;
}

SYSCALL(get_robust_list)
{
    struct linux_thread *t = thread_of(cpu);
    if (a[0] && (pid_t)a[0] != gettid())
        return -EPERM;
    if (uspace_write(&t->proc->us, a[1], &t->robust_list, 8) < 0 ||
        uspace_write(&t->proc->us, a[2], &t->robust_list_len, 8) < 0)
        return -EFAULT;
    return 0;
}

/* glibc runs without restartable sequences when registration fails with ENOSYS. */
SYSCALL(rseq)
{
    return -ENOSYS;
}

SYSCALL(prlimit64)
{
    void *new_limit = kernel_ptr(cpu, a[2], GUEST_RLIMIT_SIZE, PROT_READ);
    void *old_limit = kernel_ptr(cpu, a[3], GUEST_RLIMIT_SIZE, PROT_WRITE);
    return host_ret(syscall(SYS_prlimit64, (pid_t)a[0], (int)a[1], new_limit, old_limit));
}

SYSCALL(getrlimit)
{
    void *limit = guest_ptr(cpu, a[1], GUEST_RLIMIT_SIZE, PROT_WRITE);
    return limit ? host_ret(syscall(SYS_getrlimit, (int)a[0], limit)) : -EFAULT;
}

/* The host's names and release, with the guest's machine ("riscv64"). */
SYSCALL(uname)
{
    struct utsname u;
    if (uname(&u) < 0)
        return -errno;
    memset(u.machine, 0, sizeof(u.machine));
    strncpy(u.machine, cpu->ops->name, sizeof(u.machine) - 1);
    return uspace_write(&proc_of(cpu)->us, a[0], &u, sizeof(u));
}

SYSCALL(getpid) { return getpid(); }
SYSCALL(gettid) { return gettid(); }
SYSCALL(getppid) { return getppid(); }
SYSCALL(getuid) { return getuid(); }
SYSCALL(geteuid) { return geteuid(); }
SYSCALL(getgid) { return getgid(); }
SYSCALL(getegid) { return getegid(); }

SYSCALL(sched_getaffinity)
{
    void *mask = guest_ptr(cpu, a[2], a[1], PROT_WRITE);
    return mask ? host_ret(syscall(SYS_sched_getaffinity, (pid_t)a[0], a[1], mask)) : -EFAULT;
}

SYSCALL(sched_yield)
{
    return host_ret(sched_yield());
}

SYSCALL(times)
{
    struct tms *buf = NULL;
    if (a[0] && !(buf = guest_ptr(cpu, a[0], sizeof(*buf), PROT_WRITE)))
        return -EFAULT;
    return host_ret(syscall(SYS_times, buf));
}

SYSCALL(getrusage)
{
    struct rusage *usage = guest_ptr(cpu, a[1], sizeof(*usage), PROT_WRITE);
    return usage ? host_ret(getrusage((int)a[0], usage)) : -EFAULT;
}

SYSCALL(sysinfo)
{
    struct sysinfo *info = guest_ptr(cpu, a[0], sizeof(*info), PROT_WRITE);
    return info ? host_ret(sysinfo(info)) : -EFAULT;
}

SYSCALL(getrandom)
{
    void *buf = kernel_ptr(cpu, a[0], a[1], PROT_WRITE);
    return host_ret(syscall(SYS_getrandom, buf, a[1], (unsigned)a[2]));
}

SYSCALL(sched_setaffinity)
{
    void *mask = guest_ptr(cpu, a[2], a[1], PROT_READ);
    return mask ? host_ret(syscall(SYS_sched_setaffinity, (pid_t)a[0], a[1], mask)) : -EFAULT;
}

#define GUEST_SCHED_PARAM_SIZE 4

SYSCALL(sched_getparam)
{
    void *p = guest_ptr(cpu, a[1], GUEST_SCHED_PARAM_SIZE, PROT_WRITE);
    return p ? host_ret(syscall(SYS_sched_getparam, (pid_t)a[0], p)) : -EFAULT;
}

SYSCALL(sched_setparam)
{
    void *p = guest_ptr(cpu, a[1], GUEST_SCHED_PARAM_SIZE, PROT_READ);
    return p ? host_ret(syscall(SYS_sched_setparam, (pid_t)a[0], p)) : -EFAULT;
}

SYSCALL(sched_setscheduler)
{
    void *p = guest_ptr(cpu, a[2], GUEST_SCHED_PARAM_SIZE, PROT_READ);
    return p ? host_ret(syscall(SYS_sched_setscheduler, (pid_t)a[0], (int)a[1], p)) : -EFAULT;
}

SYSCALL(getcpu)
{
    void *c = NULL, *n = NULL;
    if ((a[0] && !(c = guest_ptr(cpu, a[0], 4, PROT_WRITE))) ||
        (a[1] && !(n = guest_ptr(cpu, a[1], 4, PROT_WRITE))))
        return -EFAULT;
    return host_ret(syscall(SYS_getcpu, c, n, NULL));
}

/* getresuid/getresgid: three 32-bit ids. */
static long get_res_ids(struct cpu *cpu, const uint64_t *a, long nr)
{
    void *p[3];
    for (int i = 0; i < 3; i++)
        if (!(p[i] = guest_ptr(cpu, a[i], 4, PROT_WRITE)))
            return -EFAULT;
    return host_ret(syscall(nr, p[0], p[1], p[2]));
}

SYSCALL(getresuid)
{
    return get_res_ids(cpu, a, SYS_getresuid);
}

SYSCALL(getresgid)
{
    return get_res_ids(cpu, a, SYS_getresgid);
}

SYSCALL(getgroups)
{
    int n = (int)a[0];
    void *list = NULL;
    if (n < 0)
        return -EINVAL;
    if (n && !(list = guest_ptr(cpu, a[1], (uint64_t)n * 4, PROT_WRITE)))
        return -EFAULT;
    return host_ret(syscall(SYS_getgroups, n, list));
}

SYSCALL(setgroups)
{
    void *list = NULL;
    if (a[0] > 65536)
        return -EINVAL;
    if (a[0] && !(list = guest_ptr(cpu, a[1], a[0] * 4, PROT_READ)))
        return -EFAULT;
    return host_ret(syscall(SYS_setgroups, (int)a[0], list));
}

