/* Files and I/O: the *at() calls in a scratch directory, stat/statx layouts, getdents64,
 * links, modes and times; pipes with FIONREAD, poll, select and epoll (whose event struct is
 * converted); eventfd, timerfd, signalfd and inotify; sendfile and copy_file_range;
 * /proc/self/maps and cmdline; prlimit, getrandom, uname; and EFAULT for wild buffers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

static int data_word = 1;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(int dfd)
{
    char buf[4096], *names[32];
    int n = 0;
    long len;
    while ((len = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < len;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (n < 32)
                names[n++] = strdup(d->d_name);
            off += d->d_reclen;
        }
    }
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    printf("dir:");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/vm-files-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);

    /* *at() calls */
    int fd = openat(dfd, "a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("write: %zd\n", write(fd, "hello, files\n", 13));
    close(fd);
    printf("mkdirat: %d\n", mkdirat(dfd, "sub", 0755));
    printf("symlinkat: %d\n", symlinkat("a.txt", dfd, "link"));
    printf("linkat: %d\n", linkat(dfd, "a.txt", dfd, "hard", 0));
    printf("renameat: %d\n", renameat(dfd, "hard", dfd, "sub/hard"));
    char target[64] = { 0 };
    ssize_t rl_len = readlinkat(dfd, "link", target, sizeof(target));
    printf("readlinkat: %zd %s\n", rl_len, target);
    printf("fchmodat: %d\n", fchmodat(dfd, "a.txt", 0600, 0));
    struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
    printf("utimensat: %d\n", utimensat(dfd, "a.txt", times, 0));
    struct stat st;
    int r = fstatat(dfd, "a.txt", &st, 0);
    printf("fstatat: %d size=%lld reg=%d mode=%o nlink=%d mtime=%lld.%ld\n",
           r, (long long)st.st_size, S_ISREG(st.st_mode),
           st.st_mode & 07777, (int)st.st_nlink, (long long)st.st_mtim.tv_sec,
           st.st_mtim.tv_nsec);
    r = fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW);
    printf("lstat link: %d islnk=%d\n", r, S_ISLNK(st.st_mode));
    struct statx sx;
    r = statx(dfd, "sub/hard", 0, STATX_BASIC_STATS, &sx);
    printf("statx: %d size=%llu has-size=%d mode=%o\n", r, (unsigned long long)sx.stx_size,
           !!(sx.stx_mask & STATX_SIZE), sx.stx_mode & 07777);
    r = faccessat(dfd, "a.txt", R_OK, 0);
    printf("faccessat: %d %d\n", r, faccessat(dfd, "nope", F_OK, 0) < 0 && errno == ENOENT);
    list_dir(dfd);

    /* fds */
    int p[2];
    pipe2(p, O_CLOEXEC);
    printf("cloexec: %d\n", fcntl(p[0], F_GETFD) & FD_CLOEXEC);
    int d = dup3(p[1], 100, 0);
    printf("dup3: %d cloexec=%d\n", d, fcntl(d, F_GETFD) & FD_CLOEXEC);
    write(d, "abcdef", 6);
    close(d);
    int avail = 0;
    r = ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d %d\n", r, avail);
    struct termios tio;
    printf("TCGETS on a pipe: %s\n", tcgetattr(p[0], &tio) < 0 && errno == ENOTTY ? "ENOTTY" : "?");
    struct pollfd pfd = { p[0], POLLIN, 0 };
    r = poll(&pfd, 1, 0);
    printf("poll: %d revents=%#x\n", r, pfd.revents);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval tv = { 0, 0 };
    r = select(p[0] + 1, &rs, NULL, NULL, &tv);
    printf("select: %d isset=%d\n", r, FD_ISSET(p[0], &rs));

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ull };
    printf("epoll_ctl: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event out[4];
    memset(out, 0, sizeof(out));
    int n = epoll_wait(ep, out, 4, 1000);
    printf("epoll_wait: %d events=%#x data=%#llx\n", n, out[0].events,
           (unsigned long long)out[0].data.u64);
    close(ep);

    int efd = eventfd(0, 0);
    uint64_t v = 3;
    write(efd, &v, 8);
    v = 0;
    read(efd, &v, 8);
    printf("eventfd: %llu\n", (unsigned long long)v);

    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = { { 0, 0 }, { 0, 10000000 } };
    printf("timerfd_settime: %d\n", timerfd_settime(tfd, 0, &its, NULL));
    v = 0;
    read(tfd, &v, 8);
    printf("timerfd expirations: %llu\n", (unsigned long long)v);

    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int sfd = signalfd(-1, &m, 0);
    raise(SIGUSR1);
    struct signalfd_siginfo ssi;
    ssize_t sn = read(sfd, &ssi, sizeof(ssi));
    printf("signalfd: %zd signo=%u\n", sn, ssi.ssi_signo);

    int in = inotify_init1(0);
    inotify_add_watch(in, dir, IN_CREATE);
    close(openat(dfd, "new.txt", O_CREAT | O_WRONLY, 0644));
    char ibuf[512];
    ssize_t il = read(in, ibuf, sizeof(ibuf));
    struct inotify_event *ie = (struct inotify_event *)ibuf;
    printf("inotify: %d create=%d name=%s\n", il > 0, !!(ie->mask & IN_CREATE), ie->name);

    /* copies */
    int src = openat(dfd, "a.txt", O_RDONLY);
    int dst = openat(dfd, "b.txt", O_CREAT | O_RDWR, 0644);
    off_t off = 7;
    ssize_t sent = sendfile(dst, src, &off, 100);
    printf("sendfile: %zd off=%lld\n", sent, (long long)off);
    loff_t in_off = 0;
    printf("copy_file_range: %zd\n", copy_file_range(src, &in_off, dst, NULL, 5, 0));
    char got[32] = { 0 };
    pread(dst, got, sizeof(got) - 1, 0);
    printf("copied: \"%s\"\n", got);

    /* /proc/self/maps shows the guest's mapping of data_word */
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && fgets(line, sizeof(line), maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
            (uintptr_t)&data_word >= lo && (uintptr_t)&data_word < hi)
            found = perms[0] == 'r' && perms[1] == 'w';
    }
    printf("maps: data is rw=%d\n", found);
    if (maps)
        fclose(maps);

    /* /proc/self/cmdline is the guest's argv */
    char cl[4096], want[4096];
    size_t wl = 0;
    for (int i = 0; i < argc && wl + strlen(argv[i]) + 1 < sizeof(want); i++) {
        memcpy(want + wl, argv[i], strlen(argv[i]) + 1);
        wl += strlen(argv[i]) + 1;
    }
    int cfd = open("/proc/self/cmdline", O_RDONLY);
    ssize_t cn = read(cfd, cl, sizeof(cl));
    close(cfd);
    printf("cmdline: matches argv=%d\n", cn == (ssize_t)wl && !memcmp(cl, want, wl));

    /* limits, randomness, names */
    struct rlimit rl;
    printf("prlimit: %d\n", prlimit(0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur > 0);
    char rnd[16];
    printf("getrandom: %zd\n", getrandom(rnd, sizeof(rnd), 0));
    struct utsname u;
    uname(&u);
    printf("uname: %s\n", u.machine);

    /* wild pointers fail with EFAULT */
    void *volatile wild = (void *)16;
    errno = 0;
    sn = read(src, wild, 10);
    printf("read wild: %zd %s\n", sn, errno == EFAULT ? "EFAULT" : "?");
    errno = 0;
    sn = write(dst, wild, 10);
    printf("write wild: %zd %s\n", sn, errno == EFAULT ? "EFAULT" : "?");
    errno = 0;
    r = stat(wild, &st);
    printf("stat wild: %d %s\n", r, errno == EFAULT ? "EFAULT" : "?");

    /* clean up */
    unlinkat(dfd, "sub/hard", 0);
    unlinkat(dfd, "sub", AT_REMOVEDIR);
    unlinkat(dfd, "a.txt", 0);
    unlinkat(dfd, "b.txt", 0);
    unlinkat(dfd, "new.txt", 0);
    unlinkat(dfd, "link", 0);
    printf("rmdir: %d\n", rmdir(dir));
    return 0;
}
