/* The AArch64 backend's register allocator: temps get host registers in a linear scan over
 * the block (freed at their last use; when none is free a temp lives in its slot of the
 * CPU's temps area), constants stay immediates until an instruction needs them in a
 * register, and a call keeps the temps in caller-saved registers alive through their slots.
 * Puts are stored at once, so guest state is exact wherever code can fault. */
#include "host/aarch64/lower.h"

static const uint8_t alloc_order[] = { 19, 20, 21, 22, 23, 24, 25, 9, 10, 11, 12, 13, 14 };
#define CALLER_SAVED (0x3fu << 9)   /* x9..x14 */

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

static bool is32(const struct lower *lw, ir_temp t)
{
    uint8_t ty = lw->b->temp_type[t];
    return ty == IR_I32 || ty == IR_F32;
}

void ra_ldst_cpu(struct lower *lw, bool store, bool w64, unsigned r, int64_t off,
                 unsigned addr_scratch)
{
    enum a64_insn insn = store ? (w64 ? A_STRX : A_STRW) : (w64 ? A_LDRX : A_LDRW);
    unsigned size = w64 ? 8 : 4;
    if (off >= 0 && off % size == 0 && off / size < 4096) {
        a64_emit(lw->o, insn, true, r, R_CPU, A64_NOREG, off);
        return;
    }
    a64_mov_imm(lw->o, addr_scratch, (uint64_t)off);
    a64_emit(lw->o, insn, true, r, R_CPU, addr_scratch, 0);
}

unsigned ra_src(struct lower *lw, ir_temp t, unsigned scratch, bool zr_ok)
{
    switch (lw->loc[t]) {
    case L_REG:
        return lw->reg[t];
    case L_MEM:
        ra_ldst_cpu(lw, false, true, scratch, lw->mem[t], scratch);
        return scratch;
    default: {
        uint64_t v = is32(lw, t) ? (uint32_t)lw->val[t] : (uint64_t)lw->val[t];
        if (!v && zr_ok)
            return A64_ZR;
        a64_mov_imm(lw->o, scratch, v);
        return scratch;
    }
    }
}

void ra_load(struct lower *lw, unsigned r, ir_temp t)
{
    unsigned s = ra_src(lw, t, r, false);
    if (s != r)
        a64_mov(lw->o, true, r, s);
}

unsigned ra_def(struct lower *lw, ir_temp t)
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
    return SD;
}

/* Like def, but t takes over the register of src if this op is src's last use. Only for
 * ops that read src before writing their result. */
unsigned ra_def_reusing(struct lower *lw, ir_temp t, ir_temp src)
{
    if (src == IR_NONE || lw->loc[src] != L_REG || lw->last_use[src] != lw->i ||
        lw->holder[lw->reg[src]] != src)
        return ra_def(lw, t);
    unsigned r = lw->reg[src];
    lw->holder[r] = t;
    lw->loc[t] = L_REG;
    lw->reg[t] = (uint8_t)r;
    return r;
}

void ra_def_done(struct lower *lw, ir_temp t, unsigned r)
{
    if (lw->loc[t] == L_MEM)
        ra_ldst_cpu(lw, true, true, r, lw->mem[t], S0);
    else if (lw->reg[t] != r)
        a64_mov(lw->o, true, lw->reg[t], r);
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
    if (d->n_out && lw->last_use[op->dst] <= lw->i && lw->loc[op->dst] == L_REG &&
        lw->holder[lw->reg[op->dst]] == op->dst)
        lw->busy &= ~(1u << lw->reg[op->dst]);
}

/* dst = fn([cpu,] args...): records the position for fault mapping (cur_op), keeps live
 * temps in caller-saved registers across the call through their slots (also the op's own
 * operands when the op goes on after the call: mid_op). */
void ra_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
             unsigned n, ir_temp dst, bool mid_op)
{
    struct host_buf *o = lw->o;
    a64_adr(o, S0, a64_rx(o, o->p));
    ra_ldst_cpu(lw, true, true, S0, CPU_OFF(cur_op), S1);
    uint32_t saved = lw->busy & CALLER_SAVED;
    for (unsigned r = 0; r < 32; r++)
        if (saved & 1u << r)
            ra_ldst_cpu(lw, true, true, r, slot_of(lw, lw->holder[r]), S0);
    unsigned k = 0;
    if (with_cpu)
        a64_mov(o, true, k++, R_CPU);
    for (unsigned a = 0; a < n; a++, k++) {
        ir_temp t = args[a].t;
        if (t == IR_NONE)
            a64_mov_imm(o, k, (uint64_t)args[a].imm);
        else if (lw->loc[t] == L_REG && (saved & 1u << lw->reg[t]))
            ra_ldst_cpu(lw, false, true, k, slot_of(lw, t), S0);
        else
            ra_load(lw, k, t);
    }
    a64_mov_imm(o, S0, (uint64_t)(uintptr_t)fn);
    a64_emit(o, A_BLR, true, 0, S0, 0, 0);
    if (dst != IR_NONE) {
        ra_def(lw, dst);
        ra_def_done(lw, dst, 0);
    }
    for (unsigned r = 0; r < 32; r++)
        if ((saved & 1u << r) && lw->last_use[lw->holder[r]] + mid_op > lw->i)
            ra_ldst_cpu(lw, false, true, r, slot_of(lw, lw->holder[r]), S0);
}
