/* virtio-net (dev/virtio_net.h). With VIRTIO_F_VERSION_1 every buffer starts with the
 * 12-byte struct virtio_net_hdr; no offload is offered, so its fields are all 0 but
 * num_buffers (1) on receive and ignored on transmit. */
#include "dev/virtio_net.h"

#include <string.h>

#define HDR_BYTES 12
#define NET_F_MAC 5
#define NET_F_STATUS 16
#define LINK_UP 1
enum { RX = 0, TX = 1 };

static void transmit(struct virtio_mmio *t)
{
    struct virtio_net *n = t->dev->opaque;
    while (virtio_mmio_pop(t, TX, &n->chain) > 0) {
        uint64_t len = n->chain.out_len;
        if (len > HDR_BYTES && len - HDR_BYTES <= VIRTIO_NET_FRAME_MAX) {
            size_t got = virtq_read(&n->chain, HDR_BYTES, n->frame, (size_t)(len - HDR_BYTES));
            n->backend.send(n->backend.opaque, n->frame, got);
        }
        virtio_mmio_push(t, TX, n->chain.head, 0);
    }
}

void virtio_net_poll(struct virtio_mmio *t)
{
    struct virtio_net *n = t->dev->opaque;
    while (virtio_mmio_running(t) && virtq_has_work(&t->queue[RX], &t->dma)) {
        size_t len = n->backend.recv(n->backend.opaque, n->frame + HDR_BYTES,
                                     VIRTIO_NET_FRAME_MAX);
        if (!len || virtio_mmio_pop(t, RX, &n->chain) <= 0)
            return;
        memset(n->frame, 0, HDR_BYTES);
        n->frame[10] = 1;               /* num_buffers */
        size_t put = virtq_write(&n->chain, &t->dma, 0, n->frame, HDR_BYTES + len);
        virtio_mmio_push(t, RX, n->chain.head, (uint32_t)put);
    }
}

static void net_notify(struct virtio_mmio *t, unsigned q)
{
    if (q == TX)
        transmit(t);
    else
        virtio_net_poll(t);
}

void virtio_net_init(struct virtio_net *n, const uint8_t mac[6], struct net_backend backend)
{
    n->backend = backend;
    memcpy(n->config, mac, 6);
    n->config[6] = LINK_UP;
    n->config[7] = 0;
    n->dev = (struct virtio_device){
        .id = VIRTIO_ID_NET, .features = 1ull << NET_F_MAC | 1ull << NET_F_STATUS,
        .queues = 2, .queue_max = 256, .config = n->config, .config_size = sizeof(n->config),
        .notify = net_notify, .opaque = n,
    };
}
