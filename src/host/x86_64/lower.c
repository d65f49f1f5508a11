/* IR -> x86-64 for one block. Guest registers stay in the CPU struct (r14) and are read as
 * memory operands when nothing writes them before the read; temps live in host registers
 * handed out by a linear allocator (freed at their last use, spilled to the CPU's temps area
 * when none is free). Guest memory is [r15 + address] after one compare against r13
 * (guest_limit - 8); exits jump to out-of-line stubs that chaining later bypasses. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "core/cpu.h"
#include "host/x86_64/backend.h"

#define CPU_OFF(f) ((int32_t)offsetof(struct cpu, f))

enum { L_REG = 1, L_MEM, L_CONST };
enum { S_EXIT, S_MEM, S_INT };

static const uint8_t alloc_order[] = { RBX, RBP, R12, RSI, RDI, R8, R9, R10, R11 };
#define CALLER_SAVED (1u << RSI | 1u << RDI | 1u << R8 | 1u << R9 | 1u << R10 | 1u << R11)

/* IR condition -> x86 condition code, in enum ir_cond order. */
static const uint8_t cc_of[IR_NCONDS] = { CC_E, CC_NE, CC_L, CC_GE, CC_LE, CC_G,
                                          CC_B, CC_AE, CC_BE, CC_A };

struct stub {
    uint8_t kind, reg, size;
    uint8_t *site;          /* rel32 of the branch to the stub (writable view) */
    uint8_t *back;          /* S_MEM: where to resume */
    uint64_t pc;
};

struct lower {
    const struct ir_block *b;
    const struct x86_abi *abi;
    struct x86_buf *o;
    uint32_t i;                       /* op being lowered */
    uint64_t pc;                      /* guest pc of its instruction */
    uint32_t busy;                    /* host registers holding live temps */
    ir_temp holder[16];
    uint8_t loc[IR_MAX_TEMPS];
    uint8_t reg[IR_MAX_TEMPS];
    int32_t mem[IR_MAX_TEMPS];        /* L_MEM: offset from r14 (a state field or a temp slot) */
    int64_t val[IR_MAX_TEMPS];
    uint32_t last_use[IR_MAX_TEMPS];
    struct stub stubs[IR_MAX_OPS + 1];
    uint32_t n_stubs;
    struct x86_map *map;
    uint32_t n_map;
};

/* ---- locations ---- */

static const uint8_t *rx_of(const struct lower *lw, const uint8_t *p)
{
    return p + lw->o->rx_delta;
}

static int32_t slot_of(const struct lower *lw, ir_temp t)
{
    return lw->abi->temps_offset + 8 * (int32_t)t;
}

/* The operand of t as r/m; a constant is loaded into scratch. */
static struct x86_rm rm_of(struct lower *lw, ir_temp t, unsigned scratch)
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
static unsigned reg_of(struct lower *lw, ir_temp t, unsigned scratch)
{
    if (lw->loc[t] == L_REG)
        return lw->reg[t];
    struct x86_rm rm = rm_of(lw, t, scratch);
    if (rm.mem)
        x86_emit(lw->o, X_MOV, true, scratch, rm, 0);
    return scratch;
}

/* r = t, zero-extended from 32 bits unless w64. */
static void load_into(struct lower *lw, unsigned r, ir_temp t, bool w64)
{
    if (lw->loc[t] == L_CONST)
        x86_mov_imm(lw->o, r, w64 ? (uint64_t)lw->val[t] : (uint32_t)lw->val[t]);
    else if (lw->loc[t] != L_REG || lw->reg[t] != r || !w64)
        x86_emit(lw->o, X_MOV, w64, r, rm_of(lw, t, r), 0);
}

/* t as a 32-bit immediate of an op of width w64, if it is a constant that fits. */
static bool imm_of(const struct lower *lw, ir_temp t, bool w64, int32_t *imm)
{
    if (lw->loc[t] != L_CONST || (w64 && !x86_fits32(lw->val[t])))
        return false;
    *imm = (int32_t)lw->val[t];
    return true;
}

/* Give t a home: a free register, else its slot (then the op computes into spill_reg and
 * def_done stores it). Returns the register to compute into. */
static unsigned def(struct lower *lw, ir_temp t, unsigned spill_reg)
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

static void def_done(struct lower *lw, ir_temp t, unsigned r)
{
    if (lw->loc[t] == L_MEM)
        x86_emit(lw->o, X_ST, true, r, xm(R14, lw->mem[t]), 0);
    else if (lw->reg[t] != r)
        x86_emit(lw->o, X_MOV, true, lw->reg[t], xr(r), 0);
}

static void free_dead(struct lower *lw, const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    for (unsigned s = 0; s < d->n_in; s++) {
        ir_temp t = op->src[s];
        if (t != IR_NONE && lw->last_use[t] == lw->i && lw->loc[t] == L_REG)
            lw->busy &= ~(1u << lw->reg[t]);
    }
    if (d->n_out && lw->last_use[op->dst] <= lw->i && lw->loc[op->dst] == L_REG)
        lw->busy &= ~(1u << lw->reg[op->dst]);
}

/* ---- calls ---- */

struct arg {
    ir_temp t;     /* IR_NONE: the constant imm */
    int64_t imm;
};

/* dst = fn([cpu,] args...): records the position for fault mapping, keeps live temps in
 * caller-saved registers across the call through their slots (also the op's own operands
 * when the op goes on after the call: mid_op). */
static void emit_call(struct lower *lw, const void *fn, bool with_cpu, const struct arg *args,
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
            load_into(lw, arg_regs[k], t, true);
    }
    x86_call(o, fn);
    if (dst != IR_NONE) {
        unsigned r = def(lw, dst, RAX);
        if (r != RAX)
            x86_emit(o, X_MOV, true, r, xr(RAX), 0);
        def_done(lw, dst, r);
    }
    for (unsigned r = 0; r < 16; r++)
        if ((saved & 1u << r) && lw->last_use[lw->holder[r]] + mid_op > lw->i)
            x86_emit(o, X_MOV, true, r, xm(R14, slot_of(lw, lw->holder[r])), 0);
}

static void call_helper(struct lower *lw, enum x86_helper h, const struct ir_op *op)
{
    struct arg args[2] = { { op->src[0], 0 }, { op->src[1], 0 } };
    emit_call(lw, lw->abi->helper[h], false, args, ir_opdefs[op->opc].n_in, op->dst, false);
}

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

static void lower_alu(struct lower *lw, const struct ir_op *op, bool w)
{
    ir_temp a = op->src[0], b = op->src[1];
    const struct alu_form *f = &alu_forms[op->opc];
    unsigned r = def(lw, op->dst, RAX);
    int32_t imm;
    bool is_imm = imm_of(lw, b, w, &imm);
    if (op->opc == IR_add && lw->loc[a] == L_REG && (is_imm || lw->loc[b] == L_REG)) {
        struct x86_rm m = is_imm ? xm(lw->reg[a], imm) : xmi(lw->reg[a], lw->reg[b], 1, 0);
        x86_emit(lw->o, X_LEA, w, r, m, 0);
    } else {
        load_into(lw, r, a, w);
        if (is_imm)
            x86_emit(lw->o, f->ri - 1, w, 0, xr(r), imm);
        else
            x86_emit(lw->o, f->rr - 1, w, r, rm_of(lw, b, RCX), 0);
    }
    def_done(lw, op->dst, r);
}

static void lower_shift(struct lower *lw, const struct ir_op *op, bool w)
{
    const struct alu_form *f = &shift_forms[op->opc];
    ir_temp b = op->src[1];
    unsigned r = def(lw, op->dst, RAX);
    if (lw->loc[b] == L_CONST) {
        load_into(lw, r, op->src[0], w);
        x86_emit(lw->o, f->ri - 1, w, 0, xr(r), lw->val[b] & (w ? 63 : 31));
    } else {
        x86_emit(lw->o, X_MOV, false, RCX, rm_of(lw, b, RCX), 0);
        load_into(lw, r, op->src[0], w);
        x86_emit(lw->o, f->rr - 1, w, 0, xr(r), 0);
    }
    def_done(lw, op->dst, r);
}

/* High half of the product. 32-bit: one 64-bit multiply of the extended operands. */
static void lower_mulh(struct lower *lw, const struct ir_op *op, bool w)
{
    struct x86_buf *o = lw->o;
    ir_temp a = op->src[0], b = op->src[1];
    if (!w) {
        bool sa = op->opc != IR_mulhu, sb = op->opc == IR_mulhs;
        x86_emit(o, sa ? X_MOVSXD : X_MOV, sa, RAX, rm_of(lw, a, RAX), 0);
        x86_emit(o, sb ? X_MOVSXD : X_MOV, sb, RCX, rm_of(lw, b, RCX), 0);
        x86_emit(o, X_IMUL, true, RAX, xr(RCX), 0);
        x86_emit(o, X_SHRI, true, 0, xr(RAX), 32);
    } else {
        load_into(lw, RCX, b, true);
        load_into(lw, RAX, a, true);
        x86_emit(o, op->opc == IR_mulhs ? X_IMUL1 : X_MUL1, true, 0, xr(RCX), 0);
        if (op->opc == IR_mulhsu) {   /* a signed: hi(a * b) = hiu(a * b) - (a < 0 ? b : 0) */
            load_into(lw, RAX, a, true);
            x86_emit(o, X_SARI, true, 0, xr(RAX), 63);
            x86_emit(o, X_AND, true, RAX, xr(RCX), 0);
            x86_emit(o, X_SUB, true, RDX, xr(RAX), 0);
        }
        x86_emit(o, X_MOV, true, RAX, xr(RDX), 0);
    }
    unsigned r = def(lw, op->dst, RAX);
    if (r != RAX)
        x86_emit(o, X_MOV, true, r, xr(RAX), 0);
    def_done(lw, op->dst, r);
}

static void lower_unary(struct lower *lw, const struct ir_op *op, bool w)
{
    struct x86_buf *o = lw->o;
    ir_temp a = op->src[0];
    unsigned r = def(lw, op->dst, RAX);
    switch (op->opc) {
    case IR_mov: load_into(lw, r, a, w); break;
    case IR_neg: load_into(lw, r, a, w); x86_emit(o, X_NEG, w, 0, xr(r), 0); break;
    case IR_not: load_into(lw, r, a, w); x86_emit(o, X_NOT, w, 0, xr(r), 0); break;
    case IR_bswap: load_into(lw, r, a, w); x86_bswap(o, w, r); break;
    case IR_sext8: x86_emit(o, X_MOVSX8, w, r, rm_of(lw, a, RCX), 0); break;
    case IR_sext16: x86_emit(o, X_MOVSX16, w, r, rm_of(lw, a, RCX), 0); break;
    case IR_sext32: x86_emit(o, w ? X_MOVSXD : X_MOV, w, r, rm_of(lw, a, RCX), 0); break;
    case IR_zext8: x86_emit(o, X_MOVZX8, false, r, rm_of(lw, a, RCX), 0); break;
    case IR_zext16: x86_emit(o, X_MOVZX16, false, r, rm_of(lw, a, RCX), 0); break;
    default: /* zext32 */ x86_emit(o, X_MOV, false, r, rm_of(lw, a, RCX), 0); break;
    }
    def_done(lw, op->dst, r);
}

/* extract/sextract (64-bit results; sextract.i32 zero-extends its 32-bit result) and
 * deposit, all with shifts: imm = pos | len << 8. */
static void lower_field(struct lower *lw, const struct ir_op *op, bool w)
{
    struct x86_buf *o = lw->o;
    unsigned pos = op->imm & 0xff, len = (op->imm >> 8) & 0xff;
    unsigned r = def(lw, op->dst, RAX);
    if (op->opc == IR_deposit) {
        uint64_t m = (len >= 64 ? UINT64_MAX : (1ull << len) - 1) << pos;
        load_into(lw, r, op->src[1], true);
        if (len < 64) {
            x86_emit(o, X_SHLI, true, 0, xr(r), 64 - len);
            x86_emit(o, X_SHRI, true, 0, xr(r), 64 - len - pos);
        }
        load_into(lw, RDX, op->src[0], true);
        x86_mov_imm(o, RCX, ~m);
        x86_emit(o, X_AND, true, RDX, xr(RCX), 0);
        x86_emit(o, X_OR, w, r, xr(RDX), 0);
    } else {
        load_into(lw, r, op->src[0], true);
        if (pos + len < 64)
            x86_emit(o, X_SHLI, true, 0, xr(r), 64 - pos - len);
        if (len < 64)
            x86_emit(o, op->opc == IR_extract ? X_SHRI : X_SARI, true, 0, xr(r), 64 - len);
        if (op->opc == IR_sextract && !w)
            x86_emit(o, X_MOV, false, r, xr(r), 0);
    }
    def_done(lw, op->dst, r);
}

/* cmp a, b at the op's width (a in a register, b an immediate or r/m). */
static void emit_cmp(struct lower *lw, ir_temp a, ir_temp b, bool w)
{
    int32_t imm;
    unsigned ra = reg_of(lw, a, RDX);
    if (imm_of(lw, b, w, &imm))
        x86_emit(lw->o, X_CMPI, w, 0, xr(ra), imm);
    else
        x86_emit(lw->o, X_CMP, w, ra, rm_of(lw, b, RCX), 0);
}

static void lower_setcond(struct lower *lw, const struct ir_op *op, bool w)
{
    unsigned r = def(lw, op->dst, RAX);
    x86_emit(lw->o, X_XOR, false, r, xr(r), 0);
    emit_cmp(lw, op->src[0], op->src[1], w);
    x86_emit(lw->o, X_SETCC, false, 0, xr(r), cc_of[op->cond]);
    def_done(lw, op->dst, r);
}

static void lower_movcond(struct lower *lw, const struct ir_op *op, bool w)
{
    emit_cmp(lw, op->src[0], op->src[1], w);
    unsigned r = def(lw, op->dst, RAX);
    load_into(lw, r, op->src[3], true);                 /* mov keeps the flags */
    x86_emit(lw->o, X_CMOV, true, r, rm_of(lw, op->src[2], RCX), cc_of[op->cond]);
    def_done(lw, op->dst, r);
}

static void lower_fp(struct lower *lw, const struct ir_op *op, bool w)
{
    static const uint8_t sd[IR_NOPS] = { [IR_fadd] = X_ADDSD, [IR_fsub] = X_SUBSD,
                                         [IR_fmul] = X_MULSD, [IR_fdiv] = X_DIVSD,
                                         [IR_fsqrt] = X_SQRTSD };
    static const uint8_t ss[IR_NOPS] = { [IR_fadd] = X_ADDSS, [IR_fsub] = X_SUBSS,
                                         [IR_fmul] = X_MULSS, [IR_fdiv] = X_DIVSS,
                                         [IR_fsqrt] = X_SQRTSS };
    struct x86_buf *o = lw->o;
    enum xh_insn insn = w ? sd[op->opc] : ss[op->opc];
    x86_emit(o, X_MOVQX, w, 0, rm_of(lw, op->src[0], RCX), 0);
    if (op->opc == IR_fsqrt) {
        x86_emit(o, insn, false, 0, xr(0), 0);
    } else if (lw->loc[op->src[1]] == L_MEM) {
        x86_emit(o, insn, false, 0, xm(R14, lw->mem[op->src[1]]), 0);
    } else {
        x86_emit(o, X_MOVQX, w, 1, rm_of(lw, op->src[1], RCX), 0);
        x86_emit(o, insn, false, 0, xr(1), 0);
    }
    unsigned r = def(lw, op->dst, RAX);
    x86_emit(o, X_MOVQR, w, 0, xr(r), 0);
    def_done(lw, op->dst, r);
}

/* ---- memory ---- */

/* Computes the guest address src0 + imm (atomics: imm 0), checks it against the limit (slow
 * path: the memory thunk, which raises SIGSEGV or comes back here) and returns the host
 * operand [r15 + address]. Clobbers rax only. */
static struct x86_rm guest_addr(struct lower *lw, ir_temp a, int64_t disp, unsigned size)
{
    struct x86_buf *o = lw->o;
    unsigned ea = RAX;
    if (lw->loc[a] == L_REG && disp == 0)
        ea = lw->reg[a];
    else if (lw->loc[a] == L_CONST)
        x86_mov_imm(o, RAX, (uint64_t)lw->val[a] + (uint64_t)disp);
    else if (lw->loc[a] == L_REG && x86_fits32(disp))
        x86_emit(o, X_LEA, true, RAX, xm(lw->reg[a], (int32_t)disp), 0);
    else {
        x86_emit(o, X_MOV, true, RAX, rm_of(lw, a, RAX), 0);
        if (x86_fits32(disp)) {
            if (disp)
                x86_emit(o, X_ADDI, true, 0, xr(RAX), disp);
        } else {
            x86_mov_imm(o, RCX, (uint64_t)disp);
            x86_emit(o, X_ADD, true, RAX, xr(RCX), 0);
        }
    }
    x86_emit(o, X_CMP, true, ea, xr(R13), 0);
    struct stub *s = &lw->stubs[lw->n_stubs++];
    s->kind = S_MEM;
    s->site = x86_jcc(o, CC_A, NULL);
    s->back = o->p;
    s->reg = (uint8_t)ea;
    s->size = (uint8_t)size;
    s->pc = lw->pc;
    return xmi(R15, ea, 1, 0);
}

static void lower_ld(struct lower *lw, const struct ir_op *op, bool w)
{
    struct x86_rm m = guest_addr(lw, op->src[0], op->imm, 1u << (op->aux & IR_MO_SIZE));
    static const uint8_t kind[8] = { X_MOVZX8, X_MOVZX16, X_MOV, X_MOV,
                                     X_MOVSX8, X_MOVSX16, X_MOVSXD, X_MOV };
    static const bool wide[8] = { false, false, false, true, true, true, true, true };
    enum xh_insn insn = kind[op->aux & 7];
    bool w64 = wide[op->aux & 7] && (w || (op->aux & 3) >= 2);
    unsigned r = def(lw, op->dst, RCX);
    x86_emit(lw->o, insn, w64, r, m, 0);
    def_done(lw, op->dst, r);
}

static void lower_st(struct lower *lw, const struct ir_op *op)
{
    static const uint8_t kind[4] = { X_ST8, X_ST16, X_ST, X_ST };
    unsigned size_log = op->aux & IR_MO_SIZE;
    if (lw->abi->log_stores) {
        struct arg args[3] = { { op->src[0], 0 }, { IR_NONE, op->imm }, { IR_NONE, 1 << size_log } };
        emit_call(lw, lw->abi->helper[XH_LOG_STORE], true, args, 3, IR_NONE, true);
    }
    struct x86_rm m = guest_addr(lw, op->src[0], op->imm, 1u << size_log);
    unsigned v = reg_of(lw, op->src[1], RCX);
    x86_emit(lw->o, kind[size_log], size_log == 3, v, m, 0);
}

/* ---- exits ---- */

static void exit_stub(struct lower *lw, uint8_t *site, uint64_t pc)
{
    struct stub *s = &lw->stubs[lw->n_stubs++];
    s->kind = S_EXIT;
    s->site = site;
    s->pc = pc;
}

static void lower_goto_ind(struct lower *lw, const struct ir_op *op)
{
    struct x86_buf *o = lw->o;
    const struct x86_abi *abi = lw->abi;
    load_into(lw, RAX, op->src[0], true);
    uint8_t *miss[2] = { NULL, NULL };
    if (abi->inline_jc) {
        x86_emit(o, X_MOV, false, RCX, xr(RAX), 0);
        x86_emit(o, X_SHRI, false, 0, xr(RCX), 1);
        x86_emit(o, X_ANDI, false, 0, xr(RCX), (int32_t)abi->jc_mask);
        x86_emit(o, X_MOV, true, RDX, xm(R14, CPU_OFF(exec)), 0);
        x86_emit(o, X_MOV, true, RDX, xmi(RDX, RCX, 8, abi->exec_jc_offset), 0);
        x86_emit(o, X_TEST, true, RDX, xr(RDX), 0);
        miss[0] = x86_jcc(o, CC_E, NULL);
        x86_emit(o, X_CMP, true, RAX, xm(RDX, abi->tb_pc_offset), 0);
        miss[1] = x86_jcc(o, CC_NE, NULL);
        x86_emit(o, X_JMPM, false, 0, xm(RDX, abi->tb_code_offset), 0);
    }
    for (int k = 0; k < 2; k++)
        if (miss[k])
            x86_patch_rel32(miss[k], rx_of(lw, miss[k]), rx_of(lw, o->p));
    x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
    x86_mov_imm(o, RAX, X86_RET_EXIT);
    x86_jmp(o, abi->epilogue);
}

static void lower_exit(struct lower *lw, const struct ir_op *op)
{
    struct x86_buf *o = lw->o;
    x86_mov_imm(o, RAX, (uint64_t)op->imm);
    x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
    x86_emit(o, X_MOVI, false, 0, xm(R14, CPU_OFF(exit_reason)), op->aux);
    x86_mov_imm(o, RAX, X86_RET_EXIT);
    x86_jmp(o, lw->abi->epilogue);
}

static void emit_stubs(struct lower *lw)
{
    struct x86_buf *o = lw->o;
    for (uint32_t k = 0; k < lw->n_stubs; k++) {
        struct stub *s = &lw->stubs[k];
        if (s->site)
            x86_patch_rel32(s->site, rx_of(lw, s->site), rx_of(lw, o->p));
        switch (s->kind) {
        case S_MEM:
            if (lw->n_map < 2 * IR_MAX_OPS)
                lw->map[lw->n_map++] = (struct x86_map){ (uint32_t)(o->p - o->start), s->pc };
            if (s->reg != RAX)
                x86_emit(o, X_MOV, true, RAX, xr(s->reg), 0);
            x86_mov_imm(o, RCX, s->size);
            x86_call(o, lw->abi->mem_thunk);
            x86_jmp(o, rx_of(lw, s->back));
            break;
        case S_EXIT:
            x86_mov_imm(o, RAX, s->pc);
            x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
            x86_lea_rip(o, RAX, rx_of(lw, s->site));
            x86_jmp(o, lw->abi->epilogue);
            break;
        default: /* S_INT */
            x86_mov_imm(o, RAX, s->pc);
            x86_emit(o, X_ST, true, RAX, xm(R14, CPU_OFF(pc)), 0);
            x86_mov_imm(o, RAX, X86_RET_INTERRUPT);
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
    lw->map[lw->n_map++] = (struct x86_map){ off, pc };
}

/* A get can be read in place if nothing writes that state before its last use. */
static bool get_in_place(const struct lower *lw, uint32_t i)
{
    const struct ir_op *g = &lw->b->ops[i];
    if (g->type != IR_I64 && g->type != IR_F64)
        return false;
    for (uint32_t j = i + 1; j < lw->last_use[g->dst]; j++) {
        const struct ir_op *op = &lw->b->ops[j];
        if (op->opc == IR_put && op->imm < g->imm + 8 && op->imm + 8 > g->imm)
            return false;
        if (op->opc == IR_call &&
            (((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_WSTATE))
            return false;
    }
    return true;
}

static void analyse(struct lower *lw)
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
        }
    }
}

static void lower_op(struct lower *lw, const struct ir_op *op)
{
    struct x86_buf *o = lw->o;
    bool w = op->type == IR_I64 || op->type == IR_F64;
    switch (op->opc) {
    case IR_insn_start:
        mark_insn(lw, (uint64_t)op->imm);
        break;
    case IR_const:
        lw->loc[op->dst] = L_CONST;
        lw->val[op->dst] = op->imm;
        break;
    case IR_get:
        if (get_in_place(lw, lw->i)) {
            lw->loc[op->dst] = L_MEM;
            lw->mem[op->dst] = (int32_t)op->imm;
        } else {
            unsigned r = def(lw, op->dst, RAX);
            x86_emit(o, X_MOV, w, r, xm(R14, (int32_t)op->imm), 0);
            def_done(lw, op->dst, r);
        }
        break;
    case IR_put: {
        int32_t imm;
        if (imm_of(lw, op->src[0], w, &imm))
            x86_emit(o, X_MOVI, w, 0, xm(R14, (int32_t)op->imm), imm);
        else
            x86_emit(o, X_ST, w, reg_of(lw, op->src[0], RAX), xm(R14, (int32_t)op->imm), 0);
        break;
    }
    case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor:
        lower_alu(lw, op, w);
        break;
    case IR_andc: {
        unsigned r = def(lw, op->dst, RAX);
        load_into(lw, r, op->src[1], w);
        x86_emit(o, X_NOT, w, 0, xr(r), 0);
        x86_emit(o, X_AND, w, r, rm_of(lw, op->src[0], RCX), 0);
        def_done(lw, op->dst, r);
        break;
    }
    case IR_mul: {
        unsigned r = def(lw, op->dst, RAX);
        int32_t imm;
        if (imm_of(lw, op->src[1], w, &imm)) {
            x86_emit(o, X_IMULI, w, r, rm_of(lw, op->src[0], RCX), imm);
        } else {
            load_into(lw, r, op->src[0], w);
            x86_emit(o, X_IMUL, w, r, rm_of(lw, op->src[1], RCX), 0);
        }
        def_done(lw, op->dst, r);
        break;
    }
    case IR_mulhs: case IR_mulhu: case IR_mulhsu:
        lower_mulh(lw, op, w);
        break;
    case IR_divs: case IR_divu: case IR_rems: case IR_remu:
    case IR_clz: case IR_ctz: case IR_popcnt:
        call_helper(lw, helper_of[op->opc][w] - 1, op);
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
        emit_call(lw, lw->abi->helper[XH_ATOMIC_RMW], true, args, 3, op->dst, false);
        break;
    }
    case IR_cmpxchg: {
        struct arg args[4] = { { op->src[0], 0 }, { op->src[1], 0 }, { op->src[2], 0 },
                               { IR_NONE, op->aux } };
        emit_call(lw, lw->abi->helper[XH_CMPXCHG], true, args, 4, op->dst, false);
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
        emit_call(lw, (const void *)h->fn, true, args, n, op->dst, false);
        break;
    }
    case IR_exit_if:
        emit_cmp(lw, op->src[0], op->src[1], w);
        exit_stub(lw, x86_jcc(o, cc_of[op->cond], NULL), (uint64_t)op->imm);
        break;
    case IR_goto_pc:
        exit_stub(lw, x86_jmp(o, NULL), (uint64_t)op->imm);
        break;
    case IR_goto_ind:
        lower_goto_ind(lw, op);
        break;
    case IR_exit:
        lower_exit(lw, op);
        break;
    default:
        break;
    }
}

int x86_lower(const struct ir_block *b, const struct x86_abi *abi, struct x86_buf *out,
              struct x86_map *map, uint32_t *n_map)
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
    analyse(lw);
    mark_insn(lw, b->pc);

    /* Entry: the interrupt check and the instruction count, as the interpreter does. */
    x86_emit(out, X_CMPI, false, 0, xm(R14, CPU_OFF(exit_request)), 0);
    struct stub *s = &lw->stubs[lw->n_stubs++];
    s->kind = S_INT;
    s->site = x86_jcc(out, CC_NE, NULL);
    s->pc = b->pc;
    x86_emit(out, X_ADDI, true, 0, xm(R14, CPU_OFF(insns_executed)), b->n_insns);

    for (uint32_t i = 0; i < b->n_ops; i++) {
        lw->i = i;
        lower_op(lw, &b->ops[i]);
        free_dead(lw, &b->ops[i]);
    }
    emit_stubs(lw);
    *n_map = lw->n_map;
    return out->overflow ? -ENOSPC : 0;
}
