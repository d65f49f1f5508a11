/* virtio-rng (dev/virtio_rng.h). A request gets fewer bytes than its buffers hold when they
 * hold more than VIRTIO_RNG_CHUNK, as the spec allows, so a guest cannot make one request
 * take the host long. */
#include "dev/virtio_rng.h"

#include <errno.h>
#include <sys/random.h>

static void rng_notify(struct virtio_mmio *t, unsigned q)
{
    struct virtio_rng *r = t->dev->opaque;
    uint8_t *bytes = r->bytes;
    while (virtio_mmio_pop(t, q, &r->chain) > 0) {
        size_t want = r->chain.in_len < sizeof(r->bytes) ? (size_t)r->chain.in_len : sizeof(r->bytes);
        size_t got = 0;
        while (got < want) {
            ssize_t n = getrandom(bytes + got, want - got, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        virtio_mmio_push(t, q, r->chain.head,
                         (uint32_t)virtq_write(&r->chain, &t->dma, 0, bytes, got));
    }
}

void virtio_rng_init(struct virtio_rng *r)
{
    r->dev = (struct virtio_device){ .id = VIRTIO_ID_RNG, .queues = 1, .queue_max = 256,
                                     .notify = rng_notify, .opaque = r };
}
