/* The ACLINT (dev/aclint.h). Registers are 32 or 64 bits; an access of any size within one
 * reads or writes those bytes of it (RV32 software writes mtimecmp in halves). Holes read 0
 * and ignore writes. */
#include "dev/aclint.h"

#include <string.h>

#define MSIP_BASE 0x0
#define MTIMECMP_BASE 0x4000
#define MTIME 0xbff8
#define NS_PER_TICK (1000000000u / ACLINT_FREQUENCY)

void aclint_init(struct aclint *a, unsigned harts, struct host_timer *timer)
{
    struct irq_line timer_irq[ACLINT_HARTS_MAX], soft_irq[ACLINT_HARTS_MAX];
    struct irq_line stimer_irq[ACLINT_HARTS_MAX];
    memcpy(timer_irq, a->timer_irq, sizeof(timer_irq));
    memcpy(soft_irq, a->soft_irq, sizeof(soft_irq));
    memcpy(stimer_irq, a->stimer_irq, sizeof(stimer_irq));
    memset(a, 0, sizeof(*a));
    memcpy(a->timer_irq, timer_irq, sizeof(timer_irq));
    memcpy(a->soft_irq, soft_irq, sizeof(soft_irq));
    memcpy(a->stimer_irq, stimer_irq, sizeof(stimer_irq));
    a->harts = harts < ACLINT_HARTS_MAX ? harts : ACLINT_HARTS_MAX;
    a->timer = timer;
    memset(a->mtimecmp, 0xff, sizeof(a->mtimecmp));
    for (unsigned h = 0; h < a->harts; h++)
        irq_set(&a->soft_irq[h], false);
    aclint_poll(a);
}

uint64_t aclint_mtime(const struct aclint *a)
{
    return host_time_ns() / NS_PER_TICK + a->offset;
}

void aclint_poll(struct aclint *a)
{
    uint64_t now = aclint_mtime(a), next = UINT64_MAX;
    for (unsigned h = 0; h < a->harts; h++) {
        irq_set(&a->timer_irq[h], now >= a->mtimecmp[h]);
        if (a->mtimecmp[h] > now && a->mtimecmp[h] < next)
            next = a->mtimecmp[h];
        if (!a->stimecmp_on[h])
            continue;
        irq_set(&a->stimer_irq[h], now >= a->stimecmp[h]);
        if (a->stimecmp[h] > now && a->stimecmp[h] < next)
            next = a->stimecmp[h];
    }
    if (!a->timer)
        return;
    /* A deadline beyond what the host clock can express is never. */
    uint64_t ticks = next - a->offset;
    if (next == UINT64_MAX || ticks >= UINT64_MAX / NS_PER_TICK)
        host_timer_arm(a->timer, HOST_TIMER_NEVER);
    else
        host_timer_arm(a->timer, ticks * NS_PER_TICK);
}

void aclint_set_stimecmp(struct aclint *a, unsigned hart, uint64_t value, bool on)
{
    if (hart >= a->harts)
        return;
    a->stimecmp[hart] = value;
    a->stimecmp_on[hart] = on;
    aclint_poll(a);
}

/* The register holding [offset, offset + size), the byte of it where the access starts,
 * and its width, or NULL for a hole. */
static void *reg(struct aclint *a, uint64_t offset, unsigned size, uint64_t *mtime_buf,
                 unsigned *shift, unsigned *width)
{
    void *r = NULL;
    uint64_t base = 0;
    *shift = *width = 0;
    if (offset < MSIP_BASE + 4 * a->harts) {
        base = offset & ~3ull;
        r = &a->msip[offset / 4];
        *width = 4;
    } else if (offset >= MTIMECMP_BASE && offset < MTIMECMP_BASE + 8 * a->harts) {
        base = offset & ~7ull;
        r = &a->mtimecmp[(offset - MTIMECMP_BASE) / 8];
        *width = 8;
    } else if (offset >= MTIME && offset < MTIME + 8) {
        base = MTIME;
        *mtime_buf = aclint_mtime(a);
        r = mtime_buf;
        *width = 8;
    }
    if (!r || offset + size > base + *width)
        return NULL;
    *shift = 8 * (unsigned)(offset - base);
    return r;
}

static uint64_t aclint_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t mtime, v = 0;
    unsigned shift, width;
    void *r = reg(opaque, offset, size, &mtime, &shift, &width);
    if (r)
        memcpy(&v, r, width);
    return v >> shift;
}

static void aclint_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct aclint *a = opaque;
    uint64_t mtime, old = 0;
    unsigned shift, width;
    void *r = reg(a, offset, size, &mtime, &shift, &width);
    if (!r)
        return;
    memcpy(&old, r, width);
    uint64_t mask = (size == 8 ? ~0ull : (1ull << 8 * size) - 1) << shift;
    uint64_t v = (old & ~mask) | ((value << shift) & mask);
    if (r == &mtime) {
        a->offset = v - host_time_ns() / NS_PER_TICK;
    } else if (width == 4) {
        uint32_t bit = v & 1;
        memcpy(r, &bit, 4);
        irq_set(&a->soft_irq[(uint32_t *)r - a->msip], bit);
        return;
    } else {
        __atomic_store_n((uint64_t *)r, v, __ATOMIC_RELAXED);   /* the timer thread reads it */
    }
    aclint_poll(a);
}

/* mtime is saved as its value, not as its offset from the host's clock, so a loaded machine's
 * time goes on from where it was saved (the machine's time base; mtimecmp deadlines keep
 * their distance from it), however long the snapshot lay in between and on whatever host. */
static int aclint_save(void *opaque, struct state_writer *w)
{
    const struct aclint *a = opaque;
    state_put_u32(w, a->harts);
    state_put_u64(w, aclint_mtime(a));
    for (unsigned h = 0; h < a->harts; h++) {
        state_put_u64(w, __atomic_load_n(&a->mtimecmp[h], __ATOMIC_RELAXED));
        state_put_u32(w, a->msip[h]);
    }
    return 0;
}

static int aclint_load(void *opaque, struct state_reader *r, bool commit)
{
    struct aclint *a = opaque;
    uint64_t mtimecmp[ACLINT_HARTS_MAX];
    uint32_t msip[ACLINT_HARTS_MAX];
    state_check(r, state_get_u32(r) == a->harts);
    uint64_t mtime = state_get_u64(r);
    for (unsigned h = 0; h < a->harts; h++) {
        mtimecmp[h] = state_get_u64(r);
        msip[h] = state_get_u32(r);
        state_check(r, msip[h] <= 1);
    }
    int err = state_reader_done(r);
    if (err || !commit)
        return err;
    a->offset = mtime - host_time_ns() / NS_PER_TICK;
    /* The comparators are the harts' state: the board sets them again from the loaded
     * harts; until then they leave the harts' STIP as loaded. */
    memset(a->stimecmp_on, 0, sizeof(a->stimecmp_on));
    for (unsigned h = 0; h < a->harts; h++) {
        __atomic_store_n(&a->mtimecmp[h], mtimecmp[h], __ATOMIC_RELAXED);
        a->msip[h] = msip[h];
        irq_set(&a->soft_irq[h], msip[h]);
    }
    aclint_poll(a);
    return 0;
}

const struct mmio_ops aclint_mmio_ops = {
    .name = "aclint", .read = aclint_read, .write = aclint_write,
    .save = aclint_save, .load = aclint_load,
};
