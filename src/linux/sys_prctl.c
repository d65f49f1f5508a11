/* prctl: the options real programs use, as rows. Each says what its second argument is: a
 * plain value the host takes as it is, or a pointer to bytes the kernel reads or writes. */
#include <elf.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "linux/syscall.h"

#define TASK_COMM_LEN 16

static const struct prctl_option {
    int option;
    uint32_t size;   /* bytes at the a[1] pointer; 0: a[1] is a value */
    int prot;
} prctl_options[] = {
    { PR_SET_NAME, TASK_COMM_LEN, PROT_READ },
    { PR_GET_NAME, TASK_COMM_LEN, PROT_WRITE },
    { PR_SET_PDEATHSIG, 0, 0 },
    { PR_GET_PDEATHSIG, sizeof(int), PROT_WRITE },
    { PR_SET_DUMPABLE, 0, 0 },
    { PR_GET_DUMPABLE, 0, 0 },
    { PR_SET_NO_NEW_PRIVS, 0, 0 },
    { PR_GET_NO_NEW_PRIVS, 0, 0 },
    { PR_SET_CHILD_SUBREAPER, 0, 0 },
    { PR_GET_CHILD_SUBREAPER, sizeof(int), PROT_WRITE },
    { PR_SET_TIMERSLACK, 0, 0 },
    { PR_GET_TIMERSLACK, 0, 0 },
    { PR_SET_KEEPCAPS, 0, 0 },
    { PR_GET_KEEPCAPS, 0, 0 },
    { PR_CAPBSET_READ, 0, 0 },
    { PR_GET_SECUREBITS, 0, 0 },
    { PR_GET_TIMING, 0, 0 },
};

/* The arm64 tagged address ABI (PR_TAGGED_ADDR_ENABLE only: no MTE): data accesses always
 * ignore the top byte (guest/aarch64/cpu.h's A64_TBF_TBI); this lets syscalls take tagged
 * pointers too. Other guests have no such ABI. */
static long tagged_addr_ctrl(struct cpu *cpu, const uint64_t *a)
{
    struct linux_proc *proc = proc_of(cpu);
    if (cpu->ops->elf_machine != EM_AARCH64)
        return -EINVAL;
    if (a[0] == PR_GET_TAGGED_ADDR_CTRL) {
        if (a[1] || a[2] || a[3] || a[4])
            return -EINVAL;
        return proc->tagged_addr_abi ? (long)PR_TAGGED_ADDR_ENABLE : 0;
    }
    if (a[2] || a[3] || a[4] || (a[1] & ~(uint64_t)PR_TAGGED_ADDR_ENABLE))
        return -EINVAL;
    proc->tagged_addr_abi = a[1] & PR_TAGGED_ADDR_ENABLE;
    return 0;
}

SYSCALL(prctl)
{
    int option = (int)a[0];
    if (option == PR_SET_TAGGED_ADDR_CTRL || option == PR_GET_TAGGED_ADDR_CTRL)
        return tagged_addr_ctrl(cpu, a);
    for (size_t i = 0; i < sizeof(prctl_options) / sizeof(prctl_options[0]); i++) {
        const struct prctl_option *o = &prctl_options[i];
        if (o->option != option)
            continue;
        if (!o->size)
            return host_ret(prctl(option, a[1], a[2], a[3], a[4]));
        void *p = guest_ptr(cpu, a[1], o->size, o->prot);
        return p ? host_ret(prctl(option, p, a[2], a[3], a[4])) : -EFAULT;
    }
    if (log_first_time((2ull << 40) | (uint32_t)option))
        log_unimp("vm: prctl option %d not supported (returns EINVAL)\n", option);
    return -EINVAL;
}
