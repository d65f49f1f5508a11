/* System call results where a bad pointer meets another error, or where a call half succeeds:
 * Linux checks fds and flags before it touches a buffer, returns the bytes done before a bad
 * later iovec, and never reads a pointer it does not need. The expectation is what the same
 * program prints when compiled natively for x86-64 and run on the host kernel (it matches
 * qemu-user where qemu is right; qemu 7.2 gets the EFAULT order and the partial counts wrong
 * in places, so syscall_order.runners names vm alone). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif

/* Unmapped: low in the space, far above anything a program maps, and not a user address. */
#define LOW ((void *)0x10)
#define FAR ((void *)0x500000000000ul)
#define KERNEL ((void *)0xffff800000000000ul)

static void show(const char *what, long r)
{
    printf("%-40s %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

#define CALL(what, expr) (errno = 0, show(what, (long)(expr)))

int main(void)
{
    int p[2];
    setvbuf(stdout, NULL, _IONBF, 0);
    pipe2(p, O_NONBLOCK);

    CALL("writev count 0, wild iov", syscall(SYS_writev, p[1], FAR, 0));
    CALL("writev count 0, kernel iov", syscall(SYS_writev, p[1], KERNEL, 0));
    CALL("write len 0, wild buf", syscall(SYS_write, p[1], FAR, 0));
    CALL("read len 0, wild buf", syscall(SYS_read, p[0], FAR, 0));

    char path[] = "/tmp/vm-order-XXXXXX";
    int f = mkstemp(path);
    unlink(path);
    struct iovec wv[3] = { { "ab", 2 }, { FAR, 3 }, { "cd", 2 } };
    CALL("writev to a file, second iovec wild", syscall(SYS_writev, f, wv, 3));
    CALL("writev to a pipe, second iovec wild", syscall(SYS_writev, p[1], wv, 3));
    char got[8] = "", more[8] = "";
    struct iovec rv[2] = { { got, 1 }, { LOW, 4 } };
    lseek(f, 0, SEEK_SET);
    CALL("readv from a file, second iovec wild", syscall(SYS_readv, f, rv, 2));
    CALL("read what is left", read(f, more, sizeof(more)));
    printf("read: '%s' then '%s'\n", got, more);

    CALL("fstat bad fd, wild buf", syscall(SYS_fstat, -1, FAR));
    CALL("getdents64 bad fd, wild buf", syscall(SYS_getdents64, -1, FAR, 4096));
    CALL("newfstatat missing, wild buf", syscall(SYS_newfstatat, AT_FDCWD, "/nonexistent", FAR, 0));
    CALL("newfstatat not a dir, wild buf", syscall(SYS_newfstatat, AT_FDCWD, "/dev/null/x", FAR, 0));
    CALL("clock_gettime bad clock, wild buf", syscall(SYS_clock_gettime, 12345, FAR));
    CALL("pipe2 bad flags, wild fds", syscall(SYS_pipe2, FAR, 0x7ff00000));
    CALL("ppoll too many fds, wild fds", syscall(SYS_ppoll, FAR, 1ul << 30, NULL, NULL, 8));
    CALL("writev too many iovecs, wild iov", syscall(SYS_writev, p[1], FAR, 2000));
    CALL("writev bad fd, wild iov", syscall(SYS_writev, -1, FAR, 1));
    CALL("readv bad fd, wild iov", syscall(SYS_readv, -1, FAR, 1));

    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    CALL("epoll_ctl bad fd, ADD, wild event", syscall(SYS_epoll_ctl, -1, EPOLL_CTL_ADD, p[0], FAR));
    CALL("epoll_ctl bad fd, DEL, wild event", syscall(SYS_epoll_ctl, -1, EPOLL_CTL_DEL, p[0], FAR));
    CALL("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CALL("epoll_ctl DEL, wild event", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], FAR));
    CALL("epoll_ctl DEL again, wild event", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], FAR));

    CALL("futex WAKE_PRIVATE, unmapped", syscall(SYS_futex, FAR, 129, 1, NULL, NULL, 0));
    CALL("futex WAKE, unmapped", syscall(SYS_futex, FAR, 1, 1, NULL, NULL, 0));

    int d[2];
    CALL("pipe2 O_DIRECT", pipe2(d, O_DIRECT));
    printf("pipe2 O_DIRECT: F_GETFL has O_DIRECT: %d\n", (fcntl(d[0], F_GETFL) & O_DIRECT) != 0);

    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    CALL("madvise MADV_COLD", madvise(m, 8192, MADV_COLD));
    CALL("madvise MADV_PAGEOUT", madvise(m, 8192, MADV_PAGEOUT));
    CALL("prctl PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    CALL("prctl PR_GET_TIMING", prctl(PR_GET_TIMING, 0, 0, 0, 0));
    return 0;
}
