/* What the SSE helpers (sse.c, sse_fp.c) share: an XMM value as a union of element arrays
 * (the hosts vm runs on are little-endian, as x86 is, so element i of any width sits where the
 * guest has it), and reading the first source (dst or VEX.vvvv), the second (register or the
 * loaded memory operand, per the helper's descriptor: sse.h) and writing the result, in the
 * 128-bit lane the descriptor names; on an x86-64 host, moving 128 bits to and from its
 * vector registers for the instructions it runs as they are. */
#ifndef VM_GUEST_X86_64_SSE_VEC_H
#define VM_GUEST_X86_64_SSE_VEC_H

#include <stdint.h>

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/sse.h"

union vec {
    uint64_t q[2];
    int64_t sq[2];
    uint32_t d[4];
    int32_t sd[4];
    uint16_t w[8];
    int16_t sw[8];
    uint8_t b[16];
    int8_t sb[16];
};

/* The two quadwords of 128-bit lane 0 (the XMM register) or 1 of ymm n, in place. */
static inline const uint64_t *lane_q(const struct x64_cpu *c, unsigned n, unsigned lane)
{
    return c->ymm[n] + 2 * lane;
}

/* 128-bit lane 0 or 1 of ymm n. */
static inline union vec lane_of(const struct x64_cpu *c, unsigned n, unsigned lane)
{
    const uint64_t *q = lane_q(c, n, lane);
    return (union vec){ .q = { q[0], q[1] } };
}

static inline union vec xmm(const struct x64_cpu *c, unsigned n)
{
    return lane_of(c, n, 0);
}

/* The first source: xmm dst, or VEX.vvvv's register, in the descriptor's lane; in place, or
 * as a value. */
static inline const uint64_t *first_q(const struct x64_cpu *c, uint64_t desc)
{
    return lane_q(c, X64_SSE_IS_VEX(desc) ? X64_SSE_V(desc) : X64_SSE_DST(desc),
                  X64_SSE_LANE(desc));
}

static inline union vec first(const struct x64_cpu *c, uint64_t desc)
{
    const uint64_t *q = first_q(c, desc);
    return (union vec){ .q = { q[0], q[1] } };
}

/* The second source: the register in the descriptor's lane, or mem (the memory operand's
 * quadwords the helper got); in place, or as a value. */
static inline const uint64_t *source_q(const struct x64_cpu *c, uint64_t desc,
                                       const uint64_t mem[2])
{
    return X64_SSE_MEM(desc) ? mem : lane_q(c, X64_SSE_SRC(desc), X64_SSE_LANE(desc));
}

static inline union vec source(const struct x64_cpu *c, uint64_t desc, uint64_t lo, uint64_t hi)
{
    const uint64_t mem[2] = { lo, hi }, *q = source_q(c, desc, mem);
    return (union vec){ .q = { q[0], q[1] } };
}

static inline void set_xmm(struct x64_cpu *c, unsigned n, union vec v)
{
    c->ymm[n][0] = v.q[0];
    c->ymm[n][1] = v.q[1];
}

/* Where the result goes: the descriptor's lane of dst, in place. */
static inline uint64_t *result_q(struct x64_cpu *c, uint64_t desc)
{
    return c->ymm[X64_SSE_DST(desc)] + 2 * X64_SSE_LANE(desc);
}

/* After the result is written: a VEX.128 form zeroes the upper half of dst. */
static inline void result_done(struct x64_cpu *c, uint64_t desc)
{
    if (X64_SSE_ZERO_UPPER(desc))
        c->ymm[X64_SSE_DST(desc)][2] = c->ymm[X64_SSE_DST(desc)][3] = 0;
}

static inline void put_result(struct x64_cpu *c, uint64_t desc, union vec v)
{
    uint64_t *q = result_q(c, desc);
    q[0] = v.q[0];
    q[1] = v.q[1];
    result_done(c, desc);
}

#if defined(__x86_64__)
/* An x86-64 host runs some SSE instructions as they are (sse.c's PSHUFB, sse_str.c's
 * PCMPISTRI): their operands go into its vector registers, and back, a quadword at a time,
 * since the JIT stores guest vector registers so, and a 16-byte load of two 8-byte stores
 * waits for them to reach the cache. */
typedef long long host_vec __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) host_vec host_vec_load(const uint64_t q[2])
{
    host_vec r;
    __asm__("movq %[lo], %[r]\n\tmovhps %[hi], %[r]"
            : [r] "=x"(r)
            : [lo] "m"(q[0]), [hi] "m"(q[1]));
    return r;
}

static inline __attribute__((always_inline)) void host_vec_store(uint64_t q[2], host_vec v)
{
    __asm__("movq %[v], %[lo]\n\tmovhps %[v], %[hi]"
            : [lo] "=m"(q[0]), [hi] "=m"(q[1])
            : [v] "x"(v));
}
#endif

#endif
