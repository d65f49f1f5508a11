/* x86-64 integer data movement and arithmetic to IR: the eight ALU operations in their six
 * opcode forms and group 1, TEST, MOV in every form, MOVZX/MOVSX/MOVSXD and LEA. 8- and
 * 16-bit operations compute in i32 and deposit into the register; 32-bit ones zero-extend.
 * A destination is written before the flags are, so that a faulting store leaves the flags
 * as they were. */
#include "guest/x86_64/translate.h"

#include <pthread.h>
#include <string.h>

#include "mem/aspace.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

static ir_temp alu_compute(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp a,
                           ir_temp c, struct x64_cc *cc)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = x64_type(size);
    ir_temp r;
    switch (op) {
    case ALU_ADD:
        r = ir_op2(b, IR_add, t, a, c);
        *cc = (struct x64_cc){ X64_CC_ADD, r, a, c };
        break;
    case ALU_ADC:
    case ALU_SBB: {
        ir_temp cf = x64_get_cf(ctx);
        enum ir_opc opc = op == ALU_ADC ? IR_add : IR_sub;
        r = ir_op2(b, opc, t, ir_op2(b, opc, t, a, c), cf);
        *cc = (struct x64_cc){ op == ALU_ADC ? X64_CC_ADC : X64_CC_SBB, r, a, c };
        break;
    }
    case ALU_SUB:
    case ALU_CMP:
        r = ir_op2(b, IR_sub, t, a, c);
        *cc = (struct x64_cc){ X64_CC_SUB, r, a, c };
        break;
    default: {
        static const enum ir_opc logic[8] = {
            [ALU_OR] = IR_or, [ALU_AND] = IR_and, [ALU_XOR] = IR_xor,
        };
        r = ir_op2(b, logic[op], t, a, c);
        *cc = (struct x64_cc){ X64_CC_LOGIC, r, IR_NONE, IR_NONE };
        break;
    }
    }
    return r;
}

struct alu_arg {
    unsigned op;
    ir_temp src;
};

static ir_temp alu_rmw(struct x64_ctx *ctx, unsigned size, ir_temp old, const void *arg,
                       struct x64_cc *cc)
{
    const struct alu_arg *a = arg;
    return alu_compute(ctx, a->op, size, old, a->src, cc);
}

/* dest op= src with the destination the r/m operand (CMP only reads it). */
static void alu_to_rm(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp src)
{
    if (op == ALU_CMP) {
        struct x64_cc cc;
        alu_compute(ctx, op, size, x64_get_rm(ctx, size), src, &cc);
        x64_commit_cc(ctx, size, &cc);
        return;
    }
    struct alu_arg a = { op, src };
    x64_rmw_rm(ctx, size, alu_rmw, &a);
}

static void alu_to_reg(struct x64_ctx *ctx, unsigned op, unsigned size, unsigned reg,
                       ir_temp src)
{
    struct x64_cc cc;
    ir_temp r = alu_compute(ctx, op, size, x64_get_reg(ctx, reg, size), src, &cc);
    if (op != ALU_CMP)
        x64_put_reg(ctx, reg, size, r);
    x64_commit_cc(ctx, size, &cc);
}

/* The six forms by the opcode's low bits: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz. */
void x64_trans_alu(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned op = (unsigned)in->def->arg, size = in->opsize;
    switch (in->opcode & 7) {
    case 0:
    case 1:
        alu_to_rm(ctx, op, size, x64_get_greg(ctx, size));
        break;
    case 2:
    case 3:
        alu_to_reg(ctx, op, size, in->reg, x64_get_rm(ctx, size));
        break;
    default:
        alu_to_reg(ctx, op, size, X64_RAX, x64_tconst(ctx, size, in->imm));
        break;
    }
}

void x64_trans_alu_grp(struct x64_ctx *ctx, const struct x64_insn *in)
{
    alu_to_rm(ctx, (unsigned)in->def->arg, in->opsize, x64_tconst(ctx, in->opsize, in->imm));
}

/* arg 0: Eb,Gb / Ev,Gv; 1: AL / rAX with an immediate; 2: r/m with an immediate. */
void x64_trans_test(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp a, c;
    switch (in->def->arg) {
    case 0: a = x64_get_rm(ctx, size); c = x64_get_greg(ctx, size); break;
    case 1: a = x64_get_reg(ctx, X64_RAX, size); c = x64_tconst(ctx, size, in->imm); break;
    default: a = x64_get_rm(ctx, size); c = x64_tconst(ctx, size, in->imm); break;
    }
    x64_set_cc(ctx, X64_CC_LOGIC, size, ir_op2(ctx->b, IR_and, x64_type(size), a, c), IR_NONE,
               IR_NONE);
}

/* arg 0: Ev,Gv; 1: Gv,Ev; 2: rAX from moffs; 3: rAX to moffs; 4: register, immediate;
 * 5: r/m, immediate. */
void x64_trans_mov(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    switch (in->def->arg) {
    case 0:
        x64_put_rm(ctx, size, x64_get_greg(ctx, size));
        break;
    case 1:
        x64_put_greg(ctx, size, x64_get_rm(ctx, size));
        break;
    case 2:
    case 3: {
        uint64_t off = (uint64_t)in->imm & (in->addrsize == 4 ? 0xffffffffull : ~0ull);
        ir_temp addr = x64_seg_addr(ctx, x64_const(ctx, (int64_t)off));
        if (in->def->arg == 2)
            x64_put_reg(ctx, X64_RAX, size, x64_load(ctx, addr, size));
        else
            x64_store(ctx, addr, size, x64_get_reg(ctx, X64_RAX, size));
        break;
    }
    case 4:
        x64_put_reg(ctx, in->rm, size, x64_tconst(ctx, size, in->imm));
        break;
    default:
        x64_put_rm(ctx, size, x64_tconst(ctx, size, in->imm));
        break;
    }
}

/* The r/m operand of from bytes sign-extended to type t: from memory one sign-extending load
 * (the host's movsx from memory, not a load then a movsx of its register). */
static ir_temp get_rm_signed(struct x64_ctx *ctx, unsigned from, enum ir_type t)
{
    if (ctx->in->mod != 3)
        return ir_ld(ctx->b, t, x64_memop(from) | IR_MO_SIGN, x64_ea(ctx), 0);
    enum ir_opc ext = from == 1 ? IR_sext8 : from == 2 ? IR_sext16 : IR_sext32;
    return ir_op1(ctx->b, ext, t, x64_get_rm(ctx, from));
}

/* arg 0: MOVSXD; 1, 2: MOVZX from 8 and 16 bits; 3, 4: MOVSX from 8 and 16 bits. */
void x64_trans_movx(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    enum ir_type t = x64_type(size);
    ir_temp v;
    switch (in->def->arg) {
    case 0:
        if (size != 8) {   /* without REX.W a plain move */
            x64_put_greg(ctx, size, x64_get_rm(ctx, size));
            return;
        }
        v = get_rm_signed(ctx, 4, IR_I64);
        break;
    case 1: v = x64_get_rm(ctx, 1); break;
    case 2: v = x64_get_rm(ctx, 2); break;
    case 3: v = get_rm_signed(ctx, 1, t); break;
    default: v = get_rm_signed(ctx, 2, t); break;
    }
    x64_put_greg(ctx, size, v);
}

/* The offset alone: LEA applies no segment base. */
void x64_trans_lea(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_put_greg(ctx, in->opsize, x64_ea_offset(ctx));
}

/* ---- INC, DEC, NOT, NEG ---- */

static ir_temp incdec_rmw(struct x64_ctx *ctx, unsigned size, ir_temp old, const void *arg,
                          struct x64_cc *cc)
{
    bool dec = *(const int *)arg;
    ir_temp cf = x64_get_cf(ctx);   /* kept: INC and DEC leave CF alone */
    ir_temp r = ir_op2(ctx->b, dec ? IR_sub : IR_add, x64_type(size), old,
                       x64_tconst(ctx, size, 1));
    *cc = (struct x64_cc){ dec ? X64_CC_DEC : X64_CC_INC, r, old, cf };
    return r;
}

/* arg 0: INC; 1: DEC. */
void x64_trans_incdec(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_rmw_rm(ctx, in->opsize, incdec_rmw, &in->def->arg);
}

/* NEG sets the flags of 0 - x. */
static ir_temp unary_rmw(struct x64_ctx *ctx, unsigned size, ir_temp old, const void *arg,
                         struct x64_cc *cc)
{
    enum ir_type t = x64_type(size);
    if (*(const int *)arg == 0)
        return ir_op1(ctx->b, IR_not, t, old);
    ir_temp r = ir_op1(ctx->b, IR_neg, t, old);
    *cc = (struct x64_cc){ X64_CC_SUB, r, x64_tconst(ctx, size, 0), old };
    return r;
}

/* arg 0: NOT; 1: NEG. */
void x64_trans_unary(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_rmw_rm(ctx, in->opsize, unary_rmw, &in->def->arg);
}

/* ---- multiplication and division ---- */

/* CF = OF = whether the product does not fit the destination; SF, ZF, AF and PF stay as
 * they were (as AMD CPUs leave them). */
static void mul_flags(struct x64_ctx *ctx, ir_temp overflow)
{
    struct ir_block *b = ctx->b;
    ir_temp co = ir_op2(b, IR_mul, IR_I64, overflow, x64_const(ctx, X64_CF | X64_OF));
    ir_temp old = x64_get_flags_of(ctx, X64_FLAGS_ARITH & ~(uint64_t)(X64_CF | X64_OF));
    x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, old, co));
}

/* The signed product of a and c (size bytes each) truncated to size, and whether it
 * overflowed (i64 0 or 1). */
static ir_temp imul_trunc(struct x64_ctx *ctx, unsigned size, ir_temp a, ir_temp c,
                          ir_temp *overflow)
{
    struct ir_block *b = ctx->b;
    if (size == 8) {
        ir_temp lo = ir_op2(b, IR_mul, IR_I64, a, c);
        ir_temp hi = ir_op2(b, IR_mulhs, IR_I64, a, c);
        *overflow = ir_setcond(b, IR_I64, IR_NE, hi,
                               ir_op2(b, IR_sar, IR_I64, lo, x64_const(ctx, 63)));
        return lo;
    }
    static const enum ir_opc sext[5] = { [1] = IR_sext8, [2] = IR_sext16, [4] = IR_sext32 };
    ir_temp wide = ir_op2(b, IR_mul, IR_I64, ir_op1(b, sext[size], IR_I64, a),
                          ir_op1(b, sext[size], IR_I64, c));
    *overflow = ir_setcond(b, IR_I64, IR_NE, wide, ir_op1(b, sext[size], IR_I64, wide));
    return wide;
}

/* arg 0: Gv = Ev * imm; 1: Gv *= Ev. */
void x64_trans_imul(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp a = x64_get_rm(ctx, size), overflow;
    ir_temp c = in->def->arg == 0 ? x64_tconst(ctx, size, in->imm) : x64_get_greg(ctx, size);
    ir_temp r = imul_trunc(ctx, size, a, c, &overflow);
    x64_put_greg(ctx, size, r);
    mul_flags(ctx, overflow);
}

/* DIV and IDIV in a helper: #DE on a zero divisor or a quotient that does not fit. a0 is the
 * divisor, a1 the size and whether signed (size | 16). */
static uint64_t helper_div(void *cpu_, uint64_t divisor, uint64_t how, uint64_t a2, uint64_t a3)
{
    (void)a2, (void)a3;
    struct x64_cpu *r = cpu_;
    unsigned size = how & 15, bits = 8 * size;
    bool is_signed = how & 16;
    uint64_t mask = size == 8 ? ~0ull : (1ull << bits) - 1;
    unsigned __int128 dividend;
    if (size == 1)
        dividend = r->r[X64_RAX] & 0xffff;
    else
        dividend = (unsigned __int128)(r->r[X64_RDX] & mask) << bits | (r->r[X64_RAX] & mask);
    divisor &= mask;
    if (divisor == 0)
        cpu_raise(cpu_, EXC_DIVIDE, 0);
    uint64_t q, rem;
    if (is_signed) {
        unsigned total = size == 1 ? 16 : 2 * bits;
        __int128 n = (__int128)(dividend << (128 - total)) >> (128 - total);
        int64_t d = (int64_t)(divisor << (64 - bits)) >> (64 - bits);
        /* A dividend that fits 64 bits (nearly all) takes one 64-bit division, not two calls
         * of the 128-bit one. */
        bool narrow = n == (int64_t)n && !(n == INT64_MIN && d == -1);
        __int128 qq = narrow ? (int64_t)n / d : n / d;
        __int128 lim = (__int128)1 << (bits - 1);
        if (qq >= lim || qq < -lim)
            cpu_raise(cpu_, EXC_DIVIDE, 0);
        q = (uint64_t)qq;
        rem = narrow ? (uint64_t)((int64_t)n % d) : (uint64_t)(n - qq * d);
    } else {
        bool narrow = !(uint64_t)(dividend >> 64);
        unsigned __int128 qq = narrow ? (uint64_t)dividend / divisor : dividend / divisor;
        if (qq > mask)
            cpu_raise(cpu_, EXC_DIVIDE, 0);
        q = (uint64_t)qq;
        rem = narrow ? (uint64_t)dividend % divisor : (uint64_t)(dividend - qq * divisor);
    }
    q &= mask;
    rem &= mask;
    if (size == 1) {
        r->r[X64_RAX] = (r->r[X64_RAX] & ~0xffffull) | rem << 8 | q;
    } else if (size == 2) {
        r->r[X64_RAX] = (r->r[X64_RAX] & ~0xffffull) | q;
        r->r[X64_RDX] = (r->r[X64_RDX] & ~0xffffull) | rem;
    } else {
        r->r[X64_RAX] = q;
        r->r[X64_RDX] = rem;
    }
    return 0;
}
static const struct ir_helper div_helper = {
    "x64_div", helper_div, 2, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* arg 0: MUL; 1: IMUL; 2: DIV; 3: IDIV, of rDX:rAX (AX for bytes) by the r/m operand. */
void x64_trans_muldiv(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize, op = (unsigned)in->def->arg;
    ir_temp src = x64_get_rm(ctx, size);
    if (op >= 2) {
        ir_call(b, &div_helper, src, x64_const(ctx, size | (op == 3 ? 16 : 0)), IR_NONE,
                IR_NONE);
        x64_put_flags(ctx, x64_const(ctx, X64_AF));   /* what AMD CPUs leave, mostly */
        return;
    }
    ir_temp a = x64_get_reg(ctx, X64_RAX, size), lo, hi, overflow;
    if (size == 8) {
        lo = ir_op2(b, IR_mul, IR_I64, a, src);
        hi = ir_op2(b, op ? IR_mulhs : IR_mulhu, IR_I64, a, src);
        overflow = op ? ir_setcond(b, IR_I64, IR_NE, hi,
                                   ir_op2(b, IR_sar, IR_I64, lo, x64_const(ctx, 63)))
                      : ir_setcond(b, IR_I64, IR_NE, hi, x64_const(ctx, 0));
    } else {
        ir_temp wide;
        if (op) {
            wide = imul_trunc(ctx, size, a, src, &overflow);
        } else {
            wide = ir_op2(b, IR_mul, IR_I64, x64_zext(ctx, size == 4 ? 4 : size, a),
                          x64_zext(ctx, size == 4 ? 4 : size, src));
            overflow = ir_setcond(b, IR_I64, IR_GTU, wide,
                                  x64_const(ctx, (int64_t)((1ull << (8 * size)) - 1)));
        }
        lo = wide;
        hi = ir_op2(b, IR_shr, IR_I64, wide, x64_const(ctx, 8 * size));
    }
    if (size == 1) {
        x64_put_reg(ctx, X64_RAX, 2, lo);
    } else {
        x64_put_reg(ctx, X64_RAX, size, lo);
        x64_put_reg(ctx, X64_RDX, size, hi);
    }
    mul_flags(ctx, overflow);
}

/* ---- exchanges ---- */

/* arg 0: XCHG r/m, reg (always atomic on memory); 1: XCHG rAX, reg (90+r). */
void x64_trans_xchg(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    if (in->def->arg == 1) {
        if (in->rm == X64_RAX)   /* 90 is NOP whatever the operand size */
            return;
        ir_temp a = x64_get_reg(ctx, X64_RAX, size), c = x64_get_reg(ctx, in->rm, size);
        x64_put_reg(ctx, in->rm, size, a);
        x64_put_reg(ctx, X64_RAX, size, c);
        return;
    }
    ir_temp g = x64_get_greg(ctx, size);
    if (in->mod == 3) {
        ir_temp r = x64_get_reg(ctx, in->rm, size);
        x64_put_reg(ctx, in->rm, size, g);
        x64_put_greg(ctx, size, r);
        return;
    }
    ir_temp old = ir_atomic_rmw(ctx->b, x64_type(size), IR_RMW_XCHG, x64_memop(size),
                                x64_ea(ctx), g);
    x64_put_greg(ctx, size, old);
}

/* XADD: the sum to r/m, the old value to the register; flags of the addition. */
void x64_trans_xadd(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    enum ir_type t = x64_type(size);
    ir_temp g = x64_get_greg(ctx, size), old, sum;
    if (in->mod == 3) {
        old = x64_get_reg(ctx, in->rm, size);
        sum = ir_op2(ctx->b, IR_add, t, old, g);
        x64_put_greg(ctx, size, old);
        x64_put_reg(ctx, in->rm, size, sum);
    } else {
        if (in->prefixes & X64_P_LOCK)
            old = ir_atomic_rmw(ctx->b, t, IR_RMW_ADD, x64_memop(size), x64_ea(ctx), g);
        else
            old = x64_load(ctx, x64_ea(ctx), size);
        sum = ir_op2(ctx->b, IR_add, t, old, g);
        if (!(in->prefixes & X64_P_LOCK))
            x64_store(ctx, x64_ea(ctx), size, sum);
        x64_put_greg(ctx, size, old);
    }
    x64_set_cc(ctx, X64_CC_ADD, size, sum, old, g);
}

/* CMPXCHG: compares rAX with r/m; equal: r/m = reg; else rAX = r/m. Flags of CMP rAX, r/m.
 * The memory form is a compare-and-swap. */
void x64_trans_cmpxchg(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned size = in->opsize;
    enum ir_type t = x64_type(size);
    ir_temp acc = x64_get_reg(ctx, X64_RAX, size), src = x64_get_greg(ctx, size), old;
    if (in->mod == 3) {
        old = x64_get_reg(ctx, in->rm, size);
        ir_temp eq = ir_setcond(b, t, IR_EQ, x64_zext(ctx, size, old), x64_zext(ctx, size, acc));
        ir_temp zero = x64_const(ctx, 0);
        /* the destination is written only when equal (AMD) */
        unsigned n = in->rm;
        bool high = size == 1 && n >= 4 && n < 8 && !(in->prefixes & X64_P_REX);
        size_t full = X64_R(high ? n - 4 : n);
        ir_temp before = ir_get(b, IR_I64, full);
        x64_put_reg(ctx, in->rm, size, src);
        ir_put(b, IR_I64, full, ir_movcond(b, IR_I64, IR_NE, eq, zero, ir_get(b, IR_I64, full),
                                           before));
        /* rAX is written (a 32-bit one zero-extended) only when they differ */
        ir_temp rax = ir_get(b, IR_I64, X64_R(X64_RAX));
        x64_put_reg(ctx, X64_RAX, size, old);
        ir_temp written = ir_get(b, IR_I64, X64_R(X64_RAX));
        ir_put(b, IR_I64, X64_R(X64_RAX), ir_movcond(b, IR_I64, IR_NE, eq, zero, rax, written));
    } else {
        old = ir_cmpxchg(b, t, x64_memop(size), x64_ea(ctx), x64_zext(ctx, size, acc),
                         x64_zext(ctx, size, src));
        ir_temp eq = ir_setcond(b, t, IR_EQ, old, x64_zext(ctx, size, acc));
        ir_temp rax = ir_get(b, IR_I64, X64_R(X64_RAX));
        x64_put_reg(ctx, X64_RAX, size, old);
        ir_temp written = ir_get(b, IR_I64, X64_R(X64_RAX));
        ir_put(b, IR_I64, X64_R(X64_RAX),
               ir_movcond(b, IR_I64, IR_NE, eq, x64_const(ctx, 0), rax, written));
    }
    x64_set_cc(ctx, X64_CC_SUB, size, ir_op2(b, IR_sub, t, acc, old), acc, old);
}

/* A 128-bit compare-and-swap has no host atomic vm can count on (no libatomic): one lock,
 * which makes CMPXCHG16B atomic against the other CMPXCHG16Bs (as AArch64's CASP is). */
static pthread_mutex_t pair_lock = PTHREAD_MUTEX_INITIALIZER;

/* CMPXCHG8B/16B: EDX:EAX (RDX:RAX) against memory; equal: ECX:EBX (RCX:RBX) stored, ZF = 1;
 * else the memory loaded into EDX:EAX, ZF = 0. CMPXCHG16B needs 16-byte alignment (#GP).
 * Returns ZF. */
static uint64_t helper_cmpxchgb(void *cpu_, uint64_t addr, uint64_t size, uint64_t a2,
                                uint64_t a3)
{
    (void)a2, (void)a3;
    struct x64_cpu *r = cpu_;
    bool eq;
    if (size == 16) {
        if (addr & 15)
            cpu_raise(cpu_, EXC_PROTECTION, 0);
        uint64_t *p = mem_ptr(cpu_, addr, 16, MEM_WRITE, X64_MMU_USER), seen[2];
        pthread_mutex_lock(&pair_lock);
        memcpy(seen, p, 16);
        eq = seen[0] == r->r[X64_RAX] && seen[1] == r->r[X64_RDX];
        if (eq) {
            p[0] = r->r[X64_RBX];
            p[1] = r->r[X64_RCX];
        }
        pthread_mutex_unlock(&pair_lock);
        if (!eq) {
            r->r[X64_RAX] = seen[0];
            r->r[X64_RDX] = seen[1];
        }
    } else {
        uint64_t *p = mem_ptr(cpu_, addr, 8, MEM_WRITE, X64_MMU_USER);
        uint64_t expected = (r->r[X64_RDX] & 0xffffffff) << 32 | (r->r[X64_RAX] & 0xffffffff);
        uint64_t desired = (r->r[X64_RCX] & 0xffffffff) << 32 | (r->r[X64_RBX] & 0xffffffff);
        eq = __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
        if (!eq) {
            r->r[X64_RAX] = (uint32_t)expected;
            r->r[X64_RDX] = expected >> 32;
        }
    }
    mem_report(cpu_, addr, (unsigned)size, MEM_READ | MEM_WRITE);
    return eq;
}
static const struct ir_helper cmpxchgb_helper = {
    "x64_cmpxchgb", helper_cmpxchgb, 2,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

/* arg: 8 or 16 bytes. Only ZF changes. */
void x64_trans_cmpxchgb(struct x64_ctx *ctx, const struct x64_insn *in)
{
    struct ir_block *b = ctx->b;
    ir_temp flags = x64_get_flags_of(ctx, X64_FLAGS_ARITH & ~(uint64_t)X64_ZF);
    ir_temp zf = ir_call(b, &cmpxchgb_helper, x64_ea(ctx), x64_const(ctx, in->def->arg),
                         IR_NONE, IR_NONE);
    x64_put_flags(ctx, ir_op2(b, IR_or, IR_I64, flags,
                              ir_op2(b, IR_shl, IR_I64, zf, x64_const(ctx, 6))));
}

/* ---- sign extension within rAX and rDX ---- */

/* CBW, CWDE, CDQE: the lower half of rAX sign-extended into all of it. */
void x64_trans_cbw(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    static const enum ir_opc ext[9] = { [2] = IR_sext8, [4] = IR_sext16, [8] = IR_sext32 };
    x64_put_reg(ctx, X64_RAX, size,
                ir_op1(ctx->b, ext[size], x64_type(size), x64_get_reg(ctx, X64_RAX, 8)));
}

/* CWD, CDQ, CQO: rDX = the sign of rAX, repeated. */
void x64_trans_cwd(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp a = x64_sext(ctx, size, x64_get_reg(ctx, X64_RAX, size));
    x64_put_reg(ctx, X64_RDX, size,
                ir_op2(ctx->b, IR_sar, x64_type(size), a, x64_tconst(ctx, size, 8 * size - 1)));
}

/* ---- conditions ---- */

void x64_trans_setcc(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_put_rm(ctx, 1, x64_cond_value(ctx, (unsigned)in->def->arg));
}

/* The source is read (and may fault) whatever the condition; a 32-bit destination is
 * zero-extended even when the condition is false. */
void x64_trans_cmovcc(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp src = x64_get_rm(ctx, size), dst = x64_get_greg(ctx, size);
    ir_temp c = x64_cond_value(ctx, (unsigned)in->def->arg);
    x64_put_greg(ctx, size, ir_movcond(ctx->b, IR_I64, IR_NE, c, x64_const(ctx, 0), src, dst));
}

/* ---- byte order ---- */

/* BSWAP of a 16-bit register gives 0, as the CPUs do. */
void x64_trans_bswap(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    ir_temp v = size == 2 ? x64_tconst(ctx, 2, 0)
                          : ir_op1(ctx->b, IR_bswap, x64_type(size),
                                   x64_get_reg(ctx, in->rm, size));
    x64_put_reg(ctx, in->rm, size, v);
}

static ir_temp swap_bytes(struct x64_ctx *ctx, unsigned size, ir_temp v)
{
    if (size == 2)
        return ir_op2(ctx->b, IR_shr, IR_I32, ir_op1(ctx->b, IR_bswap, IR_I32, v),
                      ir_const(ctx->b, IR_I32, 16));
    return ir_op1(ctx->b, IR_bswap, x64_type(size), v);
}

/* arg 0: MOVBE reg, mem; 1: MOVBE mem, reg. */
void x64_trans_movbe(struct x64_ctx *ctx, const struct x64_insn *in)
{
    unsigned size = in->opsize;
    if (in->def->arg == 0)
        x64_put_greg(ctx, size, swap_bytes(ctx, size, x64_get_rm(ctx, size)));
    else
        x64_put_rm(ctx, size, swap_bytes(ctx, size, x64_get_greg(ctx, size)));
}
