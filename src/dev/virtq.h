/* Split virtqueues (virtio 1.x, section 2.7) as a device sees them, independent of the
 * transport and of the machine: the driver's descriptor table, available ring and used ring
 * live in guest RAM, reached only through a physical map (mem/softmmu.h's physmap_ram), so
 * every address and length the guest gives is checked against RAM before a byte is touched.
 * A chain is taken whole (direct and indirect descriptors, readable before writable) and
 * refused as malformed when it loops, nests indirect tables, points outside RAM, or is longer
 * than VIRTQ_CHAIN_MAX; the transport then marks the device as needing a reset. */
#ifndef VM_DEV_VIRTQ_H
#define VM_DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/softmmu.h"

#define VIRTQ_SIZE_MAX 1024        /* the largest queue a device offers */
#define VIRTQ_CHAIN_MAX 1024       /* descriptors in one chain, indirect ones included */

/* How devices reach guest memory: the machine's physical map, and who must hear of device
 * writes to RAM (system mode drops translated code on the pages written; NULL: nobody). */
struct virtq_dma {
    const struct physmap *map;
    void (*written)(void *opaque, uint64_t pa, uint64_t len);
    void *opaque;
};

/* One queue as the driver configured it through the transport. */
struct virtq {
    uint16_t size;                 /* entries, a power of 2 up to the device's maximum */
    bool ready;
    bool event_idx;                /* VIRTIO_F_EVENT_IDX was negotiated */
    uint64_t desc, avail, used;    /* guest physical addresses of the three parts */
    uint16_t last_avail;           /* the next available entry the device takes */
    uint16_t used_idx;             /* the device's used index */
    uint16_t signalled_used;       /* used_idx at the last interrupt (event_idx) */
};

/* A buffer of a chain: its guest address, host address and length. */
struct virtq_buf {
    uint64_t pa;
    uint8_t *host;
    uint32_t len;
};

/* A chain taken from the available ring: the readable buffers, then the writable ones. */
struct virtq_chain {
    uint16_t head;
    unsigned n_out, n_in;          /* readable (driver to device), writable buffers */
    uint64_t out_len, in_len;      /* their total lengths */
    struct virtq_buf buf[VIRTQ_CHAIN_MAX];   /* out first, then in */
};

/* The queue's state at reset. */
void virtq_reset(struct virtq *q);
/* Whether a queue the driver made ready is well formed: size a power of 2 from 1 to max,
 * each part aligned as the spec requires and wholly in RAM. */
bool virtq_valid(const struct virtq *q, const struct virtq_dma *d, uint16_t max);
/* Takes the next available chain into *c: 1, 0 when the ring is empty, -EIO when the
 * queue or the chain is malformed (nothing is taken then). */
int virtq_pop(struct virtq *q, const struct virtq_dma *d, struct virtq_chain *c);
/* Returns chain head to the driver with len bytes written into its writable buffers: 0, or
 * -EIO when the used ring is not in RAM. */
int virtq_push(struct virtq *q, const struct virtq_dma *d, uint16_t head, uint32_t len);
/* Whether the driver wants an interrupt for what was pushed since the last one (its
 * VRING_AVAIL_F_NO_INTERRUPT flag, or used_event with event_idx); resets the count. */
bool virtq_should_interrupt(struct virtq *q, const struct virtq_dma *d);
/* Whether the available ring holds chains the device has not taken. */
bool virtq_has_work(const struct virtq *q, const struct virtq_dma *d);

/* Copies len bytes from offset off of the chain's readable bytes into buf: the bytes
 * copied (fewer when the chain has fewer). */
size_t virtq_read(const struct virtq_chain *c, uint64_t off, void *buf, size_t len);
/* Copies len bytes from buf to offset off of the chain's writable bytes: the bytes copied. */
size_t virtq_write(const struct virtq_chain *c, const struct virtq_dma *d, uint64_t off,
                   const void *buf, size_t len);
/* Tells d's listener that device code wrote [pa, pa + len) directly. */
void virtq_dma_written(const struct virtq_dma *d, uint64_t pa, uint64_t len);

#endif
