/* The SSE integer element ops that glibc's string and memory functions run in their loops
 * (PCMPEQ*, PCMPGT*, PADD*, PSUB*, PMINU*, PMAXU*, PMOVMSKB, MOVMSKPS/PD), written inline as
 * integer ops on a 64-bit quadword of the vector ("SIMD within a register"): each element's
 * carries and borrows are kept inside it by working on its low bits and its top bit apart.
 * Inline, an instruction costs a few integer ops where a helper call costs the call and the
 * store and reload of every guest register the block keeps in host registers. */
#include "guest/x86_64/translate.h"

/* The top bit of each element of w bits (8, 16, 32) across a quadword. */
static uint64_t top_bits(unsigned w)
{
    return w == 8 ? 0x8080808080808080ull : w == 16 ? 0x8000800080008000ull
                                                     : 0x8000000080000000ull;
}

static ir_temp op2(struct x64_ctx *ctx, enum ir_opc opc, ir_temp a, ir_temp b)
{
    return ir_op2(ctx->b, opc, IR_I64, a, b);
}

static ir_temp k(struct x64_ctx *ctx, uint64_t v)
{
    return x64_const(ctx, (int64_t)v);
}

/* Each element all ones where its top bit is set in m (whose other bits are clear), else 0:
 * m | (m - (m >> (w - 1))) turns 0x80 into 0x80 | 0x7f without a borrow between elements. */
static ir_temp fill(struct x64_ctx *ctx, ir_temp m, unsigned w)
{
    return op2(ctx, IR_or, m, op2(ctx, IR_sub, m, op2(ctx, IR_shr, m, k(ctx, w - 1))));
}

/* The top bit of each element where a >= b unsigned. The low bits compare in
 * (a | H) - (b & ~H), whose elements cannot borrow from each other; the top bits decide
 * where they differ. */
static ir_temp ge_top(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w)
{
    ir_temp h = k(ctx, top_bits(w));
    ir_temp low = op2(ctx, IR_sub, op2(ctx, IR_or, a, h), op2(ctx, IR_andc, b, h));
    ir_temp x = op2(ctx, IR_xor, a, b);
    return op2(ctx, IR_and, op2(ctx, IR_or, op2(ctx, IR_andc, a, b), op2(ctx, IR_andc, low, x)),
               h);
}

/* All ones in each element where a == b. ((x & ~H) + ~H) | x has the top bit of each nonzero
 * element of x set, with no carry out of an element. */
static ir_temp eq(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w)
{
    if (w == 64)
        return ir_op1(ctx->b, IR_neg, IR_I64, ir_setcond(ctx->b, IR_I64, IR_EQ, a, b));
    ir_temp h = k(ctx, top_bits(w)), l = k(ctx, ~top_bits(w));
    ir_temp x = op2(ctx, IR_xor, a, b);
    ir_temp nonzero = op2(ctx, IR_or, op2(ctx, IR_add, op2(ctx, IR_and, x, l), l), x);
    return fill(ctx, op2(ctx, IR_andc, h, nonzero), w);
}

/* All ones in each element where a > b, signed: an unsigned compare with the top bits
 * flipped. */
static ir_temp gt(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w)
{
    if (w == 64)
        return ir_op1(ctx->b, IR_neg, IR_I64, ir_setcond(ctx->b, IR_I64, IR_GT, a, b));
    ir_temp h = k(ctx, top_bits(w));
    ir_temp le = ge_top(ctx, op2(ctx, IR_xor, b, h), op2(ctx, IR_xor, a, h), w);
    return fill(ctx, op2(ctx, IR_andc, h, le), w);
}

/* a + b or a - b element-wise: the low bits added apart from the top bit, which is then
 * a ^ b ^ (the carry into it). */
static ir_temp add(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w, bool sub)
{
    if (w == 64)
        return op2(ctx, sub ? IR_sub : IR_add, a, b);
    ir_temp h = k(ctx, top_bits(w)), x = op2(ctx, IR_xor, a, b);
    if (sub)
        return op2(ctx, IR_xor, op2(ctx, IR_sub, op2(ctx, IR_or, a, h), op2(ctx, IR_andc, b, h)),
                   op2(ctx, IR_andc, h, x));
    return op2(ctx, IR_xor, op2(ctx, IR_add, op2(ctx, IR_andc, a, h), op2(ctx, IR_andc, b, h)),
               op2(ctx, IR_and, x, h));
}

/* The unsigned minimum (or maximum) element-wise. */
static ir_temp min_max(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w, bool max)
{
    ir_temp a_ge = fill(ctx, ge_top(ctx, a, b, w), w);
    ir_temp big = max ? a : b, small = max ? b : a;
    return op2(ctx, IR_or, op2(ctx, IR_and, big, a_ge), op2(ctx, IR_andc, small, a_ge));
}

/* sse_int's args (sse.c's int_op) done here: the op and its element width. */
enum { EQ, GT, ADD, SUB, MINU, MAXU };
static const struct { unsigned char op, w; } inline_ops[] = {
    [4] = { GT, 8 }, [5] = { GT, 16 }, [6] = { GT, 32 }, [7] = { EQ, 8 }, [8] = { EQ, 16 },
    [9] = { EQ, 32 }, [10] = { ADD, 64 }, [14] = { MINU, 8 }, [17] = { MAXU, 8 },
    [31] = { SUB, 8 }, [32] = { SUB, 16 }, [33] = { SUB, 32 }, [34] = { SUB, 64 },
    [35] = { ADD, 8 }, [36] = { ADD, 16 }, [37] = { ADD, 32 }, [38] = { EQ, 64 },
    [40] = { MINU, 32 }, [42] = { MAXU, 32 }, [44] = { MINU, 16 }, [46] = { MAXU, 16 },
    [50] = { GT, 64 },
};

bool x64_swar_has(unsigned arg)
{
    return arg < sizeof(inline_ops) / sizeof(inline_ops[0]) && inline_ops[arg].w;
}

ir_temp x64_swar(struct x64_ctx *ctx, unsigned arg, ir_temp a, ir_temp b)
{
    unsigned w = inline_ops[arg].w;
    switch (inline_ops[arg].op) {
    case EQ: return eq(ctx, a, b, w);
    case GT: return gt(ctx, a, b, w);
    case ADD: return add(ctx, a, b, w, false);
    case SUB: return add(ctx, a, b, w, true);
    case MINU: return min_max(ctx, a, b, w, false);
    default: return min_max(ctx, a, b, w, true);
    }
}

/* The sign bits of quadword v's elements (kind 0: doublewords, 1: quadwords, 2: bytes) as
 * the bits of a mask from bit 0. The bytes' top bits, multiplied by the sum of 2^(7j) for
 * j < 8, land each once in bits 56..63 (byte i's at 56 + i) with no carries: every partial
 * product is a distinct bit. */
ir_temp x64_movmsk_q(struct x64_ctx *ctx, unsigned kind, ir_temp v)
{
    if (kind == 1)
        return op2(ctx, IR_shr, v, k(ctx, 63));
    if (kind == 0)
        return op2(ctx, IR_or, op2(ctx, IR_and, op2(ctx, IR_shr, v, k(ctx, 31)), k(ctx, 1)),
                   op2(ctx, IR_and, op2(ctx, IR_shr, v, k(ctx, 62)), k(ctx, 2)));
    ir_temp tops = op2(ctx, IR_and, v, k(ctx, top_bits(8)));
    return op2(ctx, IR_shr, op2(ctx, IR_mul, tops, k(ctx, 0x0002040810204081ull)), k(ctx, 56));
}
