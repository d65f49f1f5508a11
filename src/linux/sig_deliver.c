/* Delivering guest signals: a synchronous fault or a pending signal takes its default action
 * or enters the guest's handler on a frame laid out as the guest kernel's rt_sigframe
 * (struct sigframe_layout): asm-generic's is siginfo, then struct ucontext (uc_flags, uc_link,
 * uc_stack, uc_sigmask padded to 1024 bits, uc_mcontext at offset 176, filled by the guest's
 * hook); x86-64's differs. rt_sigreturn reads it back. */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "guest/aarch64/cpu.h"
#include "linux/signal.h"
#include "linux/syscall.h"

#define SIGINFO_SIZE 128
#define UC_STACK_OFF 16
#define FRAME_MAX 16384

struct guest_stack_t {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
};

/* The guest's frame layout: its own, or asm-generic's. */
static struct sigframe_layout layout_of(const struct guest_linux_ops *g)
{
    if (g->frame)
        return *g->frame;
    return (struct sigframe_layout){
        .info = 0, .uc = SIGINFO_SIZE, .uc_sigmask = 40, .uc_mcontext = 176,
        .size = (uint16_t)(SIGINFO_SIZE + 176 + g->sigcontext_size), .ret_slot = -1,
    };
}

static bool on_altstack(const struct linux_thread *t, uint64_t sp)
{
    return t->altstack_size && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
}

/* AArch64 top-byte-ignore on demand (A64_TBF_TBI): a data fault on a tagged address that is
 * good without its tag turns it on for this CPU, and the access runs again (the fault left
 * the CPU at it, with nothing of it done). */
static bool tagged_access(struct cpu *cpu, const struct uspace *us)
{
    uint64_t untagged = (uint64_t)((int64_t)(cpu->exc_tval << 8) >> 8);
    if (cpu->ops->elf_machine != EM_AARCH64 || cpu->exc != EXC_DATA_FAULT ||
        (cpu->tb_flags & A64_TBF_TBI) || untagged == cpu->exc_tval || untagged >= us->limit)
        return false;
    cpu->tb_flags |= A64_TBF_TBI;
    return true;
}

void sig_fault(struct cpu *cpu)
{
    struct linux_thread *t = thread_of(cpu);
    struct linux_proc *proc = t->proc;
    siginfo_t info;
    if (tagged_access(cpu, &proc->us))
        return;
    const struct guest_linux_ops *g = proc->guest_linux;
    int sig = g->fault_siginfo ? g->fault_siginfo(cpu, &info) : 0;
    if (!sig)
        sig = linux_exc_siginfo(&proc->us, cpu->exc, cpu->exc_tval, cpu->pc, &info);
    if (cpu->exc == EXC_ILLEGAL && g->illegal_code)
        info.si_code = g->illegal_code;
    if (cpu->exc == EXC_BREAKPOINT && g->breakpoint_si_kernel) {
        info.si_code = SI_KERNEL;
        info.si_addr = NULL;
    }
    t->fault_addr = (uint64_t)(uintptr_t)info.si_addr;
    uint64_t handler = proc->sigactions[sig].handler;
    if ((t->sigmask & SIGBIT(sig)) || handler == GUEST_SIG_DFL || handler == GUEST_SIG_IGN)
        linux_die_of_fault(cpu, &info);
    sig_queue(t, sig, &info);
}

/* The guest's siginfo: the host's has the same layout; a fault's si_addr is a guest address. */
static void build_frame(struct cpu *cpu, int sig, const struct sigframe_layout *l, uint8_t *buf,
                        uint64_t frame, uint64_t ret)
{
    struct linux_thread *t = thread_of(cpu);
    memcpy(buf + l->info, &t->info[sig], SIGINFO_SIZE);
    uint8_t *uc = buf + l->uc;
    memcpy(uc, &l->uc_flags, sizeof(l->uc_flags));
    struct guest_stack_t st = {
        t->altstack_sp,
        t->altstack_size ? (on_altstack(t, guest_linux(cpu)->get_sp(cpu)) ? SS_ONSTACK : 0) : SS_DISABLE,
        0, t->altstack_size,
    };
    if (t->altstack_flags & GUEST_SS_AUTODISARM)
        st.flags |= (int32_t)GUEST_SS_AUTODISARM;
    memcpy(uc + UC_STACK_OFF, &st, sizeof(st));
    uint64_t mask = t->restore_mask ? t->saved_mask : t->sigmask;
    memcpy(uc + l->uc_sigmask, &mask, sizeof(mask));
    if (l->ret_slot >= 0)
        memcpy(buf + l->ret_slot, &ret, sizeof(ret));
    guest_linux(cpu)->sigcontext_save(cpu, uc + l->uc_mcontext, frame + l->uc + l->uc_mcontext,
                                      t->fault_addr, &t->info[sig]);
}

/* Enters the guest handler of sig; a frame that cannot be written kills with SIGSEGV. */
static void enter_handler(struct cpu *cpu, int sig, struct guest_sigaction sa)
{
    struct linux_thread *t = thread_of(cpu);
    struct linux_proc *proc = t->proc;
    const struct guest_linux_ops *g = guest_linux(cpu);
    struct sigframe_layout l = layout_of(g);
    bool restorer = (sa.flags & GUEST_SA_RESTORER) && sa.restorer;
    if (!restorer && g->restorer_required) {
        vm_log(unimp, "vm: signal %d has a handler without SA_RESTORER\n", sig);
        linux_die_of_signal(SIGSEGV);
    }
    uint64_t sp = g->get_sp(cpu);
    if ((sa.flags & SA_ONSTACK) && t->altstack_size && !on_altstack(t, sp))
        sp = t->altstack_sp + t->altstack_size;
    else
        sp -= l.red_zone;
    uint64_t frame = ((sp - l.size - l.sp_bias) & ~(uint64_t)15) + l.sp_bias;
    uint64_t ret = restorer ? sa.restorer : proc->sigreturn_tramp;
    uint8_t buf[FRAME_MAX];
    if (l.size <= sizeof(buf)) {
        memset(buf, 0, l.size);
        build_frame(cpu, sig, &l, buf, frame, ret);
    }
    if (l.size > sizeof(buf) || uspace_write(&proc->us, frame, buf, l.size) < 0) {
        vm_log(unimp, "vm: cannot write the frame for signal %d at 0x%lx\n", sig, (long)frame);
        linux_die_of_signal(SIGSEGV);
    }
    if ((sa.flags & SA_ONSTACK) && (t->altstack_flags & GUEST_SS_AUTODISARM))
        t->altstack_sp = t->altstack_size = 0, t->altstack_flags = 0;
    uint64_t mask = t->sigmask | sa.mask;
    if (!(sa.flags & SA_NODEFER))
        mask |= SIGBIT(sig);
    t->restore_mask = false;
    sig_set_mask(t, mask);
    g->signal_enter(cpu, sa.handler, sig, frame + l.info, frame + l.uc, frame, ret);
}

static void deliver_one(struct cpu *cpu, int sig)
{
    struct linux_proc *proc = proc_of(cpu);
    if (log_enabled(strace)) {
        const siginfo_t *info = &thread_of(cpu)->info[sig];
        strace_signal(sig, info, info->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS ||
                                                       sig == SIGILL || sig == SIGFPE ||
                                                       sig == SIGTRAP));
    }
    pthread_mutex_lock(&proc->lock);
    struct guest_sigaction sa = proc->sigactions[sig];
    if (sa.handler > GUEST_SIG_IGN && (sa.flags & SA_RESETHAND)) {
        memset(&proc->sigactions[sig], 0, sizeof(proc->sigactions[sig]));
        sig_host_disposition(sig, &proc->sigactions[sig]);
    }
    pthread_mutex_unlock(&proc->lock);
    if (sa.handler == GUEST_SIG_IGN)
        return;
    if (sa.handler != GUEST_SIG_DFL) {
        enter_handler(cpu, sig, sa);
        return;
    }
    if (sig_default_ignored(sig))
        return;
    if (sig_default_stops(sig)) {
        kill(getpid(), SIGSTOP);
        return;
    }
    linux_die_of_signal(sig);
}

void sig_deliver(struct cpu *cpu)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t ready;
    while ((ready = atomic_load(&t->pending) & ~t->sigmask)) {
        int sig = __builtin_ctzll(ready) + 1;
        atomic_fetch_and(&t->pending, ~SIGBIT(sig));
        deliver_one(cpu, sig);
    }
    if (t->restore_mask) {
        t->restore_mask = false;
        sig_set_mask(t, t->saved_mask);
    }
}

bool sig_ready(struct cpu *cpu)
{
    const struct linux_thread *t = thread_of(cpu);
    return atomic_load(&t->pending) & ~t->sigmask;
}

bool sig_restart(struct cpu *cpu)
{
    struct linux_thread *t = thread_of(cpu);
    uint64_t ready = atomic_load(&t->pending) & ~t->sigmask;
    if (!ready)
        return false;
    const struct guest_sigaction *sa = &t->proc->sigactions[__builtin_ctzll(ready) + 1];
    return sa->handler > GUEST_SIG_IGN && (sa->flags & SA_RESTART);
}

long sig_return(struct cpu *cpu)
{
    struct linux_thread *t = thread_of(cpu);
    const struct guest_linux_ops *g = guest_linux(cpu);
    struct sigframe_layout l = layout_of(g);
    uint64_t frame = g->get_sp(cpu) - l.sp_at_return;
    uint8_t buf[FRAME_MAX];
    if (l.size > sizeof(buf) || uspace_read(&t->proc->us, frame, buf, l.size) < 0)
        linux_die_of_signal(SIGSEGV);
    const uint8_t *uc = buf + l.uc;
    uint64_t mask;
    struct guest_stack_t st;
    memcpy(&mask, uc + l.uc_sigmask, sizeof(mask));
    memcpy(&st, uc + UC_STACK_OFF, sizeof(st));
    if (g->sigcontext_restore(cpu, uc + l.uc_mcontext) < 0)
        linux_die_of_signal(SIGSEGV);
    sig_set_mask(t, mask);
    if (!on_altstack(t, g->get_sp(cpu))) {
        if (st.flags & SS_DISABLE) {
            t->altstack_sp = t->altstack_size = 0;
            t->altstack_flags = 0;
        } else if (st.size >= GUEST_MINSIGSTKSZ) {
            t->altstack_sp = st.sp;
            t->altstack_size = st.size;
            t->altstack_flags = st.flags & (int32_t)GUEST_SS_AUTODISARM;
        }
    }
    return (long)g->syscall_result(cpu);
}
