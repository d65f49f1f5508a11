/* virtio-net (virtio 1.x, section 5.1) without offloads: one receive and one transmit queue,
 * a MAC address in the configuration space, and frames passed to and taken from a network
 * backend (struct net_backend: user networking in dev/net_slirp.c, or anything else), so the
 * device knows nothing of the host's network. A frame that arrives while the driver has no
 * receive buffer waits in the backend; a chain too small for the frame gets it cut short. */
#ifndef VM_DEV_VIRTIO_NET_H
#define VM_DEV_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_NET_FRAME_MAX 65550   /* the largest Ethernet frame passed either way */

/* Where frames go and come from. send may be called from the device's thread; recv too,
 * returning the next waiting frame's length (0: none) after copying it into buf. */
struct net_backend {
    void (*send)(void *opaque, const uint8_t *frame, size_t len);
    size_t (*recv)(void *opaque, uint8_t *buf, size_t size);
    void *opaque;
};

struct virtio_net {
    struct virtio_device dev;
    struct net_backend backend;
    uint8_t config[8];             /* mac[6], status */
    struct virtq_chain chain;
    uint8_t frame[VIRTIO_NET_FRAME_MAX + 12];
};

void virtio_net_init(struct virtio_net *n, const uint8_t mac[6], struct net_backend backend);
/* Moves the frames the backend holds into the driver's receive buffers while there are
 * both: the machine calls it when the backend says frames arrived. */
void virtio_net_poll(struct virtio_mmio *t);

#endif
