/* The guest pages that hold translated code, with a count of blocks per page, so that a change
 * to memory far from any code (an mmap, a munmap) need not stop the other CPUs to drop
 * blocks: the question "may a block hold code from this range?" is answered per page. */
#ifndef VM_EXEC_TBPAGES_H
#define VM_EXEC_TBPAGES_H

#include <stdbool.h>
#include <stdint.h>

/* A block covering guest code [start, end) was made, or dropped. */
void tbpages_add(uint64_t start, uint64_t end);
void tbpages_remove(uint64_t start, uint64_t end);
/* Every block was dropped. */
void tbpages_clear(void);
/* True if some live block covers a page of [start, end). */
bool tbpages_any(uint64_t start, uint64_t end);
/* In the child of a fork: the lock may have been held by a thread that is gone. */
void tbpages_fork_child(void);

#endif
