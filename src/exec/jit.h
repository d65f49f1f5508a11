/* The JIT engine's entry points shared with --engine=check (exec/check.c): compile a
 * block (optionally in the checkable form: no inline chaining, stores logged), run one
 * block, map a fault back, free. */
#ifndef VM_EXEC_JIT_H
#define VM_EXEC_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir/ir.h"

struct tb;

int jit_compile_block(struct cpu *cpu, struct tb *tb, const struct ir_block *b, bool checkable);
/* Runs tb's code once; returns HOST_RET_* (host/backend.h) or a chain site. */
uintptr_t jit_enter(struct cpu *cpu, const struct tb *tb);
/* The guest pc of a fault at cpu->cur_op in tb's code; after a host fault there, also stores
 * the guest registers the code held in host registers. */
uint64_t jit_fault_pc(struct cpu *cpu, const struct tb *tb);
void jit_free_block(struct tb *tb);
/* Called before every store of checkable code (and by the atomics), when set. */
extern void (*jit_store_log)(struct cpu *cpu, uint64_t addr, unsigned size);

#endif
