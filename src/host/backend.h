/* A host backend: the host-ISA half of the JIT, as one ops struct. exec/jit.c is host-neutral
 * (code cache, chaining bookkeeping, mapping faults back to guest pcs) and reaches host code
 * only through these ops; host/<isa>/ implements them and registers its backend with
 * HOST_REGISTER (core/registry.h). A build for a host without a backend has no JIT, only the
 * interpreter. */
#ifndef VM_HOST_BACKEND_H
#define VM_HOST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "host/buf.h"
#include "ir/ir.h"

/* The jump cache's index of a block at pc with tb_flags flags (exec/tb.h), which generated
 * code computes too (x86-64: jc_jump): the pc's offset in its 4 KiB page, halved, in the
 * low bits, the page number folded with itself shifted right by 5 above them (a direct-mapped
 * cache indexed by the pc alone made the hot code of two pages 128 KiB apart evict each
 * other), the flags xor-ed in; all on the pc's low 32 bits. One page's blocks stay in one
 * aligned run of slots while the flags are below 2048 (what exec's page flush relies on). */
static inline uint32_t host_jc_index(uint64_t pc, uint32_t flags, uint32_t mask)
{
    uint32_t p = (uint32_t)pc;
    return ((((p >> 5) & ~0xfffu) ^ p) >> 1 ^ flags) & mask;
}

/* A jump-cache slot as translated code reads it: the pc of the block the slot holds and the
 * address of its code side by side, so that an indirect jump loads the slot and jumps (from
 * the block's own fields they were a second load that waited for the first). */
struct jump_slot {
    uint64_t pc;
    const void *code;
};

/* What the execution layer tells the backend: the layout generated code reads and the C
 * services it calls. */
struct host_env {
    int32_t temps_offset;      /* of the IR temporaries from struct cpu */
    bool flat;                 /* the CPU's space is flat (mem/aspace.h): a guest address plus
                                  its base is the host address; else ld/st call load/store */
    uint64_t guest_limit;      /* flat: guest addresses are [0, guest_limit), with guard pages
                                  of more than 4 GiB on both sides (mem/uspace.h) */
    int32_t jc_offset;         /* of the jump cache (struct jump_slot[]) from struct cpu */
    uint32_t jc_mask;          /* jump cache index = host_jc_index(pc, block flags, jc_mask) */
    bool inline_jc;            /* goto_ind looks up the jump cache inline and jumps */
    bool chain_in_page;        /* and so may a direct jump out of the block's 4 KiB page:
                                  exec chains only within it (system mode, where another
                                  page may map elsewhere), so that jump would otherwise leave
                                  for the dispatcher every time (x86-64 does; the AArch64
                                  backend still leaves) */
    bool log_stores;           /* call log_store before every store (--engine=check) */
    bool loops_leave;          /* goto_loop leaves as goto_pc does (--engine=check compares
                                  each iteration of a region's loop on its own) */
    /* Count the block's runs (T2, exec/tier2.h): its entry decrements the int32 at
     * hot_offset + 4 * its jump-cache index from struct cpu and leaves with HOST_RET_HOT,
     * cpu->pc = the block's pc, when that reaches 0. */
    bool hot_count;
    int32_t hot_offset;
    uint64_t (*atomic_rmw)(struct cpu *cpu, uint64_t addr, uint64_t v, uint64_t kind_memop);
    uint64_t (*cmpxchg)(struct cpu *cpu, uint64_t addr, uint64_t expected, uint64_t newval,
                        uint64_t memop);
    /* Raises the guest's fault or returns; ret = the host return address inside the block. */
    void (*mem_check)(struct cpu *cpu, uint64_t addr, uint64_t size, uint8_t *ret);
    void (*log_store)(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t size);
    /* An ld (memop | the result is i32 << 8) or st in a space that is not flat. */
    uint64_t (*load)(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t memop_w32);
    void (*store)(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t value, uint64_t memop);
    /* tlb: a space with a TLB (mem/aspace.h's struct mem_tlb_entry tables, whose address
     * enter loads as the flat base's), which ld/st probe inline; on a miss these do the
     * access, ret being the host return address inside the block (for the fault's pc). */
    bool tlb;
    bool tlb_count_hits;       /* and count the hits in the TLB's struct mem_tlb */
    uint64_t (*tlb_load)(struct cpu *cpu, uint64_t addr, uint64_t memop_w32, const uint8_t *ret);
    void (*tlb_store)(struct cpu *cpu, uint64_t addr, uint64_t value, uint64_t memop,
                      const uint8_t *ret);
};

/* What enter returns. */
enum {
    HOST_RET_EXIT = 0,        /* cpu->pc (and exit_reason) set */
    HOST_RET_INTERRUPT = 1,   /* exit_request seen at block entry; cpu->pc = that block */
    HOST_RET_HOT = 2,         /* the block's run counter reached 0 at its entry (hot_count);
                                 cpu->pc = that block, nothing of it ran */
    /* anything else: the executable address of a jump to patch with the block at cpu->pc */
};

/* A guest register field the code holds in a host register and has not stored yet. */
struct host_wb {
    int32_t off;      /* in struct cpu */
    uint8_t reg;      /* host register, in the backend's numbering (< HOST_MAX_REGS), or
                         HOST_WB_IMM: the value is imm (sign-extended to 8 bytes) */
    uint8_t w64;      /* 8 bytes, else 4 */
    int32_t imm;
};
#define HOST_WB_IMM 0xff

/* The value a write-back entry stores, from the host registers at the fault. */
static inline uint64_t host_wb_value(const struct host_wb *wb, const uint64_t *regs)
{
    return wb->reg == HOST_WB_IMM ? (uint64_t)(int64_t)wb->imm : regs[wb->reg];
}

/* Host code offset -> guest pc of the instruction it belongs to (sorted by offset). An entry
 * at a guest memory access also lists the fields to write back, wb[wb_first..+wb_n], should
 * the access fault on the host. */
struct host_map {
    uint32_t host_off;
    uint16_t wb_n;
    uint32_t wb_first;
    uint64_t pc;
};

#define HOST_MAX_MAP (3 * IR_MAX_OPS)
#define HOST_MAX_WB (4 * IR_MAX_OPS)
#define HOST_MAX_REGS 32

/* Where a backend writes code: in, the free space (writable view) and the distance to its
 * executable view; out, the bytes written and, for a block, its map and write-back lists
 * (map and wb must have room for HOST_MAX_MAP and HOST_MAX_WB entries). */
struct host_code {
    uint8_t *start;
    size_t avail;
    intptr_t rx_delta;         /* executable address - writable address */
    size_t size;
    struct host_map *map;
    uint32_t n_map;
    struct host_wb *wb;
    uint32_t n_wb;
    /* For a block, when not NULL (room for HOST_MAX_RELOCS): the fields holding addresses
     * (a backend with relocs lists them all); n_relocs > HOST_MAX_RELOCS if they did not fit. */
    struct host_reloc *relocs;
    uint32_t n_relocs;
};

#define HOST_MAX_RELOCS (4 * IR_MAX_OPS)

/* The buffer of c's free space, for a backend's encoder. */
static inline struct host_buf host_buf_of(const struct host_code *c)
{
    return (struct host_buf){ .p = c->start, .start = c->start, .end = c->start + c->avail,
                              .rx_delta = c->rx_delta, .relocs = c->relocs,
                              .max_relocs = c->relocs ? HOST_MAX_RELOCS : 0 };
}

/* The code every block shares, written once by init. */
struct host_trampolines {
    uintptr_t (*enter)(struct cpu *cpu, const void *code);   /* runs code: HOST_RET_* */
    const void *jc_miss;       /* an empty jump-cache slot's code: leaves with HOST_RET_EXIT */
};

struct host_backend {
    const char *name;          /* "x86-64" */
    /* Writes the trampolines into out, before any block. 0 or -ENOSPC. */
    int (*init)(struct host_code *out, const struct host_env *env, struct host_trampolines *t);
    /* Lowers b into out. 0 or -ENOSPC if it does not fit. */
    int (*lower)(const struct ir_block *b, const struct host_env *env, struct host_code *out);
    /* Makes the jump whose executable address is site (writable view rw) go to target;
     * returns where it went before. Safe while other threads run the code. */
    const void *(*patch_jump)(uint8_t *rw, const uint8_t *site, const void *target);
    /* Optional: the block whose code starts at code (writable view rw) no longer counts its
     * runs (hot_count); -ENOENT if it does not. Safe while other threads run the code. */
    int (*stop_count)(uint8_t *rw, const uint8_t *code);
    /* From a host signal's ucontext: the interrupted pc, and the integer registers. */
    const void *(*signal_pc)(const void *uc);
    void (*signal_regs)(const void *uc, uint64_t regs[HOST_MAX_REGS]);
    /* The backend lists every address field of a block in host_code's relocs, so its code
     * can be moved (exec/tcache.c): reloc_target reads the address such a field of code
     * (executable address) holds; relocate writes target into it (writable view rw,
     * executable rx), or returns -ERANGE if target is out of the field's reach. */
    bool relocs;
    uintptr_t (*reloc_target)(const uint8_t *code, const struct host_reloc *r);
    int (*relocate)(uint8_t *rw, const uint8_t *rx, const struct host_reloc *r, uintptr_t target);
    /* --log=out_asm: one instruction at code (executable address addr) as text; returns its
     * length, or 0 if the backend cannot disassemble (then the log shows bytes). */
    size_t (*disas)(const uint8_t *code, size_t len, uint64_t addr, char *out, size_t outlen);
};

#endif
