/* The ACLINT's machine timer and software interrupts in the SiFive CLINT layout that QEMU's
 * virt board, OpenSBI and Linux use: msip per hart at 0x0 + 4 * hart, mtimecmp per hart at
 * 0x4000 + 8 * hart, mtime at 0xbff8. mtime is the host's monotonic clock counted at 10 MHz,
 * as the harts' time CSR is, plus what writes to mtime add. A hart's timer line is high
 * while mtime >= its mtimecmp, its software line while bit 0 of its msip is set. aclint_poll
 * sets every timer line exactly and arms the host timer at the earliest mtimecmp; the board
 * calls it again from the timer's thread when that deadline comes (under its device lock;
 * the lines must accept being set from there). It also keeps each hart's Sstc comparator,
 * stimecmp, against the same mtime (the time CSR): while the hart has it on (menvcfg.STCE),
 * the hart's supervisor timer line is high while mtime >= stimecmp; while off, that line is
 * left alone (M-mode software sets STIP then). */
#ifndef VM_DEV_ACLINT_H
#define VM_DEV_ACLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/host_timer.h"
#include "dev/irq.h"
#include "mem/softmmu.h"

#define ACLINT_SIZE 0x10000
#define ACLINT_HARTS_MAX 16
#define ACLINT_FREQUENCY 10000000u   /* mtime ticks per second, as on QEMU's virt */

struct aclint {
    unsigned harts;
    struct host_timer *timer;      /* armed at the earliest deadline; NULL: none */
    uint64_t offset;               /* mtime minus the host clock's ticks */
    uint64_t mtimecmp[ACLINT_HARTS_MAX];
    uint32_t msip[ACLINT_HARTS_MAX];
    struct irq_line timer_irq[ACLINT_HARTS_MAX];     /* MTIP of each hart */
    struct irq_line soft_irq[ACLINT_HARTS_MAX];      /* MSIP of each hart */
    uint64_t stimecmp[ACLINT_HARTS_MAX];
    bool stimecmp_on[ACLINT_HARTS_MAX];
    struct irq_line stimer_irq[ACLINT_HARTS_MAX];    /* STIP of each hart */
};

/* A reset ACLINT for harts harts (every mtimecmp at its maximum); its lines are set by the
 * caller first. */
void aclint_init(struct aclint *a, unsigned harts, struct host_timer *timer);
uint64_t aclint_mtime(const struct aclint *a);
/* Sets each timer line from mtime and arms the host timer at the next deadline. */
void aclint_poll(struct aclint *a);
/* Hart hart's stimecmp is value, compared while on (every comparator starts off). */
void aclint_set_stimecmp(struct aclint *a, unsigned hart, uint64_t value, bool on);

extern const struct mmio_ops aclint_mmio_ops;

#endif
