/* virtio-rng (virtio 1.x, section 5.4): the host's getrandom fills each writable buffer
 * the driver queues, up to VIRTIO_RNG_CHUNK bytes a request. */
#ifndef VM_DEV_VIRTIO_RNG_H
#define VM_DEV_VIRTIO_RNG_H

#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_RNG_CHUNK 65536     /* bytes given for one request at most */

struct virtio_rng {
    struct virtio_device dev;
    struct virtq_chain chain;
    uint8_t bytes[VIRTIO_RNG_CHUNK];
};

void virtio_rng_init(struct virtio_rng *r);

#endif
