/* Read and access watchpoints need every memory access while a debugger single-steps (write
 * watchpoints compare the watched bytes after each step, which reads cannot show): a
 * single-step block gets a call to debug_mem_access (core/debug.h) after each of its memory
 * ops. Blocks of one instruction are slow anyway, so the calls cost nothing that matters, and
 * other blocks get none. */
#ifndef VM_GUEST_WATCH_H
#define VM_GUEST_WATCH_H

#include "ir/ir.h"

/* Inserts the calls into b (one instruction; a block that has no room left is left as it is,
 * which a single instruction never needs). */
void watch_accesses(struct ir_block *b);

#endif
