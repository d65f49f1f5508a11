/* The x86-64 backend's register allocator: temps get host registers in a linear scan over
 * the block (freed at their last use; when none is free, of the new temp and those in
 * registers the one read again last lives in its slot of the CPU's temps area), constants
 * stay immediates until an instruction needs them in a register, and a call keeps the temps
 * in caller-saved registers alive through their slots.
 * A put leaves the guest field in the register of its value (dirty) until an exit, a call,
 * a get of that field or register pressure stores it; stubs and faulting accesses carry the
 * list of dirty fields so that a guest signal still sees the whole state. A put of a
 * constant is dirty too, in no register: x86's flags kind, written by every flag-setting
 * instruction, is then stored only if no later put overwrites it first. In a T2 region's
 * loop, the fields a pin saves most on are pinned to host registers of their own from its
 * loop op on (a 64-bit one serves its 32-bit reads too), and listed with the dirty ones: a
 * read takes a load off the iteration's path, but each write costs a move into the pin
 * where an unpinned field's writes stay in their values' registers and cost one store at
 * the back edge (x86's flag operands and AArch64's compare operands, written several times
 * an iteration and read by none of it, are not worth a pin). A value whose first use is a
 * put of a pinned field is computed in the pin's register when nothing needs the old value
 * any more (pin_target): "add pin, 1", not "lea t, [pin + 1]; mov pin, t". The back edge
 * does not store at all the fields the loop writes before anything could see them.
 * rax, rcx and rdx are scratch; r13-r15 are fixed (guest limit, cpu, guest base). */
#include <stdlib.h>
#include <string.h>

#include "host/x86_64/lower.h"

static const uint8_t alloc_order[] = { RBX, RBP, R12, RSI, RDI, R8, R9, R10, R11 };
#define CALLER_SAVED (1u << RSI | 1u << RDI | 1u << R8 | 1u << R9 | 1u << R10 | 1u << R11)

/* Whether the byte ranges [a, a + an) and [b, b + bn) of the state share a byte. */
static bool spans_overlap(int64_t a, unsigned an, int64_t b, unsigned bn)
{
    return a < b + (int64_t)bn && b < a + (int64_t)an;
}

/* Whether op is a call of a helper that writes guest state (a pin's field may change). */
static bool writes_state(const struct ir_op *op)
{
    return op->opc == IR_call &&
           (((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_WSTATE);
}

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
        if (op->opc == IR_put && spans_overlap(op->imm, 8, g->imm, 8))
            return false;
        if (writes_state(op))
            return false;
    }
    return true;
}

/* t, if the op defining it is a 64-bit shl by a constant 1..3 of a 64-bit temp used by
 * nothing but one add.i64 (op i): lower_alu makes that add one lea with a scaled index. */
static void fold_scaled_index(struct lower *lw, ir_temp t, uint32_t i)
{
    const struct ir_block *b = lw->b;
    if (t == IR_NONE || lw->n_uses[t] != 1 || b->temp_type[t] != IR_I64)
        return;
    const struct ir_op *shl = &b->ops[lw->def_at[t]];
    if (shl->opc != IR_shl || shl->type != IR_I64 || b->temp_type[shl->src[0]] != IR_I64)
        return;
    const struct ir_op *k = &b->ops[lw->def_at[shl->src[1]]];
    if (k->opc != IR_const || k->imm < 1 || k->imm > 3)
        return;
    lw->scale_log[t] = (uint8_t)k->imm;
    lw->scaled_src[t] = shl->src[0];
    if (lw->last_use[shl->src[0]] < i)
        lw->last_use[shl->src[0]] = i;
}

/* Folds t into the movcond at i if t is a setcond used there alone, tested against 0 (see
 * cond_folded). */
static void fold_cond(struct lower *lw, const struct ir_op *movcond, uint32_t i)
{
    const struct ir_block *b = lw->b;
    ir_temp t = movcond->src[0], zero = movcond->src[1];
    if ((movcond->cond != IR_NE && movcond->cond != IR_EQ) || lw->n_uses[t] != 1)
        return;
    const struct ir_op *set = &b->ops[lw->def_at[t]], *z = &b->ops[lw->def_at[zero]];
    if (set->opc != IR_setcond || set->dst != t || z->opc != IR_const || z->dst != zero ||
        z->imm != 0)
        return;
    lw->cond_folded[t] = 1;
    for (unsigned s = 0; s < 2; s++)
        if (lw->last_use[set->src[s]] < i)
            lw->last_use[set->src[s]] = i;
}

void ra_analyse(struct lower *lw)
{
    const struct ir_block *b = lw->b;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        for (unsigned s = 0; s < d->n_in; s++)
            if (op->src[s] != IR_NONE) {
                lw->last_use[op->src[s]] = i;
                lw->n_uses[op->src[s]]++;
            }
        if (d->n_out) {
            lw->last_use[op->dst] = i;
            lw->def_at[op->dst] = i;
            lw->n_uses[op->dst] = 0;
            lw->scale_log[op->dst] = 0;
            lw->cond_folded[op->dst] = 0;
            lw->loc[op->dst] = 0;
            lw->checked[op->dst] = 0;
        }
    }
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_add && op->type == IR_I64 && op->src[0] != op->src[1]) {
            fold_scaled_index(lw, op->src[1], i);
            if (!lw->scale_log[op->src[1]])
                fold_scaled_index(lw, op->src[0], i);
        } else if (op->opc == IR_movcond) {
            fold_cond(lw, op, i);
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

/* The temps an op reading t reads through it when t was folded into that op (a scaled
 * index's source, a setcond's operands): their number, in out. */
static unsigned folded_reads(const struct lower *lw, ir_temp t, ir_temp out[2])
{
    if (lw->scale_log[t]) {
        out[0] = lw->scaled_src[t];
        return 1;
    }
    if (lw->cond_folded[t]) {
        const struct ir_op *set = &lw->b->ops[lw->def_at[t]];
        out[0] = set->src[0];
        out[1] = set->src[1];
        return 2;
    }
    return 0;
}

/* Whether op reads temp h (directly or through an op folded into it). */
static bool reads(const struct lower *lw, const struct ir_op *op, ir_temp h)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    for (unsigned s = 0; s < d->n_in; s++) {
        ir_temp u = op->src[s], via[2];
        if (u == h)
            return true;
        for (unsigned k = u == IR_NONE ? 0 : folded_reads(lw, u, via); k-- > 0;)
            if (via[k] == h)
                return true;
    }
    return false;
}

/* The first op after the one being lowered that reads h (ops past its last use: none). */
static uint32_t next_use(const struct lower *lw, ir_temp h)
{
    uint32_t j = lw->i + 1;
    while (j <= lw->last_use[h] && !reads(lw, &lw->b->ops[j], h))
        j++;
    return j;
}

/* The register to take from the temp in it that is read again last (Belady's choice), if
 * that is later than t's first use (t then lives in a register, that temp in its slot from
 * here on); -1 if none. A T2 region keeps values forwarded from one block to a later one
 * alive across many ops: spilling each new temp instead (stored to its slot, loaded again
 * at once) cost a store and a load per op on aarch64's xz. Not the pins, the dirty fields'
 * registers, nor the op's own operands. */
static int evict(struct lower *lw, ir_temp t)
{
    int best = -1;
    uint32_t far = next_use(lw, t);
    for (unsigned k = 0; k < sizeof(alloc_order); k++) {
        unsigned r = alloc_order[k];
        ir_temp h = lw->holder[r];
        if (lw->pinned & 1u << r || h == IR_NONE || lw->loc[h] != L_REG ||
            lw->reg[h] != r || reads(lw, &lw->b->ops[lw->i], h))
            continue;
        uint32_t n = next_use(lw, h);
        if (n > far) {
            far = n;
            best = (int)r;
        }
    }
    if (best >= 0) {
        ir_temp h = lw->holder[best];
        if (lw->last_use[h] > lw->i)   /* else its value is dead: nothing to keep */
            x86_emit(lw->o, X_ST, true, (unsigned)best, xm(R14, slot_of(lw, h)), 0);
        lw->loc[h] = L_MEM;
        lw->mem[h] = slot_of(lw, h);
    }
    return best;
}

static bool store_one_dirty(struct lower *lw);
static void store_dirty_in(struct lower *lw, unsigned r);

static unsigned field_size(const struct ir_op *op)
{
    return op->type == IR_I32 || op->type == IR_F32 ? 4 : 8;
}

static bool in_reg(const struct lower *lw, ir_temp t, unsigned r)
{
    return t != IR_NONE && lw->loc[t] == L_REG && lw->reg[t] == r;
}

/* Whether the lowering of op may write its result's register before it reads its src[0]
 * there: all but these, which read it first (mov r, src0; op r, ...). */
static bool writes_before_src0(const struct ir_op *op)
{
    switch (op->opc) {
    case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor: case IR_shl: case IR_shr:
    case IR_sar: case IR_mov: case IR_not: case IR_neg: case IR_zext8: case IR_zext16:
    case IR_zext32: case IR_sext8: case IR_sext16: case IR_sext32:
        return false;
    default:
        return true;
    }
}

/* Whether op reads a temp in r after its lowering may have written its result there. */
static bool reads_reg_late(const struct lower *lw, const struct ir_op *op, unsigned r)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    for (unsigned s = 0; s < d->n_in; s++) {
        ir_temp u = op->src[s], via[2];
        if (u == IR_NONE)
            continue;
        if (in_reg(lw, u, r) && (s || writes_before_src0(op)))
            return true;
        for (unsigned k = folded_reads(lw, u, via); k-- > 0;)
            if (in_reg(lw, via[k], r))
                return true;
    }
    return false;
}

/* The pin holding some of the field op gets or puts, or -1. */
static int pin_touched(const struct lower *lw, const struct ir_op *op)
{
    for (unsigned k = 0; k < lw->n_pins; k++)
        if (spans_overlap(op->imm, field_size(op), lw->pins[k].off, lw->pins[k].w64 ? 8 : 4))
            return (int)k;
    return -1;
}

/* The pin whose register the op being lowered can compute its result t into, sparing the
 * mov of the put of that field that t's value comes to: -1 unless nothing between the two
 * could see the field (only pure ops but helper calls, and gets and puts of other fields),
 * no temp needs the pin's old value after this op (which reads it, if at all, before
 * writing it), and nothing writes the field while t lives (another put of it, a helper that
 * writes state: a call loads the pins again). */
static int pin_target(const struct lower *lw, ir_temp t)
{
    const struct ir_block *b = lw->b;
    uint32_t j = lw->i + 1;
    int k = -1;
    for (; j <= lw->last_use[t] && k < 0; j++) {
        const struct ir_op *op = &b->ops[j];
        if (op->opc == IR_put || op->opc == IR_get) {
            int p = pin_touched(lw, op);
            if (p >= 0 && (op->opc == IR_get || op->src[0] != t ||
                           ra_pin_of(lw, op->imm, field_size(op)) != p))
                return -1;
            k = p;
        } else if (op->opc == IR_call || (op->opc != IR_insn_start && !ir_op_pure(op))) {
            return -1;
        }
    }
    if (k < 0 || lw->pins[k].held > lw->i ||
        reads_reg_late(lw, &b->ops[lw->i], lw->pins[k].reg))
        return -1;
    for (; j <= lw->last_use[t]; j++) {
        const struct ir_op *op = &b->ops[j];
        if (writes_state(op) || (op->opc == IR_put && pin_touched(lw, op) == k))
            return -1;
    }
    return k;
}

/* The register of the pin t can be computed into (pin_target), or -1. */
static int take_pin(struct lower *lw, ir_temp t)
{
    int k = lw->n_pins ? pin_target(lw, t) : -1;
    if (k < 0)
        return -1;
    struct pin *p = &lw->pins[k];
    store_dirty_in(lw, p->reg);
    p->dirty = 1;   /* a helper an op before the put calls (a division) stores t, not loses it */
    p->held = lw->last_use[t];
    lw->holder[p->reg] = t;
    lw->loc[t] = L_REG;
    lw->reg[t] = p->reg;
    return p->reg;
}

/* Give t a home: a free register (storing a dirty field if that frees one, else storing
 * them all, which unpins their registers, else taking one from a temp needed later than t),
 * else its slot (then the op computes into spill_reg and ra_def_done stores it). Returns the
 * register to compute into. Storing them all at the first shortage, when one would do, cost
 * a T2 region runs of stores of fields it would put again. */
unsigned ra_def(struct lower *lw, ir_temp t, unsigned spill_reg)
{
    int pinned = take_pin(lw, t);
    if (pinned >= 0)
        return (unsigned)pinned;
    for (;;) {
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
        if (store_one_dirty(lw))
            continue;
        if (lw->n_dirty) {
            ra_flush_all(lw);
            continue;
        }
        int r = evict(lw, t);
        if (r < 0)
            break;
        lw->busy &= ~(1u << r);
    }
    lw->loc[t] = L_MEM;
    lw->mem[t] = slot_of(lw, t);
    return spill_reg;
}

/* Like def, but t takes over the register of src if this op is src's last use (so that
 * "mov r, src; op r, ..." loses its mov). Only for ops that read src before writing r. */
unsigned ra_def_reusing(struct lower *lw, ir_temp t, ir_temp src)
{
    int pinned = take_pin(lw, t);
    if (pinned >= 0)
        return (unsigned)pinned;
    if (src == IR_NONE || lw->loc[src] != L_REG || lw->last_use[src] != lw->i ||
        lw->holder[lw->reg[src]] != src || (lw->pinned & 1u << lw->reg[src]))
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

/* Frees t's register if the op being lowered was t's last use. */
static void free_if_dead(struct lower *lw, ir_temp t)
{
    if (t != IR_NONE && lw->last_use[t] == lw->i && lw->loc[t] == L_REG &&
        lw->holder[lw->reg[t]] == t && !(lw->pinned & 1u << lw->reg[t]))
        lw->busy &= ~(1u << lw->reg[t]);
}

void ra_free_dead(struct lower *lw, const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    for (unsigned s = 0; s < d->n_in; s++) {
        ir_temp t = op->src[s];
        if (t == IR_NONE)
            continue;
        free_if_dead(lw, t);
        ir_temp via[2];
        for (unsigned k = folded_reads(lw, t, via); k-- > 0;)
            free_if_dead(lw, via[k]);
    }
    if (d->n_out && lw->last_use[op->dst] <= lw->i && lw->loc[op->dst] == L_REG &&
        !(lw->pin_mask & 1u << lw->reg[op->dst]))
        lw->busy &= ~(1u << lw->reg[op->dst]);
}

/* ---- guest fields held in host registers ---- */

/* Forgets dirty entry k; its register is free again if no entry holds it and its temp has
 * no use left. Entries never overlap, so their order does not matter. */
static void drop_dirty(struct lower *lw, unsigned k)
{
    ir_temp t = lw->dirty[k].t;
    lw->dirty[k] = lw->dirty[--lw->n_dirty];
    if (t == IR_NONE)   /* a constant */
        return;
    bool held = false;
    lw->pinned = lw->pin_mask;
    for (unsigned j = 0; j < lw->n_dirty; j++) {
        if (lw->dirty[j].t == IR_NONE)
            continue;
        lw->pinned |= 1u << lw->reg[lw->dirty[j].t];
        held |= lw->dirty[j].t == t;
    }
    if (!held && lw->last_use[t] < lw->i && !(lw->pin_mask & 1u << lw->reg[t]))
        lw->busy &= ~(1u << lw->reg[t]);
}

/* Dirty entry d as a write-back entry: its field and where its value is. */
static struct host_wb wb_of(const struct lower *lw, const struct dirty *d)
{
    return d->t == IR_NONE ? (struct host_wb){ d->off, HOST_WB_IMM, d->w64, d->imm }
                           : (struct host_wb){ d->off, lw->reg[d->t], d->w64, 0 };
}

static void emit_wb(struct lower *lw, const struct host_wb *wb)
{
    if (wb->reg == HOST_WB_IMM)
        x86_emit(lw->o, X_MOVI, wb->w64, 0, xm(R14, wb->off), wb->imm);
    else
        x86_emit(lw->o, X_ST, wb->w64, wb->reg, xm(R14, wb->off), 0);
}

static void store_dirty(struct lower *lw, unsigned k)
{
    struct host_wb wb = wb_of(lw, &lw->dirty[k]);
    emit_wb(lw, &wb);
    drop_dirty(lw, k);
}

/* Stores the dirty fields whose values are in r: a pin's register about to change. */
static void store_dirty_in(struct lower *lw, unsigned r)
{
    for (unsigned k = lw->n_dirty; k-- > 0;)
        if (in_reg(lw, lw->dirty[k].t, r))
            store_dirty(lw, k);
}

/* Stores one dirty field whose register holds nothing else alive, which frees the register:
 * false if there is none. */
static bool store_one_dirty(struct lower *lw)
{
    for (unsigned k = 0; k < lw->n_dirty; k++) {
        ir_temp t = lw->dirty[k].t;
        if (t == IR_NONE || lw->last_use[t] >= lw->i)
            continue;
        bool shared = false;
        for (unsigned j = 0; j < lw->n_dirty; j++)
            shared |= j != k && lw->dirty[j].t == t;
        if (!shared) {
            store_dirty(lw, k);
            return true;
        }
    }
    return false;
}

void ra_flush(struct lower *lw, int64_t off, unsigned size)
{
    for (unsigned k = lw->n_dirty; k-- > 0;) {
        const struct dirty *d = &lw->dirty[k];
        if (spans_overlap(d->off, d->w64 ? 8 : 4, off, size))
            store_dirty(lw, k);
    }
}

void ra_flush_all(struct lower *lw)
{
    while (lw->n_dirty)
        store_dirty(lw, lw->n_dirty - 1);
}

static bool loop_dead(const struct lower *lw, const struct dirty *d)
{
    int32_t end = d->off + (d->w64 ? 8 : 4);
    for (unsigned k = 0; k < lw->n_loop_dead; k++)
        if (lw->loop_dead[k].off <= d->off && end <= lw->loop_dead[k].off + lw->loop_dead[k].size)
            return true;
    return false;
}

void ra_flush_loop(struct lower *lw)
{
    for (unsigned k = lw->n_dirty; k-- > 0;)
        if (!loop_dead(lw, &lw->dirty[k]))
            store_dirty(lw, k);
}

void ra_forget_dirty(struct lower *lw)
{
    while (lw->n_dirty)
        drop_dirty(lw, lw->n_dirty - 1);
}

void ra_put(struct lower *lw, const struct ir_op *op)
{
    ir_temp t = op->src[0];
    bool w = op->type == IR_I64 || op->type == IR_F64;
    int64_t off = op->imm;
    unsigned size = w ? 8 : 4;
    for (unsigned k = lw->n_dirty; k-- > 0;) {   /* overwritten whole: never stored */
        const struct dirty *d = &lw->dirty[k];
        if (d->off >= off && d->off + (d->w64 ? 8 : 4) <= off + size)
            drop_dirty(lw, k);
    }
    ra_flush(lw, off, size);
    int k = ra_pin_of(lw, off, size);
    if (k >= 0) {
        if (!in_reg(lw, t, lw->pins[k].reg))
            store_dirty_in(lw, lw->pins[k].reg);
        ra_load(lw, lw->pins[k].reg, t, w);
        lw->pins[k].dirty = 1;
        return;
    }
    int32_t imm;
    bool is_imm = ra_imm(lw, t, w, &imm);
    if (is_imm && lw->n_dirty < MAX_DIRTY) {
        lw->dirty[lw->n_dirty++] = (struct dirty){ (int32_t)off, IR_NONE, w, imm };
        return;
    }
    if (lw->loc[t] == L_REG && lw->n_dirty < MAX_DIRTY) {
        lw->dirty[lw->n_dirty++] = (struct dirty){ (int32_t)off, t, w, 0 };
        lw->pinned |= 1u << lw->reg[t];
        return;
    }
    if (is_imm)
        x86_emit(lw->o, X_MOVI, w, 0, xm(R14, (int32_t)off), imm);
    else
        x86_emit(lw->o, X_ST, w, ra_reg(lw, t, RAX), xm(R14, (int32_t)off), 0);
}

bool ra_snapshot(struct lower *lw, uint32_t *first, uint16_t *n)
{
    *first = lw->n_wb;
    *n = 0;
    if (lw->n_wb + lw->n_dirty + lw->n_pins > HOST_MAX_WB)
        return false;
    for (unsigned k = 0; k < lw->n_dirty; k++)
        lw->wb[lw->n_wb++] = wb_of(lw, &lw->dirty[k]);
    for (unsigned k = 0; k < lw->n_pins; k++)
        if (lw->pins[k].dirty)
            lw->wb[lw->n_wb++] = (struct host_wb){ lw->pins[k].off, lw->pins[k].reg,
                                                   lw->pins[k].w64, 0 };
    *n = (uint16_t)(lw->n_wb - *first);
    return true;
}

void ra_emit_wb(struct lower *lw, uint32_t first, uint16_t n)
{
    for (uint32_t k = first; k < first + n; k++)
        emit_wb(lw, &lw->wb[k]);
}

/* ---- a loop's pinned guest fields ---- */

/* Callee-saved first: a call then reloads only the others (and all after a helper that
 * writes guest state). None is an argument register, so a call's arguments read them. */
static const uint8_t pin_order[MAX_PINS] = { RBX, RBP, R12, R11, R10 };

/* The most temps the rest of the block keeps in registers at once (not constants, nor gets,
 * which are read in place or are a pin's register): pins leave the rest of the registers to
 * them. */
static unsigned max_live(const struct lower *lw)
{
    static __thread uint16_t ends[IR_MAX_OPS];
    const struct ir_block *b = lw->b;
    unsigned live = 0, most = 0;
    memset(ends + lw->i, 0, (b->n_ops - lw->i) * sizeof(ends[0]));
    for (uint32_t j = lw->i + 1; j < b->n_ops; j++) {
        const struct ir_op *op = &b->ops[j];
        if (ir_opdefs[op->opc].n_out && op->opc != IR_const && op->opc != IR_get &&
            lw->last_use[op->dst] > j) {
            live++;
            ends[lw->last_use[op->dst]]++;
        }
        most = live > most ? live : most;
        live -= ends[j];
    }
    return most;
}

/* n: what a pin saves an iteration: 2 a read (a load off its path, worth two moves), -1 a
 * write (the move into the pin), +1 if written at all (the back edge's store). */
struct field {
    int32_t off;
    uint8_t size, mixed, written;
    int n;
};

/* Whether f and an access of off, size (a put or not) can share one 64-bit pin: one is the
 * field whole, the other only reads its low half (an AArch64 W register: read as get.i32,
 * written as put.i64 of the zero-extension), which the pin's register gives
 * (ra_get_pinned_low). */
static bool low_half(const struct field *f, int32_t off, uint8_t size, bool put)
{
    if (f->off != off)
        return false;
    return (f->size == 8 && size == 4 && !put) || (f->size == 4 && size == 8 && !f->written);
}

static bool overlaps(const struct field_range *r, unsigned n, int32_t off, unsigned size)
{
    for (unsigned k = 0; k < n; k++)
        if (spans_overlap(r[k].off, r[k].size, off, size))
            return true;
    return false;
}

/* loop_dead: the puts after the loop op, up to its first op that is not pure (a load, a
 * store, a branch out) or is a call (a helper may read guest state), of fields no get before
 * them read. */
static void find_loop_dead(struct lower *lw)
{
    struct field_range read[MAX_DIRTY];
    unsigned n_read = 0;
    lw->n_loop_dead = 0;
    for (uint32_t j = lw->i + 1; j < lw->b->n_ops; j++) {
        const struct ir_op *op = &lw->b->ops[j];
        int32_t off = (int32_t)op->imm;
        unsigned size = field_size(op);
        if (op->opc == IR_get) {
            if (n_read == MAX_DIRTY)
                break;
            read[n_read++] = (struct field_range){ off, (uint8_t)size };
        } else if (op->opc == IR_put) {
            if (!overlaps(read, n_read, off, size) && lw->n_loop_dead < MAX_DIRTY)
                lw->loop_dead[lw->n_loop_dead++] = (struct field_range){ off, (uint8_t)size };
        } else if (op->opc == IR_call || (op->opc != IR_insn_start && !ir_op_pure(op))) {
            break;   /* a pure helper may read guest state too */
        }
    }
}

void ra_pin_loop(struct lower *lw)
{
    struct field f[64];
    unsigned nf = 0;
    const struct ir_block *b = lw->b;
    for (uint32_t j = lw->i + 1; j < b->n_ops; j++) {
        const struct ir_op *op = &b->ops[j];
        if (op->opc != IR_get && op->opc != IR_put)
            continue;
        unsigned size = field_size(op);
        bool same = false;
        for (unsigned k = 0; k < nf; k++) {
            if (f[k].off == op->imm && f[k].size == size) {
                f[k].n += op->opc == IR_get ? 2 : -1;
                f[k].written |= op->opc == IR_put;
                same = true;
            } else if (spans_overlap(f[k].off, f[k].size, op->imm, size) &&
                       !low_half(&f[k], (int32_t)op->imm, (uint8_t)size, op->opc == IR_put)) {
                f[k].mixed = 1;   /* accessed in parts: stays in memory */
            }
        }
        if (!same && nf < sizeof(f) / sizeof(f[0]))
            f[nf++] = (struct field){ (int32_t)op->imm, (uint8_t)size, 0, op->opc == IR_put,
                                      op->opc == IR_get ? 2 : -1 };
    }
    for (unsigned k = 0; k < nf; k++)   /* a part seen before its whole */
        for (unsigned j = 0; j < nf; j++)
            if (j != k && spans_overlap(f[j].off, f[j].size, f[k].off, f[k].size)) {
                if (f[k].size == 8 && low_half(&f[k], f[j].off, f[j].size, f[j].written))
                    f[k].n += f[j].n;   /* its 32-bit reads are the pin's low half */
                else
                    f[k].mixed = 1;
            }
    for (unsigned k = 0; k < nf; k++)
        f[k].n += f[k].written;
    lw->n_pins = 0;
    lw->pin_mask = 0;
    unsigned live = max_live(lw);
    for (unsigned r = 0; r < MAX_PINS && r + live < sizeof(alloc_order); r++) {
        unsigned reg = pin_order[r];
        if (lw->busy & 1u << reg)
            continue;
        int best = -1;
        for (unsigned k = 0; k < nf; k++)
            if (!f[k].mixed && f[k].n >= 2 && (best < 0 || f[k].n > f[best].n))
                best = (int)k;
        if (best < 0)
            break;
        f[best].mixed = 1;   /* taken */
        struct pin *p = &lw->pins[lw->n_pins++];
        *p = (struct pin){ f[best].off, (uint8_t)reg, f[best].size == 8, f[best].written,
                           f[best].written, 0 };
        x86_emit(lw->o, X_MOV, p->w64, reg, xm(R14, p->off), 0);
        lw->pin_mask |= 1u << reg;
        lw->busy |= 1u << reg;
        lw->holder[reg] = IR_NONE;
    }
    lw->pinned |= lw->pin_mask;
    find_loop_dead(lw);
}

int ra_pin_of(const struct lower *lw, int64_t off, unsigned size)
{
    for (unsigned k = 0; k < lw->n_pins; k++)
        if (lw->pins[k].off == off && (lw->pins[k].w64 ? 8u : 4u) == size)
            return (int)k;
    return -1;
}

void ra_get_pinned_low(struct lower *lw, const struct ir_op *op, int k)
{
    unsigned r = ra_def(lw, op->dst, RAX);
    x86_emit(lw->o, X_MOV, false, r, xr(lw->pins[k].reg), 0);
    ra_def_done(lw, op->dst, r);
}

void ra_get_pinned(struct lower *lw, const struct ir_op *op, int k)
{
    const struct pin *p = &lw->pins[k];
    bool alias = true;
    for (uint32_t j = lw->i + 1; j <= lw->last_use[op->dst] && alias; j++) {
        const struct ir_op *u = &lw->b->ops[j];
        alias = !(u->opc == IR_put && u->imm == p->off) && !writes_state(u);
    }
    if (alias) {
        if (lw->pins[k].held < lw->last_use[op->dst])
            lw->pins[k].held = lw->last_use[op->dst];
        lw->loc[op->dst] = L_REG;
        lw->reg[op->dst] = p->reg;
        return;
    }
    unsigned r = ra_def(lw, op->dst, RAX);
    x86_emit(lw->o, X_MOV, p->w64, r, xr(p->reg), 0);
    ra_def_done(lw, op->dst, r);
}

void ra_store_state(struct lower *lw)
{
    ra_flush_all(lw);
    for (unsigned k = 0; k < lw->n_pins; k++)
        if (lw->pins[k].dirty) {
            x86_emit(lw->o, X_ST, lw->pins[k].w64, lw->pins[k].reg, xm(R14, lw->pins[k].off), 0);
            lw->pins[k].dirty = 0;
        }
}

/* After a call: the pins in caller-saved registers, or all of them if the helper may have
 * written guest state. */
static void reload_pins(struct lower *lw)
{
    bool wstate = writes_state(&lw->b->ops[lw->i]);
    for (unsigned k = 0; k < lw->n_pins; k++)
        if (wstate || (CALLER_SAVED & 1u << lw->pins[k].reg))
            x86_emit(lw->o, X_MOV, lw->pins[k].w64, lw->pins[k].reg, xm(R14, lw->pins[k].off), 0);
}

/* ---- calls ---- */

/* dst = fn([cpu,] args...): records the position for fault mapping, keeps live temps in
 * caller-saved registers across the call through their slots (also the op's own operands
 * when the op goes on after the call: mid_op). */
void ra_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
                      unsigned n, ir_temp dst, bool mid_op)
{
    static const uint8_t arg_regs[] = { RDI, RSI, RDX, RCX, R8, R9 };
    struct host_buf *o = lw->o;
    ra_store_state(lw);   /* the helper may read the state or raise a guest signal */
    x86_lea_rip(o, RAX, rx_of(lw, o->p));
    x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(cur_op)), 0);
    uint32_t saved = lw->busy & CALLER_SAVED & ~lw->pin_mask;
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
    for (unsigned r = 0; r < 16; r++)
        if ((saved & 1u << r) && lw->last_use[lw->holder[r]] + mid_op > lw->i)
            x86_emit(o, X_MOV, true, r, xm(R14, slot_of(lw, lw->holder[r])), 0);
    reload_pins(lw);
    if (dst != IR_NONE) {   /* after the reloads: its register may be a pin's (pin_target) */
        unsigned r = ra_def(lw, dst, RAX);
        if (r != RAX)
            x86_emit(o, X_MOV, true, r, xr(RAX), 0);
        ra_def_done(lw, dst, r);
    }
}

void ra_call_helper(struct lower *lw, enum x86_helper h, const struct ir_op *op)
{
    struct arg args[2] = { { op->src[0], 0 }, { op->src[1], 0 } };
    ra_call(lw, lw->abi->helper[h], false, args, ir_opdefs[op->opc].n_in, op->dst, false);
}
