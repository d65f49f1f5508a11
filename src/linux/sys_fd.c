/* File descriptors of special kinds and fd-to-fd copies: timerfd, signalfd, inotify,
 * sendfile, copy_file_range, splice, memfd, and file-system statistics. Their structs
 * (itimerspec, signalfd_siginfo, inotify_event, statfs) have the host's layout on every
 * 64-bit ABI; a signalfd's mask is translated like sigprocmask's. */
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/signal.h"
#include "linux/syscall.h"

#define GUEST_ITIMERSPEC_SIZE 32
#define GUEST_SIGSET_SIZE 8
#define GUEST_STATFS_SIZE 120
#define GUEST_LOFF_SIZE 8

/* An optional guest loff_t in/out argument. */
static bool offset_ptr(struct cpu *cpu, uint64_t addr, void **p)
{
    *p = addr ? guest_ptr(cpu, addr, GUEST_LOFF_SIZE, PROT_READ | PROT_WRITE) : NULL;
    return !addr || *p;
}

SYSCALL(timerfd_settime)
{
    void *nv = guest_ptr(cpu, a[2], GUEST_ITIMERSPEC_SIZE, PROT_READ), *ov = NULL;
    if (!nv || (a[3] && !(ov = guest_ptr(cpu, a[3], GUEST_ITIMERSPEC_SIZE, PROT_WRITE))))
        return -EFAULT;
    return host_ret(syscall(SYS_timerfd_settime, (int)a[0], (int)a[1], nv, ov));
}

SYSCALL(timerfd_gettime)
{
    void *v = guest_ptr(cpu, a[1], GUEST_ITIMERSPEC_SIZE, PROT_WRITE);
    return v ? host_ret(syscall(SYS_timerfd_gettime, (int)a[0], v)) : -EFAULT;
}

SYSCALL(signalfd4)
{
    uint64_t mask;
    sigset_t set;
    if (a[2] != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (uspace_read(&proc_of(cpu)->us, a[1], &mask, sizeof(mask)) < 0)
        return -EFAULT;
    sig_host_set(mask, &set);
    return host_ret(signalfd((int)a[0], &set, (int)a[3]));
}

SYSCALL(inotify_add_watch)
{
    struct path_buf pb;
    const char *path;
    int err = guest_host_path(cpu, a[1], &pb, &path);
    return err < 0 ? err
                   : host_ret(syscall(SYS_inotify_add_watch, (int)a[0], path, (uint32_t)a[2]));
}

SYSCALL(sendfile)
{
    void *off;
    if (!offset_ptr(cpu, a[2], &off))
        return -EFAULT;
    return host_ret(syscall(SYS_sendfile, (int)a[0], (int)a[1], off, a[3]));
}

SYSCALL(copy_file_range)
{
    void *off_in, *off_out;
    if (!offset_ptr(cpu, a[1], &off_in) || !offset_ptr(cpu, a[3], &off_out))
        return -EFAULT;
    return host_ret(syscall(SYS_copy_file_range, (int)a[0], off_in, (int)a[2], off_out, a[4],
                            (unsigned)a[5]));
}

SYSCALL(splice)
{
    void *off_in, *off_out;
    if (!offset_ptr(cpu, a[1], &off_in) || !offset_ptr(cpu, a[3], &off_out))
        return -EFAULT;
    return host_ret(syscall(SYS_splice, (int)a[0], off_in, (int)a[2], off_out, a[4],
                            (unsigned)a[5]));
}

SYSCALL(memfd_create)
{
    char name[PATH_MAX];   /* a name vm cannot read is the host kernel's to refuse, after the flags */
    const char *n = guest_path(cpu, a[0], name) < 0 ? kernel_ptr(cpu, a[0], 1, PROT_READ) : name;
    return host_ret(syscall(SYS_memfd_create, n, (unsigned)a[1]));
}

SYSCALL(statfs)
{
    struct path_buf pb;
    const char *path;
    int err = guest_host_path(cpu, a[0], &pb, &path);
    if (err < 0)
        return err;
    void *buf = guest_ptr(cpu, a[1], GUEST_STATFS_SIZE, PROT_WRITE);
    return buf ? host_ret(syscall(SYS_statfs, path, buf)) : -EFAULT;
}

SYSCALL(fstatfs)
{
    void *buf = guest_ptr(cpu, a[1], GUEST_STATFS_SIZE, PROT_WRITE);
    return buf ? host_ret(syscall(SYS_fstatfs, (int)a[0], buf)) : -EFAULT;
}
