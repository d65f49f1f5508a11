/* The exact semantics of the IR's computing ops as C functions: op_NAME64 and op_NAME32 for
 * every op of the int2, int1, fp2 and fp1 classes of ops.def (the 32-bit ones take and give
 * the low 32 bits), plus the pieces of the others. The one copy of them: the interpreter
 * runs them, the constant folder (opt/) folds with them, the JIT's helpers call them, and
 * the unit tests pin docs/ir.md down with them. */
#ifndef VM_IR_SEMANTICS_H
#define VM_IR_SEMANTICS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ir/ir.h"

#define IOP_INLINE static inline __attribute__((always_inline))

IOP_INLINE uint64_t op_mov64(uint64_t a) { return a; }
IOP_INLINE uint32_t op_mov32(uint32_t a) { return a; }
IOP_INLINE uint64_t op_add64(uint64_t a, uint64_t b) { return a + b; }
IOP_INLINE uint32_t op_add32(uint32_t a, uint32_t b) { return a + b; }
IOP_INLINE uint64_t op_sub64(uint64_t a, uint64_t b) { return a - b; }
IOP_INLINE uint32_t op_sub32(uint32_t a, uint32_t b) { return a - b; }
IOP_INLINE uint64_t op_mul64(uint64_t a, uint64_t b) { return a * b; }
IOP_INLINE uint32_t op_mul32(uint32_t a, uint32_t b) { return a * b; }
IOP_INLINE uint64_t op_mulhs64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
}
IOP_INLINE uint32_t op_mulhs32(uint32_t a, uint32_t b)
{
    return (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int32_t)b) >> 32);
}
IOP_INLINE uint64_t op_mulhu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
IOP_INLINE uint32_t op_mulhu32(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }
IOP_INLINE uint64_t op_mulhsu64(uint64_t a, uint64_t b)
{
    return (uint64_t)((unsigned __int128)((__int128)(int64_t)a * (__int128)b) >> 64);
}
IOP_INLINE uint32_t op_mulhsu32(uint32_t a, uint32_t b)
{
    return (uint32_t)((uint64_t)((int64_t)(int32_t)a * (int64_t)b) >> 32);
}
/* Division by zero and the one overflowing case have defined results (RISC-V's). */
IOP_INLINE uint64_t op_divs64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return UINT64_MAX;
    if (a == (uint64_t)INT64_MIN && b == UINT64_MAX)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
IOP_INLINE uint32_t op_divs32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return UINT32_MAX;
    if (a == (uint32_t)INT32_MIN && b == UINT32_MAX)
        return a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}
IOP_INLINE uint64_t op_divu64(uint64_t a, uint64_t b) { return b ? a / b : UINT64_MAX; }
IOP_INLINE uint32_t op_divu32(uint32_t a, uint32_t b) { return b ? a / b : UINT32_MAX; }
IOP_INLINE uint64_t op_rems64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if (a == (uint64_t)INT64_MIN && b == UINT64_MAX)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
IOP_INLINE uint32_t op_rems32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    if (a == (uint32_t)INT32_MIN && b == UINT32_MAX)
        return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}
IOP_INLINE uint64_t op_remu64(uint64_t a, uint64_t b) { return b ? a % b : a; }
IOP_INLINE uint32_t op_remu32(uint32_t a, uint32_t b) { return b ? a % b : a; }
IOP_INLINE uint64_t op_and64(uint64_t a, uint64_t b) { return a & b; }
IOP_INLINE uint32_t op_and32(uint32_t a, uint32_t b) { return a & b; }
IOP_INLINE uint64_t op_or64(uint64_t a, uint64_t b) { return a | b; }
IOP_INLINE uint32_t op_or32(uint32_t a, uint32_t b) { return a | b; }
IOP_INLINE uint64_t op_xor64(uint64_t a, uint64_t b) { return a ^ b; }
IOP_INLINE uint32_t op_xor32(uint32_t a, uint32_t b) { return a ^ b; }
IOP_INLINE uint64_t op_andc64(uint64_t a, uint64_t b) { return a & ~b; }
IOP_INLINE uint32_t op_andc32(uint32_t a, uint32_t b) { return a & ~b; }
/* Shift and rotate counts are taken modulo the width. */
IOP_INLINE uint64_t op_shl64(uint64_t a, uint64_t b) { return a << (b & 63); }
IOP_INLINE uint32_t op_shl32(uint32_t a, uint32_t b) { return a << (b & 31); }
IOP_INLINE uint64_t op_shr64(uint64_t a, uint64_t b) { return a >> (b & 63); }
IOP_INLINE uint32_t op_shr32(uint32_t a, uint32_t b) { return a >> (b & 31); }
IOP_INLINE uint64_t op_sar64(uint64_t a, uint64_t b) { return (uint64_t)((int64_t)a >> (b & 63)); }
IOP_INLINE uint32_t op_sar32(uint32_t a, uint32_t b) { return (uint32_t)((int32_t)a >> (b & 31)); }
IOP_INLINE uint64_t op_rotl64(uint64_t a, uint64_t b) { b &= 63; return b ? a << b | a >> (64 - b) : a; }
IOP_INLINE uint32_t op_rotl32(uint32_t a, uint32_t b) { b &= 31; return b ? a << b | a >> (32 - b) : a; }
IOP_INLINE uint64_t op_rotr64(uint64_t a, uint64_t b) { b &= 63; return b ? a >> b | a << (64 - b) : a; }
IOP_INLINE uint32_t op_rotr32(uint32_t a, uint32_t b) { b &= 31; return b ? a >> b | a << (32 - b) : a; }

IOP_INLINE uint64_t op_neg64(uint64_t a) { return -a; }
IOP_INLINE uint32_t op_neg32(uint32_t a) { return -a; }
IOP_INLINE uint64_t op_not64(uint64_t a) { return ~a; }
IOP_INLINE uint32_t op_not32(uint32_t a) { return ~a; }
IOP_INLINE uint64_t op_clz64(uint64_t a) { return a ? (uint64_t)__builtin_clzll(a) : 64; }
IOP_INLINE uint32_t op_clz32(uint32_t a) { return a ? (uint32_t)__builtin_clz(a) : 32; }
IOP_INLINE uint64_t op_ctz64(uint64_t a) { return a ? (uint64_t)__builtin_ctzll(a) : 64; }
IOP_INLINE uint32_t op_ctz32(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32; }
IOP_INLINE uint64_t op_popcnt64(uint64_t a) { return (uint64_t)__builtin_popcountll(a); }
IOP_INLINE uint32_t op_popcnt32(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
IOP_INLINE uint64_t op_bswap64(uint64_t a) { return __builtin_bswap64(a); }
IOP_INLINE uint32_t op_bswap32(uint32_t a) { return __builtin_bswap32(a); }
IOP_INLINE uint64_t op_sext864(uint64_t a) { return (uint64_t)(int64_t)(int8_t)a; }
IOP_INLINE uint32_t op_sext832(uint32_t a) { return (uint32_t)(int32_t)(int8_t)a; }
IOP_INLINE uint64_t op_sext1664(uint64_t a) { return (uint64_t)(int64_t)(int16_t)a; }
IOP_INLINE uint32_t op_sext1632(uint32_t a) { return (uint32_t)(int32_t)(int16_t)a; }
IOP_INLINE uint64_t op_sext3264(uint64_t a) { return (uint64_t)(int64_t)(int32_t)a; }
IOP_INLINE uint32_t op_sext3232(uint32_t a) { return a; }
IOP_INLINE uint64_t op_zext864(uint64_t a) { return (uint8_t)a; }
IOP_INLINE uint32_t op_zext832(uint32_t a) { return (uint8_t)a; }
IOP_INLINE uint64_t op_zext1664(uint64_t a) { return (uint16_t)a; }
IOP_INLINE uint32_t op_zext1632(uint32_t a) { return (uint16_t)a; }
IOP_INLINE uint64_t op_zext3264(uint64_t a) { return (uint32_t)a; }
IOP_INLINE uint32_t op_zext3232(uint32_t a) { return a; }

/* Bit fields: imm = pos | len << 8, with 0 < len and pos + len <= width. */
IOP_INLINE uint64_t field_mask(unsigned len) { return len >= 64 ? UINT64_MAX : (1ull << len) - 1; }
IOP_INLINE uint64_t op_extract(uint64_t a, int64_t imm)
{
    return (a >> (imm & 0xff)) & field_mask((unsigned)(imm >> 8) & 0xff);
}
IOP_INLINE uint64_t op_sextract(uint64_t a, int64_t imm, unsigned width)
{
    unsigned pos = imm & 0xff, len = (imm >> 8) & 0xff;
    uint64_t v = (uint64_t)((int64_t)(a << (64 - pos - len)) >> (64 - len));
    return width == 32 ? (uint32_t)v : v;
}
IOP_INLINE uint64_t op_deposit(uint64_t a, uint64_t b, int64_t imm)
{
    unsigned pos = imm & 0xff;
    uint64_t m = field_mask((unsigned)(imm >> 8) & 0xff) << pos;
    return (a & ~m) | ((b << pos) & m);
}

#define IR_CONDS(X) X(eq, ==, int) X(ne, !=, int) X(lt, <, s) X(ge, >=, s) X(le, <=, s) \
                    X(gt, >, s) X(ltu, <, u) X(geu, >=, u) X(leu, <=, u) X(gtu, >, u)
#define IOP_COND_int(c, a, b, W) ((uint##W##_t)(a) c (uint##W##_t)(b))
#define IOP_COND_u(c, a, b, W) ((uint##W##_t)(a) c (uint##W##_t)(b))
#define IOP_COND_s(c, a, b, W) ((int##W##_t)(a) c (int##W##_t)(b))
#define IOP_COND_FN(name, c, kind)                                                          \
    IOP_INLINE int cond_##name##64(uint64_t a, uint64_t b) { return IOP_COND_##kind(c, a, b, 64); } \
    IOP_INLINE int cond_##name##32(uint64_t a, uint64_t b) { return IOP_COND_##kind(c, a, b, 32); }
IR_CONDS(IOP_COND_FN)
#undef IOP_COND_FN

IOP_INLINE double f64_of(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
IOP_INLINE uint64_t bits_of_f64(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
IOP_INLINE float f32_of(uint64_t v) { float f; uint32_t u = (uint32_t)v; memcpy(&f, &u, 4); return f; }
IOP_INLINE uint32_t bits_of_f32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* Floats on the host FPU (IEEE, round to nearest even), as bit patterns. */
#define IOP_FP2(name, o)                                                                  \
    IOP_INLINE uint64_t op_##name##64(uint64_t a, uint64_t b) { return bits_of_f64(f64_of(a) o f64_of(b)); } \
    IOP_INLINE uint32_t op_##name##32(uint32_t a, uint32_t b) { return bits_of_f32(f32_of(a) o f32_of(b)); }
IOP_FP2(fadd, +)
IOP_FP2(fsub, -)
IOP_FP2(fmul, *)
IOP_FP2(fdiv, /)
#undef IOP_FP2
IOP_INLINE uint64_t op_fsqrt64(uint64_t a) { return bits_of_f64(sqrt(f64_of(a))); }
IOP_INLINE uint32_t op_fsqrt32(uint32_t a) { return bits_of_f32(sqrtf(f32_of(a))); }

/* Atomics at 1, 2, 4 or 8 bytes on host memory; both return the old value. One
 * compare-and-swap loop serves every atomic_rmw kind: atomics are rare next to plain loads
 * and stores, and this keeps min/max exact at every width. The expected value passes
 * through a volatile of the access's signed type: on RISC-V hosts gcc 12 compares what lr.w
 * loads (sign-extended) with the expected value's register as it is, so an expected value
 * left zero-extended by earlier code never matched when bit 31 was set (and, the old value
 * being returned, the failed swap looked like a success); a load of the signed type is
 * sign-extended. */
static inline uint64_t op_cmpxchg(void *p, unsigned size, uint64_t expected, uint64_t newval)
{
#define IOP_CAS(T, U)                                                                    \
    {                                                                                    \
        volatile T canonical = (T)expected;                                              \
        T e = canonical;                                                                 \
        __atomic_compare_exchange_n((T *)p, &e, (T)newval, 0, __ATOMIC_SEQ_CST,          \
                                    __ATOMIC_SEQ_CST);                                   \
        return (uint64_t)(U)e;                                                           \
    }
    switch (size) {
    case 1: IOP_CAS(int8_t, uint8_t)
    case 2: IOP_CAS(int16_t, uint16_t)
    case 4: IOP_CAS(int32_t, uint32_t)
    default: IOP_CAS(uint64_t, uint64_t)
    }
#undef IOP_CAS
}

static inline uint64_t op_sign_extend(uint64_t v, unsigned size)
{
    unsigned shift = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << shift) >> shift);
}

static inline uint64_t op_rmw_apply(unsigned kind, unsigned size, uint64_t old, uint64_t v)
{
    int64_t so = (int64_t)op_sign_extend(old, size), sv = (int64_t)op_sign_extend(v, size);
    uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
    switch (kind) {
    case IR_RMW_XCHG: return v;
    case IR_RMW_ADD: return old + v;
    case IR_RMW_AND: return old & v;
    case IR_RMW_OR: return old | v;
    case IR_RMW_XOR: return old ^ v;
    case IR_RMW_SMIN: return so < sv ? old : v;
    case IR_RMW_SMAX: return so > sv ? old : v;
    case IR_RMW_UMIN: return (old & mask) < (v & mask) ? old : v;
    default: return (old & mask) > (v & mask) ? old : v;
    }
}

static inline uint64_t op_atomic_rmw(void *p, unsigned kind, unsigned size, uint64_t v)
{
    uint64_t old = op_cmpxchg(p, size, 0, 0);
    for (;;) {
        uint64_t seen = op_cmpxchg(p, size, old, op_rmw_apply(kind, size, old, v));
        if (seen == old)
            return old;
        old = seen;
    }
}

#endif
