/* Fuzzing the virtio devices (dev/virtio_*.c) through their transport, as a guest driver
 * could drive them at its worst: random register accesses of every size and offset, queues
 * set up with random sizes and ring addresses (in RAM, straddling its end, in a device's
 * range, anywhere), and rings and descriptor tables filled with random and adversarial
 * contents (loops, indirect tables, huge lengths, addresses just outside RAM, available
 * indexes that jump), then notifications. Guest RAM is a heap block of its exact size and
 * the harness is built with ASan+UBSan under make test SANITIZE=1, so a device touching a
 * byte outside RAM is a finding; the harness also checks that every chain a device takes is
 * completed (the devices answer each request at once, an error included).
 *
 * Usage: virtio_fuzz DEVICE SEED ROUNDS   (DEVICE: blk, blk-ro, rng, net)
 * net's backend takes every frame and offers random ones of every size, some too big.
 * Prints "ok: N rounds, N completions, N resets needed" and exits 0, or why it failed, 1. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (256 * 1024ull)
#define HOLE_BASE (RAM_BASE + RAM_SIZE)   /* a device's range right after RAM */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static uint8_t *ram;

static uint64_t hole_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void hole_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
}

static const struct mmio_ops hole_ops = { .name = "hole", .read = hole_read, .write = hole_write };

/* net's backend: frames sent must fit the limit; frames received are random. */
static unsigned long frames_sent;

static void net_send(void *opaque, const uint8_t *frame, size_t len)
{
    if (len > VIRTIO_NET_FRAME_MAX) {
        fprintf(stderr, "virtio_fuzz net: a frame of %zu bytes sent\n", len);
        exit(1);
    }
    frames_sent++;
}

static size_t net_recv(void *opaque, uint8_t *buf, size_t size)
{
    size_t len = below(4) == 0 ? 0 : below(8) == 0 ? below(size + 1) : 14 + below(1500);
    if (len > size)
        len = size;
    memset(buf, (int)below(256), len);
    return len;
}

/* A guest address a driver at its worst might give: mostly in RAM, often at its edges. */
static uint64_t addr(void)
{
    switch (below(32)) {
    case 0: return rnd();
    case 1: return RAM_BASE + RAM_SIZE - below(64);
    case 2: return HOLE_BASE + below(4096);
    case 3: return RAM_BASE - below(64);
    default: return RAM_BASE + below(RAM_SIZE - 4096);
    }
}

static uint32_t length(void)
{
    switch (below(32)) {
    case 0: return (uint32_t)rnd();
    case 1: return 0xffffffffu - (uint32_t)below(16);
    case 2: return 0;
    case 3: case 4: case 5: case 6: return (uint32_t)below(2048);
    case 7: return 1;
    default: return 16 + 512 * (uint32_t)below(3);
    }
}

static void put16(uint64_t pa, uint16_t v)
{
    if (pa >= RAM_BASE && pa + 2 <= RAM_BASE + RAM_SIZE) {
        v = htole16(v);
        memcpy(ram + (pa - RAM_BASE), &v, 2);
    }
}

/* A descriptor somewhere in RAM: random, or plausible (a buffer in RAM, chained onwards). */
static void write_desc(uint64_t pa, uint16_t size)
{
    if (pa < RAM_BASE || pa + 16 > RAM_BASE + RAM_SIZE)
        return;
    struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d;
    if (below(32) == 0) {
        d.addr = rnd();
        d.len = (uint32_t)rnd();
        d.flags = (uint16_t)rnd();
        d.next = (uint16_t)rnd();
    } else {
        d.addr = addr();
        d.len = length();
        d.flags = (uint16_t)(below(2) | below(2) << 1 | (below(16) == 0) << 2 |
                             (below(64) == 0 ? (uint16_t)rnd() : 0));
        d.next = (uint16_t)below(below(16) ? size : size + 2u);
    }
    d.addr = htole64(d.addr);
    d.len = htole32(d.len);
    d.flags = htole16(d.flags);
    d.next = htole16(d.next);
    memcpy(ram + (pa - RAM_BASE), &d, sizeof(d));
}

/* A block request header in RAM: a real type or not, a sector in the disk or far off. */
static void write_header(uint64_t pa)
{
    if (pa < RAM_BASE || pa + 16 > RAM_BASE + RAM_SIZE)
        return;
    static const uint32_t types[] = { 0, 1, 4, 8, 2, 0xffffffffu };
    struct { uint32_t type, reserved; uint64_t sector; } h = {
        htole32(types[below(6)]), 0, htole64(below(3) ? below(20) : rnd()) };
    memcpy(ram + (pa - RAM_BASE), &h, sizeof(h));
}

enum {
    REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM = 0x038, REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
    REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DEVICE_LOW = 0x0a0,
};

static void wr(struct virtio_mmio *t, uint64_t off, uint64_t v)
{
    virtio_mmio_ops.write(t, off, 4, v);
}

static void wr64(struct virtio_mmio *t, uint64_t off, uint64_t v)
{
    wr(t, off, (uint32_t)v);
    wr(t, off + 4, v >> 32);
}

/* Driver-side state of queue 0, to check the device against. */
struct driver {
    uint16_t size;
    uint64_t desc, avail, used;
    uint16_t avail_idx;            /* what the driver has offered */
};

/* Resets the device and sets queue q up: mostly well, sometimes not. */
static void setup(struct virtio_mmio *t, struct driver *d, unsigned queues)
{
    wr(t, REG_STATUS, 0);
    wr(t, REG_STATUS, 3);
    wr(t, REG_DRIVER_FEATURES_SEL, 0);
    wr(t, REG_DRIVER_FEATURES, below(8) ? (uint32_t)below(4) << 28 : (uint32_t)rnd());
    wr(t, REG_DRIVER_FEATURES_SEL, 1);
    wr(t, REG_DRIVER_FEATURES, below(8) ? 1 : (uint32_t)rnd());
    wr(t, REG_STATUS, 11);
    for (unsigned q = 0; q < queues; q++) {
        static const uint16_t sizes[] = { 1, 2, 4, 8, 16, 64, 256, 8, 4, 512, 3, 0, 1024 };
        d[q].size = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
        uint64_t slot = RAM_BASE + q * (RAM_SIZE / 4);   /* each queue a quarter of RAM */
        bool wild = below(16) == 0;
        d[q].desc = wild ? addr() : slot;
        d[q].avail = wild ? addr() : slot + 16 * (uint64_t)d[q].size;
        d[q].used = wild ? addr() : (d[q].avail + 6 + 2 * (uint64_t)d[q].size + 3) & ~3ull;
        d[q].avail_idx = 0;
        wr(t, REG_QUEUE_SEL, q);
        wr(t, REG_QUEUE_NUM, d[q].size);
        wr64(t, REG_QUEUE_DESC_LOW, d[q].desc);
        wr64(t, REG_QUEUE_DRIVER_LOW, d[q].avail);
        wr64(t, REG_QUEUE_DEVICE_LOW, d[q].used);
        put16(d[q].avail + 2, 0);
        put16(d[q].used + 2, 0);
        wr(t, REG_QUEUE_READY, 1);
    }
    wr(t, REG_STATUS, 15);
}

/* Offers random chains on queue q and notifies. */
static void offer(struct virtio_mmio *t, struct driver *d, unsigned q, bool blk)
{
    uint16_t size = d->size ? d->size : 1;
    for (unsigned k = 0, n = (unsigned)below(size * 2u); k < n; k++)
        write_desc(d->desc + 16 * below(size), size);
    if (blk)
        for (unsigned k = 0; k < 4; k++)
            write_header(RAM_BASE + below(RAM_SIZE));
    if (below(3) == 0)   /* an indirect table somewhere */
        for (unsigned k = 0, n = (unsigned)below(8); k < n; k++)
            write_desc(RAM_BASE + RAM_SIZE / 2 + 16 * k, 8);
    unsigned count = below(20) == 0 ? (unsigned)rnd() & 0xffff : (unsigned)below(size + 1u);
    for (unsigned k = 0; k < count && k < 4 * (unsigned)size; k++)
        put16(d->avail + 4 + 2 * ((d->avail_idx + k) % size),
              (uint16_t)below(below(16) ? size : size + 1u));
    d->avail_idx += (uint16_t)count;
    put16(d->avail + 2, d->avail_idx);
    if (below(4) == 0)
        put16(d->avail, (uint16_t)below(2));   /* flags: NO_INTERRUPT */
    wr(t, REG_QUEUE_NOTIFY, q);
}

static void random_access(struct virtio_mmio *t)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    unsigned size = sizes[below(4)];
    uint64_t off = below(3) ? below(0x110) : below(VIRTIO_MMIO_SIZE);
    if (below(2))
        virtio_mmio_ops.read(t, off, size);
    else
        virtio_mmio_ops.write(t, off, size, below(2) ? rnd() : below(16));
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: virtio_fuzz blk|blk-ro|rng|net SEED ROUNDS\n");
        return 2;
    }
    const char *what = argv[1];
    rng_state = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ull | 1;
    unsigned long rounds = strtoul(argv[3], NULL, 0);
    ram = aligned_alloc(4096, RAM_SIZE);
    struct physmap map = { 0 };
    if (!ram || physmap_add_ram(&map, RAM_BASE, RAM_SIZE, ram) < 0 ||
        physmap_add_mmio(&map, HOLE_BASE, 4096, &hole_ops, NULL) < 0) {
        fprintf(stderr, "virtio_fuzz: cannot build the guest's memory\n");
        return 1;
    }
    memset(ram, 0, RAM_SIZE);
    static struct virtio_blk blk;
    static struct virtio_rng rng;
    static struct virtio_net net;
    const struct virtio_device *dev;
    char image[] = "/tmp/virtio_fuzz.XXXXXX";
    bool is_blk = !strncmp(what, "blk", 3);
    if (is_blk) {
        int fd = mkstemp(image);
        if (fd < 0 || ftruncate(fd, 16 * 512) < 0) {
            perror("virtio_fuzz: the disk image");
            return 1;
        }
        close(fd);
        int err = virtio_blk_open(&blk, image, !strcmp(what, "blk-ro"), 0);
        unlink(image);
        if (err < 0)
            return 1;
        dev = &blk.dev;
    } else if (!strcmp(what, "rng")) {
        virtio_rng_init(&rng);
        dev = &rng.dev;
    } else if (!strcmp(what, "net")) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
        virtio_net_init(&net, mac, (struct net_backend){ net_send, net_recv, NULL });
        dev = &net.dev;
    } else {
        fprintf(stderr, "virtio_fuzz: %s: no such device\n", what);
        return 2;
    }
    static struct virtio_mmio t;
    virtio_mmio_init(&t, dev, (struct virtq_dma){ &map, NULL, NULL }, (struct irq_line){ 0 });
    struct driver d[VIRTIO_QUEUES_MAX];
    unsigned long completions = 0, failures = 0;
    setup(&t, d, dev->queues);
    for (unsigned long r = 0; r < rounds; r++) {
        switch (below(16)) {
        case 0:
            setup(&t, d, dev->queues);
            break;
        case 1: case 2:
            random_access(&t);
            break;
        default: {
            unsigned q = (unsigned)below(dev->queues);
            uint16_t before = t.queue[q].used_idx;
            offer(&t, &d[q], q, is_blk);
            if (dev == &net.dev && below(2))
                virtio_net_poll(&t);   /* frames arriving */
            /* Every chain taken is completed at once (blk and rng finish synchronously). */
            if (t.queue[q].used_idx != t.queue[q].last_avail) {
                fprintf(stderr, "virtio_fuzz %s: seed %s round %lu: %u chains taken, %u "
                        "completed\n", what, argv[2], r, t.queue[q].last_avail,
                        t.queue[q].used_idx);
                return 1;
            }
            uint16_t after = t.queue[q].used_idx;
            completions += (uint16_t)(after - before);
            if (t.status & VIRTIO_STATUS_NEEDS_RESET) {
                failures++;
                setup(&t, d, dev->queues);
            }
        }
        }
    }
    printf("ok: %lu rounds, %lu completions, %lu resets needed\n", rounds, completions, failures);
    if (is_blk)
        virtio_blk_close(&blk);
    free(ram);
    return 0;
}
