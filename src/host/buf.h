/* The buffer every host encoder writes machine code into: host-neutral, so both backends'
 * encoders, lowerers and encoder tests share one type. Code is written through a writable
 * view and runs from an executable one rx_delta away (exec/codegc.c maps the two). */
#ifndef VM_HOST_BUF_H
#define VM_HOST_BUF_H

#include <stdbool.h>
#include <stdint.h>

struct host_buf {
    uint8_t *p, *start, *end;   /* where code is written (the writable view) */
    intptr_t rx_delta;          /* executable address - writable address */
    bool overflow;              /* a write did not fit: the code is incomplete */
};

#endif
