/* System calls with edge-case arguments, built for each guest and natively for the host:
 * vm's output must equal the native run's. Only calls whose generic (riscv64, aarch64) and
 * x86-64 ABIs agree are made, and only what does not vary between two runs is printed: the
 * result, or the errno, with file descriptors, addresses and other varying results shown by
 * kind ("fd", "addr", ">=0").
 *
 * Usage: wild_syscalls SEED COUNT [all]
 * Without "all", pointers and sizes are all good ones; with it, bad ones too. The arguments
 * are drawn from small sets of interesting values per kind: fds (bad, closed, a file, a
 * directory, a pipe, an epoll fd), pointers (NULL, wild, unmapped, the last bytes before an
 * unmapped page, a read-only page, a good buffer), sizes and flags. The buffers sit at fixed
 * addresses far from both ends of the address space, so whether a pointer plus a size leaves
 * the user space does not depend on where the host's randomized layout would put them. The
 * program works in a fresh temporary directory that it removes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define BUF_AT (1ul << 44)   /* 16 TiB: free in every user space of 47 bits or more */

enum kind { K_FD, K_PTR, K_RPTR, K_LEN, K_FLAGS, K_OFLAGS, K_INT, K_OFF, K_NONE };
enum result { R_INT, R_FD, R_ADDR, R_ANY };

struct call {
    const char *name;
    long nr;
    enum result result;
    enum kind args[6];
};

static const struct call calls[] = {
    { "read", SYS_read, R_INT, { K_FD, K_PTR, K_LEN, K_NONE } },
    { "write", SYS_write, R_INT, { K_FD, K_PTR, K_LEN, K_NONE } },   /* from a string, how much
        is written would depend on the program's layout */
    { "pread64", SYS_pread64, R_INT, { K_FD, K_PTR, K_LEN, K_OFF, K_NONE } },
    { "pwrite64", SYS_pwrite64, R_INT, { K_FD, K_PTR, K_LEN, K_OFF, K_NONE } },
    { "readv", SYS_readv, R_INT, { K_FD, K_PTR, K_INT, K_NONE } },   /* an iovec array: no strings */
    { "writev", SYS_writev, R_INT, { K_FD, K_PTR, K_INT, K_NONE } },
    { "lseek", SYS_lseek, R_INT, { K_FD, K_OFF, K_INT, K_NONE } },
    { "fstat", SYS_fstat, R_INT, { K_FD, K_PTR, K_NONE } },
    { "newfstatat", SYS_newfstatat, R_INT, { K_FD, K_RPTR, K_PTR, K_FLAGS, K_NONE } },
    { "getdents64", SYS_getdents64, R_ANY, { K_FD, K_PTR, K_LEN, K_NONE } },
    { "dup", SYS_dup, R_FD, { K_FD, K_NONE } },
    { "dup3", SYS_dup3, R_FD, { K_FD, K_INT, K_OFLAGS, K_NONE } },
    { "fcntl", SYS_fcntl, R_ANY, { K_FD, K_INT, K_INT, K_NONE } },
    { "pipe2", SYS_pipe2, R_INT, { K_PTR, K_OFLAGS, K_NONE } },
    { "clock_gettime", SYS_clock_gettime, R_INT, { K_INT, K_PTR, K_NONE } },
    { "clock_getres", SYS_clock_getres, R_INT, { K_INT, K_PTR, K_NONE } },
    { "nanosleep", SYS_nanosleep, R_INT, { K_RPTR, K_PTR, K_NONE } },
    { "getcwd", SYS_getcwd, R_ANY, { K_PTR, K_LEN, K_NONE } },
    { "mmap", SYS_mmap, R_ADDR, { K_PTR, K_LEN, K_INT, K_FLAGS, K_FD, K_OFF } },
    { "mprotect", SYS_mprotect, R_INT, { K_PTR, K_LEN, K_INT, K_NONE } },
    { "madvise", SYS_madvise, R_INT, { K_PTR, K_LEN, K_INT, K_NONE } },
    { "mincore", SYS_mincore, R_INT, { K_PTR, K_LEN, K_PTR, K_NONE } },
    { "msync", SYS_msync, R_INT, { K_PTR, K_LEN, K_FLAGS, K_NONE } },
    { "futex", SYS_futex, R_ANY, { K_PTR, K_INT, K_INT, K_RPTR, K_NONE } },
    { "rt_sigprocmask", SYS_rt_sigprocmask, R_INT, { K_INT, K_RPTR, K_PTR, K_LEN, K_NONE } },
    { "sigaltstack", SYS_sigaltstack, R_INT, { K_RPTR, K_PTR, K_NONE } },
    { "prlimit64", SYS_prlimit64, R_INT, { K_INT, K_INT, K_RPTR, K_PTR, K_NONE } },
    { "epoll_ctl", SYS_epoll_ctl, R_INT, { K_FD, K_INT, K_FD, K_RPTR, K_NONE } },
    { "epoll_pwait", SYS_epoll_pwait, R_INT, { K_FD, K_PTR, K_INT, K_INT, K_RPTR, K_LEN } },
    { "ppoll", SYS_ppoll, R_INT, { K_PTR, K_INT, K_RPTR, K_RPTR, K_LEN, K_NONE } },
    { "eventfd2", SYS_eventfd2, R_FD, { K_INT, K_OFLAGS, K_NONE } },
    { "faccessat", SYS_faccessat, R_INT, { K_FD, K_RPTR, K_INT, K_NONE } },
    { "readlinkat", SYS_readlinkat, R_ANY, { K_FD, K_RPTR, K_PTR, K_LEN, K_NONE } },
    { "openat", SYS_openat, R_FD, { K_FD, K_RPTR, K_OFLAGS, K_INT, K_NONE } },
    { "prctl", SYS_prctl, R_ANY, { K_INT, K_INT, K_INT, K_INT, K_INT, K_NONE } },
    { "getrandom", SYS_getrandom, R_ANY, { K_PTR, K_LEN, K_FLAGS, K_NONE } },
    { "memfd_create", SYS_memfd_create, R_FD, { K_RPTR, K_FLAGS, K_NONE } },
    { "timerfd_create", SYS_timerfd_create, R_FD, { K_INT, K_OFLAGS, K_NONE } },
};

/* ---- the values of each kind ---- */

static uint64_t state;

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int fds[6];                    /* file, directory, pipe read/write end, epoll, closed */
static uint8_t *buf;                  /* a good buffer of 2 pages, then an unmapped page */
static uint8_t *ro;                   /* a read-only page */
static bool wild_pointers;            /* "all": bad pointers too */
static const char *paths[] = { "file", "dir", "missing", "", "dir/../file", "/" };

static bool is_path(long a)
{
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (a == (long)paths[i])
            return true;
    return false;
}

/* One value of kind k, and a word for it. */
static long value(enum kind k, char *what, size_t n)
{
    uint64_t r = rnd() % 8;
    switch (k) {
    case K_FD: {
        static const int bad[] = { -1, 1000, -100 /* AT_FDCWD */ };
        if (r < 6) {
            snprintf(what, n, "fd%d", (int)r);
            return fds[r];
        }
        snprintf(what, n, "fd=%d", bad[r % 3]);
        return bad[r % 3];
    }
    case K_PTR:
    case K_RPTR: {
        if (!wild_pointers)   /* a good buffer, or a string for the pointers read */
            r = k == K_RPTR && r % 2 ? 5 : 6;
        switch (r) {
        case 0: snprintf(what, n, "NULL"); return 0;
        case 1: snprintf(what, n, "wild"); return (long)0xdead0000000ull;
        case 2: snprintf(what, n, "-1"); return -1;
        case 3: snprintf(what, n, "end-1"); return (long)(buf + 2 * PAGE - 1);
        case 4: snprintf(what, n, "ro"); return (long)ro;
        case 5:
            if (k == K_RPTR) {   /* a path or a string */
                const char *p = paths[rnd() % (sizeof(paths) / sizeof(paths[0]))];
                snprintf(what, n, "\"%s\"", p);
                return (long)p;
            }
            /* fall through */
        default: snprintf(what, n, "buf"); return (long)buf;
        }
    }
    case K_LEN: {
        static const long lens[] = { 0, 1, 8, 16, PAGE, PAGE + 1, 1L << 40, -1 };
        if (!wild_pointers)   /* no longer than the buffers */
            r %= 6;
        snprintf(what, n, "%ld", lens[r]);
        return lens[r];
    }
    case K_FLAGS: {   /* flags whose values all three ABIs share */
        static const long flags[] = { 0, -1, 0x80000, 0x800, 0x4000, 0x40000000, 1, 2 };
        snprintf(what, n, "%#lx", flags[r]);
        return flags[r];
    }
    case K_OFLAGS: {   /* open(2) flags, by name: O_DIRECT is not the same bit on every ISA */
        static const long flags[] = { 0, -1, O_CLOEXEC, O_NONBLOCK, O_DIRECT, 0x40000000, 1, 2 };
        static const char *const names[] = { "0", "-1", "O_CLOEXEC", "O_NONBLOCK", "O_DIRECT",
                                             "0x40000000", "1", "2" };
        snprintf(what, n, "%s", names[r]);
        return flags[r];
    }
    case K_INT: {
        static const long ints[] = { 0, 1, 2, 3, -1, 8, 0x7fffffff, 100 };
        long v = r == 7 ? (long)(rnd() % 64) : ints[r];
        snprintf(what, n, "%ld", v);
        return v;
    }
    case K_OFF: {
        static const long offs[] = { 0, 1, -1, PAGE, 1L << 62, -PAGE, 7, 0x7fffffffffffffff };
        snprintf(what, n, "%ld", offs[r]);
        return offs[r];
    }
    case K_NONE:
        break;
    }
    what[0] = 0;
    return 0;
}

/* Fresh descriptors and buffers for every case, so one case cannot change the next. */
static void setup(void)
{
    for (int i = 0; i < 6; i++)
        if (fds[i] > 2)
            close(fds[i]);
    fds[0] = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (write(fds[0], "0123456789abcdef", 16) != 16)
        exit(3);
    lseek(fds[0], 0, SEEK_SET);
    fds[1] = open("dir", O_RDONLY | O_DIRECTORY);
    int p[2];
    if (pipe(p) != 0 || write(p[1], "pipe", 4) != 4)
        exit(3);
    fds[2] = p[0];
    fds[3] = p[1];
    fds[4] = epoll_create1(0);
    fds[5] = dup(0);
    close(fds[5]);   /* a closed descriptor */
    memset(buf, 0, 2 * PAGE);
}

/* Arguments that would end or block the program, or change what the next cases see (the
 * standard descriptors, the buffers' mappings, the signal state, the limits, the umask). */
static bool skip(const struct call *c, const long a[6])
{
    int op = (int)(a[1] & 0x7f);
    switch (c->nr) {
    case SYS_futex:
        return op != FUTEX_WAKE && (op != FUTEX_WAIT || a[3] == 0 || is_path(a[3]));
    case SYS_rt_sigprocmask:
        return a[1] != 0;
    case SYS_sigaltstack:
        return a[0] != 0;
    case SYS_prlimit64:
        return a[2] != 0;
    case SYS_prctl:
        return a[0] != PR_GET_DUMPABLE && a[0] != PR_GET_NAME && a[0] != PR_GET_SECUREBITS &&
               a[0] != PR_GET_TIMING;
    case SYS_nanosleep:
        return is_path(a[0]);
    case SYS_ppoll:
        return a[2] == 0 || is_path(a[2]);
    case SYS_epoll_pwait:
        return a[3] != 0 && a[0] == fds[4];
    case SYS_mprotect:
    case SYS_madvise:
    case SYS_msync:
        return a[0] == (long)buf || a[0] == (long)ro;
    case SYS_mmap:
        return a[3] & MAP_FIXED;
    case SYS_read:
        return a[0] == 0;
    case SYS_dup3:
        return a[1] >= 0 && a[1] <= 2;
    case SYS_fcntl:
        return a[1] != F_GETFD && a[1] != F_GETFL && a[1] != F_DUPFD && a[1] != F_DUPFD_CLOEXEC;
    }
    return false;
}

static const char *errno_name(int e)
{
    static char other[16];
    switch (e) {
#define E(x) case x: return #x;
        E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(EAGAIN)
        E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR)
        E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC) E(ESPIPE)
        E(EROFS) E(EMLINK) E(EPIPE) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP)
        E(EOVERFLOW) E(EOPNOTSUPP) E(ETIMEDOUT) E(ENOTSOCK)
#undef E
    }
    snprintf(other, sizeof(other), "errno %d", e);
    return other;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: wild_syscalls SEED COUNT [all]\n");
        return 2;
    }
    state = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull | 1;
    long count = atol(argv[2]);
    bool all = argc > 3 && strcmp(argv[3], "all") == 0;
    wild_pointers = all;
    char dir[] = "/tmp/wild_syscalls.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir) != 0 || mkdir("dir", 0755) != 0) {
        perror("wild_syscalls: temporary directory");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    buf = mmap((void *)BUF_AT, 3 * PAGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    ro = mmap((void *)(BUF_AT + (1 << 20)), PAGE, PROT_READ,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (buf != (void *)BUF_AT || ro != (void *)(BUF_AT + (1 << 20))) {
        perror("wild_syscalls: the buffers");
        return 2;
    }
    munmap(buf + 2 * PAGE, PAGE);
    const size_t n_calls = sizeof(calls) / sizeof(calls[0]);
    for (long i = 0; i < count; i++) {
        const struct call *c = &calls[rnd() % n_calls];
        setup();
        long a[6] = { 0 };
        char text[6][64], line[512];
        int len = snprintf(line, sizeof(line), "%ld %s(", i, c->name);
        for (int j = 0; j < 6 && c->args[j] != K_NONE; j++) {
            a[j] = value(c->args[j], text[j], sizeof(text[j]));
            len += snprintf(line + len, sizeof(line) - len, "%s%s", j ? ", " : "", text[j]);
        }
        if (skip(c, a))
            continue;
        errno = 0;
        long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == -1)
            printf("%s) = %s\n", line, errno_name(errno));
        else if (c->result == R_INT)
            printf("%s) = %ld\n", line, r);
        else if (c->result == R_FD)
            printf("%s) = fd\n", line);
        else if (c->result == R_ADDR)
            printf("%s) = addr\n", line);
        else
            printf("%s) = >=0\n", line);
        /* Leave nothing for the next cases: no new descriptor (vm holds descriptors of its
         * own, so running out would come sooner), no mapping, no file. */
        if (r >= 0 && (c->result == R_FD || (c->nr == SYS_fcntl && a[1] != F_GETFD && a[1] != F_GETFL)))
            close((int)r);
        if (r == 0 && c->nr == SYS_pipe2 && a[0] == (long)buf) {
            close(((int *)buf)[0]);
            close(((int *)buf)[1]);
        }
        if (c->nr == SYS_mmap && r != -1)
            munmap((void *)r, a[1]);
        unlink("missing");
        rmdir("missing");
    }
    for (int i = 0; i < 6; i++)
        if (fds[i] > 2)
            close(fds[i]);
    unlink("file");
    rmdir("dir");
    if (chdir("/") != 0 || rmdir(dir) != 0)
        perror("wild_syscalls: removing the temporary directory");
    return 0;
}
