/* IR passes run on a block before a JIT lowers it: constant folding, copy propagation,
 * guest-register load forwarding, dead-store and dead-code elimination. Each keeps the
 * block's meaning, including the guest state seen at every exit and faulting op. */
#ifndef VM_OPT_OPT_H
#define VM_OPT_OPT_H

#include "ir/ir.h"

struct opt_stats {
    uint64_t folded, forwarded, dead_stores, dead_ops;
};
extern struct opt_stats opt_stats;

/* Runs every pass on b in place. */
void opt_block(struct ir_block *b);
/* The same, for a look at what the passes make of b (T2's region forming), not counted in
 * opt_stats. */
void opt_block_uncounted(struct ir_block *b);

#endif
