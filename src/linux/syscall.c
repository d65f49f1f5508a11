/* The syscall dispatcher: reads the number and arguments through the guest's ABI accessors,
 * finds the row in the process's ABI table, runs it, logs it, and returns the result. */
#include "linux/syscall.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "exec/exec.h"
#include "linux/safe_syscall.h"
#include "linux/signal.h"
#include "mem/smc.h"
#include "plugin/plugin.h"

void log_unimp(const char *fmt, ...)
{
    if (!log_enabled(unimp) && !log_enabled(strace))
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
}

#define LOGGED_MAX 256

bool log_first_time(uint64_t key)
{
    static uint64_t seen[LOGGED_MAX];
    static unsigned n_seen;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    bool first = true;
    pthread_mutex_lock(&lock);
    for (unsigned i = 0; i < n_seen && first; i++)
        first = seen[i] != key;
    if (first && n_seen < LOGGED_MAX)
        seen[n_seen++] = key;
    pthread_mutex_unlock(&lock);
    return first;
}

static void log_unknown(uint64_t nr)
{
    if (log_first_time(nr))
        log_unimp("vm: unimplemented syscall %" PRIu64 " (returns ENOSYS)\n", nr);
}

const char *linux_syscall_name(const struct cpu *cpu, uint64_t nr)
{
    const struct syscall_desc *d = syscall_lookup(proc_of(cpu)->abi, nr);
    return d ? d->name : NULL;
}

/* The arm64 tagged address ABI: the pointer arguments lose their tag (bits 63:56 become
 * copies of bit 55, as Linux's untagged_addr makes them); without it a tagged pointer is not a
 * user address, and the call fails with EFAULT. */
static void untag_pointers(const struct syscall_desc *d, uint64_t *a)
{
    for (int i = 0; i < 6 && d->args[i] != ARG_NONE; i++)
        if (d->args[i] == ARG_PTR || d->args[i] == ARG_STR || d->args[i] == ARG_INBUF ||
            d->args[i] == ARG_OUTBUF)
            a[i] = (uint64_t)((int64_t)(a[i] << 8) >> 8);
}

void syscall_dispatch(struct cpu *cpu)
{
    if (sig_ready(cpu)) {
        /* A signal came before the call: deliver it first, then make the call. This keeps
         * the window in which a signal cannot interrupt a blocking call to the few host
         * instructions between here and the host syscall. */
        cpu->pc -= guest_linux(cpu)->syscall_insn_size;
        return;
    }
    syscall_make(cpu);
}

void syscall_make(struct cpu *cpu)
{
    const struct guest_linux_ops *g = guest_linux(cpu);
    const struct syscall_abi *abi = proc_of(cpu)->abi;
    uint64_t nr = g->syscall_nr(cpu), a[6];
    exec_counters(cpu)->syscalls[nr < EXEC_SYSCALL_SLOTS ? nr : EXEC_SYSCALL_SLOTS - 1]++;
    for (int i = 0; i < 6; i++)
        a[i] = g->syscall_arg(cpu, i);
    const struct syscall_desc *d = syscall_lookup(abi, nr);
    if (d && proc_of(cpu)->tagged_addr_abi)
        untag_pointers(d, a);
    if (d && d->ret == RET_NONE && log_enabled(strace))
        strace_print(cpu, d, nr, a, 0);
    if (plugin_syscalls)
        plugin_syscall(cpu, nr, a);
    long ret;
    if (d && d->fn) {
        ret = d->fn(cpu, a);
    } else if (d) {
        ret = sig_syscall(d->host_nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    } else {
        log_unknown(nr);
        ret = -ENOSYS;
    }
    if (thread_of(cpu)->exited)
        return;
    if (ret == -SAFE_SYSCALL_BEFORE) {   /* as syscall_dispatch does with a signal ready */
        cpu->pc -= g->syscall_insn_size;
        return;
    }
    if (log_enabled(strace))
        strace_print(cpu, d, nr, a, ret);
    if (plugin_syscalls)
        plugin_syscall_ret(cpu, nr, ret);
    if (ret == -EINTR && d && !(d->flags & SC_NORESTART) && sig_restart(cpu)) {
        cpu->pc -= g->syscall_insn_size;   /* registers still hold the call */
        return;
    }
    g->syscall_ret(cpu, (uint64_t)ret);
}

void *guest_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot)
{
    const struct uspace *us = &proc_of(cpu)->us;
    if (!uspace_access_ok(us, addr, len, prot))
        return NULL;
    if (prot & PROT_WRITE)
        smc_unprotect(cpu, addr, addr + len);
    return uspace_kernel_addr(us, addr);   /* len 0: addr may be anything */
}

void *kernel_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot)
{
    const struct uspace *us = &proc_of(cpu)->us;
    if ((prot & PROT_WRITE) && addr < us->limit && len)
        smc_unprotect(cpu, addr, len < us->limit - addr ? addr + len : us->limit);
    return addr ? uspace_kernel_addr(us, addr) : NULL;
}
