/* The NS16550A UART, the serial port of QEMU's virt board and of most RISC-V boards: eight
 * byte registers (receive buffer, transmit holding, interrupt enable and identification,
 * FIFO control, line control with the divisor latch, modem control and status, line status,
 * scratch). Transmission is immediate, so the transmitter is always empty; received bytes
 * wait in a 16-byte FIFO. The interrupt line is high while an enabled condition holds (data
 * available or timeout, transmitter empty, line status). */
#ifndef VM_DEV_NS16550_H
#define VM_DEV_NS16550_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"
#include "dev/serial.h"
#include "mem/softmmu.h"

#define NS16550_SIZE 0x100         /* the register window on the virt board */
#define NS16550_FIFO 16

struct ns16550 {
    struct serial_backend backend;
    struct irq_line irq;
    uint8_t rx[NS16550_FIFO];
    unsigned rx_head, rx_count;
    uint8_t ier, lcr, mcr, lsr_errors, scr, fcr, dll, dlm;
    bool thr_interrupt;            /* "transmitter empty" waits to be reported */
};

/* A reset UART on backend, raising irq. */
void ns16550_init(struct ns16550 *u, struct serial_backend backend, struct irq_line irq);
/* Takes the backend's pending input into the FIFO and updates the interrupt line (the board
 * calls it when input may have arrived). */
void ns16550_poll(struct ns16550 *u);

extern const struct mmio_ops ns16550_mmio_ops;

#endif
