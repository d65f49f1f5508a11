/* The JIT's code cache and its collector's memory side: shared memory mapped twice, writable and
 * executable (never both; one private view that is both where the kernel cannot map shared
 * memory twice, as under qemu-user 7.2), split into an old space and a nursery. New blocks are bump-
 * allocated in the nursery; when it fills, the JIT (exec/jit.c) promotes the blocks still in
 * use into the old space and drops the rest (a minor collection); when the old space fills,
 * everything is flushed (a full collection). Each region keeps its blocks in address order
 * so a host pc maps back to its block. */
#ifndef VM_EXEC_CODEGC_H
#define VM_EXEC_CODEGC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb;

#define CODEGC_DEFAULT_SIZE (64u << 20)

/* Size for codegc_init (--code-cache=SIZE); 0 = default. */
extern size_t codegc_size;

enum codegc_region { CODEGC_OLD, CODEGC_NURSERY };

struct codegc_stats {
    uint64_t bytes;         /* code bytes written since start */
    uint64_t blocks;        /* blocks committed since start */
    uint64_t minor, full;   /* collections */
    uint64_t promoted, dropped;   /* blocks moved to the old space / freed by minor ones */
    uint64_t links;         /* exits patched into direct jumps (chains) */
    uint64_t generation;    /* bumped whenever a block is freed: chain sites may be stale */
};
extern struct codegc_stats codegc_stats;

/* Called with every piece of code committed (tb NULL: the permanent code, trampolines), its
 * executable address and size, while the JIT's lock is held: perf maps (service/perfmap.c).
 * NULL when nobody asks. */
extern void (*codegc_observer)(const void *code, size_t size, const struct tb *tb);

/* Maps the cache once; 0 or -errno. */
int codegc_init(void);
/* Free space of a region: writable start, its size, and executable - writable address. */
uint8_t *codegc_space(enum codegc_region r, size_t *avail, intptr_t *rx_delta);
/* The bytes [start, end) of r's free space hold tb's code (tb NULL: code that lives for
 * ever, only before any block); returns its executable address. */
void *codegc_commit(enum codegc_region r, uint8_t *start, uint8_t *end, struct tb *tb);
/* tb's code is dead (its block is freed or moves); when no block is left the space is reused. */
void codegc_release(struct tb *tb);
/* The live blocks of r, in address order: call with i = 0, 1, ... until NULL (entries that
 * were released are skipped). */
struct tb *codegc_block(enum codegc_region r, size_t *i);
/* Bytes of region r in use and its size (0 and 0 before the cache exists). */
void codegc_usage(enum codegc_region r, size_t *used, size_t *size);
/* Less than an eighth of the nursery is free: time to ask for a collection. */
bool codegc_nursery_low(void);
/* Empties the nursery once its blocks are all released. */
void codegc_reset_nursery(void);
/* Writable address of an executable one. */
void *codegc_rw(const void *rx);
bool codegc_contains(const void *rx);
/* The block whose code holds the executable address pc, or NULL. */
struct tb *codegc_lookup(const void *pc);

#endif
