/* Guest signals: how host signals become pending guest signals, delivery to guest handlers
 * with the guest ISA's own frame, default actions, and syscall restart after EINTR.
 * Guest and host signal numbers agree on every ISA vm serves. */
#ifndef VM_LINUX_SIGNAL_H
#define VM_LINUX_SIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "linux/proc.h"

#define GUEST_SIG_DFL 0
#define GUEST_SIG_IGN 1
#define GUEST_SA_RESTORER 0x04000000u
#define GUEST_SS_AUTODISARM (1u << 31)
#define GUEST_MINSIGSTKSZ 2048

/* Signals the host cannot carry for the guest: SIGSEGV/SIGBUS (vm's own fault handler) and
 * 63/64, whose host numbers carry the guest's 32 and 33 (the host C library keeps its own 32
 * and 33). Sent within the process, these are queued on the target thread directly. */
bool sig_host_reserved(int sig);
/* Host number of a guest signal and back (they differ only for 32/33 <-> 64/63). */
int sig_to_host(int sig);
int sig_from_host(int sig);
/* Chains vm's SIGSEGV/SIGBUS handler for guest memory copies (mem/uspace.h) in front of the
 * execution layer's; call after the first CPU exists. */
void sig_install_copy_guard(void);
/* Sets the host disposition of sig to carry the guest's: SIG_IGN, SIG_DFL, or vm's catcher. */
void sig_host_disposition(int sig, const struct guest_sigaction *sa);
/* vm handles host signal host_sig itself (--metrics' SIGUSR1) while the guest leaves it at
 * its default action: handler runs instead of that action (installed now, and again whenever
 * the guest goes back to the default). handler must be async-signal-safe. */
void sig_claim_default(int host_sig, void (*handler)(int));
/* What a new process inherits from the one that exec'ed vm: the mask and ignored signals. */
void sig_inherit(struct linux_thread *t);
/* Host signal set for a guest mask (without the signals vm must always receive). */
void sig_host_set(uint64_t guest_mask, sigset_t *set);
/* Sets the thread's guest mask and mirrors it on the calling host thread. */
void sig_set_mask(struct linux_thread *t, uint64_t mask);
/* For a syscall that waits with a temporary mask (sigsuspend, ppoll, pselect6, epoll_pwait):
 * sig_wait_mask makes mask the guest's and gives the host set to wait with; sig_wait_done
 * takes the syscall's result and puts the old mask back unless a signal interrupted the wait
 * (then sig_deliver does, after the handler's frame has recorded the old one). */
void sig_wait_mask(struct linux_thread *t, uint64_t mask, sigset_t *host);
long sig_wait_done(struct linux_thread *t, long ret);
/* Makes t the calling host thread's guest thread (the catcher records signals into it). */
void sig_thread_start(struct linux_thread *t);
/* The host's system call nr, with up to six arguments (integers or pointers, each made a long,
 * the missing ones 0), for the calling guest thread: -errno on error, and
 * -SAFE_SYSCALL_BEFORE (linux/safe_syscall.h) if a guest signal came before the call started,
 * when syscall_make delivers it and makes the guest's call again, as if the signal had come
 * before the guest's system call instruction. Every call that may block goes through here. */
long sig_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
#define SIG_SYSCALL_ARGS(a0, a1, a2, a3, a4, a5, ...) \
    (long)(a0), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5)
#define sig_syscall(nr, ...) sig_syscall6((nr), SIG_SYSCALL_ARGS(__VA_ARGS__, 0, 0, 0, 0, 0, 0))
/* Adds sig to t's pending set (info may be NULL: a plain SI_USER from ourselves). */
void sig_queue(struct linux_thread *t, int sig, const siginfo_t *info);
/* The guest signal Linux gives for exception exc (enum cpu_exc) raised at pc with tval in
 * space us: fills info (signal, code, address) and returns the signal; 0 (and a zeroed info)
 * for exceptions that are no signal (EXC_SYSCALL). */
int linux_exc_siginfo(const struct uspace *us, int exc, uint64_t tval, uint64_t pc,
                      siginfo_t *info);
/* Turns an exception (other than a syscall) into a pending signal, or dies of it if the guest
 * cannot catch it. */
void sig_fault(struct cpu *cpu);
/* Delivers every pending unblocked signal: default action or a frame for the handler. */
void sig_deliver(struct cpu *cpu);
/* True if a signal is pending and not blocked (sig_deliver would deliver it). */
bool sig_ready(struct cpu *cpu);
/* After a syscall failed with EINTR: true if it should be restarted (SA_RESTART handler). */
bool sig_restart(struct cpu *cpu);
/* rt_sigreturn: restores registers, mask and alternate stack from the frame at sp. */
long sig_return(struct cpu *cpu);
/* The default action of sig: true if it is to be ignored / stops the process. */
bool sig_default_ignored(int sig);
bool sig_default_stops(int sig);

#endif
