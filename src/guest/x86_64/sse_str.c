/* SSE4.2's packed string compares PCMPESTRM, PCMPESTRI, PCMPISTRM and PCMPISTRI (SDM vol. 2,
 * 4.1): imm8 picks the element type (bits 1..0), the aggregation (3..2: equal any, ranges,
 * equal each, equal ordered), the polarity (5..4) and the output form (6: the most
 * significant index, or a byte/word mask). The first operand a is xmm dst, the second b the
 * register or memory source; lengths are explicit (RAX and RDX, or EAX and EDX, saturated)
 * or where the first zero element is. One helper does all four, as their core is shared. */
#include "guest/x86_64/sse.h"

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/sse_vec.h"

/* The n elements of v as the imm8's type (unsigned or signed bytes or words), widened once
 * so that the comparisons below are plain integer compares. */
static void elements(const union vec *v, unsigned imm, unsigned n, int32_t *e)
{
    for (unsigned i = 0; i < n; i++)
        switch (imm & 3) {
        case 0: e[i] = v->b[i]; break;
        case 1: e[i] = v->w[i]; break;
        case 2: e[i] = v->sb[i]; break;
        default: e[i] = v->sw[i]; break;
        }
}

static unsigned implicit_length(const int32_t *e, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (e[i] == 0)
            return i;
    return n;
}

/* |reg| saturated to n: 32- or 64-bit signed. */
static unsigned explicit_length(uint64_t reg, bool w64, unsigned n)
{
    int64_t v = w64 ? (int64_t)reg : (int32_t)reg;
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    return mag > n ? n : (unsigned)mag;
}

/* The intermediate result IntRes1 of the aggregation agg: bit j from b's element j against
 * a's valid elements, with the SDM's rules for elements past a string's length folded in
 * (a pair with an invalid element is false, except that equal each counts two invalid
 * elements as equal and equal ordered counts an invalid element of a as matching). */
static unsigned aggregate(const int32_t *a, const int32_t *b, unsigned agg, unsigned n,
                          unsigned la, unsigned lb)
{
    unsigned res = 0;
    for (unsigned j = 0; j < n; j++) {
        bool bit = false;
        switch (agg) {
        case 0:   /* equal any */
            for (unsigned i = 0; i < la && j < lb && !bit; i++)
                bit = a[i] == b[j];
            break;
        case 1:   /* ranges: a's even elements are lower bounds, odd ones upper bounds */
            for (unsigned i = 0; i + 1 < la && j < lb && !bit; i += 2)
                bit = b[j] >= a[i] && b[j] <= a[i + 1];
            break;
        case 2:   /* equal each */
            bit = j < la && j < lb ? a[j] == b[j] : j >= la && j >= lb;
            break;
        default:   /* equal ordered: a's valid elements all match b from j on */
            bit = true;
            for (unsigned i = 0; i < la && i + j < n && bit; i++)
                bit = i + j < lb && a[i] == b[i + j];
            break;
        }
        res |= (unsigned)bit << j;
    }
    return res;
}

#define LOW7 0x7f7f7f7f7f7f7f7full
#define ONES 0x0101010101010101ull

/* The top bit of each zero byte of x, exactly (no borrow runs into the byte above). */
static uint64_t zero_bytes(uint64_t x)
{
    return ~(((x & LOW7) + LOW7) | x) & ~LOW7;
}

/* A bit for each byte whose top bit is set in m (which has no other bits), from bit 0: byte
 * j's bit, moved to bit 8j and times the sum of 2^(56 - 7i), lands once in bits 56..63. */
static unsigned byte_mask(uint64_t m)
{
    return (unsigned)((m >> 7) * 0x0102040810204080ull >> 56);
}

/* Bit j for each zero byte j of v. */
static unsigned zero_mask(const union vec *v)
{
    return byte_mask(zero_bytes(v->q[0])) | byte_mask(zero_bytes(v->q[1])) << 8;
}

/* The index of v's first zero byte, or 16. */
static unsigned zero_byte(const union vec *v)
{
    return (unsigned)__builtin_ctz(zero_mask(v) | 1u << 16);
}

/* IntRes1 of equal any and equal each on bytes (signed or not: they only test equality), the
 * aggregations glibc's strspn, strcspn and strcmp run in their loops: compares of whole
 * quadwords (b against each of a's bytes, or against a), instead of aggregate's pairs of
 * widened elements. */
static unsigned aggregate_bytes(const union vec *a, const union vec *b, unsigned agg,
                                unsigned la, unsigned lb)
{
    if (agg == 0) {
        uint64_t hit[2] = { 0, 0 };
        for (unsigned i = 0; i < la; i++)
            for (unsigned q = 0; q < 2; q++)
                hit[q] |= zero_bytes(b->q[q] ^ a->b[i] * ONES);
        return (byte_mask(hit[0]) | byte_mask(hit[1]) << 8) & ((1u << lb) - 1);
    }
    unsigned both = la < lb ? la : lb, either = la < lb ? lb : la;
    unsigned same = byte_mask(zero_bytes(a->q[0] ^ b->q[0])) |
                    byte_mask(zero_bytes(a->q[1] ^ b->q[1])) << 8;
    return (same & ((1u << both) - 1)) | (0xffffu & ~((1u << either) - 1));
}

/* PCMPISTRI with the two immediates glibc's string functions use (0x02: equal any on
 * unsigned bytes, strcspn and strpbrk; 0x3a: equal each, negated, strcmp) as the host's own,
 * where the host is x86-64 with SSE4.2: the index for RCX and the flags as helper_str returns
 * them; false elsewhere. */
static inline __attribute__((always_inline)) bool host_pcmpistri(unsigned imm,
                                                                  const uint64_t a[2],
                                                                  const uint64_t b[2],
                                                                  uint64_t *rcx, uint64_t *flags)
{
#if defined(__x86_64__)
    if ((imm != 0x02 && imm != 0x3a) || !__builtin_cpu_supports("sse4.2"))
        return false;
    host_vec va = host_vec_load(a), vb = host_vec_load(b);
    uint32_t idx;
    uint8_t cf, zf, sf, of;
#define PCMPISTRI(i)                                                                          \
    __asm__("pcmpistri $" #i ", %[b], %[a]\n\tsetc %[cf]\n\tsetz %[zf]\n\tsets %[sf]\n\t" \
            "seto %[of]"                                                                      \
            : "=c"(idx), [cf] "=r"(cf), [zf] "=r"(zf), [sf] "=r"(sf), [of] "=r"(of)            \
            : [a] "x"(va), [b] "x"(vb)                                                         \
            : "cc")
    if (imm == 0x02)
        PCMPISTRI(0x02);
    else
        PCMPISTRI(0x3a);
#undef PCMPISTRI
    *rcx = idx;
    *flags = (cf ? X64_CF : 0) | (zf ? X64_ZF : 0) | (sf ? X64_SF : 0) | (of ? X64_OF : 0);
    return true;
#else
    (void)imm, (void)a, (void)b, (void)rcx, (void)flags;
    return false;
#endif
}

static uint64_t helper_str(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t w64)
{
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), imm = X64_SSE_IMM(desc);
    unsigned n = imm & 1 ? 8 : 16;
    const uint64_t mem[2] = { lo, hi };
    uint64_t host_flags;
    if (op == 3 && host_pcmpistri(imm, lane_q(c, X64_SSE_DST(desc), 0), source_q(c, desc, mem),
                                  &c->r[X64_RCX], &host_flags))
        return host_flags;
    union vec va = xmm(c, X64_SSE_DST(desc)), vb = source(c, desc, lo, hi);
    bool explicit = op < 2, index = op & 1;
    unsigned la, lb, res;
    if (!(imm & 1) && !explicit && !(imm & 4)) {
        la = zero_byte(&va);
        lb = zero_byte(&vb);
        res = aggregate_bytes(&va, &vb, imm >> 2 & 3, la, lb);
    } else {
        int32_t a[16], b[16];
        elements(&va, imm, n, a);
        elements(&vb, imm, n, b);
        la = explicit ? explicit_length(c->r[X64_RAX], w64, n) : implicit_length(a, n);
        lb = explicit ? explicit_length(c->r[X64_RDX], w64, n) : implicit_length(b, n);
        res = aggregate(a, b, imm >> 2 & 3, n, la, lb);
    }
    unsigned all = (1u << n) - 1;
    switch (imm >> 4 & 3) {
    case 1: res ^= all; break;
    case 3: res ^= (1u << lb) - 1; break;
    default: break;
    }
    if (index) {
        unsigned idx = !res ? n : imm & 0x40 ? 31 - (unsigned)__builtin_clz(res)
                                               : (unsigned)__builtin_ctz(res);
        c->r[X64_RCX] = idx;
    } else {
        union vec m = { .q = { 0, 0 } };
        if (imm & 0x40) {
            for (unsigned i = 0; i < n; i++)
                if (res >> i & 1) {
                    if (n == 16)
                        m.b[i] = 0xff;
                    else
                        m.w[i] = 0xffff;
                }
        } else {
            m.q[0] = res;
        }
        set_xmm(c, 0, m);
        if (X64_SSE_IS_VEX(desc))
            c->ymm[0][2] = c->ymm[0][3] = 0;
    }
    return (res ? X64_CF : 0) | (lb < n ? X64_ZF : 0) | (la < n ? X64_SF : 0) |
           (res & 1 ? X64_OF : 0);
}
const struct ir_helper x64_helper_sse_str = {
    "x64_sse_str", helper_str, 4, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};
