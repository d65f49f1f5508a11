/* Sockets: a TCP echo server and client in two processes (fork) over 127.0.0.1 and ::1,
 * UDP with sendto/recvfrom, a unix stream socket bound to a path, socket options, and
 * sendmsg/recvmsg with scattered buffers and an fd passed with SCM_RIGHTS, and several
 * datagrams at once with sendmmsg/recvmmsg. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Serves one connection: echoes what it reads, upper-cased, until EOF. */
static void echo_server(int ls)
{
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    int c = accept4(ls, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
    if (c < 0)
        _exit(2);
    char buf[256];
    ssize_t n;
    while ((n = read(c, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] -= 32;
        write(c, buf, (size_t)n);
    }
    close(c);
    _exit(plen > 0 ? 0 : 3);
}

static void tcp_echo(int family, const char *name)
{
    int ls = socket(family, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        len = sizeof(*in6);
    }
    if (bind(ls, (struct sockaddr *)&ss, len) < 0 || listen(ls, 4) < 0) {
        printf("%s: bind/listen failed\n", name);
        return;
    }
    getsockname(ls, (struct sockaddr *)&ss, &len);
    pid_t pid = fork();
    if (pid == 0)
        echo_server(ls);
    close(ls);
    int c = socket(family, SOCK_STREAM, 0);
    int r = connect(c, (struct sockaddr *)&ss, len);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int nodelay = 0;
    socklen_t olen = sizeof(nodelay);
    getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nodelay, &olen);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    getpeername(c, (struct sockaddr *)&peer, &plen);
    const char *msgs[] = { "hello", "echo server", "over loopback" };
    printf("%s: connect=%d nodelay=%d peer-len-ok=%d\n", name, r, nodelay, plen == len);
    for (int i = 0; i < 3; i++) {
        char buf[64] = { 0 };
        write(c, msgs[i], strlen(msgs[i]));
        size_t got = 0;
        while (got < strlen(msgs[i])) {
            ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        printf("%s: %s -> %s\n", name, msgs[i], buf);
    }
    shutdown(c, SHUT_WR);
    char b;
    printf("%s: eof=%zd\n", name, read(c, &b, 1));
    close(c);
    int status;
    waitpid(pid, &status, 0);
    printf("%s: server status=%d\n", name, WEXITSTATUS(status));
}

static void udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(in);
    bind(b, (struct sockaddr *)&in, len);
    getsockname(b, (struct sockaddr *)&in, &len);
    ssize_t s = sendto(a, "datagram", 8, 0, (struct sockaddr *)&in, len);
    char buf[32] = { 0 };
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ssize_t r = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    printf("udp: sent=%zd got=%zd \"%s\" from-loopback=%d\n", s, r, buf,
           from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    close(a);
    close(b);
}

static void unix_path(void)
{
    char path[] = "/tmp/vm-sock-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    strcpy(un.sun_path, path);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    int r1 = bind(ls, (struct sockaddr *)&un, sizeof(un));
    listen(ls, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    int r2 = connect(c, (struct sockaddr *)&un, sizeof(un));
    int s = accept(ls, NULL, NULL);
    write(c, "via path", 8);
    char buf[16] = { 0 };
    read(s, buf, sizeof(buf));
    printf("unix path: bind=%d connect=%d got \"%s\"\n", r1, r2, buf);
    close(s);
    close(c);
    close(ls);
    unlink(path);
}

static void scm_rights(void)
{
    int sv[2], p[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    char a[] = "scat", b[] = "tered";
    struct iovec iov[2] = { { a, 4 }, { b, 5 } };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
    ssize_t s = sendmsg(sv[0], &m, 0);

    char r1[3] = { 0 }, r2[16] = { 0 };
    struct iovec riov[2] = { { r1, 2 }, { r2, 15 } };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } rctl;
    struct msghdr rm = { .msg_iov = riov, .msg_iovlen = 2, .msg_control = rctl.buf,
                         .msg_controllen = sizeof(rctl.buf) };
    ssize_t r = recvmsg(sv[1], &rm, 0);
    struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
    int fd = -1;
    if (rc && rc->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(rc), sizeof(int));
    write(fd, "through the passed fd", 21);
    char buf[32] = { 0 };
    read(p[0], buf, sizeof(buf));
    printf("scm_rights: sent=%zd got=%zd \"%s|%s\" controllen=%zu new-fd=%d \"%s\"\n", s, r,
           r1, r2, (size_t)rm.msg_controllen, fd != p[1] && fd > 2, buf);
}

static void mmsg(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(in);
    bind(b, (struct sockaddr *)&in, len);
    getsockname(b, (struct sockaddr *)&in, &len);
    connect(a, (struct sockaddr *)&in, len);
    char *words[3] = { "one", "two!", "three" };
    struct iovec iov[3];
    struct mmsghdr out[3];
    memset(out, 0, sizeof(out));
    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = words[i];
        iov[i].iov_len = strlen(words[i]);
        out[i].msg_hdr.msg_iov = &iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    int s = sendmmsg(a, out, 3, 0);
    char bufs[4][16];
    struct iovec riov[4];
    struct mmsghdr inm[4];
    memset(inm, 0, sizeof(inm));
    memset(bufs, 0, sizeof(bufs));
    for (int i = 0; i < 4; i++) {
        riov[i].iov_base = bufs[i];
        riov[i].iov_len = sizeof(bufs[i]) - 1;
        inm[i].msg_hdr.msg_iov = &riov[i];
        inm[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(b, inm, 4, MSG_WAITFORONE, NULL);
    printf("mmsg: sent=%d lens=%u,%u,%u got=%d:", s, out[0].msg_len, out[1].msg_len,
           out[2].msg_len, r);
    for (int i = 0; i < r; i++)
        printf(" %s(%u)", bufs[i], inm[i].msg_len);
    printf("\n");
    close(a);
    close(b);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    tcp_echo(AF_INET, "tcp4");
    tcp_echo(AF_INET6, "tcp6");
    udp();
    unix_path();
    scm_rights();
    mmsg();
    return 0;
}
