/* The softmmu address space (mem/softmmu.h): a physical map of RAM and device ranges, and a
 * per-CPU TLB per MMU index filled by the guest's page walk. Every access of guest code comes
 * here through the aspace ops; a hit on a RAM page is a table index, a tag compare and a
 * copy. An access that crosses a page is done byte by byte after both pages are translated,
 * so it faults before it changes anything. */
#include "mem/softmmu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"

#define PAGE_MASK (~(SOFTMMU_PAGE_SIZE - 1))

static int add_range(struct physmap *map, struct phys_range r)
{
    if (r.size == 0 || r.base + r.size - 1 < r.base)
        return -EINVAL;
    for (unsigned k = 0; k < map->count; k++) {
        const struct phys_range *o = &map->ranges[k];
        if (r.base <= o->base + o->size - 1 && o->base <= r.base + r.size - 1)
            return -EINVAL;
    }
    if (map->count == PHYSMAP_MAX)
        return -ENOSPC;
    map->ranges[map->count++] = r;
    return 0;
}

int physmap_add_ram(struct physmap *map, uint64_t base, uint64_t size, uint8_t *host)
{
    if (!host || (base | size) & ~PAGE_MASK)
        return -EINVAL;
    return add_range(map, (struct phys_range){ .base = base, .size = size, .ram = host });
}

int physmap_add_mmio(struct physmap *map, uint64_t base, uint64_t size,
                     const struct mmio_ops *ops, void *opaque)
{
    if (!ops || !ops->read || !ops->write)
        return -EINVAL;
    return add_range(map, (struct phys_range){ .base = base, .size = size, .mmio = ops,
                                                .opaque = opaque });
}

const struct phys_range *physmap_find(const struct physmap *map, uint64_t pa, uint64_t size)
{
    for (unsigned k = 0; k < map->count; k++) {
        const struct phys_range *r = &map->ranges[k];
        if (pa >= r->base && pa - r->base < r->size && size <= r->size - (pa - r->base))
            return r;
    }
    return NULL;
}

uint8_t *physmap_ram(const struct physmap *map, uint64_t pa, uint64_t size)
{
    const struct phys_range *r = physmap_find(map, pa, size);
    return r && r->ram ? r->ram + (pa - r->base) : NULL;
}

static void tlb_clear(struct softmmu *sm)
{
    if (sm->n_filled <= SOFTMMU_FILLED_MAX) {
        for (unsigned k = 0; k < sm->n_filled; k++) {
            memset(&sm->tlb.entry[sm->filled[k]], 0xff, sizeof(sm->tlb.entry[0]));
            memset(&sm->full[sm->filled[k]], 0xff, sizeof(sm->full[0]));
        }
    } else {
        memset(sm->tlb.entry, 0xff, sizeof(sm->tlb.entry));
        memset(sm->full, 0xff, sizeof(sm->full));
    }
    sm->n_filled = 0;
}

void softmmu_tlb_flush(struct cpu *cpu)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    tlb_clear(sm);
    sm->as.map_gen++;
    cpu->exit_request = 1;
}

void softmmu_tlb_flush_page(struct cpu *cpu, uint64_t va)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    uint64_t vpage = va & PAGE_MASK;
    for (unsigned m = 0; m < MEM_TLB_MMU_MAX; m++) {
        struct mem_tlb_entry *e = mem_tlb_entry(&sm->as, vpage, m);
        struct softmmu_tlb_full *f = &sm->full[e - sm->tlb.entry];
        if (f->vpage == vpage) {
            memset(e, 0xff, sizeof(*e));
            memset(f, 0xff, sizeof(*f));
        }
    }
    sm->as.flushed_pages[sm->as.page_gen++ % ASPACE_FLUSHED_PAGES] = vpage;
    cpu->exit_request = 1;
}

/* The code flag of physical page ppage (a RAM page), allocating the range's flags if alloc
 * (only under the block cache's lock, where blocks are made); NULL when the page is not RAM
 * or (without alloc) its range never held code. */
static uint8_t *code_flag(struct physmap *map, uint64_t ppage, bool alloc)
{
    for (unsigned k = 0; k < map->count; k++) {
        struct phys_range *r = &map->ranges[k];
        if (!r->ram || ppage < r->base || ppage - r->base >= r->size)
            continue;
        uint8_t *code = __atomic_load_n(&r->code, __ATOMIC_ACQUIRE);
        if (!code && alloc) {
            code = calloc(r->size >> SOFTMMU_PAGE_BITS, 1);
            __atomic_store_n(&r->code, code, __ATOMIC_RELEASE);
        }
        return code ? &code[(ppage - r->base) >> SOFTMMU_PAGE_BITS] : NULL;
    }
    return NULL;
}

static bool is_code(const uint8_t *flag)
{
    return flag && __atomic_load_n(flag, __ATOMIC_SEQ_CST);
}

static uint64_t *tag_of(struct mem_tlb_entry *e, unsigned access)
{
    return access == MEM_WRITE ? &e->write : access == MEM_EXEC ? &e->exec : &e->read;
}

/* Fills e for virtual page vpage at physical page ppage with what the walk allowed. */
static void tlb_set(struct softmmu *sm, struct mem_tlb_entry *e, uint64_t vpage, uint64_t ppage,
                    unsigned prot)
{
    struct softmmu_tlb_full *f = &sm->full[e - sm->tlb.entry];
    uint8_t *host = physmap_ram(sm->map, ppage, SOFTMMU_PAGE_SIZE);
    if (sm->n_filled < SOFTMMU_FILLED_MAX)
        sm->filled[sm->n_filled++] = (uint16_t)(e - sm->tlb.entry);
    else
        sm->n_filled = SOFTMMU_FILLED_MAX + 1;
    uint64_t slow = host ? 0 : MEM_TLB_SLOW;
    const uint8_t *code = host ? code_flag(sm->map, ppage, false) : NULL;
    *f = (struct softmmu_tlb_full){ vpage, ppage, host, prot };
    e->read = prot & MEM_READ ? vpage | slow : MEM_TLB_EMPTY;
    e->write = prot & MEM_WRITE ? vpage | slow | MEM_TLB_SLOW : MEM_TLB_EMPTY;
    e->exec = prot & MEM_EXEC ? vpage | slow : MEM_TLB_EMPTY;
    e->addend = host ? (uintptr_t)host - vpage : 0;
    /* Stores go inline only once the entry is visible to another CPU's softmmu_protect_code,
     * which marks the page first and the entries after, so one of the two sees the other. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if ((prot & MEM_WRITE) && !slow && !is_code(code)) {
        __atomic_and_fetch(&e->write, ~MEM_TLB_SLOW, __ATOMIC_SEQ_CST);
        if (is_code(code))     /* marked meanwhile: its marking may have come before ours */
            __atomic_or_fetch(&e->write, MEM_TLB_SLOW, __ATOMIC_SEQ_CST);
    }
}

/* The TLB entry for the page of addr allowing access, filled by the walk on a miss: 0 with
 * *out, or the exception the access raises. Raises nothing itself (a fetch cannot). */
static int tlb_lookup(struct cpu *cpu, uint64_t addr, unsigned access, unsigned mmu_idx,
                      struct mem_tlb_entry **out)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    uint64_t vpage = addr & PAGE_MASK;
    struct mem_tlb_entry *e = mem_tlb_entry(&sm->as, addr, mmu_idx);
    *out = e;
    if (__builtin_expect((*tag_of(e, access) & (PAGE_MASK | MEM_TLB_INVALID)) == vpage, 1)) {
        sm->tlb_hits++;
        return 0;
    }
    sm->tlb_misses++;
    uint64_t pa = addr;
    unsigned prot = MEM_READ | MEM_WRITE | MEM_EXEC;
    const struct guest_system_ops *sys = cpu->ops ? cpu->ops->system : NULL;
    if (sys && sys->page_walk) {
        int exc = sys->page_walk(cpu, addr, access, mmu_idx, &pa, &prot);
        if (exc)
            return exc;
        if (!(prot & access))
            return access == MEM_EXEC ? EXC_FETCH_FAULT : EXC_DATA_FAULT;
    }
    tlb_set(sm, e, vpage, pa & PAGE_MASK, prot & (MEM_READ | MEM_WRITE | MEM_EXEC));
    if (prot & SOFTMMU_PROT_ONCE) {
        e->read |= MEM_TLB_INVALID;
        e->write |= MEM_TLB_INVALID;
        e->exec |= MEM_TLB_INVALID;
    }
    return 0;
}

static _Noreturn void fault(struct cpu *cpu, unsigned access, int exc, uint64_t addr)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    sm->fault_access = access;
    sm->fault_exc = exc;
    cpu_raise(cpu, exc, addr);
}

static struct softmmu_tlb_full *tlb_get(struct cpu *cpu, uint64_t addr, unsigned access,
                                        unsigned mmu_idx)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    struct mem_tlb_entry *e;
    int exc = tlb_lookup(cpu, addr, access, mmu_idx, &e);
    if (exc)
        fault(cpu, access, exc, addr);
    return &sm->full[e - sm->tlb.entry];
}

/* Marks physical page ppage's code as written, for the loop to drop before the next block. */
static void written_lock(struct softmmu *sm)
{
    while (__atomic_test_and_set(&sm->written_lock, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&sm->written_lock, __ATOMIC_RELAXED))
            ;
}

static void written_unlock(struct softmmu *sm)
{
    __atomic_clear(&sm->written_lock, __ATOMIC_RELEASE);
}

static void note_written(struct cpu *cpu, uint64_t ppage)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    written_lock(sm);
    if (sm->n_written < SOFTMMU_WRITTEN_MAX)
        sm->written[sm->n_written++] = ppage;
    else
        sm->written_overflow = true;
    written_unlock(sm);
    cpu->exit_request = 1;
}

/* A write reached a RAM page through a write tag with MEM_TLB_SLOW: if the page still holds
 * code, it no longer does, and its blocks are dropped before the next block runs (the CPU
 * leaves guest code at the next block boundary; the rest of this block may run as
 * translated, as on hardware without a FENCE.I). Writes to it go inline again. */
static void code_written(struct cpu *cpu, struct softmmu_tlb_full *f)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    uint8_t *flag = code_flag(sm->map, f->ppage, false);
    if (flag && __atomic_exchange_n(flag, 0, __ATOMIC_SEQ_CST))
        note_written(cpu, f->ppage);
    __atomic_and_fetch(&sm->tlb.entry[f - sm->full].write, ~MEM_TLB_SLOW, __ATOMIC_RELAXED);
}

void softmmu_dma_written(struct cpu *cpu, uint64_t pa, uint64_t len)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    if (!len)
        return;
    for (unsigned k = 0; k < sm->map->count; k++) {
        struct phys_range *r = &sm->map->ranges[k];
        uint8_t *code = r->ram ? __atomic_load_n(&r->code, __ATOMIC_ACQUIRE) : NULL;
        if (!code || pa + len <= r->base || pa >= r->base + r->size)
            continue;
        uint64_t start = pa > r->base ? pa : r->base;
        uint64_t end = pa + len < r->base + r->size ? pa + len : r->base + r->size;
        for (uint64_t page = start & PAGE_MASK; page < end; page += SOFTMMU_PAGE_SIZE)
            if (__atomic_exchange_n(&code[(page - r->base) >> SOFTMMU_PAGE_BITS], 0,
                                    __ATOMIC_SEQ_CST))
                note_written(cpu, page);
    }
}

/* The device range of an access to a page without RAM, or the bus error. */
static const struct phys_range *mmio_range(struct cpu *cpu, const struct softmmu_tlb_full *e,
                                           uint64_t addr, unsigned size, unsigned access)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    const struct phys_range *r = physmap_find(sm->map, e->ppage | (addr & ~PAGE_MASK), size);
    if (!r || !r->mmio)
        fault(cpu, access, EXC_BUS_ERROR, addr);
    return r;
}

static bool crosses_page(uint64_t addr, unsigned size)
{
    return (addr & ~PAGE_MASK) + size > SOFTMMU_PAGE_SIZE;
}

static uint64_t access_one(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                           unsigned mmu_idx, uint64_t value)
{
    struct softmmu_tlb_full *e = tlb_get(cpu, addr, access, mmu_idx);
    if (e->host) {
        uint8_t *p = e->host + (addr & ~PAGE_MASK);
        if (access == MEM_WRITE) {
            memcpy(p, &value, size);
            code_written(cpu, e);
        } else {
            memcpy(&value, p, size);
        }
        return value;
    }
    const struct phys_range *r = mmio_range(cpu, e, addr, size, access);
    uint64_t offset = (e->ppage | (addr & ~PAGE_MASK)) - r->base;
    pthread_mutex_t *lock = ((struct softmmu *)cpu->as)->map->mmio_lock;
    if (lock)
        pthread_mutex_lock(lock);
    if (access == MEM_WRITE)
        r->mmio->write(r->opaque, offset, size, value);
    else
        value = r->mmio->read(r->opaque, offset, size);
    if (lock)
        pthread_mutex_unlock(lock);
    return access == MEM_WRITE || size == 8 ? value : value & ((1ull << 8 * size) - 1);
}

/* Raises the fault of an access to [addr, addr + size) within one page if it would fault. */
static void check_portion(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                          unsigned mmu_idx)
{
    struct softmmu_tlb_full *e = tlb_get(cpu, addr, access, mmu_idx);
    if (!e->host)
        mmio_range(cpu, e, addr, size, access);
}

/* An access across a page boundary: both portions are checked first (a fault names the
 * first byte of the portion that faults), then it is done byte by byte (little-endian). */
static uint64_t access_split(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                             unsigned mmu_idx, uint64_t value)
{
    uint64_t second = (addr + size - 1) & PAGE_MASK;
    check_portion(cpu, addr, second - addr, access, mmu_idx);
    check_portion(cpu, second, addr + size - second, access, mmu_idx);
    uint64_t result = 0;
    for (unsigned i = 0; i < size; i++)
        result |= access_one(cpu, addr + i, 1, access, mmu_idx, value >> 8 * i) << 8 * i;
    return result;
}

static uint64_t softmmu_load(struct cpu *cpu, uint64_t addr, unsigned memop)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    if (__builtin_expect(crosses_page(addr, size), 0))
        return access_split(cpu, addr, size, MEM_READ, ir_mo_mmu(memop), 0);
    return access_one(cpu, addr, size, MEM_READ, ir_mo_mmu(memop), 0);
}

static void softmmu_store(struct cpu *cpu, uint64_t addr, unsigned memop, uint64_t value)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    if (__builtin_expect(crosses_page(addr, size), 0))
        access_split(cpu, addr, size, MEM_WRITE, ir_mo_mmu(memop), value);
    else
        access_one(cpu, addr, size, MEM_WRITE, ir_mo_mmu(memop), value);
}

/* Helpers (atomics, SC) need RAM within one page; anything else is the guest's fault: a
 * device has no host address, and RISC-V requires atomics to be aligned. An access that
 * reads and writes (an AMO) is checked for writing first, so it faults as a store, as
 * RISC-V's store/AMO causes require. */
static void *softmmu_host_ptr(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                              unsigned mmu_idx)
{
    if (crosses_page(addr, size))
        fault(cpu, access, EXC_MISALIGNED, addr);
    struct softmmu_tlb_full *e = NULL;
    for (unsigned a = MEM_WRITE; a >= MEM_READ; a >>= 1)
        if (access & a)
            e = tlb_get(cpu, addr, a, mmu_idx);
    if (!e)
        e = tlb_get(cpu, addr, MEM_READ, mmu_idx);
    if (!e->host)
        fault(cpu, access, EXC_BUS_ERROR, addr);
    if (access & MEM_WRITE)
        code_written(cpu, e);
    return e->host + (addr & ~PAGE_MASK);
}

/* The TLB entry of code at va, or -EFAULT with the fault recorded. */
static int code_lookup(struct cpu *cpu, uint64_t va, unsigned mmu_idx,
                       struct softmmu_tlb_full **out)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    struct mem_tlb_entry *e;
    int exc = tlb_lookup(cpu, va, MEM_EXEC, mmu_idx, &e);
    *out = &sm->full[e - sm->tlb.entry];
    if (!exc && !(*out)->host)
        exc = EXC_BUS_ERROR;     /* code runs from RAM only */
    if (!exc)
        return 0;
    sm->fault_access = MEM_EXEC;
    sm->fault_exc = exc == EXC_DATA_FAULT ? EXC_FETCH_FAULT : exc;
    return -EFAULT;
}

int softmmu_fetch(struct cpu *cpu, uint64_t va, void *buf, size_t len, unsigned mmu_idx)
{
    uint8_t *out = buf;
    while (len > 0) {
        size_t chunk = SOFTMMU_PAGE_SIZE - (va & ~PAGE_MASK);
        if (chunk > len)
            chunk = len;
        struct softmmu_tlb_full *e;
        if (code_lookup(cpu, va, mmu_idx, &e) < 0)
            return -EFAULT;
        memcpy(out, e->host + (va & ~PAGE_MASK), chunk);
        out += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

int softmmu_debug_access(struct cpu *cpu, uint64_t va, void *buf, size_t len, bool write,
                         unsigned mmu_idx)
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    uint8_t *p = buf;
    while (len > 0) {
        size_t chunk = SOFTMMU_PAGE_SIZE - (va & ~PAGE_MASK);
        if (chunk > len)
            chunk = len;
        struct mem_tlb_entry *e;
        if (tlb_lookup(cpu, va, MEM_READ, mmu_idx, &e))
            return -EFAULT;
        uint8_t *host = sm->full[e - sm->tlb.entry].host;
        if (!host)
            return -EFAULT;
        if (write)
            memcpy(host + (va & ~PAGE_MASK), p, chunk);
        else
            memcpy(p, host + (va & ~PAGE_MASK), chunk);
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

int softmmu_code_addr(struct cpu *cpu, uint64_t va, unsigned mmu_idx, uint64_t *pa)
{
    struct softmmu_tlb_full *e;
    if (code_lookup(cpu, va, mmu_idx, &e) < 0)
        return -EFAULT;
    *pa = e->ppage | (va & ~PAGE_MASK);
    return 0;
}

/* Blocks were translated from physical [start, end): writes to those pages now take the slow
 * path (code_written), through entries filled later and those already in the TLB of every
 * CPU over the map (another CPU's entry may change under us: at worst one more store takes
 * the slow path). */
static void softmmu_protect_code(struct cpu *cpu, uint64_t start, uint64_t end)
{
    struct physmap *map = ((struct softmmu *)cpu->as)->map;
    for (uint64_t page = start & PAGE_MASK; page < end; page += SOFTMMU_PAGE_SIZE) {
        uint8_t *flag = code_flag(map, page, true);
        if (!flag || __atomic_exchange_n(flag, 1, __ATOMIC_SEQ_CST))
            continue;
        for (unsigned s = 0; s < map->n_spaces; s++) {
            struct softmmu *sm = map->spaces[s];
            for (unsigned k = 0; k < SOFTMMU_TLB_SIZE; k++)
                if (__atomic_load_n(&sm->full[k].ppage, __ATOMIC_RELAXED) == page)
                    __atomic_or_fetch(&sm->tlb.entry[k].write, MEM_TLB_SLOW, __ATOMIC_SEQ_CST);
        }
    }
}

static bool softmmu_code_intact(struct cpu *cpu, uint64_t start, uint64_t end)
{
    struct physmap *map = ((struct softmmu *)cpu->as)->map;
    for (uint64_t page = start & PAGE_MASK; page < end; page += SOFTMMU_PAGE_SIZE) {
        const uint8_t *flag = code_flag(map, page, false);
        if (flag && !__atomic_load_n(flag, __ATOMIC_SEQ_CST))
            return false;
    }
    return true;
}

static void softmmu_code_writes(struct cpu *cpu,
                                void (*drop)(struct cpu *cpu, uint64_t start, uint64_t end))
{
    struct softmmu *sm = (struct softmmu *)cpu->as;
    if (!__atomic_load_n(&sm->n_written, __ATOMIC_RELAXED) &&
        !__atomic_load_n(&sm->written_overflow, __ATOMIC_RELAXED))
        return;
    uint64_t pages[SOFTMMU_WRITTEN_MAX];
    written_lock(sm);
    unsigned n = sm->n_written;
    bool overflow = sm->written_overflow;
    memcpy(pages, sm->written, n * sizeof(pages[0]));
    sm->n_written = 0;
    sm->written_overflow = false;
    written_unlock(sm);
    if (overflow)
        drop(cpu, 0, UINT64_MAX);
    else
        while (n--)
            drop(cpu, pages[n], pages[n] + SOFTMMU_PAGE_SIZE);
}

static const struct aspace_ops softmmu_ops = {
    .host_ptr = softmmu_host_ptr,
    .load = softmmu_load,
    .store = softmmu_store,
    .protect_code = softmmu_protect_code,
    .code_intact = softmmu_code_intact,
    .code_writes = softmmu_code_writes,
};

int softmmu_tlb_counts(const struct aspace *as, uint64_t *hits, uint64_t *misses)
{
    if (!as || as->ops != &softmmu_ops)
        return -EINVAL;
    const struct softmmu *sm = (const struct softmmu *)as;
    *hits = __atomic_load_n(&sm->tlb_hits, __ATOMIC_RELAXED) +
            __atomic_load_n(&sm->tlb.hits, __ATOMIC_RELAXED);
    *misses = __atomic_load_n(&sm->tlb_misses, __ATOMIC_RELAXED);
    return 0;
}

int softmmu_init(struct softmmu *sm, struct physmap *map)
{
    unsigned s = 0;
    while (s < map->n_spaces && map->spaces[s] != sm)
        s++;
    if (s == PHYSMAP_SPACES_MAX)
        return -ENOSPC;
    memset(sm, 0, sizeof(*sm));
    sm->as.ops = &softmmu_ops;
    sm->as.tlb = &sm->tlb;
    sm->map = map;
    sm->n_filled = SOFTMMU_FILLED_MAX + 1;   /* every entry is to be emptied */
    tlb_clear(sm);
    if (s == map->n_spaces)
        map->spaces[map->n_spaces++] = sm;
    return 0;
}
