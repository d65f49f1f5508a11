/* virtio-blk (virtio 1.x, section 5.2) over a raw image file: reads, writes, flushes (the
 * image's fdatasync, so what the guest flushed survives a host crash) and the device's id;
 * a read-only image offers VIRTIO_BLK_F_RO and fails writes with VIRTIO_BLK_S_IOERR. A
 * request beyond the image's end, or without room for its status, is an I/O error for that
 * request alone; the disk keeps serving the next one. */
#ifndef VM_DEV_VIRTIO_BLK_H
#define VM_DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/virtio_mmio.h"

#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_BYTES 20

struct virtio_blk {
    struct virtio_device dev;
    int fd;
    bool readonly;
    uint64_t sectors;
    char id[VIRTIO_BLK_ID_BYTES];
    uint8_t config[24];            /* capacity, size_max, seg_max (and padding) */
    struct virtq_chain chain;
};

/* Opens the raw image at path for the disk numbered index (its id is "vm-disk-INDEX"):
 * 0, or -1 after printing `vm: PATH: why` (missing, not a regular file or block device,
 * empty or not a whole number of 512-byte sectors, or in use by another vm). */
int virtio_blk_open(struct virtio_blk *b, const char *path, bool readonly, unsigned index);
/* The same without printing: 0, or -1 with *why_not saying why (hot-plug replies with it). */
int virtio_blk_try_open(struct virtio_blk *b, const char *path, bool readonly, unsigned index,
                        const char **why_not);
/* What the guest wrote reaches the image's storage (fdatasync): 0 or a negative errno. */
int virtio_blk_flush(struct virtio_blk *b);
void virtio_blk_close(struct virtio_blk *b);

#endif
