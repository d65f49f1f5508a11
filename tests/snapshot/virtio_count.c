/* virtio across a snapshot (tests/snapshot/run.sh): the RNG in slot 0 is set up once, then
 * 40 lines "rng N ok", one every 25 ms of the machine's time, each after a request on that
 * same queue whose completion must advance the used index by one: a restore that lost the
 * transport's state (status, the queue's rings and indexes) fails the next request. All
 * pass: "virtio ok". */
#include "virtio.h"

static struct vq q __attribute__((aligned(4096)));
static uint8_t buf[16];

static unsigned long now(void)
{
    unsigned long t;
    __asm__ volatile("csrr %0, time" : "=r"(t));
    return t;
}

static void putdec(unsigned n)
{
    char s[12];
    int i = sizeof(s) - 1;
    s[i] = 0;
    do {
        s[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    putstr(s + i);
}

int main(void)
{
    unsigned long r = VIRTIO_SLOT(0);
    CHECK(1, virtio_start(r, 4, 0, &q));
    unsigned long t = now();
    for (unsigned n = 0; n < 40; n++) {
        while (now() - t < 250000)
            ;
        t = now();
        q.desc[n % QSIZE] = (struct desc){ (uintptr_t)buf, sizeof(buf), D_WRITE, 0 };
        CHECK(2, virtio_run(r, &q, n % QSIZE) == sizeof(buf));
        CHECK(3, *(volatile uint16_t *)&q.used.idx == (uint16_t)(n + 1));
        putstr("rng ");
        putdec(n);
        putstr(" ok\n");
    }
    CHECK(4, (rd(r, REG_STATUS) & (S_DRIVER_OK | S_NEEDS_RESET)) == S_DRIVER_OK);
    putstr("virtio ok\n");
    return 0;
}
