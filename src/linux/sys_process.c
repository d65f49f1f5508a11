/* Processes: clone without CLONE_VM (and vfork) is a host fork whose child goes on running the
 * same guest; execve runs a guest program by re-executing vm on it with the same options, and
 * anything else (a host binary, a script) natively; wait4/waitid and pidfds pass through,
 * since guest pids are host pids and rusage/siginfo have the host's layout. */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "exec/exec.h"
#include "exec/tier2.h"
#include "linux/guest_linux.h"
#include "linux/linux.h"
#include "linux/load.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/thread.h"

#define GUEST_CLONE_ARGS_MIN 64
#define GUEST_SIGINFO_SIZE 128
#define EXEC_ARGS_MAX 65536
#define EXTRA_VM_ARGS 14         /* the most vm_args writes before the guest's argv[1] */

static long fork_child_setup(struct cpu *cpu, uint64_t flags, uint64_t sp, uint64_t tls,
                             uint64_t ctid)
{
    struct linux_thread *t = thread_of(cpu);
    t->tid = gettid();
    pthread_mutex_init(&t->proc->lock, NULL);      /* other threads did not come along */
    pthread_mutex_init(&t->proc->mm_lock, NULL);
    t->proc->threads = t;
    t->next = NULL;
    atomic_store(&t->proc->nthreads, 1);
    exec_fork_child(cpu);
    debug_fork_child(cpu);
    if (flags & CLONE_CHILD_SETTID)
        uspace_write(&t->proc->us, ctid, &t->tid, sizeof(int));
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = ctid;
    if (sp)
        guest_linux(cpu)->set_sp(cpu, sp);
    if (flags & CLONE_SETTLS)
        guest_linux(cpu)->set_tls(cpu, tls);
    return 0;
}

/* CLONE_VFORK: the parent waits until the child execs or exits, seen as EOF on a pipe whose
 * close-on-exec write end only the child keeps (at a high fd, out of the guest's way). */
#define VFORK_FD_MIN 900

static int vfork_pipe(int fds[2])
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    for (int i = 0; i < 2; i++) {
        fds[i] = fcntl(p[i], F_DUPFD_CLOEXEC, VFORK_FD_MIN);
        close(p[i]);
    }
    if (fds[0] < 0 || fds[1] < 0) {
        close(fds[0]);
        close(fds[1]);
        return -EMFILE;
    }
    return 0;
}

static void vfork_wait(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR)
        ;
    close(fd);
}

/* A new process: a host fork. CLONE_VM with CLONE_VFORK (vfork, posix_spawn) is also a fork:
 * the child only runs until it execs or exits, on its own stack if it was given one. */
static long clone_process(struct cpu *cpu, uint64_t flags, uint64_t sp, uint64_t ptid,
                          uint64_t tls, uint64_t ctid)
{
    int vfork_fds[2] = { -1, -1 };
    if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
        return -EINVAL;
    if ((flags & CSIGNAL) != SIGCHLD && (flags & CSIGNAL))
        log_unimp("vm: clone exit signal %d becomes SIGCHLD\n", (int)(flags & CSIGNAL));
    if ((flags & CLONE_VFORK) && vfork_pipe(vfork_fds) < 0)
        vfork_fds[0] = vfork_fds[1] = -1;   /* then the parent just does not wait */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        close(vfork_fds[0]);
    else if (vfork_fds[1] >= 0)
        close(vfork_fds[1]);
    if (pid < 0) {
        close(vfork_fds[0]);
        return -errno;
    }
    if (pid == 0)
        return fork_child_setup(cpu, flags, sp, tls, ctid);
    if (flags & CLONE_PARENT_SETTID)
        uspace_write(&proc_of(cpu)->us, ptid, &pid, sizeof(pid));
    if (vfork_fds[0] >= 0)
        vfork_wait(vfork_fds[0]);
    return pid;
}

static long do_clone(struct cpu *cpu, uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t tls,
                     uint64_t ctid)
{
    if (flags & CLONE_THREAD)
        return clone_thread(cpu, flags, sp, ptid, tls, ctid);
    return clone_process(cpu, flags, sp, ptid, tls, ctid);
}

/* riscv64 and aarch64 order: flags, stack, parent_tid, tls, child_tid. */
SYSCALL(clone)
{
    return do_clone(cpu, a[0], a[1], a[2], a[3], a[4]);
}

/* x86-64 order: flags, stack, parent_tid, child_tid, tls. */
SYSCALL(clone_tls_last)
{
    return do_clone(cpu, a[0], a[1], a[2], a[4], a[3]);
}

SYSCALL(clone3)
{
    uint64_t args[8];   /* flags, pidfd, child_tid, parent_tid, exit_signal, stack, size, tls */
    if (a[1] < GUEST_CLONE_ARGS_MIN)
        return -EINVAL;
    if (uspace_read(&proc_of(cpu)->us, a[0], args, sizeof(args)) < 0)
        return -EFAULT;
    if (args[0] & (CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)) {
        log_unimp("vm: clone3 flags %#lx not supported (returns ENOSYS)\n", (long)args[0]);
        return -ENOSYS;
    }
    uint64_t sp = args[5] ? args[5] + args[6] : 0;
    return do_clone(cpu, args[0] | (args[4] & CSIGNAL), sp, args[3], args[7], args[2]);
}

/* Copies the NULL-terminated guest array of strings at addr into a malloc'ed host array with
 * room for `extra` more pointers in front; strings point into guest memory (checked). */
static int string_array(struct cpu *cpu, uint64_t addr, size_t extra, char ***out, size_t *n)
{
    const struct uspace *us = &proc_of(cpu)->us;
    size_t count = 0;
    uint64_t p;
    for (; addr; count++) {
        if (count >= EXEC_ARGS_MAX)
            return -E2BIG;
        if (uspace_read(us, addr + 8 * count, &p, 8) < 0)
            return -EFAULT;
        if (!p)
            break;
    }
    char **v = calloc(extra + count + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < count; i++) {
        uspace_read(us, addr + 8 * i, &p, 8);
        long len = uspace_strnlen(us, p, 1u << 20);
        if (len < 0 || len >= 1 << 20) {
            free(v);
            return len < 0 ? -EFAULT : -E2BIG;
        }
        v[extra + i] = (char *)uspace_g2h(us, p);
    }
    *out = v;
    *n = count;
    return 0;
}

const struct guest_ops *linux_guest_of_file(const char *path)
{
    Elf64_Ehdr eh;
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))   /* a FIFO would block the open */
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, &eh, sizeof(eh));
    close(fd);
    if (n != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
        return NULL;
    const struct guest_ops *g = guest_by_elf_machine(eh.e_machine);
    /* A guest without a Linux ABI runs no program; the host runs its own ISA's. */
    return g && guest_linux_of(g) && !guest_is_host_isa(g) ? g : NULL;
}

/* vm run [-L SYSROOT] --engine=E --tier2=on|off [--tier2-hot=N] [--stack-size=N] [--reserved-va=N] [--strace] -0 ARGV0 PATH
 * ARGS...: fills v[0..] and returns where the guest's argv[1..] go. */
static size_t vm_args(struct linux_proc *proc, char **v, const char *argv0, const char *path)
{
    static char engine_opt[64], stack_opt[64], space_opt[64], hot_opt[64];
    size_t i = 0;
    v[i++] = "vm";
    v[i++] = "run";
    if (proc->given_sysroot) {
        v[i++] = "-L";
        v[i++] = (char *)proc->given_sysroot;
    }
    snprintf(engine_opt, sizeof(engine_opt), "--engine=%s", proc->engine);
    v[i++] = engine_opt;
    v[i++] = tier2_on ? "--tier2=on" : "--tier2=off";
    if (tier2_on) {
        snprintf(hot_opt, sizeof(hot_opt), "--tier2-hot=%" PRId32, tier2_hot_runs);
        v[i++] = hot_opt;
    }
    if (proc->stack_size != GUEST_STACK_SIZE) {
        snprintf(stack_opt, sizeof(stack_opt), "--stack-size=%" PRIu64, proc->stack_size);
        v[i++] = stack_opt;
    }
    if (proc->space_size) {
        snprintf(space_opt, sizeof(space_opt), "--reserved-va=%" PRIu64, proc->space_size);
        v[i++] = space_opt;
    }
    if (log_enabled(strace))
        v[i++] = "--strace";
    v[i++] = "-0";
    v[i++] = (char *)argv0;
    v[i++] = "--";
    v[i++] = (char *)path;
    return i;
}

SYSCALL(execve)
{
    struct linux_proc *proc = proc_of(cpu);
    struct path_buf pb;
    const char *path;
    char **argv = NULL, **envp = NULL;
    size_t argc, envc;
    int err = guest_host_path(cpu, a[0], &pb, &path);
    if (err < 0)
        return err;
    if (access(path, X_OK) < 0)
        return -errno;
    if ((err = string_array(cpu, a[1], EXTRA_VM_ARGS, &argv, &argc)) < 0 ||
        (err = string_array(cpu, a[2], 0, &envp, &envc)) < 0) {
        free(argv);
        return err;
    }
    fflush(NULL);
    if (linux_guest_of_file(path)) {
        char **v = argv + EXTRA_VM_ARGS;
        const char *argv0 = argc ? v[0] : "";
        size_t n = vm_args(proc, argv, argv0, path);
        memmove(argv + n, v + (argc ? 1 : 0), (argc ? argc - 1 : 0) * sizeof(*v));
        argv[n + (argc ? argc - 1 : 0)] = NULL;
        execve("/proc/self/exe", argv, envp);
    } else {
        execve(path, argv + EXTRA_VM_ARGS, envp);
    }
    err = -errno;
    free(argv);
    free(envp);
    return err;
}

SYSCALL(wait4)
{
    int *status = NULL;
    struct rusage *ru = NULL;
    if (a[1] && !(status = guest_ptr(cpu, a[1], sizeof(int), PROT_WRITE)))
        return -EFAULT;
    if (a[3] && !(ru = guest_ptr(cpu, a[3], sizeof(*ru), PROT_WRITE)))
        return -EFAULT;
    return sig_syscall(SYS_wait4, (pid_t)a[0], status, (int)a[2], ru);
}

SYSCALL(waitid)
{
    void *info = NULL;
    struct rusage *ru = NULL;
    if (a[2] && !(info = guest_ptr(cpu, a[2], GUEST_SIGINFO_SIZE, PROT_WRITE)))
        return -EFAULT;
    if (a[4] && !(ru = guest_ptr(cpu, a[4], sizeof(*ru), PROT_WRITE)))
        return -EFAULT;
    return sig_syscall(SYS_waitid, (int)a[0], (pid_t)a[1], info, (int)a[3], ru);
}

SYSCALL(pidfd_send_signal)
{
    void *info = NULL;
    if (a[2] && !(info = guest_ptr(cpu, a[2], GUEST_SIGINFO_SIZE, PROT_READ)))
        return -EFAULT;
    return host_ret(syscall(SYS_pidfd_send_signal, (int)a[0], sig_to_host((int)a[1]), info,
                            (unsigned)a[3]));
}
