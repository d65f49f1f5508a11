/* The JIT's code cache (see codegc.h): W^X through two views of one piece of shared memory
 * (one writable and executable view where a second cannot be mapped),
 * an old space and a nursery with bump allocation each, and per region an address-ordered
 * list of blocks. */
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
void (*codegc_observer)(const void *code, size_t size, const struct tb *tb);

struct entry {
    const uint8_t *code;   /* executable address */
    uint32_t size;
    struct tb *tb;         /* NULL once released */
};

struct region {
    size_t start, end, used;   /* offsets in the cache */
    size_t populated;          /* the offset up to which both views' pages are mapped */
    struct entry *e;
    size_t n, max;
};

static uint8_t *rw_base, *rx_base;
static size_t cap;
static struct region regions[2];
static size_t live;

static size_t free_start(const struct region *g)
{
    return g->start + g->used;
}

/* New shared anonymous memory for the cache, holding a copy of the code in use when copy is
 * set; NULL if there is none. Shared anonymous memory rather than a memfd: perf sees its
 * mappings as anonymous (/dev/zero) and names the code in them from /tmp/perf-PID.map
 * (--perf-map), while a memfd's mapping is a file to it. */
static uint8_t *new_space(bool copy)
{
    uint8_t *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    for (int r = 0; copy && r < 2; r++) {
        size_t from = r == CODEGC_OLD ? 0 : regions[r].start, len = free_start(&regions[r]) - from;
        memcpy(p + from, rw_base + from, len);
    }
    return p;
}

/* Makes space the writable view and maps its pages a second time as the executable view
 * (mremap of a shared mapping with old size 0 maps the same pages again), at the old
 * addresses when fixed (replacing what was there). */
static int map_views(uint8_t *space, bool fixed)
{
    void *rw = space, *rx;
    if (fixed && (rw = mremap(space, cap, cap, MREMAP_MAYMOVE | MREMAP_FIXED, rw_base)) == MAP_FAILED)
        return -ENOMEM;
    rx = fixed ? mremap(rw, 0, cap, MREMAP_MAYMOVE | MREMAP_FIXED, rx_base)
               : mremap(rw, 0, cap, MREMAP_MAYMOVE);
    if (rx == MAP_FAILED || mprotect(rx, cap, PROT_READ | PROT_EXEC) < 0)
        return -ENOMEM;
    rw_base = rw;
    rx_base = rx;
    return 0;
}

/* A forked child must not share its parent's code: the parent goes on compiling and chaining
 * into the same pages the moment fork returns. So the copy is taken before the fork (the JIT
 * holds its lock across it, so no code is being written), and the child maps it at the same
 * addresses, where every pointer into the cache stays valid. */
static uint8_t *fork_copy;

static void before_fork(void)
{
    if (rw_base != rx_base)
        fork_copy = new_space(true);
}

static void parent_after_fork(void)
{
    if (fork_copy)
        munmap(fork_copy, cap);
    fork_copy = NULL;
}

static void child_after_fork(void)
{
    if (rw_base == rx_base)
        return;
    if (!fork_copy || map_views(fork_copy, true) < 0)
        abort();
    fork_copy = NULL;
    /* The code is in new pages: a host whose instruction cache does not snoop its data
     * cache (AArch64) must be told. */
    for (int r = 0; r < 2; r++) {
        char *from = (char *)rx_base + (r == CODEGC_OLD ? 0 : regions[r].start);
        __builtin___clear_cache(from, (char *)rx_base + free_start(&regions[r]));
    }
}

int codegc_init(void)
{
    if (rw_base)
        return 0;
    cap = codegc_size ? codegc_size : CODEGC_DEFAULT_SIZE;
    uint8_t *space = new_space(false);
    if (!space)
        return -ENOMEM;
    if (map_views(space, false) < 0) {
        /* A kernel that cannot map shared memory a second time (qemu-user's emulation of
         * Linux, where vm runs in tests/cross): one private read-write-execute view, which
         * a forked child gets a copy of by itself. */
        munmap(space, cap);
        space = mmap(NULL, cap, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
        if (space == MAP_FAILED)
            return -ENOMEM;
        rw_base = rx_base = space;
    }
    size_t nursery = cap / 4 & ~(size_t)4095;
    regions[CODEGC_OLD] = (struct region){ .start = 0, .end = cap - nursery, .populated = 0 };
    regions[CODEGC_NURSERY] = (struct region){ .start = cap - nursery, .end = cap,
                                               .populated = cap - nursery };
    pthread_atfork(before_fork, parent_after_fork, child_after_fork);
    return 0;
}

/* Maps the pages ahead of the region's free space in both views, POPULATE_CHUNK at a time:
 * one system call for what would be a page fault per 4 KiB written, and another per 4 KiB
 * first run (a Linux boot writes 10 MB of code). Where the kernel cannot (before Linux
 * 5.14), the pages fault in as before. */
#define POPULATE_CHUNK (1u << 20)
#define POPULATE_AHEAD (256u << 10)
static void populate_ahead(struct region *g)
{
    static bool unsupported;
    if (unsupported || free_start(g) + POPULATE_AHEAD <= g->populated || g->populated >= g->end)
        return;
    size_t len = g->end - g->populated < POPULATE_CHUNK ? g->end - g->populated : POPULATE_CHUNK;
    if (madvise(rw_base + g->populated, len, MADV_POPULATE_WRITE) < 0 ||
        (rx_base != rw_base && madvise(rx_base + g->populated, len, MADV_POPULATE_READ) < 0)) {
        unsupported = true;
        return;
    }
    g->populated += len;
}

uint8_t *codegc_space(enum codegc_region r, size_t *avail, intptr_t *rx_delta)
{
    struct region *g = &regions[r];
    populate_ahead(g);
    *avail = g->end - free_start(g);
    *rx_delta = rx_base - rw_base;
    return rw_base + free_start(g);
}

void *codegc_commit(enum codegc_region r, uint8_t *start, uint8_t *end, struct tb *tb)
{
    struct region *g = &regions[r];
    size_t off = (size_t)(end - rw_base);
    off = (off + 15) & ~(size_t)15;
    g->used = (off < g->end ? off : g->end) - g->start;
    codegc_stats.bytes += (uint64_t)(end - start);
    const uint8_t *code = rx_base + (start - rw_base);
    if (codegc_observer)
        codegc_observer(code, (size_t)(end - start), tb);
    if (!tb) {   /* permanent code: the region starts after it */
        g->start += g->used;
        g->used = 0;
        return (void *)code;
    }
    if (g->n == g->max) {
        size_t n = g->max ? 2 * g->max : 1024;
        struct entry *p = realloc(g->e, n * sizeof(*p));
        if (!p)
            abort();
        g->e = p;
        g->max = n;
    }
    g->e[g->n++] = (struct entry){ code, (uint32_t)(end - start), tb };
    live++;
    codegc_stats.blocks++;
    return (void *)code;
}

void codegc_usage(enum codegc_region r, size_t *used, size_t *size)
{
    const struct region *g = &regions[r];
    *used = __atomic_load_n(&g->used, __ATOMIC_RELAXED);
    *size = g->end - g->start;
}

static struct region *region_of(const uint8_t *rx)
{
    size_t off = (size_t)(rx - rx_base);
    return off < regions[CODEGC_NURSERY].start ? &regions[CODEGC_OLD] : &regions[CODEGC_NURSERY];
}

/* The entry whose code starts at or before rx (the last such), or NULL. */
static struct entry *entry_of(const uint8_t *rx)
{
    if (!codegc_contains(rx))
        return NULL;
    struct region *g = region_of(rx);
    /* Chaining asks mostly for a block made just before the one it jumps to, at the end of
     * the list: those are looked at first, before a search that misses the cache. */
    size_t lo = 0, hi = g->n;
    if (hi > 4 && g->e[hi - 4].code <= rx)
        lo = hi - 4;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->e[mid].code <= rx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &g->e[lo - 1] : NULL;
}

static void reset(struct region *g)
{
    g->used = 0;
    g->n = 0;
}

void codegc_release(struct tb *tb)
{
    struct entry *e = entry_of(tb->code);
    if (!e || e->tb != tb)
        return;
    e->tb = NULL;
    codegc_stats.generation++;
    if (--live == 0) {
        reset(&regions[CODEGC_OLD]);
        reset(&regions[CODEGC_NURSERY]);
    }
}

struct tb *codegc_block(enum codegc_region r, size_t *i)
{
    struct region *g = &regions[r];
    while (*i < g->n && !g->e[*i].tb)
        ++*i;
    return *i < g->n ? g->e[(*i)++].tb : NULL;
}

bool codegc_nursery_low(void)
{
    const struct region *g = &regions[CODEGC_NURSERY];
    return g->end - free_start(g) < (g->end - g->start) / 8;
}

void codegc_reset_nursery(void)
{
    reset(&regions[CODEGC_NURSERY]);
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
    const struct entry *e = entry_of(pc);
    return e && e->tb && (const uint8_t *)pc < e->code + e->size ? e->tb : NULL;
}
