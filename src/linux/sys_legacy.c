/* The system calls that x86-64 (and Linux's older ABIs) have besides the ones asm-generic
 * kept: open, stat, access, mkdir, pipe, dup2, poll, select, fork, time, utime(s), epoll_wait,
 * and so on. Each is what Linux makes of it: its at-variant or newer call with the missing
 * arguments filled in (AT_FDCWD, no flags, no signal mask), so vm keeps one implementation
 * of each operation and these never call a host syscall that only some hosts have. */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/signal.h"
#include "linux/syscall.h"

#define CWD ((uint64_t)(int64_t)AT_FDCWD)

SYSCALL(open)
{
    return sys_openat(cpu, (uint64_t[]){ CWD, a[0], a[1], a[2] });
}

SYSCALL(creat)
{
    return sys_openat(cpu, (uint64_t[]){ CWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1] });
}

SYSCALL(stat)
{
    return sys_newfstatat(cpu, (uint64_t[]){ CWD, a[0], a[1], 0 });
}

SYSCALL(lstat)
{
    return sys_newfstatat(cpu, (uint64_t[]){ CWD, a[0], a[1], AT_SYMLINK_NOFOLLOW });
}

SYSCALL(access)
{
    return sys_faccessat(cpu, (uint64_t[]){ CWD, a[0], a[1] });
}

SYSCALL(readlink)
{
    return sys_readlinkat(cpu, (uint64_t[]){ CWD, a[0], a[1], a[2] });
}

SYSCALL(mkdir)
{
    return sys_mkdirat(cpu, (uint64_t[]){ CWD, a[0], a[1] });
}

SYSCALL(rmdir)
{
    return sys_unlinkat(cpu, (uint64_t[]){ CWD, a[0], AT_REMOVEDIR });
}

SYSCALL(unlink)
{
    return sys_unlinkat(cpu, (uint64_t[]){ CWD, a[0], 0 });
}

SYSCALL(rename)
{
    return sys_renameat(cpu, (uint64_t[]){ CWD, a[0], CWD, a[1] });
}

SYSCALL(link)
{
    return sys_linkat(cpu, (uint64_t[]){ CWD, a[0], CWD, a[1], 0 });
}

SYSCALL(symlink)
{
    return sys_symlinkat(cpu, (uint64_t[]){ a[0], CWD, a[1] });
}

SYSCALL(chmod)
{
    return sys_fchmodat(cpu, (uint64_t[]){ CWD, a[0], a[1] });
}

SYSCALL(chown)
{
    return sys_fchownat(cpu, (uint64_t[]){ CWD, a[0], a[1], a[2], 0 });
}

SYSCALL(lchown)
{
    return sys_fchownat(cpu, (uint64_t[]){ CWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW });
}

SYSCALL(mknod)
{
    return sys_mknodat(cpu, (uint64_t[]){ CWD, a[0], a[1], a[2] });
}

SYSCALL(pipe)
{
    return sys_pipe2(cpu, (uint64_t[]){ a[0], 0 });
}

/* dup2 of an fd onto itself checks the fd and changes nothing (dup3 would be EINVAL). */
SYSCALL(dup2)
{
    if ((int)a[0] == (int)a[1])
        return fcntl((int)a[0], F_GETFD) < 0 ? -errno : (long)(int)a[1];
    return sys_dup3(cpu, (uint64_t[]){ a[0], a[1], 0 });
}

#define GUEST_POLLFD_SIZE 8

/* A negative timeout waits for ever. */
SYSCALL(poll)
{
    if (a[1] > INT_MAX)
        return -EINVAL;
    int ms = (int)a[2];
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    void *fds = a[1] ? kernel_ptr(cpu, a[0], a[1] * GUEST_POLLFD_SIZE, PROT_READ | PROT_WRITE)
                     : NULL;
    return sig_syscall(SYS_ppoll, fds, (unsigned)a[1], ms < 0 ? NULL : &ts, NULL, 0);
}

struct guest_timeval {
    int64_t sec, usec;
};

/* Like pselect6 without a mask, with a timeval that is updated to the time left. */
SYSCALL(select)
{
    int n = (int)a[0];
    if (n < 0 || n > FD_SETSIZE * 64)
        return -EINVAL;
    uint64_t bytes = ((uint64_t)n + 63) / 64 * 8;
    void *sets[3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++)
        if (a[1 + i] && !(sets[i] = guest_ptr(cpu, a[1 + i], bytes, PROT_READ | PROT_WRITE)))
            return -EFAULT;
    struct guest_timeval tv;
    struct timespec ts, *timeout = NULL;
    if (a[4]) {
        if (uspace_read(&proc_of(cpu)->us, a[4], &tv, sizeof(tv)) < 0)
            return -EFAULT;
        if (tv.sec < 0 || tv.usec < 0)
            return -EINVAL;
        ts.tv_sec = tv.sec + tv.usec / 1000000;
        ts.tv_nsec = tv.usec % 1000000 * 1000;
        timeout = &ts;
    }
    long r = sig_syscall(SYS_pselect6, n, sets[0], sets[1], sets[2], timeout, NULL);
    if (timeout) {
        tv.sec = ts.tv_sec;
        tv.usec = ts.tv_nsec / 1000;
        uspace_write(&proc_of(cpu)->us, a[4], &tv, sizeof(tv));
    }
    return r;
}

SYSCALL(pause)
{
    (void)a;
    return sys_ppoll(cpu, (uint64_t[]){ 0, 0, 0, 0, 0 });
}

SYSCALL(alarm)
{
    (void)cpu;
    return alarm((unsigned)a[0]);
}

SYSCALL(fork)
{
    (void)a;
    return sys_clone(cpu, (uint64_t[]){ SIGCHLD, 0, 0, 0, 0 });
}

SYSCALL(vfork)
{
    (void)a;
    return sys_clone(cpu, (uint64_t[]){ CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0 });
}

/* struct linux_dirent (ino, off, reclen, name, NUL, type in the last byte) is the size of its
 * struct linux_dirent64 twin (type before the name), so getdents64's records convert in place. */
SYSCALL(getdents)
{
    size_t count = a[2] < 65536 ? a[2] : 65536;
    if (!guest_ptr(cpu, a[1], count, PROT_WRITE))
        return -EFAULT;
    uint8_t *buf = malloc(count ? count : 1);
    if (!buf)
        return -ENOMEM;
    long n = host_ret(syscall(SYS_getdents64, (int)a[0], buf, count));
    for (long off = 0; off < n;) {
        uint16_t reclen;
        memcpy(&reclen, buf + off + 16, 2);
        uint8_t type = buf[off + 18];
        memmove(buf + off + 18, buf + off + 19, strnlen((char *)buf + off + 19, reclen - 19u) + 1);
        buf[off + reclen - 1] = type;
        off += reclen;
    }
    if (n > 0 && uspace_write(&proc_of(cpu)->us, a[1], buf, (size_t)n) < 0)
        n = -EFAULT;
    free(buf);
    return n;
}

SYSCALL(getpgrp)
{
    (void)cpu, (void)a;
    return getpgid(0);
}

SYSCALL(time)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t t = ts.tv_sec;
    if (a[0] && uspace_write(&proc_of(cpu)->us, a[0], &t, sizeof(t)) < 0)
        return -EFAULT;
    return t;
}

/* utimensat with the guest's times: struct utimbuf (two seconds) or two struct timevals;
 * none means now. */
static long set_times(struct cpu *cpu, uint64_t dirfd, uint64_t path, uint64_t times,
                      bool timeval)
{
    char p[PATH_MAX];
    int err = guest_path(cpu, path, p);
    if (err < 0)
        return err;
    struct timespec ts[2];
    if (times) {
        int64_t raw[4];
        size_t words = timeval ? 2 : 1;
        if (uspace_read(&proc_of(cpu)->us, times, raw, 2 * words * sizeof(int64_t)) < 0)
            return -EFAULT;
        for (size_t i = 0; i < 2; i++) {
            int64_t usec = timeval ? raw[2 * i + 1] : 0;
            if (usec < 0 || usec >= 1000000)
                return -EINVAL;
            ts[i].tv_sec = raw[words * i];
            ts[i].tv_nsec = usec * 1000;
        }
    }
    return host_ret(utimensat((int)dirfd, p, times ? ts : NULL, 0));
}

SYSCALL(utime)
{
    return set_times(cpu, CWD, a[0], a[1], false);
}

SYSCALL(utimes)
{
    return set_times(cpu, CWD, a[0], a[1], true);
}

SYSCALL(futimesat)
{
    return set_times(cpu, a[0], a[1], a[2], true);
}

SYSCALL(epoll_create)
{
    (void)cpu;
    return (int)a[0] <= 0 ? -EINVAL : host_ret(syscall(SYS_epoll_create1, 0));
}

SYSCALL(epoll_wait)
{
    return sys_epoll_pwait(cpu, (uint64_t[]){ a[0], a[1], a[2], a[3], 0, 0 });
}

SYSCALL(inotify_init)
{
    (void)cpu, (void)a;
    return host_ret(syscall(SYS_inotify_init1, 0));
}

SYSCALL(signalfd)
{
    return sys_signalfd4(cpu, (uint64_t[]){ a[0], a[1], a[2], 0 });
}

SYSCALL(eventfd)
{
    (void)cpu;
    return host_ret(syscall(SYS_eventfd2, (unsigned)a[0], 0));
}

SYSCALL(setrlimit)
{
    return sys_prlimit64(cpu, (uint64_t[]){ 0, a[0], a[1], 0 });
}
