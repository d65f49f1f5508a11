/* The syscall dispatcher: reads the number and arguments through the guest's ABI accessors,
 * finds the row in the process's ABI table, runs it, logs it, and returns the result. */
#include "linux/syscall.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/signal.h"

#define UNIMP_LOGGED_MAX 1024

void log_unimp(const char *fmt, ...)
{
    if (!log_enabled(unimp) && !log_enabled(strace))
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
}

/* Numbers already reported under --log=unimp, so each is logged once. */
static uint8_t unimp_logged[UNIMP_LOGGED_MAX / 8];

static void log_unknown(uint64_t nr)
{
    if (nr < UNIMP_LOGGED_MAX) {
        if (unimp_logged[nr / 8] & (1u << (nr % 8)))
            return;
        unimp_logged[nr / 8] |= (uint8_t)(1u << (nr % 8));
    }
    log_unimp("vm: unimplemented syscall %" PRIu64 " (returns ENOSYS)\n", nr);
}

void syscall_dispatch(struct cpu *cpu)
{
    const struct guest_ops *g = cpu->ops;
    const struct syscall_abi *abi = proc_of(cpu)->abi;
    uint64_t nr = g->syscall_nr(cpu), a[6];
    for (int i = 0; i < 6; i++)
        a[i] = g->syscall_arg(cpu, i);
    const struct syscall_desc *d = nr < abi->count && abi->table[nr].name ? &abi->table[nr] : NULL;
    if (d && d->ret == RET_NONE && log_enabled(strace))
        strace_print(cpu, d, nr, a, 0);
    long ret;
    if (d && d->fn) {
        ret = d->fn(cpu, a);
    } else if (d) {
        ret = host_ret(syscall(d->host_nr, a[0], a[1], a[2], a[3], a[4], a[5]));
    } else {
        log_unknown(nr);
        ret = -ENOSYS;
    }
    if (thread_of(cpu)->exited)
        return;
    if (log_enabled(strace))
        strace_print(cpu, d, nr, a, ret);
    if (ret == -EINTR && d && !(d->flags & SC_NORESTART) && sig_restart(cpu)) {
        cpu->pc -= g->syscall_insn_size;   /* registers still hold the call */
        return;
    }
    g->syscall_ret(cpu, (uint64_t)ret);
}

void *guest_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot)
{
    const struct uspace *us = &proc_of(cpu)->us;
    return uspace_access_ok(us, addr, len, prot) ? uspace_g2h(us, addr) : NULL;
}
