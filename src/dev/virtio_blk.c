/* virtio-blk (dev/virtio_blk.h). Requests are done synchronously when the driver notifies,
 * straight between the image and the chain's buffers in guest RAM. */
#include "dev/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

enum { BLK_F_SIZE_MAX = 1, BLK_F_SEG_MAX = 2, BLK_F_RO = 5, BLK_F_FLUSH = 9 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

#define HEADER_BYTES 16
#define SEG_MAX (VIRTQ_CHAIN_MAX - 2)       /* data buffers besides the header and status */
#define SIZE_MAX_BYTES (1u << 20)           /* the largest buffer a driver should give */

/* Reads (or writes, from) len bytes of the image at pos into the chain's buffers from
 * first on, starting skip bytes into them, marking what it wrote. 0 or -EIO. */
static int transfer(struct virtio_blk *b, struct virtio_mmio *t, unsigned first, uint64_t skip,
                    uint64_t len, uint64_t pos, bool write)
{
    const struct virtq_chain *c = &b->chain;
    for (unsigned k = first; len && k < c->n_out + c->n_in; k++) {
        const struct virtq_buf *x = &c->buf[k];
        if (skip >= x->len) {
            skip -= x->len;
            continue;
        }
        size_t n = x->len - skip < len ? (size_t)(x->len - skip) : (size_t)len;
        for (size_t done = 0; done < n;) {
            ssize_t r = write ? pwrite(b->fd, x->host + skip + done, n - done, (off_t)pos)
                              : pread(b->fd, x->host + skip + done, n - done, (off_t)pos);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return -EIO;
            done += (size_t)r;
            pos += (uint64_t)r;
        }
        if (!write)
            virtq_dma_written(&t->dma, x->pa + skip, n);
        len -= n;
        skip = 0;
    }
    return len ? -EIO : 0;
}

/* Whether [sector, sector + bytes / 512) is whole sectors inside the image. */
static bool in_image(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
    return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->sectors &&
           bytes / VIRTIO_BLK_SECTOR <= b->sectors - sector;
}

/* Does the request in b->chain: its status, with *written the bytes of data written into
 * the chain. */
static uint8_t request(struct virtio_blk *b, struct virtio_mmio *t, uint64_t *written)
{
    const struct virtq_chain *c = &b->chain;
    struct { uint32_t type, reserved; uint64_t sector; } h;
    *written = 0;
    if (virtq_read(c, 0, &h, sizeof(h)) != sizeof(h))
        return S_IOERR;
    uint64_t sector = le64toh(h.sector), data_in = c->in_len - 1;
    switch (le32toh(h.type)) {
    case T_IN:
        if (!in_image(b, sector, data_in) ||
            transfer(b, t, c->n_out, 0, data_in, sector * VIRTIO_BLK_SECTOR, false) < 0)
            return S_IOERR;
        *written = data_in;
        return S_OK;
    case T_OUT: {
        uint64_t data_out = c->out_len - HEADER_BYTES;
        if (b->readonly || !in_image(b, sector, data_out) ||
            transfer(b, t, 0, HEADER_BYTES, data_out, sector * VIRTIO_BLK_SECTOR, true) < 0)
            return S_IOERR;
        return S_OK;
    }
    case T_FLUSH:
        return b->readonly || fdatasync(b->fd) == 0 ? S_OK : S_IOERR;
    case T_GET_ID: {
        size_t n = data_in < VIRTIO_BLK_ID_BYTES ? (size_t)data_in : VIRTIO_BLK_ID_BYTES;
        *written = virtq_write(c, &t->dma, 0, b->id, n);
        return S_OK;
    }
    }
    return S_UNSUPP;
}

static void blk_notify(struct virtio_mmio *t, unsigned q)
{
    struct virtio_blk *b = t->dev->opaque;
    while (virtio_mmio_pop(t, q, &b->chain) > 0) {
        const struct virtq_chain *c = &b->chain;
        if (!c->in_len) {             /* nowhere to put the status */
            virtio_mmio_push(t, q, c->head, 0);
            continue;
        }
        uint64_t written;
        uint8_t status = request(b, t, &written);
        virtq_write(c, &t->dma, c->in_len - 1, &status, 1);
        virtio_mmio_push(t, q, c->head, (uint32_t)(written + 1));
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

int virtio_blk_open(struct virtio_blk *b, const char *path, bool readonly, unsigned index)
{
    const char *why;
    if (virtio_blk_try_open(b, path, readonly, index, &why) == 0)
        return 0;
    vm_error("%s: %s", path, why);
    return -1;
}

int virtio_blk_try_open(struct virtio_blk *b, const char *path, bool readonly, unsigned index,
                        const char **why_not)
{
    memset(b, 0, sizeof(*b));
    b->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    const char *why = NULL;
    if (b->fd < 0 || fstat(b->fd, &st) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (st.st_size == 0)
        why = "empty disk image";
    else if (st.st_size % VIRTIO_BLK_SECTOR)
        why = "a raw disk image's size must be a multiple of 512 bytes";
    else if (flock(b->fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
        why = errno == EWOULDBLOCK ? "in use by another process" : strerror(errno);
    if (why) {
        *why_not = why;
        if (b->fd >= 0)
            close(b->fd);
        b->fd = -1;
        return -1;
    }
    b->readonly = readonly;
    b->sectors = (uint64_t)st.st_size / VIRTIO_BLK_SECTOR;
    snprintf(b->id, sizeof(b->id), "vm-disk-%u", index);
    uint64_t capacity = htole64(b->sectors);
    memcpy(b->config, &capacity, 8);
    put32(b->config + 8, SIZE_MAX_BYTES);
    put32(b->config + 12, SEG_MAX);
    b->dev = (struct virtio_device){
        .id = VIRTIO_ID_BLOCK,
        .features = 1ull << BLK_F_SIZE_MAX | 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_FLUSH |
                    (readonly ? 1ull << BLK_F_RO : 0),
        .queues = 1, .queue_max = 256, .config = b->config, .config_size = sizeof(b->config),
        .notify = blk_notify, .opaque = b,
    };
    return 0;
}

int virtio_blk_flush(struct virtio_blk *b)
{
    return b->readonly || fdatasync(b->fd) == 0 ? 0 : -errno;
}

void virtio_blk_close(struct virtio_blk *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}
