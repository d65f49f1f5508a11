/* The IR verifier: checks the structural rules docs/ir.md states, so a frontend bug shows up
 * as a clear message at translation time instead of a wrong result later. */
#include "ir/ir.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static int fail(char *err, size_t len, uint32_t i, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, len, "op %u: ", i);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < len)
        vsnprintf(err + n, len - n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static bool is_int(enum ir_type t)
{
    return t == IR_I32 || t == IR_I64;
}

int ir_verify(const struct ir_block *b, char *err, size_t errlen)
{
    static uint8_t defined[IR_MAX_TEMPS];
    if (b->overflow)
        return fail(err, errlen, b->n_ops, "block overflowed the builder's limits");
    if (b->n_ops == 0)
        return fail(err, errlen, 0, "empty block");
    memset(defined, 0, b->n_temps);
    const struct ir_op *loop = NULL;
    uint8_t gen = 1;   /* defined[t]: 1 before the loop op, 2 after; only those of gen are usable */
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc >= IR_NOPS)
            return fail(err, errlen, i, "unknown opcode %u", op->opc);
        if (op->opc == IR_loop) {   /* no temp lives across the back edge */
            if (loop)
                return fail(err, errlen, i, "loop: a second loop");
            loop = op;
            gen = 2;
        }
        if (op->opc == IR_goto_loop && (!loop || loop->imm != op->imm))
            return fail(err, errlen, i, "goto_loop: no loop at 0x%llx before it",
                        (unsigned long long)op->imm);
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        if (op->type >= IR_NTYPES)
            return fail(err, errlen, i, "%s: bad type %u", d->name, op->type);
        for (unsigned s = 0; s < 4; s++) {
            ir_temp t = op->src[s];
            bool optional = op->opc == IR_call;
            if (s >= d->n_in || (optional && t == IR_NONE)) {
                if (t != IR_NONE && s >= d->n_in)
                    return fail(err, errlen, i, "%s: extra operand %u", d->name, s);
                continue;
            }
            if (t == IR_NONE || t >= b->n_temps)
                return fail(err, errlen, i, "%s: operand %u is not a temp", d->name, s);
            if (defined[t] != gen)
                return fail(err, errlen, i, "%s: t%u used before it is defined%s", d->name, t,
                            defined[t] ? " (before the loop)" : "");
        }
        if (d->n_out) {
            if (op->dst >= b->n_temps)
                return fail(err, errlen, i, "%s: bad destination", d->name);
            if (defined[op->dst])
                return fail(err, errlen, i, "%s: t%u defined twice", d->name, op->dst);
            if (b->temp_type[op->dst] != op->type && op->opc != IR_setcond)
                return fail(err, errlen, i, "%s: t%u has type %s, op has %s", d->name, op->dst,
                            ir_type_name((enum ir_type)b->temp_type[op->dst]),
                            ir_type_name((enum ir_type)op->type));
            defined[op->dst] = gen;
        } else if (op->dst != IR_NONE) {
            return fail(err, errlen, i, "%s: has no result but names t%u", d->name, op->dst);
        }
        if ((d->flags & IR_F_COND) && op->cond >= IR_NCONDS)
            return fail(err, errlen, i, "%s: bad condition %u", d->name, op->cond);
        if (op->opc == IR_atomic_rmw && op->cond >= IR_NRMW)
            return fail(err, errlen, i, "atomic_rmw: bad kind %u", op->cond);
        if ((d->flags & IR_F_MEM) && (op->aux & ~(IR_MO_SIZE | IR_MO_SIGN | IR_MO_MMU_MASK)))
            return fail(err, errlen, i, "%s: bad memop 0x%x", d->name, op->aux);
        if (op->opc == IR_call && !op->imm)
            return fail(err, errlen, i, "call: no helper");
        bool arith = !(d->flags & (IR_F_MEM | IR_F_EXIT)) && op->opc != IR_call &&
                     op->opc != IR_const && op->opc != IR_mov && op->opc != IR_get &&
                     op->opc != IR_put && op->opc != IR_insn_start && op->opc != IR_fence;
        bool is_float_op = op->opc >= IR_fadd && op->opc <= IR_fsqrt;
        if (arith && is_float_op != !is_int((enum ir_type)op->type))
            return fail(err, errlen, i, "%s: wrong type %s", d->name,
                        ir_type_name((enum ir_type)op->type));
        if ((d->flags & IR_F_END) && i != b->n_ops - 1)
            return fail(err, errlen, i, "%s: block-ending op is not last", d->name);
    }
    if (!(ir_opdefs[b->ops[b->n_ops - 1].opc].flags & IR_F_END))
        return fail(err, errlen, b->n_ops - 1, "block does not end with goto_pc/goto_ind/exit");
    return 0;
}
