/* File-descriptor I/O: read/write and their vector and positioned forms, descriptor
 * management (close, dup, fcntl, pipes), directory reads and the terminal ioctls. Guest fds are
 * host fds; buffers are checked and then handed to the host kernel in place. */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/signal.h"
#include "linux/syscall.h"


SYSCALL(read)
{
    return sig_syscall(SYS_read, (int)a[0], kernel_ptr(cpu, a[1], a[2], PROT_WRITE), a[2]);
}

SYSCALL(write)
{
    return sig_syscall(SYS_write, (int)a[0], kernel_ptr(cpu, a[1], a[2], PROT_READ), a[2]);
}

SYSCALL(pread64)
{
    return sig_syscall(SYS_pread64, (int)a[0], kernel_ptr(cpu, a[1], a[2], PROT_WRITE), a[2],
                       (off_t)a[3]);
}

SYSCALL(pwrite64)
{
    return sig_syscall(SYS_pwrite64, (int)a[0], kernel_ptr(cpu, a[1], a[2], PROT_READ), a[2],
                       (off_t)a[3]);
}

int iov_from_guest(struct cpu *cpu, uint64_t addr, uint64_t count, int prot,
                          struct iovec *iov)
{
    if (count > GUEST_IOV_MAX)
        return -EINVAL;
    uint64_t raw[2 * GUEST_IOV_MAX];
    if (uspace_read(&proc_of(cpu)->us, addr, raw, count * 16) < 0)
        return -EFAULT;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t base = raw[2 * i], len = raw[2 * i + 1];
        iov[i].iov_base = kernel_ptr(cpu, base, len, prot);
        iov[i].iov_len = len;
    }
    return 0;
}

/* readv/writev: an iovec array vm cannot read goes to the host kernel as an address it refuses
 * (never as the guest's own bytes, whose bases are guest addresses), so a bad fd or
 * count still wins over EFAULT as on Linux; a bad buffer after good ones gives the bytes done. */
static long rw_vector(struct cpu *cpu, const uint64_t *a, int prot)
{
    struct iovec iov[GUEST_IOV_MAX];
    const struct iovec *v = iov;
    const struct uspace *us = &proc_of(cpu)->us;
    if (iov_from_guest(cpu, a[1], a[2], prot, iov) < 0)
        v = uspace_kernel_addr(us, us->limit);
    int fd = (int)a[0], n = a[2] > INT_MAX ? INT_MAX : (int)a[2];
    return sig_syscall(prot == PROT_WRITE ? SYS_readv : SYS_writev, fd, v, n);
}

SYSCALL(readv)
{
    return rw_vector(cpu, a, PROT_WRITE);
}

SYSCALL(writev)
{
    return rw_vector(cpu, a, PROT_READ);
}

SYSCALL(lseek)
{
    return host_ret(lseek((int)a[0], (off_t)a[1], (int)a[2]));
}

SYSCALL(close)
{
    return host_ret(close((int)a[0]));
}

SYSCALL(ftruncate)
{
    return host_ret(ftruncate((int)a[0], (off_t)a[1]));
}

SYSCALL(fsync)
{
    return host_ret(fsync((int)a[0]));
}

SYSCALL(fdatasync)
{
    return host_ret(fdatasync((int)a[0]));
}

SYSCALL(fchmod)
{
    return host_ret(fchmod((int)a[0], (mode_t)a[1]));
}

SYSCALL(fchdir)
{
    return host_ret(fchdir((int)a[0]));
}

SYSCALL(dup)
{
    return host_ret(dup((int)a[0]));
}

SYSCALL(dup3)
{
    return host_ret(dup3((int)a[0], (int)a[1], (int)a[2]));
}

SYSCALL(pipe2)
{
    int *fds = kernel_ptr(cpu, a[0], 2 * sizeof(int), PROT_WRITE);
    return host_ret(pipe2(fds, open_flags_to_host(cpu, (uint32_t)a[1])));
}

SYSCALL(getdents64)
{
    void *buf = kernel_ptr(cpu, a[1], a[2], PROT_WRITE);
    return host_ret(syscall(SYS_getdents64, (int)a[0], buf, (unsigned)a[2]));
}

/* What an fcntl command's third argument is (struct flock is the same on every 64-bit ABI). */
enum fcntl_arg { FCNTL_INT, FCNTL_FLOCK_IN, FCNTL_FLOCK_INOUT };
#define GUEST_FLOCK_SIZE 32

static const struct fcntl_cmd {
    int cmd;
    enum fcntl_arg arg;
} fcntl_cmds[] = {
    { F_DUPFD, FCNTL_INT }, { F_DUPFD_CLOEXEC, FCNTL_INT }, { F_GETFD, FCNTL_INT },
    { F_SETFD, FCNTL_INT }, { F_GETFL, FCNTL_INT }, { F_SETFL, FCNTL_INT },
    { F_GETLK, FCNTL_FLOCK_INOUT }, { F_SETLK, FCNTL_FLOCK_IN }, { F_SETLKW, FCNTL_FLOCK_IN },
    { F_OFD_GETLK, FCNTL_FLOCK_INOUT }, { F_OFD_SETLK, FCNTL_FLOCK_IN },
    { F_OFD_SETLKW, FCNTL_FLOCK_IN }, { F_GETOWN, FCNTL_INT }, { F_SETOWN, FCNTL_INT },
    { F_GETPIPE_SZ, FCNTL_INT }, { F_SETPIPE_SZ, FCNTL_INT }, { F_ADD_SEALS, FCNTL_INT },
    { F_GET_SEALS, FCNTL_INT }, { F_NOTIFY, FCNTL_INT }, { F_SETSIG, FCNTL_INT },
    { F_GETSIG, FCNTL_INT }, { F_SETLEASE, FCNTL_INT }, { F_GETLEASE, FCNTL_INT },
};

SYSCALL(fcntl)
{
    int cmd = (int)a[1];
    for (size_t i = 0; i < sizeof(fcntl_cmds) / sizeof(fcntl_cmds[0]); i++) {
        if (fcntl_cmds[i].cmd != cmd)
            continue;
        if (cmd == F_SETFL)
            return host_ret(fcntl((int)a[0], cmd, open_flags_to_host(cpu, a[2])));
        if (cmd == F_GETFL) {
            long r = host_ret(fcntl((int)a[0], cmd));
            return r < 0 ? r : (long)open_flags_to_guest(cpu, (uint64_t)r);
        }
        if (fcntl_cmds[i].arg == FCNTL_INT)
            return host_ret(fcntl((int)a[0], cmd, (long)a[2]));
        int prot = fcntl_cmds[i].arg == FCNTL_FLOCK_IN ? PROT_READ : PROT_READ | PROT_WRITE;
        void *lock = guest_ptr(cpu, a[2], GUEST_FLOCK_SIZE, prot);
        return lock ? sig_syscall(SYS_fcntl, (int)a[0], cmd, lock) : -EFAULT;
    }
    vm_log(unimp, "vm: fcntl command %d not supported (returns EINVAL)\n", cmd);
    return -EINVAL;
}

/* Terminal and network-interface ioctls: the asm-generic numbers and struct layouts equal
 * x86-64's (the host constants below are used as the guest's), so the checked guest buffer
 * goes to the host. Of the interface ioctls only the queries (if_nametoindex and friends). */
#define GUEST_TERMIOS_SIZE 36   /* the kernel's struct termios, not glibc's */
#define GUEST_WINSIZE_SIZE 8
#define GUEST_IFREQ_SIZE 40

static const struct ioctl_cmd {
    unsigned long cmd;
    uint32_t size;       /* bytes at the argument pointer, 0: the argument is a plain value */
    int prot;            /* PROT_READ: the kernel reads them; PROT_WRITE: it writes them */
} ioctl_cmds[] = {
    { TCGETS, GUEST_TERMIOS_SIZE, PROT_WRITE },
    { TCSETS, GUEST_TERMIOS_SIZE, PROT_READ },
    { TCSETSW, GUEST_TERMIOS_SIZE, PROT_READ },
    { TCSETSF, GUEST_TERMIOS_SIZE, PROT_READ },
    { TIOCGPGRP, sizeof(int), PROT_WRITE },
    { TIOCSPGRP, sizeof(int), PROT_READ },
    { TIOCGWINSZ, GUEST_WINSIZE_SIZE, PROT_WRITE },
    { TIOCSWINSZ, GUEST_WINSIZE_SIZE, PROT_READ },
    { FIONREAD, sizeof(int), PROT_WRITE },
    { FIONBIO, sizeof(int), PROT_READ },
    { FIONCLEX, 0, 0 },
    { FIOCLEX, 0, 0 },
    { FIOASYNC, sizeof(int), PROT_READ },
    { TIOCOUTQ, sizeof(int), PROT_WRITE },
    { TIOCGSID, sizeof(int), PROT_WRITE },
    { TIOCSCTTY, 0, 0 },
    { TIOCNOTTY, 0, 0 },
    { TIOCEXCL, 0, 0 },
    { TIOCNXCL, 0, 0 },
    { TCFLSH, 0, 0 },
    { TCXONC, 0, 0 },
    { TCSBRK, 0, 0 },
    { TIOCGPTN, sizeof(int), PROT_WRITE },
    { TIOCSPTLCK, sizeof(int), PROT_READ },
    { SIOCGIFNAME, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFINDEX, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFFLAGS, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFMTU, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFADDR, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFNETMASK, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFBRDADDR, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
    { SIOCGIFHWADDR, GUEST_IFREQ_SIZE, PROT_READ | PROT_WRITE },
};

SYSCALL(ioctl)
{
    unsigned long cmd = (uint32_t)a[1];
    for (size_t i = 0; i < sizeof(ioctl_cmds) / sizeof(ioctl_cmds[0]); i++) {
        const struct ioctl_cmd *c = &ioctl_cmds[i];
        if (c->cmd != cmd)
            continue;
        if (!c->size)
            return host_ret(ioctl((int)a[0], cmd, (unsigned long)a[2]));
        void *arg = guest_ptr(cpu, a[2], c->size, c->prot);
        return arg ? host_ret(ioctl((int)a[0], cmd, arg)) : -EFAULT;
    }
    if (log_first_time(IOCTL_LOG_KEY(cmd)))
        log_unimp("vm: ioctl 0x%lx not supported (returns ENOTTY)\n", cmd);
    return -ENOTTY;
}
