/* Translation blocks: one translated guest block, found by guest pc through a per-CPU
 * direct-mapped jump cache in front of a shared hash table. */
#ifndef VM_EXEC_TB_H
#define VM_EXEC_TB_H

#include <stdbool.h>
#include <stdint.h>

#include <time.h>

#include "core/cpu.h"
#include "core/debug.h"
#include "exec/exec.h"
#include "host/backend.h"
#include "ir/ir.h"

struct tb {
    uint64_t pc;            /* guest pc of the first instruction */
    uint64_t end_pc;        /* guest pc after the last byte */
    /* The code addresses (cpu->code_addr) of pc and of the last byte, end_pc - 1: the key's
     * third part, and what invalidation compares. A block holds code of pc's page and, when
     * its last instruction crosses into the next one, of that page too (translator.c). */
    uint64_t phys, phys_last;
    uint16_t flags;         /* and the cpu's tb_flags: the block's key is (pc, flags) */
    uint16_t n_insns;       /* (16 bits each keep flags from growing the block) */
    uint32_t code_size;     /* engine units in code (interpreter: ops) */
    void *code;             /* engine-owned */
    uint64_t *op_pc;        /* guest pc of each engine unit, for faults */
    void *aux;              /* engine-owned extra data (the JIT: its host -> guest pc map) */
    struct tb *hash_next;
    /* The chains of blocks by code page (tb.c): the next link on the chain of phys's page,
     * and on that of phys_last's when it is another page. */
    uintptr_t page_next[2];
    /* T2 (exec/tier2.c): TB_T1 a block, TB_T1_TRIED one a region was formed from or could
     * not be, TB_T1_ALONE one whose region would be itself alone (it ends in an indirect
     * jump, say), which heads none and no longer counts its runs, TB_REGION a region: the
     * blocks of a hot path as one unit, keyed like the block at its head (which it shadows in
     * the hash table), holding guest code in spans. */
    uint8_t tier;
    uint16_t n_spans;
    struct tb_span *spans;
    struct tb *region_next;   /* the list of live regions (tb.c) */
};

enum { TB_T1, TB_T1_TRIED, TB_T1_ALONE, TB_REGION };

/* Blocks made for one use (a debugger's, TB_FLAG_ONE_INSN's): they head no T2 region and
 * --tcache does not save them. */
#define TB_FLAGS_ONE_OFF (TB_FLAG_DEBUG_BP | TB_FLAG_DEBUG_STEP | TB_FLAG_ONE_INSN)

/* Guest code addresses [start, end) a region was translated from. */
struct tb_span {
    uint64_t start, end;
};

#define JUMP_CACHE_BITS 16
#define JUMP_CACHE_SIZE (1u << JUMP_CACHE_BITS)
#define JUMP_CACHE_FILTER_BITS 16384u
_Static_assert(JUMP_CACHE_BITS <= 16, "tb_flags below JUMP_CACHE_SIZE fit struct tb's flags, "
               "and a slot's index struct exec_cpu's filled");
#define JUMP_CACHE_FILLED_MAX 1024
#define JUMP_CACHE_ANY_PAGE UINT32_MAX
#define JUMP_CACHE_POSTED_MAX 16
_Static_assert(IR_MAX_INSNS <= UINT16_MAX, "a block's n_insns fits struct tb's");

/* What exec keeps per CPU (reached through cpu->exec). */
struct exec_cpu {
    const struct engine_ops *engine;
    struct tb *jump_cache[JUMP_CACHE_SIZE];
    /* What jump_cache holds, for translated code: kept equal to each slot's block pc and
     * code (an empty slot's are tb_none's: no guest pc, and the JIT's miss path). */
    struct jump_slot jump_slots[JUMP_CACHE_SIZE];
    /* The keys of regions the compiler thread published for this CPU since its last lookup,
     * under tb_lock: only the CPU's own thread writes its slots (translated code reads a
     * slot's two words with no lock), so tb_find puts them in (jump_cache_take_posted). */
    struct {
        uint64_t pc;
        uint32_t flags;
    } posted[JUMP_CACHE_POSTED_MAX];
    unsigned n_posted;
    /* The virtual page (pc >> 12, truncated) of each filled slot's block, or
     * JUMP_CACHE_ANY_PAGE for a block crossing into the next page: what a guest's flush of
     * one page's translation drops (jump_cache_clear_page). */
    uint32_t jump_cache_page[JUMP_CACHE_SIZE];
    /* The slots filled since the last clear, so that a clear soon after another (a context
     * switch) touches only those: all of them once more than JUMP_CACHE_FILLED_MAX were
     * filled (n_filled is then JUMP_CACHE_FILLED_MAX + 1). */
    uint16_t filled[JUMP_CACHE_FILLED_MAX];
    unsigned n_filled;
    /* The flags of every block a slot was filled with, or-ed: while they stay small, one
     * page's blocks lie in a run of slots that jump_cache_clear_page scans alone. */
    uint32_t flags_seen;
    /* A bit per hash of a virtual page, set for the pages of every block filled into a slot
     * since the last clear, and any_page once a region was (it spans pages): a flush of a
     * page whose bit is clear has no slot to empty, and skips the scan. */
    uint64_t page_filter[JUMP_CACHE_FILTER_BITS / 64];
    bool any_page;
    struct ir_block block;   /* scratch for translation */
    struct cpu *next_cpu;    /* the list of live CPUs (exec/loop.c) */
    unsigned flush_gen;      /* tb_flush_gen when jump_cache was last valid */
    uint32_t map_gen;        /* cpu->as->map_gen then */
    uint32_t page_gen;       /* and cpu->as->page_gen */
    bool frees_one;          /* set by an engine whose free() unlinks every chain into the
                              * block, so single blocks may be dropped (tb_remove) */
    bool one_insn;           /* this run of exec_run is a TB_FLAG_ONE_INSN block's */
    /* A host fault in JIT code: where, and the host registers then (the backend's numbering),
     * which may hold guest registers not stored yet (jit_fault_pc). */
    const void *fault_host_pc;
    uint64_t fault_regs[HOST_MAX_REGS];
    struct exec_counters counters;
    /* T2's run counters, by jump-cache index, counting down from tier2_hot_runs: the JIT's
     * blocks decrement theirs at entry (exec/tier2.h). */
    int32_t hot[JUMP_CACHE_SIZE];
    unsigned index;          /* creation order: the vCPU's number */
    int tid;                 /* the host thread that runs it, once it has run */
    clockid_t clock;         /* that thread's CPU-time clock */
};

static inline struct exec_cpu *exec_of(const struct cpu *cpu)
{
    return (struct exec_cpu *)cpu->exec;
}

/* What an empty jump-cache slot holds, so a lookup needs no null test: its pc is no guest's
 * (a guest jumping to UINT64_MAX still misses, by the engines' check of tb_none), and its
 * code is the JIT's miss path. */
extern struct tb tb_none;
/* Empties the jump cache: the slots filled since the last clear, or every slot. */
void jump_cache_clear(struct exec_cpu *ex);
/* Puts tb in slot j (its jump_cache_index), as tb_find does after a miss. */
void jump_cache_fill(struct exec_cpu *ex, unsigned j, struct tb *tb);
/* tb's code moved (exec/jit.c's promotion, at a safepoint): the slots of every CPU that
 * hold it follow. */
void jump_cache_moved(const struct tb *tb);
/* Drops the blocks found by a pc of virtual page vpage (an address) and those crossing into
 * it (and maybe other blocks crossing a page). */
void jump_cache_clear_page(struct exec_cpu *ex, uint64_t vpage);

/* Flags below JUMP_CACHE_SIZE give each (pc, flags) of one pc a slot of its own, so a slot
 * found by this index holds the right block if its pc matches: the lookup compares the pc
 * alone, as it did before blocks had flags. */
static inline unsigned jump_cache_index(uint64_t pc, uint32_t flags)
{
    return host_jc_index(pc, flags, JUMP_CACHE_SIZE - 1);
}

/* Finds or translates the block at (pc, cpu->tb_flags); NULL if its first instruction cannot be
 * fetched (cpu->exc and exc_tval are then set for a fault at pc), or with cpu->exit_reason
 * CPU_EXIT_INTERRUPT if the code cache has no room until the other CPUs stop (the caller leaves
 * guest code, and exec_run runs the safepoint before it enters again). */
struct tb *tb_find(struct cpu *cpu, uint64_t pc);
/* Frees every block (chains between blocks die with them) and clears the jump cache. The
 * caller makes sure no other CPU runs guest code (exec/loop.c's code_lock); the other CPUs
 * clear their jump caches when they see tb_flush_gen change. */
void tb_flush(struct cpu *cpu);
extern unsigned tb_flush_gen;
/* In the child of a fork: the translation lock may have been held by a thread that is gone. */
void tb_fork_child(void);
/* True if some live block holds guest code from a page of [start, end). */
bool tb_overlaps(uint64_t start, uint64_t end);
/* Drops one block (only when exec_of(cpu)->frees_one): out of the hash table and the jump
 * caches (other CPUs clear theirs through tb_flush_gen), then freed. */
void tb_remove(struct cpu *cpu, struct tb *tb);
/* Drops the blocks holding guest code from code addresses [start, end): one by one when the
 * engine can, else every block (tb_flush). */
void tb_invalidate(struct cpu *cpu, uint64_t start, uint64_t end);
/* Compiles the region of ir block b, whose code spans[0..n) are, to shadow block head, and
 * makes it the block the CPU finds at head's pc: at once on the CPU's own thread, else
 * (posted, from the compiler thread) at its next lookup. NULL if a block was dropped since
 * tb_flush_gen was gen (head may be gone, or the code changed: a head still there may be
 * tried again) or the engine could not compile it (its code space is full): head goes on
 * alone. The caller holds the code lock (exec.h) for reading and keeps cpu alive. */
struct tb *tb_add_region(struct cpu *cpu, struct tb *head, const struct ir_block *b,
                         const struct tb_span *spans, unsigned n, unsigned gen, bool posted);
/* True if a block of pc under cpu's flags exists (user mode: pc is its code address). */
bool tb_exists(struct cpu *cpu, uint64_t pc);
/* May an exit of block from jump straight to block to? Always in user mode. In system mode
 * (cpu->code_addr) a chain is never looked up again, so only within from's virtual page,
 * whose mapping is the one under which from itself was found, and not into a block that
 * crosses into another page (QEMU's rule). */
bool tb_may_chain(const struct cpu *cpu, const struct tb *from, const struct tb *to);
/* True if tb's code is still where its key says under the CPU's current mapping (a block is
 * recompiled from its pc). */
bool tb_current(struct cpu *cpu, const struct tb *tb);

struct exec_stats {
    uint64_t translations;
    uint64_t guest_insns_translated;
    uint64_t flushes;
    uint64_t translate_ns;   /* time spent translating and compiling blocks */
    uint64_t invalidations;  /* guest ranges whose blocks were dropped one by one */
    uint64_t regions;        /* T2 regions compiled */
    uint64_t region_blocks;  /* blocks in them */
    uint64_t translation_retries;   /* translations done again: their code was written */
};
extern struct exec_stats exec_stats;

#endif
