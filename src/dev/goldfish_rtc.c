/* The Goldfish RTC (dev/goldfish_rtc.h). Registers are 32 bits; other sizes and offsets read
 * 0 and ignore writes. */
#include "dev/goldfish_rtc.h"

#include <string.h>
#include <time.h>

enum {
    REG_TIME_LOW = 0x00, REG_TIME_HIGH = 0x04, REG_ALARM_LOW = 0x08, REG_ALARM_HIGH = 0x0c,
    REG_IRQ_ENABLED = 0x10, REG_CLEAR_ALARM = 0x14, REG_ALARM_STATUS = 0x18,
    REG_CLEAR_INTERRUPT = 0x1c,
};

static uint64_t host_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now(const struct goldfish_rtc *r)
{
    return host_realtime_ns() + (uint64_t)r->offset_ns;
}

static void update(struct goldfish_rtc *r)
{
    irq_set(&r->irq, r->irq_pending && r->irq_enabled);
}

void goldfish_rtc_poll(struct goldfish_rtc *r)
{
    uint64_t t = now(r);
    if (r->alarm_armed && t >= r->alarm) {
        r->alarm_armed = false;
        r->irq_pending = true;
    }
    if (r->timer) {
        /* An alarm beyond what the host clock can express is never. */
        uint64_t host = host_time_ns(), wait = r->alarm - t;
        host_timer_arm(r->timer, r->alarm_armed && wait < HOST_TIMER_NEVER - host
                                 ? host + wait : HOST_TIMER_NEVER);
    }
    update(r);
}

void goldfish_rtc_init(struct goldfish_rtc *r, struct irq_line irq, struct host_timer *timer)
{
    memset(r, 0, sizeof(*r));
    r->irq = irq;
    r->timer = timer;
    goldfish_rtc_poll(r);
}

static uint64_t goldfish_rtc_read(void *opaque, uint64_t offset, unsigned size)
{
    struct goldfish_rtc *r = opaque;
    if (size != 4)
        return 0;
    switch (offset) {
    case REG_TIME_LOW: {
        uint64_t t = now(r);
        r->time_high = (uint32_t)(t >> 32);
        return (uint32_t)t;
    }
    case REG_TIME_HIGH: return r->time_high;
    case REG_ALARM_LOW: return (uint32_t)r->alarm;
    case REG_ALARM_HIGH: return (uint32_t)(r->alarm >> 32);
    case REG_IRQ_ENABLED: return r->irq_enabled;
    case REG_ALARM_STATUS: return r->alarm_armed;
    }
    return 0;
}

/* Replaces the 32 bits of *v at shift with value. */
static void deposit(uint64_t *v, unsigned shift, uint64_t value)
{
    *v = (*v & ~(0xffffffffull << shift)) | (uint64_t)(uint32_t)value << shift;
}

static void goldfish_rtc_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct goldfish_rtc *r = opaque;
    if (size != 4)
        return;
    uint64_t t = now(r);
    switch (offset) {
    case REG_TIME_LOW:
    case REG_TIME_HIGH:
        deposit(&t, offset == REG_TIME_LOW ? 0 : 32, value);
        r->offset_ns = (int64_t)(t - host_realtime_ns());
        break;
    case REG_ALARM_LOW:                 /* the low word, written last, arms the alarm */
        deposit(&r->alarm, 0, value);
        r->alarm_armed = true;
        break;
    case REG_ALARM_HIGH: deposit(&r->alarm, 32, value); break;
    case REG_IRQ_ENABLED: r->irq_enabled = value & 1; break;
    case REG_CLEAR_ALARM: r->alarm_armed = false; break;
    case REG_CLEAR_INTERRUPT: r->irq_pending = false; break;
    }
    goldfish_rtc_poll(r);
}

/* The guest's time is saved as its offset from the host's real time: a wall clock goes on
 * telling the time after a restore, as the guest set it (moved by what it added). */
static int goldfish_rtc_save(void *opaque, struct state_writer *w)
{
    const struct goldfish_rtc *r = opaque;
    state_put_u64(w, (uint64_t)r->offset_ns);
    state_put_u32(w, r->time_high);
    state_put_u64(w, r->alarm);
    state_put_u8(w, r->alarm_armed);
    state_put_u8(w, r->irq_enabled);
    state_put_u8(w, r->irq_pending);
    return 0;
}

static int goldfish_rtc_load(void *opaque, struct state_reader *rd, bool commit)
{
    struct goldfish_rtc *r = opaque, t = *r;
    t.offset_ns = (int64_t)state_get_u64(rd);
    t.time_high = state_get_u32(rd);
    t.alarm = state_get_u64(rd);
    t.alarm_armed = state_get_bool(rd);
    t.irq_enabled = state_get_bool(rd);
    t.irq_pending = state_get_bool(rd);
    int err = state_reader_done(rd);
    if (!err && commit) {
        *r = t;
        goldfish_rtc_poll(r);
    }
    return err;
}

const struct mmio_ops goldfish_rtc_mmio_ops = {
    .name = "goldfish_rtc", .read = goldfish_rtc_read, .write = goldfish_rtc_write,
    .save = goldfish_rtc_save, .load = goldfish_rtc_load,
};
