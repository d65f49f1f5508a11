/* Memory syscalls on the guest address space: brk, mmap/munmap/mprotect/mremap, madvise,
 * msync, mincore, and riscv64's icache flush. Everything lands inside the uspace reservation; translated code in a
 * range that changes is dropped. */
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "core/log.h"
#include "exec/exec.h"
#include "exec/tcache.h"
#include "linux/syscall.h"

#define PAGE_MASK (USPACE_PAGE_SIZE - 1)
#define GUEST_PROT_SEM 0x8   /* accepted and ignored, as Linux does */
#define GUEST_PROT_BITS (PROT_READ | PROT_WRITE | PROT_EXEC | GUEST_PROT_SEM)

/* Calls that change the address space's layout run one at a time (guest threads). */
#define MM_SYSCALL(name)                                                              \
    static long name##_locked(struct cpu *cpu, const uint64_t *a);                    \
    SYSCALL(name)                                                                     \
    {                                                                                 \
        pthread_mutex_lock(&proc_of(cpu)->mm_lock);                                   \
        long r = name##_locked(cpu, a);                                               \
        pthread_mutex_unlock(&proc_of(cpu)->mm_lock);                                 \
        return r;                                                                     \
    }                                                                                 \
    static long name##_locked(struct cpu *cpu, const uint64_t *a)

/* Rounds len up to pages; callers have checked len <= the space size, so it cannot wrap. */
static uint64_t page_up(uint64_t len)
{
    return (len + PAGE_MASK) & ~PAGE_MASK;
}

/* Rounds len up to pages as Linux's PAGE_ALIGN does: a length within a page of 2^64 wraps
 * to 0. */
static uint64_t page_align(uint64_t len)
{
    return (len + PAGE_MASK) & ~PAGE_MASK;
}

MM_SYSCALL(brk)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t want = a[0];
    if (want < us->brk_start || want > us->limit)
        return (long)us->brk_cur;
    uint64_t old_end = page_up(us->brk_cur), new_end = page_up(want);
    if (new_end > old_end) {
        if (!uspace_is_free(us, old_end, new_end - old_end) ||
            uspace_map(us, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) < 0)
            return (long)us->brk_cur;
    } else if (new_end < old_end && uspace_unmap(us, new_end, old_end - new_end) < 0) {
        return (long)us->brk_cur;
    }
    us->brk_cur = want;
    return (long)want;
}

/* In Linux's order: the offset's alignment, the descriptor, the length, the offset's range,
 * then where the mapping goes; the file's own checks (its type, access, a noexec mount, the
 * mapping type) are the host kernel's, which maps it with the same length and offset. */
MM_SYSCALL(mmap)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = a[1], off = a[5];
    int prot = (int)a[2] & (PROT_READ | PROT_WRITE | PROT_EXEC), flags = (int)a[3], fd = (int)a[4];
    int type = flags & MAP_TYPE;
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE), anon = flags & MAP_ANONYMOUS;
    if (off & PAGE_MASK)
        return -EINVAL;
    if (!anon && fcntl(fd, F_GETFD) < 0)
        return -EBADF;
    if (!len)
        return -EINVAL;
    if (len > UINT64_MAX - PAGE_MASK)
        return -ENOMEM;
    len = page_up(len);
    if (off / USPACE_PAGE_SIZE + len / USPACE_PAGE_SIZE < off / USPACE_PAGE_SIZE)
        return -EOVERFLOW;
    if (len > us->limit)
        return -ENOMEM;
    if (fixed) {
        if (addr > us->limit - len)
            return -ENOMEM;
        if (addr & PAGE_MASK)
            return -EINVAL;
        if (addr < USPACE_MIN_ADDR)
            return -EPERM;
        if ((flags & MAP_FIXED_NOREPLACE) && !uspace_is_free(us, addr, len))
            return -EEXIST;
    } else if (!(addr = uspace_find_free(us, addr, len))) {
        return -ENOMEM;
    }
    if (anon && type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    int err = uspace_map(us, addr, len, prot, flags, fd, (off_t)off);
    exec_invalidate(cpu, addr, addr + len);   /* a failure may have unmapped it too */
    tcache_map(addr, len, err == 0 && !anon && (prot & PROT_EXEC) ? fd : -1, NULL);
    return err < 0 ? err : (long)addr;
}

MM_SYSCALL(munmap)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = a[1];
    if ((addr & PAGE_MASK) || !len || len > us->limit || addr > us->limit - page_up(len))
        return -EINVAL;
    len = page_up(len);
    int err = uspace_unmap(us, addr, len);
    if (err == 0) {
        exec_invalidate(cpu, addr, addr + len);
        tcache_unmap(addr, len);
    }
    return err;
}

/* In Linux's order: both grow flags, the address's alignment, an empty range (0), a range that
 * wraps (ENOMEM), then the protection's bits and unmapped pages. */
MM_SYSCALL(mprotect)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = page_align(a[1]);
    int prot = (int)a[2], grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    prot &= ~grows;   /* the stack is fixed-size */
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || (addr & PAGE_MASK))
        return -EINVAL;
    if (!a[1])
        return 0;
    if (addr + len <= addr)
        return -ENOMEM;
    if (prot & ~GUEST_PROT_BITS)
        return -EINVAL;
    if (addr > us->limit || len > us->limit - addr)
        return -ENOMEM;
    int err = uspace_protect(us, addr, len, prot);
    if (err == 0)
        exec_invalidate(cpu, addr, addr + len);
    return err;
}

/* Moves [old, old+old_len) to dest as new_len bytes (uspace_move). */
static long remap_move(struct cpu *cpu, uint64_t old, uint64_t old_len, uint64_t dest,
                       uint64_t new_len)
{
    int err = uspace_move(&proc_of(cpu)->us, old, old_len, dest, new_len);
    exec_invalidate(cpu, dest, dest + new_len);
    tcache_unmap(dest, new_len);
    tcache_unmap(old, old_len);
    if (err < 0)
        return err;
    exec_invalidate(cpu, old, old + old_len);
    return (long)dest;
}

MM_SYSCALL(mremap)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t old = a[0], old_len = a[1], new_len = a[2], flags = a[3], dest = a[4];
    if ((old & PAGE_MASK) || !new_len || !old_len || old_len > us->limit || new_len > us->limit)
        return -EINVAL;
    if ((flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))) {
        vm_log(unimp, "vm: mremap flags 0x%lx not supported (returns EINVAL)\n", (long)flags);
        return -EINVAL;
    }
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (!uspace_access_ok(us, old, old_len, 0))
        return -EFAULT;
    if (flags & MREMAP_FIXED) {
        if ((dest & PAGE_MASK) || dest > us->limit - new_len ||
            (dest < old + old_len && old < dest + new_len))
            return -EINVAL;
        return remap_move(cpu, old, old_len, dest, new_len);
    }
    if (new_len <= old_len) {
        if (new_len < old_len) {
            uspace_unmap(us, old + new_len, old_len - new_len);
            exec_invalidate(cpu, old + new_len, old + old_len);
            tcache_unmap(old + new_len, old_len - new_len);
        }
        return (long)old;
    }
    /* Growing: the pages after the mapping belong to the reservation, so the host cannot
     * extend it in place; move it (which is what MREMAP_MAYMOVE allows). */
    if (!(flags & MREMAP_MAYMOVE) || !(dest = uspace_find_free(us, 0, new_len)))
        return -ENOMEM;
    return remap_move(cpu, old, old_len, dest, new_len);
}

/* In Linux's order: the flags, the address's alignment, a range that wraps (ENOMEM), an empty
 * one (0), then unmapped pages (ENOMEM). */
SYSCALL(msync)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = page_align(a[1]);
    int flags = (int)a[2];
    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (addr & PAGE_MASK) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    if (addr + len < addr)
        return -ENOMEM;
    if (!len)
        return 0;
    if (!uspace_access_ok(us, addr, len, 0))
        return -ENOMEM;
    return host_ret(msync(uspace_g2h(us, addr), len, flags));
}

/* Advice Linux knows. All act on the guest's pages only (MADV_DONTNEED zeroes anonymous
 * pages, as the guest expects), so they go to the host; memory-failure injection (which
 * would poison the host's pages) is not among them. */
static const int madvise_known[] = {
    MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
    MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
    MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD,
    MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
};

/* In Linux's order: the advice, the address's alignment, a length that wraps (EINVAL), an
 * empty range (0); then the mapped parts in turn, the first the host refuses failing the call
 * (MADV_FREE on a file mapping), and ENOMEM at the end if there were unmapped pages. */
SYSCALL(madvise)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = page_align(a[1]);
    int advice = (int)a[2];
    bool known = false;
    for (size_t i = 0; i < sizeof(madvise_known) / sizeof(madvise_known[0]); i++)
        known |= madvise_known[i] == advice;
    if (!known) {
        vm_log(unimp, "vm: madvise advice %d not supported (returns EINVAL)\n", advice);
        return -EINVAL;
    }
    if ((addr & PAGE_MASK) || (a[1] && !len) || addr + len < addr)
        return -EINVAL;
    if (!len)
        return 0;
    uint64_t end = addr + len < us->limit ? addr + len : us->limit, run_end;
    int unmapped = addr + len > end ? -ENOMEM : 0;
    for (; addr < end; addr = run_end) {
        bool mapped = uspace_flags_run(us, addr, &run_end) & USPACE_MAPPED;
        if (run_end > end)
            run_end = end;
        if (!mapped)
            unmapped = -ENOMEM;
        else if (madvise(uspace_g2h(us, addr), run_end - addr, advice) < 0)
            return -errno;
    }
    return unmapped;
}

/* In Linux's order: the address's alignment (EINVAL), a range past the space (ENOMEM), a
 * vector past it (EFAULT); then a page at a time up to 4096 pages, each part ending at an
 * unmapped page (ENOMEM) or written to the vector (EFAULT) before the next. Residency is the
 * host's for the guest's pages. */
SYSCALL(mincore)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t addr = a[0], len = a[1], vec = a[2];
    if (addr & PAGE_MASK)
        return -EINVAL;
    if (addr > us->limit || len > us->limit - addr)
        return -ENOMEM;
    uint64_t pages = len / USPACE_PAGE_SIZE + ((len & PAGE_MASK) != 0);
    if (vec > us->limit || pages > us->limit - vec)
        return -EFAULT;
    unsigned char part[USPACE_PAGE_SIZE];
    while (pages) {
        uint64_t end;
        if (!(uspace_flags_run(us, addr, &end) & USPACE_MAPPED))
            return -ENOMEM;
        uint64_t n = (end - addr) / USPACE_PAGE_SIZE;
        if (n > pages)
            n = pages;
        if (n > sizeof(part))
            n = sizeof(part);
        if (mincore(uspace_g2h(us, addr), n * USPACE_PAGE_SIZE, part) < 0)
            return -errno;
        if (uspace_write(us, vec, part, n) < 0)
            return -EFAULT;
        pages -= n, vec += n, addr += n * USPACE_PAGE_SIZE;
    }
    return 0;
}

SYSCALL(riscv_flush_icache)
{
    if (cpu->ops->elf_machine != EM_RISCV)
        return -ENOSYS;
    if (a[1] < a[0])
        return -EINVAL;
    exec_invalidate(cpu, a[0], a[1]);
    return 0;
}

/* mlock/munlock: only the guest's own mapped pages. */
static long lock_range(struct cpu *cpu, const uint64_t *a, bool lock)
{
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t start = a[0] & ~PAGE_MASK, len = a[1] + (a[0] & PAGE_MASK);
    if (len > us->limit || start > us->limit - page_up(len))
        return -ENOMEM;
    if (!uspace_access_ok(us, start, page_up(len), 0))
        return -ENOMEM;
    void *p = uspace_g2h(us, start);
    return host_ret(lock ? mlock(p, page_up(len)) : munlock(p, page_up(len)));
}

SYSCALL(mlock)
{
    return lock_range(cpu, a, true);
}

SYSCALL(munlock)
{
    return lock_range(cpu, a, false);
}

