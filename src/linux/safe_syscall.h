/* Host system calls that a guest signal arriving just before them cannot slip past
 * (safe_syscall.c says how). */
#ifndef VM_LINUX_SAFE_SYSCALL_H
#define VM_LINUX_SAFE_SYSCALL_H

#include <stdatomic.h>
#include <stdint.h>

/* What safe_syscall6 returns, negated, when a signal of *pending not in mask came before the
 * call started: Linux's own ERESTARTSYS, which no call returns to a program. */
#define SAFE_SYSCALL_BEFORE 512
#define SAFE_SYSCALL_BEFORE_STR "512"

/* The host's system call nr with its six arguments, made only if *pending has no signal
 * outside mask, looked at after the host's signal handler ran: its result (-errno on error),
 * or -SAFE_SYSCALL_BEFORE. */
long safe_syscall6(const _Atomic uint64_t *pending, uint64_t mask, long nr, long a0, long a1,
                   long a2, long a3, long a4, long a5);
/* From a host signal handler (uc its ucontext_t) that may have added to a thread's pending
 * signals: a thread inside safe_syscall6 before its call returns -SAFE_SYSCALL_BEFORE. */
void safe_syscall_rewind(void *uc);

#endif
