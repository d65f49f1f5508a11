/* The JIT's code cache (see codegc.h): W^X through two views of one memfd, bump allocation,
 * and an address-ordered list of blocks for mapping host pcs back to blocks. */
#include "exec/codegc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec/tb.h"

size_t codegc_size;
struct codegc_stats codegc_stats;

static uint8_t *rw_base, *rx_base;
static size_t cap, used, fixed_end;
static struct tb **blocks;      /* in address order */
static size_t n_blocks, max_blocks, live;

/* Maps both views of a new memfd (at the old addresses when fixed), copying from `from`. */
static int map_views(bool fixed, const uint8_t *from)
{
    int fd = memfd_create("vm-jit", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)cap) < 0 || (from && write(fd, from, used) != (ssize_t)used)) {
        close(fd);
        return -EIO;
    }
    int flags = MAP_SHARED | (fixed ? MAP_FIXED : 0);
    void *rw = mmap(fixed ? rw_base : NULL, cap, PROT_READ | PROT_WRITE, flags, fd, 0);
    void *rx = mmap(fixed ? rx_base : NULL, cap, PROT_READ | PROT_EXEC, flags, fd, 0);
    close(fd);
    if (rw == MAP_FAILED || rx == MAP_FAILED)
        return -ENOMEM;
    rw_base = rw;
    rx_base = rx;
    return 0;
}

/* A forked child must not write into its parent's code: give it a private copy, at the same
 * addresses so every pointer into the cache stays valid. */
static void child_after_fork(void)
{
    uint8_t *copy = malloc(used);
    if (!copy)
        abort();
    memcpy(copy, rw_base, used);
    if (map_views(true, copy) < 0)
        abort();
    free(copy);
}

int codegc_init(void)
{
    if (rw_base)
        return 0;
    cap = codegc_size ? codegc_size : CODEGC_DEFAULT_SIZE;
    int err = map_views(false, NULL);
    if (err < 0)
        return err;
    pthread_atfork(NULL, NULL, child_after_fork);
    return 0;
}

uint8_t *codegc_space(size_t *avail, intptr_t *rx_delta)
{
    *avail = cap - used;
    *rx_delta = rx_base - rw_base;
    return rw_base + used;
}

void *codegc_commit(uint8_t *start, uint8_t *end, struct tb *tb)
{
    used = (size_t)(end - rw_base);
    used = (used + 15) & ~(size_t)15;
    if (used > cap)
        used = cap;
    codegc_stats.bytes += (uint64_t)(end - start);
    if (!tb) {
        fixed_end = used;
        return rx_base + (start - rw_base);
    }
    if (n_blocks == max_blocks) {
        size_t n = max_blocks ? 2 * max_blocks : 1024;
        struct tb **p = realloc(blocks, n * sizeof(*p));
        if (!p)
            abort();
        blocks = p;
        max_blocks = n;
    }
    blocks[n_blocks++] = tb;
    live++;
    codegc_stats.blocks++;
    return rx_base + (start - rw_base);
}

void codegc_release(void)
{
    codegc_stats.generation++;
    if (--live == 0) {
        used = fixed_end;
        n_blocks = 0;
    }
}

void *codegc_rw(const void *rx)
{
    return rw_base + ((const uint8_t *)rx - rx_base);
}

bool codegc_contains(const void *rx)
{
    return rx_base && (const uint8_t *)rx >= rx_base && (const uint8_t *)rx < rx_base + cap;
}

struct tb *codegc_lookup(const void *pc)
{
    size_t lo = 0, hi = n_blocks;
    while (lo < hi) {   /* last block starting at or before pc */
        size_t mid = (lo + hi) / 2;
        if ((const uint8_t *)blocks[mid]->code <= (const uint8_t *)pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    struct tb *tb = blocks[lo - 1];
    return (const uint8_t *)pc < (const uint8_t *)tb->code + tb->code_size ? tb : NULL;
}
