/* User mode's entry points: linux_probe finds the guest ISA of a program (or says in one line
 * why it cannot run), linux_run builds the process (address space, image, stack, CPU) and runs
 * it, handing syscall exits to the dispatcher and turning faults into the guest's death. */
#include "linux/linux.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "core/machine.h"
#include "exec/exec.h"
#include "exec/tier2.h"
#include "linux/load.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "plugin/plugin.h"

/* Exit status for a program that cannot start, like a shell's: 127 not found, 126 otherwise. */
static int start_failure_status(int err)
{
    return err == -ENOENT ? 127 : 126;
}

const struct guest_ops *linux_probe(const char *path, int *exit_code)
{
    struct elf_file ef;
    const char *why = NULL;
    int err = access(path, X_OK) < 0 ? -errno : elf_open(&ef, path, &why);
    if (err < 0) {
        vm_error("%s: %s", path, why ? why : strerror(-err));
        *exit_code = start_failure_status(err);
        return NULL;
    }
    const struct guest_ops *g = guest_by_elf_machine(ef.eh.e_machine);
    if (!g) {
        vm_error("%s: unsupported machine %u (no guest built in for it)", path, ef.eh.e_machine);
        *exit_code = 126;
    }
    elf_close(&ef);
    return g;
}

/* -L, else the guest's default sysroot if it exists; NULL means the host's own root. */
static const char *choose_sysroot(const struct guest_linux_ops *g, const char *given)
{
    const char *s = given ? given : g->default_sysroot;
    if (!s || !*s || !strcmp(s, "/") || (!given && access(s, F_OK) < 0))
        return NULL;
    return s;
}

static int debug_read(struct cpu *cpu, uint64_t addr, void *buf, uint64_t len)
{
    return uspace_read(&proc_of(cpu)->us, addr, buf, len);
}

static int debug_write(struct cpu *cpu, uint64_t addr, const void *buf, uint64_t len)
{
    return uspace_write(&proc_of(cpu)->us, addr, buf, len);
}

static const struct debug_memory linux_debug_memory = { .read = debug_read, .write = debug_write };

static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    return uspace_fetch(&proc_of(cpu)->us, pc, buf, len);
}

/* Maps the guest's signal-return trampoline (riscv64: its vDSO's rt_sigreturn) in a page of
 * its own, read-only and executable. */
static int map_sigreturn(struct linux_proc *proc)
{
    const struct guest_linux_ops *g = proc->guest_linux;
    struct uspace *us = &proc->us;
    uint64_t page = uspace_find_free(us, 0, USPACE_PAGE_SIZE);
    int err;
    if (!page)
        return -ENOMEM;
    if ((err = uspace_map(us, page, USPACE_PAGE_SIZE, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) < 0)
        return err;
    memcpy(uspace_g2h(us, page), g->sigreturn_code, g->sigreturn_code_size);
    proc->sigreturn_tramp = page;
    return uspace_protect(us, page, USPACE_PAGE_SIZE, PROT_READ | PROT_EXEC);
}

/* Builds the address space and loads the program; prints why on failure. */
static int proc_init(struct linux_proc *proc, const struct guest_ops *guest,
                     const struct linux_run_opts *opts, struct load_info *li)
{
    struct elf_file ef;
    const char *why;
    if (!(proc->guest_linux = guest_linux_of(guest))) {
        vm_error("%s: no Linux ABI for %s guests yet", opts->path, guest->name);
        return -ENOEXEC;
    }
    proc->abi = proc->guest_linux->syscalls;
    proc->sysroot = choose_sysroot(proc->guest_linux, opts->sysroot);
    if (!realpath(opts->path, proc->exe_path))
        snprintf(proc->exe_path, sizeof(proc->exe_path), "%s", opts->path);
    uint64_t size = opts->space_size ? opts->space_size : GUEST_SPACE_SIZE;
    if (proc->stack_size + GUEST_STACK_GAP > size / 2) {
        vm_error("a stack of %" PRIu64 " bytes does not fit a guest space of %" PRIu64 " bytes",
                 proc->stack_size, size);
        return -EINVAL;
    }
    int err = uspace_init(&proc->us, size, opts->guest_base);
    if (err < 0) {
        if (opts->guest_base)
            vm_error("cannot reserve the guest address space at host address %#" PRIx64 ": %s",
                     opts->guest_base, strerror(-err));
        else
            vm_error("cannot reserve the guest address space: %s", strerror(-err));
        return err;
    }
    if ((err = elf_open(&ef, opts->path, &why)) < 0) {
        vm_error("%s: %s", opts->path, why ? why : strerror(-err));
        return err;
    }
    err = load_program(proc, &ef, opts->path, li);
    opts->machine->load_bias = li->prog_entry - ef.eh.e_entry;
    elf_close(&ef);
    if (err == 0 && proc->guest_linux->sigreturn_code_size && (err = map_sigreturn(proc)) < 0)
        vm_error("%s: cannot map the signal trampoline: %s", opts->path, strerror(-err));
    return err;
}

void linux_process_end(struct cpu *cpu, int status)
{
    cpu->machine->exit_status = status;
    plugin_exit(status);
    tier2_stop();   /* the observers of the stop report counts a region compiled after would change */
    machine_set_state(cpu->machine, MACHINE_STOPPED);
}

int linux_run_thread(struct cpu *cpu)
{
    struct linux_thread *t = thread_of(cpu);
    sig_thread_start(t);
    for (;;) {
        if (atomic_load(&t->proc->group_exiting) && !t->group_exit)
            for (;;)
                pause();      /* another thread is ending the process */
        int reason = exec_run(cpu);
        if (debug_after_exit(cpu)) {
            sig_deliver(cpu);
            continue;
        }
        switch (reason) {
        case CPU_EXIT_EXCEPTION:
            if (cpu->exc == EXC_FETCH_FAULT && t->proc->guest_linux->vsyscall &&
                t->proc->guest_linux->vsyscall(cpu)) {
                syscall_make(cpu);   /* its calls never wait: never made again after a signal */
                break;
            }
            if (cpu->exc != EXC_SYSCALL) {
                sig_fault(cpu);
                break;
            }
            syscall_dispatch(cpu);
            if (t->exited)
                return t->exit_status;
            break;
        case CPU_EXIT_HALT:
            return cpu->halt_status;
        }
        sig_deliver(cpu);
    }
}

int linux_run(const struct guest_ops *guest, const struct linux_run_opts *opts)
{
    struct linux_proc *proc = calloc(1, sizeof(*proc));
    struct linux_thread *thread = calloc(1, sizeof(*thread));
    struct load_info li;
    struct cpu *cpu = NULL;
    uint64_t sp;
    int err, status;
    if (!proc || !thread) {
        vm_error("%s: out of memory", opts->path);
        free(proc);
        free(thread);
        return 1;
    }
    pthread_mutex_init(&proc->lock, NULL);
    pthread_mutex_init(&proc->mm_lock, NULL);
    proc->given_sysroot = opts->sysroot;
    proc->engine = opts->engine->name;
    proc->stack_size = opts->stack_size ? opts->stack_size : GUEST_STACK_SIZE;
    proc->space_size = opts->space_size;
    proc->argv = opts->argv;
    if ((err = proc_init(proc, guest, opts, &li)) < 0) {
        status = start_failure_status(err);
        goto out;
    }
    if ((err = stack_build(proc, &li, opts->argv, opts->envp, opts->path, &sp)) < 0) {
        vm_error("%s: %s", opts->path, strerror(-err));
        status = 126;
        goto out;
    }
    if (!(cpu = cpu_new(guest, opts->engine))) {
        vm_error("%s: out of memory", opts->path);
        status = 1;
        goto out;
    }
    cpu->as = &proc->us.as;
    cpu->fetch_code = fetch_code;
    thread->proc = proc;
    thread->cpu = cpu;
    thread->tid = gettid();
    sig_install_copy_guard();
    thread_attach(thread);
    sig_inherit(thread);
    cpu->os = thread;
    machine_add_cpu(opts->machine, cpu);
    proc->guest_linux->user_init(cpu, li.entry, sp);
    machine_set_state(opts->machine, MACHINE_RUNNING);
    debug_memory = &linux_debug_memory;
    debug_cpu_added(cpu, thread->tid);
    debug_signal(cpu, SIGTRAP);   /* an attached debugger sees the first instruction */
    status = linux_run_thread(cpu);
    if (!thread->group_exit && !thread_detach(thread)) {
        debug_cpu_removed(cpu);
        pthread_exit(NULL);
    }   /* the main thread left with others running: the last ends all */
    linux_process_end(cpu, status);
    /* The others may still be in guest code until exit (exit_group), or finishing their own
     * thread_detach after this one took the count to 0: they end with the process. */
    if (!thread->group_exit || atomic_load(&proc->nthreads) > 1)
        return status;
    /* vm exits next: freeing tens of thousands of blocks one by one would cost a large
     * program's start up to a fifth of its time. */
    cpu_free_at_exit(cpu);
    uspace_destroy(&proc->us);
    free(thread);
    free(proc);
    return status;
out:
    cpu_free(cpu);
    uspace_destroy(&proc->us);
    free(thread);
    free(proc);
    return status;
}
