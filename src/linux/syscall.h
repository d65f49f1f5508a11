/* System calls: the row format of the per-ABI tables, the dispatcher, the strace printer, and
 * the handlers. A handler gets the guest's six argument registers and returns the guest's
 * result: a value, or -errno (guest and host errno numbers agree on every ABI we serve). */
#ifndef VM_LINUX_SYSCALL_H
#define VM_LINUX_SYSCALL_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "linux/proc.h"

/* How --log=strace prints an argument. */
enum arg_kind {
    ARG_NONE,        /* no such argument (ends the list) */
    ARG_INT,         /* signed decimal */
    ARG_UINT,        /* unsigned decimal */
    ARG_HEX,
    ARG_PTR,         /* pointer: hex, NULL for 0 */
    ARG_FD,
    ARG_DIRFD,       /* fd or AT_FDCWD */
    ARG_STR,         /* NUL-terminated guest string */
    ARG_INBUF,       /* bytes the call reads; the next argument is their count */
    ARG_OUTBUF,      /* bytes the call writes; the result is their count */
    ARG_OCT,         /* a mode */
    ARG_OPEN_FLAGS,
    ARG_AT_FLAGS,
    ARG_PROT,
    ARG_MAP_FLAGS,
    ARG_SIG,
};

/* How --log=strace prints the result. */
enum ret_kind { RET_INT, RET_HEX, RET_NONE /* never returns: "= ?" */ };

typedef long syscall_fn(struct cpu *cpu, const uint64_t *a);

/* Row flags. */
enum {
    SC_NORESTART = 1,     /* never restarted after a handler, even with SA_RESTART (signal(7)) */
};

struct syscall_desc {
    const char *name;
    syscall_fn *fn;
    uint8_t args[6];      /* enum arg_kind */
    uint8_t ret;          /* enum ret_kind */
    uint8_t flags;        /* SC_* */
    int host_nr;          /* fn NULL: integer arguments only, passed to this host syscall */
};

/* struct stat's layouts: asm-generic's (128 bytes) and x86-64's (144). */
enum stat_layout { STAT_GENERIC, STAT_X86_64 };

/* The syscall numberings vm knows: each row of the syscall table (syscall_table.c) has a
 * number in each, and numbers stay below SYSCALL_NR_LIMIT. */
enum { SYSCALL_ABI_GENERIC, SYSCALL_ABI_X86_64, SYSCALL_ABI_COUNT };
#define SYSCALL_NR_LIMIT 512

/* One ABI: which number of the table it uses, and the layouts of the structs that differ
 * between ABIs. */
struct syscall_abi {
    const char *name;
    int column;                  /* SYSCALL_ABI_* */
    enum stat_layout stat;
    unsigned epoll_event_size;   /* 12: packed (x86-64), 16: padded (asm-generic) */
};

extern const struct syscall_abi syscall_abi_generic;
extern const struct syscall_abi syscall_abi_x86_64;
/* The row for a guest's syscall number, or NULL for a number vm does not know. */
const struct syscall_desc *syscall_lookup(const struct syscall_abi *abi, uint64_t nr);

/* Runs the syscall the guest asked for and puts the result in its return register. */
void syscall_dispatch(struct cpu *cpu);
/* The same without first giving a pending signal its turn (which restarts the call by
 * stepping the pc back over the syscall instruction): for calls no instruction made, as
 * x86-64's vsyscall entries. */
void syscall_make(struct cpu *cpu);
/* Prints one call like strace: "write(1, \"hi\\n\", 3) = 3". d is NULL for unknown numbers. */
void strace_print(struct cpu *cpu, const struct syscall_desc *d, uint64_t nr, const uint64_t *a,
                  long ret);
/* Prints a signal being delivered like strace: "--- SIGSEGV {si_signo=11, ...} ---". */
void strace_signal(int sig, const siginfo_t *info, bool fault);

/* Reports something the guest asked for that vm does not do, under --log=unimp and
 * --log=strace (callers log each kind once). */
void log_unimp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True the first time key is seen (keys: syscall numbers, IOCTL_LOG_KEY(cmd), ...). */
bool log_first_time(uint64_t key);
#define IOCTL_LOG_KEY(cmd) ((1ull << 40) | (cmd))

/* Helpers for handlers. */
static inline long host_ret(long r)
{
    return r == -1 ? -errno : r;
}
/* Host address of guest [addr, addr+len) if it is all accessible with prot, else NULL. With
 * PROT_WRITE the kernel may then write it, even where translated code was (mem/smc.h). */
void *guest_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot);
/* Host address to hand the host kernel for guest [addr, addr+len), unchecked: the guest's
 * memory, or one where the kernel faults (uspace_kernel_addr), so the call fails with EFAULT
 * where and when Linux would; NULL for NULL (Linux's "not given"). With PROT_WRITE the kernel
 * may write where translated code was. */
void *kernel_ptr(struct cpu *cpu, uint64_t addr, uint64_t len, int prot);
/* Copies the guest path at addr into buf (PATH_MAX): 0, -EFAULT or -ENAMETOOLONG. */
int guest_path(struct cpu *cpu, uint64_t addr, char *buf);
/* The host path for a guest path: /proc/self/exe is the guest program, an absolute path that
 * exists under the sysroot is taken from there, anything else is used as it is. */
const char *host_path(struct cpu *cpu, const char *path, char *buf);
/* True for /proc/self/exe and /proc/<our pid>/exe. */
bool is_self_exe(const char *path);
/* guest_path then host_path: *out points into pb or at the process's exe path. */
struct path_buf {
    char guest[PATH_MAX];
    char host[PATH_MAX];
};
int guest_host_path(struct cpu *cpu, uint64_t addr, struct path_buf *pb, const char **out);
/* guest_host_path for calls that pass the path to the host kernel: a guest path vm cannot
 * read (or too long) becomes the host address of the guest's (kernel_ptr), so the host fails
 * on it after checking the call's fds and flags, in Linux's order; pb->guest is then "". */
void kernel_path(struct cpu *cpu, uint64_t addr, struct path_buf *pb, const char **out);

/* Turns the guest iovec array at addr into host iovecs for the host kernel (kernel_ptr: a
 * bad buffer or length is the kernel's to report): 0, -EINVAL if count > GUEST_IOV_MAX, or
 * -EFAULT if the array cannot be read. */
#define GUEST_IOV_MAX 1024
struct iovec;
int iov_from_guest(struct cpu *cpu, uint64_t addr, uint64_t count, int prot, struct iovec *iov);

#define SYSCALL(name) long sys_##name(struct cpu *cpu, const uint64_t *a)

/* sys_io.c */
SYSCALL(read); SYSCALL(write); SYSCALL(readv); SYSCALL(writev); SYSCALL(pread64);
SYSCALL(pwrite64); SYSCALL(lseek); SYSCALL(close); SYSCALL(dup); SYSCALL(dup3);
SYSCALL(fcntl); SYSCALL(ioctl); SYSCALL(pipe2); SYSCALL(getdents64); SYSCALL(ftruncate);
SYSCALL(fsync); SYSCALL(fdatasync); SYSCALL(fchmod); SYSCALL(fchdir);
/* sys_fs.c */
SYSCALL(openat); SYSCALL(newfstatat); SYSCALL(fstat); SYSCALL(statx); SYSCALL(readlinkat);
SYSCALL(faccessat); SYSCALL(faccessat2); SYSCALL(getcwd); SYSCALL(chdir); SYSCALL(mkdirat);
SYSCALL(unlinkat); SYSCALL(renameat2); SYSCALL(umask); SYSCALL(truncate); SYSCALL(fchmodat);
SYSCALL(symlinkat); SYSCALL(linkat); SYSCALL(utimensat); SYSCALL(renameat); SYSCALL(fchownat);
SYSCALL(mknodat); SYSCALL(openat2);
/* sys_poll.c */
SYSCALL(ppoll); SYSCALL(pselect6); SYSCALL(epoll_ctl); SYSCALL(epoll_pwait); SYSCALL(epoll_pwait2);
/* sys_fd.c */
SYSCALL(timerfd_settime); SYSCALL(timerfd_gettime); SYSCALL(signalfd4); SYSCALL(inotify_add_watch);
SYSCALL(sendfile); SYSCALL(copy_file_range); SYSCALL(splice); SYSCALL(memfd_create);
SYSCALL(statfs); SYSCALL(fstatfs);
/* sys_socket.c */
SYSCALL(socketpair); SYSCALL(bind); SYSCALL(connect); SYSCALL(accept); SYSCALL(accept4);
SYSCALL(getsockname); SYSCALL(getpeername); SYSCALL(sendto); SYSCALL(recvfrom); SYSCALL(setsockopt);
SYSCALL(getsockopt); SYSCALL(sendmsg); SYSCALL(recvmsg); SYSCALL(sendmmsg); SYSCALL(recvmmsg);
/* sys_mem.c */
SYSCALL(brk); SYSCALL(mmap); SYSCALL(munmap); SYSCALL(mprotect); SYSCALL(mremap);
SYSCALL(madvise); SYSCALL(msync); SYSCALL(mincore); SYSCALL(riscv_flush_icache); SYSCALL(mlock); SYSCALL(munlock);
/* sys_shm.c */
SYSCALL(shmctl); SYSCALL(shmat); SYSCALL(shmdt);
/* sys_proc.c */
SYSCALL(exit_group); SYSCALL(set_tid_address); SYSCALL(set_robust_list); SYSCALL(get_robust_list);
SYSCALL(rseq); SYSCALL(prlimit64); SYSCALL(getrlimit); SYSCALL(uname); SYSCALL(getpid);
SYSCALL(gettid); SYSCALL(getppid); SYSCALL(getuid); SYSCALL(geteuid); SYSCALL(getgid);
SYSCALL(getegid); SYSCALL(sched_getaffinity); SYSCALL(sched_yield); SYSCALL(times);
SYSCALL(sysinfo); SYSCALL(getrandom); SYSCALL(getrusage); SYSCALL(sched_setaffinity);
SYSCALL(sched_getparam); SYSCALL(sched_setparam); SYSCALL(sched_setscheduler); SYSCALL(getcpu);
SYSCALL(getresuid); SYSCALL(getresgid); SYSCALL(getgroups); SYSCALL(setgroups);
/* sys_prctl.c */
SYSCALL(prctl);
/* sys_xattr.c */
SYSCALL(getxattr); SYSCALL(lgetxattr); SYSCALL(fgetxattr); SYSCALL(setxattr); SYSCALL(lsetxattr);
SYSCALL(fsetxattr); SYSCALL(listxattr); SYSCALL(llistxattr); SYSCALL(flistxattr);
SYSCALL(removexattr); SYSCALL(lremovexattr); SYSCALL(fremovexattr);
/* sys_time.c */
SYSCALL(clock_gettime); SYSCALL(clock_settime); SYSCALL(clock_getres); SYSCALL(gettimeofday); SYSCALL(nanosleep);
SYSCALL(clock_nanosleep);
/* sys_signal.c */
SYSCALL(rt_sigaction); SYSCALL(rt_sigprocmask); SYSCALL(sigaltstack); SYSCALL(kill);
SYSCALL(tgkill); SYSCALL(tkill); SYSCALL(rt_sigreturn); SYSCALL(rt_sigsuspend);
SYSCALL(rt_sigpending); SYSCALL(rt_sigtimedwait); SYSCALL(rt_sigqueueinfo);
SYSCALL(rt_tgsigqueueinfo); SYSCALL(getitimer); SYSCALL(setitimer); SYSCALL(timer_create);
SYSCALL(timer_settime); SYSCALL(timer_gettime); SYSCALL(timer_getoverrun); SYSCALL(timer_delete);
/* sys_thread.c */
SYSCALL(exit); SYSCALL(futex);
/* sys_process.c */
SYSCALL(clone); SYSCALL(clone_tls_last); SYSCALL(clone3); SYSCALL(execve); SYSCALL(wait4); SYSCALL(waitid);
SYSCALL(pidfd_send_signal);
/* sys_legacy.c: the calls older ABIs (x86-64) have besides their at-variants */
SYSCALL(open); SYSCALL(creat); SYSCALL(stat); SYSCALL(lstat); SYSCALL(access); SYSCALL(readlink);
SYSCALL(mkdir); SYSCALL(rmdir); SYSCALL(unlink); SYSCALL(rename); SYSCALL(link);
SYSCALL(symlink); SYSCALL(chmod); SYSCALL(chown); SYSCALL(lchown); SYSCALL(mknod);
SYSCALL(pipe); SYSCALL(dup2); SYSCALL(poll); SYSCALL(select); SYSCALL(pause); SYSCALL(alarm);
SYSCALL(fork); SYSCALL(vfork); SYSCALL(getdents); SYSCALL(getpgrp); SYSCALL(time);
SYSCALL(utime); SYSCALL(utimes); SYSCALL(futimesat); SYSCALL(epoll_create); SYSCALL(epoll_wait);
SYSCALL(inotify_init); SYSCALL(signalfd); SYSCALL(eventfd); SYSCALL(setrlimit);
/* guest_x86_64.c */
SYSCALL(arch_prctl);

#endif
