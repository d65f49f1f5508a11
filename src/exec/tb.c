/* The translation-block cache: translate a guest block through the guest's frontend, check
 * and log its IR, hand it to the engine, and keep it in a hash table keyed by guest pc,
 * flags and code address (physical in system mode, so a remapped pc finds other blocks). */
#include "exec/tb.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/registry.h"
#include "exec/tbpages.h"
#include "exec/tcache.h"
#include "guest/translator.h"
#include "mem/aspace.h"

/* The block hash table: a code page's blocks hash to one run of 1 << TB_HASH_RUN_BITS
 * buckets, picked by the page, and within it by the pc. A boot looks up tens of thousands
 * of new blocks, most of them next to the last: their buckets then share cache lines,
 * where a hash of the whole pc missed the cache at nearly every lookup. */
#define TB_HASH_BITS 18
#define TB_HASH_RUN_BITS 8
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
#define TB_PAGE_BITS 16
#define TB_PAGE_SIZE (1u << TB_PAGE_BITS)

/* Readers walk chains without a lock (blocks are published with release stores and freed only
 * by tb_flush, when no CPU runs); translation and insertion hold tb_lock. */
static struct tb *tb_hash[TB_HASH_SIZE];
static pthread_mutex_t tb_lock = PTHREAD_MUTEX_INITIALIZER;
/* The blocks holding code of each code page, so that a write to code drops that page's blocks
 * without walking every block: a block is on the chain of its first page and, when its last
 * byte is on another, on that one's too. A link is a block's address with, in its low bit,
 * which of that block's page_next goes on along the chain. Changed under tb_lock or with the
 * other CPUs stopped (invalidation); only translation and invalidation read them. */
static uintptr_t tb_page_chain[TB_PAGE_SIZE];
unsigned tb_flush_gen;
struct exec_stats exec_stats;
/* The live T2 regions: their spans are not on the page chains, so invalidation looks at them
 * here (there are a few hundred at most). Changed under tb_lock or with the other CPUs
 * stopped. */
static struct tb *regions;

static unsigned tb_hash_index(uint64_t pc, uint32_t flags)
{
    unsigned run = (unsigned)(((pc >> 12) ^ (uint64_t)flags << 52) * 0x9E3779B97F4A7C15ull >>
                              (64 - (TB_HASH_BITS - TB_HASH_RUN_BITS)));
    return run << TB_HASH_RUN_BITS | (unsigned)(pc >> 1 & ((1u << TB_HASH_RUN_BITS) - 1));
}

static unsigned tb_page_index(uint64_t page)
{
    return (unsigned)(page * 0x9E3779B97F4A7C15ull >> (64 - TB_PAGE_BITS));
}

/* The code pages tb is chained on (one, or two): their count. */
static unsigned tb_pages(const struct tb *tb, uint64_t page[2])
{
    page[0] = tb->phys >> 12;
    page[1] = tb->phys_last >> 12;
    return page[1] != page[0] ? 2 : 1;
}

static void tb_chain_pages(struct tb *tb)
{
    uint64_t page[2];
    for (unsigned k = tb_pages(tb, page); k-- > 0;) {
        uintptr_t *head = &tb_page_chain[tb_page_index(page[k])];
        tb->page_next[k] = *head;
        *head = (uintptr_t)tb | k;
    }
}

static void tb_unchain_pages(struct tb *tb)
{
    uint64_t page[2];
    for (unsigned k = tb_pages(tb, page); k-- > 0;) {
        uintptr_t *p = &tb_page_chain[tb_page_index(page[k])];
        while (*p && *p != ((uintptr_t)tb | k))
            p = &((struct tb *)(*p & ~(uintptr_t)1))->page_next[*p & 1];
        if (*p)
            *p = tb->page_next[k];
    }
}

static void log_in_asm(struct cpu *cpu, const struct ir_block *b)
{
    fprintf(log_file, "IN: pc=0x%" PRIx64 "\n", b->pc);
    for (uint64_t pc = b->pc; pc < b->end_pc;) {
        uint8_t code[16];
        size_t n = b->end_pc - pc < sizeof(code) ? b->end_pc - pc : sizeof(code);
        char text[96];
        if (cpu->fetch_code(cpu, pc, code, n) < 0)
            break;
        int len = cpu->ops->disas(pc, code, n, text, sizeof(text));
        if (len <= 0)
            break;
        fprintf(log_file, "  0x%08" PRIx64 ":  %s\n", pc, text);
        pc += (unsigned)len;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define PAGE_MASK (~4095ull)

static bool crosses_page(const struct tb *tb)
{
    return (tb->pc ^ (tb->end_pc - 1)) & PAGE_MASK;
}

/* The code address of pc, or -EFAULT. */
static int code_addr(struct cpu *cpu, uint64_t pc, uint64_t *addr)
{
    *addr = pc;
    return cpu->code_addr ? cpu->code_addr(cpu, pc, addr) : 0;
}

/* The code address ranges tb holds (one, or two when it crosses a page): their count. */
static unsigned tb_ranges(const struct tb *tb, uint64_t r[2][2])
{
    if (!crosses_page(tb)) {
        r[0][0] = tb->phys;
        r[0][1] = tb->phys_last + 1;
        return 1;
    }
    r[0][0] = tb->phys;
    r[0][1] = (tb->phys | ~PAGE_MASK) + 1;
    r[1][0] = tb->phys_last & PAGE_MASK;
    r[1][1] = tb->phys_last + 1;
    return 2;
}

bool tb_may_chain(const struct cpu *cpu, const struct tb *from, const struct tb *to)
{
    return !cpu->code_addr || (!((from->pc ^ to->pc) & PAGE_MASK) && !crosses_page(to));
}

bool tb_current(struct cpu *cpu, const struct tb *tb)
{
    uint64_t phys, last;
    if (!cpu->code_addr)
        return true;
    if (code_addr(cpu, tb->pc, &phys) < 0 || phys != tb->phys)
        return false;
    return !crosses_page(tb) ||
           (code_addr(cpu, tb->end_pc - 1, &last) == 0 && last == tb->phys_last);
}

/* Counts tb on its code pages (tbpages), which an invalidation asks first: done before a
 * translation checks its code marks again (tb_translate_once). */
static void tb_add_pages(struct tb *tb)
{
    uint64_t r[2][2];
    unsigned n = tb_ranges(tb, r);
    for (unsigned k = 0; k < n; k++)
        tbpages_add(r[k][0], r[k][1]);
}

/* Makes tb findable: on its pages' chains and in the hash table. */
static void tb_link(struct tb *tb)
{
    tb_chain_pages(tb);
    unsigned h = tb_hash_index(tb->pc, tb->flags);
    tb->hash_next = tb_hash[h];
    __atomic_store_n(&tb_hash[h], tb, __ATOMIC_RELEASE);
}

/* Marks the code page holding code address addr as holding code: from now on a store to it,
 * by any CPU, drops its blocks (aspace_ops.protect_code). */
static void protect_page(struct cpu *cpu, uint64_t addr)
{
    if (cpu->as->ops->protect_code)
        cpu->as->ops->protect_code(cpu, addr & PAGE_MASK, (addr & PAGE_MASK) + ~PAGE_MASK + 1);
}

/* Puts tb on its code pages' counts (tbpages) and then checks its code marks again: false,
 * with tb taken off the counts and freed, when a store cleared one meanwhile (see
 * tb_translate_once). */
static bool tb_add_pages_intact(struct cpu *cpu, struct tb *tb)
{
    tb_add_pages(tb);
    uint64_t r[2][2];
    unsigned n = tb_ranges(tb, r);
    bool intact = true;
    for (unsigned k = 0; k < n && cpu->as->ops->code_intact; k++)
        intact &= cpu->as->ops->code_intact(cpu, r[k][0], r[k][1]);
    if (!intact) {
        for (unsigned k = 0; k < n; k++)
            tbpages_remove(r[k][0], r[k][1]);
        exec_of(cpu)->engine->free(tb);
        free(tb);
    }
    return intact;
}

/* After a block's bytes were read from code address phys to phys_last: whether its last page
 * is its first or was marked as code (*marked) before they were read; if not, it is marked
 * now and the bytes are to be read again. */
static bool last_page_marked(struct cpu *cpu, uint64_t phys, uint64_t phys_last, uint64_t *marked)
{
    uint64_t last_page = phys_last & PAGE_MASK;
    if (last_page == (phys & PAGE_MASK) || last_page == *marked)
        return true;
    protect_page(cpu, last_page);
    *marked = last_page;
    return false;
}

/* The block at pc from the engine's saved translations (--tcache), or NULL. As a
 * translation does, it marks the code pages before the engine compares their bytes with
 * the saved ones: a block whose last instruction crosses into a page not marked then is
 * compared again once that page is. */
static struct tb *tb_load(struct cpu *cpu, uint64_t pc, uint64_t phys)
{
    struct exec_cpu *ex = exec_of(cpu);
    uint64_t marked = UINT64_MAX;
    protect_page(cpu, phys);
    for (;;) {
        struct tb *tb = calloc(1, sizeof(*tb));
        if (!tb)
            return NULL;
        tb->pc = pc;
        tb->phys = phys;
        tb->flags = (uint16_t)cpu->tb_flags;
        if (ex->engine->load(cpu, tb) < 0) {
            free(tb);
            return NULL;
        }
        tb->phys_last = phys + (tb->end_pc - 1 - pc);
        bool mapped = !crosses_page(tb) || code_addr(cpu, tb->end_pc - 1, &tb->phys_last) == 0;
        if (mapped && last_page_marked(cpu, phys, tb->phys_last, &marked)) {
            if (!tb_add_pages_intact(cpu, tb))
                return NULL;
            tb_link(tb);
            return tb;
        }
        ex->engine->free(tb);
        free(tb);
        if (!mapped)
            return NULL;
    }
}

/* One try at translating the block at pc (code address phys) into *out: 0, -EFAULT when its
 * first instruction cannot be fetched, or -EAGAIN when its code was written while it was
 * being translated. Another CPU may store to the code meanwhile, so each page is marked as
 * code before its bytes are read (a store after the marking takes the slow path, which drops
 * the page's blocks, or reads the mark again when it fills its TLB entry); a store that ran
 * into the marked page before this block was on the page lists (tbpages, the chains) found
 * nothing to drop, and cleared the mark: so the marks are checked again once the block is on
 * the page lists, and a cleared one means translating again. */
static int tb_translate_once(struct cpu *cpu, uint64_t pc, uint64_t phys, struct tb **out)
{
    uint64_t t0 = now_ns();
    struct exec_cpu *ex = exec_of(cpu);
    struct ir_block *b = &ex->block;
    uint64_t fault_addr, phys_last, marked = UINT64_MAX;
    protect_page(cpu, phys);
    for (;;) {
        if (translate_block(cpu, b, pc, cpu->tb_flags, &fault_addr) < 0) {
            cpu->exc = EXC_FETCH_FAULT;
            cpu->exc_tval = fault_addr;
            return -EFAULT;
        }
        phys_last = phys + (b->end_pc - 1 - pc);
        if ((pc ^ (b->end_pc - 1)) & PAGE_MASK)   /* fetched a moment ago: it has an address */
            code_addr(cpu, b->end_pc - 1, &phys_last);
        if (last_page_marked(cpu, phys, phys_last, &marked))
            break;
    }
    if (log_enabled(in_asm))
        log_in_asm(cpu, b);
    if (log_enabled(op))
        ir_print(log_file, b);
    char err[160];
    if (ex->engine->verify_ir && ir_verify(b, err, sizeof(err)) < 0) {
        ir_print(stderr, b);
        vm_error("internal error: IR of block 0x%" PRIx64 " is invalid: %s", pc, err);
        abort();
    }
    struct tb *tb = calloc(1, sizeof(*tb));
    if (!tb) {
        vm_error("translation: out of memory");
        exit(1);
    }
    tb->pc = pc;
    tb->phys = phys;
    tb->phys_last = phys_last;
    tb->flags = b->flags;
    tb->end_pc = b->end_pc;
    tb->n_insns = b->n_insns;
    int rc = ex->engine->compile(cpu, tb, b);
    if (rc == -ENOSPC) {
        free(tb);
        return rc;
    }
    if (rc < 0) {
        vm_error("translation of block 0x%" PRIx64 ": out of memory", pc);
        exit(1);
    }
    if (!tb_add_pages_intact(cpu, tb))
        return -EAGAIN;
    exec_stats.translations++;
    exec_stats.translate_ns += now_ns() - t0;
    exec_stats.guest_insns_translated += b->n_insns;
    tb_link(tb);
    *out = tb;
    return 0;
}

static struct tb *tb_translate(struct cpu *cpu, uint64_t pc, uint64_t phys)
{
    struct exec_cpu *ex = exec_of(cpu);
    /* Without --tcache no block is allocated only to be freed again. */
    struct tb *tb = tcache_on && ex->engine->load ? tb_load(cpu, pc, phys) : NULL;
    if (tb)
        return tb;
    int err;
    while ((err = tb_translate_once(cpu, pc, phys, &tb)) == -EAGAIN)
        exec_stats.translation_retries++;
    if (err == -ENOSPC) {   /* leave guest code for the safepoint, then find pc again */
        cpu->exit_request = 0;
        cpu->exit_reason = CPU_EXIT_INTERRUPT;
    }
    return err < 0 ? NULL : tb;
}

struct tb tb_none = { .pc = UINT64_MAX };

static unsigned page_filter_bit(uint64_t vpage)
{
    return (unsigned)((vpage >> 12) * 0x9E3779B97F4A7C15ull >> 50) % JUMP_CACHE_FILTER_BITS;
}

static void page_filter_add(struct exec_cpu *ex, uint64_t pc)
{
    unsigned b = page_filter_bit(pc);
    ex->page_filter[b / 64] |= 1ull << (b % 64);
}

static bool page_filter_has(const struct exec_cpu *ex, uint64_t vpage)
{
    unsigned b = page_filter_bit(vpage);
    return ex->any_page || (ex->page_filter[b / 64] >> (b % 64) & 1);
}

/* The one writer of a slot: the block and, for translated code, its pc and code. */
static void set_slot(struct exec_cpu *ex, unsigned j, struct tb *tb)
{
    ex->jump_cache[j] = tb;
    ex->jump_slots[j] = (struct jump_slot){ tb->pc, tb->code };
}

void jump_cache_clear(struct exec_cpu *ex)
{
    memset(ex->page_filter, 0, sizeof(ex->page_filter));
    ex->any_page = false;
    if (ex->n_filled <= JUMP_CACHE_FILLED_MAX) {
        for (unsigned k = 0; k < ex->n_filled; k++)
            set_slot(ex, ex->filled[k], &tb_none);
    } else {
        for (unsigned j = 0; j < JUMP_CACHE_SIZE; j++)
            set_slot(ex, j, &tb_none);
    }
    ex->n_filled = 0;
}

static void clear_slot_of_page(struct exec_cpu *ex, unsigned j, uint32_t page)
{
    if (ex->jump_cache_page[j] == page || ex->jump_cache_page[j] == JUMP_CACHE_ANY_PAGE)
        set_slot(ex, j, &tb_none);
}

/* The pcs of one page, halved, are JUMP_CACHE_PAGE_SLOTS consecutive values whose low bits
 * are all zero at the page's start: with flags below that, jump_cache_index puts the page's
 * blocks in one aligned run of that many slots. */
#define JUMP_CACHE_PAGE_SLOTS (4096u >> 1)
_Static_assert(JUMP_CACHE_SIZE % JUMP_CACHE_PAGE_SLOTS == 0, "a page's slots form whole runs");

static void clear_run_of_page(struct exec_cpu *ex, uint64_t page_pc, uint32_t page)
{
    unsigned first = jump_cache_index(page_pc, 0);
    for (unsigned j = first; j < first + JUMP_CACHE_PAGE_SLOTS; j++)
        clear_slot_of_page(ex, j, page);
}

void jump_cache_clear_page(struct exec_cpu *ex, uint64_t vpage)
{
    uint32_t page = (uint32_t)(vpage >> 12);
    if (!page_filter_has(ex, vpage))
        return;
    if (ex->n_filled <= JUMP_CACHE_FILLED_MAX) {
        for (unsigned k = 0; k < ex->n_filled; k++)
            clear_slot_of_page(ex, ex->filled[k], page);
    } else if (ex->flags_seen < JUMP_CACHE_PAGE_SLOTS) {
        /* The page's run, and the previous page's, whose blocks may cross into this one. */
        clear_run_of_page(ex, vpage & PAGE_MASK, page);
        clear_run_of_page(ex, (vpage & PAGE_MASK) - 4096, page);
    } else {
        for (unsigned j = 0; j < JUMP_CACHE_SIZE; j++)
            clear_slot_of_page(ex, j, page);
    }
}

void jump_cache_fill(struct exec_cpu *ex, unsigned j, struct tb *tb)
{
    set_slot(ex, j, tb);
    /* A region's blocks may lie on other pages than its head. */
    ex->jump_cache_page[j] = crosses_page(tb) || tb->tier == TB_REGION ? JUMP_CACHE_ANY_PAGE
                                                                      : (uint32_t)(tb->pc >> 12);
    ex->flags_seen |= tb->tier == TB_REGION ? JUMP_CACHE_PAGE_SLOTS : tb->flags;
    page_filter_add(ex, tb->pc);
    if (crosses_page(tb))
        page_filter_add(ex, tb->pc + 4096);
    ex->any_page |= tb->tier == TB_REGION;
    if (ex->n_filled < JUMP_CACHE_FILLED_MAX)
        ex->filled[ex->n_filled++] = (uint16_t)j;
    else
        ex->n_filled = JUMP_CACHE_FILLED_MAX + 1;
}

/* Puts the regions posted for ex in its slots where their heads are. */
static void jump_cache_take_posted(struct exec_cpu *ex)
{
    pthread_mutex_lock(&tb_lock);
    for (unsigned k = 0; k < ex->n_posted; k++) {
        uint64_t pc = ex->posted[k].pc;
        uint32_t flags = ex->posted[k].flags;
        unsigned j = jump_cache_index(pc, flags);
        const struct tb *had = ex->jump_cache[j];
        if (had->pc != pc || had->flags != flags || had->tier == TB_REGION)
            continue;
        for (struct tb *tb = tb_hash[tb_hash_index(pc, flags)]; tb; tb = tb->hash_next)
            if (tb->pc == pc && tb->flags == flags && tb->tier == TB_REGION) {
                jump_cache_fill(ex, j, tb);
                break;
            }
    }
    ex->n_posted = 0;
    pthread_mutex_unlock(&tb_lock);
}

struct tb *tb_find(struct cpu *cpu, uint64_t pc)
{
    struct exec_cpu *ex = exec_of(cpu);
    uint32_t flags = cpu->tb_flags;
    if (__atomic_load_n(&ex->n_posted, __ATOMIC_ACQUIRE))
        jump_cache_take_posted(ex);
    unsigned j = jump_cache_index(pc, flags);
    struct tb *tb = ex->jump_cache[j];
    if (tb->pc == pc && tb != &tb_none)
        return tb;
    /* The bucket is rarely in the cache: its load overlaps the address translation. */
    unsigned h = tb_hash_index(pc, flags);
    __builtin_prefetch(&tb_hash[h]);
    uint64_t phys;
    if (code_addr(cpu, pc, &phys) < 0) {
        cpu->exc = EXC_FETCH_FAULT;
        cpu->exc_tval = pc;
        return NULL;
    }
    for (tb = __atomic_load_n(&tb_hash[h], __ATOMIC_ACQUIRE); tb; tb = tb->hash_next)
        if (tb->pc == pc && tb->flags == flags && tb->phys == phys &&
            (!crosses_page(tb) || tb_current(cpu, tb)))
            break;
    if (!tb) {
        pthread_mutex_lock(&tb_lock);
        for (tb = tb_hash[h]; tb; tb = tb->hash_next)   /* another CPU may have been faster */
            if (tb->pc == pc && tb->flags == flags && tb->phys == phys &&
                (!crosses_page(tb) || tb_current(cpu, tb)))
                break;
        if (!tb)
            tb = tb_translate(cpu, pc, phys);
        pthread_mutex_unlock(&tb_lock);
    }
    if (tb)
        jump_cache_fill(ex, j, tb);
    return tb;
}

void tb_flush(struct cpu *cpu)
{
    struct exec_cpu *ex = exec_of(cpu);
    for (unsigned h = 0; h < TB_HASH_SIZE; h++) {
        struct tb *tb = tb_hash[h];
        while (tb) {
            struct tb *next = tb->hash_next;
            ex->engine->free(tb);
            free(tb->spans);
            free(tb);
            tb = next;
        }
        tb_hash[h] = NULL;
    }
    memset(tb_page_chain, 0, sizeof(tb_page_chain));
    regions = NULL;
    jump_cache_clear(ex);
    tbpages_clear();
    tb_flush_gen++;
    exec_stats.flushes++;
}

void tb_fork_child(void)
{
    static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    tb_lock = fresh;
    tbpages_fork_child();
}

bool tb_overlaps(uint64_t start, uint64_t end)
{
    return tbpages_any(start, end);
}

void tb_remove(struct cpu *cpu, struct tb *tb)
{
    struct exec_cpu *ex = exec_of(cpu);
    struct tb **p = &tb_hash[tb_hash_index(tb->pc, tb->flags)];
    while (*p && *p != tb)
        p = &(*p)->hash_next;
    if (*p)
        *p = tb->hash_next;
    unsigned j = jump_cache_index(tb->pc, tb->flags);
    if (ex->jump_cache[j] == tb)
        set_slot(ex, j, &tb_none);
    bool cache_valid = ex->flush_gen == tb_flush_gen;   /* else stale: keep it marked so */
    tb_flush_gen++;
    if (cache_valid)
        ex->flush_gen = tb_flush_gen;
    uint64_t r[2][2];
    for (unsigned k = tb_ranges(tb, r); k-- > 0;)
        tbpages_remove(r[k][0], r[k][1]);
    tb_unchain_pages(tb);
    if (tb->tier == TB_REGION) {
        struct tb **q = &regions;
        while (*q != tb)
            q = &(*q)->region_next;
        *q = tb->region_next;
        for (unsigned k = 0; k < tb->n_spans; k++)
            tbpages_remove(tb->spans[k].start, tb->spans[k].end);
    }
    ex->engine->free(tb);
    free(tb->spans);
    free(tb);
}

/* Invalidating more pages than this walks every block rather than the pages' chains. */
#define TB_INVALIDATE_PAGES 64

static bool overlaps(const struct tb *tb, uint64_t start, uint64_t end)
{
    uint64_t r[2][2];
    bool hit = false;
    for (unsigned k = tb_ranges(tb, r); k-- > 0;)
        hit |= r[k][0] < end && r[k][1] > start;
    for (unsigned k = 0; k < tb->n_spans; k++)
        hit |= tb->spans[k].start < end && tb->spans[k].end > start;
    return hit;
}

void tb_invalidate(struct cpu *cpu, uint64_t start, uint64_t end)
{
    if (!exec_of(cpu)->frees_one) {
        tb_flush(cpu);
        return;
    }
    uint64_t first = start >> 12, last = (end - 1) >> 12;
    if (end > start && last - first < TB_INVALIDATE_PAGES) {   /* a few pages: their chains */
        for (uint64_t page = first; page <= last; page++) {
            uintptr_t *head = &tb_page_chain[tb_page_index(page)];
            for (uintptr_t l = *head; l;) {
                struct tb *tb = (struct tb *)(l & ~(uintptr_t)1);
                l = tb->page_next[l & 1];
                if (overlaps(tb, start, end)) {
                    tb_remove(cpu, tb);   /* which may unlink l's block too: start again */
                    l = *head;
                }
            }
        }
    } else {
        for (unsigned h = 0; h < TB_HASH_SIZE; h++) {
            struct tb *tb = tb_hash[h];
            while (tb) {
                struct tb *next = tb->hash_next;
                if (overlaps(tb, start, end))
                    tb_remove(cpu, tb);
                tb = next;
            }
        }
    }
    for (struct tb *tb = regions, *next; tb; tb = next) {   /* spans off the page chains */
        next = tb->region_next;
        if (overlaps(tb, start, end))
            tb_remove(cpu, tb);
    }
    exec_stats.invalidations++;
}

bool tb_exists(struct cpu *cpu, uint64_t pc)
{
    uint32_t flags = cpu->tb_flags;
    for (struct tb *tb = __atomic_load_n(&tb_hash[tb_hash_index(pc, flags)], __ATOMIC_ACQUIRE);
         tb; tb = tb->hash_next)
        if (tb->pc == pc && tb->flags == flags && tb->phys == pc)
            return true;
    return false;
}

struct tb *tb_add_region(struct cpu *cpu, struct tb *head, const struct ir_block *b,
                         const struct tb_span *spans, unsigned n, unsigned gen, bool posted)
{
    struct exec_cpu *ex = exec_of(cpu);
    struct tb *tb = calloc(1, sizeof(*tb));
    struct tb_span *copy = malloc(n * sizeof(*copy));
    if (!tb || !copy) {
        free(tb);
        free(copy);
        return NULL;
    }
    memcpy(copy, spans, n * sizeof(*copy));
    pthread_mutex_lock(&tb_lock);
    /* A block was dropped since (head itself may be freed: it is read only after this). */
    if (gen != tb_flush_gen) {
        struct tb *t = tb_hash[tb_hash_index(b->pc, b->flags)];
        while (t && t != head)
            t = t->hash_next;
        if (t && t->tier == TB_T1_TRIED)   /* still there: it may head a region later */
            t->tier = TB_T1;
        pthread_mutex_unlock(&tb_lock);
        free(copy);
        free(tb);
        return NULL;
    }
    *tb = (struct tb){ .pc = head->pc, .end_pc = head->end_pc, .phys = head->phys,
                       .phys_last = head->phys_last, .flags = head->flags,
                       .n_insns = (uint16_t)(b->n_insns > UINT16_MAX ? UINT16_MAX : b->n_insns),
                       .tier = TB_REGION, .n_spans = (uint16_t)n, .spans = copy };
    for (unsigned k = 0; k < n && cpu->as->ops->protect_code; k++)
        cpu->as->ops->protect_code(cpu, spans[k].start, spans[k].end);
    if (ex->engine->compile(cpu, tb, b) < 0) {
        pthread_mutex_unlock(&tb_lock);
        free(copy);
        free(tb);
        return NULL;
    }
    for (unsigned k = 0; k < n; k++)
        tbpages_add(spans[k].start, spans[k].end);
    tb->region_next = regions;
    regions = tb;
    tb_add_pages(tb);
    tb_link(tb);
    if (!posted)
        jump_cache_fill(ex, jump_cache_index(tb->pc, tb->flags), tb);
    else if (ex->n_posted < JUMP_CACHE_POSTED_MAX) {   /* else its head runs on until a miss */
        ex->posted[ex->n_posted].pc = tb->pc;
        ex->posted[ex->n_posted].flags = tb->flags;
        __atomic_store_n(&ex->n_posted, ex->n_posted + 1, __ATOMIC_RELEASE);
    }
    if (ex->engine->shadow)
        ex->engine->shadow(head);
    exec_stats.regions++;
    exec_stats.region_blocks += n;
    pthread_mutex_unlock(&tb_lock);
    return tb;
}
