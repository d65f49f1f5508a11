/* The user-mode guest address space: one PROT_NONE host reservation whose pages get the guest's
 * read/write protection when mapped, and page flags with the guest's own view, which every
 * syscall-side access checks first so a guest pointer can never reach host memory outside it.
 * The flags change under the caller's lock (the process's mm lock) but are read without it. */
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

/* ---- page flags ---- */

#define LEAF_MASK (USPACE_LEAF_PAGES - 1)
#define EVERY_BYTE 0x0101010101010101ull

static bool is_leaf(uintptr_t entry)
{
    return entry > 0xff;
}

static uintptr_t dir_entry(const struct uspace *us, uint64_t page)
{
    return __atomic_load_n(&us->dir[page / USPACE_LEAF_PAGES], __ATOMIC_ACQUIRE);
}

static uint64_t dir_entries(uint64_t size)
{
    return (page_of(size) + LEAF_MASK) / USPACE_LEAF_PAGES;
}

static uint8_t flags_of(const struct uspace *us, uint64_t page)
{
    uintptr_t e = dir_entry(us, page);
    return is_leaf(e) ? ((const uint8_t *)e)[page & LEAF_MASK] : (uint8_t)e;
}

/* A leaf whose pages all have flags f; vm stops if the host has no memory left for one. */
static uint8_t *new_leaf(struct uspace *us, uint8_t f)
{
    uint8_t *leaf = us->spare;
    if (leaf)
        memcpy(&us->spare, leaf, sizeof(us->spare));
    else if (!(leaf = malloc(USPACE_LEAF_PAGES))) {
        vm_error("guest address space: no memory for page flags");
        abort();
    }
    memset(leaf, f, USPACE_LEAF_PAGES);
    return leaf;
}

/* Gives pages [first, first+n) flags f. */
static void set_flags(struct uspace *us, uint64_t first, uint64_t n, uint8_t f)
{
    while (n) {
        uintptr_t *slot = &us->dir[first / USPACE_LEAF_PAGES], e = *slot;
        uint64_t off = first & LEAF_MASK, k = USPACE_LEAF_PAGES - off < n ? USPACE_LEAF_PAGES - off : n;
        if (k == USPACE_LEAF_PAGES) {
            __atomic_store_n(slot, (uintptr_t)f, __ATOMIC_RELEASE);
            if (is_leaf(e)) {
                memcpy((void *)e, &us->spare, sizeof(us->spare));
                us->spare = (uint8_t *)e;
            }
        } else if (is_leaf(e) || e != f) {
            if (!is_leaf(e)) {
                e = (uintptr_t)new_leaf(us, (uint8_t)e);
                __atomic_store_n(slot, e, __ATOMIC_RELEASE);
            }
            memset((uint8_t *)e + off, f, k);
        }
        first += k, n -= k;
    }
}

/* Which pages a scan looks for: those whose flags & mask are want, or are not (differs). */
struct match {
    uint8_t mask, want;
    bool differs;
};

static bool matches(struct match m, uint8_t f)
{
    return ((f & m.mask) == m.want) != m.differs;
}

/* True if all 8 flag bytes of word match (long runs are skipped a word at a time). */
static bool word_matches(struct match m, uint64_t word)
{
    uint64_t x = (word & m.mask * EVERY_BYTE) ^ m.want * EVERY_BYTE;
    bool some_byte_zero = (x - EVERY_BYTE) & ~x & 0x8080808080808080ull;
    return m.differs ? !some_byte_zero : !x;
}

/* The first page in [p, end) that does not match m, or end. */
static uint64_t scan_up(const struct uspace *us, uint64_t p, uint64_t end, struct match m)
{
    while (p < end) {
        uintptr_t e = dir_entry(us, p);
        uint64_t leaf_end = (p | LEAF_MASK) + 1, stop = leaf_end < end ? leaf_end : end;
        if (!is_leaf(e)) {
            if (!matches(m, (uint8_t)e))
                return p;
            p = stop;
            continue;
        }
        const uint8_t *leaf = (const uint8_t *)e;
        uint64_t at = p & ~LEAF_MASK;
        while (p < stop) {
            uint64_t word;
            if (!(p & 7) && p + 8 <= stop) {
                memcpy(&word, leaf + (p - at), 8);
                if (word_matches(m, word)) {
                    p += 8;
                    continue;
                }
            }
            if (!matches(m, leaf[p - at]))
                return p;
            p++;
        }
    }
    return end;
}

/* The lowest q in [lo, p] such that every page of [q, p) matches m. */
static uint64_t scan_down(const struct uspace *us, uint64_t p, uint64_t lo, struct match m)
{
    while (p > lo) {
        uintptr_t e = dir_entry(us, p - 1);
        uint64_t leaf_start = (p - 1) & ~LEAF_MASK, stop = leaf_start > lo ? leaf_start : lo;
        if (!is_leaf(e)) {
            if (!matches(m, (uint8_t)e))
                return p;
            p = stop;
            continue;
        }
        const uint8_t *leaf = (const uint8_t *)e;
        while (p > stop) {
            uint64_t word;
            if (!(p & 7) && p - 8 >= stop) {
                memcpy(&word, leaf + (p - 8 - leaf_start), 8);
                if (word_matches(m, word)) {
                    p -= 8;
                    continue;
                }
            }
            if (!matches(m, leaf[p - 1 - leaf_start]))
                return p;
            p--;
        }
    }
    return lo;
}

static const struct match free_page = { 0xff, 0, false }, used_page = { 0xff, 0, true };

uint8_t uspace_flags_run(const struct uspace *us, uint64_t addr, uint64_t *end)
{
    uint64_t p = page_of(addr);
    uint8_t f = flags_of(us, p);
    *end = scan_up(us, p, page_of(us->limit), (struct match){ 0xff, f, false }) * USPACE_PAGE_SIZE;
    return f;
}

/* ---- the space ---- */

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
    void *dir = mmap(NULL, dir_entries(size) * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
                     RESERVE_FLAGS, -1, 0);
    if (dir == MAP_FAILED) {
        int err = -errno;
        munmap(r, size + 2 * USPACE_GUARD);
        return err;
    }
    us->base = r + USPACE_GUARD;
    us->limit = size;
    aspace_flat_init(&us->as, us->base, size);
    us->dir = dir;
    us->mmap_base = size;
    return 0;
}

void uspace_destroy(struct uspace *us)
{
    if (us->base) {
        munmap(us->base - USPACE_GUARD, us->limit + 2 * USPACE_GUARD);
        for (uint64_t i = 0; i < dir_entries(us->limit); i++)
            if (is_leaf(us->dir[i]))
                free((void *)us->dir[i]);
        while (us->spare) {
            uint8_t *next;
            memcpy(&next, us->spare, sizeof(next));
            free(us->spare);
            us->spare = next;
        }
        munmap(us->dir, dir_entries(us->limit) * sizeof(uintptr_t));
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
    set_flags(us, page_of(addr), page_of(len), 0);
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
 * access, a mapping type it does not know) fails before anything inside the space changed. */
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
        /* Asked with PROT_EXEC, so the host refuses a file on a noexec mount as Linux does. */
        void *p = mmap(NULL, len, host_prot(prot) | (prot & PROT_EXEC), flags & HOST_MAP_FLAGS,
                       fd, off);
        if (p == MAP_FAILED)
            return -errno;
        if ((prot & PROT_EXEC) && mprotect(p, len, host_prot(prot)) < 0) {
            err = -errno;
            munmap(p, len);
            return err;
        }
        if ((err = move_in(us, p, addr, len)) < 0)
            return err;
    }
    set_flags(us, page_of(addr), page_of(len), guest_flags(prot));
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
    set_flags(us, page_of(addr), page_of(len), guest_flags(prot));
    return 0;
}

int uspace_unmap(struct uspace *us, uint64_t addr, uint64_t len)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    void *p = mmap(uspace_g2h(us, addr), len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    set_flags(us, page_of(addr), page_of(len), 0);
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
    uint64_t new_pages = page_of(new_len), moved = old_pages < new_pages ? old_pages : new_pages;
    for (uint64_t i = 0; i < moved;) {   /* a run of equal flags at a time */
        uint8_t f = flags_of(us, op + i);
        uint64_t end = scan_up(us, op + i, op + moved, (struct match){ 0xff, f, false }) - op;
        set_flags(us, dp + i, end - i, f);
        i = end;
    }
    if (new_pages > old_pages)
        set_flags(us, dp + old_pages, new_pages - old_pages, flags_of(us, op + old_pages - 1));
    set_flags(us, op, old_pages, 0);
    return 0;
}

/* Like mprotect: every page must be mapped (else -ENOMEM) and all of them change. */
int uspace_protect(struct uspace *us, uint64_t addr, uint64_t len, int prot)
{
    if (!range_valid(us, addr, len))
        return -EINVAL;
    uint64_t first = page_of(addr), n = page_of(len);
    if (scan_up(us, first, first + n, (struct match){ USPACE_MAPPED, USPACE_MAPPED, false }) <
        first + n)
        return -ENOMEM;
    if (mprotect(uspace_g2h(us, addr), len, host_prot(prot)) < 0)
        return -errno;
    set_flags(us, first, n, guest_flags(prot));
    return 0;
}

bool uspace_is_free(const struct uspace *us, uint64_t addr, uint64_t len)
{
    if (!len || !range_inside(us, addr, len))
        return false;
    uint64_t first = page_of(addr), end = page_of(addr + len - 1) + 1;
    return scan_up(us, first, end, free_page) == end;
}

/* Top-down search for npages free pages ending at or below page `top`; 0 if there are none. */
static uint64_t find_free_below(const struct uspace *us, uint64_t top, uint64_t npages)
{
    uint64_t min_page = page_of(USPACE_MIN_ADDR), p = top;
    while (p > min_page) {
        /* Only npages below p are looked at: the free run under a guest's mappings reaches
         * down across most of a space of 2^47 bytes, a million directory entries to read at
         * every mmap (a few percent of python's start). */
        uint64_t lo = p - min_page > npages ? p - npages : min_page;
        uint64_t q = scan_down(us, p, lo, free_page);
        if (p - q >= npages)
            return (p - npages) * USPACE_PAGE_SIZE;
        p = scan_down(us, q, min_page, used_page);
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
    uint64_t first = page_of(addr), end = page_of(addr + len - 1) + 1;
    return scan_up(us, first, end, (struct match){ need, need, false }) == end;
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
