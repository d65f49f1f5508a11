/* Split virtqueues (dev/virtq.h). Every ring and descriptor is read once into a local and
 * checked before use: the driver may change them at any time, and nothing it writes may
 * lead the device outside RAM. Ring indexes are loaded with acquire and the used index
 * stored with release, for drivers on other threads (KVM's vCPUs). */
#include "dev/virtq.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

enum { DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4 };
enum { AVAIL_F_NO_INTERRUPT = 1 };

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

/* Sizes of the rings' parts: flags and idx, the ring, and the event word after it. */
static uint64_t avail_bytes(uint16_t size)
{
    return 4 + 2 * (uint64_t)size + 2;
}

static uint64_t used_bytes(uint16_t size)
{
    return 4 + 8 * (uint64_t)size + 2;
}

void virtq_reset(struct virtq *q)
{
    memset(q, 0, sizeof(*q));
}

void virtq_dma_written(const struct virtq_dma *d, uint64_t pa, uint64_t len)
{
    if (d->written && len)
        d->written(d->opaque, pa, len);
}

bool virtq_valid(const struct virtq *q, const struct virtq_dma *d, uint16_t max)
{
    uint16_t n = q->size;
    return n && n <= max && !(n & (n - 1)) && !(q->desc % 16) && !(q->avail % 2) &&
           !(q->used % 4) && physmap_ram(d->map, q->desc, 16 * (uint64_t)n) &&
           physmap_ram(d->map, q->avail, avail_bytes(n)) &&
           physmap_ram(d->map, q->used, used_bytes(n));
}

static uint16_t load16(const uint8_t *p)
{
    return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE));
}

static void store16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELEASE);
}

static struct desc desc_at(const uint8_t *table, unsigned i)
{
    struct desc d;
    memcpy(&d, table + 16 * (size_t)i, sizeof(d));
    return (struct desc){ le64toh(d.addr), le32toh(d.len), le16toh(d.flags), le16toh(d.next) };
}

bool virtq_has_work(const struct virtq *q, const struct virtq_dma *d)
{
    const uint8_t *avail = q->ready ? physmap_ram(d->map, q->avail, avail_bytes(q->size)) : NULL;
    return avail && load16(avail + 2) != q->last_avail;
}

/* Adds descriptor x to c, readable buffers before writable ones. 0 or -EIO. */
static int add_buf(struct virtq_chain *c, const struct virtq_dma *dma, const struct desc *x)
{
    if (c->n_out + c->n_in >= VIRTQ_CHAIN_MAX)
        return -EIO;
    bool write = x->flags & DESC_F_WRITE;
    if (!write && c->n_in)
        return -EIO;
    if (!x->len)
        return 0;
    uint8_t *host = physmap_ram(dma->map, x->addr, x->len);
    if (!host)
        return -EIO;
    c->buf[c->n_out + c->n_in] = (struct virtq_buf){ x->addr, host, x->len };
    if (write) {
        c->n_in++;
        c->in_len += x->len;
    } else {
        c->n_out++;
        c->out_len += x->len;
    }
    return 0;
}

/* Walks the chain at head of the queue's table into c: 0 or -EIO. Every descriptor visited
 * counts, so a loop ends at VIRTQ_CHAIN_MAX. */
static int walk(const struct virtq *q, const struct virtq_dma *dma, uint16_t head,
                struct virtq_chain *c)
{
    const uint8_t *table = physmap_ram(dma->map, q->desc, 16 * (uint64_t)q->size);
    if (!table)
        return -EIO;
    unsigned size = q->size, i = head, visited = 0;
    bool indirect = false;
    for (;;) {
        if (i >= size || ++visited > VIRTQ_CHAIN_MAX)
            return -EIO;
        struct desc x = desc_at(table, i);
        if (x.flags & DESC_F_INDIRECT) {
            /* A table of its own, ending the direct chain; never nested. */
            if (indirect || (x.flags & DESC_F_NEXT) || !x.len || x.len % 16 ||
                x.len / 16 > VIRTQ_CHAIN_MAX)
                return -EIO;
            if (!(table = physmap_ram(dma->map, x.addr, x.len)))
                return -EIO;
            size = x.len / 16;
            i = 0;
            indirect = true;
            continue;
        }
        int err = add_buf(c, dma, &x);
        if (err)
            return err;
        if (!(x.flags & DESC_F_NEXT))
            return 0;
        i = x.next;
    }
}

int virtq_pop(struct virtq *q, const struct virtq_dma *d, struct virtq_chain *c)
{
    if (!q->ready)
        return 0;
    uint16_t size = q->size;
    const uint8_t *avail = physmap_ram(d->map, q->avail, avail_bytes(size));
    if (!avail)
        return -EIO;
    uint16_t idx = load16(avail + 2);
    if (idx == q->last_avail)
        return 0;
    if ((uint16_t)(idx - q->last_avail) > size)
        return -EIO;
    uint16_t head = load16(avail + 4 + 2 * (q->last_avail % size));
    c->head = head;
    c->n_out = c->n_in = 0;
    c->out_len = c->in_len = 0;
    int err = walk(q, d, head, c);
    if (err)
        return err;
    q->last_avail++;
    if (q->event_idx) {
        /* avail_event: a notification is wanted for every chain the driver adds. */
        uint8_t *used = physmap_ram(d->map, q->used, used_bytes(size));
        if (!used)
            return -EIO;
        uint64_t at = 4 + 8 * (uint64_t)size;
        store16(used + at, q->last_avail);
        virtq_dma_written(d, q->used + at, 2);
    }
    return 1;
}

int virtq_push(struct virtq *q, const struct virtq_dma *d, uint16_t head, uint32_t len)
{
    uint8_t *used = physmap_ram(d->map, q->used, used_bytes(q->size));
    if (!used)
        return -EIO;
    uint64_t at = 4 + 8 * (uint64_t)(q->used_idx % q->size);
    uint32_t elem[2] = { htole32(head), htole32(len) };
    memcpy(used + at, elem, sizeof(elem));
    store16(used + 2, ++q->used_idx);
    virtq_dma_written(d, q->used + at, sizeof(elem));
    virtq_dma_written(d, q->used + 2, 2);
    return 0;
}

bool virtq_should_interrupt(struct virtq *q, const struct virtq_dma *d)
{
    uint16_t old = q->signalled_used, now = q->used_idx;
    q->signalled_used = now;
    const uint8_t *avail = physmap_ram(d->map, q->avail, avail_bytes(q->size));
    if (!avail)
        return true;
    if (q->event_idx) {
        uint16_t used_event = load16(avail + 4 + 2 * (uint64_t)q->size);
        return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
    }
    return !(load16(avail) & AVAIL_F_NO_INTERRUPT);
}

size_t virtq_read(const struct virtq_chain *c, uint64_t off, void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned k = 0; k < c->n_out && done < len; k++) {
        const struct virtq_buf *b = &c->buf[k];
        if (off >= b->len) {
            off -= b->len;
            continue;
        }
        size_t n = b->len - off < len - done ? (size_t)(b->len - off) : len - done;
        memcpy((uint8_t *)buf + done, b->host + off, n);
        done += n;
        off = 0;
    }
    return done;
}

size_t virtq_write(const struct virtq_chain *c, const struct virtq_dma *d, uint64_t off,
                   const void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned k = c->n_out; k < c->n_out + c->n_in && done < len; k++) {
        const struct virtq_buf *b = &c->buf[k];
        if (off >= b->len) {
            off -= b->len;
            continue;
        }
        size_t n = b->len - off < len - done ? (size_t)(b->len - off) : len - done;
        memcpy(b->host + off, (const uint8_t *)buf + done, n);
        virtq_dma_written(d, b->pa + off, n);
        done += n;
        off = 0;
    }
    return done;
}
