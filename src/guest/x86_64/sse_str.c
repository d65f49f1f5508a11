/* SSE4.2's packed string compares PCMPESTRM, PCMPESTRI, PCMPISTRM and PCMPISTRI (SDM vol. 2,
 * 4.1): imm8 picks the element type (bits 1..0), the aggregation (3..2: equal any, ranges,
 * equal each, equal ordered), the polarity (5..4) and the output form (6: the most
 * significant index, or a byte/word mask). The first operand a is xmm dst, the second b the
 * register or memory source; lengths are explicit (RAX and RDX, or EAX and EDX, saturated)
 * or where the first zero element is. One helper does all four, as their core is shared. */
#include "guest/x86_64/sse.h"

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/sse_vec.h"

/* Element i of v as the imm8's type: unsigned or signed bytes or words. */
static int64_t element(const union vec *v, unsigned imm, unsigned i)
{
    switch (imm & 3) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return v->sb[i];
    default: return v->sw[i];
    }
}

static unsigned implicit_length(const union vec *v, unsigned imm, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (element(v, imm, i) == 0)
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

/* The comparison of a's element i with b's element j, with the rules for invalid elements
 * (past a string's length) of the aggregation agg. */
static bool pair(const union vec *a, const union vec *b, unsigned imm, unsigned agg, unsigned i,
                 unsigned j, unsigned la, unsigned lb)
{
    bool va = i < la, vb = j < lb;
    if (!va || !vb) {
        switch (agg) {
        case 2: return !va && !vb;   /* equal each: both invalid compare equal */
        case 3: return !va;          /* equal ordered: an invalid a matches anything */
        default: return false;
        }
    }
    int64_t x = element(a, imm, i), y = element(b, imm, j);
    if (agg == 1) /* ranges: even elements of a are lower bounds, odd ones upper bounds */
        return i & 1 ? y <= x : y >= x;
    return x == y;
}

static uint64_t helper_str(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t w64)
{
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), imm = X64_SSE_IMM(desc), agg = imm >> 2 & 3;
    unsigned n = imm & 1 ? 8 : 16;
    union vec a = xmm(c, X64_SSE_DST(desc)), b = source(c, desc, lo, hi);
    bool explicit = op < 2, index = op & 1;
    unsigned la = explicit ? explicit_length(c->r[X64_RAX], w64, n) : implicit_length(&a, imm, n);
    unsigned lb = explicit ? explicit_length(c->r[X64_RDX], w64, n) : implicit_length(&b, imm, n);
    unsigned res = 0;
    for (unsigned j = 0; j < n; j++) {
        bool bit;
        switch (agg) {
        case 0:
            bit = false;
            for (unsigned i = 0; i < n; i++)
                bit |= pair(&a, &b, imm, agg, i, j, la, lb);
            break;
        case 1:
            bit = false;
            for (unsigned i = 0; i + 1 < n; i += 2)
                bit |= pair(&a, &b, imm, agg, i, j, la, lb) &&
                       pair(&a, &b, imm, agg, i + 1, j, la, lb);
            break;
        case 2: bit = pair(&a, &b, imm, agg, j, j, la, lb); break;
        default:
            bit = true;
            for (unsigned i = 0; i + j < n; i++)
                bit &= pair(&a, &b, imm, agg, i, i + j, la, lb);
            break;
        }
        res |= (unsigned)bit << j;
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
