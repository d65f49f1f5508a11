/* A minimal virtio-mmio driver for the bare-metal test programs in C (tests/system/virtio_*.c):
 * the start code, console output through the UART, powering off with a status, and one split
 * virtqueue (tests/virtio_mmio.h's) polled for completions. Freestanding: built with -ffreestanding
 * -nostdlib, so it defines the memset and memcpy gcc may call. */
#ifndef TESTS_SYSTEM_VIRTIO_H
#define TESTS_SYSTEM_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#define UART_THR ((volatile uint8_t *)0x10000000ul)
#define TEST_DEV ((volatile uint32_t *)0x100000ul)
#define PLIC_PENDING ((volatile uint32_t *)0xc001000ul)
#define VIRTIO_SLOT(i) (0x10001000ul + (unsigned long)(i) * 0x1000)

#include "../virtio_mmio.h"

void *memset(void *d, int c, size_t n)
{
    volatile uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile uint8_t *p = d;
    const uint8_t *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

static void putstr(const char *s)
{
    while (*s)
        *UART_THR = (uint8_t)*s++;
}

/* Powers off with status: 0 passes, anything else is the failing check's number. */
static __attribute__((noreturn)) void finish(unsigned status)
{
    *TEST_DEV = status ? status << 16 | 0x3333 : 0x5555;
    for (;;)
        ;
}

#define CHECK(n, cond) do { if (!(cond)) finish(n); } while (0)

static uint32_t rd(unsigned long base, unsigned off)
{
    return *(volatile uint32_t *)(base + off);
}

static void wr(unsigned long base, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(base + off) = v;
}

/* Sets queue index up with size entries at the given ring addresses and readies it. */
static void queue_setup_at(unsigned long base, unsigned index, unsigned size, uint64_t desc,
                           uint64_t avail, uint64_t used)
{
    wr(base, REG_QUEUE_SEL, index);
    wr(base, REG_QUEUE_NUM, size);
    wr(base, REG_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(base, REG_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(base, REG_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(base, REG_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(base, REG_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(base, REG_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(base, REG_QUEUE_READY, 1);
}

static inline void queue_setup(unsigned long base, unsigned size, uint64_t desc, uint64_t avail,
                        uint64_t used)
{
    queue_setup_at(base, 0, size, desc, avail, used);
}

/* Readies queue index on q (entries QSIZE): 0, or -1 when the device refused. */
static int vq_start(unsigned long base, unsigned index, struct vq *q)
{
    wr(base, REG_QUEUE_SEL, index);
    if (rd(base, REG_QUEUE_NUM_MAX) < QSIZE || rd(base, REG_QUEUE_READY))
        return -1;
    memset(q, 0, sizeof(*q));
    q->index = index;
    queue_setup_at(base, index, QSIZE, (uint64_t)(uintptr_t)q->desc,
                   (uint64_t)(uintptr_t)&q->avail, (uint64_t)(uintptr_t)&q->used);
    return rd(base, REG_QUEUE_READY) ? 0 : -1;
}

/* Resets the device at base, checks it is a version 2 device of type id, negotiates
 * VERSION_1 and the features in want the device offers, and readies queue 0 on q and,
 * unless q1 is NULL, queue 1 on q1: the device's features, or 0 when something failed. */
static uint64_t virtio_start2(unsigned long base, uint32_t id, uint64_t want, struct vq *q,
                              struct vq *q1)
{
    if (rd(base, REG_MAGIC) != 0x74726976 || rd(base, REG_VERSION) != 2 ||
        rd(base, REG_DEVICE_ID) != id)
        return 0;
    wr(base, REG_STATUS, 0);
    if (rd(base, REG_STATUS) != 0)
        return 0;
    wr(base, REG_STATUS, S_ACK);
    wr(base, REG_STATUS, S_ACK | S_DRIVER);
    wr(base, REG_DEVICE_FEATURES_SEL, 0);
    uint64_t features = rd(base, REG_DEVICE_FEATURES);
    wr(base, REG_DEVICE_FEATURES_SEL, 1);
    features |= (uint64_t)rd(base, REG_DEVICE_FEATURES) << 32;
    uint64_t use = (features & want) | F_VERSION_1;
    wr(base, REG_DRIVER_FEATURES_SEL, 0);
    wr(base, REG_DRIVER_FEATURES, (uint32_t)use);
    wr(base, REG_DRIVER_FEATURES_SEL, 1);
    wr(base, REG_DRIVER_FEATURES, (uint32_t)(use >> 32));
    wr(base, REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd(base, REG_STATUS) & S_FEATURES_OK))
        return 0;
    if (vq_start(base, 0, q) < 0 || (q1 && vq_start(base, 1, q1) < 0))
        return 0;
    wr(base, REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    return features;
}

static inline uint64_t virtio_start(unsigned long base, uint32_t id, uint64_t want, struct vq *q)
{
    return virtio_start2(base, id, want, q, NULL);
}

/* Offers the chain starting at descriptor head and waits for the device to complete it:
 * the length it reports written, or -1 when nothing came back. The device works when
 * notified, so a short wait suffices. */
static long virtio_run(unsigned long base, struct vq *q, uint16_t head)
{
    q->avail.ring[q->avail.idx % QSIZE] = head;
    __sync_synchronize();
    q->avail.idx++;
    __sync_synchronize();
    wr(base, REG_QUEUE_NOTIFY, q->index);
    for (long spin = 0; spin < 1000000; spin++) {
        __sync_synchronize();
        if (*(volatile uint16_t *)&q->used.idx != q->last_used) {
            uint32_t len = q->used.ring[q->last_used % QSIZE].len;
            q->last_used++;
            return len;
        }
    }
    return -1;
}

/* The start code: a stack, the device tree's address kept, then main's result as the
 * power-off status. */
char test_stack[16384] __attribute__((aligned(16)));
int main(void);
const uint8_t *boot_fdt;           /* a1 at reset: the device tree */
__attribute__((used)) void finish_main(int status)
{
    finish((unsigned)status);
}
__asm__(".section .text.init\n"
        ".globl _start\n"
        "_start:\n"
        "la sp, test_stack + 16384\n"
        "la t0, boot_fdt\n"
        "sd a1, 0(t0)\n"
        "call main\n"
        "call finish_main\n"
        ".text\n");

#endif
