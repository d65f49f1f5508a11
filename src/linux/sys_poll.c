/* Waiting on many fds: ppoll, pselect6 and epoll. pollfd, fd_set and timespec have the host's
 * layout; struct epoll_event does not (x86-64 packs it into 12 bytes, riscv64 and aarch64 pad
 * it to 16), so events are converted. A guest signal mask to wait with is the host's too. */
#include <limits.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/safe_syscall.h"
#include "linux/signal.h"
#include "linux/syscall.h"

#define GUEST_POLLFD_SIZE 8
#define GUEST_TIMESPEC_SIZE 16
#define GUEST_SIGSET_SIZE 8
#define EPOLL_BATCH 64

/* Reads an optional guest mask (NULL: wait with the current one). 0, -EFAULT or -EINVAL. */
static int wait_mask(struct cpu *cpu, uint64_t addr, uint64_t size, sigset_t *host,
                     sigset_t **out)
{
    uint64_t mask;
    *out = NULL;
    if (!addr)
        return 0;
    if (size != GUEST_SIGSET_SIZE)
        return -EINVAL;
    if (uspace_read(&proc_of(cpu)->us, addr, &mask, sizeof(mask)) < 0)
        return -EFAULT;
    sig_wait_mask(thread_of(cpu), mask, host);
    *out = host;
    return 0;
}

/* Under the call's own mask a signal that came before the call ends it, as one during it
 * would (without, syscall_make makes the call again after the handler). */
static long wait_done(struct cpu *cpu, sigset_t *mask, long ret)
{
    if (!mask)
        return ret;
    return sig_wait_done(thread_of(cpu), ret == -SAFE_SYSCALL_BEFORE ? -EINTR : ret);
}

/* Linux reads and checks the timeout before the mask, which vm reads (to make it the host's
 * mask) before the host sees the call: so vm checks the timeout first. */
static int check_timeout(struct cpu *cpu, uint64_t addr)
{
    int64_t ts[2];
    if (!addr)
        return 0;
    if (uspace_read(&proc_of(cpu)->us, addr, ts, sizeof(ts)) < 0)
        return -EFAULT;
    return ts[0] < 0 || (uint64_t)ts[1] >= 1000000000u ? -EINVAL : 0;
}

SYSCALL(ppoll)
{
    unsigned nfds = (unsigned)a[1];
    void *fds = kernel_ptr(cpu, a[0], (uint64_t)nfds * GUEST_POLLFD_SIZE, PROT_READ | PROT_WRITE);
    void *timeout = kernel_ptr(cpu, a[2], GUEST_TIMESPEC_SIZE, PROT_READ | PROT_WRITE);
    sigset_t set, *mask;
    int err = check_timeout(cpu, a[2]);
    if (err < 0 || (err = wait_mask(cpu, a[3], a[4], &set, &mask)) < 0)
        return err;
    long r = sig_syscall(SYS_ppoll, fds, nfds, timeout, mask, _NSIG / 8);
    return wait_done(cpu, mask, r);
}

SYSCALL(pselect6)
{
    int n = (int)a[0];
    if (n < 0 || n > FD_SETSIZE * 64)
        return -EINVAL;
    uint64_t bytes = ((uint64_t)n + 63) / 64 * 8;
    void *sets[3] = { NULL, NULL, NULL }, *timeout = NULL;
    for (int i = 0; i < 3; i++)
        if (a[1 + i] && !(sets[i] = guest_ptr(cpu, a[1 + i], bytes, PROT_READ | PROT_WRITE)))
            return -EFAULT;
    if (a[4] && !(timeout = guest_ptr(cpu, a[4], GUEST_TIMESPEC_SIZE, PROT_READ | PROT_WRITE)))
        return -EFAULT;
    uint64_t sig[2] = { 0, 0 };   /* { const sigset_t *ss; size_t ss_len } */
    if (a[5] && uspace_read(&proc_of(cpu)->us, a[5], sig, sizeof(sig)) < 0)
        return -EFAULT;
    sigset_t set, *mask;
    int err = wait_mask(cpu, sig[0], sig[1], &set, &mask);
    if (err < 0)
        return err;
    struct { const sigset_t *ss; size_t len; } host_sig = { mask, _NSIG / 8 };
    long r = sig_syscall(SYS_pselect6, n, sets[0], sets[1], sets[2], timeout,
                         mask ? &host_sig : NULL);
    return wait_done(cpu, mask, r);
}

/* A guest struct epoll_event: events, then data at offset 4 (packed) or 8 (padded). */
static unsigned epoll_data_offset(const struct cpu *cpu)
{
    return proc_of(cpu)->abi->epoll_event_size == 12 ? 4 : 8;
}

SYSCALL(epoll_ctl)
{
    uint8_t g[16];
    struct epoll_event e, *ep = NULL;
    if (a[3] && (int)a[1] != EPOLL_CTL_DEL) {   /* DEL reads no event, as on Linux */
        if (uspace_read(&proc_of(cpu)->us, a[3], g, proc_of(cpu)->abi->epoll_event_size) < 0)
            return -EFAULT;
        memcpy(&e.events, g, sizeof(e.events));
        memcpy(&e.data.u64, g + epoll_data_offset(cpu), sizeof(e.data.u64));
        ep = &e;
    }
    return host_ret(epoll_ctl((int)a[0], (int)a[1], (int)a[2], ep));
}

/* Waits for at most EPOLL_BATCH events at a time (epoll hands out the rest next call). The
 * host kernel checks the descriptor, the count and the events' range in its own order: a
 * count out of the guest's range goes to it as -1, a range outside the space as an address
 * it refuses; events it hands out that the guest cannot take make the call fail with EFAULT,
 * as on Linux. */
static long epoll_wait_common(struct cpu *cpu, const uint64_t *a, bool v2, void *timeout_ts)
{
    const struct uspace *us = &proc_of(cpu)->us;
    unsigned size = proc_of(cpu)->abi->epoll_event_size;
    int max = (int)a[2];
    uint64_t addr = a[1];
    sigset_t set, *mask;
    int err = wait_mask(cpu, a[4], a[5], &set, &mask);
    if (err < 0)
        return err;
    struct epoll_event ev[EPOLL_BATCH], *host_ev = ev;
    if (max <= 0 || max > INT_MAX / (int)size)
        max = -1;
    else if (addr > us->limit || (uint64_t)max * size > us->limit - addr)
        host_ev = uspace_kernel_addr(us, UINT64_MAX);
    else if (max > EPOLL_BATCH)
        max = EPOLL_BATCH;
    long r = v2 ? sig_syscall(SYS_epoll_pwait2, (int)a[0], host_ev, max, timeout_ts, mask,
                              _NSIG / 8)
                : sig_syscall(SYS_epoll_pwait, (int)a[0], host_ev, max, (int)a[3], mask,
                              _NSIG / 8);
    r = wait_done(cpu, mask, r);
    for (long i = 0; i < r; i++) {
        uint8_t g[16] = { 0 };
        memcpy(g, &ev[i].events, sizeof(ev[i].events));
        memcpy(g + epoll_data_offset(cpu), &ev[i].data.u64, sizeof(ev[i].data.u64));
        if (uspace_write(&proc_of(cpu)->us, addr + (uint64_t)i * size, g, size) < 0)
            return i ? i : -EFAULT;
    }
    return r;
}

SYSCALL(epoll_pwait)
{
    return epoll_wait_common(cpu, a, false, NULL);
}

SYSCALL(epoll_pwait2)
{
    void *ts = NULL;
    if (a[3] && !(ts = guest_ptr(cpu, a[3], GUEST_TIMESPEC_SIZE, PROT_READ)))
        return -EFAULT;
    return epoll_wait_common(cpu, a, true, ts);
}
