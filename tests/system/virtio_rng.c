/* virtio-rng from a driver's side (slot 0, no disks): 64 random bytes in one buffer, then 32
 * and 32 in a chain of two, which must not be all zero nor equal; a chain without writable
 * buffers gets nothing; a 128 KiB buffer gets at most 64 KiB. Its interrupt is PLIC source 1.
 * All pass: "virtio-rng ok". */
#include "virtio.h"

static struct vq q __attribute__((aligned(4096)));
static uint8_t a[64], b[64], big[128 * 1024];

static int all_zero(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int main(void)
{
    unsigned long r = VIRTIO_SLOT(0);
    CHECK(1, virtio_start(r, 4, 0, &q));
    CHECK(2, rd(VIRTIO_SLOT(1), REG_DEVICE_ID) == 0);
    q.desc[0] = (struct desc){ (uintptr_t)a, sizeof(a), D_WRITE, 0 };
    CHECK(3, virtio_run(r, &q, 0) == 64);
    CHECK(4, !all_zero(a, sizeof(a)));
    q.desc[1] = (struct desc){ (uintptr_t)b, 32, D_WRITE | D_NEXT, 2 };
    q.desc[2] = (struct desc){ (uintptr_t)b + 32, 32, D_WRITE, 0 };
    CHECK(5, virtio_run(r, &q, 1) == 64);
    CHECK(6, !all_zero(b, 32) && !all_zero(b + 32, 32));
    int same = 1;
    for (unsigned i = 0; i < sizeof(a); i++)
        same &= a[i] == b[i];
    CHECK(7, !same);
    q.desc[3] = (struct desc){ (uintptr_t)a, sizeof(a), 0, 0 };       /* readable only */
    CHECK(8, virtio_run(r, &q, 3) == 0);
    q.desc[4] = (struct desc){ (uintptr_t)big, sizeof(big), D_WRITE, 0 };
    long n = virtio_run(r, &q, 4);
    CHECK(9, n > 0 && n <= 65536);
    CHECK(10, !(rd(r, REG_STATUS) & S_NEEDS_RESET));
    CHECK(11, *PLIC_PENDING & (1 << 1));
    putstr("virtio-rng ok\n");
    return 0;
}
