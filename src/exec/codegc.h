/* The JIT's code cache: one memfd mapped twice, writable and executable (never both), filled
 * by bump allocation. A full cache is emptied by flushing every block (tb_flush); the blocks
 * of the cache are kept in address order so a host pc maps back to its block. */
#ifndef VM_EXEC_CODEGC_H
#define VM_EXEC_CODEGC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb;

#define CODEGC_DEFAULT_SIZE (64u << 20)

/* Size for codegc_init (--code-cache=SIZE); 0 = default. */
extern size_t codegc_size;

struct codegc_stats {
    uint64_t bytes;         /* code bytes written since start */
    uint64_t blocks;        /* blocks committed since start */
    uint64_t full;          /* times the cache filled up and was emptied */
    uint64_t generation;    /* bumped whenever blocks are freed: chain sites may be stale */
};
extern struct codegc_stats codegc_stats;

/* Maps the cache once; 0 or -errno. */
int codegc_init(void);
/* Free space: writable start, its size, and executable - writable address. */
uint8_t *codegc_space(size_t *avail, intptr_t *rx_delta);
/* The bytes [start, end) of the free space are a block (tb, or NULL: permanent code);
 * returns its executable address. */
void *codegc_commit(uint8_t *start, uint8_t *end, struct tb *tb);
/* One committed block is gone; when none is left the space is reused. */
void codegc_release(void);
/* Writable address of an executable one. */
void *codegc_rw(const void *rx);
bool codegc_contains(const void *rx);
/* The block whose code holds the executable address pc, or NULL. */
struct tb *codegc_lookup(const void *pc);

#endif
