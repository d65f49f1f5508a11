/* The x86-64 Linux ABI without a C library (so it needs few instruction families): the
 * initial stack, raw syscalls, arch_prctl, x86-64's own struct stat and packed struct
 * epoll_event, the vsyscall page's three calls, and signal frames: a handler that changes registers and flags in its ucontext
 * (entered with DF clear), rt_sigreturn through the SA_RESTORER trampoline, and the
 * trapno/err/cr2 of a page fault and of #UD. */
typedef unsigned long u64;

static long sys(long n, long a, long b, long c, long d)
{
    long r;
    register long r10 asm("r10") = d;
    asm volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                 : "rcx", "r11", "memory");
    return r;
}

static u64 len(const char *s)
{
    u64 n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    sys(1, 1, (long)s, (long)len(s), 0);
}

#define check(name, cond) do { if (cond) say("ok " name "\n"); else say("FAIL " name "\n"); } while (0)

enum { NR_stat = 4, NR_rt_sigaction = 13, NR_getpid = 39, NR_kill = 62, NR_time = 201,
       NR_arch_prctl = 158, NR_epoll_wait = 232, NR_epoll_ctl = 233, NR_exit_group = 231,
       NR_eventfd2 = 290, NR_epoll_create1 = 291 };
enum { SA_SIGINFO = 4, SA_RESTORER = 0x04000000 };

struct ksigaction {
    void *handler;
    u64 flags;
    void *restorer;
    u64 mask;
};

/* struct sigcontext's slots in uc_mcontext (at 40 in the ucontext). */
enum { MC_RSI = 9, MC_RAX = 13, MC_RIP = 16, MC_EFLAGS = 17, MC_ERR = 19, MC_TRAPNO = 20, MC_CR2 = 22,
       MC_FPSTATE = 23 };

extern void restorer(void);
asm(".text\nrestorer: mov $15, %eax\nsyscall\n");

static volatile u64 got, trapno, err, cr2, si_addr, si_code, fpstate, flags_in, flags_saved;

enum { CF = 1, DF = 0x400 };

static u64 eflags(void)
{
    u64 f;
    asm volatile("pushf\n pop %0" : "=r"(f));
    return f;
}

/* Changes rax, rsi and CF for the interrupted code, which had DF set. */
static void on_usr1(int sig, void *info, void *uc)
{
    u64 *mc = (u64 *)((char *)uc + 40);
    got = (u64)sig;
    flags_in = eflags();
    flags_saved = mc[MC_EFLAGS];
    mc[MC_RAX] = 0x1234;
    mc[MC_RSI] = 0x5678;
    mc[MC_EFLAGS] |= CF;
}

/* Records the fault and resumes after the faulting instruction, whose length is in r12. */
static void on_fault(int sig, void *info, void *uc)
{
    u64 *mc = (u64 *)((char *)uc + 40);
    got = (u64)sig;
    trapno = mc[MC_TRAPNO];
    err = mc[MC_ERR];
    cr2 = mc[MC_CR2];
    fpstate = mc[MC_FPSTATE];
    si_code = (u64)*(int *)((char *)info + 8);
    si_addr = *(u64 *)((char *)info + 16);
    mc[MC_RIP] += 3;
}

void start_c(u64 *sp)
{
    say("hello\n");
    check("argc", sp[0] == 1);
    check("stack 16-aligned", ((u64)sp & 15) == 0);

    static u64 tls[2] = { 0, 0x4242 };
    u64 fs = 0;
    check("ARCH_SET_FS", sys(NR_arch_prctl, 0x1002, (long)tls, 0, 0) == 0);
    sys(NR_arch_prctl, 0x1003, (long)&fs, 0, 0);
    check("ARCH_GET_FS", fs == (u64)tls);
    check("fs-relative load", ({ u64 v; asm volatile("mov %%fs:8, %0" : "=r"(v)); v; }) == 0x4242);
    check("ARCH_SET_FS beyond the user space", sys(NR_arch_prctl, 0x1002, 0x800000000000, 0, 0) == -1);
    check("unknown arch_prctl", sys(NR_arch_prctl, 0x9999, 0, 0, 0) == -22);
    long now = sys(NR_time, 0, 0, 0, 0);
    check("time", now > 1000000000);
    long vt = ((long (*)(long *))0xffffffffff600400)(0);
    check("vsyscall time", vt >= now && vt < now + 10);
    long tv[2] = { 0, -1 };
    check("vsyscall gettimeofday", ((long (*)(long *, void *))0xffffffffff600000)(tv, 0) == 0 &&
          tv[0] >= now && tv[0] < now + 10 && tv[1] >= 0 && tv[1] < 1000000);
    unsigned cpu = ~0u, node = ~0u;
    check("vsyscall getcpu", ((long (*)(unsigned *, unsigned *, void *))0xffffffffff600800)(
          &cpu, &node, 0) == 0 && cpu < 4096 && node < 4096);

    u64 st[18];
    check("stat", sys(NR_stat, (long)"/", (long)st, 0, 0) == 0);
    check("st_mode at 24 is a directory", ((st[3] & 0170000) == 0040000));
    check("st_nlink at 16", st[2] >= 2 && st[2] < 100000);

    long efd = sys(NR_eventfd2, 1, 0, 0, 0), ep = sys(NR_epoll_create1, 0, 0, 0, 0);
    unsigned ev[3] = { 1, 0x55667788, 0x11223344 };   /* EPOLLIN, data (packed) */
    check("epoll_ctl", sys(NR_epoll_ctl, ep, 1, efd, (long)ev) == 0);
    unsigned out[6] = { 0, 0, 0, 0xdead, 0xdead, 0xdead };
    check("epoll_wait", sys(NR_epoll_wait, ep, (long)out, 2, 0) == 1);
    check("epoll_event packed", out[0] == 1 && out[1] == 0x55667788 && out[2] == 0x11223344 &&
          out[3] == 0xdead);

    struct ksigaction sa = { (void *)on_usr1, SA_SIGINFO | SA_RESTORER, (void *)restorer, 0 };
    check("rt_sigaction", sys(NR_rt_sigaction, 10, (long)&sa, 0, 8) == 0);
    long r, rsi = 10, pid = sys(NR_getpid, 0, 0, 0, 0);
    u64 flags_after;
    asm volatile("std\n clc\n syscall\n pushf\n pop %2\n cld"
                 : "=a"(r), "+S"(rsi), "=r"(flags_after) : "a"((long)NR_kill), "D"(pid)
                 : "rcx", "r11", "memory", "cc");
    check("handler ran", got == 10);
    check("rax from the ucontext", r == 0x1234);
    check("rsi from the ucontext", rsi == 0x5678);
    check("the frame's eflags has DF", (flags_saved & DF) != 0);
    check("the handler runs with DF clear", (flags_in & DF) == 0);
    check("CF from the ucontext", (flags_after & CF) != 0);
    check("DF back after rt_sigreturn", (flags_after & DF) != 0);

    struct ksigaction sf = { (void *)on_fault, SA_SIGINFO | SA_RESTORER, (void *)restorer, 0 };
    sys(NR_rt_sigaction, 11, (long)&sf, 0, 8);
    sys(NR_rt_sigaction, 4, (long)&sf, 0, 8);
    u64 v = 0x10;
    asm volatile("mov (%1), %0" : "=r"(v) : "0"(v));   /* 3 bytes */
    check("SIGSEGV", got == 11);
    check("page fault trapno 14", trapno == 14);
    check("page fault err: user read", err == 4);
    check("cr2", cr2 == 0x10);
    check("si_addr", si_addr == 0x10);
    check("si_code SEGV_MAPERR", si_code == 1);
    check("fpstate", fpstate != 0);
    asm volatile("ud2\n nop");   /* resumed 3 bytes on: after the nop */
    check("SIGILL", got == 4);
    check("#UD trapno 6", trapno == 6);
    check("si_code ILL_ILLOPN", si_code == 2);
    sys(NR_exit_group, 7, 0, 0, 0);
}

asm(".globl _start\n_start: mov %rsp, %rdi\n and $-16, %rsp\n call start_c\n");
