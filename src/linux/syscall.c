/* The syscall dispatcher: reads the number and arguments through the guest's ABI accessors,
 * finds the row in the process's ABI table, runs it, logs it, and returns the result. */
#include "linux/syscall.h"

#include <inttypes.h>

#include "core/log.h"

#define UNIMP_LOGGED_MAX 1024

/* Numbers already reported under --log=unimp, so each is logged once. */
static uint8_t unimp_logged[UNIMP_LOGGED_MAX / 8];

static void log_unknown(uint64_t nr)
{
    if (nr < UNIMP_LOGGED_MAX) {
        if (unimp_logged[nr / 8] & (1u << (nr % 8)))
            return;
        unimp_logged[nr / 8] |= (uint8_t)(1u << (nr % 8));
    }
    vm_log(unimp, "vm: unimplemented syscall %" PRIu64 " (returns ENOSYS)\n", nr);
}

void syscall_dispatch(struct cpu *cpu)
{
    const struct guest_ops *g = cpu->ops;
    const struct syscall_abi *abi = proc_of(cpu)->abi;
    uint64_t nr = g->syscall_nr(cpu), a[6];
    for (int i = 0; i < 6; i++)
        a[i] = g->syscall_arg(cpu, i);
    const struct syscall_desc *d = nr < abi->count && abi->table[nr].fn ? &abi->table[nr] : NULL;
    if (d && d->ret == RET_NONE && log_enabled(strace))
        strace_print(cpu, d, nr, a, 0);
    long ret;
    if (d) {
        ret = d->fn(cpu, a);
    } else {
        log_unknown(nr);
        ret = -ENOSYS;
    }
    if (proc_of(cpu)->exited)
        return;
    if (log_enabled(strace))
        strace_print(cpu, d, nr, a, ret);
    g->syscall_ret(cpu, (uint64_t)ret);
}

void *guest_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot)
{
    const struct uspace *us = &proc_of(cpu)->us;
    return uspace_access_ok(us, addr, len, prot) ? uspace_g2h(us, addr) : NULL;
}
