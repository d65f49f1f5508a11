/* Process and thread identity, exit, limits, system information, randomness and futexes.
 * Structures passed through here (rlimit, utsname, tms, sysinfo, timespec) have the same
 * layout for every 64-bit guest ABI and the host, so checked guest buffers go straight through. */
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/syscall.h"

#define GUEST_RLIMIT_SIZE 16
#define GUEST_ROBUST_LIST_HEAD_SIZE 24
#define GUEST_TIMESPEC_SIZE 16

SYSCALL(exit_group)
{
    struct linux_proc *proc = proc_of(cpu);
    proc->exited = true;
    proc->exit_status = (int)(a[0] & 0xff);
    return 0;
}

/* With one thread, the thread's exit is the process's. */
SYSCALL(exit)
{
    return sys_exit_group(cpu, a);
}

SYSCALL(set_tid_address)
{
    proc_of(cpu)->tid_address = a[0];
    return gettid();
}

SYSCALL(set_robust_list)
{
    if (a[1] != GUEST_ROBUST_LIST_HEAD_SIZE)
        return -EINVAL;
    proc_of(cpu)->robust_list = a[0];
    proc_of(cpu)->robust_list_len = a[1];
    return 0;
}

/* glibc runs without restartable sequences when registration fails with ENOSYS. */
SYSCALL(rseq)
{
    return -ENOSYS;
}

SYSCALL(prlimit64)
{
    void *new_limit = NULL, *old_limit = NULL;
    if (a[2] && !(new_limit = guest_ptr(cpu, a[2], GUEST_RLIMIT_SIZE, PROT_READ)))
        return -EFAULT;
    if (a[3] && !(old_limit = guest_ptr(cpu, a[3], GUEST_RLIMIT_SIZE, PROT_WRITE)))
        return -EFAULT;
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
    void *buf = guest_ptr(cpu, a[0], a[1], PROT_WRITE);
    return buf ? host_ret(syscall(SYS_getrandom, buf, a[1], (unsigned)a[2])) : -EFAULT;
}

/* Waits and wakes on guest memory through the host futex. vm is the only process mapping
 * guest memory, so the private flag always holds. */
SYSCALL(futex)
{
    int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
    uint32_t *uaddr = (a[0] & 3) ? NULL : guest_ptr(cpu, a[0], 4, PROT_READ);
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        void *timeout = NULL;
        if (a[3] && !(timeout = guest_ptr(cpu, a[3], GUEST_TIMESPEC_SIZE, PROT_READ)))
            return -EFAULT;
        if (!uaddr)
            return (a[0] & 3) ? -EINVAL : -EFAULT;
        return host_ret(syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, (uint32_t)a[2],
                                timeout, NULL, (uint32_t)a[5]));
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (!uaddr)
            return (a[0] & 3) ? -EINVAL : -EFAULT;
        return host_ret(syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, (int)a[2], NULL, NULL,
                                (uint32_t)a[5]));
    default:
        vm_log(unimp, "vm: futex operation %d not supported (returns ENOSYS)\n", cmd);
        return -ENOSYS;
    }
}
