/* T2, the second tier: a block that runs often (hot) becomes the head of a region, the
 * blocks of the path the guest takes most from it joined into one straight-line IR unit
 * whose branches off that path are side exits, so that the passes and the register
 * allocator work across the blocks (a guest register a block writes stays in a host
 * register for the next; a store the next block overwrites goes). The region shadows its
 * head block (exec/tb.h). User mode only, without the debugger or plugins. */
#ifndef VM_EXEC_TIER2_H
#define VM_EXEC_TIER2_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "exec/tb.h"
#include "ir/ir.h"

/* --tier2=on|off. */
extern bool tier2_on;
/* Runs of a block before it is hot (the counters' start; tests lower it). */
extern int32_t tier2_hot_runs;

/* The count a block that heads no region (TB_T1_ALONE) is left with, which it no longer
 * counts down: it ran a threshold's worth and runs on, so where a path forks, a region
 * follows it rather than a block whose count stopped when its own region replaced it. (The
 * loop head of SQLite's VDBE forks to the opcode switch, such a block, and to the default
 * case, almost never taken: with the switch left at 0, regions followed the default.) */
#define TIER2_ALONE_COUNT (INT32_MIN / 2)

/* Regions are compiled in place, not on the compiler thread (unit tests, to know when). */
extern bool tier2_in_place;
/* Most blocks in one region. */
#define TIER2_MAX_BLOCKS 16

/* Sets a new CPU's run counters. */
void tier2_init_counters(struct exec_cpu *ex);
/* True if blocks of this CPU count their runs (T2 is on for it). */
bool tier2_counts(const struct cpu *cpu);
/* tb's run counter reached 0 (nothing of it ran yet): forms its region and has it compiled,
 * by the compiler thread or, with wait, now. Returns the block to run at tb's pc: the region
 * when it was compiled now, else tb. */
struct tb *tier2_hot(struct cpu *cpu, struct tb *tb, bool wait);
/* cpu is about to be freed: its regions not compiled yet are dropped (and one being compiled
 * finished first). */
void tier2_cpu_gone(struct cpu *cpu);
/* The process ends: the regions queued are dropped, the one being compiled is finished, and
 * no more are queued, so what is counted at the end (--stats, --metrics) stays put. */
void tier2_stop(void);
/* In the child of a fork: the compiler thread is the parent's. */
void tier2_fork_child(void);
/* Forms the region at (pc, flags) into r: each block translated again, the successor it
 * continues with the one whose run counter went down most; a path that comes back to one
 * of its blocks ends in a loop (a loop op before that block, goto_loop at the end). spans
 * gets the guest code of each block (room for TIER2_MAX_BLOCKS). Each block after the
 * first is translated knowing what the guest's carry_state keeps of the previous one's
 * translator state. Returns the number of blocks, or -EFAULT if the first cannot be
 * translated. */
int tier2_form(struct cpu *cpu, uint64_t pc, uint32_t flags, struct ir_block *r,
               struct tb_span *spans);

#endif
