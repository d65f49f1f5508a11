/* An address space as guest code sees it: the object a CPU points to (cpu->as) and the only
 * way engines and helpers reach guest memory. The flat space of user mode (mem/flat.c: guest
 * address + base = host address, with guard regions around it) has engines lower an access
 * inline as base + offset; a softmmu space (mem/softmmu.c: a physical map of RAM and MMIO
 * ranges, a TLB and a page walk per guest) has them probe its TLB inline and call its ops
 * on a miss; any other space is reached through its ops alone. */
#ifndef VM_MEM_ASPACE_H
#define VM_MEM_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir/ir.h"

/* Kinds of access (a mask). */
enum { MEM_READ = 1, MEM_WRITE = 2, MEM_EXEC = 4 };

struct aspace_ops {
    /* The host address of [addr, addr + size) for an access of kind `access` under MMU index
     * mmu_idx (IR_MO_MMU), for helpers and atomics that need one: RAM only, and the range
     * does not cross a page. Raises the guest's exception when the access cannot be done. */
    void *(*host_ptr)(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                      unsigned mmu_idx);
    /* A load or store of memop (IR_MO_*: size and MMU index; loads return the bytes
     * zero-extended, the engine sign-extends): the path of every access an engine cannot
     * do inline. Raise the guest's exception as host_ptr does. */
    uint64_t (*load)(struct cpu *cpu, uint64_t addr, unsigned memop);
    void (*store)(struct cpu *cpu, uint64_t addr, unsigned memop, uint64_t value);
    /* Guest code at code addresses [start, end) (cpu->code_addr: physical in system mode)
     * was translated: from now on a write to it must be seen before the next block runs
     * (the flat space: mem/smc.h). NULL: nothing to protect. */
    void (*protect_code)(struct cpu *cpu, uint64_t start, uint64_t end);
    /* True if nothing was written to [start, end) since protect_code marked it (a write
     * clears the mark of its page), for a translation that read the code meanwhile. NULL:
     * the space cannot tell, and a translation counts its code as intact. */
    bool (*code_intact)(struct cpu *cpu, uint64_t start, uint64_t end);
    /* Hands the code address ranges written since the last call to drop (the execution
     * loop's, before it runs a block); NULL: the space protects no code. */
    void (*code_writes)(struct cpu *cpu,
                        void (*drop)(struct cpu *cpu, uint64_t start, uint64_t end));
};

/* A TLB entry as engines probe it inline (a softmmu's, mem/softmmu.h). For each kind of
 * access a tag: the virtual page address the entry hits for, or that address with flag bits
 * below the page set when every such access must take the slow path (a device's page; a
 * write to a page holding translated code), or MEM_TLB_EMPTY when that kind is not cached.
 * An access of size bytes at addr hits when the tag equals the page of its last byte,
 * (addr + size - 1) & ~(page size - 1): one compare that also sends every access crossing
 * a page (and every flagged page) to the slow path, the space's load/store. On a hit the
 * host address is addr + addend. */
struct mem_tlb_entry {
    uint64_t read, write, exec;
    uintptr_t addend;
};
#define MEM_TLB_PAGE_BITS 12
#define MEM_TLB_BITS 10            /* entries per MMU index, direct-mapped by virtual page */
#define MEM_TLB_MMU_MAX 4          /* MMU indexes (IR_MO_MMU) a guest may use */
#define MEM_TLB_SLOW 1ull          /* tag flag: the slow path does this access */
#define MEM_TLB_INVALID 2ull       /* tag flag: never hits (part of MEM_TLB_EMPTY) */
#define MEM_TLB_EMPTY UINT64_MAX

/* A TLB: MEM_TLB_MMU_MAX tables of 1 << MEM_TLB_BITS entries, MMU index first, and the
 * count of the hits of the engines' inline probes, kept only when count_hits was set before
 * the first translation (--stats, metrics, the control socket: a memory increment per
 * access costs a memory-bound loop a fifth of its speed). */
struct mem_tlb {
    struct mem_tlb_entry entry[MEM_TLB_MMU_MAX << MEM_TLB_BITS];
    uint64_t hits;
    bool count_hits;
};

#define ASPACE_FLUSHED_PAGES 8

struct aspace {
    const struct aspace_ops *ops;
    /* A flat space: host address of guest address 0, and the size; guest addresses are
     * [0, flat_limit). NULL base: not flat, every access goes through ops. */
    uint8_t *flat_base;
    uint64_t flat_limit;
    /* A space with a TLB the engines probe inline before calling load/store (a softmmu).
     * NULL: none. */
    struct mem_tlb *tlb;
    /* Bumped whenever virtual-to-physical translations may have changed (a TLB flush), so
     * that the execution layer forgets blocks it found by virtual address; page_gen when
     * those of one page did, whose address goes to flushed_pages[page_gen % size] first
     * (then only that page's blocks are forgotten, unless more pages were flushed than the
     * ring holds). Written and read on the CPU's own thread. */
    uint32_t map_gen, page_gen;
    uint64_t flushed_pages[ASPACE_FLUSHED_PAGES];
};

/* The entry an access to addr under mmu_idx probes, and the tag it hits with. */
static inline struct mem_tlb_entry *mem_tlb_entry(const struct aspace *as, uint64_t addr,
                                                  unsigned mmu_idx)
{
    return &as->tlb->entry[(mmu_idx % MEM_TLB_MMU_MAX) << MEM_TLB_BITS |
                           ((addr >> MEM_TLB_PAGE_BITS) & ((1u << MEM_TLB_BITS) - 1))];
}

static inline uint64_t mem_tlb_tag(uint64_t addr, unsigned size)
{
    return (addr + size - 1) & ~((1ull << MEM_TLB_PAGE_BITS) - 1);
}

/* Makes as the flat space of size bytes at host address base. Host faults on it are the
 * guest's data faults (the execution loop's fault handler), so its ops only check the range. */
void aspace_flat_init(struct aspace *as, uint8_t *base, uint64_t size);

/* The data fault for an access at addr that leaves a flat space. One that starts inside
 * reports its first byte outside, as an access running into an unmapped page does. */
static inline _Noreturn void mem_raise_outside(struct cpu *cpu, uint64_t addr)
{
    uint64_t limit = cpu->as->flat_limit;
    cpu_raise(cpu, EXC_DATA_FAULT, addr < limit ? limit : addr);
}

/* Raises the data fault unless [addr, addr + size) lies inside the flat space. */
static inline void mem_check_flat(struct cpu *cpu, uint64_t addr, uint64_t size)
{
    uint64_t limit = cpu->as->flat_limit;
    if (__builtin_expect(addr > limit - size || size > limit, 0))
        mem_raise_outside(cpu, addr);
}

/* The host address of size guest bytes at addr for a helper (SIMD loads, SC, atomics), or
 * the guest's exception. Inline for a flat space: the same check the engines make. */
static inline void *mem_ptr(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                            unsigned mmu_idx)
{
    const struct aspace *as = cpu->as;
    if (__builtin_expect(as->flat_base != NULL, 1)) {
        mem_check_flat(cpu, addr, size);
        return as->flat_base + addr;
    }
    return as->ops->host_ptr(cpu, addr, size, access, mmu_idx);
}

/* A helper made an access the IR does not show as a load or store (through mem_ptr): the
 * plugins' memory callbacks hear of it when its instruction has any. access: MEM_READ,
 * MEM_WRITE or both (an atomic read-modify-write). One load and branch otherwise. */
static inline void mem_report(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access)
{
    const struct cpu_mem_watch *w = cpu->mem_watch;
    if (__builtin_expect(w != NULL, 0))
        w->report(cpu, w, addr, size, access);
}

#endif
