/* Path-based file system calls: open, stat (converted to the guest's struct stat), statx,
 * readlink, access, cwd, mkdir/unlink/rename. Paths being looked up go through host_path, so
 * the guest sees its sysroot and its own /proc/self/exe. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "linux/syscall.h"

/* struct stat of asm-generic (riscv64, aarch64). */
struct generic_stat {
    uint64_t dev, ino;
    uint32_t mode, nlink, uid, gid;
    uint64_t rdev, pad1;
    int64_t size;
    int32_t blksize, pad2;
    int64_t blocks;
    int64_t atime;
    uint64_t atime_nsec;
    int64_t mtime;
    uint64_t mtime_nsec;
    int64_t ctime;
    uint64_t ctime_nsec;
    uint32_t unused4, unused5;
};
_Static_assert(sizeof(struct generic_stat) == 128, "asm-generic struct stat is 128 bytes");

/* struct stat of x86-64. */
struct x86_64_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime;
    uint64_t atime_nsec;
    int64_t mtime;
    uint64_t mtime_nsec;
    int64_t ctime;
    uint64_t ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct x86_64_stat) == 144, "x86-64 struct stat is 144 bytes");

static int stat_to_x86_64(struct cpu *cpu, uint64_t addr, const struct stat *st)
{
    struct x86_64_stat g = {
        .dev = st->st_dev, .ino = st->st_ino, .nlink = st->st_nlink, .mode = st->st_mode,
        .uid = st->st_uid, .gid = st->st_gid, .rdev = st->st_rdev, .size = st->st_size,
        .blksize = st->st_blksize, .blocks = st->st_blocks,
        .atime = st->st_atim.tv_sec, .atime_nsec = (uint64_t)st->st_atim.tv_nsec,
        .mtime = st->st_mtim.tv_sec, .mtime_nsec = (uint64_t)st->st_mtim.tv_nsec,
        .ctime = st->st_ctim.tv_sec, .ctime_nsec = (uint64_t)st->st_ctim.tv_nsec,
    };
    return uspace_write(&proc_of(cpu)->us, addr, &g, sizeof(g));
}

static int stat_to_guest(struct cpu *cpu, uint64_t addr, const struct stat *st)
{
    if (proc_of(cpu)->abi->stat == STAT_X86_64)
        return stat_to_x86_64(cpu, addr, st);
    struct generic_stat g = {
        .dev = st->st_dev, .ino = st->st_ino, .mode = st->st_mode, .nlink = (uint32_t)st->st_nlink,
        .uid = st->st_uid, .gid = st->st_gid, .rdev = st->st_rdev, .size = st->st_size,
        .blksize = (int32_t)st->st_blksize, .blocks = st->st_blocks,
        .atime = st->st_atim.tv_sec, .atime_nsec = (uint64_t)st->st_atim.tv_nsec,
        .mtime = st->st_mtim.tv_sec, .mtime_nsec = (uint64_t)st->st_mtim.tv_nsec,
        .ctime = st->st_ctim.tv_sec, .ctime_nsec = (uint64_t)st->st_ctim.tv_nsec,
    };
    return uspace_write(&proc_of(cpu)->us, addr, &g, sizeof(g));
}

SYSCALL(openat)
{
    struct path_buf pb;
    const char *path;
    int err = guest_host_path(cpu, a[1], &pb, &path);
    if (err < 0)
        return err;
    long fd;
    if (procfs_open(cpu, pb.guest, &fd))
        return fd;
    return host_ret(openat((int)a[0], path, open_flags_to_host(cpu, a[2]), (mode_t)a[3]));
}

#define GUEST_OPEN_HOW_MIN 24   /* struct open_how: flags, mode, resolve */

SYSCALL(openat2)
{
    struct path_buf pb;
    const char *path;
    int err = guest_host_path(cpu, a[1], &pb, &path);
    if (err < 0)
        return err;
    if (a[3] < GUEST_OPEN_HOW_MIN || a[3] > USPACE_PAGE_SIZE)
        return -EINVAL;
    const uint8_t *guest_how = guest_ptr(cpu, a[2], a[3], PROT_READ);
    if (!guest_how)
        return -EFAULT;
    long fd;
    if (procfs_open(cpu, pb.guest, &fd))
        return fd;
    uint8_t how[USPACE_PAGE_SIZE];   /* its flags are the guest's */
    uint64_t flags;
    memcpy(how, guest_how, a[3]);
    memcpy(&flags, how, sizeof(flags));
    flags = (uint64_t)(unsigned)open_flags_to_host(cpu, flags) | (flags >> 32 << 32);
    memcpy(how, &flags, sizeof(flags));
    return host_ret(syscall(SYS_openat2, (int)a[0], path, how, (size_t)a[3]));
}

SYSCALL(newfstatat)
{
    struct path_buf pb;
    const char *path;
    struct stat st;
    kernel_path(cpu, a[1], &pb, &path);
    if (fstatat((int)a[0], path, &st, (int)a[3]) < 0)
        return -errno;
    return stat_to_guest(cpu, a[2], &st);
}

SYSCALL(fstat)
{
    struct stat st;
    if (fstat((int)a[0], &st) < 0)
        return -errno;
    return stat_to_guest(cpu, a[1], &st);
}

#define GUEST_STATX_SIZE 256   /* struct statx: the same on every ABI */

SYSCALL(statx)
{
    struct path_buf pb;
    const char *path;
    int err = guest_host_path(cpu, a[1], &pb, &path);
    if (err < 0)
        return err;
    void *buf = guest_ptr(cpu, a[4], GUEST_STATX_SIZE, PROT_WRITE);
    if (!buf)
        return -EFAULT;
    return host_ret(syscall(SYS_statx, (int)a[0], path, (int)a[2], (unsigned)a[3], buf));
}

SYSCALL(readlinkat)
{
    struct path_buf pb;
    const char *path;
    if ((int)a[3] <= 0)   /* bufsiz is an int, checked first */
        return -EINVAL;
    kernel_path(cpu, a[1], &pb, &path);
    char *buf = kernel_ptr(cpu, a[2], (uint64_t)(int)a[3], PROT_WRITE);
    if (is_self_exe(pb.guest)) {
        size_t len = strlen(proc_of(cpu)->exe_path);
        len = len < a[3] ? len : a[3];
        return uspace_write(&proc_of(cpu)->us, a[2], proc_of(cpu)->exe_path, len) < 0 ? -EFAULT
                                                                                 : (long)len;
    }
    return host_ret(readlinkat((int)a[0], path, buf, (size_t)(int)a[3]));
}

SYSCALL(faccessat)
{
    struct path_buf pb;
    const char *path;
    kernel_path(cpu, a[1], &pb, &path);
    return host_ret(syscall(SYS_faccessat, (int)a[0], path, (int)a[2]));
}

SYSCALL(faccessat2)
{
    struct path_buf pb;
    const char *path;
    kernel_path(cpu, a[1], &pb, &path);
    return host_ret(syscall(SYS_faccessat2, (int)a[0], path, (int)a[2], (int)a[3]));
}

SYSCALL(getcwd)
{
    return host_ret(syscall(SYS_getcwd, kernel_ptr(cpu, a[0], a[1], PROT_WRITE), a[1]));
}

SYSCALL(chdir)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[0], path);
    return err < 0 ? err : host_ret(chdir(path));
}

SYSCALL(mkdirat)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[1], path);
    return err < 0 ? err : host_ret(mkdirat((int)a[0], path, (mode_t)a[2]));
}

SYSCALL(unlinkat)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[1], path);
    return err < 0 ? err : host_ret(unlinkat((int)a[0], path, (int)a[2]));
}

SYSCALL(renameat2)
{
    char from[PATH_MAX], to[PATH_MAX];
    int err = guest_path(cpu, a[1], from);
    if (err == 0)
        err = guest_path(cpu, a[3], to);
    if (err < 0)
        return err;
    return host_ret(syscall(SYS_renameat2, (int)a[0], from, (int)a[2], to, (unsigned)a[4]));
}

SYSCALL(renameat)
{
    char from[PATH_MAX], to[PATH_MAX];
    int err = guest_path(cpu, a[1], from);
    if (err == 0)
        err = guest_path(cpu, a[3], to);
    return err < 0 ? err : host_ret(renameat((int)a[0], from, (int)a[2], to));
}

SYSCALL(fchownat)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[1], path);
    return err < 0 ? err
                   : host_ret(fchownat((int)a[0], path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
}

SYSCALL(mknodat)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[1], path);
    return err < 0 ? err : host_ret(mknodat((int)a[0], path, (mode_t)a[2], (dev_t)a[3]));
}

SYSCALL(truncate)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[0], path);
    return err < 0 ? err : host_ret(truncate(path, (off_t)a[1]));
}

SYSCALL(fchmodat)
{
    char path[PATH_MAX];
    int err = guest_path(cpu, a[1], path);
    return err < 0 ? err : host_ret(syscall(SYS_fchmodat, (int)a[0], path, (mode_t)a[2]));
}

SYSCALL(symlinkat)
{
    char target[PATH_MAX], path[PATH_MAX];
    int err = guest_path(cpu, a[0], target);
    if (err == 0)
        err = guest_path(cpu, a[2], path);
    return err < 0 ? err : host_ret(symlinkat(target, (int)a[1], path));
}

SYSCALL(linkat)
{
    char from[PATH_MAX], to[PATH_MAX];
    int err = guest_path(cpu, a[1], from);
    if (err == 0)
        err = guest_path(cpu, a[3], to);
    return err < 0 ? err : host_ret(linkat((int)a[0], from, (int)a[2], to, (int)a[4]));
}

#define GUEST_TIMESPEC_PAIR_SIZE 32

/* A NULL path sets the times of the fd itself, NULL times means "now". */
SYSCALL(utimensat)
{
    char path[PATH_MAX];
    void *times = NULL;
    int err = a[1] ? guest_path(cpu, a[1], path) : 0;
    if (err < 0)
        return err;
    if (a[2] && !(times = guest_ptr(cpu, a[2], GUEST_TIMESPEC_PAIR_SIZE, PROT_READ)))
        return -EFAULT;
    return host_ret(syscall(SYS_utimensat, (int)a[0], a[1] ? path : NULL, times, (int)a[3]));
}

SYSCALL(umask)
{
    return umask((mode_t)a[0] & 0777);
}
