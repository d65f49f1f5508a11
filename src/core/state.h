/* Machine state as bytes, for snapshots: what a hart, a device or the console writes into its
 * section of a snapshot file (service/snapshot.c) and reads back. Values are little-endian
 * and of fixed width, so a part's bytes do not depend on the host's struct layout. A part
 * (a hart, a device model through its mmio_ops, the console) saves and loads only its own
 * state; loading is in two steps so that a machine is never half-restored: every part first
 * checks its bytes (commit false), and only when all of them are good does each take its
 * state from them (commit true). */
#ifndef VM_CORE_STATE_H
#define VM_CORE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing buffer; failed once memory ran out (what was put after that is lost). */
struct state_writer {
    uint8_t *buf;
    size_t len, cap;
    bool failed;
};

/* Bytes being read; bad once a get went past the end or a part called state_reject. */
struct state_reader {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
};

void state_put_bytes(struct state_writer *w, const void *p, size_t n);
void state_put_u8(struct state_writer *w, uint8_t v);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);
void state_writer_free(struct state_writer *w);

void state_reader_init(struct state_reader *r, const void *p, size_t len);
/* 0 (and bad set) past the end. */
void state_get_bytes(struct state_reader *r, void *p, size_t n);
uint8_t state_get_u8(struct state_reader *r);
uint32_t state_get_u32(struct state_reader *r);
uint64_t state_get_u64(struct state_reader *r);
/* A bool saved as a u8: anything but 0 or 1 is bad. */
bool state_get_bool(struct state_reader *r);
/* Marks the bytes bad unless ok (a value out of its range). */
void state_check(struct state_reader *r, bool ok);
/* 0 when everything was read and nothing was bad, else -EINVAL. */
int state_reader_done(const struct state_reader *r);

/* A part's state functions. save: 0 or a negative errno. load: with commit false only
 * checks the bytes (0, or -EINVAL), with commit true (only after it returned 0 for the same
 * bytes) makes them the part's state, raising or lowering its interrupt lines to match. */
typedef int state_save_fn(void *opaque, struct state_writer *w);
typedef int state_load_fn(void *opaque, struct state_reader *r, bool commit);

/* The functions of a part that has no state (a device whose registers only command). */
state_save_fn state_save_none;
state_load_fn state_load_none;

/* CRC-32 (ISO-HDLC, zlib's and Python's zlib.crc32) of [p, p + n), continuing from crc (0
 * to start). */
uint32_t state_crc32(uint32_t crc, const void *p, size_t n);

#endif
