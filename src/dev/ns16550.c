/* The NS16550A UART (dev/ns16550.h). Accesses wider than a byte use their low byte, at the
 * register of their offset, as QEMU's virt board allows; offsets past the eight registers
 * read 0 and ignore writes. */
#include "dev/ns16550.h"

#include <string.h>

enum {
    REG_RBR_THR_DLL = 0, REG_IER_DLM = 1, REG_IIR_FCR = 2, REG_LCR = 3, REG_MCR = 4,
    REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_RDI 0x01               /* received data available */
#define IER_THRI 0x02              /* transmitter holding register empty */
#define IER_RLSI 0x04              /* receiver line status */
#define IER_MASK 0x0f
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO 0xc0              /* FIFOs enabled */
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static const unsigned trigger_levels[4] = { 1, 4, 8, 14 };

static unsigned fifo_depth(const struct ns16550 *u)
{
    return u->fcr & FCR_ENABLE ? NS16550_FIFO : 1;
}

static void receive(struct ns16550 *u, uint8_t byte)
{
    if (u->rx_count == fifo_depth(u)) {
        u->lsr_errors |= LSR_OE;
        return;
    }
    u->rx[(u->rx_head + u->rx_count++) % NS16550_FIFO] = byte;
}

/* The highest-priority pending interrupt's IIR identification, or IIR_NONE. */
static uint8_t pending(const struct ns16550 *u)
{
    if ((u->ier & IER_RLSI) && u->lsr_errors)
        return IIR_RLSI;
    if ((u->ier & IER_RDI) && u->rx_count) {
        bool fifo = u->fcr & FCR_ENABLE;
        return !fifo || u->rx_count >= trigger_levels[u->fcr >> 6] ? IIR_RDI : IIR_TIMEOUT;
    }
    if ((u->ier & IER_THRI) && u->thr_interrupt)
        return IIR_THRI;
    return IIR_NONE;
}

static void update(struct ns16550 *u)
{
    irq_set(&u->irq, pending(u) != IIR_NONE);
}

static void pull(struct ns16550 *u)
{
    if (u->mcr & MCR_LOOP)
        return;
    while (u->rx_count < fifo_depth(u)) {
        int byte = u->backend.read(u->backend.opaque);
        if (byte < 0)
            break;
        receive(u, (uint8_t)byte);
    }
}

void ns16550_poll(struct ns16550 *u)
{
    pull(u);
    update(u);
}

void ns16550_init(struct ns16550 *u, struct serial_backend backend, struct irq_line irq)
{
    memset(u, 0, sizeof(*u));
    u->backend = backend;
    u->irq = irq;
    update(u);
}

static uint8_t modem_status(const struct ns16550 *u)
{
    if (!(u->mcr & MCR_LOOP))
        return MSR_DCD | MSR_DSR | MSR_CTS;
    /* Loopback: DTR, RTS, OUT1 and OUT2 come back as DSR, CTS, RI and DCD. */
    return (u->mcr & 1 ? MSR_DSR : 0) | (u->mcr & 2 ? MSR_CTS : 0) |
           (u->mcr & 4 ? MSR_RI : 0) | (u->mcr & 8 ? MSR_DCD : 0);
}

static uint64_t ns16550_read(void *opaque, uint64_t offset, unsigned size)
{
    struct ns16550 *u = opaque;
    uint8_t v = 0;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
            break;
        }
        if (u->rx_count) {
            v = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % NS16550_FIFO;
            u->rx_count--;
        }
        pull(u);
        break;
    case REG_IER_DLM:
        v = u->lcr & LCR_DLAB ? u->dlm : u->ier;
        break;
    case REG_IIR_FCR:
        pull(u);
        v = pending(u);
        if (v == IIR_THRI)
            u->thr_interrupt = false;     /* reading it reported the condition */
        if (u->fcr & FCR_ENABLE)
            v |= IIR_FIFO;
        break;
    case REG_LCR: v = u->lcr; break;
    case REG_MCR: v = u->mcr; break;
    case REG_LSR:
        pull(u);
        v = LSR_THRE | LSR_TEMT | u->lsr_errors | (u->rx_count ? LSR_DR : 0);
        u->lsr_errors = 0;
        break;
    case REG_MSR: v = modem_status(u); break;
    case REG_SCR: v = u->scr; break;
    }
    update(u);
    return v;
}

static void ns16550_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct ns16550 *u = opaque;
    uint8_t v = (uint8_t)value;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
            break;
        }
        if (u->mcr & MCR_LOOP)
            receive(u, v);
        else
            u->backend.write(u->backend.opaque, v);
        u->thr_interrupt = true;          /* sent at once: the holding register is empty */
        break;
    case REG_IER_DLM:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
            break;
        }
        /* Enabling the transmitter interrupt while it is empty raises it. */
        if ((v & IER_THRI) && !(u->ier & IER_THRI))
            u->thr_interrupt = true;
        u->ier = v & IER_MASK;
        break;
    case REG_IIR_FCR:
        if ((v ^ u->fcr) & FCR_ENABLE || v & FCR_CLEAR_RX)
            u->rx_count = u->rx_head = 0;
        u->fcr = v & (FCR_ENABLE | 0xc0);
        break;
    case REG_LCR: u->lcr = v; break;
    case REG_MCR: u->mcr = v & MCR_MASK; break;
    case REG_SCR: u->scr = v; break;
    }
    pull(u);
    update(u);
}

/* The registers and the receive FIFO; the backend and the line stay the board's. */
static int ns16550_save(void *opaque, struct state_writer *w)
{
    const struct ns16550 *u = opaque;
    state_put_bytes(w, u->rx, NS16550_FIFO);
    state_put_u8(w, (uint8_t)u->rx_head);
    state_put_u8(w, (uint8_t)u->rx_count);
    const uint8_t regs[] = { u->ier, u->lcr, u->mcr, u->lsr_errors, u->scr, u->fcr, u->dll,
                             u->dlm, u->thr_interrupt };
    state_put_bytes(w, regs, sizeof(regs));
    return 0;
}

static int ns16550_load(void *opaque, struct state_reader *r, bool commit)
{
    struct ns16550 *u = opaque, t = *u;
    state_get_bytes(r, t.rx, NS16550_FIFO);
    t.rx_head = state_get_u8(r);
    t.rx_count = state_get_u8(r);
    t.ier = state_get_u8(r);
    t.lcr = state_get_u8(r);
    t.mcr = state_get_u8(r);
    t.lsr_errors = state_get_u8(r);
    t.scr = state_get_u8(r);
    t.fcr = state_get_u8(r);
    t.dll = state_get_u8(r);
    t.dlm = state_get_u8(r);
    t.thr_interrupt = state_get_bool(r);
    state_check(r, t.rx_head < NS16550_FIFO && t.rx_count <= fifo_depth(&t) &&
                   !(t.ier & ~IER_MASK) && !(t.mcr & ~MCR_MASK) && !(t.lsr_errors & ~LSR_OE) &&
                   !(t.fcr & ~(FCR_ENABLE | 0xc0)));
    int err = state_reader_done(r);
    if (!err && commit) {
        *u = t;
        update(u);
    }
    return err;
}

const struct mmio_ops ns16550_mmio_ops = {
    .name = "ns16550", .read = ns16550_read, .write = ns16550_write,
    .save = ns16550_save, .load = ns16550_load,
};
