/* virtio-net on user networking, from a driver's side (slot 0, run by net_test.py with
 * --net=user,hostfwd=tcp:127.0.0.1:FWDPORT-:80 --append=port=PORT): the MAC in the
 * configuration space; an ARP request for the host (10.0.2.2) answered; a TCP connection
 * to the host's port PORT (read from the device tree's bootargs) sending "ping\n" and
 * receiving the server's "pong\n"; and the host's connection to FWDPORT arriving on port 80,
 * accepted, sent "hello from guest\n" and answered "bye\n". Just enough TCP for one
 * exchange each way: no retransmission (the host side is reliable), no window handling.
 * All done: "virtio-net ok". */
#include "virtio.h"

#define NRX 4
#define BUF 2048
#define HDR 12                     /* struct virtio_net_hdr */

static struct vq rx __attribute__((aligned(4096))), tx __attribute__((aligned(4096)));
static uint8_t rxbuf[NRX][BUF], txbuf[BUF];
static const uint8_t my_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static uint8_t host_mac[6];
static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, host_ip[4] = { 10, 0, 2, 2 };

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static int same(const uint8_t *a, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static uint32_t sum(const uint8_t *p, unsigned n, uint32_t s)
{
    for (unsigned i = 0; i + 1 < n; i += 2)
        s += get16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Sends the Ethernet frame of len bytes in txbuf + HDR. */
static void send(unsigned len)
{
    memset(txbuf, 0, HDR);
    tx.desc[0] = (struct desc){ (uintptr_t)txbuf, HDR + len, 0, 0 };
    CHECK(90, virtio_run(VIRTIO_SLOT(0), &tx, 0) == 0);
}

static uint8_t *eth(const uint8_t *dst, uint16_t type)
{
    uint8_t *f = txbuf + HDR;
    memcpy(f, dst, 6);
    memcpy(f + 6, my_mac, 6);
    put16(f + 12, type);
    return f + 14;
}

static void arp(uint16_t op, const uint8_t *tha, const uint8_t *tpa)
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t *a = eth(op == 1 ? broadcast : tha, 0x0806);
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, my_mac, 6);
    memcpy(a + 14, my_ip, 4);
    memcpy(a + 18, tha, 6);
    memcpy(a + 24, tpa, 4);
    send(14 + 28);
}

/* A TCP segment to the host with the given ports, numbers, flags and payload. */
static void tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                const char *data, unsigned len)
{
    uint8_t *ip = eth(host_mac, 0x0800), *t = ip + 20;
    memset(ip, 0, 40);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(40 + len));
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, my_ip, 4);
    memcpy(ip + 16, host_ip, 4);
    put16(ip + 10, fold(sum(ip, 20, 0)));
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 8192);
    memcpy(t + 20, data, len);
    uint8_t pseudo[12];
    memcpy(pseudo, my_ip, 4);
    memcpy(pseudo + 4, host_ip, 4);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (uint16_t)(20 + len));
    put16(t + 16, fold(sum(t, 20 + len, sum(pseudo, 12, 0))));
    send(14 + 40 + len);
}

enum { FIN = 1, SYN = 2, PSH = 8, ACK = 16 };
#define OUT_PORT 1234
#define OUT_ISN 1000u
#define IN_ISN 5000u

static unsigned host_port(void)
{
    /* "port=N" in the device tree (the bootargs), found by a plain search. */
    uint32_t size = get32(boot_fdt + 4);
    for (uint32_t i = 0; i + 5 < size; i++)
        if (same(boot_fdt + i, (const uint8_t *)"port=", 5)) {
            unsigned port = 0;
            for (i += 5; boot_fdt[i] >= '0' && boot_fdt[i] <= '9'; i++)
                port = port * 10 + (unsigned)(boot_fdt[i] - '0');
            return port;
        }
    return 0;
}

int main(void)
{
    unsigned long n = VIRTIO_SLOT(0);
    unsigned port = host_port();
    CHECK(1, port);
    uint64_t f = virtio_start2(n, 1, 1ull << 5, &rx, &tx);
    CHECK(2, f & (1ull << 5));
    CHECK(3, same((const uint8_t *)(n + REG_CONFIG), my_mac, 6));
    for (unsigned i = 0; i < NRX; i++) {
        rx.desc[i] = (struct desc){ (uintptr_t)rxbuf[i], BUF, D_WRITE, 0 };
        rx.avail.ring[i] = (uint16_t)i;
    }
    __sync_synchronize();
    rx.avail.idx = NRX;
    __sync_synchronize();
    wr(n, REG_QUEUE_NOTIFY, 0);

    static const uint8_t zero[6];
    arp(1, zero, host_ip);
    int have_arp = 0, out_state = 0, in_state = 0;
    uint32_t out_peer = 0, in_peer = 0;
    uint16_t in_sport = 0;
    static const char hello[] = "hello from guest\n";
    while (!have_arp || out_state != 3 || in_state != 3) {
        __sync_synchronize();
        if (*(volatile uint16_t *)&rx.used.idx == rx.last_used)
            continue;
        uint32_t id = rx.used.ring[rx.last_used % QSIZE].id;
        uint32_t len = rx.used.ring[rx.last_used % QSIZE].len;
        rx.last_used++;
        CHECK(10, id < NRX && len >= HDR && len <= BUF);
        const uint8_t *fr = rxbuf[id] + HDR;
        len -= HDR;
        uint16_t type = len >= 14 ? get16(fr + 12) : 0;
        const uint8_t *p = fr + 14;
        if (type == 0x0806 && len >= 42 && get16(p + 6) == 2 && same(p + 14, host_ip, 4)) {
            memcpy(host_mac, p + 8, 6);
            if (!have_arp)
                tcp(OUT_PORT, (uint16_t)port, OUT_ISN, 0, SYN, "", 0);
            have_arp = 1;
        } else if (type == 0x0806 && len >= 42 && get16(p + 6) == 1 && same(p + 24, my_ip, 4)) {
            arp(2, p + 8, p + 14);
        } else if (type == 0x0800 && len >= 54 && p[9] == 6 && have_arp) {
            unsigned ihl = (p[0] & 15) * 4u, total = get16(p + 2);
            const uint8_t *t = p + ihl;
            unsigned off = (t[12] >> 4) * 4u, plen = total - ihl - off;
            const uint8_t *data = t + off;
            uint16_t sport = get16(t), dport = get16(t + 2);
            uint32_t seq = get32(t + 4), ack = get32(t + 8);
            uint8_t flags = t[13];
            if (dport == OUT_PORT) {
                if (out_state == 0 && (flags & (SYN | ACK)) == (SYN | ACK) && ack == OUT_ISN + 1) {
                    out_peer = seq + 1;
                    tcp(OUT_PORT, (uint16_t)port, OUT_ISN + 1, out_peer, PSH | ACK, "ping\n", 5);
                    out_state = 1;
                } else if (out_state == 1 && plen) {
                    CHECK(20, seq == out_peer && plen == 5 && same(data, (const uint8_t *)"pong\n", 5));
                    out_peer += plen;
                    tcp(OUT_PORT, (uint16_t)port, OUT_ISN + 6, out_peer, ACK, "", 0);
                    out_state = 3;
                }
            } else if (dport == 80) {
                if (in_state == 0 && (flags & (SYN | ACK)) == SYN) {
                    in_peer = seq + 1;
                    in_sport = sport;
                    tcp(80, in_sport, IN_ISN, in_peer, SYN | ACK, "", 0);
                    in_state = 1;
                } else if (in_state == 1 && (flags & ACK) && ack == IN_ISN + 1) {
                    tcp(80, in_sport, IN_ISN + 1, in_peer, PSH | ACK, hello, sizeof(hello) - 1);
                    in_state = 2;
                } else if (in_state == 2 && plen) {
                    CHECK(30, seq == in_peer && plen == 4 && same(data, (const uint8_t *)"bye\n", 4));
                    in_peer += plen;
                    tcp(80, in_sport, IN_ISN + sizeof(hello), in_peer, ACK, "", 0);
                    in_state = 3;
                }
            }
            (void)FIN;
        }
        rx.avail.ring[rx.avail.idx % QSIZE] = (uint16_t)id;   /* the buffer again */
        __sync_synchronize();
        rx.avail.idx++;
        __sync_synchronize();
        wr(n, REG_QUEUE_NOTIFY, 0);
    }
    putstr("virtio-net ok\n");
    return 0;
}
