/* Guest signal handlers: SA_SIGINFO handlers for raise and sigqueue, faults (SIGSEGV from
 * an access or a jump, with MAPERR/ACCERR and si_addr, SIGILL, SIGTRAP) recovered with
 * siglongjmp or by editing the ucontext (pc and a register), the mask (blocked signals stay
 * pending), the alternate stack, SA_RESETHAND, SA_NODEFER, timers interrupting pause and a
 * blocking read (EINTR without SA_RESTART, restarted with it), and sigsuspend's temporary
 * mask. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig;
static volatile int last_code;
static void *volatile last_addr;
static volatile int last_value;
static sigjmp_buf jb;

static void on_info(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_addr = si->si_addr;
    last_value = si->si_value.sival_int;
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    last_sig = sig;
    last_code = si->si_code;
    last_addr = si->si_addr;
    siglongjmp(jb, 1);
}

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    last_sig = sig;
    last_addr = (void *)uc->uc_mcontext.__gregs[REG_PC];
    uc->uc_mcontext.__gregs[REG_PC] += 4;       /* skip the 4-byte ebreak */
    uc->uc_mcontext.__gregs[5] = 42;            /* t0 */
}

static volatile double seen_fa0;
static volatile unsigned seen_frm;
static void on_fp(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    union { uint64_t u; double d; } v = { .u = uc->uc_mcontext.__fpregs.__d.__f[10] };
    seen_fa0 = v.d;
    seen_frm = (uc->uc_mcontext.__fpregs.__d.__fcsr >> 5) & 7;
    v.d = 2.5;
    uc->uc_mcontext.__fpregs.__d.__f[10] = v.u;     /* fa0 after the handler returns */
}

static void on_plain(int sig)
{
    hits++;
    last_sig = sig;
}

static int pipefd[2];
static void on_alarm_write(int sig)
{
    hits++;
    if (write(pipefd[1], "x", 1) != 1)
        _exit(3);
}

static void on_nested(int sig)
{
    hits++;
    if (hits == 1)
        raise(sig);     /* with SA_NODEFER this nests at once */
    last_value = hits;
}

static char altstack[65536];
static void on_alt(int sig)
{
    char here;
    stack_t st;
    sigaltstack(NULL, &st);
    last_value = (&here >= altstack && &here < altstack + sizeof(altstack)) * 10 +
                 !!(st.ss_flags & SS_ONSTACK);
}

static void set(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void set_plain(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* SIGALRM in usec, and every usec after that if repeat. A test that waits in a syscall for
 * the signal repeats it: a signal that comes before the syscall (a loaded host can delay the
 * guest that long) is followed by one that comes during it, so the wait always ends. */
static void arm(long usec, bool repeat)
{
    struct itimerval it = { { 0, repeat ? usec : 0 }, { 0, usec } };
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
    /* raise: a SA_SIGINFO handler sees SI_TKILL */
    set(SIGUSR1, on_info, 0);
    raise(SIGUSR1);
    printf("raise: hits=%d sig=%d code=%d\n", hits, last_sig, last_code);

    /* sigqueue carries a value */
    union sigval v = { .sival_int = 1234 };
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: hits=%d code=%d value=%d\n", hits, last_code, last_value);

    /* SIGSEGV on an unmapped page and on a read-only page */
    int *volatile wild10 = (int *)(uintptr_t)0x10, *volatile wild20 = (int *)(uintptr_t)0x20;
    set(SIGSEGV, on_fault, 0);
    if (!sigsetjmp(jb, 1))
        *wild10 = 1;
    printf("segv unmapped: sig=%d code=%s addr=%p\n", last_sig,
           last_code == SEGV_MAPERR ? "MAPERR" : "other", last_addr);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(jb, 1))
        ro[100] = 1;
    printf("segv read-only: code=%s addr=+%ld\n", last_code == SEGV_ACCERR ? "ACCERR" : "other",
           (long)((char *)last_addr - ro));
    munmap(ro, 4096);
    /* the mask was restored by siglongjmp: a second fault is caught again */
    if (!sigsetjmp(jb, 1))
        *wild20 = 1;
    printf("segv again: addr=%p\n", last_addr);
    /* a jump to an unmapped address faults there (jalr clears bit 0 of the second) */
    static void (*volatile wild_fn[2])(void) = { (void (*)(void))0x1000,
                                                 (void (*)(void))UINTPTR_MAX };
    for (int k = 0; k < 2; k++) {
        if (!sigsetjmp(jb, 1))
            wild_fn[k]();
        printf("segv jump: sig=%d addr=%p\n", last_sig, last_addr);
    }

    /* SIGILL with si_addr at the instruction */
    set(SIGILL, on_fault, 0);
    static void *volatile ill_at;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("lla t1, 1f\nsd t1, %0\n1: .word 0\n" : "=m"(ill_at) : : "t1");
    printf("sigill: sig=%d code=%s at-insn=%d\n", last_sig,
           last_code == ILL_ILLOPC ? "ILLOPC" : "other", last_addr == ill_at);

    /* SIGTRAP: the handler moves the pc past ebreak and changes t0 */
    set(SIGTRAP, on_trap, 0);
    long t0;
    void *trap_at;
    __asm__ volatile(".option push\n.option norvc\n"
                     "lla %1, 1f\nli t0, 1\n1: ebreak\nmv %0, t0\n.option pop\n"
                     : "=r"(t0), "=&r"(trap_at) : : "t0");
    printf("sigtrap: t0=%ld pc-ok=%d\n", t0, last_addr == trap_at);

    /* the handler sees fa0 and the rounding mode at the interrupted point and changes fa0 */
    set(SIGUSR2, on_fp, 0);
    double fa0_after;
    long tid = gettid(), pid = getpid();
    __asm__ volatile("fld fa0, %[in]\n"
                     "fsrmi 1\n"                  /* round towards zero */
                     "mv a0, %[pid]\nmv a1, %[tid]\nli a2, %[sig]\nli a7, 131\necall\n"
                     "fsrmi 0\n"
                     "fsd fa0, %[out]\n"
                     : [out] "=m"(fa0_after)
                     : [in] "m"((double){ 1.25 }), [pid] "r"(pid), [tid] "r"(tid),
                       [sig] "i"(SIGUSR2)
                     : "a0", "a1", "a2", "a7", "fa0", "memory");
    printf("fp context: handler saw fa0=%g frm=%u, fa0 after=%g\n", seen_fa0, seen_frm,
           fa0_after);

    /* blocked signals stay pending until unblocked */
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    hits = 0;
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: hits=%d pending=%d\n", hits, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits=%d\n", hits);

    /* SA_RESETHAND: the second raise takes the default action (ignore for SIGCHLD... use
     * SIGWINCH, whose default is to ignore) */
    hits = 0;
    set_plain(SIGWINCH, on_plain, SA_RESETHAND);
    raise(SIGWINCH);
    raise(SIGWINCH);
    struct sigaction cur;
    sigaction(SIGWINCH, NULL, &cur);
    printf("resethand: hits=%d now-default=%d\n", hits, cur.sa_handler == SIG_DFL);

    /* SA_NODEFER: the handler is re-entered from itself */
    hits = 0;
    set_plain(SIGUSR2, on_nested, SA_NODEFER);
    raise(SIGUSR2);
    printf("nodefer: hits=%d inner-finished-first=%d\n", hits, last_value == 2);

    /* the alternate stack */
    stack_t st = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
    sigaltstack(&st, NULL);
    set_plain(SIGUSR2, on_alt, SA_ONSTACK);
    raise(SIGUSR2);
    printf("altstack: on-alt-stack=%d ss_onstack=%d\n", last_value / 10, last_value % 10);

    /* a timer interrupts pause */
    hits = 0;
    set_plain(SIGALRM, on_plain, 0);
    arm(20000, true);
    int r = pause();
    int e = errno;
    arm(0, false);
    printf("pause: r=%d errno=%s hit=%d\n", r, e == EINTR ? "EINTR" : "other", hits >= 1);

    /* a blocking read: EINTR without SA_RESTART; restarted with it, the handler writing the
     * byte read (which is there already if the signal came before the read) */
    if (pipe(pipefd) < 0)
        return 1;
    char c;
    arm(20000, true);
    r = (int)read(pipefd[0], &c, 1);
    e = errno;
    arm(0, false);
    printf("read no-restart: r=%d errno=%s\n", r, e == EINTR ? "EINTR" : "other");
    set_plain(SIGALRM, on_alarm_write, SA_RESTART);
    arm(20000, false);
    r = (int)read(pipefd[0], &c, 1);
    printf("read restart: r=%d c=%c\n", r, c);

    /* sigsuspend with SIGALRM blocked outside and open inside */
    hits = 0;
    set_plain(SIGALRM, on_plain, 0);
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_BLOCK, &s, &old);
    arm(20000, false);
    sigset_t during;
    sigemptyset(&during);
    r = sigsuspend(&during);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("sigsuspend: r=%d hits=%d alrm-blocked-after=%d\n", r, hits,
           sigismember(&after, SIGALRM));

    /* sigtimedwait takes a blocked signal without running its handler */
    hits = 0;
    raise(SIGALRM);
    siginfo_t si;
    r = sigtimedwait(&s, &si, &(struct timespec){ 1, 0 });
    printf("sigtimedwait: r=%d signo=%d hits=%d\n", r, si.si_signo, hits);
    return 0;
}
