/* A process's list of threads (proc.h): joining it, and leaving it as the kernel has a thread
 * leave (its robust futexes released, its tid word cleared and woken). The run loop
 * (run.c) and thread creation (sys_thread.c) both use it, so it sits below both. */
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/proc.h"

void thread_attach(struct linux_thread *t)
{
    struct linux_proc *proc = t->proc;
    pthread_mutex_lock(&proc->lock);
    t->next = proc->threads;
    proc->threads = t;
    atomic_fetch_add(&proc->nthreads, 1);
    pthread_mutex_unlock(&proc->lock);
}

#define ROBUST_LIST_LIMIT 2048

/* A robust mutex the dying thread holds: marked FUTEX_OWNER_DIED, one waiter woken. */
static void release_robust_futex(struct linux_thread *t, uint64_t addr)
{
    struct uspace *us = &t->proc->us;
    uint32_t v;
    if ((addr & 3) || !uspace_access_ok(us, addr, 4, PROT_READ | PROT_WRITE))
        return;
    uint32_t *word = uspace_g2h(us, addr);
    do {
        v = __atomic_load_n(word, __ATOMIC_RELAXED);
        if ((v & FUTEX_TID_MASK) != (uint32_t)t->tid)
            return;
    } while (!__atomic_compare_exchange_n(word, &v, (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED,
                                          false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    if (v & FUTEX_WAITERS)
        syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The kernel's exit_robust_list on the guest's list (struct robust_list_head: next,
 * futex_offset, list_op_pending); entries' low bit marks PI futexes. */
static void exit_robust_list(struct linux_thread *t)
{
    uint64_t head[3];
    if (!t->robust_list || uspace_read(&t->proc->us, t->robust_list, head, sizeof(head)) < 0)
        return;
    uint64_t entry = head[0] & ~1ull, pending = head[2] & ~1ull;
    for (int n = 0; entry && entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t next;
        if (uspace_read(&t->proc->us, entry, &next, sizeof(next)) < 0)
            break;
        if (entry != pending)
            release_robust_futex(t, entry + head[1]);
        entry = next & ~1ull;
    }
    if (pending)
        release_robust_futex(t, pending + head[1]);
}

/* Releases its robust mutexes and clears the tid word, waking its waiters (pthread_join), as
 * the kernel does at exit. */
bool thread_detach(struct linux_thread *t)
{
    struct linux_proc *proc = t->proc;
    uint32_t zero = 0;
    /* Off the count first, as Linux does, so a thread woken by the tid word below (a
     * pthread_join) that exits next is the last one and its status the process's. */
    pthread_mutex_lock(&proc->lock);
    struct linux_thread **p = &proc->threads;
    while (*p && *p != t)
        p = &(*p)->next;
    if (*p)
        *p = t->next;
    bool last = atomic_fetch_sub(&proc->nthreads, 1) == 1;
    pthread_mutex_unlock(&proc->lock);
    exit_robust_list(t);
    if (t->clear_child_tid &&
        uspace_write(&proc->us, t->clear_child_tid, &zero, sizeof(zero)) == 0)
        syscall(SYS_futex, uspace_g2h(&proc->us, t->clear_child_tid), FUTEX_WAKE, 1, NULL,
                NULL, 0);
    return last;
}

struct linux_thread *thread_by_tid(struct linux_proc *proc, int tid)
{
    for (struct linux_thread *t = proc->threads; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}
