/* The platform-level interrupt controller ("riscv,plic0", SiFive's layout as on QEMU's virt
 * board): 95 level-triggered sources (1 to 95; 0 means none) with priorities 0 to 7, pending
 * bits, and per context (a hart's M or S mode: context 2h is hart h's M, 2h + 1 its S) the
 * enabled sources, a priority threshold and the claim/complete register. A context's line
 * is high while a source it enables is pending, unclaimed and above its threshold. */
#ifndef VM_DEV_PLIC_H
#define VM_DEV_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/irq.h"
#include "mem/softmmu.h"

#define PLIC_SIZE 0x600000
#define PLIC_SOURCES 96            /* including source 0, which does not exist */
#define PLIC_CONTEXTS_MAX 32
#define PLIC_PRIORITY_MAX 7
#define PLIC_WORDS (PLIC_SOURCES / 32)

struct plic {
    unsigned contexts;
    uint32_t priority[PLIC_SOURCES];
    uint32_t level[PLIC_WORDS];    /* the sources' input lines */
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];  /* claimed and not yet completed */
    uint32_t enable[PLIC_CONTEXTS_MAX][PLIC_WORDS];
    uint32_t threshold[PLIC_CONTEXTS_MAX];
    struct irq_line out[PLIC_CONTEXTS_MAX];      /* each context's external interrupt */
};

/* A reset PLIC with contexts contexts; its out lines are set by the caller first. */
void plic_init(struct plic *p, unsigned contexts);
/* The input of source number: irq_line.set of a device wired to the PLIC (opaque: the PLIC). */
void plic_set_source(void *opaque, unsigned number, bool level);

extern const struct mmio_ops plic_mmio_ops;

#endif
