/* virtio-mmio (version 2) as a driver sees it, for the freestanding test guests of every
 * board (tests/system's RISC-V programs, tests/kvm's x86-64 ones): the register offsets,
 * status and descriptor bits, and one split virtqueue of QSIZE entries as a driver lays it
 * out in its memory. */
#ifndef TESTS_VIRTIO_MMIO_H
#define TESTS_VIRTIO_MMIO_H

#include <stdint.h>

enum {
    REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_CONFIG_GENERATION = 0x0fc, REG_CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40 };
enum { D_NEXT = 1, D_WRITE = 2, D_INDIRECT = 4 };
enum { AVAIL_NO_INTERRUPT = 1 };
#define F_VERSION_1 (1ull << 32)
#define F_INDIRECT (1ull << 28)

#define QSIZE 8

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct vq {
    struct desc desc[QSIZE] __attribute__((aligned(16)));
    struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail __attribute__((aligned(2)));
    struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t avail_event; }
        used __attribute__((aligned(4)));
    uint16_t last_used;
    unsigned index;                /* the queue's number, for notifications */
};

#endif
