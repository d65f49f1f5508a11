/* The buffer every host encoder writes machine code into: host-neutral, so both backends'
 * encoders, lowerers and encoder tests share one type. Code is written through a writable
 * view and runs from an executable one rx_delta away (exec/codegc.c maps the two). */
#ifndef VM_HOST_BUF_H
#define VM_HOST_BUF_H

#include <stdbool.h>
#include <stdint.h>

/* A field of the code that holds an address, which moves with the code (exec's persistent
 * translation cache puts code saved by one run at another address in the next). */
enum host_reloc_kind {
    HOST_RELOC_REL32,   /* 32 bits: the target - the address just after the field */
    HOST_RELOC_ABS64,   /* 64 bits: the target */
};
struct host_reloc {
    uint32_t off;       /* of the field from the start of the code */
    uint8_t kind;
};

struct host_buf {
    uint8_t *p, *start, *end;   /* where code is written (the writable view) */
    intptr_t rx_delta;          /* executable address - writable address */
    bool overflow;              /* a write did not fit: the code is incomplete */
    /* Where the encoder lists the address fields it writes (NULL: nowhere); n_relocs counts
     * past max_relocs when they do not all fit. */
    struct host_reloc *relocs;
    uint32_t n_relocs, max_relocs;
};

/* The field about to be written at b->p holds an address. */
static inline void host_buf_reloc(struct host_buf *b, enum host_reloc_kind kind)
{
    if (b->relocs && b->n_relocs < b->max_relocs)
        b->relocs[b->n_relocs] = (struct host_reloc){ (uint32_t)(b->p - b->start), (uint8_t)kind };
    b->n_relocs++;
}

#endif
