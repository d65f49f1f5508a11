/* A driver doing everything wrong, against the RNG in slot 0: register accesses of the wrong
 * size and to holes read 0 and change nothing; features the device lacks keep FEATURES_OK
 * clear; a queue made ready with a size that is not a power of 2, too big, or rings outside
 * RAM, and chains that loop, point outside RAM, claim 4 GiB, nest indirect tables, put
 * readable after writable buffers, start past the table, or an available index that jumps
 * past the queue's size: each sets DEVICE_NEEDS_RESET with the configuration-change
 * interrupt and completes nothing, and after a reset the device works again. The machine
 * runs on to the end: "virtio-bad ok". */
#include "virtio.h"

#define RAM_END 0xa0000000ul       /* 512 MiB from 0x80000000 */

static struct vq q __attribute__((aligned(4096)));
static struct desc table[4] __attribute__((aligned(16))), inner[2] __attribute__((aligned(16)));
static uint8_t buf[64];
static unsigned long r = VIRTIO_SLOT(0);

/* The device is in NEEDS_RESET and said so, with nothing completed; then reset and set up
 * again. */
static void expect_failed(unsigned check)
{
    CHECK(check, rd(r, REG_STATUS) & S_NEEDS_RESET);
    CHECK(check + 1, rd(r, REG_INTERRUPT_STATUS) & 2);
    CHECK(check + 2, q.used.idx == q.last_used);
    wr(r, REG_INTERRUPT_ACK, 2);
    CHECK(check + 3, virtio_start(r, 4, 0, &q));
    CHECK(check + 4, rd(r, REG_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK));
}

/* Offers the chain at head; the device must refuse it. */
static void bad_chain(unsigned check, uint16_t head)
{
    CHECK(check, virtio_run(r, &q, head) == -1);
    expect_failed(check + 1);
}

static void good_request(unsigned check)
{
    q.desc[0] = (struct desc){ (uintptr_t)buf, 16, D_WRITE, 0 };
    CHECK(check, virtio_run(r, &q, 0) == 16);
}

int main(void)
{
    volatile uint8_t *b8 = (volatile uint8_t *)r;
    volatile uint16_t *b16 = (volatile uint16_t *)r;
    volatile uint64_t *b64 = (volatile uint64_t *)r;
    CHECK(1, b8[0] == 0 && b16[0] == 0 && b64[0] == 0);       /* the magic, wrongly read */
    CHECK(2, rd(r, 0x0c0) == 0 && rd(r, 0x0f0) == 0 && rd(r, 0x800) == 0 &&
             rd(r, 0xffc) == 0);                              /* holes and config past its end */
    CHECK(3, virtio_start(r, 4, 0, &q));
    *(volatile uint8_t *)(r + REG_STATUS) = 0;                /* a byte write: ignored */
    CHECK(4, rd(r, REG_STATUS) & S_DRIVER_OK);
    wr(r, REG_QUEUE_SEL, 7);                                  /* no such queue */
    CHECK(5, rd(r, REG_QUEUE_NUM_MAX) == 0 && rd(r, REG_QUEUE_READY) == 0);
    wr(r, REG_QUEUE_READY, 1);
    wr(r, REG_QUEUE_NOTIFY, 7);
    wr(r, REG_QUEUE_NOTIFY, 0xffffffff);
    CHECK(6, rd(r, REG_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK));
    good_request(7);

    /* A feature the device does not offer. */
    wr(r, REG_STATUS, 0);
    wr(r, REG_STATUS, S_ACK | S_DRIVER);
    wr(r, REG_DRIVER_FEATURES_SEL, 1);
    wr(r, REG_DRIVER_FEATURES, 1 | 1u << 28);
    wr(r, REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    CHECK(10, !(rd(r, REG_STATUS) & S_FEATURES_OK));

    /* Queues made ready with bad sizes or rings. */
    static const struct { unsigned size; uint64_t desc, avail, used; } queues[] = {
        { 3, 0, 0, 0 }, { 2048, 0, 0, 0 }, { 0, 0, 0, 0 }, { 8, 0x1000, 0, 0 },
        { 8, 0, RAM_END - 4, 0 }, { 8, 0, 0, 0x10001000 }, { 8, 8, 0, 0 },
    };
    for (unsigned k = 0; k < sizeof(queues) / sizeof(queues[0]); k++) {
        CHECK(20, virtio_start(r, 4, 0, &q));
        wr(r, REG_STATUS, 0);
        wr(r, REG_STATUS, S_ACK | S_DRIVER);
        wr(r, REG_DRIVER_FEATURES_SEL, 1);
        wr(r, REG_DRIVER_FEATURES, 1);
        wr(r, REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        uint64_t d = queues[k].desc ? queues[k].desc : (uintptr_t)q.desc;
        uint64_t a = queues[k].avail ? queues[k].avail : (uintptr_t)&q.avail;
        uint64_t u = queues[k].used ? queues[k].used : (uintptr_t)&q.used;
        queue_setup(r, queues[k].size, d, a, u);
        CHECK(21 + k, !rd(r, REG_QUEUE_READY) && (rd(r, REG_STATUS) & S_NEEDS_RESET));
    }
    CHECK(30, virtio_start(r, 4, 0, &q));
    good_request(31);

    /* Malformed chains. */
    q.desc[0] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 1 };   /* a loop */
    q.desc[1] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 0 };
    bad_chain(40, 0);
    q.desc[0] = (struct desc){ 0x1000, 16, D_WRITE, 0 };                  /* outside RAM */
    bad_chain(50, 0);
    q.desc[0] = (struct desc){ RAM_END - 8, 16, D_WRITE, 0 };             /* across its end */
    bad_chain(60, 0);
    q.desc[0] = (struct desc){ (uintptr_t)buf, 0xffffffffu, D_WRITE, 0 }; /* 4 GiB */
    bad_chain(70, 0);
    q.desc[0] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 9 };  /* next past the table */
    bad_chain(80, 0);
    bad_chain(90, 12);                                                    /* head past it */
    inner[0] = (struct desc){ (uintptr_t)buf, 8, D_WRITE, 0 };
    table[0] = (struct desc){ (uintptr_t)inner, sizeof(inner), D_INDIRECT, 0 };
    q.desc[0] = (struct desc){ (uintptr_t)table, 16, D_INDIRECT, 0 };     /* nested */
    bad_chain(100, 0);
    q.desc[0] = (struct desc){ (uintptr_t)table, 24, D_INDIRECT, 0 };     /* not whole entries */
    bad_chain(110, 0);
    table[0] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 1 };  /* an indirect loop */
    table[1] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 0 };
    q.desc[0] = (struct desc){ (uintptr_t)table, 32, D_INDIRECT, 0 };
    bad_chain(120, 0);
    q.desc[0] = (struct desc){ (uintptr_t)buf, 8, D_WRITE | D_NEXT, 1 }; /* readable after writable */
    q.desc[1] = (struct desc){ (uintptr_t)buf, 8, 0, 0 };
    bad_chain(130, 0);
    q.avail.idx += 100;                                                   /* the index jumps */
    __sync_synchronize();
    wr(r, REG_QUEUE_NOTIFY, 0);
    expect_failed(140);

    good_request(150);
    putstr("virtio-bad ok\n");
    return 0;
}
