/* virtio-blk from a driver's side: disk 0 (slot 0, writable, 8 sectors whose sector s holds
 * bytes s ^ i, written by run.sh) and disk 1 (slot 1, readonly). Probe, negotiate, the
 * configuration (capacity), get-id, reading sectors 2-3 through one chain and sector 5
 * through an indirect table, writing sectors 1 and 6 (run.sh checks the image afterwards),
 * reading them back, flush; code read from the disk over code that already ran (sector 7,
 * written with "li a0, 2; ret" first) runs as read; then the readonly disk: RO offered, reads work, a write gets
 * IOERR and leaves the image alone; requests beyond the end and of an unknown type fail
 * without stopping the device. The RNG is slot 2, and slot 3 is empty (device ID 0). All pass: "virtio-blk ok". */
#include "virtio.h"

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_BOGUS = 77 };
#define F_RO (1ull << 5)
#define F_FLUSH (1ull << 9)

struct header {
    uint32_t type, reserved;
    uint64_t sector;
};

static struct vq q0 __attribute__((aligned(4096))), q1 __attribute__((aligned(4096)));
static struct header hdr;
static uint8_t data[4 * 512], status;
static struct desc table[4] __attribute__((aligned(16)));
static uint8_t code[4096] __attribute__((aligned(4096)));

/* Runs the code in code[]: "li a0, N; ret" returns N. */
static long run_code(void)
{
    __asm__ volatile("fence.i" ::: "memory");
    return ((long (*)(void))(uintptr_t)code)();
}

/* One request of type on sector: data_len bytes of data (written to the device for T_OUT),
 * the status in status. The length the device reports, or -1. */
static long request(unsigned long base, struct vq *q, uint32_t type, uint64_t sector,
                    uint32_t data_len)
{
    hdr = (struct header){ type, 0, sector };
    status = 0xee;
    q->desc[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    q->desc[1] = (struct desc){ (uintptr_t)data, data_len,
                                D_NEXT | (type == T_OUT ? 0 : D_WRITE), 2 };
    q->desc[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    if (!data_len)
        q->desc[0].next = 2;
    return virtio_run(base, q, 0);
}

static int pattern_ok(const uint8_t *p, unsigned sector, uint8_t x)
{
    for (unsigned i = 0; i < 512; i++)
        if (p[i] != (uint8_t)(sector ^ i ^ x))
            return 0;
    return 1;
}

int main(void)
{
    unsigned long d0 = VIRTIO_SLOT(0), d1 = VIRTIO_SLOT(1);
    uint64_t f = virtio_start(d0, 2, F_FLUSH | F_INDIRECT, &q0);
    CHECK(1, f);
    CHECK(2, (f & F_FLUSH) && (f & F_INDIRECT) && !(f & F_RO));
    CHECK(3, *(volatile uint64_t *)(d0 + REG_CONFIG) == 8);      /* capacity */
    CHECK(4, rd(VIRTIO_SLOT(2), REG_DEVICE_ID) == 4);             /* the RNG after the disks */
    CHECK(5, rd(VIRTIO_SLOT(3), REG_DEVICE_ID) == 0);             /* nothing after it */

    memset(data, 0, sizeof(data));
    CHECK(10, request(d0, &q0, T_GET_ID, 0, 20) == 21 && status == 0);
    const char *id = "vm-disk-0";
    for (unsigned i = 0; id[i]; i++)
        CHECK(11, data[i] == (uint8_t)id[i]);

    CHECK(20, request(d0, &q0, T_IN, 2, 1024) == 1025 && status == 0);
    CHECK(21, pattern_ok(data, 2, 0) && pattern_ok(data + 512, 3, 0));

    /* An indirect table: header, data, status. */
    table[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    table[1] = (struct desc){ (uintptr_t)data, 512, D_NEXT | D_WRITE, 2 };
    table[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    hdr = (struct header){ T_IN, 0, 5 };
    status = 0xee;
    q0.desc[3] = (struct desc){ (uintptr_t)table, 3 * sizeof(struct desc), D_INDIRECT, 0 };
    CHECK(22, virtio_run(d0, &q0, 3) == 513 && status == 0 && pattern_ok(data, 5, 0));

    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(1 ^ i ^ 0x5a);
    CHECK(30, request(d0, &q0, T_OUT, 1, 512) == 1 && status == 0);
    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(6 ^ i ^ 0x5a);
    CHECK(31, request(d0, &q0, T_OUT, 6, 512) == 1 && status == 0);
    CHECK(32, request(d0, &q0, T_FLUSH, 0, 0) == 1 && status == 0);
    memset(data, 0, sizeof(data));
    CHECK(33, request(d0, &q0, T_IN, 6, 512) == 513 && status == 0 && pattern_ok(data, 6, 0x5a));
    CHECK(34, request(d0, &q0, T_IN, 1, 512) == 513 && status == 0 && pattern_ok(data, 1, 0x5a));

    static const uint8_t li_a0_1[] = { 0x05, 0x45, 0x82, 0x80 }, li_a0_2[] = { 0x09, 0x45, 0x82, 0x80 };
    memcpy(code, li_a0_1, 4);
    CHECK(35, run_code() == 1);
    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(7 ^ i ^ 0x5a);
    memcpy(data, li_a0_2, 4);
    CHECK(36, request(d0, &q0, T_OUT, 7, 512) == 1 && status == 0);
    hdr = (struct header){ T_IN, 0, 7 };                              /* into code[] */
    q0.desc[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    q0.desc[1] = (struct desc){ (uintptr_t)code, 512, D_NEXT | D_WRITE, 2 };
    q0.desc[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    CHECK(37, virtio_run(d0, &q0, 0) == 513 && status == 0);
    CHECK(38, run_code() == 2);

    CHECK(40, request(d0, &q0, T_IN, 7, 1024) == 1 && status == 1);     /* past the end */
    CHECK(41, request(d0, &q0, T_IN, ~0ull, 512) == 1 && status == 1);
    CHECK(42, request(d0, &q0, T_IN, 0, 100) == 1 && status == 1);      /* not whole sectors */
    CHECK(43, request(d0, &q0, T_BOGUS, 0, 0) == 1 && status == 2);     /* unsupported */
    CHECK(44, !(rd(d0, REG_STATUS) & S_NEEDS_RESET));
    CHECK(45, rd(d0, REG_INTERRUPT_STATUS) & 1);                        /* used buffers */
    CHECK(46, *PLIC_PENDING & (1 << 1));                                /* slot 0: source 1 */
    wr(d0, REG_INTERRUPT_ACK, 1);
    CHECK(47, rd(d0, REG_INTERRUPT_STATUS) == 0);

    f = virtio_start(d1, 2, F_FLUSH | F_RO, &q1);
    CHECK(50, f & F_RO);
    CHECK(51, request(d1, &q1, T_IN, 0, 512) == 513 && status == 0 && pattern_ok(data, 0, 0));
    for (unsigned i = 0; i < 512; i++)
        data[i] = 0xff;
    CHECK(52, request(d1, &q1, T_OUT, 0, 512) == 1 && status == 1);
    CHECK(53, request(d1, &q1, T_IN, 0, 512) == 513 && status == 0 && pattern_ok(data, 0, 0));
    CHECK(54, request(d1, &q1, T_GET_ID, 0, 20) == 21 && data[8] == '1');

    putstr("virtio-blk ok\n");
    return 0;
}
