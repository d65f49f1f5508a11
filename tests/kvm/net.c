/* virtio-net on user networking (--net=user) on the KVM microVM, through a minimal polled
 * driver: slot 0 (0xc0000000) the card, whose configuration space holds its MAC. One receive
 * buffer on queue 0, then an ARP request for the host's address 10.0.2.2 from 10.0.2.15 on
 * queue 1; libslirp answers, and the reply reaches the receive buffer (vm moves it in on its
 * I/O thread, so the driver waits for the used ring). Prints the MAC and the answer; else
 * "exit N". */
#include "../virtio_mmio.h"
#include "lib.h"

#define SLOT 0xc0000000ul
#define HDR 12                     /* struct virtio_net_hdr with VIRTIO_F_VERSION_1 */
#define WAIT_MAX 200000

static struct vq rx __attribute__((aligned(4096))), tx __attribute__((aligned(4096)));
static uint8_t rx_buf[HDR + 1514], tx_buf[HDR + 42], mac[6];

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(SLOT + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(SLOT + off) = v; }

#define CHECK(n, cond) do { if (!(cond)) return n; } while (0)

static int setup_queue(unsigned q, struct vq *v)
{
    wr(REG_QUEUE_SEL, q);
    if (rd(REG_QUEUE_NUM_MAX) < QSIZE)
        return -1;
    v->avail.flags = AVAIL_NO_INTERRUPT;
    wr(REG_QUEUE_NUM, QSIZE);
    wr(REG_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)v->desc);
    wr(REG_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&v->avail);
    wr(REG_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&v->used);
    wr(REG_QUEUE_READY, 1);
    return rd(REG_QUEUE_READY) ? 0 : -1;
}

/* Offers buffer as the only descriptor of queue q. */
static void offer(unsigned q, struct vq *v, void *buffer, uint32_t len, uint16_t flags)
{
    v->desc[0] = (struct desc){ (uintptr_t)buffer, len, flags, 0 };
    v->avail.ring[0] = 0;
    __asm__ volatile("" ::: "memory");
    v->avail.idx = 1;
    __asm__ volatile("" ::: "memory");
    wr(REG_QUEUE_NOTIFY, q);
}

static void put_byte(uint8_t b)
{
    putc_serial("0123456789abcdef"[b >> 4]);
    putc_serial("0123456789abcdef"[b & 15]);
}

static void put_bytes(const uint8_t *p, unsigned n, char sep, int decimal)
{
    for (unsigned i = 0; i < n; i++) {
        if (i)
            putc_serial(sep);
        if (decimal) {
            if (p[i] >= 10)
                putc_serial((char)('0' + p[i] / 10));
            putc_serial((char)('0' + p[i] % 10));
        } else {
            put_byte(p[i]);
        }
    }
}

static int test(void)
{
    static const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, host_ip[4] = { 10, 0, 2, 2 };
    CHECK(1, rd(REG_MAGIC) == 0x74726976 && rd(REG_DEVICE_ID) == 1);
    wr(REG_STATUS, 0);
    wr(REG_STATUS, 3);
    wr(REG_DRIVER_FEATURES_SEL, 1);
    wr(REG_DRIVER_FEATURES, 1);                     /* VERSION_1 */
    wr(REG_STATUS, 11);
    CHECK(2, rd(REG_STATUS) & 8);
    CHECK(3, setup_queue(0, &rx) == 0 && setup_queue(1, &tx) == 0);
    wr(REG_STATUS, 15);
    for (unsigned i = 0; i < 6; i++)
        mac[i] = *(volatile uint8_t *)(SLOT + REG_CONFIG + i);
    puts_serial("mac ");
    put_bytes(mac, 6, ':', 0);
    putc_serial('\n');

    offer(0, &rx, rx_buf, sizeof(rx_buf), D_WRITE);
    uint8_t *f = tx_buf + HDR;
    for (unsigned i = 0; i < 6; i++) {
        f[i] = 0xff;                                /* broadcast */
        f[6 + i] = f[22 + i] = mac[i];              /* source, sender */
    }
    f[12] = 0x08, f[13] = 0x06;                     /* ARP */
    f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0, f[18] = 6, f[19] = 4;
    f[20] = 0, f[21] = 1;                           /* request */
    for (unsigned i = 0; i < 4; i++) {
        f[28 + i] = guest_ip[i];
        f[38 + i] = host_ip[i];
    }
    offer(1, &tx, tx_buf, sizeof(tx_buf), 0);
    for (unsigned i = 0; i < WAIT_MAX && *(volatile uint16_t *)&rx.used.idx == 0; i++)
        __asm__ volatile("pause" ::: "memory");
    CHECK(10, *(volatile uint16_t *)&rx.used.idx == 1);
    CHECK(11, *(volatile uint16_t *)&tx.used.idx == 1);
    const uint8_t *r = rx_buf + HDR;
    CHECK(12, rx.used.ring[0].len >= HDR + 42 && r[12] == 0x08 && r[13] == 0x06 &&
              r[20] == 0 && r[21] == 2);
    for (unsigned i = 0; i < 6; i++)
        CHECK(13, r[i] == mac[i] && r[32 + i] == mac[i]);
    puts_serial("arp reply: ");
    put_bytes(r + 28, 4, '.', 1);
    puts_serial(" is at ");
    put_bytes(r + 22, 6, ':', 0);
    putc_serial('\n');
    return 0;
}

int main(void *boot_params)
{
    return test();
}
