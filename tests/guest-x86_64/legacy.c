/* x86-64's older system calls, which vm implements as their at-variants or newer twins, made
 * raw without a C library: open, creat, stat, lstat, access, readlink, mkdir, rmdir, unlink,
 * rename, link, symlink, chmod, pipe, dup2, poll, select, getdents, time, utime, utimes,
 * epoll_create, epoll_wait, eventfd, fork, getpgrp, alarm. Each result is printed as ok/FAIL
 * against what Linux returns; the native run is the oracle. */
typedef unsigned long u64;

static long sys6(long n, long a, long b, long c, long d, long e)
{
    long r;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    asm volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory");
    return r;
}
#define sys(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0)

static u64 len(const char *s)
{
    u64 n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    sys(1, 1, s, len(s));
}

#define check(name, cond) do { if (cond) say("ok " name "\n"); else say("FAIL " name "\n"); } while (0)

enum {
    NR_read = 0, NR_write = 1, NR_open = 2, NR_close = 3, NR_stat = 4, NR_fstat = 5, NR_lstat = 6,
    NR_poll = 7, NR_access = 21, NR_pipe = 22, NR_select = 23, NR_dup2 = 33, NR_pause = 34,
    NR_alarm = 37, NR_getpid = 39, NR_fork = 57, NR_exit = 60, NR_wait4 = 61,
    NR_getdents = 78, NR_chdir = 80, NR_rename = 82, NR_mkdir = 83, NR_rmdir = 84,
    NR_creat = 85, NR_link = 86, NR_unlink = 87, NR_symlink = 88, NR_readlink = 89,
    NR_chmod = 90, NR_getpgrp = 111, NR_utime = 132, NR_time = 201, NR_epoll_create = 213,
    NR_epoll_wait = 232, NR_epoll_ctl = 233, NR_utimes = 235, NR_exit_group = 231,
    NR_eventfd = 284,
};

/* 1 if a and b are the same string. */
static int same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    if (*a != *b)
        return 0;
    return 1;
}

/* A directory of our own in /tmp: /tmp/vm-x64-legacy-<pid>. */
static char dir[64];

static void make_dir_name(void)
{
    const char *prefix = "/tmp/vm-x64-legacy-";
    u64 i = 0, pid = (u64)sys(NR_getpid, 0, 0, 0);
    while (prefix[i])
        dir[i] = prefix[i], i++;
#define DIGIT(ten) do { char d = '0'; while (pid >= ten) pid -= ten, d++; dir[i++] = d; } while (0)
    DIGIT(1000000000); DIGIT(100000000); DIGIT(10000000); DIGIT(1000000); DIGIT(100000);
    DIGIT(10000); DIGIT(1000); DIGIT(100); DIGIT(10); DIGIT(1);
    dir[i] = 0;
}

void start_c(void)
{
    make_dir_name();
    check("mkdir", sys(NR_mkdir, dir, 0700, 0) == 0);
    check("mkdir again: EEXIST", sys(NR_mkdir, dir, 0700, 0) == -17);
    check("chdir", sys(NR_chdir, dir, 0, 0) == 0);

    long fd = sys(NR_creat, "a", 0600, 0);
    check("creat", fd >= 0);
    check("write", sys(NR_write, fd, "hello", 5) == 5);
    sys(NR_close, fd, 0, 0);
    fd = sys(NR_open, "a", 0, 0);
    char buf[64];
    check("open", fd >= 0);
    check("read", sys(NR_read, fd, buf, 64) == 5 && buf[0] == 'h' && buf[4] == 'o');
    check("open missing: ENOENT", sys(NR_open, "missing", 0, 0) == -2);
    check("open O_CREAT|O_EXCL existing: EEXIST", sys(NR_open, "a", 0100 | 0200 | 1, 0600) == -17);

    u64 st[18];
    check("stat", sys(NR_stat, "a", st, 0) == 0 && st[6] == 5 && (st[3] & 0170000) == 0100000);
    check("fstat", sys(NR_fstat, fd, st, 0) == 0 && st[6] == 5);
    check("symlink", sys(NR_symlink, "a", "s", 0) == 0);
    check("lstat", sys(NR_lstat, "s", st, 0) == 0 && (st[3] & 0170000) == 0120000);
    check("stat through the link", sys(NR_stat, "s", st, 0) == 0 && (st[3] & 0170000) == 0100000);
    check("readlink", sys(NR_readlink, "s", buf, 64) == 1 && buf[0] == 'a');
    check("access", sys(NR_access, "a", 4, 0) == 0);
    check("access missing: ENOENT", sys(NR_access, "b", 0, 0) == -2);
    check("chmod", sys(NR_chmod, "a", 0400, 0) == 0);
    check("stat after chmod", sys(NR_stat, "a", st, 0) == 0 && (st[3] & 0777) == 0400);
    check("link", sys(NR_link, "a", "b", 0) == 0);
    check("nlink 2", sys(NR_stat, "a", st, 0) == 0 && st[2] == 2);
    check("rename", sys(NR_rename, "b", "c", 0) == 0);
    check("stat renamed", sys(NR_stat, "c", st, 0) == 0);
    u64 times[2] = { 1000000000, 1234567890 };
    check("utime", sys(NR_utime, "c", times, 0) == 0);
    check("mtime from utime", sys(NR_stat, "c", st, 0) == 0 && st[11] == 1234567890 && st[12] == 0);
    u64 tv[4] = { 1000000000, 0, 1234567891, 500000 };
    check("utimes", sys(NR_utimes, "c", tv, 0) == 0);
    check("mtime from utimes", sys(NR_stat, "c", st, 0) == 0 && st[11] == 1234567891 &&
          st[12] == 500000000);
    tv[1] = 1000000;
    check("utimes bad usec: EINVAL", sys(NR_utimes, "c", tv, 0) == -22);
    check("mkdir sub", sys(NR_mkdir, "d", 0700, 0) == 0);

    long dfd = sys(NR_open, ".", 0200000, 0);   /* O_DIRECTORY */
    char dents[1024];
    long n = sys(NR_getdents, dfd, dents, sizeof(dents));
    int names = 0, types_ok = 1;
    for (long off = 0; off < n;) {
        unsigned short reclen = *(unsigned short *)(dents + off + 16);
        const char *name = dents + off + 18;
        char type = dents[off + reclen - 1];
        if (same(name, "a") || same(name, "c"))
            names++, types_ok &= type == 8;         /* DT_REG */
        if (same(name, "s"))
            names++, types_ok &= type == 10;        /* DT_LNK */
        if (same(name, "d"))
            names++, types_ok &= type == 4;         /* DT_DIR */
        off += reclen;
    }
    check("getdents names", names == 4);
    check("getdents types in the last byte", types_ok);
    sys(NR_close, dfd, 0, 0);

    int p[2];
    check("pipe", sys(NR_pipe, p, 0, 0) == 0);
    check("dup2", sys(NR_dup2, p[1], 9, 0) == 9);
    check("dup2 onto itself", sys(NR_dup2, 9, 9, 0) == 9);
    check("dup2 of a closed fd: EBADF", sys(NR_dup2, 200, 200, 0) == -9);
    check("write the dup", sys(NR_write, 9, "x", 1) == 1);
    struct { int fd; short events, revents; } pfd = { p[0], 1, 0 };
    check("poll", sys(NR_poll, &pfd, 1, 1000) == 1 && pfd.revents == 1);
    static const u64 bits[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
    u64 set = bits[p[0]];
    u64 tmo[2] = { 5, 0 };
    check("select", sys6(NR_select, p[0] + 1, (long)&set, 0, 0, (long)tmo) == 1);
    sys(NR_read, p[0], buf, 1);
    pfd.revents = 0;
    check("poll timeout", sys(NR_poll, &pfd, 1, 10) == 0);

    long ep = sys(NR_epoll_create, 1, 0, 0);
    check("epoll_create", ep >= 0);
    check("epoll_create 0: EINVAL", sys(NR_epoll_create, 0, 0, 0) == -22);
    long efd = sys(NR_eventfd, 3, 0, 0);
    unsigned ev[3] = { 1, 7, 0 };
    check("epoll_ctl", sys6(NR_epoll_ctl, ep, 1, efd, (long)ev, 0) == 0);
    unsigned out[3] = { 0, 0, 0 };
    check("epoll_wait", sys6(NR_epoll_wait, ep, (long)out, 1, 100, 0) == 1 && out[1] == 7);
    u64 count = 0;
    check("eventfd count", sys(NR_read, efd, &count, 8) == 8 && count == 3);

    u64 t = 0;
    check("time", sys(NR_time, &t, 0, 0) == (long)t && t > 1000000000);
    check("getpgrp", sys(NR_getpgrp, 0, 0, 0) > 0);
    check("alarm", sys(NR_alarm, 100, 0, 0) == 0);
    check("alarm left", sys(NR_alarm, 0, 0, 0) == 100);

    long pid = sys(NR_fork, 0, 0, 0);
    if (pid == 0)
        sys(NR_exit, 5, 0, 0);
    int status = 0;
    check("fork and wait4", pid > 0 && sys6(NR_wait4, pid, (long)&status, 0, 0, 0) == pid &&
          status == 0x500);

    check("unlink", sys(NR_unlink, "a", 0, 0) == 0);
    sys(NR_unlink, "c", 0, 0);
    sys(NR_unlink, "s", 0, 0);
    check("rmdir non-empty: ENOTEMPTY", sys(NR_chdir, "/tmp", 0, 0) == 0 && sys(NR_rmdir, dir, 0, 0) == -39);
    check("rmdir sub via path", sys(NR_chdir, dir, 0, 0) == 0 && sys(NR_rmdir, "d", 0, 0) == 0);
    sys(NR_chdir, "/", 0, 0);
    check("rmdir", sys(NR_rmdir, dir, 0, 0) == 0);
    sys(NR_exit_group, 0, 0, 0);
}

asm(".globl _start\n_start: and $-16, %rsp\n call start_c\n");
