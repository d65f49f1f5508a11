/* The PLIC (dev/plic.h). Registers are 32 bits; other sizes, and holes, read 0 and ignore
 * writes. The gateway of a source lets one request through at a time: a high line makes it
 * pending unless it is claimed; completing it lets the line, if still high, request again. */
#include "dev/plic.h"

#include <string.h>

#define PRIORITY_BASE 0x0
#define PENDING_BASE 0x1000
#define ENABLE_BASE 0x2000
#define ENABLE_STRIDE 0x80
#define CONTEXT_BASE 0x200000
#define CONTEXT_STRIDE 0x1000

static bool bit(const uint32_t *words, unsigned n)
{
    return words[n / 32] >> (n % 32) & 1;
}

static void put_bit(uint32_t *words, unsigned n, bool v)
{
    if (v)
        words[n / 32] |= 1u << (n % 32);
    else
        words[n / 32] &= ~(1u << (n % 32));
}

/* The source context ctx would claim now: pending, enabled, unclaimed, the highest priority
 * above the threshold (the lowest number among equals), or 0. */
static unsigned best(const struct plic *p, unsigned ctx)
{
    unsigned found = 0, prio = p->threshold[ctx];
    /* A word of sources at a time, looking only at the candidates' bits: the devices'
     * lines are set on every poll, and each setting asks every context. */
    for (unsigned w = 0; w < PLIC_WORDS; w++)
        for (uint32_t c = p->pending[w] & p->enable[ctx][w] & ~p->claimed[w]; c; c &= c - 1) {
            unsigned s = 32 * w + (unsigned)__builtin_ctz(c);
            if (s && p->priority[s] > prio) {
                found = s;
                prio = p->priority[s];
            }
        }
    return found;
}

static void update(struct plic *p)
{
    for (unsigned c = 0; c < p->contexts; c++)
        irq_set(&p->out[c], best(p, c) != 0);
}

void plic_init(struct plic *p, unsigned contexts)
{
    struct irq_line out[PLIC_CONTEXTS_MAX];
    memcpy(out, p->out, sizeof(out));
    memset(p, 0, sizeof(*p));
    memcpy(p->out, out, sizeof(out));
    p->contexts = contexts < PLIC_CONTEXTS_MAX ? contexts : PLIC_CONTEXTS_MAX;
    update(p);
}

void plic_set_source(void *opaque, unsigned number, bool level)
{
    struct plic *p = opaque;
    if (number == 0 || number >= PLIC_SOURCES)
        return;
    put_bit(p->level, number, level);
    if (!bit(p->claimed, number))
        put_bit(p->pending, number, level);
    update(p);
}

static uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
    struct plic *p = opaque;
    if (size != 4 || offset % 4)
        return 0;
    if (offset < PRIORITY_BASE + 4 * PLIC_SOURCES)
        return p->priority[offset / 4];
    if (offset >= PENDING_BASE && offset < PENDING_BASE + 4 * PLIC_WORDS)
        return p->pending[(offset - PENDING_BASE) / 4];
    if (offset >= ENABLE_BASE && offset < ENABLE_BASE + ENABLE_STRIDE * p->contexts) {
        unsigned ctx = (offset - ENABLE_BASE) / ENABLE_STRIDE;
        unsigned word = (offset - ENABLE_BASE) % ENABLE_STRIDE / 4;
        return word < PLIC_WORDS ? p->enable[ctx][word] : 0;
    }
    if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + CONTEXT_STRIDE * p->contexts) {
        unsigned ctx = (offset - CONTEXT_BASE) / CONTEXT_STRIDE;
        switch ((offset - CONTEXT_BASE) % CONTEXT_STRIDE) {
        case 0: return p->threshold[ctx];
        case 4: {
            unsigned s = best(p, ctx);
            if (s) {
                put_bit(p->claimed, s, true);
                put_bit(p->pending, s, false);
                update(p);
            }
            return s;
        }
        }
    }
    return 0;
}

static void plic_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct plic *p = opaque;
    uint32_t v = (uint32_t)value;
    if (size != 4 || offset % 4)
        return;
    if (offset < PRIORITY_BASE + 4 * PLIC_SOURCES) {
        if (offset)
            p->priority[offset / 4] = v & PLIC_PRIORITY_MAX;
    } else if (offset >= ENABLE_BASE && offset < ENABLE_BASE + ENABLE_STRIDE * p->contexts) {
        unsigned ctx = (offset - ENABLE_BASE) / ENABLE_STRIDE;
        unsigned word = (offset - ENABLE_BASE) % ENABLE_STRIDE / 4;
        if (word < PLIC_WORDS)
            p->enable[ctx][word] = word == 0 ? v & ~1u : v;   /* source 0 does not exist */
    } else if (offset >= CONTEXT_BASE &&
               offset < CONTEXT_BASE + CONTEXT_STRIDE * p->contexts) {
        unsigned ctx = (offset - CONTEXT_BASE) / CONTEXT_STRIDE;
        switch ((offset - CONTEXT_BASE) % CONTEXT_STRIDE) {
        case 0:
            p->threshold[ctx] = v & PLIC_PRIORITY_MAX;
            break;
        case 4:
            /* Completing a source the context does not enable is ignored. */
            if (v && v < PLIC_SOURCES && bit(p->enable[ctx], v) && bit(p->claimed, v)) {
                put_bit(p->claimed, v, false);
                if (bit(p->level, v))
                    put_bit(p->pending, v, true);
            }
            break;
        }
    }
    update(p);
}

static void put_words(struct state_writer *w, const uint32_t *v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        state_put_u32(w, v[k]);
}

static void get_words(struct state_reader *r, uint32_t *v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        v[k] = state_get_u32(r);
}

/* The number of contexts first: a snapshot of a machine with other harts does not load. */
static int plic_save(void *opaque, struct state_writer *w)
{
    const struct plic *p = opaque;
    state_put_u32(w, p->contexts);
    put_words(w, p->priority, PLIC_SOURCES);
    put_words(w, p->level, PLIC_WORDS);
    put_words(w, p->pending, PLIC_WORDS);
    put_words(w, p->claimed, PLIC_WORDS);
    for (unsigned c = 0; c < p->contexts; c++)
        put_words(w, p->enable[c], PLIC_WORDS);
    put_words(w, p->threshold, p->contexts);
    return 0;
}

static int plic_load(void *opaque, struct state_reader *r, bool commit)
{
    struct plic *p = opaque;
    static struct plic t;     /* big; loads are one at a time (the machine is paused) */
    t = *p;
    state_check(r, state_get_u32(r) == p->contexts);
    get_words(r, t.priority, PLIC_SOURCES);
    get_words(r, t.level, PLIC_WORDS);
    get_words(r, t.pending, PLIC_WORDS);
    get_words(r, t.claimed, PLIC_WORDS);
    for (unsigned c = 0; c < p->contexts; c++) {
        get_words(r, t.enable[c], PLIC_WORDS);
        state_check(r, !bit(t.enable[c], 0));
    }
    get_words(r, t.threshold, p->contexts);
    state_check(r, t.priority[0] == 0 && !bit(t.level, 0) && !bit(t.pending, 0) &&
                   !bit(t.claimed, 0));
    for (unsigned s = 0; s < PLIC_SOURCES; s++)
        state_check(r, t.priority[s] <= PLIC_PRIORITY_MAX);
    for (unsigned c = 0; c < p->contexts; c++)
        state_check(r, t.threshold[c] <= PLIC_PRIORITY_MAX);
    int err = state_reader_done(r);
    if (!err && commit) {
        *p = t;
        update(p);
    }
    return err;
}

const struct mmio_ops plic_mmio_ops = {
    .name = "plic", .read = plic_read, .write = plic_write, .save = plic_save, .load = plic_load,
};
