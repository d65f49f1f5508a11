/* The address space of system mode: guest virtual addresses go through the guest ISA's page
 * walk (guest_system_ops.page_walk) to physical addresses, which a physical map resolves to
 * guest RAM or to a device's MMIO ops. Each CPU has its own space (its own TLB, one table per
 * MMU index) over a physical map that the CPUs of a machine share. Engines probe its TLB
 * inline (mem/aspace.h's struct mem_tlb_entry) and call its ops on a miss. No physical address outside the map's RAM
 * reaches host memory: a hole is the guest's bus error (its access fault). */
#ifndef VM_MEM_SOFTMMU_H
#define VM_MEM_SOFTMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include "core/state.h"
#include "mem/aspace.h"

#define SOFTMMU_PAGE_BITS MEM_TLB_PAGE_BITS
#define SOFTMMU_PAGE_SIZE (1ull << SOFTMMU_PAGE_BITS)
#define SOFTMMU_TLB_SIZE (MEM_TLB_MMU_MAX << MEM_TLB_BITS)
#define SOFTMMU_WRITTEN_MAX 16     /* code pages written before the loop drops their blocks */
#define SOFTMMU_FILLED_MAX 256
_Static_assert(SOFTMMU_TLB_SIZE <= 65536, "an entry's index fits struct softmmu's filled");
#define PHYSMAP_MAX 32
#define PHYSMAP_SPACES_MAX 16      /* CPUs (softmmu spaces) over one map */

/* A device's registers: offset from the start of its range; size 1, 2, 4 or 8. What an
 * access the device does not implement does is the device's choice (reads 0, ignored).
 * save and load are the device's state in a snapshot (core/state.h: registers, FIFOs,
 * interrupt levels; never host resources such as fds or threads); a device without save
 * makes a snapshot of its machine fail with a message naming it, so no snapshot ever lacks
 * a device. name names the device in snapshots and messages. */
struct mmio_ops {
    const char *name;
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
    state_save_fn *save;
    state_load_fn *load;
};

/* One range of the physical map: RAM (host memory) or a device (mmio). */
struct phys_range {
    uint64_t base, size;
    uint8_t *ram;
    uint8_t *code;             /* RAM: per page, 1 while it holds translated code (allocated
                                  when the first block is taken from the range); read and
                                  written atomically, as CPUs on other threads share it */
    const struct mmio_ops *mmio;
    void *opaque;
};

struct softmmu;

/* The ranges, and the CPUs' spaces over them: a page that starts holding code must take the
 * slow path for stores in every CPU's TLB. Devices see one access at a time: with mmio_lock
 * set (a machine of several CPUs), every device access holds it, and so must the board
 * whenever it touches a device outside a CPU's access. */
struct physmap {
    struct phys_range ranges[PHYSMAP_MAX];
    unsigned count;
    struct softmmu *spaces[PHYSMAP_SPACES_MAX];
    unsigned n_spaces;
    pthread_mutex_t *mmio_lock;
};

/* Adds RAM (base and size page-aligned, so a page is all RAM or none) or a device range.
 * 0, -EINVAL for a bad or overlapping range, -ENOSPC when the map is full. */
int physmap_add_ram(struct physmap *map, uint64_t base, uint64_t size, uint8_t *host);
int physmap_add_mmio(struct physmap *map, uint64_t base, uint64_t size,
                     const struct mmio_ops *ops, void *opaque);
/* The range holding all of [pa, pa + size), or NULL. */
const struct phys_range *physmap_find(const struct physmap *map, uint64_t pa, uint64_t size);
/* The host address of [pa, pa + size) when it lies in RAM (a page walk reading its table),
 * else NULL. */
uint8_t *physmap_ram(const struct physmap *map, uint64_t pa, uint64_t size);

/* What the slow path knows of a TLB entry (struct mem_tlb_entry is what engines probe). */
struct softmmu_tlb_full {
    uint64_t vpage;                /* virtual page address */
    uint64_t ppage;                /* its physical page */
    uint8_t *host;                 /* host address of the page when it is RAM, else NULL */
    unsigned prot;                 /* MEM_* the walk allowed */
};

/* In a page walk's *prot: what it allowed holds for this access only (a boundary of the
 * guest's memory protection lies inside the page), so the TLB entry it fills answers this
 * access and never hits again. */
#define SOFTMMU_PROT_ONCE 8u

/* TLB tags (aspace.h): a RAM page's read and exec tags are its virtual page; its write tag
 * has MEM_TLB_SLOW while the page holds translated code, so that the slow path sees the
 * store, drops the page's blocks (through the execution loop) and clears the flag. Every
 * tag of a device page has MEM_TLB_SLOW; a kind the walk did not allow is MEM_TLB_EMPTY. */
struct softmmu {
    struct aspace as;              /* first: cpu->as points here; as.tlb is tlb */
    struct physmap *map;
    struct mem_tlb tlb;
    struct softmmu_tlb_full full[SOFTMMU_TLB_SIZE];
    /* The kind (MEM_*) of the access that raised the last fault and the exception it
     * raised, for the guest's exception entry (RISC-V's load, store and fetch faults have
     * different causes) and for a fetch, which reports only -EFAULT. */
    unsigned fault_access;
    int fault_exc;
    /* Physical pages of code written since the execution loop last dropped blocks. Devices
     * writing RAM from threads of their own add to the first CPU's list, so the list is
     * taken under written_lock (a spin lock: held for a few stores). */
    uint64_t written[SOFTMMU_WRITTEN_MAX];
    unsigned n_written;
    bool written_overflow;
    bool written_lock;
    uint64_t tlb_hits, tlb_misses;   /* of the slow path (tlb.hits: the engines' inline ones) */
    /* The entries filled since the TLB was last emptied, so that emptying it soon after
     * (a guest switching address spaces often) touches only those; every entry once more
     * than SOFTMMU_FILLED_MAX were filled (n_filled is then SOFTMMU_FILLED_MAX + 1). */
    uint16_t filled[SOFTMMU_FILLED_MAX];
    unsigned n_filled;
};

/* The TLB's hits and misses so far if as is a softmmu space: 0, else -EINVAL. */
int softmmu_tlb_counts(const struct aspace *as, uint64_t *hits, uint64_t *misses);

/* Makes sm a space over map with an empty TLB: 0, or -ENOSPC when the map has
 * PHYSMAP_SPACES_MAX spaces already. */
int softmmu_init(struct softmmu *sm, struct physmap *map);
/* The guest changed its page tables or the translation regime (satp writes, SFENCE.VMA):
 * cpu (on a softmmu space) forgets every translation, or those of the page holding va,
 * under every MMU index. Callable from a helper inside guest code: the CPU also leaves
 * guest code at the next block boundary, so nothing found under the old mapping runs on. */
void softmmu_tlb_flush(struct cpu *cpu);
void softmmu_tlb_flush_page(struct cpu *cpu, uint64_t va);

/* A device wrote guest RAM [pa, pa + len) directly (DMA): the pages of it holding translated
 * code lose their blocks before cpu runs another, as after a store of cpu's own. Called on
 * cpu's thread. */
void softmmu_dma_written(struct cpu *cpu, uint64_t pa, uint64_t len);
/* cpu->fetch_code for a CPU on a softmmu space: 0, or -EFAULT when a byte cannot be fetched
 * (a walk's fault, or no RAM behind it). mmu_idx is the CPU's current one. */
int softmmu_fetch(struct cpu *cpu, uint64_t va, void *buf, size_t len, unsigned mmu_idx);
/* cpu->code_addr for a CPU on a softmmu space: the physical address of the code at va, by
 * which the execution layer keys blocks; 0, or -EFAULT as softmmu_fetch. */
int softmmu_code_addr(struct cpu *cpu, uint64_t va, unsigned mmu_idx, uint64_t *pa);
/* A debugger's read or write of len bytes at va, through the translation of mmu_idx, in RAM
 * only (a device's registers are not touched) and whatever the pages' permissions: 0, or
 * -EFAULT when a page has no translation or no RAM. */
int softmmu_debug_access(struct cpu *cpu, uint64_t va, void *buf, size_t len, bool write,
                         unsigned mmu_idx);

#endif
