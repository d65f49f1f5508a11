/* HTIF, the host-target interface of Spike: a bare-metal program writes commands to its
 * `tohost` word (located through its ELF symbols) and the host answers in `fromhost`. vm
 * implements what test programs use: exit with a status, the console's putchar and the
 * write system call of the syscall proxy. The page holding tohost becomes a device page
 * backed by the same RAM bytes, so a store to tohost is seen the moment it happens. */
#ifndef VM_SYSTEM_HTIF_H
#define VM_SYSTEM_HTIF_H

#include <stdbool.h>
#include <stdint.h>

#include "mem/softmmu.h"

struct htif {
    uint8_t *page;                 /* the host bytes of the device page (in guest RAM) */
    uint64_t page_pa;
    uint64_t tohost, fromhost;     /* physical addresses; fromhost 0: none */
    const struct physmap *map;     /* guest RAM, for syscall-proxy buffers */
    /* Called when the guest exits, on the thread of the hart that wrote tohost: every hart
     * must leave guest code. */
    void (*exited_fn)(void *opaque);
    void *opaque;
    int out_fd;                    /* the console (host fd 1) */
    bool exited;
    uint64_t exit_status;
};

extern const struct mmio_ops htif_mmio_ops;

#endif
