/* How a device raises an interrupt: an interrupt line is the function of whoever receives it
 * (an interrupt controller's input, a hart's pending bit), its context and the line's number
 * there. Devices hold lines and set their level; they never know what is behind one, so the
 * board alone decides the wiring. Levels, not edges: a device keeps its line high while it
 * wants service. */
#ifndef VM_DEV_IRQ_H
#define VM_DEV_IRQ_H

#include <stdbool.h>

struct irq_line {
    void (*set)(void *opaque, unsigned number, bool level);    /* NULL: not connected */
    void *opaque;
    unsigned number;
};

static inline void irq_set(const struct irq_line *line, bool level)
{
    if (line->set)
        line->set(line->opaque, line->number, level);
}

#endif
