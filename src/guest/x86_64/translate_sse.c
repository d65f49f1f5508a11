/* The SSE families: moves and bitwise logic inline on the two quadwords of an XMM register
 * (the hot part of glibc's string and memory functions), everything else through sse.h's
 * helpers, which get the memory operand already loaded (only as many bytes as the form reads,
 * so a scalar at the end of a page does not fault). Legacy SSE leaves the upper YMM half as it
 * is. A 16-byte memory operand must be aligned (#GP) unless the row says UNAL. */
#include "guest/x86_64/fault.h"
#include "guest/x86_64/sse.h"
#include "guest/x86_64/translate.h"

#define MO64 (IR_MO_64 | IR_MO_MMU(X64_MMU_USER))

static ir_temp xget(struct x64_ctx *ctx, unsigned n, unsigned q)
{
    return ir_get(ctx->b, IR_I64, X64_YMM(n, q));
}

static void xput(struct x64_ctx *ctx, unsigned n, unsigned q, ir_temp v)
{
    ir_put(ctx->b, IR_I64, X64_YMM(n, q), v);
}

static bool is_vex(const struct x64_ctx *ctx)
{
    return ctx->in->prefixes & X64_P_VEX;
}

/* #GP unless the operand's address is a multiple of bytes: the block leaves, before the
 * instruction changes anything, for the marker of a #GP at it (fault.h), as a jump to a
 * non-canonical address does; a helper's call stored every guest register the block held. */
static void require_align(struct x64_ctx *ctx, unsigned bytes)
{
    ir_temp low = ir_op2(ctx->b, IR_and, IR_I64, x64_ea(ctx), x64_const(ctx, bytes - 1));
    ir_exit_if(ctx->b, IR_I64, IR_NE, low, x64_const(ctx, 0), x64_gp_marker(ctx->pc));
}

/* Legacy SSE's 16-byte memory operands must be aligned (#GP), but for the rows that say not;
 * VEX forms need not be (the aligned moves check for themselves). */
static void check_align(struct x64_ctx *ctx)
{
    if (!is_vex(ctx) && !(ctx->in->def->flags & X64_F_UNAL))
        require_align(ctx, 16);
}

/* A VEX.128 form zeroes bits 255..128 of its destination register. */
static void zero_upper(struct x64_ctx *ctx, unsigned n)
{
    if (is_vex(ctx) && !ctx->in->vex_l) {
        xput(ctx, n, 2, x64_const(ctx, 0));
        xput(ctx, n, 3, x64_const(ctx, 0));
    }
}

/* size bytes (1, 2, 4, 8 or 16) of the memory operand, zero-extended into lo and hi. */
static void load_mem(struct x64_ctx *ctx, unsigned size, ir_temp *lo, ir_temp *hi)
{
    ir_temp ea = x64_ea(ctx);
    if (size == 16)
        check_align(ctx);
    *lo = size < 8 ? ir_op1(ctx->b, IR_zext32, IR_I64, x64_load(ctx, ea, size))
                   : ir_ld(ctx->b, IR_I64, MO64, ea, 0);
    *hi = size == 16 ? ir_ld(ctx->b, IR_I64, MO64, ea, 8) : x64_const(ctx, 0);
}

/* The r/m operand's two quadwords: a register, or size bytes of memory. */
static void get_w(struct x64_ctx *ctx, unsigned size, ir_temp *lo, ir_temp *hi)
{
    if (ctx->in->mod == 3) {
        *lo = xget(ctx, ctx->in->rm, 0);
        *hi = xget(ctx, ctx->in->rm, 1);
    } else {
        load_mem(ctx, size, lo, hi);
    }
}

static ir_temp deposit(struct x64_ctx *ctx, ir_temp into, ir_temp v, unsigned pos, unsigned len)
{
    ir_temp d = ir_new_temp(ctx->b, IR_I64);
    ir_emit(ctx->b, IR_deposit, IR_I64, d, into, v, IR_NONE, IR_NONE, pos | len << 8);
    return d;
}

static ir_temp extract(struct x64_ctx *ctx, ir_temp from, unsigned pos, unsigned len)
{
    return ir_op1i(ctx->b, IR_extract, IR_I64, from, pos | len << 8);
}

/* The descriptor bits of call l (0 first) of a VEX form's per-lane calls of h: a helper
 * that may raise #XM holds the first result for the second (sse.h's X64_SSE_HOLD). */
static uint64_t held_pair(const struct ir_helper *h, unsigned lanes, unsigned l)
{
    if (lanes != 2 || !(h->flags & IR_HELPER_FAULT))
        return 0;
    return l == 0 ? X64_SSE_HOLD : X64_SSE_TAKE;
}

/* The held result into lane of xmm/ymm n, once the second call has not trapped. */
static void put_held(struct x64_ctx *ctx, unsigned n, unsigned lane)
{
    xput(ctx, n, 2 * lane, xget(ctx, X64_HELD, 0));
    xput(ctx, n, 2 * lane + 1, xget(ctx, X64_HELD, 1));
}

/* A VEX form's helper calls: one per lane (lanes: 1 or 2), first source register v, size
 * bytes of memory per lane; or, !per_lane, one operand for both lanes (a shift count: xmm
 * src's low 128 bits or size bytes of memory), read before the first call writes dst, and
 * passed as if from memory. All the memory is loaded before the first call, so a fault
 * leaves dst as it was. */
static ir_temp call_lanes(struct x64_ctx *ctx, const struct ir_helper *h, unsigned op,
                          unsigned dst, unsigned v, unsigned src, unsigned size, unsigned lanes,
                          bool per_lane, unsigned imm, ir_temp a3)
{
    const struct x64_insn *in = ctx->in;
    ir_temp lo[2], hi[2], r = IR_NONE;
    bool mem = in->mod != 3;
    for (unsigned l = 0; l < lanes; l++) {
        if (!per_lane && l > 0) {
            lo[l] = lo[0], hi[l] = hi[0];
        } else if (!per_lane && !mem) {
            lo[l] = xget(ctx, src, 0), hi[l] = xget(ctx, src, 1);
        } else if (!mem) {
            lo[l] = hi[l] = x64_const(ctx, 0);
        } else if (l == 0) {
            load_mem(ctx, size, &lo[l], &hi[l]);
        } else {
            lo[l] = ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 16);
            hi[l] = ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 24);
        }
    }
    mem |= !per_lane;
    for (unsigned l = 0; l < lanes; l++) {
        uint64_t desc = X64_SSE_DESC(op, dst, mem ? 0 : src, mem, imm) |
                        X64_SSE_VEX(v, l, lanes == 1) | held_pair(h, lanes, l);
        r = ir_call(ctx->b, h, x64_const(ctx, (int64_t)desc), lo[l], hi[l], a3);
    }
    if (held_pair(h, lanes, 0))
        put_held(ctx, dst, 0);
    return r;
}

/* Calls a vector helper on xmm dst and the r/m operand (size bytes of memory); a VEX form
 * reads VEX.vvvv as the first source, per 128-bit lane of a VEX.256 16-byte operand. */
static ir_temp call_vec(struct x64_ctx *ctx, const struct ir_helper *h, unsigned op,
                        unsigned dst, unsigned size, unsigned imm, ir_temp a3)
{
    const struct x64_insn *in = ctx->in;
    if (is_vex(ctx))
        return call_lanes(ctx, h, op, dst, in->vex_v, in->rm, size,
                          size == 16 && in->vex_l ? 2 : 1, true, imm, a3);
    ir_temp lo, hi;
    uint64_t desc;
    if (in->mod == 3) {
        lo = hi = x64_const(ctx, 0);
        desc = X64_SSE_DESC(op, dst, in->rm, 0, imm);
    } else {
        load_mem(ctx, size, &lo, &hi);
        desc = X64_SSE_DESC(op, dst, 0, 1, imm);
    }
    return ir_call(ctx->b, h, x64_const(ctx, (int64_t)desc), lo, hi, a3);
}

/* VMOVUPS/PD, VMOVAPS/PD, VMOVDQU/A (and VMOVNT*, VLDDQU): 16 or 32 bytes, the aligned
 * forms (12, 13) checked for alignment to their size. */
static void vex_mov(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned arg = (unsigned)in->def->arg, nq = in->vex_l ? 4 : 2;
    bool store = arg == 3 || arg == 13, mem = in->mod != 3;
    unsigned to = store ? in->rm : in->reg, from = store ? in->reg : in->rm;
    if (mem && (arg == 12 || arg == 13))
        require_align(ctx, 8 * nq);
    ir_temp v[4];
    for (unsigned q = 0; q < nq; q++)
        v[q] = mem && !store ? ir_ld(b, IR_I64, MO64, x64_ea(ctx), 8 * q) : xget(ctx, from, q);
    if (mem && store) {
        for (unsigned q = 0; q < nq; q++)
            ir_st(b, MO64, x64_ea(ctx), 8 * q, v[q]);
        return;
    }
    for (unsigned q = 0; q < nq; q++)
        xput(ctx, to, q, v[q]);
    zero_upper(ctx, to);
}

static void sse_mov(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned reg = in->reg, rm = in->rm;
    bool mem = in->mod != 3;
    ir_temp lo, hi, zero = x64_const(ctx, 0);
    switch (in->def->arg) {
    case 0: case 12: /* MOVUPS MOVAPS MOVDQU MOVDQA ... xmm, xmm/m128 */
        get_w(ctx, 16, &lo, &hi);
        xput(ctx, reg, 0, lo);
        xput(ctx, reg, 1, hi);
        break;
    case 3: case 13: /* the stores */
        lo = xget(ctx, reg, 0), hi = xget(ctx, reg, 1);
        if (mem) {
            check_align(ctx);
            ir_st(b, MO64, x64_ea(ctx), 0, lo);
            ir_st(b, MO64, x64_ea(ctx), 8, hi);
        } else {
            xput(ctx, rm, 0, lo);
            xput(ctx, rm, 1, hi);
        }
        break;
    case 1: case 2: { /* MOVSS MOVSD xmm, xmm/m: a load zeroes the rest */
        unsigned size = in->def->arg == 1 ? 4 : 8;
        if (mem) {
            load_mem(ctx, size, &lo, &hi);
            xput(ctx, reg, 0, lo);
            xput(ctx, reg, 1, zero);
        } else {
            lo = xget(ctx, rm, 0);
            xput(ctx, reg, 0, size == 4 ? deposit(ctx, xget(ctx, reg, 0), lo, 0, 32) : lo);
        }
        break;
    }
    case 4: case 5: { /* MOVSS MOVSD xmm/m, xmm */
        unsigned size = in->def->arg == 4 ? 4 : 8;
        lo = xget(ctx, reg, 0);
        if (mem)
            x64_store(ctx, x64_ea(ctx), size, lo);
        else
            xput(ctx, rm, 0, size == 4 ? deposit(ctx, xget(ctx, rm, 0), lo, 0, 32) : lo);
        break;
    }
    case 6: xput(ctx, reg, 0, ir_ld(b, IR_I64, MO64, x64_ea(ctx), 0)); break;
    case 7: xput(ctx, reg, 0, xget(ctx, rm, 1)); break;
    case 8: ir_st(b, MO64, x64_ea(ctx), 0, xget(ctx, reg, 0)); break;
    case 9: xput(ctx, reg, 1, ir_ld(b, IR_I64, MO64, x64_ea(ctx), 0)); break;
    case 10: xput(ctx, reg, 1, xget(ctx, rm, 0)); break;
    case 11: ir_st(b, MO64, x64_ea(ctx), 0, xget(ctx, reg, 1)); break;
    case 14: case 15: /* MOVD/MOVQ xmm, r/m */
        lo = x64_get_rm(ctx, in->def->arg == 14 ? 4 : 8);
        xput(ctx, reg, 0, in->def->arg == 14 ? x64_zext(ctx, 4, lo) : lo);
        xput(ctx, reg, 1, zero);
        break;
    case 16: case 17: /* MOVD/MOVQ r/m, xmm */
        x64_put_rm(ctx, in->def->arg == 16 ? 4 : 8, xget(ctx, reg, 0));
        break;
    case 18: /* MOVQ xmm, xmm/m64 */
        if (mem)
            load_mem(ctx, 8, &lo, &hi);
        else
            lo = xget(ctx, rm, 0);
        xput(ctx, reg, 0, lo);
        xput(ctx, reg, 1, zero);
        break;
    case 20: case 22: { /* MOVSLDUP, MOVSHDUP: the even or odd doublewords twice */
        get_w(ctx, 16, &lo, &hi);
        ir_temp s[2] = { lo, hi }, c32 = x64_const(ctx, 32);
        ir_temp high = x64_const(ctx, (int64_t)0xffffffff00000000ull);
        for (unsigned q = 0; q < 2; q++) {
            ir_temp v = in->def->arg == 20
                ? ir_op2(b, IR_or, IR_I64, ir_op1(b, IR_zext32, IR_I64, s[q]),
                         ir_op2(b, IR_shl, IR_I64, s[q], c32))
                : ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_shr, IR_I64, s[q], c32),
                         ir_op2(b, IR_and, IR_I64, s[q], high));
            xput(ctx, reg, q, v);
        }
        break;
    }
    case 21: /* MOVDDUP: the low quadword twice */
        if (mem)
            load_mem(ctx, 8, &lo, &hi);
        else
            lo = xget(ctx, rm, 0);
        xput(ctx, reg, 0, lo);
        xput(ctx, reg, 1, lo);
        break;
    default: /* 19: MOVQ xmm/m64, xmm */
        lo = xget(ctx, reg, 0);
        if (mem) {
            ir_st(b, MO64, x64_ea(ctx), 0, lo);
        } else {
            xput(ctx, rm, 0, lo);
            xput(ctx, rm, 1, zero);
        }
        break;
    }
}

/* MOVMSKPS, MOVMSKPD, PMOVMSKB (kind 0, 1, 2) of the low nq quadwords of xmm/ymm n into the
 * destination's 32-bit register. */
static void movmsk(struct x64_ctx *ctx, unsigned kind, unsigned n, unsigned nq)
{
    static const unsigned char bits[3] = { 2, 1, 8 };   /* per quadword */
    ir_temp r = IR_NONE;
    for (unsigned q = 0; q < nq; q++) {
        ir_temp m = x64_movmsk_q(ctx, kind, xget(ctx, n, q));
        if (q)
            m = ir_op2(ctx->b, IR_shl, IR_I64, m, x64_const(ctx, bits[kind] * q));
        r = q ? ir_op2(ctx->b, IR_or, IR_I64, r, m) : m;
    }
    x64_put_greg(ctx, 4, r);
}

/* The VEX forms of the 16-byte moves, or the legacy form, after which VMOVD/VMOVQ zero the
 * upper half of the register they write. */
void x64_trans_sse_mov(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg;
    if (is_vex(ctx) && (arg == 0 || arg == 3 || arg == 12 || arg == 13)) {
        vex_mov(ctx, in);
        return;
    }
    sse_mov(ctx, in);
    if (is_vex(ctx) && (arg == 1 || arg == 2)) { /* VMOVSS/VMOVSD loads ignore VEX.L */
        xput(ctx, in->reg, 2, x64_const(ctx, 0));
        xput(ctx, in->reg, 3, x64_const(ctx, 0));
    } else if (arg == 14 || arg == 15 || arg == 18) {
        zero_upper(ctx, in->reg);
    }
    else if (arg == 19 && in->mod == 3)
        zero_upper(ctx, in->rm);
}

/* The r/m operand's nq quadwords (2 or 4): a register, or memory (aligned as check_align
 * says). */
static void get_wq(struct x64_ctx *ctx, unsigned nq, ir_temp *s)
{
    if (ctx->in->mod != 3)
        check_align(ctx);
    for (unsigned q = 0; q < nq; q++)
        s[q] = ctx->in->mod == 3 ? xget(ctx, ctx->in->rm, q)
                                 : ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 8 * q);
}

/* A quadword of copies of the low size bytes of v. */
static ir_temp splat(struct x64_ctx *ctx, ir_temp v, unsigned size)
{
    static const uint64_t ones[4] = { 0x0101010101010101ull, 0x0001000100010001ull, 0,
                                      0x0000000100000001ull };
    if (size == 8)
        return v;
    ir_temp e = ir_op1i(ctx->b, IR_extract, IR_I64, v, 0 | (8 * size) << 8);
    return ir_op2(ctx->b, IR_mul, IR_I64, e, x64_const(ctx, (int64_t)ones[size - 1]));
}

/* The source quadwords of a form that widens each half of xmm/m128 (or of the low half of a
 * VEX.128 form's operand) into a 128-bit lane: chunk l of bytes bytes each, zero-extended;
 * all of the memory is loaded first. */
static void widen_chunks(struct x64_ctx *ctx, unsigned bytes, ir_temp chunk[2])
{
    const struct x64_insn *in = ctx->in;
    unsigned total = in->vex_l ? 2 * bytes : bytes;
    ir_temp s[2];
    if (in->mod == 3) {
        s[0] = xget(ctx, in->rm, 0), s[1] = xget(ctx, in->rm, 1);
    } else {
        s[0] = total < 8 ? ir_op1(ctx->b, IR_zext32, IR_I64, x64_load(ctx, x64_ea(ctx), total))
                         : ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 0);
        s[1] = total == 16 ? ir_ld(ctx->b, IR_I64, MO64, x64_ea(ctx), 8) : x64_const(ctx, 0);
    }
    for (unsigned l = 0; l < 2; l++)
        chunk[l] = bytes == 8 ? s[l] : extract(ctx, s[0], 8 * bytes * l, 8 * bytes);
}

/* A widening op as per-lane helper calls on widen_chunks' chunks, passed as memory. */
static void call_widen(struct x64_ctx *ctx, const struct ir_helper *h, unsigned op,
                       unsigned bytes, ir_temp a3)
{
    const struct x64_insn *in = ctx->in;
    ir_temp chunk[2];
    widen_chunks(ctx, bytes, chunk);
    unsigned lanes = in->vex_l ? 2 : 1;
    for (unsigned l = 0; l < lanes; l++)
        ir_call(ctx->b, h, x64_const(ctx, (int64_t)(X64_SSE_DESC(op, in->reg, 0, 1, 0) |
                                                    X64_SSE_VEX(0, l, !in->vex_l) |
                                                    held_pair(h, lanes, l))),
                chunk[l], x64_const(ctx, 0), a3);
    if (held_pair(h, lanes, 0))
        put_held(ctx, in->reg, 0);
}

/* VCVTPS2PH xmm/m, xmm/ymm, imm: each lane's four singles become a quadword of halves. */
static void cvtps2ph(struct x64_ctx *ctx, const struct x64_insn *in)
{
    ir_temp r[2], zero = x64_const(ctx, 0);
    unsigned lanes = in->vex_l ? 2 : 1;
    for (unsigned l = 0; l < lanes; l++)
        r[l] = ir_call(ctx->b, &x64_helper_sse_cvt,
                       x64_const(ctx, (int64_t)(X64_SSE_DESC(22, 0, in->reg, 0, in->imm & 0xff) |
                                                X64_SSE_VEX(0, l, 0) |
                                                held_pair(&x64_helper_sse_cvt, lanes, l))),
                       zero, zero, zero);
    if (in->mod != 3) {
        for (unsigned l = 0; l <= in->vex_l; l++)
            ir_st(ctx->b, MO64, x64_ea(ctx), 8 * l, r[l]);
        return;
    }
    xput(ctx, in->rm, 0, r[0]);
    xput(ctx, in->rm, 1, in->vex_l ? r[1] : zero);
    xput(ctx, in->rm, 2, zero);
    xput(ctx, in->rm, 3, zero);
}

/* The AVX2 forms x64_helper_avx does (args 32..40: its op + 32): VPERMD/PS, the masked moves
 * and the gathers, which read and write memory element by element themselves. */
static void avx_helper(struct x64_ctx *ctx, const struct x64_insn *in, unsigned op)
{
    ir_temp addr, extra = x64_const(ctx, 0);
    if (!(in->def->flags & X64_F_VSIB)) {
        addr = in->mod == 3 ? x64_const(ctx, 0) : x64_ea(ctx);
    } else {
        /* #UD unless the destination, the index and the mask are three registers */
        if (in->reg == in->index || in->reg == in->vex_v || in->index == in->vex_v) {
            x64_gen_ud(ctx);
            return;
        }
        struct x64_insn no_index = *in;
        no_index.index = X64_REG_NONE;
        ctx->in = &no_index;
        ctx->ea = IR_NONE;
        addr = x64_ea(ctx);
        ctx->in = in;
        extra = x64_const(ctx, in->index | in->scale << 4 | (in->addrsize == 4) << 6);
    }
    uint64_t desc = X64_SSE_DESC(op, in->reg, in->rm, in->mod != 3, 0) |
                    X64_SSE_VEX(in->vex_v, in->vex_l, !in->vex_l);
    ir_call(ctx->b, &x64_helper_avx, x64_const(ctx, (int64_t)desc), addr, extra, IR_NONE);
}

/* The AVX forms that cross 128-bit lanes (args 2..13), VZEROUPPER (0), VZEROALL (1), the VEX
 * moves with merging (14..22), F16C (23, 24) and x64_helper_avx's forms (32..). */
void x64_trans_avx(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned arg = (unsigned)in->def->arg, nq = in->vex_l ? 4 : 2, imm = (unsigned)in->imm;
    ir_temp s[4], d[4], zero = x64_const(ctx, 0);
    if (arg >= 32) {
        avx_helper(ctx, in, arg - 32);
        return;
    }
    switch (arg) {
    case 14: case 15: { /* VMOVSS/VMOVSD xmm, xmm, xmm: the low element of the last, the rest
                         * of vvvv's */
        unsigned to = arg == 14 ? in->reg : in->rm, from = arg == 14 ? in->rm : in->reg;
        ir_temp lo = xget(ctx, from, 0), v0 = xget(ctx, in->vex_v, 0);
        d[0] = in->def->pfx == X64_PFX_F3 ? deposit(ctx, v0, lo, 0, 32) : lo;
        d[1] = xget(ctx, in->vex_v, 1);
        xput(ctx, to, 0, d[0]);
        xput(ctx, to, 1, d[1]);
        xput(ctx, to, 2, zero);
        xput(ctx, to, 3, zero);
        return;
    }
    case 16: case 17: /* VMOVLPS/PD xmm, xmm, m64; VMOVHLPS */
        d[0] = arg == 16 ? ir_ld(b, IR_I64, MO64, x64_ea(ctx), 0) : xget(ctx, in->rm, 1);
        d[1] = xget(ctx, in->vex_v, 1);
        break;
    case 18: case 19: /* VMOVHPS/PD xmm, xmm, m64; VMOVLHPS */
        d[1] = arg == 18 ? ir_ld(b, IR_I64, MO64, x64_ea(ctx), 0) : xget(ctx, in->rm, 0);
        d[0] = xget(ctx, in->vex_v, 0);
        break;
    case 20: case 22: { /* VMOVSLDUP, VMOVSHDUP: the even or odd doublewords twice */
        get_wq(ctx, nq, s);
        ir_temp c32 = x64_const(ctx, 32), high = x64_const(ctx, (int64_t)0xffffffff00000000ull);
        for (unsigned q = 0; q < nq; q++)
            d[q] = arg == 20 ? ir_op2(b, IR_or, IR_I64, ir_op1(b, IR_zext32, IR_I64, s[q]),
                                      ir_op2(b, IR_shl, IR_I64, s[q], c32))
                             : ir_op2(b, IR_or, IR_I64, ir_op2(b, IR_shr, IR_I64, s[q], c32),
                                      ir_op2(b, IR_and, IR_I64, s[q], high));
        break;
    }
    case 21: /* VMOVDDUP: each lane's low quadword twice (the 128-bit form reads m64) */
        if (in->vex_l) {
            get_wq(ctx, 4, s);
        } else if (in->mod == 3) {
            s[0] = xget(ctx, in->rm, 0);
        } else {
            s[0] = ir_ld(b, IR_I64, MO64, x64_ea(ctx), 0);
        }
        for (unsigned q = 0; q < nq; q++)
            d[q] = s[q & 2];
        break;
    case 23: /* VCVTPH2PS: four halves per lane */
        call_widen(ctx, &x64_helper_sse_cvt, 21, 8, zero);
        return;
    case 24:
        cvtps2ph(ctx, in);
        return;
    case 0: case 1:
        for (unsigned n = 0; n < 16; n++)
            for (unsigned q = arg ? 0 : 2; q < 4; q++)
                xput(ctx, n, q, zero);
        return;
    case 2: case 3: case 5: case 6: { /* VBROADCASTSS/SD, VPBROADCASTB/W/D/Q */
        static const unsigned char size[7] = { 0, 0, 4, 8, 0, 1, 2 };
        ir_temp v, hi;
        if (in->mod == 3)
            v = xget(ctx, in->rm, 0);
        else
            load_mem(ctx, size[arg], &v, &hi);
        v = splat(ctx, v, size[arg]);
        for (unsigned q = 0; q < nq; q++)
            d[q] = v;
        break;
    }
    case 4: /* VBROADCASTF128/I128 */
        get_wq(ctx, 2, s);
        d[0] = d[2] = s[0], d[1] = d[3] = s[1];
        break;
    case 7: /* VINSERTF128/I128: vvvv with lane imm bit 0 from xmm/m128 */
        get_wq(ctx, 2, s);
        for (unsigned q = 0; q < 4; q++)
            d[q] = q / 2 == (imm & 1) ? s[q % 2] : xget(ctx, in->vex_v, q);
        break;
    case 8: /* VEXTRACTF128/I128 xmm/m128, ymm, imm */
        d[0] = xget(ctx, in->reg, 2 * (imm & 1)), d[1] = xget(ctx, in->reg, 2 * (imm & 1) + 1);
        if (in->mod != 3) {
            ir_st(b, MO64, x64_ea(ctx), 0, d[0]);
            ir_st(b, MO64, x64_ea(ctx), 8, d[1]);
            return;
        }
        xput(ctx, in->rm, 0, d[0]);
        xput(ctx, in->rm, 1, d[1]);
        xput(ctx, in->rm, 2, zero);
        xput(ctx, in->rm, 3, zero);
        return;
    case 9: /* VPERM2F128/I128: each lane from a nibble of imm: a lane of vvvv or r/m, or 0 */
        get_wq(ctx, 4, s);
        for (unsigned q = 0; q < 4; q++) {
            unsigned ctl = imm >> (4 * (q / 2)), from = 2 * (ctl & 1) + q % 2;
            d[q] = ctl & 8 ? zero : ctl & 2 ? s[from] : xget(ctx, in->vex_v, from);
        }
        break;
    case 10: /* VPERMQ, VPERMPD */
        get_wq(ctx, 4, s);
        for (unsigned q = 0; q < 4; q++)
            d[q] = s[imm >> (2 * q) & 3];
        break;
    default: /* 11..13: VMOVMSKPS, VMOVMSKPD, VPMOVMSKB of a ymm register */
        movmsk(ctx, arg - 11, in->rm, 4);
        return;
    }
    for (unsigned q = 0; q < nq; q++)
        xput(ctx, in->reg, q, d[q]);
    zero_upper(ctx, in->reg);
}

/* Bitwise logic (args 0..3: AND ANDN OR XOR) and translate_swar.c's element ops inline, the
 * rest by the helper. */
void x64_trans_sse_int(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg, reg = in->reg;
    if (arg > 3 && !x64_swar_has(arg)) { /* imm: VBLENDVPS/PD and VPBLENDVB's mask register */
        call_vec(ctx, &x64_helper_sse_int, arg, reg, 16, (unsigned)in->imm & 0xff,
                 x64_const(ctx, 0));
        return;
    }
    unsigned first = is_vex(ctx) ? in->vex_v : reg, nq = is_vex(ctx) && in->vex_l ? 4 : 2;
    if (arg == 3 && in->mod == 3 && in->rm == first) { /* the zeroing idiom */
        for (unsigned q = 0; q < nq; q++)
            xput(ctx, reg, q, x64_const(ctx, 0));
        zero_upper(ctx, reg);
        return;
    }
    static const enum ir_opc opc[4] = { IR_and, IR_andc, IR_or, IR_xor };
    ir_temp s[4];
    get_wq(ctx, nq, s);
    for (unsigned q = 0; q < nq; q++) {
        ir_temp d = xget(ctx, first, q);
        ir_temp r = arg > 3   ? x64_swar(ctx, arg, d, s[q])
                    : arg == 1 ? ir_op2(ctx->b, IR_andc, IR_I64, s[q], d)
                               : ir_op2(ctx->b, opc[arg], IR_I64, d, s[q]);
        xput(ctx, reg, q, r);
    }
    zero_upper(ctx, reg);
}

void x64_trans_sse_shift(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg;
    unsigned lanes = is_vex(ctx) && in->vex_l ? 2 : 1;
    if (arg < 10 && is_vex(ctx)) { /* VEX.vvvv is the destination, ModRM.rm the source */
        call_lanes(ctx, &x64_helper_sse_shift, arg, in->vex_v, in->rm, 0, 16, lanes, true,
                   (unsigned)in->imm & 0xff, x64_const(ctx, 0));
        return;
    }
    if (arg >= 10 && is_vex(ctx)) { /* the count: the low quadword of xmm/m128, for each lane */
        call_lanes(ctx, &x64_helper_sse_shift, arg, in->reg, in->vex_v, in->rm, 16, lanes, false,
                   0, x64_const(ctx, 0));
        return;
    }
    if (arg < 10) { /* by an immediate: the register is ModRM.rm */
        uint64_t desc = X64_SSE_DESC(arg, in->rm, 0, 0, in->imm & 0xff);
        ir_call(ctx->b, &x64_helper_sse_shift, x64_const(ctx, (int64_t)desc), x64_const(ctx, 0),
                x64_const(ctx, 0), x64_const(ctx, 0));
        return;
    }
    call_vec(ctx, &x64_helper_sse_shift, arg, in->reg, 16, 0, x64_const(ctx, 0));
}

/* sse.c's shuf_op args done inline: the unpacks, each element size's low or high half
 * interleaved (w: element bits), and the shuffles of dwords (PSHUFD, SHUFPS) and quadwords
 * (SHUFPD) by an immediate. gcc's vectorised code and glibc's string functions run them in
 * their loops, where a call would cost more than the few integer ops. */
enum { UNPACK = 1, PSHUFD, SHUFPS, SHUFPD };   /* 0: by the helper */
static const struct { unsigned char kind, w, high; } inline_shufs[] = {
    [0] = { UNPACK, 32, 0 }, [1] = { UNPACK, 64, 0 }, [2] = { UNPACK, 32, 1 },
    [3] = { UNPACK, 64, 1 }, [4] = { SHUFPS, 0, 0 }, [5] = { SHUFPD, 0, 0 },
    [6] = { UNPACK, 8, 0 }, [7] = { UNPACK, 16, 0 }, [8] = { UNPACK, 32, 0 },
    [11] = { UNPACK, 8, 1 }, [12] = { UNPACK, 16, 1 }, [13] = { UNPACK, 32, 1 },
    [15] = { UNPACK, 64, 0 }, [16] = { UNPACK, 64, 1 }, [17] = { PSHUFD, 0, 0 },
};

/* A temp whose low 32 bits are dword k of the 128-bit lane q[0..1]. */
static ir_temp dword_of(struct x64_ctx *ctx, const ir_temp *q, unsigned k)
{
    return k & 1 ? ir_op2(ctx->b, IR_shr, IR_I64, q[k >> 1], x64_const(ctx, 32)) : q[k >> 1];
}

/* The w-bit elements (8 or 16) of x's low 32 bits, each moved to twice its offset. */
static ir_temp spread(struct x64_ctx *ctx, ir_temp x, unsigned w)
{
    struct ir_block *b = ctx->b;
    x = extract(ctx, x, 0, 32);
    for (unsigned s = 16; s >= w; s /= 2) {
        uint64_t keep = s == 16 ? 0x0000ffff0000ffffull : 0x00ff00ff00ff00ffull;
        x = ir_op2(b, IR_and, IR_I64, ir_op2(b, IR_or, IR_I64, x,
                                             ir_op2(b, IR_shl, IR_I64, x, x64_const(ctx, s))),
                   x64_const(ctx, (int64_t)keep));
    }
    return x;
}

/* The w-bit elements of a's and b's low 32 bits interleaved, a's first. */
static ir_temp interleave(struct x64_ctx *ctx, ir_temp a, ir_temp b, unsigned w)
{
    if (w == 32)
        return deposit(ctx, a, b, 32, 32);
    return ir_op2(ctx->b, IR_or, IR_I64, spread(ctx, a, w),
                  ir_op2(ctx->b, IR_shl, IR_I64, spread(ctx, b, w), x64_const(ctx, w)));
}

/* Lane l (quadwords r[0..1]) of the shuffle of a's and b's lanes. */
static void shuf_lane(struct x64_ctx *ctx, unsigned arg, const ir_temp *a, const ir_temp *b,
                      unsigned imm, unsigned l, ir_temp *r)
{
    unsigned w = inline_shufs[arg].w, high = inline_shufs[arg].high;
    switch (inline_shufs[arg].kind) {
    case UNPACK:
        if (w == 64) {
            r[0] = a[high], r[1] = b[high];
            return;
        }
        r[0] = interleave(ctx, a[high], b[high], w);
        r[1] = interleave(ctx, dword_of(ctx, &a[high], 1), dword_of(ctx, &b[high], 1), w);
        return;
    case SHUFPD:   /* VSHUFPD's upper lane takes imm's next two bits */
        r[0] = a[imm >> (2 * l) & 1], r[1] = b[imm >> (2 * l + 1) & 1];
        return;
    default:       /* PSHUFD takes all four dwords from b, SHUFPS the low two from a */
        for (unsigned h = 0; h < 2; h++) {
            const ir_temp *from = inline_shufs[arg].kind == SHUFPS && h == 0 ? a : b;
            r[h] = deposit(ctx, dword_of(ctx, from, imm >> (4 * h) & 3),
                           dword_of(ctx, from, imm >> (4 * h + 2) & 3), 32, 32);
        }
        return;
    }
}

void x64_trans_sse_shuf(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg;
    if (arg < sizeof(inline_shufs) / sizeof(inline_shufs[0]) && inline_shufs[arg].kind) {
        unsigned nq = is_vex(ctx) && in->vex_l ? 4 : 2;
        unsigned first = is_vex(ctx) ? in->vex_v : in->reg;
        ir_temp a[4], b[4], r[4];
        get_wq(ctx, nq, b);
        for (unsigned q = 0; q < nq; q++)
            a[q] = xget(ctx, first, q);
        for (unsigned q = 0; q < nq; q += 2)
            shuf_lane(ctx, arg, &a[q], &b[q], (unsigned)in->imm & 0xff, q / 2, &r[q]);
        for (unsigned q = 0; q < nq; q++)
            xput(ctx, in->reg, q, r[q]);
        zero_upper(ctx, in->reg);
        return;
    }
    call_vec(ctx, &x64_helper_sse_shuf, arg, in->reg, arg == 26 ? 4 : 16, /* INSERTPS: m32 */
             (unsigned)in->imm & 0xff, x64_const(ctx, 0));
}

/* PMOVSX and PMOVZX (sse_shuf's ops 30..41): the memory operand is the elements it widens. */
void x64_trans_sse_pmov(struct x64_ctx *ctx, const struct x64_insn *in)
{
    static const unsigned char size[6] = { 8, 4, 2, 8, 4, 8 };
    unsigned arg = (unsigned)in->def->arg;
    if (is_vex(ctx)) {
        call_widen(ctx, &x64_helper_sse_shuf, 30 + arg, size[arg % 6], x64_const(ctx, 0));
        return;
    }
    call_vec(ctx, &x64_helper_sse_shuf, 30 + arg, in->reg, size[arg % 6], 0, x64_const(ctx, 0));
}

void x64_trans_sse_fp4(struct x64_ctx *ctx, const struct x64_insn *in)
{
    static const unsigned char size[6] = { 16, 16, 4, 8, 16, 16 };
    unsigned arg = (unsigned)in->def->arg;
    call_vec(ctx, &x64_helper_sse_fp4, arg, in->reg, size[arg], (unsigned)in->imm & 0xff,
             x64_const(ctx, 0));
}

void x64_trans_sse_str(struct x64_ctx *ctx, const struct x64_insn *in)
{
    ir_temp fl = call_vec(ctx, &x64_helper_sse_str, (unsigned)in->def->arg, in->reg, 16,
                          (unsigned)in->imm & 0xff, x64_const(ctx, (in->rex & 8) != 0));
    x64_put_flags(ctx, fl);
}

void x64_trans_sse_aes(struct x64_ctx *ctx, const struct x64_insn *in)
{
    call_vec(ctx, &x64_helper_sse_aes, (unsigned)in->def->arg, in->reg, 16,
             (unsigned)in->imm & 0xff, x64_const(ctx, 0));
}

/* An insert: quadword q of the first source (xmm reg, or VEX.vvvv's register, whose other
 * quadword a VEX form copies) with len bits of v at pos, into xmm reg. */
static void insert(struct x64_ctx *ctx, unsigned q, ir_temp v, unsigned pos, unsigned len)
{
    unsigned reg = ctx->in->reg, from = is_vex(ctx) ? ctx->in->vex_v : reg;
    ir_temp merged = len == 64 ? v : deposit(ctx, xget(ctx, from, q), v, pos, len);
    if (is_vex(ctx))
        xput(ctx, reg, 1 - q, xget(ctx, from, 1 - q));
    xput(ctx, reg, q, merged);
    zero_upper(ctx, reg);
}

void x64_maskmov(struct x64_ctx *ctx, bool mmx)
{
    const struct x64_insn *in = ctx->in;
    ir_temp rdi = x64_get_reg(ctx, X64_RDI, in->addrsize);
    if (in->addrsize == 4)
        rdi = x64_zext(ctx, 4, rdi);
    uint64_t desc = X64_SSE_DESC(mmx ? 10 : 9, in->reg, in->rm, 1, 0);
    ir_call(ctx->b, &x64_helper_avx, x64_const(ctx, (int64_t)desc), x64_seg_addr(ctx, rdi),
            x64_const(ctx, 0), IR_NONE);
}

void x64_trans_sse_misc(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned arg = (unsigned)in->def->arg, reg = in->reg, imm = (unsigned)in->imm;
    switch (arg) {
    case 0: case 1: case 2: /* MOVMSKPS MOVMSKPD PMOVMSKB */
        movmsk(ctx, arg, in->rm, 2);
        break;
    case 3: /* PINSRW */
        insert(ctx, imm >> 2 & 1, x64_get_rm(ctx, 2), 16 * (imm & 3), 16);
        break;
    case 4: /* PEXTRW r, xmm */
        x64_put_greg(ctx, 4, extract(ctx, xget(ctx, in->rm, imm >> 2 & 1), 16 * (imm & 3), 16));
        break;
    case 5: case 14: case 15: { /* PTEST, VPTEST: ZF = (d & s) == 0, CF = (~d & s) == 0;
                                  * VTESTPS, VTESTPD: the same of the sign bits */
        static const uint64_t sign[3] = { ~0ull, 0x8000000080000000ull, 0x8000000000000000ull };
        unsigned nq = is_vex(ctx) && in->vex_l ? 4 : 2;
        ir_temp s[4], and = IR_NONE, andn = IR_NONE;
        get_wq(ctx, nq, s);
        if (arg != 5)
            for (unsigned q = 0; q < nq; q++)
                s[q] = ir_op2(b, IR_and, IR_I64, s[q], x64_const(ctx, (int64_t)sign[arg - 13]));
        for (unsigned q = 0; q < nq; q++) {
            ir_temp d = xget(ctx, reg, q);
            ir_temp x = ir_op2(b, IR_and, IR_I64, d, s[q]), y = ir_op2(b, IR_andc, IR_I64, s[q], d);
            and = q ? ir_op2(b, IR_or, IR_I64, and, x) : x;
            andn = q ? ir_op2(b, IR_or, IR_I64, andn, y) : y;
        }
        ir_temp zf = ir_op2(b, IR_shl, IR_I64, ir_setcond(b, IR_I64, IR_EQ, and, x64_const(ctx, 0)),
                            x64_const(ctx, 6));
        ir_temp cf = ir_setcond(b, IR_I64, IR_EQ, andn, x64_const(ctx, 0));
        x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, zf, cf));
        break;
    }
    case 6: /* PEXTRD */
        x64_put_rm(ctx, 4, extract(ctx, xget(ctx, reg, imm >> 1 & 1), 32 * (imm & 1), 32));
        break;
    case 7: /* PEXTRQ */
        x64_put_rm(ctx, 8, xget(ctx, reg, imm & 1));
        break;
    case 8: /* PINSRD */
        insert(ctx, imm >> 1 & 1, x64_get_rm(ctx, 4), 32 * (imm & 1), 32);
        break;
    case 9: /* PINSRQ */
        insert(ctx, imm & 1, x64_get_rm(ctx, 8), 0, 64);
        break;
    case 16: /* MASKMOVDQU */
        x64_maskmov(ctx, false);
        break;
    case 10: case 11: case 12: { /* PEXTRB PEXTRW EXTRACTPS r32/m: a register is zero-extended */
        unsigned size = arg == 10 ? 1 : arg == 11 ? 2 : 4, per_q = 8 / size;
        ir_temp v = extract(ctx, xget(ctx, reg, imm / per_q % 2), 8 * size * (imm % per_q),
                            8 * size);
        x64_put_rm(ctx, in->mod == 3 ? 4 : size, v);
        break;
    }
    default: { /* 13: PINSRB xmm, r32/m8 */
        ir_temp v = in->mod == 3 ? x64_get_reg(ctx, in->rm, 4) : x64_load(ctx, x64_ea(ctx), 1);
        insert(ctx, imm >> 3 & 1, v, 8 * (imm & 7), 8);
        break;
    }
    }
}

void x64_trans_mxcsr(struct x64_ctx *ctx, const struct x64_insn *in)
{
    if (in->def->arg == 0)
        ir_call(ctx->b, &x64_helper_ldmxcsr, x64_load(ctx, x64_ea(ctx), 4), IR_NONE, IR_NONE,
                IR_NONE);
    else
        x64_store(ctx, x64_ea(ctx), 4, ir_get(ctx->b, IR_I32, X64_FIELD(mxcsr)));
}

/* FXSAVE, FXRSTOR (args 0, 1); XSAVE, XRSTOR, XSAVEOPT, XSAVEC (2..5) with EDX:EAX's
 * requested-feature bitmap. */
void x64_trans_fxsave(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg;
    ir_temp rexw = x64_const(ctx, (in->rex & 8) != 0);
    if (arg < 2) {
        ir_call(ctx->b, arg == 0 ? &x64_helper_fxsave : &x64_helper_fxrstor, x64_ea(ctx), rexw,
                IR_NONE, IR_NONE);
        return;
    }
    struct ir_block *b = ctx->b;
    ir_temp rfbm = ir_op2(b, IR_or, IR_I64, x64_zext(ctx, 4, x64_get_reg(ctx, X64_RAX, 4)),
                          ir_op2(b, IR_shl, IR_I64, x64_get_reg(ctx, X64_RDX, 4),
                                 x64_const(ctx, 32)));
    ir_call(b, &x64_helper_xsave, x64_ea(ctx), rfbm, rexw, x64_const(ctx, arg - 2));
}

/* ---- FP ---- */

/* The shape of an SSE4 row by its mandatory prefix, and its memory operand's size. */
static enum x64_fp_shape shape_of(const struct x64_insn *in)
{
    switch (in->def->pfx) {
    case X64_PFX_66: return X64_PD;
    case X64_PFX_F3: return X64_SS;
    case X64_PFX_F2: return X64_SD;
    default: return X64_PS;
    }
}

static const unsigned shape_size[4] = { 16, 16, 4, 8 };

void x64_trans_sse_arith(struct x64_ctx *ctx, const struct x64_insn *in)
{
    /* ADDSUB, HADD, HSUB (args 7..9) are packed: 66 for doubles, F2 for singles; RSQRT and
     * RCP (10, 11) are singles */
    enum x64_fp_shape s = in->def->arg < 7 || in->def->arg > 9 ? shape_of(in)
                          : in->def->pfx == X64_PFX_66 ? X64_PD : X64_PS;
    call_vec(ctx, &x64_helper_sse_arith, X64_SSE_FPOP((unsigned)in->def->arg, s), in->reg,
             shape_size[s], 0, x64_const(ctx, 0));
}

void x64_trans_sse_cmp(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg;
    if (arg == 0) {
        enum x64_fp_shape s = shape_of(in);
        call_vec(ctx, &x64_helper_sse_cmpcc, X64_SSE_FPOP(0, s), in->reg, shape_size[s],
                 (unsigned)in->imm & 0xff, x64_const(ctx, 0));
        return;
    }
    ir_temp fl = call_vec(ctx, &x64_helper_sse_comi, arg, in->reg, arg & 1 ? 4 : 8, 0,
                          x64_const(ctx, 0));
    x64_put_flags(ctx, fl);
}

/* sse_cvt's args: the memory operand's size (0: a general register of the operand size),
 * and whether the result goes to a general register. */
static const unsigned char cvt_size[16] = { 0, 0, 4, 8, 4, 8, 8, 16, 4, 8, 16, 16, 16, 16, 8, 16 };

void x64_trans_sse_cvt(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned arg = (unsigned)in->def->arg, w = (in->rex & 8) ? 8 : 4;
    ir_temp w64 = x64_const(ctx, w == 8);
    if (cvt_size[arg] == 0) { /* CVTSI2SS/SD xmm, r/m */
        ir_temp v = x64_get_rm(ctx, w);
        uint64_t desc = X64_SSE_DESC(arg, in->reg, 0, 1, 0) |
                        (is_vex(ctx) ? X64_SSE_VEX(in->vex_v, 0, 1) : 0);
        ir_call(ctx->b, &x64_helper_sse_cvt, x64_const(ctx, (int64_t)desc), v, x64_const(ctx, 0),
                w64);
        return;
    }
    if (is_vex(ctx) && in->vex_l && (arg == 6 || arg == 14)) { /* xmm/m128 to ymm */
        call_widen(ctx, &x64_helper_sse_cvt, arg, 8, w64);
        return;
    }
    if (is_vex(ctx) && in->vex_l && (arg == 7 || arg == 13 || arg == 15)) { /* ymm/m256 to xmm */
        ir_temp src[4], zero = x64_const(ctx, 0);
        get_wq(ctx, 4, src);
        for (unsigned l = 2; l-- > 0;) /* the upper lane's results held, then moved */
            ir_call(ctx->b, &x64_helper_sse_cvt,
                    x64_const(ctx, (int64_t)(X64_SSE_DESC(arg, in->reg, 0, 1, 0) |
                                             X64_SSE_VEX(0, l, 0) |
                                             held_pair(&x64_helper_sse_cvt, 2, 1 - l))),
                    src[2 * l], src[2 * l + 1], w64);
        xput(ctx, in->reg, 1, xget(ctx, X64_HELD, 0));
        xput(ctx, in->reg, 2, zero);
        xput(ctx, in->reg, 3, zero);
        return;
    }
    ir_temp r = call_vec(ctx, &x64_helper_sse_cvt, arg, in->reg, cvt_size[arg], 0, w64);
    if (arg >= 2 && arg <= 5)
        x64_put_greg(ctx, w, r);
}

/* FMA: three vector operands (dst, VEX.vvvv, r/m), lane by lane like the other VEX forms. */
void x64_trans_fma(struct x64_ctx *ctx, const struct x64_insn *in)
{
    static const unsigned char size[4] = { 16, 16, 4, 8 };
    unsigned arg = (unsigned)in->def->arg;
    call_vec(ctx, &x64_helper_fma, arg, in->reg, size[arg >> 6], 0, x64_const(ctx, 0));
}
