/* x86-64 integer data movement and arithmetic to IR: the eight ALU operations in their six
 * opcode forms and group 1, TEST, MOV in every form, MOVZX/MOVSX/MOVSXD and LEA. 8- and
 * 16-bit operations compute in i32 and deposit into the register; 32-bit ones zero-extend.
 * A destination is written before the flags are, so that a faulting store leaves the flags
 * as they were. */
#include "guest/x86_64/translate.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* A flag-setting operation computed but not yet recorded. */
struct pending_cc {
    enum x64_cc_kind kind;
    ir_temp dst, src1, src2;
};

static ir_temp alu_compute(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp a,
                           ir_temp c, struct pending_cc *cc)
{
    struct ir_block *b = ctx->b;
    enum ir_type t = x64_type(size);
    ir_temp r;
    *cc = (struct pending_cc){ X64_CC_LOGIC, IR_NONE, IR_NONE, IR_NONE };
    switch (op) {
    case ALU_ADD:
        r = ir_op2(b, IR_add, t, a, c);
        *cc = (struct pending_cc){ X64_CC_ADD, r, a, c };
        break;
    case ALU_ADC:
    case ALU_SBB: {
        ir_temp cf = x64_get_cf(ctx);
        enum ir_opc opc = op == ALU_ADC ? IR_add : IR_sub;
        r = ir_op2(b, opc, t, ir_op2(b, opc, t, a, c), cf);
        *cc = (struct pending_cc){ op == ALU_ADC ? X64_CC_ADC : X64_CC_SBB, r, a, c };
        break;
    }
    case ALU_SUB:
    case ALU_CMP:
        r = ir_op2(b, IR_sub, t, a, c);
        *cc = (struct pending_cc){ X64_CC_SUB, r, a, c };
        break;
    case ALU_OR: r = ir_op2(b, IR_or, t, a, c); break;
    case ALU_AND: r = ir_op2(b, IR_and, t, a, c); break;
    default: r = ir_op2(b, IR_xor, t, a, c); break;
    }
    if (cc->kind == X64_CC_LOGIC)
        cc->dst = r;
    return r;
}

static void commit_cc(struct x64_ctx *ctx, unsigned size, const struct pending_cc *cc)
{
    x64_set_cc(ctx, cc->kind, size, cc->dst, cc->src1, cc->src2);
}

/* A LOCK'ed read-modify-write of the memory operand: compare-and-swap the result in, and run
 * the instruction again if memory changed since the load (nothing is written before). */
static ir_temp locked_rmw(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp c,
                          struct pending_cc *cc)
{
    ir_temp addr = x64_ea(ctx);
    ir_temp old = x64_load(ctx, addr, size);
    ir_temp r = alu_compute(ctx, op, size, old, c, cc);
    unsigned memop = size == 1 ? IR_MO_8 : size == 2 ? IR_MO_16 : size == 4 ? IR_MO_32 : IR_MO_64;
    ir_temp seen = ir_cmpxchg(ctx->b, x64_type(size), memop | IR_MO_MMU(X64_MMU_USER), addr, old,
                              x64_zext(ctx, size, r));
    ir_exit_if(ctx->b, x64_type(size), IR_NE, seen, old, ctx->pc);
    return r;
}

/* dest op= src with the destination the r/m operand. */
static void alu_to_rm(struct x64_ctx *ctx, unsigned op, unsigned size, ir_temp src)
{
    struct pending_cc cc;
    if (ctx->in->prefixes & X64_P_LOCK) {
        locked_rmw(ctx, op, size, src, &cc);
    } else {
        ir_temp r = alu_compute(ctx, op, size, x64_get_rm(ctx, size), src, &cc);
        if (op != ALU_CMP)
            x64_put_rm(ctx, size, r);
    }
    commit_cc(ctx, size, &cc);
}

static void alu_to_reg(struct x64_ctx *ctx, unsigned op, unsigned size, unsigned reg,
                       ir_temp src)
{
    struct pending_cc cc;
    ir_temp r = alu_compute(ctx, op, size, x64_get_reg(ctx, reg, size), src, &cc);
    if (op != ALU_CMP)
        x64_put_reg(ctx, reg, size, r);
    commit_cc(ctx, size, &cc);
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
    case 3: {
        struct pending_cc cc;
        ir_temp r = alu_compute(ctx, op, size, x64_get_greg(ctx, size), x64_get_rm(ctx, size), &cc);
        if (op != ALU_CMP)
            x64_put_greg(ctx, size, r);
        commit_cc(ctx, size, &cc);
        break;
    }
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
        v = ir_op1(ctx->b, IR_sext32, IR_I64, x64_get_rm(ctx, 4));
        break;
    case 1: v = x64_get_rm(ctx, 1); break;
    case 2: v = x64_get_rm(ctx, 2); break;
    case 3: v = ir_op1(ctx->b, IR_sext8, t, x64_get_rm(ctx, 1)); break;
    default: v = ir_op1(ctx->b, IR_sext16, t, x64_get_rm(ctx, 2)); break;
    }
    x64_put_greg(ctx, size, v);
}

/* The offset alone: LEA applies no segment base. */
void x64_trans_lea(struct x64_ctx *ctx, const struct x64_insn *in)
{
    x64_put_greg(ctx, in->opsize, x64_ea_offset(ctx));
}
