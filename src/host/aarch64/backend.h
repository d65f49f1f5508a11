/* Inside the AArch64 backend: lower one IR block into machine code in place, and emit the
 * shared trampolines (enter/epilogue, the guest address check's slow path). backend.c turns
 * these into the host-neutral struct host_backend (host/backend.h); the offsets and C helpers
 * generated code needs arrive in a struct a64_abi it fills from exec's struct host_env.
 *
 * Fixed registers in generated code: x28 = cpu, x27 = the flat space's base, x26 = the flat
 * limit - 1. x8, x15, x16 and x17 are scratch; x19-x25 and x9-x14 hold temps. */
#ifndef VM_HOST_AARCH64_BACKEND_H
#define VM_HOST_AARCH64_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "host/aarch64/a64.h"
#include "host/backend.h"
#include "ir/ir.h"

enum { R_CPU = 28, R_BASE = 27, R_LIMIT = 26 };

/* C helpers called from generated code (filled by backend.c). */
enum a64_helper {
    AH_POPCNT64, AH_POPCNT32,
    AH_ATOMIC_RMW,   /* (cpu, addr, value, kind | memop << 8) -> old */
    AH_CMPXCHG,      /* (cpu, addr, expected, new, memop) -> old */
    AH_MEM_CHECK,    /* (cpu, addr, size, host return address): raises SIGSEGV or returns */
    AH_LOG_STORE,    /* (cpu, base, disp, size): --engine=check's store log, before each store */
    AH_LOAD,         /* (cpu, base, disp, memop | i32 << 8) -> the ld's result: not flat */
    AH_STORE,        /* (cpu, base, disp, value, memop): an st in a space that is not flat */
    AH_COUNT
};

/* env as exec gave it: flat ld/st are [x27 + address], else calls to AH_LOAD/AH_STORE (a
 * space with a TLB is called for each access, like any other that is not flat). */
struct a64_abi {
    struct host_env env;
    const void *epilogue;      /* jump here with x0 = the value enter returns */
    const void *mem_thunk;     /* slow path of the guest address check */
    const void *helper[AH_COUNT];
};

/* Lower b into out. map gets at most HOST_MAX_MAP entries. Returns 0, or -ENOSPC if out
 * overflowed. */
int a64_lower(const struct ir_block *b, const struct a64_abi *abi, struct host_buf *out,
              struct host_map *map, uint32_t *n_map);

/* The shared trampolines, written at out's position. */
struct a64_trampolines {
    uintptr_t (*enter)(struct cpu *cpu, const void *code);
    const void *epilogue;
    const void *mem_thunk;   /* x8 = guest address, x17 = size, lr = return address */
    const void *jc_miss;     /* x0 = guest pc: leaves with HOST_RET_EXIT (tb_none's code) */
};
int a64_emit_trampolines(struct host_buf *out, const struct a64_abi *abi,
                         struct a64_trampolines *t);

/* A jump or call to target, direct when it is in reach, else through x16 (a jump) or lr (a
 * call). */
void a64_jump(struct host_buf *o, const void *target, bool call);

#endif
