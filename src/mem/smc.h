/* Code protection of the flat space (its aspace_ops protect_code hook), for self-modifying
 * code in user mode: the host pages under guest code that has been translated are made
 * read-only; the first guest store to one faults, and instead of a guest SIGSEGV the page
 * becomes writable again and is recorded, and the execution layer drops its blocks before
 * the next block runs (smc_flush_dirty, with the execution layer's own drop function). */
#ifndef VM_MEM_SMC_H
#define VM_MEM_SMC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"

/* Write-protects the guest pages of [start, end) that are writable (on translation). */
void smc_protect(struct cpu *cpu, uint64_t start, uint64_t end);
/* From the host fault handler: a fault at guest address addr; true if it was a store to a
 * protected page (now writable again; the caller returns to retry the store). */
bool smc_write_fault(struct cpu *cpu, uint64_t addr);
/* The kernel is about to write guest memory [start, end) for a system call: protected pages
 * in it become writable and their blocks are dropped, as a guest store would do, instead of
 * the call failing with EFAULT. */
void smc_unprotect(struct cpu *cpu, uint64_t start, uint64_t end);
/* The guest mapping of [start, end) changed, or its code is to be dropped: forget what was
 * known of its pages (giving back the write permission we took, if the mapping kept it). */
void smc_forget(struct cpu *cpu, uint64_t start, uint64_t end);
/* Hands the pages written since the last call to drop (exec_run, outside guest code, with
 * exec_invalidate); all of memory if too many were written to remember. */
void smc_flush_dirty(struct cpu *cpu, void (*drop)(struct cpu *cpu, uint64_t start, uint64_t end));

struct smc_stats {
    uint64_t protected_pages, write_faults;
};
extern struct smc_stats smc_stats;

#endif
