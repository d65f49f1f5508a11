/* The user-mode guest address space: one PROT_NONE host reservation whose pages get the guest's
 * read/write protection when mapped, and a byte per page with the guest's own view, which every
 * syscall-side access checks first so a guest pointer can never reach host memory outside it. */
#include "mem/uspace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "core/log.h"

#define PAGE_MASK (USPACE_PAGE_SIZE - 1)
#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
/* The mmap flags uspace_map passes on. */
#define HOST_MAP_FLAGS (MAP_TYPE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE)

static uint64_t page_of(uint64_t addr)
{
    return addr / USPACE_PAGE_SIZE;
}

/* True if [addr, addr+len) lies inside the space (len may be 0); catches addr+len overflow. */
static bool range_inside(const struct uspace *us, uint64_t addr, uint64_t len)
{
    return addr <= us->limit && len <= us->limit - addr;
}

/* A page-aligned, non-empty range inside the space: what map/unmap/protect accept. */
static bool range_valid(const struct uspace *us, uint64_t addr, uint64_t len)
{
    return len && !(addr & PAGE_MASK) && !(len & PAGE_MASK) && range_inside(us, addr, len);
}

/* Host protection for guest flags: never PROT_EXEC; guest-executable pages stay host-readable
 * so the translator can fetch them. */
static int host_prot(int prot)
{
    int p = prot & (PROT_READ | PROT_WRITE);
    if (prot & PROT_EXEC)
        p |= PROT_READ;
    return p;
}

/* The page flags byte for a mapping with guest prot. */
static uint8_t guest_flags(int prot)
{
    return (uint8_t)(USPACE_MAPPED | (prot & (USPACE_READ | USPACE_WRITE | USPACE_EXEC)));
}

int uspace_init(struct uspace *us, uint64_t size, uint64_t host_base)
{
    memset(us, 0, sizeof(*us));
    if (!size || (size & PAGE_MASK) || (host_base & PAGE_MASK) ||
        (host_base && (host_base < USPACE_GUARD || host_base + size + USPACE_GUARD < host_base)))
        return -EINVAL;
    void *at = host_base ? (void *)(uintptr_t)(host_base - USPACE_GUARD) : NULL;
    uint8_t *r = mmap(at, size + 2 * USPACE_GUARD, PROT_NONE,
                      RESERVE_FLAGS | (at ? MAP_FIXED_NOREPLACE : 0), -1, 0);
    if (r == MAP_FAILED)
        return -errno;
    if (at && r != at) {    /* a kernel before 4.17 takes MAP_FIXED_NOREPLACE as a hint */
        munmap(r, size + 2 * USPACE_GUARD);
        return -EEXIST;
    }
    void *pflags = mmap(NULL, page_of(size), PROT_READ | PROT_WRITE, RESERVE_FLAGS, -1, 0);
    if (pflags == MAP_FAILED) {
        int err = -errno;
        munmap(r, size + 2 * USPACE_GUARD);
        return err;
    }
    us->base = r + USPACE_GUARD;
    us->limit = size;
    aspace_flat_init(&us->as, us->base, size);
    us->pflags = pflags;
    us->mmap_base = size;
    return 0;
}

void uspace_destroy(struct uspace *us)
{
    if (us->base) {
        munmap(us->base - USPACE_GUARD, us->limit + 2 * USPACE_GUARD);
        munmap(us->pflags, page_of(us->limit));
    }
    memset(us, 0, sizeof(*us));
}

/* Puts [addr, addr+len) back into the PROT_NONE reservation. A host mapping that fails inside
 * the space may already have unmapped what was there, and the hole it leaves would take the
 * next host allocation (a thread stack, a malloc arena) where the guest can reach it: so this
 * must not fail, and vm stops rather than go on with a hole. */
static void reserve(struct uspace *us, uint64_t addr, uint64_t len)
{
    if (mmap(uspace_g2h(us, addr), len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0) != MAP_FAILED)
        return;
    vm_error("guest address space: cannot restore the reservation at 0x%" PRIx64 ": %s", addr,
             strerror(errno));
    abort();
}

/* After a host call that may have unmapped [addr, addr+len) and failed. The host kernel
 * mostly fails before it changes anything (msync finds every page mapped); if it left a hole,
 * the reservation goes back and the guest's pages there are gone. Returns err. */
static int mend(struct uspace *us, uint64_t addr, uint64_t len, int err)
{
    if (msync(uspace_g2h(us, addr), len, MS_ASYNC) == 0)
        return err;
    reserve(us, addr, len);
    memset(us->pflags + page_of(addr), 0, page_of(len));
    return err;
}

/* Moves the host mapping src (len bytes, made outside the space) to guest address addr. The
 * host kernel unmaps the destination before it moves, so a failed move is mended. */
static int move_in(struct uspace *us, void *src, uint64_t addr, uint64_t len)
{
    if (mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, uspace_g2h(us, addr)) != MAP_FAILED)
        return 0;
    int err = -errno;
    munmap(src, len);
    return mend(us, addr, len, err);
}

/* Private anonymous memory can only fail for want of memory: it is made in place (one system
 * call, as malloc-heavy guests want) and a failure mended. Anything else is made outside the
 * space and then moved in, so a mapping the host refuses (a socket, a file without read
 * access) fails before anything inside the space changed. */
int uspace_map(struct uspace *us, uint64_t addr, uint64_t len, int prot, int flags, int fd,
               off_t off)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    int err;
    if ((flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE) {
        if (mmap(uspace_g2h(us, addr), len, host_prot(prot), MAP_FIXED | (flags & HOST_MAP_FLAGS),
                 -1, 0) == MAP_FAILED)
            return mend(us, addr, len, -errno);
    } else {
        if (flags & MAP_ANONYMOUS)
            fd = -1, off = 0;
        void *p = mmap(NULL, len, host_prot(prot), flags & HOST_MAP_FLAGS, fd, off);
        if (p == MAP_FAILED)
            return -errno;
        if ((err = move_in(us, p, addr, len)) < 0)
            return err;
    }
    memset(us->pflags + page_of(addr), guest_flags(prot), page_of(len));
    return 0;
}

int uspace_shmat(struct uspace *us, uint64_t addr, uint64_t len, int shmid, int shmflg)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    void *p = shmat(shmid, NULL, shmflg & SHM_RDONLY);
    if (p == (void *)-1)
        return -errno;
    int err = move_in(us, p, addr, len);
    if (err < 0)
        return err;
    int prot = PROT_READ | (shmflg & SHM_RDONLY ? 0 : PROT_WRITE) | (shmflg & SHM_EXEC ? PROT_EXEC : 0);
    memset(us->pflags + page_of(addr), guest_flags(prot), page_of(len));
    return 0;
}

int uspace_unmap(struct uspace *us, uint64_t addr, uint64_t len)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    void *p = mmap(uspace_g2h(us, addr), len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    memset(us->pflags + page_of(addr), 0, page_of(len));
    return 0;
}

int uspace_move(struct uspace *us, uint64_t old, uint64_t old_len, uint64_t dest,
                uint64_t new_len)
{
    if (!range_valid(us, old, old_len) || !range_valid(us, dest, new_len))
        return -EINVAL;
    if (mremap(uspace_g2h(us, old), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED,
               uspace_g2h(us, dest)) == MAP_FAILED) {
        return mend(us, dest, new_len, -errno);
    }
    reserve(us, old, old_len);
    uint64_t op = page_of(old), dp = page_of(dest), old_pages = page_of(old_len);
    for (uint64_t i = 0; i < page_of(new_len); i++)
        us->pflags[dp + i] = us->pflags[op + (i < old_pages ? i : old_pages - 1)];
    memset(us->pflags + op, 0, old_pages);
    return 0;
}

/* Like mprotect: every page must be mapped (else -ENOMEM) and all of them change. */
int uspace_protect(struct uspace *us, uint64_t addr, uint64_t len, int prot)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    uint64_t first = page_of(addr), n = page_of(len);
    for (uint64_t i = 0; i < n; i++)
        if (!(us->pflags[first + i] & USPACE_MAPPED))
            return -ENOMEM;
    if (mprotect(uspace_g2h(us, addr), len, host_prot(prot)) < 0)
        return -errno;
    memset(us->pflags + first, guest_flags(prot), n);
    return 0;
}

bool uspace_is_free(const struct uspace *us, uint64_t addr, uint64_t len)
{
    if (!len || !range_inside(us, addr, len))
        return false;
    uint64_t first = page_of(addr), last = page_of(addr + len - 1);
    for (uint64_t i = first; i <= last; i++)
        if (us->pflags[i])
            return false;
    return true;
}

/* Top-down search for npages free pages ending at or below page `top`; 0 if there are none.
 * Runs of mapped pages are skipped a word at a time, since long runs are the common case. */
static uint64_t find_free_below(const struct uspace *us, uint64_t top, uint64_t npages)
{
    uint64_t min_page = page_of(USPACE_MIN_ADDR), run = 0;
    uint64_t p = top;
    while (p > min_page) {
        if (!(p & 7) && p - 8 >= min_page) {
            uint64_t word;
            memcpy(&word, us->pflags + p - 8, 8);
            if (!word && run + 8 < npages) {
                run += 8, p -= 8;
                continue;
            }
            bool no_free_page = !((word - 0x0101010101010101ull) & ~word & 0x8080808080808080ull);
            if (no_free_page) {
                run = 0, p -= 8;
                continue;
            }
        }
        p--;
        run = us->pflags[p] ? 0 : run + 1;
        if (run == npages)
            return p * USPACE_PAGE_SIZE;
    }
    return 0;
}

uint64_t uspace_find_free(struct uspace *us, uint64_t hint, uint64_t len)
{
    if (!len || len > us->limit)
        return 0;
    len = (len + PAGE_MASK) & ~PAGE_MASK;
    hint &= ~PAGE_MASK;
    if (hint >= USPACE_MIN_ADDR && uspace_is_free(us, hint, len))
        return hint;
    uint64_t top = us->mmap_base < us->limit ? us->mmap_base : us->limit;
    return find_free_below(us, page_of(top), page_of(len));
}

bool uspace_access_ok(const struct uspace *us, uint64_t addr, uint64_t len, int prot)
{
    if (!len)
        return true;
    if (!range_inside(us, addr, len))
        return false;
    uint8_t need = USPACE_MAPPED | (prot & (USPACE_READ | USPACE_WRITE | USPACE_EXEC));
    uint64_t first = page_of(addr), last = page_of(addr + len - 1);
    for (uint64_t i = first; i <= last; i++)
        if ((us->pflags[i] & need) != need)
            return false;
    return true;
}

__thread sigjmp_buf *uspace_copy_guard;

/* memcpy that fails with -EFAULT instead of dying when the host faults on guest memory. */
static int guarded_copy(void *dst, const void *src, size_t len)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        uspace_copy_guard = NULL;
        return -EFAULT;
    }
    uspace_copy_guard = &jb;
    memcpy(dst, src, len);
    uspace_copy_guard = NULL;
    return 0;
}

int uspace_fetch(const struct uspace *us, uint64_t addr, void *buf, size_t len)
{
    if (!uspace_access_ok(us, addr, len, USPACE_EXEC))
        return -EFAULT;
    if (!len)   /* addr may be anything: form no pointer from it */
        return 0;
    return guarded_copy(buf, uspace_g2h(us, addr), len);
}

int uspace_read(const struct uspace *us, uint64_t addr, void *buf, size_t len)
{
    if (!uspace_access_ok(us, addr, len, USPACE_READ))
        return -EFAULT;
    if (!len)
        return 0;
    return guarded_copy(buf, uspace_g2h(us, addr), len);
}

int uspace_write(struct uspace *us, uint64_t addr, const void *buf, size_t len)
{
    if (!uspace_access_ok(us, addr, len, USPACE_WRITE))
        return -EFAULT;
    if (!len)
        return 0;
    return guarded_copy(uspace_g2h(us, addr), buf, len);
}

long uspace_strnlen(const struct uspace *us, uint64_t addr, size_t max)
{
    size_t n = 0;
    while (n < max) {
        uint64_t a = addr + n;
        if (a < addr || !uspace_access_ok(us, a, 1, USPACE_READ))
            return -EFAULT;
        size_t chunk = USPACE_PAGE_SIZE - (a & PAGE_MASK);
        if (chunk > max - n)
            chunk = max - n;
        char part[USPACE_PAGE_SIZE];
        if (guarded_copy(part, uspace_g2h(us, a), chunk) < 0)
            return -EFAULT;
        const char *nul = memchr(part, 0, chunk);
        if (nul)
            return (long)(n + (size_t)(nul - part));
        n += chunk;
    }
    return (long)max;
}
