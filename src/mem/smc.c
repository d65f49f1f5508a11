/* Self-modifying code (see smc.h). An open-addressing set of guest pages records what is
 * known: protected by us (writable for the guest) or read-only anyway; host writability is
 * read from /proc/self/maps once per page. The fault handler only looks up, removes and
 * records a dirty page, which is safe in a signal handler. */
#include "mem/smc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem/aspace.h"

#define PAGE 4096ull
#define MAX_DIRTY 64

enum { S_EMPTY, S_PROTECTED, S_READONLY, S_GONE };

struct slot {
    uint64_t page;
    uint8_t state;
};

struct smc_stats smc_stats;
static struct slot *set;
static size_t set_size, set_used;   /* slots, and slots not S_EMPTY */
static uint64_t dirty[MAX_DIRTY];
static volatile unsigned n_dirty;
static volatile bool dirty_overflow;
static unsigned long protected_now;   /* slots in S_PROTECTED */

static size_t hash(uint64_t page)
{
    return (size_t)(page * 0x9E3779B97F4A7C15ull >> 20) & (set_size - 1);
}

static struct slot *find(uint64_t page)
{
    if (!set)
        return NULL;
    for (size_t i = hash(page);; i = (i + 1) & (set_size - 1)) {
        if (set[i].state == S_EMPTY)
            return NULL;
        if (set[i].page == page && set[i].state != S_GONE)
            return &set[i];
    }
}

static int insert(uint64_t page, uint8_t state)
{
    if (2 * (set_used + 1) > set_size) {   /* grow (never from the fault handler) */
        size_t n = set_size ? 2 * set_size : 4096;
        struct slot *old = set, *s = calloc(n, sizeof(*s));
        size_t old_size = set_size;
        if (!s)
            return -1;
        set = s;
        set_size = n;
        set_used = 0;
        for (size_t i = 0; i < old_size; i++)
            if (old[i].state == S_PROTECTED || old[i].state == S_READONLY)
                insert(old[i].page, old[i].state);
        free(old);
    }
    size_t i = hash(page);
    while (set[i].state != S_EMPTY)
        i = (i + 1) & (set_size - 1);
    set[i] = (struct slot){ page, state };
    set_used++;
    return 0;
}

/* The host protection of the page at p ("rw-p" ...) from /proc/self/maps; "----" if none. */
static void host_perms(const void *p, char perms[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    strcpy(perms, "----");
    while (f && fgets(line, sizeof(line), f)) {
        uintptr_t lo, hi;
        char pr[5];
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, pr) == 3 &&
            (uintptr_t)p >= lo && (uintptr_t)p < hi) {
            memcpy(perms, pr, 5);
            break;
        }
    }
    if (f)
        fclose(f);
}

/* Code pages are protected on the host, so only in a flat space (guest memory is host
 * memory at base + address). NULL for any other. */
static uint8_t *host_base(const struct cpu *cpu)
{
    return cpu && cpu->as ? cpu->as->flat_base : NULL;
}

void smc_protect(struct cpu *cpu, uint64_t start, uint64_t end)
{
    uint8_t *base = host_base(cpu);
    if (!base || end > cpu->as->flat_limit || end <= start)
        return;
    for (uint64_t page = start / PAGE; page <= (end - 1) / PAGE; page++) {
        if (find(page))
            continue;
        uint8_t *host = base + page * PAGE;
        char perms[5];
        host_perms(host, perms);
        bool w = perms[1] == 'w';
        if (w && mprotect(host, PAGE, PROT_READ) < 0)
            continue;
        if (insert(page, w ? S_PROTECTED : S_READONLY) < 0) {
            if (w)
                mprotect(host, PAGE, PROT_READ | PROT_WRITE);
            continue;
        }
        smc_stats.protected_pages += w;
        if (w)
            __atomic_add_fetch(&protected_now, 1, __ATOMIC_RELAXED);
    }
}

bool smc_write_fault(struct cpu *cpu, uint64_t addr)
{
    struct slot *s = find(addr / PAGE);
    if (!s || s->state != S_PROTECTED)
        return false;
    if (mprotect(host_base(cpu) + s->page * PAGE, PAGE, PROT_READ | PROT_WRITE) < 0)
        return false;
    s->state = S_GONE;
    __atomic_sub_fetch(&protected_now, 1, __ATOMIC_RELAXED);
    if (n_dirty < MAX_DIRTY)
        dirty[n_dirty++] = s->page;
    else
        dirty_overflow = true;
    smc_stats.write_faults++;
    cpu->exit_request = 1;
    return true;
}

void smc_unprotect(struct cpu *cpu, uint64_t start, uint64_t end)
{
    if (!__atomic_load_n(&protected_now, __ATOMIC_RELAXED) || end <= start)
        return;
    if ((end - start) / PAGE > set_size) {
        for (size_t i = 0; i < set_size; i++)
            if (set[i].state == S_PROTECTED && set[i].page >= start / PAGE &&
                set[i].page <= (end - 1) / PAGE)
                smc_write_fault(cpu, set[i].page * PAGE);
        return;
    }
    for (uint64_t page = start / PAGE; page <= (end - 1) / PAGE; page++)
        smc_write_fault(cpu, page * PAGE);
}

/* A page we protected is forgotten. If the mapping changed (mmap, munmap, mprotect), the
 * OS layer has set its protection already; if it is still read-only, nothing changed it
 * (riscv_flush_icache) and it gets its write permission back. */
static void forget_slot(struct cpu *cpu, struct slot *s)
{
    if (s->state == S_PROTECTED)
        __atomic_sub_fetch(&protected_now, 1, __ATOMIC_RELAXED);
    if (s->state == S_PROTECTED && host_base(cpu)) {
        char perms[5];
        uint8_t *host = host_base(cpu) + s->page * PAGE;
        host_perms(host, perms);
        if (!strcmp(perms, "r--p") || !strcmp(perms, "r--s"))
            mprotect(host, PAGE, PROT_READ | PROT_WRITE);
    }
    s->state = S_GONE;
}

void smc_forget(struct cpu *cpu, uint64_t start, uint64_t end)
{
    if (!set || end <= start)
        return;
    if ((end - start) / PAGE > set_size) {
        for (size_t i = 0; i < set_size; i++)
            if (set[i].state != S_EMPTY && set[i].state != S_GONE &&
                set[i].page >= start / PAGE && set[i].page <= (end - 1) / PAGE)
                forget_slot(cpu, &set[i]);
        return;
    }
    for (uint64_t page = start / PAGE; page <= (end - 1) / PAGE; page++) {
        struct slot *s = find(page);
        if (s)
            forget_slot(cpu, s);
    }
}

void smc_flush_dirty(struct cpu *cpu, void (*drop)(struct cpu *cpu, uint64_t start, uint64_t end))
{
    if (dirty_overflow) {
        dirty_overflow = false;
        n_dirty = 0;
        drop(cpu, 0, UINT64_MAX);
    }
    while (n_dirty) {
        uint64_t page = dirty[--n_dirty];
        drop(cpu, page * PAGE, (page + 1) * PAGE);
    }
}
