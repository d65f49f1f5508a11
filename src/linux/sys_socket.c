/* Sockets. sockaddr, cmsghdr and the socket options vm passes (ints, timeval, linger) have
 * the host's layout on every 64-bit ABI, so those buffers go through checked; a msghdr holds
 * guest pointers (name, iovecs, control), so it is rebuilt with host ones and its lengths and
 * flags copied back. SCM_RIGHTS fds are host fds, as guest fds are. */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "linux/signal.h"
#include "linux/syscall.h"

#define SOCKADDR_MAX 4096
#define OPTVAL_MAX 4096

struct guest_msghdr {
    uint64_t name;
    uint32_t namelen, pad1;
    uint64_t iov, iovlen;
    uint64_t control, controllen;
    int32_t flags, pad2;
};
_Static_assert(sizeof(struct guest_msghdr) == 56, "struct msghdr is 56 bytes on 64-bit ABIs");

/* A sockaddr the call reads: [addr, addr+len) must be readable. */
static int addr_in(struct cpu *cpu, uint64_t addr, uint64_t len, void **p)
{
    if (!addr) {
        *p = NULL;
        return 0;
    }
    if (len > SOCKADDR_MAX)
        return -EINVAL;
    return (*p = guest_ptr(cpu, addr, len, PROT_READ)) ? 0 : -EFAULT;
}

/* A sockaddr the call writes with its socklen_t at lenp: *len is in and out. */
static int addr_out(struct cpu *cpu, uint64_t addr, uint64_t lenp, void **p, socklen_t **len)
{
    *p = NULL;
    *len = NULL;
    if (!addr)
        return 0;
    socklen_t n;
    if (uspace_read(&proc_of(cpu)->us, lenp, &n, sizeof(n)) < 0 ||
        !(*len = guest_ptr(cpu, lenp, sizeof(socklen_t), PROT_WRITE)))
        return -EFAULT;
    if ((int)n < 0)
        return -EINVAL;
    return (*p = guest_ptr(cpu, addr, n, PROT_WRITE)) ? 0 : -EFAULT;
}

SYSCALL(socketpair)
{
    int *sv = guest_ptr(cpu, a[3], 2 * sizeof(int), PROT_WRITE);
    return sv ? host_ret(socketpair((int)a[0], (int)a[1], (int)a[2], sv)) : -EFAULT;
}

SYSCALL(bind)
{
    void *sa;
    int err = addr_in(cpu, a[1], a[2], &sa);
    return err < 0 ? err : host_ret(bind((int)a[0], sa, (socklen_t)a[2]));
}

SYSCALL(connect)
{
    void *sa;
    int err = addr_in(cpu, a[1], a[2], &sa);
    return err < 0 ? err : sig_syscall(SYS_connect, (int)a[0], sa, (socklen_t)a[2]);
}

SYSCALL(accept4)
{
    void *sa;
    socklen_t *len;
    int err = addr_out(cpu, a[1], a[2], &sa, &len);
    return err < 0 ? err : sig_syscall(SYS_accept4, (int)a[0], sa, len, (int)a[3]);
}

SYSCALL(accept)
{
    const uint64_t b[6] = { a[0], a[1], a[2], 0, 0, 0 };
    return sys_accept4(cpu, b);
}

SYSCALL(getsockname)
{
    void *sa;
    socklen_t *len;
    int err = addr_out(cpu, a[1], a[2], &sa, &len);
    if (err == 0 && !sa)
        err = -EFAULT;
    return err < 0 ? err : host_ret(getsockname((int)a[0], sa, len));
}

SYSCALL(getpeername)
{
    void *sa;
    socklen_t *len;
    int err = addr_out(cpu, a[1], a[2], &sa, &len);
    if (err == 0 && !sa)
        err = -EFAULT;
    return err < 0 ? err : host_ret(getpeername((int)a[0], sa, len));
}

SYSCALL(sendto)
{
    void *buf = guest_ptr(cpu, a[1], a[2], PROT_READ), *sa;
    if (!buf)
        return -EFAULT;
    int err = addr_in(cpu, a[4], a[5], &sa);
    return err < 0 ? err
                   : sig_syscall(SYS_sendto, (int)a[0], buf, a[2], (int)a[3], sa, (socklen_t)a[5]);
}

SYSCALL(recvfrom)
{
    void *buf = guest_ptr(cpu, a[1], a[2], PROT_WRITE), *sa;
    socklen_t *len;
    if (!buf)
        return -EFAULT;
    int err = addr_out(cpu, a[4], a[5], &sa, &len);
    return err < 0 ? err : sig_syscall(SYS_recvfrom, (int)a[0], buf, a[2], (int)a[3], sa, len);
}

SYSCALL(setsockopt)
{
    void *val = NULL;
    if (a[4] > OPTVAL_MAX)
        return -EINVAL;
    if (a[4] && !(val = guest_ptr(cpu, a[3], a[4], PROT_READ)))
        return -EFAULT;
    return host_ret(setsockopt((int)a[0], (int)a[1], (int)a[2], val, (socklen_t)a[4]));
}

SYSCALL(getsockopt)
{
    socklen_t n, *len = guest_ptr(cpu, a[4], sizeof(socklen_t), PROT_WRITE);
    void *val;
    if (!len || uspace_read(&proc_of(cpu)->us, a[4], &n, sizeof(n)) < 0)
        return -EFAULT;
    if (n > OPTVAL_MAX)
        return -EINVAL;
    if (!(val = guest_ptr(cpu, a[3], n, PROT_WRITE)))
        return -EFAULT;
    return host_ret(getsockopt((int)a[0], (int)a[1], (int)a[2], val, len));
}

/* Rebuilds the guest msghdr at addr as a host one; iov has room for GUEST_IOV_MAX. */
static int msghdr_from_guest(struct cpu *cpu, uint64_t addr, struct guest_msghdr *g,
                             struct msghdr *m, struct iovec *iov, int buf_prot)
{
    if (uspace_read(&proc_of(cpu)->us, addr, g, sizeof(*g)) < 0)
        return -EFAULT;
    if (g->iovlen > GUEST_IOV_MAX || g->namelen > SOCKADDR_MAX)
        return -EINVAL;
    int err = iov_from_guest(cpu, g->iov, g->iovlen, buf_prot, iov);
    if (err < 0)
        return err;
    m->msg_name = NULL;
    if (g->name && !(m->msg_name = guest_ptr(cpu, g->name, g->namelen, buf_prot)))
        return -EFAULT;
    m->msg_namelen = g->name ? g->namelen : 0;
    m->msg_iov = iov;
    m->msg_iovlen = g->iovlen;
    m->msg_control = NULL;
    if (g->controllen && !(m->msg_control = guest_ptr(cpu, g->control, g->controllen, buf_prot)))
        return -EFAULT;
    m->msg_controllen = g->controllen;
    m->msg_flags = 0;
    return 0;
}

SYSCALL(sendmsg)
{
    struct guest_msghdr g;
    struct msghdr m;
    struct iovec iov[GUEST_IOV_MAX];
    int err = msghdr_from_guest(cpu, a[1], &g, &m, iov, PROT_READ);
    return err < 0 ? err : sig_syscall(SYS_sendmsg, (int)a[0], &m, (int)a[2]);
}

SYSCALL(recvmsg)
{
    struct guest_msghdr g;
    struct msghdr m;
    struct iovec iov[GUEST_IOV_MAX];
    int err = msghdr_from_guest(cpu, a[1], &g, &m, iov, PROT_WRITE);
    if (err < 0)
        return err;
    long r = sig_syscall(SYS_recvmsg, (int)a[0], &m, (int)a[2]);
    if (r < 0)
        return r;
    g.namelen = m.msg_namelen;
    g.controllen = m.msg_controllen;
    g.flags = m.msg_flags;
    return uspace_write(&proc_of(cpu)->us, a[1], &g, sizeof(g)) < 0 ? -EFAULT : r;
}

/* sendmmsg/recvmmsg: one sendmsg/recvmsg per struct mmsghdr (a msghdr and the length moved),
 * stopping at the first error after some succeeded, as the kernel does. recvmmsg waits for
 * each message unless MSG_WAITFORONE asks it to stop once one has arrived; its timeout is
 * not supported. */
#define GUEST_MMSGHDR_SIZE 64
#define MMSG_MAX 1024

static long mmsg(struct cpu *cpu, const uint64_t *a, bool recv)
{
    unsigned vlen = a[2] > MMSG_MAX ? MMSG_MAX : (unsigned)a[2];
    int flags = (int)a[3];
    unsigned done = 0;
    long r = 0;
    for (; done < vlen; done++) {
        uint64_t hdr = a[1] + (uint64_t)done * GUEST_MMSGHDR_SIZE;
        struct guest_msghdr g;
        struct msghdr m;
        struct iovec iov[GUEST_IOV_MAX];
        if ((r = msghdr_from_guest(cpu, hdr, &g, &m, iov, recv ? PROT_WRITE : PROT_READ)) < 0)
            break;
        int f = recv && done && (flags & MSG_WAITFORONE) ? flags | MSG_DONTWAIT : flags;
        r = recv ? sig_syscall(SYS_recvmsg, (int)a[0], &m, f & ~MSG_WAITFORONE)
                 : sig_syscall(SYS_sendmsg, (int)a[0], &m, f);
        if (r < 0)
            break;
        uint32_t len = (uint32_t)r;
        if (recv) {
            g.namelen = m.msg_namelen;
            g.controllen = m.msg_controllen;
            g.flags = m.msg_flags;
            uspace_write(&proc_of(cpu)->us, hdr, &g, sizeof(g));
        }
        if (uspace_write(&proc_of(cpu)->us, hdr + sizeof(g), &len, sizeof(len)) < 0) {
            r = -EFAULT;
            break;
        }
    }
    return done ? (long)done : r;
}

SYSCALL(sendmmsg)
{
    return mmsg(cpu, a, false);
}

SYSCALL(recvmmsg)
{
    if (a[4] && log_first_time((3ull << 40) | 243))
        log_unimp("vm: recvmmsg timeout not supported (ignored)\n");
    return mmsg(cpu, a, true);
}

