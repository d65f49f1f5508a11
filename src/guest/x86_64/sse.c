/* The integer SSE helpers (see sse.h): element ops of sse_int (SSE2 to SSE4.2), shifts of
 * sse_shift, shuffles, blends, unpacks, packs and PMOVSX/ZX of sse_shuf, the move-mask ops,
 * LDMXCSR's check and the FXSAVE and XSAVE instructions.
 * Vectors are unions of element arrays (sse_vec.h). */
#include "guest/x86_64/sse.h"

#include <string.h>

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/fxsave.h"
#include "guest/x86_64/sse_vec.h"
#include "mem/aspace.h"

static int8_t sat_sb(int x) { return x > 127 ? 127 : x < -128 ? -128 : (int8_t)x; }
static uint8_t sat_ub(int x) { return x > 255 ? 255 : x < 0 ? 0 : (uint8_t)x; }
static int16_t sat_sw(int x) { return x > 32767 ? 32767 : x < -32768 ? -32768 : (int16_t)x; }
static uint16_t sat_uw(int x) { return x > 65535 ? 65535 : x < 0 ? 0 : (uint16_t)x; }
static uint16_t sat_uw32(int32_t x) { return x > 65535 ? 65535 : x < 0 ? 0 : (uint16_t)x; }

#define EACH(n, stmt) for (unsigned i = 0; i < (n); i++) { stmt; }
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- sse_int: insns.def's arg ---- */

static union vec int_op(unsigned op, union vec a, union vec b)
{
    union vec r = { .q = { 0, 0 } };
    switch (op) {
    case 0: EACH(2, r.q[i] = a.q[i] & b.q[i]) break;
    case 1: EACH(2, r.q[i] = ~a.q[i] & b.q[i]) break;
    case 2: EACH(2, r.q[i] = a.q[i] | b.q[i]) break;
    case 3: EACH(2, r.q[i] = a.q[i] ^ b.q[i]) break;
    case 4: EACH(16, r.b[i] = a.sb[i] > b.sb[i] ? 0xff : 0) break;
    case 5: EACH(8, r.w[i] = a.sw[i] > b.sw[i] ? 0xffff : 0) break;
    case 6: EACH(4, r.d[i] = a.sd[i] > b.sd[i] ? ~0u : 0) break;
    case 7: EACH(16, r.b[i] = a.b[i] == b.b[i] ? 0xff : 0) break;
    case 8: EACH(8, r.w[i] = a.w[i] == b.w[i] ? 0xffff : 0) break;
    case 9: EACH(4, r.d[i] = a.d[i] == b.d[i] ? ~0u : 0) break;
    case 10: EACH(2, r.q[i] = a.q[i] + b.q[i]) break;
    case 11: EACH(8, r.w[i] = (uint16_t)(a.sw[i] * b.sw[i])) break;
    case 12: EACH(16, r.b[i] = sat_ub(a.b[i] - b.b[i])) break;
    case 13: EACH(8, r.w[i] = sat_uw(a.w[i] - b.w[i])) break;
    case 14: EACH(16, r.b[i] = MIN(a.b[i], b.b[i])) break;
    case 15: EACH(16, r.b[i] = sat_ub(a.b[i] + b.b[i])) break;
    case 16: EACH(8, r.w[i] = sat_uw(a.w[i] + b.w[i])) break;
    case 17: EACH(16, r.b[i] = MAX(a.b[i], b.b[i])) break;
    case 18: EACH(16, r.b[i] = (uint8_t)((a.b[i] + b.b[i] + 1) >> 1)) break;
    case 19: EACH(8, r.w[i] = (uint16_t)((a.w[i] + b.w[i] + 1) >> 1)) break;
    case 20: EACH(8, r.w[i] = (uint16_t)(((uint32_t)a.w[i] * b.w[i]) >> 16)) break;
    case 21: EACH(8, r.w[i] = (uint16_t)((a.sw[i] * b.sw[i]) >> 16)) break;
    case 22: EACH(16, r.sb[i] = sat_sb(a.sb[i] - b.sb[i])) break;
    case 23: EACH(8, r.sw[i] = sat_sw(a.sw[i] - b.sw[i])) break;
    case 24: EACH(8, r.sw[i] = MIN(a.sw[i], b.sw[i])) break;
    case 25: EACH(16, r.sb[i] = sat_sb(a.sb[i] + b.sb[i])) break;
    case 26: EACH(8, r.sw[i] = sat_sw(a.sw[i] + b.sw[i])) break;
    case 27: EACH(8, r.sw[i] = MAX(a.sw[i], b.sw[i])) break;
    case 28: EACH(2, r.q[i] = (uint64_t)a.d[2 * i] * b.d[2 * i]) break;
    case 29: EACH(4, r.d[i] = (uint32_t)(a.sw[2 * i] * b.sw[2 * i] +
                                         a.sw[2 * i + 1] * b.sw[2 * i + 1])) break;
    case 30:
        EACH(16, r.q[i / 8] += (uint64_t)(a.b[i] > b.b[i] ? a.b[i] - b.b[i] : b.b[i] - a.b[i]))
        break;
    case 31: EACH(16, r.b[i] = (uint8_t)(a.b[i] - b.b[i])) break;
    case 32: EACH(8, r.w[i] = (uint16_t)(a.w[i] - b.w[i])) break;
    case 33: EACH(4, r.d[i] = a.d[i] - b.d[i]) break;
    case 34: EACH(2, r.q[i] = a.q[i] - b.q[i]) break;
    case 35: EACH(16, r.b[i] = (uint8_t)(a.b[i] + b.b[i])) break;
    case 36: EACH(8, r.w[i] = (uint16_t)(a.w[i] + b.w[i])) break;
    case 37: EACH(4, r.d[i] = a.d[i] + b.d[i]) break;
    case 38: EACH(2, r.q[i] = a.q[i] == b.q[i] ? ~0ull : 0) break;
    case 39: EACH(16, r.sb[i] = MIN(a.sb[i], b.sb[i])) break;
    case 40: EACH(4, r.d[i] = MIN(a.d[i], b.d[i])) break;
    case 41: EACH(16, r.sb[i] = MAX(a.sb[i], b.sb[i])) break;
    case 42: EACH(4, r.d[i] = MAX(a.d[i], b.d[i])) break;
    case 43: EACH(4, r.sd[i] = MIN(a.sd[i], b.sd[i])) break;
    case 44: EACH(8, r.w[i] = MIN(a.w[i], b.w[i])) break;
    case 45: EACH(4, r.sd[i] = MAX(a.sd[i], b.sd[i])) break;
    case 46: EACH(8, r.w[i] = MAX(a.w[i], b.w[i])) break;
    case 47: EACH(4, r.d[i] = a.d[i] * b.d[i]) break;
    case 48: EACH(2, r.sq[i] = (int64_t)a.sd[2 * i] * b.sd[2 * i]) break;
    case 49: EACH(4, (r.w[i] = sat_uw32(a.sd[i]), r.w[i + 4] = sat_uw32(b.sd[i]))) break;
    case 50: EACH(2, r.q[i] = a.sq[i] > b.sq[i] ? ~0ull : 0) break;
    case 51: case 53: case 55: case 57: /* PHADDW PHADDSW PHSUBW PHSUBSW */
        for (unsigned i = 0; i < 8; i++) {
            const union vec *v = i < 4 ? &a : &b;
            int x = v->sw[2 * (i % 4)], y = v->sw[2 * (i % 4) + 1];
            int s = op == 51 || op == 53 ? x + y : x - y;
            r.w[i] = op == 53 || op == 57 ? (uint16_t)sat_sw(s) : (uint16_t)s;
        }
        break;
    case 52: EACH(4, r.d[i] = (i < 2 ? a : b).d[2 * (i % 2)] + (i < 2 ? a : b).d[2 * (i % 2) + 1])
        break;
    case 54:
        EACH(8, r.sw[i] = sat_sw(a.b[2 * i] * b.sb[2 * i] + a.b[2 * i + 1] * b.sb[2 * i + 1]))
        break;
    case 56: EACH(4, r.d[i] = (i < 2 ? a : b).d[2 * (i % 2)] - (i < 2 ? a : b).d[2 * (i % 2) + 1])
        break;
    case 58: EACH(16, r.b[i] = b.sb[i] < 0 ? (uint8_t)-a.b[i] : b.sb[i] ? a.b[i] : 0) break;
    case 59: EACH(8, r.w[i] = b.sw[i] < 0 ? (uint16_t)-a.w[i] : b.sw[i] ? a.w[i] : 0) break;
    case 60: EACH(4, r.d[i] = b.sd[i] < 0 ? -a.d[i] : b.sd[i] ? a.d[i] : 0) break;
    case 61: EACH(8, r.w[i] = (uint16_t)((((int32_t)a.sw[i] * b.sw[i] >> 14) + 1) >> 1)) break;
    case 62: EACH(16, r.b[i] = b.sb[i] < 0 ? (uint8_t)-b.b[i] : b.b[i]) break;
    case 63: EACH(8, r.w[i] = b.sw[i] < 0 ? (uint16_t)-b.w[i] : b.w[i]) break;
    case 64: EACH(4, r.d[i] = b.sd[i] < 0 ? -b.d[i] : b.d[i]) break;
    default: /* 65: PHMINPOSUW: the least word of the source and its (lowest) index */
        r.w[0] = b.w[0];
        EACH(8, if (b.w[i] < r.w[0]) (r.w[0] = b.w[i], r.w[1] = (uint16_t)i))
        break;
    }
    return r;
}

/* AVX2's VPSLLVD/Q, VPSRLVD/Q, VPSRAVD (69..73): each element shifted by b's element; a count
 * past the width gives 0, or the sign for VPSRAVD. */
static union vec shiftv(unsigned op, union vec a, union vec b)
{
    union vec r;
    if (op == 70 || op == 72)
        EACH(2, r.q[i] = b.q[i] > 63 ? 0 : op == 70 ? a.q[i] << b.q[i] : a.q[i] >> b.q[i])
    else if (op == 73)
        EACH(4, r.sd[i] = a.sd[i] >> (b.d[i] > 31 ? 31 : b.d[i]))
    else
        EACH(4, r.d[i] = b.d[i] > 31 ? 0 : op == 69 ? a.d[i] << b.d[i] : a.d[i] >> b.d[i])
    return r;
}

/* PBLENDVB, BLENDVPS, BLENDVPD (66..68): b's elements where mask's have the sign bit set. */
static union vec blendv(unsigned op, union vec a, union vec b, union vec mask)
{
    union vec r;
    if (op == 66)
        EACH(16, r.b[i] = mask.sb[i] < 0 ? b.b[i] : a.b[i])
    else if (op == 67)
        EACH(4, r.d[i] = mask.sd[i] < 0 ? b.d[i] : a.d[i])
    else
        EACH(2, r.q[i] = mask.sq[i] < 0 ? b.q[i] : a.q[i])
    return r;
}

static uint64_t helper_int(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc);
    union vec a = first(c, desc), b = source(c, desc, lo, hi);
    /* the blend mask: XMM0, or for VEX the register in imm's bits 7..4 */
    union vec mask = X64_SSE_IS_VEX(desc) ? lane_of(c, X64_SSE_IMM(desc) >> 4, X64_SSE_LANE(desc))
                                          : xmm(c, 0);
    put_result(c, desc, op >= 69 ? shiftv(op, a, b) : op >= 66 ? blendv(op, a, b, mask)
                                                               : int_op(op, a, b));
    return 0;
}
const struct ir_helper x64_helper_sse_int = {
    "x64_sse_int", helper_int, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* ---- sse_shift: the immediate forms (0..9) shift xmm dst by imm, the others by the source's
 * low quadword; a count past the width gives 0 (or the sign for arithmetic shifts). ---- */

static union vec shift_op(unsigned op, union vec a, uint64_t count)
{
    static const unsigned char kind[18] = { /* width log2 << 2 | 0 srl, 1 sra, 2 sll, 3 byte */
        1 << 2 | 0, 1 << 2 | 1, 1 << 2 | 2, 2 << 2 | 0, 2 << 2 | 1, 2 << 2 | 2, 3 << 2 | 0, 3,
        3 << 2 | 2, 7, 1 << 2 | 0, 2 << 2 | 0, 3 << 2 | 0, 1 << 2 | 1, 2 << 2 | 1, 1 << 2 | 2,
        2 << 2 | 2, 3 << 2 | 2,
    };
    union vec r = { .q = { 0, 0 } };
    unsigned k = kind[op], how = k & 3, lg = k >> 2;
    if (op == 7 || op == 9) { /* PSRLDQ, PSLLDQ: bytes */
        unsigned n = count > 16 ? 16 : (unsigned)count;
        EACH(16, {
            int from = op == 7 ? (int)(i + n) : (int)i - (int)n;
            r.b[i] = from >= 0 && from < 16 ? a.b[from] : 0;
        })
    } else {
        unsigned bits = 8u << lg, n = 128 / bits;
        uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1;
        for (unsigned i = 0; i < n; i++) {
            uint64_t e = (a.q[i * bits / 64] >> (i * bits % 64)) & m, v;
            if (how == 1) {
                int64_t s = (int64_t)(e << (64 - bits)) >> (64 - bits);
                v = (uint64_t)(s >> (count >= bits ? bits - 1 : count)) & m;
            } else if (count >= bits) {
                v = 0;
            } else {
                v = (how == 0 ? e >> count : e << count) & m;
            }
            r.q[i * bits / 64] |= v << (i * bits % 64);
        }
    }
    return r;
}

static uint64_t helper_shift(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc);
    /* a VEX.256 form's count is the low quadword of the source's lane 0 for both lanes */
    uint64_t count = op < 10 ? X64_SSE_IMM(desc)
                   : X64_SSE_MEM(desc) ? lo : c->ymm[X64_SSE_SRC(desc)][0];
    put_result(c, desc, shift_op(op, first(c, desc), count));
    return 0;
}
const struct ir_helper x64_helper_sse_shift = {
    "x64_sse_shift", helper_shift, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* ---- sse_shuf ---- */

static union vec unpack(union vec a, union vec b, unsigned size, bool high)
{
    union vec r;
    unsigned n = 8 / size, base = high ? 8 : 0; /* elements per half */
    for (unsigned i = 0; i < n; i++) {
        memcpy(r.b + 2 * i * size, a.b + base + i * size, size);
        memcpy(r.b + (2 * i + 1) * size, b.b + base + i * size, size);
    }
    return r;
}

/* PSHUFB as the host's own instruction, where the host is x86-64 with SSSE3 (x86-64-v2 and
 * later): r = a shuffled by b (quadword pairs), or false elsewhere. shuf_op's loop took most
 * of the time of glibc's strspn and strcspn, which shuffle a table of the accepted bytes. */
static inline __attribute__((always_inline)) bool host_pshufb(uint64_t r[2], const uint64_t a[2],
                                                               const uint64_t b[2])
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("ssse3")) {
        host_vec va = host_vec_load(a);
        __asm__("pshufb %1, %0" : "+x"(va) : "x"(host_vec_load(b)));
        host_vec_store(r, va);
        return true;
    }
#endif
    (void)r, (void)a, (void)b;
    return false;
}

static union vec shuf_op(unsigned op, union vec a, union vec b, unsigned imm)
{
    union vec r;
    switch (op) {
    case 0: case 8: r = unpack(a, b, 4, false); break;
    case 1: case 15: r = unpack(a, b, 8, false); break;
    case 2: case 13: r = unpack(a, b, 4, true); break;
    case 3: case 16: r = unpack(a, b, 8, true); break;
    case 6: r = unpack(a, b, 1, false); break;
    case 7: r = unpack(a, b, 2, false); break;
    case 11: r = unpack(a, b, 1, true); break;
    case 12: r = unpack(a, b, 2, true); break;
    case 4:
        r.d[0] = a.d[imm & 3], r.d[1] = a.d[imm >> 2 & 3];
        r.d[2] = b.d[imm >> 4 & 3], r.d[3] = b.d[imm >> 6 & 3];
        break;
    case 5: r.q[0] = a.q[imm & 1], r.q[1] = b.q[imm >> 1 & 1]; break;
    case 9: EACH(8, (r.sb[i] = sat_sb(a.sw[i]), r.sb[i + 8] = sat_sb(b.sw[i]))) break;
    case 10: EACH(8, (r.b[i] = sat_ub(a.sw[i]), r.b[i + 8] = sat_ub(b.sw[i]))) break;
    case 14: EACH(4, (r.sw[i] = sat_sw(a.sd[i]), r.sw[i + 4] = sat_sw(b.sd[i]))) break;
    case 17: EACH(4, r.d[i] = b.d[imm >> (2 * i) & 3]) break;
    case 18: r.q[0] = b.q[0]; EACH(4, r.w[4 + i] = b.w[4 + (imm >> (2 * i) & 3)]) break;
    case 19: r.q[1] = b.q[1]; EACH(4, r.w[i] = b.w[imm >> (2 * i) & 3]) break;
    case 20:   /* PSHUFB (helper_shuf's host path aside), each quadword built in a local:
                * byte stores read back whole stall */
        for (unsigned h = 0; h < 2; h++) {
            uint64_t q = 0, idx = b.q[h];
            for (unsigned i = 0; i < 64; i += 8, idx >>= 8)
                q |= (uint64_t)(a.b[idx & 15] & (uint8_t)((idx >> 7 & 1) - 1u)) << i;
            r.q[h] = q;
        }
        break;
    case 21: /* PALIGNR: bytes imm.. of b:a (a high) */
        EACH(16, {
            unsigned k = imm + i;
            r.b[i] = k < 16 ? b.b[k] : k < 32 ? a.b[k - 16] : 0;
        })
        break;
    case 22: EACH(4, r.d[i] = imm >> i & 1 ? b.d[i] : a.d[i]) break;
    case 23: EACH(2, r.q[i] = imm >> i & 1 ? b.q[i] : a.q[i]) break;
    case 24: EACH(8, r.w[i] = imm >> i & 1 ? b.w[i] : a.w[i]) break;
    case 25: { /* MPSADBW: sums of absolute differences of a's bytes o1 + i.. and b's o2.. */
        unsigned o1 = 4 * (imm >> 2 & 1), o2 = 4 * (imm & 3);
        for (unsigned i = 0; i < 8; i++) {
            unsigned sum = 0;
            for (unsigned j = 0; j < 4; j++) {
                int d = a.b[o1 + i + j] - b.b[o2 + j];
                sum += (unsigned)(d < 0 ? -d : d);
            }
            r.w[i] = (uint16_t)sum;
        }
        break;
    }
    case 26: /* INSERTPS (helper_shuf clears imm's bits 7..6 for a memory operand) */
        r = a;
        r.d[imm >> 4 & 3] = b.d[imm >> 6];
        EACH(4, if (imm >> i & 1) r.d[i] = 0)
        break;
    case 42: EACH(4, r.d[i] = a.d[b.d[i] & 3]) break;          /* VPERMILPS by a vector */
    case 43: EACH(2, r.q[i] = a.q[b.q[i] >> 1 & 1]) break;     /* VPERMILPD by a vector */
    case 44: EACH(2, r.q[i] = b.q[imm >> i & 1]) break;         /* VPERMILPD by imm */
    default: { /* 30..41: PMOVSX (signed) and PMOVZX: BW BD BQ WD WQ DQ */
        static const unsigned char from[6] = { 1, 1, 1, 2, 2, 4 }, to[6] = { 2, 4, 8, 4, 8, 8 };
        unsigned k = (op - 30) % 6, sign = op < 36;
        unsigned fs = from[k], ts = to[k];
        r.q[0] = r.q[1] = 0;
        for (unsigned i = 0; i < 16 / ts; i++) {
            uint64_t e = 0;
            memcpy(&e, b.b + i * fs, fs);
            if (sign)
                e = (uint64_t)((int64_t)(e << (64 - 8 * fs)) >> (64 - 8 * fs));
            memcpy(r.b + i * ts, &e, ts);
        }
        break;
    }
    }
    return r;
}

static uint64_t helper_shuf(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), imm = X64_SSE_IMM(desc);
    if (op == 26 && X64_SSE_MEM(desc)) /* INSERTPS m32: the element is the memory operand */
        imm &= 0x3f;
    if (X64_SSE_LANE(desc)) /* the upper lane of VSHUFPD, VBLENDPD, VBLENDPS, VPERMILPD,
                             * VMPSADBW: imm's next bits */
        imm >>= op == 5 || op == 23 || op == 44 ? 2 : op == 22 ? 4 : op == 25 ? 3 : 0;
    /* PSHUFB on the host, from and to the guest's registers in place (shuf_op takes copies;
     * MMX's PSHUFB, rare, keeps its loop) */
    const uint64_t mem[2] = { lo, hi };
    if (op == 20 && host_pshufb(result_q(c, desc), first_q(c, desc), source_q(c, desc, mem))) {
        result_done(c, desc);
        return 0;
    }
    put_result(c, desc, shuf_op(op, first(c, desc), source(c, desc, lo, hi), imm));
    return 0;
}
const struct ir_helper x64_helper_sse_shuf = {
    "x64_sse_shuf", helper_shuf, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* ---- MMX ---- */

static uint64_t mm(const struct x64_cpu *c, unsigned n)
{
    uint64_t v;
    memcpy(&v, c->x87.fpr[n], 8);
    return v;
}

static void mmx_enter(struct x64_cpu *c)
{
    c->x87.fsw &= (uint16_t)~0x3800u;
    c->x87.ftw = 0;
}

static uint64_t helper_mmx(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t kind)
{
    (void)hi;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), dst = X64_SSE_DST(desc) & 7, imm = X64_SSE_IMM(desc);
    uint64_t a = mm(c, dst), b = X64_SSE_MEM(desc) ? lo : mm(c, X64_SSE_SRC(desc) & 7);
    union vec va = { .q = { a, 0 } }, vb = { .q = { b, 0 } }, r;
    if (kind == X64_MMX_INT && op >= 51 && op <= 57 && op != 54) {
        va.q[1] = b;                              /* SSSE3's horizontal ops: a's pairs, b's */
        r = int_op(op, va, va);
    } else if (kind == X64_MMX_INT) {
        r = int_op(op, va, vb);
    } else if (kind == X64_MMX_SHIFT) {
        r = shift_op(op, va, op < 10 ? imm : b);
    } else if (op == 20) {                        /* PSHUFB: indexes modulo 8 */
        EACH(8, vb.b[i] &= 0x87)
        r = shuf_op(op, va, vb, imm);
    } else if (op == 21) {                        /* PALIGNR: bytes imm.. of a:b */
        union vec cat = { .q = { b, a } }, zero = { .q = { 0, 0 } };
        r = shuf_op(op, zero, cat, imm);
    } else if (op == 9 || op == 10 || op == 14) { /* packs: a's elements, then b's */
        va.q[1] = b;
        r = shuf_op(op, va, va, imm);
    } else if (op >= 11 && op <= 13) {            /* high unpacks: the upper halves */
        va.q[0] = a >> 32;
        vb.q[0] = b >> 32;
        r = shuf_op(op - 5, va, vb, imm);
    } else {                                      /* low unpacks; PSHUFW is PSHUFLW's half */
        r = shuf_op(op, va, vb, imm);
    }
    mmx_enter(c);
    memcpy(c->x87.fpr[dst], &r.q[0], 8);
    c->x87.fpr[dst][8] = c->x87.fpr[dst][9] = 0xff;
    return 0;
}
const struct ir_helper x64_helper_mmx = {
    "x64_mmx", helper_mmx, 4, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

static uint64_t helper_mmx_enter(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    mmx_enter(cpu);
    return 0;
}
const struct ir_helper x64_helper_mmx_enter = {
    "x64_mmx_enter", helper_mmx_enter, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

static uint64_t helper_emms(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    struct x64_cpu *c = cpu;
    mmx_enter(c); /* TOP = 0 as after any MMX instruction (the AMD CPUs), then all empty */
    c->x87.ftw = 0xffff;
    return 0;
}
const struct ir_helper x64_helper_emms = {
    "x64_emms", helper_emms, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

/* ---- MXCSR and FXSAVE ---- */

static uint64_t helper_ldmxcsr(void *cpu, uint64_t value, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a1, (void)a2, (void)a3;
    struct x64_cpu *c = cpu;
    if (value & ~(uint64_t)X64_MXCSR_MASK)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    c->mxcsr = (uint32_t)value;
    return 0;
}
const struct ir_helper x64_helper_ldmxcsr = {
    "x64_ldmxcsr", helper_ldmxcsr, 1, IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

static uint64_t helper_fxsave(void *cpu, uint64_t addr, uint64_t rexw, uint64_t a2, uint64_t a3)
{
    (void)a2, (void)a3;
    struct x64_cpu *c = cpu;
    if (addr & 15)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    x64_fxsave(c, mem_ptr(&c->c, addr, X64_FXSAVE_SIZE, MEM_WRITE, X64_MMU_USER), rexw);
    mem_report(&c->c, addr, X64_FXSAVE_SIZE, MEM_WRITE);
    return 0;
}
const struct ir_helper x64_helper_fxsave = {
    "x64_fxsave", helper_fxsave, 2, IR_HELPER_RSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

static uint64_t helper_fxrstor(void *cpu, uint64_t addr, uint64_t rexw, uint64_t a2, uint64_t a3)
{
    (void)a2, (void)a3;
    struct x64_cpu *c = cpu;
    if (addr & 15)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    if (x64_fxrstor(c, mem_ptr(&c->c, addr, X64_FXSAVE_SIZE, MEM_READ, X64_MMU_USER), rexw) < 0)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    mem_report(&c->c, addr, X64_FXSAVE_SIZE, MEM_READ);
    return 0;
}
const struct ir_helper x64_helper_fxrstor = {
    "x64_fxrstor", helper_fxrstor, 2, IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

static uint64_t helper_xsave(void *cpu, uint64_t addr, uint64_t rfbm, uint64_t rexw, uint64_t kind)
{
    struct x64_cpu *c = cpu;
    if (addr & 63)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    uint8_t *area = mem_ptr(&c->c, addr, X64_XSAVE_SIZE, kind == 1 ? MEM_READ : MEM_WRITE,
                            X64_MMU_USER);
    if (kind != 1)
        x64_xsave(c, area, rfbm, rexw, kind == 3);
    else if (x64_xrstor(c, area, rfbm, rexw) < 0)
        cpu_raise(&c->c, EXC_PROTECTION, 0);
    mem_report(&c->c, addr, X64_XSAVE_SIZE, kind == 1 ? MEM_READ : MEM_WRITE);
    return 0;
}
const struct ir_helper x64_helper_xsave = {
    "x64_xsave", helper_xsave, 4,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};
