/* The virtio-mmio transport, modern layout (virtio 1.x, section 4.2, version 2): one
 * 4 KiB register window per device with its identity, feature negotiation, queue setup,
 * notification, interrupt status and the device's configuration space at 0x100. It knows
 * nothing of the machine: guest memory comes as a struct virtq_dma and the interrupt as an
 * irq_line, so the software board and the KVM microVM use the same devices. A device plugs in
 * through struct virtio_device; a queue notification is handled at once on the thread of the
 * access (the hart's, or a vCPU's), or on the thread that learns of it another way (a KVM
 * machine's ioeventfd) through virtio_mmio_notify.
 *
 * Bad input: registers are 32 bits wide; other sizes and offsets outside the registers read 0
 * and ignore writes (the configuration space takes any size within it). A queue made ready
 * with a bad size or rings outside RAM, or a malformed chain, sets DEVICE_NEEDS_RESET and
 * raises the configuration-change interrupt, and the device stops until the driver resets it. */
#ifndef VM_DEV_VIRTIO_MMIO_H
#define VM_DEV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine.h"
#include "dev/irq.h"
#include "dev/virtq.h"
#include "mem/softmmu.h"

#define VIRTIO_MMIO_SIZE 0x1000   /* a slot: registers to 0x100, configuration space after */
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050   /* the register a driver writes a queue's index to */
#define VIRTIO_QUEUES_MAX 2

/* Feature bits the transport knows. */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Device status bits. */
enum {
    VIRTIO_STATUS_ACKNOWLEDGE = 1, VIRTIO_STATUS_DRIVER = 2, VIRTIO_STATUS_DRIVER_OK = 4,
    VIRTIO_STATUS_FEATURES_OK = 8, VIRTIO_STATUS_NEEDS_RESET = 0x40, VIRTIO_STATUS_FAILED = 0x80,
};

/* Device types (virtio 1.x, section 5). */
enum { VIRTIO_ID_NET = 1, VIRTIO_ID_BLOCK = 2, VIRTIO_ID_RNG = 4 };

struct virtio_mmio;

/* A device behind the transport. */
struct virtio_device {
    uint32_t id;                   /* VIRTIO_ID_* */
    uint64_t features;             /* the device's own bits (the transport adds its own) */
    unsigned queues;               /* up to VIRTIO_QUEUES_MAX */
    uint16_t queue_max;            /* up to VIRTQ_SIZE_MAX */
    const uint8_t *config;         /* the configuration space (little-endian), or NULL */
    uint32_t config_size;
    /* The driver notified queue q (or a queue became ready with work waiting): take and
     * complete its chains with virtio_mmio_pop and virtio_mmio_push. */
    void (*notify)(struct virtio_mmio *t, unsigned q);
    /* The driver reset the device: forget requests in flight. NULL: nothing to do. */
    void (*reset)(struct virtio_mmio *t);
    void *opaque;                  /* the device's own state */
};

struct virtio_mmio {
    const struct virtio_device *dev;
    struct virtq_dma dma;
    struct irq_line irq;
    uint32_t status, interrupt_status, config_generation;
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features;
    struct virtq queue[VIRTIO_QUEUES_MAX];
    /* Since the device was plugged: chains completed, the bytes of the chains' readable
     * buffers (the guest's to the device) and those written into their writable ones.
     * Updated atomically: --metrics reads them from another thread. */
    uint64_t requests, bytes_from_guest, bytes_to_guest;
};

/* Plugs dev into t, reset, with guest memory dma and interrupt line irq. */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device *dev,
                      struct virtq_dma dma, struct irq_line irq);
/* The next chain of queue q as virtq_pop: 1, or 0 when there is none, or after a malformed
 * queue or chain has put the device in DEVICE_NEEDS_RESET (nothing more is taken then). */
int virtio_mmio_pop(struct virtio_mmio *t, unsigned q, struct virtq_chain *c);
/* Completes a chain of queue q with len bytes written, raising the used-buffer interrupt
 * when the driver wants one. */
void virtio_mmio_push(struct virtio_mmio *t, unsigned q, uint16_t head, uint32_t len);
/* Whether the device runs: DRIVER_OK set, no reset needed. */
bool virtio_mmio_running(const struct virtio_mmio *t);
/* Hot-plug: dev (a device, or virtio_mmio_empty to unplug) takes the slot, reset as at
 * power-on but with the configuration generation moved on, and the configuration-change
 * interrupt tells the driver (it sees the new DeviceID). */
void virtio_mmio_plug(struct virtio_mmio *t, const struct virtio_device *dev);
/* Puts the device in DEVICE_NEEDS_RESET and tells the driver. */
void virtio_mmio_fail(struct virtio_mmio *t);
/* The driver wrote q to QueueNotify, and the machine learnt it without the access (an
 * eventfd KVM signalled): the write's effect. */
void virtio_mmio_notify(struct virtio_mmio *t, unsigned q);

/* t's I/O counts into io, named by its device's driver and the address of its registers. */
void virtio_mmio_io(const struct virtio_mmio *t, uint64_t base, struct machine_device_io *io);

extern const struct mmio_ops virtio_mmio_ops;
/* The same transport for a device whose state lives on outside the machine (virtio-net: the
 * connections of its user network), which a snapshot cannot hold: a machine with one refuses
 * snapshot-save. */
extern const struct mmio_ops virtio_mmio_unsaved_ops;
/* A slot without a device: device ID 0, which drivers skip. */
extern const struct virtio_device virtio_mmio_empty;

#endif
