/* The IR printer behind --log=op: one line per op, temps as t<N>, state offsets in brackets. */
#include "ir/ir.h"

#include <inttypes.h>

static const char *const type_names[IR_NTYPES] = { "i32", "i64", "f32", "f64", "v128" };
static const char *const cond_names[IR_NCONDS] = {
    "eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu",
};
static const char *const rmw_names[IR_NRMW] = {
    "xchg", "add", "and", "or", "xor", "smin", "smax", "umin", "umax",
};

const char *ir_type_name(enum ir_type t)
{
    return t < IR_NTYPES ? type_names[t] : "?";
}

const char *ir_cond_name(enum ir_cond c)
{
    return c < IR_NCONDS ? cond_names[c] : "?";
}

static void print_op(FILE *f, const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    fprintf(f, "  ");
    if (d->n_out)
        fprintf(f, "t%-4u = ", op->dst);
    else
        fprintf(f, "         ");
    fprintf(f, "%s.%s", d->name, ir_type_name((enum ir_type)op->type));
    if (op->opc == IR_atomic_rmw)
        fprintf(f, ".%s", op->cond < IR_NRMW ? rmw_names[op->cond] : "?");
    else if (d->flags & IR_F_COND)
        fprintf(f, ".%s", ir_cond_name((enum ir_cond)op->cond));
    if (d->flags & IR_F_MEM)
        fprintf(f, ".%s%d", op->aux & IR_MO_SIGN ? "s" : "u", 8 << (op->aux & IR_MO_SIZE));
    if ((d->flags & IR_F_MEM) && ir_mo_mmu(op->aux))
        fprintf(f, ".mmu%u", ir_mo_mmu(op->aux));
    for (unsigned i = 0; i < d->n_in; i++)
        if (op->src[i] != IR_NONE)
            fprintf(f, "%s t%u", i ? "," : "", op->src[i]);
    if (op->opc == IR_call)
        fprintf(f, " %s", ((const struct ir_helper *)(intptr_t)op->imm)->name);
    else if (op->opc == IR_get || op->opc == IR_put)
        fprintf(f, " [%" PRId64 "]", op->imm);
    else if (op->opc == IR_exit)
        fprintf(f, " exc=%u pc=0x%" PRIx64, op->aux, op->imm);
    else if (d->flags & IR_F_IMM)
        fprintf(f, " 0x%" PRIx64, op->imm);
    fputc('\n', f);
}

void ir_print(FILE *f, const struct ir_block *b)
{
    fprintf(f, "IR block pc=0x%" PRIx64 " insns=%u ops=%u temps=%u\n", b->pc, b->n_insns,
            b->n_ops, b->n_temps);
    for (uint32_t i = 0; i < b->n_ops; i++)
        print_op(f, &b->ops[i]);
}
