/* The virtio-mmio transport (dev/virtio_mmio.h). Queue registers take effect only while the
 * selected queue is not ready, as the spec asks of drivers; feature bits the device does not
 * offer make FEATURES_OK stay clear. */
#include "dev/virtio_mmio.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAGIC 0x74726976u          /* "virt" */
#define VERSION 2
#define VENDOR 0x00006d76u         /* "vm" */

enum {
    REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = VIRTIO_MMIO_QUEUE_NOTIFY,
    REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac, REG_SHM_LEN_LOW = 0x0b0, REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8, REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc, REG_CONFIG = 0x100,
};

enum { INT_USED_BUFFER = 1, INT_CONFIG_CHANGE = 2 };

static uint64_t offered(const struct virtio_mmio *t)
{
    return t->dev->features | VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX;
}

static void update_irq(struct virtio_mmio *t)
{
    irq_set(&t->irq, t->interrupt_status != 0);
}

static void reset(struct virtio_mmio *t)
{
    t->status = t->interrupt_status = 0;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    t->driver_features = 0;
    for (unsigned q = 0; q < VIRTIO_QUEUES_MAX; q++)
        virtq_reset(&t->queue[q]);
    if (t->dev->reset)
        t->dev->reset(t);
    update_irq(t);
}

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device *dev,
                      struct virtq_dma dma, struct irq_line irq)
{
    memset(t, 0, sizeof(*t));
    t->dev = dev;
    t->dma = dma;
    t->irq = irq;
    reset(t);
}

void virtio_mmio_plug(struct virtio_mmio *t, const struct virtio_device *dev)
{
    reset(t);                 /* the old device forgets its requests */
    t->dev = dev;
    __atomic_store_n(&t->requests, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&t->bytes_from_guest, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&t->bytes_to_guest, 0, __ATOMIC_RELAXED);
    reset(t);
    t->config_generation++;
    t->interrupt_status = INT_CONFIG_CHANGE;
    update_irq(t);
}

bool virtio_mmio_running(const struct virtio_mmio *t)
{
    return (t->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
                         VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK;
}

void virtio_mmio_fail(struct virtio_mmio *t)
{
    if (t->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    t->status |= VIRTIO_STATUS_NEEDS_RESET;
    t->interrupt_status |= INT_CONFIG_CHANGE;
    update_irq(t);
}

int virtio_mmio_pop(struct virtio_mmio *t, unsigned q, struct virtq_chain *c)
{
    if (q >= t->dev->queues || !virtio_mmio_running(t))
        return 0;
    int got = virtq_pop(&t->queue[q], &t->dma, c);
    if (got < 0) {
        virtio_mmio_fail(t);
        return 0;
    }
    if (got)
        __atomic_fetch_add(&t->bytes_from_guest, c->out_len, __ATOMIC_RELAXED);
    return got;
}

void virtio_mmio_push(struct virtio_mmio *t, unsigned q, uint16_t head, uint32_t len)
{
    struct virtq *vq = &t->queue[q];
    if (virtq_push(vq, &t->dma, head, len) < 0) {
        virtio_mmio_fail(t);
        return;
    }
    __atomic_fetch_add(&t->requests, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&t->bytes_to_guest, len, __ATOMIC_RELAXED);
    if (virtq_should_interrupt(vq, &t->dma)) {
        t->interrupt_status |= INT_USED_BUFFER;
        update_irq(t);
    }
}

static void notify(struct virtio_mmio *t, unsigned q)
{
    if (q < t->dev->queues && t->queue[q].ready && virtio_mmio_running(t))
        t->dev->notify(t, q);
}

void virtio_mmio_io(const struct virtio_mmio *t, uint64_t base, struct machine_device_io *io)
{
    static const char *const driver[] = {
        [VIRTIO_ID_NET] = "virtio-net", [VIRTIO_ID_BLOCK] = "virtio-blk",
        [VIRTIO_ID_RNG] = "virtio-rng",
    };
    const char *name = t->dev->id < sizeof(driver) / sizeof(driver[0]) ? driver[t->dev->id] : NULL;
    snprintf(io->name, sizeof(io->name), "%s@0x%" PRIx64, name ? name : "virtio", base);
    io->requests = __atomic_load_n(&t->requests, __ATOMIC_RELAXED);
    io->bytes_from_guest = __atomic_load_n(&t->bytes_from_guest, __ATOMIC_RELAXED);
    io->bytes_to_guest = __atomic_load_n(&t->bytes_to_guest, __ATOMIC_RELAXED);
}

void virtio_mmio_notify(struct virtio_mmio *t, unsigned q)
{
    notify(t, q);
}

static void set_status(struct virtio_mmio *t, uint32_t value)
{
    if (!value) {
        reset(t);
        return;
    }
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK) &&
        ((t->driver_features & ~offered(t)) || !(t->driver_features & VIRTIO_F_VERSION_1)))
        value &= ~VIRTIO_STATUS_FEATURES_OK;
    /* NEEDS_RESET is the device's to set; only a reset clears it. */
    value = (value & ~VIRTIO_STATUS_NEEDS_RESET) | (t->status & VIRTIO_STATUS_NEEDS_RESET);
    bool starting = (value & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_DRIVER_OK);
    t->status = value;
    if (starting)
        for (unsigned q = 0; q < t->dev->queues; q++)
            notify(t, q);
}

/* Readies or stops the selected queue; a bad one puts the device in NEEDS_RESET. */
static void set_ready(struct virtio_mmio *t, struct virtq *q, uint32_t value)
{
    if (!(value & 1)) {
        q->ready = false;
        return;
    }
    if (q->ready)
        return;
    if (!virtq_valid(q, &t->dma, t->dev->queue_max)) {
        virtio_mmio_fail(t);
        return;
    }
    q->event_idx = t->driver_features & VIRTIO_F_EVENT_IDX;
    q->ready = true;
}

static uint64_t config_read(struct virtio_mmio *t, uint64_t off, unsigned size)
{
    if (off > t->dev->config_size || size > t->dev->config_size - off)
        return 0;
    uint64_t v = 0;
    memcpy(&v, t->dev->config + off, size);   /* little-endian host */
    return v;
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct virtio_mmio *t = opaque;
    if (offset >= REG_CONFIG)
        return config_read(t, offset - REG_CONFIG, size);
    if (size != 4 || offset % 4)
        return 0;
    const struct virtq *q = t->queue_sel < t->dev->queues ? &t->queue[t->queue_sel] : NULL;
    uint64_t features = offered(t);
    switch (offset) {
    case REG_MAGIC: return MAGIC;
    case REG_VERSION: return VERSION;
    case REG_DEVICE_ID: return t->dev->id;
    case REG_VENDOR_ID: return VENDOR;
    case REG_DEVICE_FEATURES:
        return t->device_features_sel < 2 ? (uint32_t)(features >> (32 * t->device_features_sel))
                                          : 0;
    case REG_QUEUE_NUM_MAX: return q ? t->dev->queue_max : 0;
    case REG_QUEUE_NUM: return q ? q->size : 0;
    case REG_QUEUE_READY: return q && q->ready;
    case REG_INTERRUPT_STATUS: return t->interrupt_status;
    case REG_STATUS: return t->status;
    case REG_QUEUE_DESC_LOW: return q ? (uint32_t)q->desc : 0;
    case REG_QUEUE_DESC_HIGH: return q ? (uint32_t)(q->desc >> 32) : 0;
    case REG_QUEUE_DRIVER_LOW: return q ? (uint32_t)q->avail : 0;
    case REG_QUEUE_DRIVER_HIGH: return q ? (uint32_t)(q->avail >> 32) : 0;
    case REG_QUEUE_DEVICE_LOW: return q ? (uint32_t)q->used : 0;
    case REG_QUEUE_DEVICE_HIGH: return q ? (uint32_t)(q->used >> 32) : 0;
    case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH: return 0xffffffffu;   /* no shared memory */
    case REG_CONFIG_GENERATION: return t->config_generation;
    }
    return 0;
}

/* Replaces the 32 bits of *v at shift with value. */
static void deposit(uint64_t *v, unsigned shift, uint64_t value)
{
    *v = (*v & ~(0xffffffffull << shift)) | (uint64_t)(uint32_t)value << shift;
}

static void virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct virtio_mmio *t = opaque;
    if (offset >= REG_CONFIG || size != 4 || offset % 4)
        return;   /* the configuration spaces of blk, rng and net have no writable field */
    struct virtq *q = t->queue_sel < t->dev->queues ? &t->queue[t->queue_sel] : NULL;
    struct virtq *idle = q && !q->ready ? q : NULL;   /* whose setup may change */
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL: t->device_features_sel = (uint32_t)value; break;
    case REG_DRIVER_FEATURES:
        if (t->driver_features_sel < 2 && !(t->status & VIRTIO_STATUS_FEATURES_OK))
            deposit(&t->driver_features, 32 * t->driver_features_sel, value);
        break;
    case REG_DRIVER_FEATURES_SEL: t->driver_features_sel = (uint32_t)value; break;
    case REG_QUEUE_SEL: t->queue_sel = (uint32_t)value; break;
    case REG_QUEUE_NUM:
        if (idle)
            idle->size = (uint16_t)(value > 0xffff ? 0 : value);
        break;
    case REG_QUEUE_READY:
        if (q)
            set_ready(t, q, (uint32_t)value);
        break;
    case REG_QUEUE_NOTIFY: notify(t, (uint32_t)value & 0xffff); break;
    case REG_INTERRUPT_ACK:
        t->interrupt_status &= ~(uint32_t)value;
        update_irq(t);
        break;
    case REG_STATUS: set_status(t, (uint32_t)value); break;
    case REG_QUEUE_DESC_LOW: if (idle) deposit(&idle->desc, 0, value); break;
    case REG_QUEUE_DESC_HIGH: if (idle) deposit(&idle->desc, 32, value); break;
    case REG_QUEUE_DRIVER_LOW: if (idle) deposit(&idle->avail, 0, value); break;
    case REG_QUEUE_DRIVER_HIGH: if (idle) deposit(&idle->avail, 32, value); break;
    case REG_QUEUE_DEVICE_LOW: if (idle) deposit(&idle->used, 0, value); break;
    case REG_QUEUE_DEVICE_HIGH: if (idle) deposit(&idle->used, 32, value); break;
    }
}

const struct virtio_device virtio_mmio_empty = { .id = 0 };

/* A snapshot's state: the device's identity (its ID, offered features and configuration
 * space, which a loading machine must have the same: the same disks, say), then the
 * transport's registers and each queue. Requests are completed on the access that notifies,
 * so nothing is in flight between two instructions; blk and rng keep nothing else. */
static int virtio_mmio_save(void *opaque, struct state_writer *w)
{
    const struct virtio_mmio *t = opaque;
    state_put_u32(w, t->dev->id);
    state_put_u64(w, offered(t));
    state_put_u32(w, t->dev->config_size);
    state_put_bytes(w, t->dev->config, t->dev->config_size);
    const uint32_t regs[] = { t->status, t->interrupt_status, t->config_generation,
                              t->device_features_sel, t->driver_features_sel, t->queue_sel };
    for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++)
        state_put_u32(w, regs[k]);
    state_put_u64(w, t->driver_features);
    for (unsigned n = 0; n < VIRTIO_QUEUES_MAX; n++) {
        const struct virtq *q = &t->queue[n];
        state_put_u32(w, q->size);
        state_put_u8(w, q->ready);
        state_put_u8(w, q->event_idx);
        state_put_u64(w, q->desc);
        state_put_u64(w, q->avail);
        state_put_u64(w, q->used);
        state_put_u32(w, q->last_avail);
        state_put_u32(w, q->used_idx);
        state_put_u32(w, q->signalled_used);
    }
    return 0;
}

static uint16_t get_u16(struct state_reader *r)
{
    uint32_t v = state_get_u32(r);
    state_check(r, v <= 0xffff);
    return (uint16_t)v;
}

static int virtio_mmio_load(void *opaque, struct state_reader *r, bool commit)
{
    struct virtio_mmio *t = opaque;
    static struct virtio_mmio n;   /* loads are one at a time (the machine is paused) */
    n = *t;
    state_check(r, state_get_u32(r) == t->dev->id && state_get_u64(r) == offered(t) &&
                   state_get_u32(r) == t->dev->config_size);
    for (uint32_t k = 0; k < t->dev->config_size; k++)
        state_check(r, state_get_u8(r) == t->dev->config[k]);
    n.status = state_get_u32(r);
    n.interrupt_status = state_get_u32(r);
    n.config_generation = state_get_u32(r);
    n.device_features_sel = state_get_u32(r);
    n.driver_features_sel = state_get_u32(r);
    n.queue_sel = state_get_u32(r);
    n.driver_features = state_get_u64(r);
    state_check(r, !(n.interrupt_status & ~(uint32_t)(INT_USED_BUFFER | INT_CONFIG_CHANGE)));
    for (unsigned k = 0; k < VIRTIO_QUEUES_MAX; k++) {
        struct virtq *q = &n.queue[k];
        q->size = get_u16(r);
        q->ready = state_get_bool(r);
        q->event_idx = state_get_bool(r);
        q->desc = state_get_u64(r);
        q->avail = state_get_u64(r);
        q->used = state_get_u64(r);
        q->last_avail = get_u16(r);
        q->used_idx = get_u16(r);
        q->signalled_used = get_u16(r);
        /* A ready queue is one the transport accepted: every ring in RAM. */
        state_check(r, !q->ready || (k < t->dev->queues &&
                                     virtq_valid(q, &t->dma, t->dev->queue_max)));
    }
    int err = state_reader_done(r);
    if (!err && commit) {
        *t = n;
        update_irq(t);
    }
    return err;
}

const struct mmio_ops virtio_mmio_ops = {
    .name = "virtio_mmio", .read = virtio_mmio_read, .write = virtio_mmio_write,
    .save = virtio_mmio_save, .load = virtio_mmio_load,
};

const struct mmio_ops virtio_mmio_unsaved_ops = {
    .name = "virtio_net", .read = virtio_mmio_read, .write = virtio_mmio_write,
};
