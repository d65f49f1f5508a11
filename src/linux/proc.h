/* One guest process in user mode: its address space and the kernel-side state the syscalls
 * keep for it (signal dispositions, robust list, exit status). Reached from a CPU via cpu->os. */
#ifndef VM_LINUX_PROC_H
#define VM_LINUX_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "mem/uspace.h"

#define GUEST_NSIG 64

/* A guest's rt_sigaction as recorded (delivery to guest handlers is later work). */
struct guest_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct linux_proc {
    struct uspace us;
    const struct guest_ops *guest;
    const struct syscall_abi *abi;
    char exe_path[PATH_MAX];     /* absolute host path of the program: /proc/self/exe */
    const char *sysroot;         /* guest root for absolute paths, or NULL for the host's */
    uint64_t tid_address;        /* set_tid_address */
    uint64_t robust_list, robust_list_len;
    struct guest_sigaction sigactions[GUEST_NSIG + 1];
    uint64_t sigmask;
    uint64_t altstack_sp, altstack_size;
    int altstack_flags;
    bool exited;
    int exit_status;
};

static inline struct linux_proc *proc_of(const struct cpu *cpu)
{
    return (struct linux_proc *)cpu->os;
}

/* Dies the way a native process killed by sig would (after stdio is flushed). */
_Noreturn void linux_die_of_signal(int sig);
/* Reports a guest fault on stderr ("vm: guest killed by signal ...") and dies of it. */
_Noreturn void linux_die_of_fault(const struct cpu *cpu);

#endif
