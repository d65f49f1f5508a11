/* Clocks and sleeps. struct timespec and struct timeval are two 64-bit words on every 64-bit
 * ABI, so checked guest buffers are handed to the host kernel as they are. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/signal.h"
#include "linux/syscall.h"

#define GUEST_TIMESPEC_SIZE 16
#define GUEST_TIMEVAL_SIZE 16
#define GUEST_TIMEZONE_SIZE 8

/* Host address of an optional guest buffer: *p is NULL for a NULL guest pointer.
 * Returns false if the pointer is not NULL and not accessible. */
static bool optional_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot, void **p)
{
    *p = addr ? guest_ptr(cpu, addr, len, prot) : NULL;
    return !addr || *p;
}

SYSCALL(clock_gettime)
{
    void *tp = kernel_ptr(cpu, a[1], GUEST_TIMESPEC_SIZE, PROT_WRITE);
    return host_ret(syscall(SYS_clock_gettime, (int)a[0], tp));
}

SYSCALL(clock_settime)
{
    const void *tp = kernel_ptr(cpu, a[1], GUEST_TIMESPEC_SIZE, PROT_READ);
    return host_ret(syscall(SYS_clock_settime, (int)a[0], tp));
}

SYSCALL(clock_getres)
{
    void *tp = kernel_ptr(cpu, a[1], GUEST_TIMESPEC_SIZE, PROT_WRITE);
    return host_ret(syscall(SYS_clock_getres, (int)a[0], tp));
}

SYSCALL(gettimeofday)
{
    void *tv, *tz;
    if (!optional_ptr(cpu, a[0], GUEST_TIMEVAL_SIZE, PROT_WRITE, &tv) ||
        !optional_ptr(cpu, a[1], GUEST_TIMEZONE_SIZE, PROT_WRITE, &tz))
        return -EFAULT;
    return host_ret(syscall(SYS_gettimeofday, tv, tz));
}

SYSCALL(nanosleep)
{
    void *req = kernel_ptr(cpu, a[0], GUEST_TIMESPEC_SIZE, PROT_READ);
    void *rem = kernel_ptr(cpu, a[1], GUEST_TIMESPEC_SIZE, PROT_WRITE);   /* written if woken */
    return sig_syscall(SYS_nanosleep, req, rem);
}

SYSCALL(clock_nanosleep)
{
    void *req = kernel_ptr(cpu, a[2], GUEST_TIMESPEC_SIZE, PROT_READ);
    void *rem = kernel_ptr(cpu, a[3], GUEST_TIMESPEC_SIZE, PROT_WRITE);
    return sig_syscall(SYS_clock_nanosleep, (int)a[0], (int)a[1], req, rem);
}
