/* The Goldfish real-time clock ("google,goldfish-rtc"), the RTC of QEMU's virt board: the
 * host's wall-clock time in nanoseconds since the Unix epoch (writes move it for the guest
 * only), read low word first, which latches the high word, and one alarm that raises the
 * interrupt line when enabled. The host timer wakes the board at the alarm, which then calls
 * goldfish_rtc_poll on the hart's thread. */
#ifndef VM_DEV_GOLDFISH_RTC_H
#define VM_DEV_GOLDFISH_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/host_timer.h"
#include "dev/irq.h"
#include "mem/softmmu.h"

#define GOLDFISH_RTC_SIZE 0x1000

struct goldfish_rtc {
    struct irq_line irq;
    struct host_timer *timer;      /* armed at the alarm; NULL: alarms wait for a poll */
    int64_t offset_ns;             /* guest time minus host time */
    uint32_t time_high;            /* latched by reading the low word */
    uint64_t alarm;                /* guest time of the alarm */
    bool alarm_armed, irq_enabled, irq_pending;
};

void goldfish_rtc_init(struct goldfish_rtc *r, struct irq_line irq, struct host_timer *timer);
/* Fires the alarm if its time has come. */
void goldfish_rtc_poll(struct goldfish_rtc *r);

extern const struct mmio_ops goldfish_rtc_mmio_ops;

#endif
