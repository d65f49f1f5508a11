/* Inside the x86-64 backend: lower one IR block into machine code in place, and emit the
 * shared trampolines (enter/epilogue, memory slow path). backend.c turns these into the
 * host-neutral struct host_backend (host/backend.h); the offsets and C helpers generated
 * code needs arrive in a struct x86_abi it fills from exec's struct host_env. */
#ifndef VM_HOST_X86_64_BACKEND_H
#define VM_HOST_X86_64_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "host/backend.h"
#include "host/x86_64/x86.h"
#include "ir/ir.h"

/* C helpers called from generated code (filled by backend.c). */
enum x86_helper {
    XH_DIVS64, XH_DIVU64, XH_REMS64, XH_REMU64, XH_DIVS32, XH_DIVU32, XH_REMS32, XH_REMU32,
    XH_CLZ64, XH_CLZ32, XH_CTZ64, XH_CTZ32, XH_POPCNT64, XH_POPCNT32,
    XH_ATOMIC_RMW,   /* (cpu, addr, value, kind | memop << 8) -> old */
    XH_CMPXCHG,      /* (cpu, addr, expected, new, memop) -> old */
    XH_MEM_CHECK,    /* (cpu, addr, size, host return address): raises SIGSEGV or returns */
    XH_LOG_STORE,    /* (cpu, addr, size): --engine=check's store log, before each store */
    XH_LOAD,         /* (cpu, base, disp, memop | i32 << 8) -> the ld's result: not flat */
    XH_STORE,        /* (cpu, base, disp, value, memop): an st in a space that is not flat */
    XH_TLB_LOAD,     /* (cpu, addr, memop | i32 << 8, ret) -> the ld's result: a TLB miss */
    XH_TLB_STORE,    /* (cpu, addr, value, memop, ret): a TLB miss */
    XH_COUNT
};

/* env as exec gave it: flat ld/st are [r15 + address], else calls to XH_LOAD/XH_STORE; a
 * space with a TLB has its entries at r15, probed inline, tlb_load_thunk/tlb_store_thunk
 * taking the misses. */
struct x86_abi {
    struct host_env env;
    const void *epilogue;      /* jump here with rax = the value enter returns */
    const void *mem_thunk;     /* slow path of the guest address check */
    const void *tlb_load_thunk, *tlb_store_thunk;   /* TLB misses (stubs.c) */
    const void *helper[XH_COUNT];
    bool bit_count;            /* the host has TZCNT (BMI1), LZCNT and POPCNT: clz, ctz and popcnt
                                  are one instruction each, not a helper's call */
};

/* What enter returns (rax at the epilogue): HOST_RET_*, or the executable address of a rel32
 * to patch with the block at cpu->pc. */

/* Lower b into out. map gets at most HOST_MAX_MAP entries, wb at most HOST_MAX_WB. Returns 0,
 * or -ENOSPC if out overflowed (out->overflow). */
int x86_lower(const struct ir_block *b, const struct x86_abi *abi, struct host_buf *out,
              struct host_map *map, uint32_t *n_map, struct host_wb *wb, uint32_t *n_wb);

/* The shared trampolines: enter(cpu, code) -> HOST_RET_*; written at out's position. */
struct x86_trampolines {
    uintptr_t (*enter)(struct cpu *cpu, const void *code);
    const void *epilogue;
    const void *mem_thunk;
    const void *tlb_load_thunk, *tlb_store_thunk;
    const void *jc_miss;     /* rax = guest pc: leaves with HOST_RET_EXIT (tb_none's code) */
};
int x86_emit_trampolines(struct host_buf *out, const struct x86_abi *abi,
                         struct x86_trampolines *t);

#endif
