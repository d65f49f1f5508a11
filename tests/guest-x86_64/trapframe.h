/* What the x86-64 fault tests' signal handlers keep of a signal (the signal, its si_code and
 * address, the frame's rip and trapno) and how they install one, so faults.c, fptrap.c and
 * traps.c print the same fields the same way against their native runs. */
#ifndef TRAPFRAME_H
#define TRAPFRAME_H

#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

static volatile uint64_t rip, trapno;
static volatile int signo, code;
static void *volatile addr;

static void trapframe_keep(int sig, const siginfo_t *si, const ucontext_t *uc)
{
    signo = sig;
    code = si->si_code;
    addr = si->si_addr;
    rip = uc->uc_mcontext.gregs[REG_RIP];
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
}

static void trapframe_handle(int sig, void (*handler)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK; /* on the alternate stack, where a test sets one */
    sigaction(sig, &sa, NULL);
}

#endif
