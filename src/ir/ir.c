/* The op table expanded into data, and the block builder the guest frontends call. */
#include "ir/ir.h"

#include <string.h>

const struct ir_opdef ir_opdefs[IR_NOPS] = {
#define IR_OP(name, nout, nin, flags, class) [IR_##name] = { #name, nout, nin, flags, IR_CLASS_##class },
#include "ir/ops.def"
#undef IR_OP
};

void ir_block_init(struct ir_block *b, uint64_t pc)
{
    b->pc = pc;
    b->end_pc = pc;
    b->flags = 0;
    b->n_insns = 0;
    b->n_ops = 0;
    b->n_temps = 0;
    b->overflow = false;
}

/* The largest guest instruction (an FP fused multiply-add with rounding, an SC) stays well
 * under these margins. */
bool ir_block_full(const struct ir_block *b)
{
    return b->n_ops + 64 > IR_MAX_OPS || b->n_temps + 64 > IR_MAX_TEMPS ||
           b->n_insns >= IR_MAX_INSNS;
}

bool ir_op_pure(const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    if (op->opc == IR_call)
        return ((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_PURE;
    return d->n_out == 1 &&
           !(d->flags & (IR_F_SIDE | IR_F_FAULT | IR_F_EXIT | IR_F_MEM | IR_F_WSTATE));
}

ir_temp ir_new_temp(struct ir_block *b, enum ir_type type)
{
    if (b->n_temps >= IR_MAX_TEMPS) {
        b->overflow = true;
        return 0;
    }
    b->temp_type[b->n_temps] = type;
    return b->n_temps++;
}

struct ir_op *ir_emit(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp dst,
                      ir_temp s0, ir_temp s1, ir_temp s2, ir_temp s3, int64_t imm)
{
    static struct ir_op overflow_sink;
    if (b->n_ops >= IR_MAX_OPS) {
        b->overflow = true;
        return &overflow_sink;
    }
    struct ir_op *op = &b->ops[b->n_ops++];
    *op = (struct ir_op){ .opc = opc, .type = type, .dst = dst, .src = { s0, s1, s2, s3 },
                          .imm = imm };
    return op;
}

static ir_temp emit_def(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a,
                        ir_temp c, int64_t imm)
{
    ir_temp d = ir_new_temp(b, type);
    ir_emit(b, opc, type, d, a, c, IR_NONE, IR_NONE, imm);
    return d;
}

ir_temp ir_const(struct ir_block *b, enum ir_type type, int64_t value)
{
    return emit_def(b, IR_const, type, IR_NONE, IR_NONE, value);
}

ir_temp ir_get(struct ir_block *b, enum ir_type type, size_t offset)
{
    return emit_def(b, IR_get, type, IR_NONE, IR_NONE, (int64_t)offset);
}

void ir_put(struct ir_block *b, enum ir_type type, size_t offset, ir_temp value)
{
    ir_emit(b, IR_put, type, IR_NONE, value, IR_NONE, IR_NONE, IR_NONE, (int64_t)offset);
}

ir_temp ir_op1(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a)
{
    return emit_def(b, opc, type, a, IR_NONE, 0);
}

ir_temp ir_op2(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a, ir_temp c)
{
    return emit_def(b, opc, type, a, c, 0);
}

ir_temp ir_op1i(struct ir_block *b, enum ir_opc opc, enum ir_type type, ir_temp a, int64_t imm)
{
    return emit_def(b, opc, type, a, IR_NONE, imm);
}

ir_temp ir_setcond(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c)
{
    ir_temp d = ir_new_temp(b, IR_I64);
    struct ir_op *op = ir_emit(b, IR_setcond, type, d, a, c, IR_NONE, IR_NONE, 0);
    op->cond = cond;
    return d;
}

ir_temp ir_movcond(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c,
                   ir_temp if_true, ir_temp if_false)
{
    ir_temp d = ir_new_temp(b, type);
    struct ir_op *op = ir_emit(b, IR_movcond, type, d, a, c, if_true, if_false, 0);
    op->cond = cond;
    return d;
}

ir_temp ir_ld(struct ir_block *b, enum ir_type type, unsigned memop, ir_temp addr, int64_t offset)
{
    ir_temp d = ir_new_temp(b, type);
    struct ir_op *op = ir_emit(b, IR_ld, type, d, addr, IR_NONE, IR_NONE, IR_NONE, offset);
    op->aux = memop;
    return d;
}

void ir_st(struct ir_block *b, unsigned memop, ir_temp addr, int64_t offset, ir_temp value)
{
    struct ir_op *op = ir_emit(b, IR_st, IR_I64, IR_NONE, addr, value, IR_NONE, IR_NONE, offset);
    op->aux = memop;
}

ir_temp ir_atomic_rmw(struct ir_block *b, enum ir_type type, enum ir_rmw kind, unsigned memop,
                      ir_temp addr, ir_temp value)
{
    ir_temp d = ir_new_temp(b, type);
    struct ir_op *op = ir_emit(b, IR_atomic_rmw, type, d, addr, value, IR_NONE, IR_NONE, 0);
    op->cond = kind;
    op->aux = memop;
    return d;
}

ir_temp ir_cmpxchg(struct ir_block *b, enum ir_type type, unsigned memop, ir_temp addr,
                   ir_temp expected, ir_temp newval)
{
    ir_temp d = ir_new_temp(b, type);
    struct ir_op *op = ir_emit(b, IR_cmpxchg, type, d, addr, expected, newval, IR_NONE, 0);
    op->aux = memop;
    return d;
}

void ir_fence(struct ir_block *b)
{
    ir_emit(b, IR_fence, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, 0);
}

ir_temp ir_call(struct ir_block *b, const struct ir_helper *h, ir_temp a0, ir_temp a1, ir_temp a2,
                ir_temp a3)
{
    ir_temp d = ir_new_temp(b, (enum ir_type)h->ret_type);
    ir_emit(b, IR_call, (enum ir_type)h->ret_type, d, a0, a1, a2, a3, (int64_t)(intptr_t)h);
    return d;
}

void ir_insn_start(struct ir_block *b, uint64_t pc)
{
    ir_emit(b, IR_insn_start, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, (int64_t)pc);
}

void ir_exit_if(struct ir_block *b, enum ir_type type, enum ir_cond cond, ir_temp a, ir_temp c,
                uint64_t target_pc)
{
    struct ir_op *op = ir_emit(b, IR_exit_if, type, IR_NONE, a, c, IR_NONE, IR_NONE,
                               (int64_t)target_pc);
    op->cond = cond;
}

void ir_goto_pc(struct ir_block *b, uint64_t pc)
{
    ir_emit(b, IR_goto_pc, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, (int64_t)pc);
}

void ir_goto_ind(struct ir_block *b, ir_temp pc)
{
    ir_emit(b, IR_goto_ind, IR_I64, IR_NONE, pc, IR_NONE, IR_NONE, IR_NONE, 0);
}

void ir_exit(struct ir_block *b, int exc, uint64_t pc)
{
    struct ir_op *op = ir_emit(b, IR_exit, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE,
                               (int64_t)pc);
    op->aux = (uint8_t)exc;
}

void ir_loop(struct ir_block *b, uint64_t pc)
{
    ir_emit(b, IR_loop, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, (int64_t)pc);
}

void ir_goto_loop(struct ir_block *b, uint64_t pc)
{
    ir_emit(b, IR_goto_loop, IR_I64, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, (int64_t)pc);
}

const uint8_t ir_cond_inverse[IR_NCONDS] = {
    [IR_EQ] = IR_NE, [IR_NE] = IR_EQ, [IR_LT] = IR_GE, [IR_GE] = IR_LT, [IR_LE] = IR_GT,
    [IR_GT] = IR_LE, [IR_LTU] = IR_GEU, [IR_GEU] = IR_LTU, [IR_LEU] = IR_GTU, [IR_GTU] = IR_LEU,
};

const uint8_t ir_cond_swapped[IR_NCONDS] = {
    [IR_EQ] = IR_EQ, [IR_NE] = IR_NE, [IR_LT] = IR_GT, [IR_GE] = IR_LE, [IR_LE] = IR_GE,
    [IR_GT] = IR_LT, [IR_LTU] = IR_GTU, [IR_GEU] = IR_LEU, [IR_LEU] = IR_GEU, [IR_GTU] = IR_LTU,
};
