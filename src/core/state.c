/* Machine state as bytes (core/state.h): little-endian puts and gets with bounds checks, and
 * the CRC-32 snapshot sections carry. */
#include "core/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void state_put_bytes(struct state_writer *w, const void *p, size_t n)
{
    if (w->failed || !n)     /* p may be NULL then (an empty configuration space) */
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *buf = realloc(w->buf, cap);
        if (!buf) {
            w->failed = true;
            return;
        }
        w->buf = buf;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_le(struct state_writer *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    for (unsigned k = 0; k < bytes; k++)
        b[k] = (uint8_t)(v >> 8 * k);
    state_put_bytes(w, b, bytes);
}

void state_put_u8(struct state_writer *w, uint8_t v)
{
    put_le(w, v, 1);
}

void state_put_u32(struct state_writer *w, uint32_t v)
{
    put_le(w, v, 4);
}

void state_put_u64(struct state_writer *w, uint64_t v)
{
    put_le(w, v, 8);
}

void state_writer_free(struct state_writer *w)
{
    free(w->buf);
    *w = (struct state_writer){ 0 };
}

void state_reader_init(struct state_reader *r, const void *p, size_t len)
{
    *r = (struct state_reader){ .p = p, .len = len };
}

void state_get_bytes(struct state_reader *r, void *p, size_t n)
{
    if (!n)
        return;
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        memset(p, 0, n);
        return;
    }
    memcpy(p, r->p + r->pos, n);
    r->pos += n;
}

static uint64_t get_le(struct state_reader *r, unsigned bytes)
{
    uint8_t b[8];
    uint64_t v = 0;
    state_get_bytes(r, b, bytes);
    for (unsigned k = 0; k < bytes; k++)
        v |= (uint64_t)b[k] << 8 * k;
    return v;
}

uint8_t state_get_u8(struct state_reader *r)
{
    return (uint8_t)get_le(r, 1);
}

uint32_t state_get_u32(struct state_reader *r)
{
    return (uint32_t)get_le(r, 4);
}

uint64_t state_get_u64(struct state_reader *r)
{
    return get_le(r, 8);
}

bool state_get_bool(struct state_reader *r)
{
    uint8_t v = state_get_u8(r);
    state_check(r, v <= 1);
    return v == 1;
}

void state_check(struct state_reader *r, bool ok)
{
    if (!ok)
        r->bad = true;
}

int state_reader_done(const struct state_reader *r)
{
    return r->bad || r->pos != r->len ? -EINVAL : 0;
}

int state_save_none(void *opaque, struct state_writer *w)
{
    return 0;
}

int state_load_none(void *opaque, struct state_reader *r, bool commit)
{
    return state_reader_done(r);
}

/* A nibble at a time, from a 16-entry table: a constant, so no thread has to build it. */
uint32_t state_crc32(uint32_t crc, const void *p, size_t n)
{
    static const uint32_t table[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
        0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
        0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
    };
    const uint8_t *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        crc = table[crc & 15] ^ (crc >> 4);
        crc = table[crc & 15] ^ (crc >> 4);
    }
    return ~crc;
}
