/* The riscv64 `virt` board's memory map and interrupt numbers, as on QEMU's virt machine so
 * that firmware and kernels built for it run unchanged, and what its device tree
 * (system/virt_fdt.c) describes. */
#ifndef VM_SYSTEM_VIRT_H
#define VM_SYSTEM_VIRT_H

#include <stddef.h>
#include <stdint.h>

#define VIRT_TEST_BASE 0x100000ull
#define VIRT_RTC_BASE 0x101000ull
#define VIRT_PVPANIC_BASE 0x102000ull
#define VIRT_ACLINT_BASE 0x2000000ull
#define VIRT_PLIC_BASE 0xc000000ull
#define VIRT_UART_BASE 0x10000000ull
#define VIRT_RAM_BASE 0x80000000ull
#define VIRT_VIRTIO_BASE 0x10001000ull   /* virtio-mmio slot i at base + i * stride */
#define VIRT_VIRTIO_STRIDE 0x1000ull
#define VIRT_VIRTIO_SLOTS 8
#define VIRT_HARTS_MAX 16          /* the ACLINT's and the PLIC's (two contexts a hart) */

#define VIRT_UART_IRQ 10           /* PLIC sources */
#define VIRT_RTC_IRQ 11
#define VIRT_VIRTIO_IRQ 1          /* slot i's source is 1 + i */

#define VIRT_UART_CLOCK 3686400u   /* the UART's input clock in Hz, as QEMU's */

/* What the device tree says about a machine. */
struct virt_fdt_config {
    unsigned harts;
    uint64_t ram_size;
    const char *bootargs;          /* NULL: none */
    uint64_t initrd_start, initrd_end;   /* both 0: no initrd */
    unsigned virtio_slots;         /* virtio-mmio slots 0 to virtio_slots - 1 hold devices */
};

/* Writes the device tree blob into buf. Its size, or a negative errno (-ENOSPC: buf is too
 * small; -ELIBACC: libfdt cannot be loaded). */
int virt_fdt_build(void *buf, size_t size, const struct virt_fdt_config *c);

#endif
