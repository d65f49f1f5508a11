/* SysV shared memory: segments are the host's (shmget passes through), attached inside the
 * guest space at a guest-chosen or free address. The 64-bit structures shmctl reads and
 * writes have the same layout on every guest as on the host. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "exec/exec.h"
#include "linux/syscall.h"

#define PAGE_MASK (USPACE_PAGE_SIZE - 1)
#define GUEST_IPC_64 0x100   /* "64-bit structures", which the host's C library implies */

SYSCALL(shmctl)
{
    int id = (int)a[0], cmd = (int)a[1];
    size_t size = 0;
    int prot = PROT_WRITE;
    switch (cmd & ~GUEST_IPC_64) {
    case IPC_STAT: case SHM_STAT: case SHM_STAT_ANY: size = sizeof(struct shmid_ds); break;
    case IPC_SET: size = sizeof(struct shmid_ds); prot = PROT_READ; break;
    case IPC_INFO: size = sizeof(struct shminfo); break;
    case SHM_INFO: size = sizeof(struct shm_info); break;
    case IPC_RMID: case SHM_LOCK: case SHM_UNLOCK: break;
    default: return -EINVAL;
    }
    void *buf = NULL;
    if (size && !(buf = guest_ptr(cpu, a[2], size, prot)))
        return -EFAULT;
    return host_ret(shmctl(id, cmd & ~GUEST_IPC_64, buf));
}

SYSCALL(shmat)
{
    struct linux_proc *proc = proc_of(cpu);
    struct uspace *us = &proc->us;
    int id = (int)a[0], flags = (int)a[2];
    uint64_t addr = a[1];
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0)
        return -errno;
    uint64_t len = (ds.shm_segsz + PAGE_MASK) & ~PAGE_MASK;
    if (!len || len > us->limit)
        return -EINVAL;
    pthread_mutex_lock(&proc->mm_lock);
    long ret;
    struct shm_attach *list = realloc(proc->shm, (proc->n_shm + 1) * sizeof(*list));
    if (!list) {
        ret = -ENOMEM;
        goto out;
    }
    proc->shm = list;
    if (addr) {
        if ((addr & PAGE_MASK) && (flags & SHM_RND))
            addr &= ~PAGE_MASK;
        if ((addr & PAGE_MASK) || addr < USPACE_MIN_ADDR || addr > us->limit - len ||
            (!(flags & SHM_REMAP) && !uspace_is_free(us, addr, len))) {
            ret = -EINVAL;
            goto out;
        }
    } else if (!(addr = uspace_find_free(us, 0, len))) {
        ret = -ENOMEM;
        goto out;
    }
    if ((ret = uspace_shmat(us, addr, len, id, flags)) < 0)
        goto out;
    exec_invalidate(cpu, addr, addr + len);
    list[proc->n_shm++] = (struct shm_attach){ addr, len };
    ret = (long)addr;
out:
    pthread_mutex_unlock(&proc->mm_lock);
    return ret;
}

SYSCALL(shmdt)
{
    struct linux_proc *proc = proc_of(cpu);
    long ret = -EINVAL;
    pthread_mutex_lock(&proc->mm_lock);
    for (size_t i = 0; i < proc->n_shm; i++) {
        struct shm_attach *s = &proc->shm[i];
        if (s->addr != a[0])
            continue;
        if ((ret = uspace_unmap(&proc->us, s->addr, s->len)) == 0)
            exec_invalidate(cpu, s->addr, s->addr + s->len);
        *s = proc->shm[--proc->n_shm];
        break;
    }
    pthread_mutex_unlock(&proc->mm_lock);
    return ret;
}
