/* The x86-64 backend's register allocator: temps get host registers in a linear scan over
 * the block (freed at their last use; when none is free a temp lives in its slot of the
 * CPU's temps area), constants stay immediates until an instruction needs them in a
 * register, and a call keeps the temps in caller-saved registers alive through their slots.
 * rax, rcx and rdx are scratch; r13-r15 are fixed (guest limit, cpu, guest base). */
#include <stdlib.h>

#include "host/x86_64/lower.h"

static const uint8_t alloc_order[] = { RBX, RBP, R12, RSI, RDI, R8, R9, R10, R11 };
#define CALLER_SAVED (1u << RSI | 1u << RDI | 1u << R8 | 1u << R9 | 1u << R10 | 1u << R11)

/* A get can be read in place if nothing writes that state before its last use; a guest
 * address base used more than once wants a register. */
bool ra_get_in_place(const struct lower *lw, uint32_t i)
{
    const struct ir_op *g = &lw->b->ops[i];
    if (g->type != IR_I64 && g->type != IR_F64)
        return false;
    unsigned base_uses = 0;
    for (uint32_t j = i + 1; j <= lw->last_use[g->dst]; j++) {
        const struct ir_op *op = &lw->b->ops[j];
        if ((op->opc == IR_ld || op->opc == IR_st) && op->src[0] == g->dst && ++base_uses > 1)
            return false;
        if (op->opc == IR_put && op->imm < g->imm + 8 && op->imm + 8 > g->imm)
            return false;
        if (op->opc == IR_call &&
            (((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_WSTATE))
            return false;
    }
    return true;
}

void ra_analyse(struct lower *lw)
{
    const struct ir_block *b = lw->b;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        for (unsigned s = 0; s < d->n_in; s++)
            if (op->src[s] != IR_NONE)
                lw->last_use[op->src[s]] = i;
        if (d->n_out) {
            lw->last_use[op->dst] = i;
            lw->loc[op->dst] = 0;
            lw->checked[op->dst] = 0;
        }
    }
}

/* The operand of t as r/m; a constant is loaded into scratch. */
struct x86_rm ra_rm(struct lower *lw, ir_temp t, unsigned scratch)
{
    switch (lw->loc[t]) {
    case L_REG:
        return xr(lw->reg[t]);
    case L_MEM:
        return xm(R14, lw->mem[t]);
    default:
        x86_mov_imm(lw->o, scratch, (uint64_t)lw->val[t]);
        return xr(scratch);
    }
}

/* A register holding t (64 bits). */
unsigned ra_reg(struct lower *lw, ir_temp t, unsigned scratch)
{
    if (lw->loc[t] == L_REG)
        return lw->reg[t];
    struct x86_rm rm = ra_rm(lw, t, scratch);
    if (rm.mem)
        x86_emit(lw->o, X_MOV, true, scratch, rm, 0);
    return scratch;
}

/* r = t, zero-extended from 32 bits unless w64. */
void ra_load(struct lower *lw, unsigned r, ir_temp t, bool w64)
{
    if (lw->loc[t] == L_CONST)
        x86_mov_imm(lw->o, r, w64 ? (uint64_t)lw->val[t] : (uint32_t)lw->val[t]);
    else if (lw->loc[t] != L_REG || lw->reg[t] != r || !w64)
        x86_emit(lw->o, X_MOV, w64, r, ra_rm(lw, t, r), 0);
}

/* t as a 32-bit immediate of an op of width w64, if it is a constant that fits. */
bool ra_imm(const struct lower *lw, ir_temp t, bool w64, int32_t *imm)
{
    if (lw->loc[t] != L_CONST || (w64 && !x86_fits32(lw->val[t])))
        return false;
    *imm = (int32_t)lw->val[t];
    return true;
}

/* Give t a home: a free register, else its slot (then the op computes into spill_reg and
 * ra_def_done stores it). Returns the register to compute into. */
unsigned ra_def(struct lower *lw, ir_temp t, unsigned spill_reg)
{
    for (unsigned k = 0; k < sizeof(alloc_order); k++) {
        unsigned r = alloc_order[k];
        if (!(lw->busy & 1u << r)) {
            lw->busy |= 1u << r;
            lw->holder[r] = t;
            lw->loc[t] = L_REG;
            lw->reg[t] = (uint8_t)r;
            return r;
        }
    }
    lw->loc[t] = L_MEM;
    lw->mem[t] = slot_of(lw, t);
    return spill_reg;
}

/* Like def, but t takes over the register of src if this op is src's last use (so that
 * "mov r, src; op r, ..." loses its mov). Only for ops that read src before writing r. */
unsigned ra_def_reusing(struct lower *lw, ir_temp t, ir_temp src)
{
    if (src == IR_NONE || lw->loc[src] != L_REG || lw->last_use[src] != lw->i ||
        lw->holder[lw->reg[src]] != src)
        return ra_def(lw, t, RAX);
    unsigned r = lw->reg[src];
    lw->holder[r] = t;
    lw->loc[t] = L_REG;
    lw->reg[t] = (uint8_t)r;
    return r;
}

void ra_def_done(struct lower *lw, ir_temp t, unsigned r)
{
    if (lw->loc[t] == L_MEM)
        x86_emit(lw->o, X_ST, true, r, xm(R14, lw->mem[t]), 0);
    else if (lw->reg[t] != r)
        x86_emit(lw->o, X_MOV, true, lw->reg[t], xr(r), 0);
}

void ra_free_dead(struct lower *lw, const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    for (unsigned s = 0; s < d->n_in; s++) {
        ir_temp t = op->src[s];
        if (t != IR_NONE && lw->last_use[t] == lw->i && lw->loc[t] == L_REG &&
            lw->holder[lw->reg[t]] == t)
            lw->busy &= ~(1u << lw->reg[t]);
    }
    if (d->n_out && lw->last_use[op->dst] <= lw->i && lw->loc[op->dst] == L_REG)
        lw->busy &= ~(1u << lw->reg[op->dst]);
}

/* ---- calls ---- */

/* dst = fn([cpu,] args...): records the position for fault mapping, keeps live temps in
 * caller-saved registers across the call through their slots (also the op's own operands
 * when the op goes on after the call: mid_op). */
void ra_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
                      unsigned n, ir_temp dst, bool mid_op)
{
    static const uint8_t arg_regs[] = { RDI, RSI, RDX, RCX, R8, R9 };
    struct x86_buf *o = lw->o;
    x86_lea_rip(o, RAX, rx_of(lw, o->p));
    x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(cur_op)), 0);
    uint32_t saved = lw->busy & CALLER_SAVED;
    for (unsigned r = 0; r < 16; r++)
        if (saved & 1u << r)
            x86_emit(o, X_ST, true, r, xm(R14, slot_of(lw, lw->holder[r])), 0);
    unsigned k = 0;
    if (with_cpu)
        x86_emit(o, X_MOV, true, arg_regs[k++], xr(R14), 0);
    for (unsigned a = 0; a < n; a++, k++) {
        ir_temp t = args[a].t;
        if (t == IR_NONE)
            x86_mov_imm(o, arg_regs[k], (uint64_t)args[a].imm);
        else if (lw->loc[t] == L_REG && (saved & 1u << lw->reg[t]))
            x86_emit(o, X_MOV, true, arg_regs[k], xm(R14, slot_of(lw, t)), 0);
        else
            ra_load(lw, arg_regs[k], t, true);
    }
    x86_call(o, fn);
    if (dst != IR_NONE) {
        unsigned r = ra_def(lw, dst, RAX);
        if (r != RAX)
            x86_emit(o, X_MOV, true, r, xr(RAX), 0);
        ra_def_done(lw, dst, r);
    }
    for (unsigned r = 0; r < 16; r++)
        if ((saved & 1u << r) && lw->last_use[lw->holder[r]] + mid_op > lw->i)
            x86_emit(o, X_MOV, true, r, xm(R14, slot_of(lw, lw->holder[r])), 0);
}

void ra_call_helper(struct lower *lw, enum x86_helper h, const struct ir_op *op)
{
    struct arg args[2] = { { op->src[0], 0 }, { op->src[1], 0 } };
    ra_call(lw, lw->abi->helper[h], false, args, ir_opdefs[op->opc].n_in, op->dst, false);
}
