/* virtio-blk hot-plug from a driver's side, driven by hotplug_test.py over the control socket
 * (no --drive: the RNG is slot 0, slots 1 to 7 are empty). Slot 1 answers DeviceID 0 and
 * raises nothing; the guest says "empty" and polls the PLIC's pending bit of slot 1's source
 * until the script's device-add raises it: then DeviceID is 2, the interrupt status has the
 * configuration-change bit, the disk (id vm-disk-0, 4 sectors, byte i of sector s holding
 * s ^ i ^ 0xa5, written by the script) starts like a boot-time one, sectors 0-3 read as the
 * script wrote them, and the guest writes sector 2 (s ^ i ^ 0x3c) and says "disk". After the
 * script's device-remove (which flushes: the script then finds sector 2 in the image) the
 * source is pending again, DeviceID is 0, the status is reset, the configuration generation
 * moved on, and a request to the slot completes nothing. All pass: "gone". */
#include "virtio.h"

enum { T_IN = 0, T_OUT = 1, T_GET_ID = 8 };
#define SLOT 1
#define SOURCE (1 + SLOT)

struct header {
    uint32_t type, reserved;
    uint64_t sector;
};

static struct vq q __attribute__((aligned(4096)));
static struct header hdr;
static uint8_t data[4 * 512], status;

static long request(unsigned long base, uint32_t type, uint64_t sector, uint32_t data_len)
{
    hdr = (struct header){ type, 0, sector };
    status = 0xee;
    q.desc[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    q.desc[1] = (struct desc){ (uintptr_t)data, data_len, D_NEXT | (type == T_OUT ? 0 : D_WRITE),
                               2 };
    q.desc[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    return virtio_run(base, &q, 0);
}

static void wait_pending(void)
{
    while (!(*PLIC_PENDING & (1u << SOURCE)))
        ;
}

int main(void)
{
    unsigned long d = VIRTIO_SLOT(SLOT);
    CHECK(1, rd(d, REG_MAGIC) == 0x74726976 && rd(d, REG_DEVICE_ID) == 0);
    CHECK(2, rd(VIRTIO_SLOT(0), REG_DEVICE_ID) == 4);
    CHECK(3, !(*PLIC_PENDING & (1u << SOURCE)));
    putstr("empty\n");

    wait_pending();
    CHECK(10, rd(d, REG_DEVICE_ID) == 2);
    CHECK(11, rd(d, REG_INTERRUPT_STATUS) == 2);      /* configuration change */
    CHECK(12, rd(d, REG_STATUS) == 0);
    uint32_t generation = rd(d, REG_CONFIG_GENERATION);
    wr(d, REG_INTERRUPT_ACK, 2);
    CHECK(13, !(*PLIC_PENDING & (1u << SOURCE)));
    CHECK(14, virtio_start(d, 2, 0, &q));
    CHECK(15, *(volatile uint64_t *)(d + REG_CONFIG) == 4);      /* capacity */
    CHECK(16, request(d, T_GET_ID, 0, 20) == 21 && status == 0);
    const char *id = "vm-disk-0";
    for (unsigned i = 0; id[i]; i++)
        CHECK(17, data[i] == (uint8_t)id[i]);
    CHECK(18, request(d, T_IN, 0, 2048) == 2049 && status == 0);
    for (unsigned s = 0; s < 4; s++)
        for (unsigned i = 0; i < 512; i++)
            CHECK(19, data[s * 512 + i] == (uint8_t)(s ^ i ^ 0xa5));
    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(2 ^ i ^ 0x3c);
    CHECK(20, request(d, T_OUT, 2, 512) == 1 && status == 0);
    wr(d, REG_INTERRUPT_ACK, rd(d, REG_INTERRUPT_STATUS));
    putstr("disk\n");

    wait_pending();
    CHECK(30, rd(d, REG_DEVICE_ID) == 0);
    CHECK(31, rd(d, REG_INTERRUPT_STATUS) == 2);
    CHECK(32, rd(d, REG_STATUS) == 0);
    CHECK(33, rd(d, REG_CONFIG_GENERATION) != generation);
    wr(d, REG_INTERRUPT_ACK, 2);
    CHECK(34, !(*PLIC_PENDING & (1u << SOURCE)));
    CHECK(35, request(d, T_IN, 0, 512) == -1 && status == 0xee);  /* nobody answers */
    putstr("gone\n");
    return 0;
}
