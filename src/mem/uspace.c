/* The user-mode guest address space: one PROT_NONE host reservation whose pages get the guest's
 * read/write protection when mapped, and a byte per page with the guest's own view, which every
 * syscall-side access checks first so a guest pointer can never reach host memory outside it. */
#include "mem/uspace.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define PAGE_MASK (USPACE_PAGE_SIZE - 1)
#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
/* The mmap flags uspace_map passes on; it adds MAP_FIXED itself. */
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

int uspace_init(struct uspace *us, uint64_t size)
{
    memset(us, 0, sizeof(*us));
    if (!size || (size & PAGE_MASK))
        return -EINVAL;
    uint8_t *r = mmap(NULL, size + 2 * USPACE_GUARD, PROT_NONE, RESERVE_FLAGS, -1, 0);
    if (r == MAP_FAILED)
        return -errno;
    void *pflags = mmap(NULL, page_of(size), PROT_READ | PROT_WRITE, RESERVE_FLAGS, -1, 0);
    if (pflags == MAP_FAILED) {
        int err = -errno;
        munmap(r, size + 2 * USPACE_GUARD);
        return err;
    }
    us->base = r + USPACE_GUARD;
    us->limit = size;
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

int uspace_map(struct uspace *us, uint64_t addr, uint64_t len, int prot, int flags, int fd,
               off_t off)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    int host_flags = MAP_FIXED | (flags & HOST_MAP_FLAGS);
    if (flags & MAP_ANONYMOUS)
        fd = -1, off = 0;
    void *p = mmap(uspace_g2h(us, addr), len, host_prot(prot), host_flags, fd, off);
    if (p == MAP_FAILED)
        return -errno;
    memset(us->pflags + page_of(addr), guest_flags(prot), page_of(len));
    return 0;
}

int uspace_shmat(struct uspace *us, uint64_t addr, uint64_t len, int shmid, int shmflg)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    if (shmat(shmid, uspace_g2h(us, addr), (shmflg & SHM_RDONLY) | SHM_REMAP) == (void *)-1)
        return -errno;
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
    return guarded_copy(buf, uspace_g2h(us, addr), len);
}

int uspace_read(const struct uspace *us, uint64_t addr, void *buf, size_t len)
{
    if (!uspace_access_ok(us, addr, len, USPACE_READ))
        return -EFAULT;
    return guarded_copy(buf, uspace_g2h(us, addr), len);
}

int uspace_write(struct uspace *us, uint64_t addr, const void *buf, size_t len)
{
    if (!uspace_access_ok(us, addr, len, USPACE_WRITE))
        return -EFAULT;
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
