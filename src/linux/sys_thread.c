/* Threads: a guest thread is a host thread with its own CPU (a copy of its creator's registers)
 * and its own signal mask; memory, fds and dispositions are shared because the host process
 * is. Futexes on guest memory are host futexes on the same bytes; guest tids are host tids, so
 * PI futexes work unchanged. exit ends one thread (clearing its tid word), the last one ends
 * the process, exit_group ends all. */
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "exec/exec.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/thread.h"

#define GUEST_TIMESPEC_SIZE 16
#define THREAD_FLAGS_NEEDED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)

struct thread_start {
    struct linux_thread *t;
    uint64_t flags, ptid, ctid;
    int tid;                 /* the new thread's, for its creator (t may be gone by then) */
    sem_t started;
};

static void *thread_main(void *arg)
{
    struct thread_start *ts = arg;
    struct linux_thread *t = ts->t;
    struct linux_proc *proc = t->proc;
    t->tid = gettid();
    if (ts->flags & CLONE_PARENT_SETTID)
        uspace_write(&proc->us, ts->ptid, &t->tid, sizeof(int));
    if (ts->flags & CLONE_CHILD_SETTID)
        uspace_write(&proc->us, ts->ctid, &t->tid, sizeof(int));
    if (ts->flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = ts->ctid;
    ts->tid = t->tid;
    sem_post(&ts->started);   /* ts dies with the creator's frame after this */
    sig_set_mask(t, t->sigmask);
    debug_cpu_added(t->cpu, t->tid);
    int status = linux_run_thread(t->cpu);
    debug_cpu_removed(t->cpu);
    if (t->group_exit || thread_detach(t)) {
        linux_process_end(t->cpu, status);
        fflush(NULL);
        exit(status);
    }
    cpu_free(t->cpu);
    free(t);
    return NULL;
}

long clone_thread(struct cpu *cpu, uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t tls,
                  uint64_t ctid)
{
    struct linux_thread *parent = thread_of(cpu);
    const struct guest_ops *g = cpu->ops;
    const struct guest_linux_ops *gl = guest_linux(cpu);
    if ((flags & THREAD_FLAGS_NEEDED) != THREAD_FLAGS_NEEDED) {
        log_unimp("vm: clone flags %#lx not supported (returns EINVAL)\n", (long)flags);
        return -EINVAL;
    }
    struct linux_thread *t = calloc(1, sizeof(*t));
    struct cpu *c = cpu_new(g, engine_by_name(parent->proc->engine));
    if (!t || !c) {
        free(t);
        cpu_free(c);
        return -ENOMEM;
    }
    memcpy((char *)c + sizeof(struct cpu), (char *)cpu + sizeof(struct cpu),
           g->state_size - sizeof(struct cpu));
    c->pc = cpu->pc;
    c->as = cpu->as;
    c->fetch_code = cpu->fetch_code;
    c->machine = cpu->machine;
    c->os = t;
    t->proc = parent->proc;
    t->cpu = c;
    t->sigmask = parent->sigmask;
    gl->syscall_ret(c, 0);
    if (sp)
        gl->set_sp(c, sp);
    if (flags & CLONE_SETTLS)
        gl->set_tls(c, tls);

    struct thread_start ts = { .t = t, .flags = flags, .ptid = ptid, .ctid = ctid };
    sem_init(&ts.started, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the thread sets its own mask */
    thread_attach(t);
    pthread_t th;
    int err = pthread_create(&th, &attr, thread_main, &ts);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err) {
        thread_detach(t);
        cpu_free(c);
        free(t);
        return -err;
    }
    while (sem_wait(&ts.started) < 0)
        ;
    sem_destroy(&ts.started);
    return ts.tid;
}

SYSCALL(exit)
{
    struct linux_thread *t = thread_of(cpu);
    if (atomic_load(&t->proc->nthreads) == 1)
        return sys_exit_group(cpu, a);
    t->exited = true;
    t->exit_status = (int)(a[0] & 0xff);
    return 0;
}

/* What a futex command's arguments are: whether it has a timeout in a[3] (else a[3] is val2)
 * and a second futex word in a[4]. */
static const struct futex_cmd {
    int cmd;
    bool timeout, uaddr2;
} futex_cmds[] = {
    { FUTEX_WAIT, true, false }, { FUTEX_WAKE, false, false },
    { FUTEX_REQUEUE, false, true }, { FUTEX_CMP_REQUEUE, false, true },
    { FUTEX_WAKE_OP, false, true }, { FUTEX_LOCK_PI, true, false },
    { FUTEX_UNLOCK_PI, false, false }, { FUTEX_TRYLOCK_PI, false, false },
    { FUTEX_WAIT_BITSET, true, false }, { FUTEX_WAKE_BITSET, false, false },
    { FUTEX_WAIT_REQUEUE_PI, true, true }, { FUTEX_CMP_REQUEUE_PI, false, true },
    { FUTEX_LOCK_PI2, true, false },
};

SYSCALL(futex)
{
    int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
    for (size_t i = 0; i < sizeof(futex_cmds) / sizeof(futex_cmds[0]); i++) {
        const struct futex_cmd *c = &futex_cmds[i];
        if (c->cmd != cmd)
            continue;
        /* The host kernel checks the words as Linux does (a private wake on an unmapped
         * address wakes no one and succeeds). */
        void *uaddr = kernel_ptr(cpu, a[0], 4, 0), *uaddr2 = NULL;
        void *arg3 = (void *)(uintptr_t)a[3];
        if (c->timeout && a[3])
            arg3 = kernel_ptr(cpu, a[3], GUEST_TIMESPEC_SIZE, 0);
        if (c->uaddr2)
            uaddr2 = kernel_ptr(cpu, a[4], 4, 0);
        return sig_syscall(SYS_futex, uaddr, op, (uint32_t)a[2], arg3, uaddr2, (uint32_t)a[5]);
    }
    log_unimp("vm: futex operation %d not supported (returns ENOSYS)\n", cmd);
    return -ENOSYS;
}
