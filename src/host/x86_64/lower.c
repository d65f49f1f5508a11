/* IR -> x86-64 for one block, op by op. Guest registers are read from the CPU struct (r14),
 * as memory operands when nothing writes them before the read; a put leaves the value in its
 * host register until the register allocator (regalloc.c), which also homes the temps,
 * writes it back. Guest memory in a flat space is [r15 + base + disp] once the base has been
 * compared against r13 (guest_limit - 1), in any other a call to the space's load/store; exits jump to out-of-line stubs that chaining later bypasses, and a
 * table maps host code offsets back to guest pcs for faults. */
#include <errno.h>
#include <stdlib.h>

#include "host/x86_64/lower.h"
#include "mem/aspace.h"

/* IR condition -> x86 condition code, in enum ir_cond order. */
static const uint8_t cc_of[IR_NCONDS] = { CC_E, CC_NE, CC_L, CC_GE, CC_LE, CC_G,
                                          CC_B, CC_AE, CC_BE, CC_A };

/* ---- integer ops ---- */

struct alu_form {
    uint8_t rr, ri;   /* x86 insn + 1 (0: not an ALU op) */
};
static const struct alu_form alu_forms[IR_NOPS] = {
    [IR_add] = { X_ADD + 1, X_ADDI + 1 }, [IR_sub] = { X_SUB + 1, X_SUBI + 1 },
    [IR_and] = { X_AND + 1, X_ANDI + 1 }, [IR_or] = { X_OR + 1, X_ORI + 1 },
    [IR_xor] = { X_XOR + 1, X_XORI + 1 },
};
static const struct alu_form shift_forms[IR_NOPS] = {
    [IR_shl] = { X_SHLC + 1, X_SHLI + 1 }, [IR_shr] = { X_SHRC + 1, X_SHRI + 1 },
    [IR_sar] = { X_SARC + 1, X_SARI + 1 }, [IR_rotl] = { X_ROLC + 1, X_ROLI + 1 },
    [IR_rotr] = { X_RORC + 1, X_RORI + 1 },
};
static const uint8_t helper_of[IR_NOPS][2] = {   /* [opc][w64] -> x86_helper + 1 */
    [IR_divs] = { XH_DIVS32 + 1, XH_DIVS64 + 1 }, [IR_divu] = { XH_DIVU32 + 1, XH_DIVU64 + 1 },
    [IR_rems] = { XH_REMS32 + 1, XH_REMS64 + 1 }, [IR_remu] = { XH_REMU32 + 1, XH_REMU64 + 1 },
    [IR_clz] = { XH_CLZ32 + 1, XH_CLZ64 + 1 }, [IR_ctz] = { XH_CTZ32 + 1, XH_CTZ64 + 1 },
    [IR_popcnt] = { XH_POPCNT32 + 1, XH_POPCNT64 + 1 },
};

/* add.i64 of a and a shl folded into it (ra_analyse): r = a, then lea r, [r + x * 2^k]. */
static void lower_scaled_add(struct lower *lw, const struct ir_op *op, ir_temp scaled)
{
    ir_temp a = op->src[scaled == op->src[0]];
    unsigned r = ra_def_reusing(lw, op->dst, a);
    ra_load(lw, r, a, true);
    unsigned x = ra_reg(lw, lw->scaled_src[scaled], RCX);
    x86_emit(lw->o, X_LEA, true, r, xmi(r, x, 1u << lw->scale_log[scaled], 0), 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_alu(struct lower *lw, const struct ir_op *op, bool w)
{
    ir_temp a = op->src[0], b = op->src[1];
    const struct alu_form *f = &alu_forms[op->opc];
    if (op->opc == IR_add && w && (lw->scale_log[a] || lw->scale_log[b])) {
        lower_scaled_add(lw, op, lw->scale_log[b] ? b : a);
        return;
    }
    unsigned r = ra_def_reusing(lw, op->dst, a);
    int32_t imm;
    bool is_imm = ra_imm(lw, b, w, &imm);
    if ((op->opc == IR_and || op->opc == IR_or) && a == b) {   /* x86's test r32, r32 */
        x86_emit(lw->o, X_MOV, w, r, ra_rm(lw, a, RCX), 0);
    } else if (op->opc == IR_add && lw->loc[a] == L_REG && (is_imm || lw->loc[b] == L_REG)) {
        struct x86_rm m = is_imm ? xm(lw->reg[a], imm) : xmi(lw->reg[a], lw->reg[b], 1, 0);
        x86_emit(lw->o, X_LEA, w, r, m, 0);
    } else {
        /* a 32-bit op zero-extends what it writes: a in r needs no `mov r32, r32` first */
        ra_load(lw, r, a, w || (lw->loc[a] == L_REG && lw->reg[a] == r));
        if (is_imm)
            x86_emit(lw->o, f->ri - 1, w, 0, xr(r), imm);
        else
            x86_emit(lw->o, f->rr - 1, w, r, ra_rm(lw, b, RCX), 0);
    }
    ra_def_done(lw, op->dst, r);
}

static void lower_shift(struct lower *lw, const struct ir_op *op, bool w)
{
    const struct alu_form *f = &shift_forms[op->opc];
    ir_temp b = op->src[1];
    if (lw->scale_log[op->dst])   /* its add does it */
        return;
    unsigned r = ra_def_reusing(lw, op->dst, op->src[0]);
    if (lw->loc[b] == L_CONST) {
        ra_load(lw, r, op->src[0], w);
        x86_emit(lw->o, f->ri - 1, w, 0, xr(r), lw->val[b] & (w ? 63 : 31));
    } else {
        x86_emit(lw->o, X_MOV, false, RCX, ra_rm(lw, b, RCX), 0);
        ra_load(lw, r, op->src[0], w);
        x86_emit(lw->o, f->rr - 1, w, 0, xr(r), 0);
    }
    ra_def_done(lw, op->dst, r);
}

/* High half of the product. 32-bit: one 64-bit multiply of the extended operands. */
static void lower_mulh(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    ir_temp a = op->src[0], b = op->src[1];
    if (!w) {
        bool sa = op->opc != IR_mulhu, sb = op->opc == IR_mulhs;
        x86_emit(o, sa ? X_MOVSXD : X_MOV, sa, RAX, ra_rm(lw, a, RAX), 0);
        x86_emit(o, sb ? X_MOVSXD : X_MOV, sb, RCX, ra_rm(lw, b, RCX), 0);
        x86_emit(o, X_IMUL, true, RAX, xr(RCX), 0);
        x86_emit(o, X_SHRI, true, 0, xr(RAX), 32);
    } else {
        ra_load(lw, RCX, b, true);
        ra_load(lw, RAX, a, true);
        x86_emit(o, op->opc == IR_mulhs ? X_IMUL1 : X_MUL1, true, 0, xr(RCX), 0);
        if (op->opc == IR_mulhsu) {   /* a signed: hi(a * b) = hiu(a * b) - (a < 0 ? b : 0) */
            ra_load(lw, RAX, a, true);
            x86_emit(o, X_SARI, true, 0, xr(RAX), 63);
            x86_emit(o, X_AND, true, RAX, xr(RCX), 0);
            x86_emit(o, X_SUB, true, RDX, xr(RAX), 0);
        }
        x86_emit(o, X_MOV, true, RAX, xr(RDX), 0);
    }
    unsigned r = ra_def(lw, op->dst, RAX);
    if (r != RAX)
        x86_emit(o, X_MOV, true, r, xr(RAX), 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_unary(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    ir_temp a = op->src[0];
    unsigned r = ra_def_reusing(lw, op->dst, a);
    switch (op->opc) {
    case IR_mov: ra_load(lw, r, a, w); break;
    case IR_neg: ra_load(lw, r, a, w); x86_emit(o, X_NEG, w, 0, xr(r), 0); break;
    case IR_not: ra_load(lw, r, a, w); x86_emit(o, X_NOT, w, 0, xr(r), 0); break;
    case IR_bswap: ra_load(lw, r, a, w); x86_bswap(o, w, r); break;
    case IR_sext8: x86_emit(o, X_MOVSX8, w, r, ra_rm(lw, a, RCX), 0); break;
    case IR_sext16: x86_emit(o, X_MOVSX16, w, r, ra_rm(lw, a, RCX), 0); break;
    case IR_sext32: x86_emit(o, w ? X_MOVSXD : X_MOV, w, r, ra_rm(lw, a, RCX), 0); break;
    case IR_zext8: x86_emit(o, X_MOVZX8, false, r, ra_rm(lw, a, RCX), 0); break;
    case IR_zext16: x86_emit(o, X_MOVZX16, false, r, ra_rm(lw, a, RCX), 0); break;
    case IR_zext32: x86_emit(o, X_MOV, false, r, ra_rm(lw, a, RCX), 0); break;
    case IR_clz: x86_emit(o, X_LZCNT, w, r, ra_rm(lw, a, RCX), 0); break;
    case IR_ctz: x86_emit(o, X_TZCNT, w, r, ra_rm(lw, a, RCX), 0); break;
    case IR_popcnt: x86_emit(o, X_POPCNT, w, r, ra_rm(lw, a, RCX), 0); break;
    }
    ra_def_done(lw, op->dst, r);
}

/* extract/sextract (64-bit results; sextract.i32 zero-extends its 32-bit result) and
 * deposit, all with shifts: imm = pos | len << 8. */
static void lower_field(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    unsigned pos = op->imm & 0xff, len = (op->imm >> 8) & 0xff;
    unsigned r = op->opc == IR_deposit ? ra_def(lw, op->dst, RAX) : ra_def_reusing(lw, op->dst, op->src[0]);
    if (op->opc == IR_deposit && pos == 0 && (len == 8 || len == 16)) {
        /* x86's SETcc r8, MOV r8/r16: the base, then its low byte or word replaced */
        unsigned v = ra_reg(lw, op->src[1], RCX);
        ra_load(lw, r, op->src[0], true);
        x86_emit(o, len == 8 ? X_ST8 : X_ST16, false, v, xr(r), 0);
        if (!w)
            x86_emit(o, X_MOV, false, r, xr(r), 0);
    } else if (op->opc == IR_deposit) {
        /* the field placed in r (its low 32 bits: one mov; up to bit 63: one shift), the
         * base's other bits in rdx (its low 32 bits: one mov) */
        uint64_t keep = ~((len >= 64 ? UINT64_MAX : (1ull << len) - 1) << pos);
        ra_load(lw, r, op->src[1], true);
        if (pos == 0 && len == 32) {
            x86_emit(o, X_MOV, false, r, xr(r), 0);
        } else if (len < 64) {
            x86_emit(o, X_SHLI, true, 0, xr(r), 64 - len);
            if (64 - len - pos)
                x86_emit(o, X_SHRI, true, 0, xr(r), 64 - len - pos);
        }
        if (keep == UINT32_MAX) {
            x86_emit(o, X_MOV, false, RDX, ra_rm(lw, op->src[0], RCX), 0);
        } else {
            ra_load(lw, RDX, op->src[0], true);
            if (x86_fits32((int64_t)keep)) {
                x86_emit(o, X_ANDI, true, 0, xr(RDX), (int32_t)keep);
            } else {
                x86_mov_imm(o, RCX, keep);
                x86_emit(o, X_AND, true, RDX, xr(RCX), 0);
            }
        }
        x86_emit(o, X_OR, w, r, xr(RDX), 0);
    } else if (pos + len == 32 && (op->opc == IR_extract || !w)) {
        /* lsr w, asr w: a 32-bit mov and shift zero-extend */
        x86_emit(o, X_MOV, false, r, ra_rm(lw, op->src[0], RCX), 0);
        if (pos)
            x86_emit(o, op->opc == IR_extract ? X_SHRI : X_SARI, false, 0, xr(r), pos);
    } else {
        ra_load(lw, r, op->src[0], true);
        if (pos + len < 64)
            x86_emit(o, X_SHLI, true, 0, xr(r), 64 - pos - len);
        if (len < 64)
            x86_emit(o, op->opc == IR_extract ? X_SHRI : X_SARI, true, 0, xr(r), 64 - len);
        if (op->opc == IR_sextract && !w)
            x86_emit(o, X_MOV, false, r, xr(r), 0);
    }
    ra_def_done(lw, op->dst, r);
}

/* cmp a, b at the op's width (a in a register or, against an immediate, in memory; b an
 * immediate or r/m). */
static void emit_cmp(struct lower *lw, ir_temp a, ir_temp b, bool w)
{
    int32_t imm;
    if (lw->loc[a] == L_MEM && ra_imm(lw, b, w, &imm)) {
        x86_emit(lw->o, X_CMPI, w, 0, ra_rm(lw, a, RDX), imm);
        return;
    }
    unsigned ra = ra_reg(lw, a, RDX);
    if (ra_imm(lw, b, w, &imm))
        x86_emit(lw->o, X_CMPI, w, 0, xr(ra), imm);
    else
        x86_emit(lw->o, X_CMP, w, ra, ra_rm(lw, b, RCX), 0);
}

static void lower_setcond(struct lower *lw, const struct ir_op *op, bool w)
{
    if (lw->cond_folded[op->dst])   /* its movcond does it */
        return;
    unsigned r = ra_def(lw, op->dst, RAX);
    x86_emit(lw->o, X_XOR, false, r, xr(r), 0);
    emit_cmp(lw, op->src[0], op->src[1], w);
    x86_emit(lw->o, X_SETCC, false, 0, xr(r), cc_of[op->cond]);
    ra_def_done(lw, op->dst, r);
}

static void lower_movcond(struct lower *lw, const struct ir_op *op, bool w)
{
    ir_temp taken = op->src[2], other = op->src[3];
    uint8_t cond = op->cond;
    if (lw->cond_folded[op->src[0]]) {   /* (a cond' b) != 0, or == 0 with the moves swapped */
        const struct ir_op *set = &lw->b->ops[lw->def_at[op->src[0]]];
        emit_cmp(lw, set->src[0], set->src[1], set->type == IR_I64);
        if (cond == IR_EQ)
            taken = op->src[3], other = op->src[2];
        cond = set->cond;
    } else {
        emit_cmp(lw, op->src[0], op->src[1], w);
    }
    unsigned r = ra_def(lw, op->dst, RAX);
    ra_load(lw, r, other, true);                      /* mov keeps the flags */
    x86_emit(lw->o, X_CMOV, true, r, ra_rm(lw, taken, RCX), cc_of[cond]);
    ra_def_done(lw, op->dst, r);
}

static void lower_fp(struct lower *lw, const struct ir_op *op, bool w)
{
    static const uint8_t sd[IR_NOPS] = { [IR_fadd] = X_ADDSD, [IR_fsub] = X_SUBSD,
                                         [IR_fmul] = X_MULSD, [IR_fdiv] = X_DIVSD,
                                         [IR_fsqrt] = X_SQRTSD };
    static const uint8_t ss[IR_NOPS] = { [IR_fadd] = X_ADDSS, [IR_fsub] = X_SUBSS,
                                         [IR_fmul] = X_MULSS, [IR_fdiv] = X_DIVSS,
                                         [IR_fsqrt] = X_SQRTSS };
    struct host_buf *o = lw->o;
    enum xh_insn insn = w ? sd[op->opc] : ss[op->opc];
    x86_emit(o, X_MOVQX, w, 0, ra_rm(lw, op->src[0], RCX), 0);
    if (op->opc == IR_fsqrt) {
        x86_emit(o, insn, false, 0, xr(0), 0);
    } else if (lw->loc[op->src[1]] == L_MEM) {
        x86_emit(o, insn, false, 0, xm(R14, lw->mem[op->src[1]]), 0);
    } else {
        x86_emit(o, X_MOVQX, w, 1, ra_rm(lw, op->src[1], RCX), 0);
        x86_emit(o, insn, false, 0, xr(1), 0);
    }
    unsigned r = ra_def(lw, op->dst, RAX);
    x86_emit(o, X_MOVQR, w, 0, xr(r), 0);
    ra_def_done(lw, op->dst, r);
}

/* ---- memory ---- */

/* A stub (the caller sets its branch site) that stores the dirty guest fields first; if
 * their list is full, they are stored now instead. */
static struct stub *new_stub(struct lower *lw, uint8_t kind, uint64_t pc)
{
    struct stub *s = &lw->stubs[lw->n_stubs++];
    *s = (struct stub){ .kind = kind, .pc = pc };
    if (!ra_snapshot(lw, &s->wb_first, &s->wb_n))
        ra_store_state(lw);
    return s;
}

/* A host fault at the access about to be emitted must see the dirty guest fields: a map
 * entry at its offset lists them. */
static void mark_access(struct lower *lw)
{
    struct host_map e = { (uint32_t)(lw->o->p - lw->o->start), 0, 0, lw->pc };
    bool pins_dirty = false;
    for (unsigned k = 0; k < lw->n_pins; k++)
        pins_dirty |= lw->pins[k].dirty;
    if (!lw->n_dirty && !pins_dirty)
        return;
    if (lw->n_map < HOST_MAX_MAP && ra_snapshot(lw, &e.wb_first, &e.wb_n))
        lw->map[lw->n_map++] = e;
    else
        ra_store_state(lw);
}

/* The host operand [r15 + address] of guest address a + disp for an access of size bytes.
 * A base temp is checked once (against r13 = guest_limit - 1; slow path: the memory thunk,
 * which raises SIGSEGV or comes back here): after that any 32-bit displacement from it is
 * used unchecked, since whatever it reaches outside the space is a guard page (mem/uspace.h)
 * and faults. A constant address inside the space needs no check. Clobbers rax only. */
static struct x86_rm guest_addr(struct lower *lw, ir_temp a, int64_t disp, unsigned size)
{
    struct host_buf *o = lw->o;
    uint64_t limit = lw->abi->env.guest_limit;
    unsigned base = RAX;
    int32_t d = 0;
    if (lw->loc[a] == L_CONST) {
        uint64_t addr = (uint64_t)lw->val[a] + (uint64_t)disp;
        if (addr < limit && size <= limit - addr && addr <= INT32_MAX)
            return xm(R15, (int32_t)addr);
        x86_mov_imm(o, RAX, addr);
        if (addr < limit && size <= limit - addr)
            return xmi(R15, RAX, 1, 0);
    } else if (x86_fits32(disp)) {
        d = (int32_t)disp;
        if (lw->loc[a] == L_REG)
            base = lw->reg[a];
        else
            x86_emit(o, X_MOV, true, RAX, ra_rm(lw, a, RAX), 0);
        if (lw->checked[a])
            return xmi(R15, base, 1, d);
        lw->checked[a] = 1;
    } else {
        x86_emit(o, X_MOV, true, RAX, ra_rm(lw, a, RAX), 0);
        x86_mov_imm(o, RCX, (uint64_t)disp);
        x86_emit(o, X_ADD, true, RAX, xr(RCX), 0);
    }
    struct stub *s = new_stub(lw, S_MEM, lw->pc);
    x86_emit(o, X_CMP, true, base, xr(R13), 0);
    s->site = x86_jcc(o, CC_A, NULL);
    s->back = o->p;
    s->reg = (uint8_t)base;
    s->disp = d;
    s->size = (uint8_t)size;
    return xmi(R15, base, 1, d);
}

/* rax = the guest address a + disp. */
static void tlb_address(struct lower *lw, ir_temp a, int64_t disp)
{
    struct host_buf *o = lw->o;
    if (lw->loc[a] == L_CONST) {
        x86_mov_imm(o, RAX, (uint64_t)lw->val[a] + (uint64_t)disp);
    } else if (lw->loc[a] == L_REG && x86_fits32(disp)) {
        x86_emit(o, X_LEA, true, RAX, xm(lw->reg[a], (int32_t)disp), 0);
    } else {
        x86_emit(o, X_MOV, true, RAX, ra_rm(lw, a, RAX), 0);
        if (x86_fits32(disp) && disp) {
            x86_emit(o, X_ADDI, true, 0, xr(RAX), disp);
        } else if (disp) {
            x86_mov_imm(o, RCX, (uint64_t)disp);
            x86_emit(o, X_ADD, true, RAX, xr(RCX), 0);
        }
    }
}

/* The inline TLB probe of an access of size bytes at rax under memop's MMU index (the tables
 * at r15, mem/aspace.h): a stub of kind takes the miss; on a hit rax becomes the host
 * address. Clobbers rcx and rdx. */
static struct stub *tlb_probe(struct lower *lw, unsigned memop, unsigned size, uint8_t kind)
{
    _Static_assert(sizeof(struct mem_tlb_entry) == 32, "the index scales by 32");
    struct host_buf *o = lw->o;
    int32_t table = (int32_t)((ir_mo_mmu(memop) % MEM_TLB_MMU_MAX) << MEM_TLB_BITS) * 32;
    int32_t tag = kind == S_TLB_ST ? offsetof(struct mem_tlb_entry, write)
                                   : offsetof(struct mem_tlb_entry, read);
    struct stub *s = new_stub(lw, kind, lw->pc);
    x86_emit(o, X_MOV, true, RDX, xr(RAX), 0);
    x86_emit(o, X_SHRI, true, 0, xr(RDX), MEM_TLB_PAGE_BITS - 5);
    x86_emit(o, X_ANDI, false, 0, xr(RDX), ((1 << MEM_TLB_BITS) - 1) << 5);
    x86_emit(o, X_LEA, true, RCX, xm(RAX, (int32_t)size - 1), 0);
    x86_emit(o, X_ANDI, true, 0, xr(RCX), -(1 << MEM_TLB_PAGE_BITS));
    x86_emit(o, X_CMP, true, RCX, xmi(R15, RDX, 1, table + tag), 0);
    s->site = x86_jcc(o, CC_NE, NULL);
    if (lw->abi->env.tlb_count_hits)
        x86_emit(o, X_ADDI, true, 0, xm(R15, offsetof(struct mem_tlb, hits)), 1);
    x86_emit(o, X_ADD, true, RAX,
             xmi(R15, RDX, 1, table + (int32_t)offsetof(struct mem_tlb_entry, addend)), 0);
    return s;
}

static void lower_ld(struct lower *lw, const struct ir_op *op, bool w)
{
    static const uint8_t kind[8] = { X_MOVZX8, X_MOVZX16, X_MOV, X_MOV,
                                     X_MOVSX8, X_MOVSX16, X_MOVSXD, X_MOV };
    static const bool wide[8] = { false, false, false, true, true, true, true, true };
    enum xh_insn insn = kind[op->aux & 7];
    bool w64 = wide[op->aux & 7] && (w || (op->aux & 3) >= 2);
    if (!lw->abi->env.flat && lw->abi->env.tlb) {
        unsigned r = ra_def(lw, op->dst, RCX);
        tlb_address(lw, op->src[0], op->imm);
        struct stub *s = tlb_probe(lw, op->aux, 1u << (op->aux & IR_MO_SIZE), S_TLB_LD);
        x86_emit(lw->o, insn, w64, r, xm(RAX, 0), 0);
        s->back = lw->o->p;
        s->reg = (uint8_t)r;
        s->memop = (uint16_t)(op->aux | (op->type == IR_I32) << 8);
        ra_def_done(lw, op->dst, r);
        return;
    }
    if (!lw->abi->env.flat) {
        struct arg args[3] = { { op->src[0], 0 }, { IR_NONE, op->imm },
                               { IR_NONE, op->aux | (op->type == IR_I32) << 8 } };
        ra_call(lw, lw->abi->helper[XH_LOAD], true, args, 3, op->dst, false);
        return;
    }
    struct x86_rm m = guest_addr(lw, op->src[0], op->imm, 1u << (op->aux & IR_MO_SIZE));
    unsigned r = ra_def(lw, op->dst, RCX);
    mark_access(lw);
    x86_emit(lw->o, insn, w64, r, m, 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_st(struct lower *lw, const struct ir_op *op)
{
    static const uint8_t kind[4] = { X_ST8, X_ST16, X_ST, X_ST };
    unsigned size_log = op->aux & IR_MO_SIZE;
    if (!lw->abi->env.flat && lw->abi->env.tlb) {
        ir_temp v = op->src[1];
        tlb_address(lw, op->src[0], op->imm);
        struct stub *s = tlb_probe(lw, op->aux, 1u << size_log, S_TLB_ST);
        s->vloc = lw->loc[v];
        s->reg = lw->reg[v];
        s->disp = lw->mem[v];
        s->val = lw->val[v];
        s->memop = op->aux;
        x86_emit(lw->o, kind[size_log], size_log == 3, ra_reg(lw, v, RCX), xm(RAX, 0), 0);
        s->back = lw->o->p;
        return;
    }
    if (!lw->abi->env.flat) {
        struct arg args[4] = { { op->src[0], 0 }, { IR_NONE, op->imm }, { op->src[1], 0 },
                               { IR_NONE, op->aux } };
        ra_call(lw, lw->abi->helper[XH_STORE], true, args, 4, IR_NONE, false);
        return;
    }
    if (lw->abi->env.log_stores) {
        struct arg args[3] = { { op->src[0], 0 }, { IR_NONE, op->imm }, { IR_NONE, 1 << size_log } };
        ra_call(lw, lw->abi->helper[XH_LOG_STORE], true, args, 3, IR_NONE, true);
    }
    struct x86_rm m = guest_addr(lw, op->src[0], op->imm, 1u << size_log);
    int32_t imm;
    if (size_log >= 2 && ra_imm(lw, op->src[1], size_log == 3, &imm)) {   /* RISC-V's sw zero */
        mark_access(lw);
        x86_emit(lw->o, X_MOVI, size_log == 3, 0, m, imm);
        return;
    }
    unsigned v = ra_reg(lw, op->src[1], RCX);
    mark_access(lw);
    x86_emit(lw->o, kind[size_log], size_log == 3, v, m, 0);
}

/* ---- exits ---- */

/* Pads with a nop so that a branch whose rel32 starts `prefix` bytes on is 4-byte aligned:
 * chaining patches it while other threads may run it, and an aligned 4-byte store is seen
 * whole. One nop of the padding's length, which the CPU issues as one instruction. */
static void align_rel32(struct lower *lw, unsigned prefix)
{
    static const uint8_t nop[4][3] = { { 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 } };
    unsigned n = -((unsigned)((uintptr_t)lw->o->p + lw->o->rx_delta) + prefix) & 3;
    for (unsigned k = 0; k < n; k++)
        x86_byte(lw->o, nop[n][k]);
}

/* Leaves translated code with cpu->pc = rax, for the dispatcher to find its block. */
static void leave_to_pc(struct lower *lw)
{
    x86_emit(lw->o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
    x86_mov_imm(lw->o, RAX, HOST_RET_EXIT);
    x86_jmp(lw->o, lw->abi->epilogue);
}

/* Jumps to the block the jump cache holds for the guest pc in rax, else leaves with cpu->pc =
 * rax. When rax is known to be pc, its slot is found at compile time. */
static void jc_jump(struct lower *lw, bool known, uint64_t pc)
{
    struct host_buf *o = lw->o;
    const struct x86_abi *abi = lw->abi;
    struct x86_rm slot_pc, slot_code;
    if (known) {
        int32_t at = abi->env.jc_offset +
                     (int32_t)(sizeof(struct jump_slot) * host_jc_index(pc, lw->b->flags,
                                                                       abi->env.jc_mask));
        slot_pc = xm(R14, at + (int32_t)offsetof(struct jump_slot, pc));
        slot_code = xm(R14, at + (int32_t)offsetof(struct jump_slot, code));
    } else {
        /* host_jc_index times the slot's 16 bytes: its last shift right by 1 becomes one left
         * by 3, the flags and the mask shifted by 4 */
        _Static_assert(sizeof(struct jump_slot) == 16, "a slot is 1 << 4 bytes");
        x86_emit(o, X_MOV, false, RCX, xr(RAX), 0);
        x86_emit(o, X_SHRI, false, 0, xr(RCX), 5);
        x86_emit(o, X_ANDI, false, 0, xr(RCX), ~0xfff);
        x86_emit(o, X_XOR, false, RCX, xr(RAX), 0);
        x86_emit(o, X_SHLI, false, 0, xr(RCX), 3);
        if (lw->b->flags)   /* jump_cache_index: the block's flags are the CPU's */
            x86_emit(o, X_XORI, false, 0, xr(RCX), (int32_t)(lw->b->flags << 4));
        x86_emit(o, X_ANDI, false, 0, xr(RCX), (int32_t)(abi->env.jc_mask << 4));
        slot_pc = xmi(R14, RCX, 1, abi->env.jc_offset + (int32_t)offsetof(struct jump_slot, pc));
        slot_code = xmi(R14, RCX, 1,
                        abi->env.jc_offset + (int32_t)offsetof(struct jump_slot, code));
    }
    x86_emit(o, X_CMP, true, RAX, slot_pc, 0);
    uint8_t *miss = x86_jcc(o, CC_NE, NULL);
    x86_emit(o, X_JMPM, false, 0, slot_code, 0);
    if (miss)
        x86_patch_rel32(miss, rx_of(lw, miss), rx_of(lw, o->p));
    leave_to_pc(lw);
}

static void lower_goto_ind(struct lower *lw, const struct ir_op *op)
{
    ra_store_state(lw);
    ra_load(lw, RAX, op->src[0], true);
    if (lw->abi->env.inline_jc)
        jc_jump(lw, false, 0);
    else
        leave_to_pc(lw);
}

static void lower_exit(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    ra_store_state(lw);
    x86_mov_imm(o, RAX, (uint64_t)op->imm);
    x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
    x86_emit(o, X_MOVI, false, 0, xm(R14, CPU_OFF(exc)), op->aux);
    x86_emit(o, X_MOVI, true, 0, xm(R14, CPU_OFF(exc_tval)), 0);
    x86_emit(o, X_MOVI, false, 0, xm(R14, CPU_OFF(exit_reason)), CPU_EXIT_EXCEPTION);
    x86_mov_imm(o, RAX, HOST_RET_EXIT);
    x86_jmp(o, lw->abi->epilogue);
}

/* A loop's back edge: the exit request checked as at a block's entry (its stub stores the
 * pinned fields and those the loop writes before reading them, then leaves for the loop's
 * pc), with none the one jump to the code after the loop op, where the same fields are in
 * the same registers and no temp lives. */
static void lower_goto_loop(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    if (lw->abi->env.loops_leave || !lw->loop_label) {   /* as goto_pc, the pins in its stub */
        ra_flush_all(lw);
        align_rel32(lw, 1);
        new_stub(lw, S_EXIT, (uint64_t)op->imm)->site = x86_jmp(o, NULL);
        return;
    }
    ra_flush_loop(lw);
    x86_emit(o, X_CMPI, false, 0, xm(R14, CPU_OFF(exit_request)), 0);
    x86_jcc(o, CC_E, rx_of(lw, lw->loop_label));
    new_stub(lw, S_INT, (uint64_t)op->imm)->site = x86_jmp(o, NULL);
    ra_forget_dirty(lw);
}

static void emit_stubs(struct lower *lw)
{
    struct host_buf *o = lw->o;
    /* After an overflow the block is thrown away: its sites may not exist. */
    for (uint32_t k = 0; k < lw->n_stubs && !o->overflow; k++) {
        struct stub *s = &lw->stubs[k];
        if (s->site)
            x86_patch_rel32(s->site, rx_of(lw, s->site), rx_of(lw, o->p));
        switch (s->kind) {
        case S_MEM:
            lw->map[lw->n_map++] = (struct host_map){ (uint32_t)(o->p - o->start), 0, 0, s->pc };
            ra_emit_wb(lw, s->wb_first, s->wb_n);
            if (s->reg != RAX || s->disp)
                x86_emit(o, X_LEA, true, RAX, xm(s->reg, s->disp), 0);
            x86_mov_imm(o, RCX, s->size);
            x86_call(o, lw->abi->mem_thunk);
            if (s->reg == RAX && s->disp)   /* the base again: the access adds disp itself */
                x86_emit(o, X_SUBI, true, 0, xr(RAX), s->disp);
            x86_jmp(o, rx_of(lw, s->back));
            break;
        case S_TLB_LD:
        case S_TLB_ST:   /* rax = the guest address */
            lw->map[lw->n_map++] = (struct host_map){ (uint32_t)(o->p - o->start), 0, 0, s->pc };
            ra_emit_wb(lw, s->wb_first, s->wb_n);
            if (s->kind == S_TLB_ST && s->vloc == L_REG)
                x86_emit(o, X_MOV, true, RDX, xr(s->reg), 0);
            else if (s->kind == S_TLB_ST && s->vloc == L_MEM)
                x86_emit(o, X_MOV, true, RDX, xm(R14, s->disp), 0);
            else if (s->kind == S_TLB_ST)
                x86_mov_imm(o, RDX, (uint64_t)s->val);
            x86_mov_imm(o, RCX, s->memop);
            if (s->kind == S_TLB_LD) {
                x86_call(o, lw->abi->tlb_load_thunk);
                x86_emit(o, X_MOV, true, s->reg, xr(RAX), 0);
            } else {
                x86_call(o, lw->abi->tlb_store_thunk);
            }
            x86_jmp(o, rx_of(lw, s->back));
            break;
        case S_EXIT:
            if (s->wb_n) {   /* store the dirty fields; chaining patches the jump after */
                ra_emit_wb(lw, s->wb_first, s->wb_n);
                align_rel32(lw, 1);
                if (!(s->site = x86_jmp(o, NULL)))
                    break;
                x86_patch_rel32(s->site, rx_of(lw, s->site), rx_of(lw, o->p));
            }
            x86_mov_imm(o, RAX, s->pc);
            if (lw->abi->env.inline_jc && lw->abi->env.chain_in_page &&
                (s->pc ^ lw->b->pc) >> 12) {
                jc_jump(lw, true, s->pc);   /* never chained: the jump cache is the fast way */
                break;
            }
            x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
            x86_lea_rip(o, RAX, rx_of(lw, s->site));
            x86_jmp(o, lw->abi->epilogue);
            break;
        default: /* S_INT (with the pins at a loop's back edge), S_HOT */
            ra_emit_wb(lw, s->wb_first, s->wb_n);
            x86_mov_imm(o, RAX, s->pc);
            x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
            x86_mov_imm(o, RAX, s->kind == S_HOT ? HOST_RET_HOT : HOST_RET_INTERRUPT);
            x86_jmp(o, lw->abi->epilogue);
            break;
        }
    }
}

/* ---- the block ---- */

static void mark_insn(struct lower *lw, uint64_t pc)
{
    uint32_t off = (uint32_t)(lw->o->p - lw->o->start);
    lw->pc = pc;
    if (lw->n_map && lw->map[lw->n_map - 1].host_off == off)
        lw->n_map--;
    lw->map[lw->n_map++] = (struct host_map){ off, 0, 0, pc };
}

/* A switch with a case for every op and no default: an op of ops.def without a lowering does
 * not compile. */
static void lower_op(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    bool w = op->type == IR_I64 || op->type == IR_F64;
    int k;
    switch ((enum ir_opc)op->opc) {
    case IR_insn_start:
        mark_insn(lw, (uint64_t)op->imm);
        break;
    case IR_loop:   /* the preheader: no temp lives on, the pinned fields are loaded */
        ra_flush_all(lw);
        ra_pin_loop(lw);
        lw->loop_label = o->p;
        break;
    case IR_const:
        lw->loc[op->dst] = L_CONST;
        lw->val[op->dst] = op->imm;
        break;
    case IR_get:
        ra_flush(lw, op->imm, w ? 8 : 4);
        if ((k = ra_pin_of(lw, op->imm, w ? 8 : 4)) >= 0) {
            ra_get_pinned(lw, op, k);
        } else if (!w && (k = ra_pin_of(lw, op->imm, 8)) >= 0) {
            ra_get_pinned_low(lw, op, k);
        } else if (ra_get_in_place(lw, lw->i)) {
            lw->loc[op->dst] = L_MEM;
            lw->mem[op->dst] = (int32_t)op->imm;
        } else {
            unsigned r = ra_def(lw, op->dst, RAX);
            x86_emit(o, X_MOV, w, r, xm(R14, (int32_t)op->imm), 0);
            ra_def_done(lw, op->dst, r);
        }
        break;
    case IR_put:
        ra_put(lw, op);
        break;
    case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor:
        lower_alu(lw, op, w);
        break;
    case IR_andc: {   /* r = ~b & a: b's register only if a is another temp */
        unsigned r = ra_def_reusing(lw, op->dst, op->src[1] == op->src[0] ? IR_NONE : op->src[1]);
        ra_load(lw, r, op->src[1], w);
        x86_emit(o, X_NOT, w, 0, xr(r), 0);
        x86_emit(o, X_AND, w, r, ra_rm(lw, op->src[0], RCX), 0);
        ra_def_done(lw, op->dst, r);
        break;
    }
    case IR_mul: {
        unsigned r = ra_def_reusing(lw, op->dst, op->src[0]);
        int32_t imm;
        if (ra_imm(lw, op->src[1], w, &imm)) {
            x86_emit(o, X_IMULI, w, r, ra_rm(lw, op->src[0], RCX), imm);
        } else {
            ra_load(lw, r, op->src[0], w);
            x86_emit(o, X_IMUL, w, r, ra_rm(lw, op->src[1], RCX), 0);
        }
        ra_def_done(lw, op->dst, r);
        break;
    }
    case IR_mulhs: case IR_mulhu: case IR_mulhsu:
        lower_mulh(lw, op, w);
        break;
    case IR_clz: case IR_ctz: case IR_popcnt:
        if (lw->abi->bit_count) {
            lower_unary(lw, op, w);
            break;
        }
        /* fall through */
    case IR_divs: case IR_divu: case IR_rems: case IR_remu:
        ra_call_helper(lw, helper_of[op->opc][w] - 1, op);
        break;
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        lower_shift(lw, op, w);
        break;
    case IR_mov: case IR_neg: case IR_not: case IR_bswap: case IR_sext8: case IR_sext16:
    case IR_sext32: case IR_zext8: case IR_zext16: case IR_zext32:
        lower_unary(lw, op, w);
        break;
    case IR_extract: case IR_sextract: case IR_deposit:
        lower_field(lw, op, w);
        break;
    case IR_setcond:
        lower_setcond(lw, op, w);
        break;
    case IR_movcond:
        lower_movcond(lw, op, w);
        break;
    case IR_fadd: case IR_fsub: case IR_fmul: case IR_fdiv: case IR_fsqrt:
        lower_fp(lw, op, w);
        break;
    case IR_ld:
        lower_ld(lw, op, w);
        break;
    case IR_st:
        lower_st(lw, op);
        break;
    case IR_atomic_rmw: {
        struct arg args[3] = { { op->src[0], 0 }, { op->src[1], 0 },
                               { IR_NONE, op->cond | op->aux << 8 } };
        ra_call(lw, lw->abi->helper[XH_ATOMIC_RMW], true, args, 3, op->dst, false);
        break;
    }
    case IR_cmpxchg: {
        struct arg args[4] = { { op->src[0], 0 }, { op->src[1], 0 }, { op->src[2], 0 },
                               { IR_NONE, op->aux } };
        ra_call(lw, lw->abi->helper[XH_CMPXCHG], true, args, 4, op->dst, false);
        break;
    }
    case IR_fence:
        x86_byte(o, 0x0f);
        x86_byte(o, 0xae);
        x86_byte(o, 0xf0);
        break;
    case IR_call: {
        const struct ir_helper *h = (const struct ir_helper *)(intptr_t)op->imm;
        struct arg args[4];
        unsigned n = 0;
        for (unsigned k = 0; k < 4; k++)
            args[n++] = (struct arg){ op->src[k], 0 };
        ra_call(lw, (const void *)h->fn, true, args, n, op->dst, false);
        break;
    }
    case IR_exit_if: {   /* with dirty fields, the stub stores them and has the chain */
        emit_cmp(lw, op->src[0], op->src[1], w);
        struct stub *s = new_stub(lw, S_EXIT, (uint64_t)op->imm);
        if (!s->wb_n)
            align_rel32(lw, 2);
        s->site = x86_jcc(o, cc_of[op->cond], NULL);
        break;
    }
    case IR_goto_pc:
        ra_flush_all(lw);
        align_rel32(lw, 1);
        new_stub(lw, S_EXIT, (uint64_t)op->imm)->site = x86_jmp(o, NULL);
        break;
    case IR_goto_loop:
        lower_goto_loop(lw, op);
        break;
    case IR_goto_ind:
        lower_goto_ind(lw, op);
        break;
    case IR_exit:
        lower_exit(lw, op);
        break;
    }
}

int x86_lower(const struct ir_block *b, const struct x86_abi *abi, struct host_buf *out,
              struct host_map *map, uint32_t *n_map, struct host_wb *wb, uint32_t *n_wb)
{
    static __thread struct lower *lw;
    if (!lw && !(lw = malloc(sizeof(*lw))))
        return -ENOMEM;
    lw->b = b;
    lw->abi = abi;
    lw->o = out;
    lw->busy = 0;
    lw->n_stubs = 0;
    lw->map = map;
    lw->n_map = 0;
    lw->wb = wb;
    lw->n_wb = 0;
    lw->n_dirty = 0;
    lw->pinned = 0;
    lw->n_pins = 0;
    lw->pin_mask = 0;
    lw->loop_label = NULL;
    ra_analyse(lw);
    mark_insn(lw, b->pc);

    /* Entry: the run counter of T2 (exec/tier2.c), first, at the block's 16-aligned start,
     * where x64_stop_count finds it; then the interrupt check, as the interpreter does. */
    if (abi->env.hot_count) {
        uint32_t slot = host_jc_index(b->pc, b->flags, abi->env.jc_mask);
        x86_emit(out, X_SUBI, false, 0, xm(R14, abi->env.hot_offset + 4 * (int32_t)slot), 1);
        new_stub(lw, S_HOT, b->pc)->site = x86_jcc(out, CC_E, NULL);
    }
    x86_emit(out, X_CMPI, false, 0, xm(R14, CPU_OFF(exit_request)), 0);
    new_stub(lw, S_INT, b->pc)->site = x86_jcc(out, CC_NE, NULL);

    for (uint32_t i = 0; i < b->n_ops; i++) {
        lw->i = i;
        lower_op(lw, &b->ops[i]);
        ra_free_dead(lw, &b->ops[i]);
    }
    emit_stubs(lw);
    *n_map = lw->n_map;
    *n_wb = lw->n_wb;
    return out->overflow ? -ENOSPC : 0;
}
