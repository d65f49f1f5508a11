/* IR -> AArch64 for one block, op by op. Temps live in host registers or their slots
 * (regalloc.c); guest registers are loaded and stored at their get and put. Guest memory in
 * a flat space is [x27 + address] once the address' base has been compared against x26
 * (guest_limit - 1), in any other a call to the space's load/store; exits branch to
 * out-of-line stubs whose first instruction chaining re-points, and a table maps host code
 * offsets back to guest pcs for faults. */
#include <errno.h>
#include <stdlib.h>

#include "host/aarch64/lower.h"

/* IR condition -> AArch64 condition, in enum ir_cond order. */
static const uint8_t cc_of[IR_NCONDS] = { A64_EQ, A64_NE, A64_LT, A64_GE, A64_LE, A64_GT,
                                          A64_LO, A64_HS, A64_LS, A64_HI };

static const uint8_t r3_of[IR_NOPS] = {   /* a64_insn + 1 of two-register ops */
    [IR_add] = A_ADD + 1, [IR_sub] = A_SUB + 1, [IR_and] = A_AND + 1, [IR_or] = A_ORR + 1,
    [IR_xor] = A_EOR + 1, [IR_andc] = A_BIC + 1, [IR_shl] = A_LSLV + 1, [IR_shr] = A_LSRV + 1,
    [IR_sar] = A_ASRV + 1, [IR_rotr] = A_RORV + 1,
};

/* The constant t as the op's width sees it. */
static uint64_t const_of(const struct lower *lw, ir_temp t, bool w)
{
    return w ? (uint64_t)lw->val[t] : (uint32_t)lw->val[t];
}

static bool imm12(uint64_t v)
{
    return v < 4096 || (!(v & 0xfff) && v < (1u << 24));
}

/* ---- integer ops ---- */

static void lower_r3(struct lower *lw, const struct ir_op *op, bool w)
{
    ir_temp a = op->src[0], b = op->src[1];
    unsigned ra = ra_src(lw, a, S0, true);
    if ((op->opc == IR_add || op->opc == IR_sub) && lw->loc[b] == L_CONST && ra != A64_ZR) {
        uint64_t v = const_of(lw, b, w);
        uint64_t neg = w ? -v : (uint32_t)-v;
        bool add = op->opc == IR_add;
        if (imm12(v) || imm12(neg)) {
            unsigned r = ra_def_reusing(lw, op->dst, a);
            if (!imm12(v)) {
                add = !add;
                v = neg;
            }
            a64_emit(lw->o, add ? A_ADDI : A_SUBI, w, r, ra, 0, (int64_t)v);
            ra_def_done(lw, op->dst, r);
            return;
        }
    }
    unsigned rb = ra_src(lw, b, S1, true);
    unsigned r = ra_def_reusing(lw, op->dst, a);
    a64_emit(lw->o, r3_of[op->opc] - 1, w, r, ra, rb, 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_shift(struct lower *lw, const struct ir_op *op, bool w)
{
    ir_temp b = op->src[1];
    unsigned width = w ? 64 : 32;
    unsigned ra = ra_src(lw, op->src[0], S0, false);
    if (lw->loc[b] == L_CONST) {
        unsigned n = (unsigned)lw->val[b] & (width - 1);
        unsigned r = ra_def_reusing(lw, op->dst, op->src[0]);
        if (op->opc == IR_rotl)
            n = (width - n) & (width - 1);
        if (!n)
            a64_mov(lw->o, w, r, ra);
        else if (op->opc == IR_shl)
            a64_emit(lw->o, A_UBFM, w, r, ra, 0, (width - n) | (width - 1 - n) << 8);
        else if (op->opc == IR_shr)
            a64_emit(lw->o, A_UBFM, w, r, ra, 0, n | (width - 1) << 8);
        else if (op->opc == IR_sar)
            a64_emit(lw->o, A_SBFM, w, r, ra, 0, n | (width - 1) << 8);
        else
            a64_emit(lw->o, A_EXTR, w, r, ra, ra, n);
        ra_def_done(lw, op->dst, r);
        return;
    }
    unsigned rb = ra_src(lw, b, S1, false);
    if (op->opc == IR_rotl) {
        a64_emit(lw->o, A_SUB, w, SX, A64_ZR, rb, 0);
        rb = SX;
    }
    unsigned r = ra_def_reusing(lw, op->dst, op->src[0]);
    a64_emit(lw->o, op->opc == IR_rotl ? A_RORV : r3_of[op->opc] - 1, w, r, ra, rb, 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_mul(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    unsigned ra = ra_src(lw, op->src[0], S0, true), rb = ra_src(lw, op->src[1], S1, true);
    unsigned r = ra_def(lw, op->dst);
    switch (op->opc) {
    case IR_mul:
        a64_emit(o, A_MADD, w, r, ra, rb, A64_ZR);
        break;
    case IR_mulhs: case IR_mulhu:
        if (w) {
            a64_emit(o, op->opc == IR_mulhs ? A_SMULH : A_UMULH, true, r, ra, rb, 0);
        } else {
            a64_emit(o, op->opc == IR_mulhs ? A_SMADDL : A_UMADDL, true, r, ra, rb, A64_ZR);
            a64_emit(o, A_UBFM, true, r, r, 0, 32 | 63 << 8);
        }
        break;
    default: /* mulhsu: a signed, b unsigned */
        if (w) {   /* hi(a * b) = hiu(a * b) - (a < 0 ? b : 0) */
            a64_emit(o, A_UMULH, true, r, ra, rb, 0);
            a64_emit(o, A_SBFM, true, SX, ra, 0, 63 | 63 << 8);
            a64_emit(o, A_AND, true, SX, SX, rb, 0);
            a64_emit(o, A_SUB, true, r, r, SX, 0);
        } else {
            a64_emit(o, A_SBFM, true, SX, ra, 0, 0 | 31 << 8);
            a64_emit(o, A_UBFM, true, S1, rb, 0, 0 | 31 << 8);
            a64_emit(o, A_MADD, true, r, SX, S1, A64_ZR);
            a64_emit(o, A_UBFM, true, r, r, 0, 32 | 63 << 8);
        }
        break;
    }
    ra_def_done(lw, op->dst, r);
}

/* The hardware divides give x / 0 = 0 and MIN / -1 = MIN; the IR wants all ones for the
 * quotient by 0 (fixed with a csinv) and the dividend for the remainder by 0 (which
 * a - (a / 0) * 0 already is). */
static void lower_div(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    bool s = op->opc == IR_divs || op->opc == IR_rems;
    unsigned ra = ra_src(lw, op->src[0], S0, true), rb = ra_src(lw, op->src[1], S1, false);
    unsigned r = ra_def(lw, op->dst);
    if (op->opc == IR_divs || op->opc == IR_divu) {
        a64_emit(o, s ? A_SDIV : A_UDIV, w, r, ra, rb, 0);
        a64_emit(o, A_SUBSI, w, A64_ZR, rb, 0, 0);
        a64_emit(o, A_CSINV, w, r, r, A64_ZR, A64_NE);
    } else {
        a64_emit(o, s ? A_SDIV : A_UDIV, w, SX, ra, rb, 0);
        a64_emit(o, A_MSUB, w, r, SX, rb, ra);
    }
    ra_def_done(lw, op->dst, r);
}

static void lower_unary(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    ir_temp a = op->src[0];
    unsigned ra = ra_src(lw, a, S0, true);
    unsigned r = ra_def_reusing(lw, op->dst, a);
    switch (op->opc) {
    case IR_mov: a64_mov(o, w, r, ra); break;
    case IR_neg: a64_emit(o, A_SUB, w, r, A64_ZR, ra, 0); break;
    case IR_not: a64_emit(o, A_ORN, w, r, A64_ZR, ra, 0); break;
    case IR_bswap: a64_emit(o, A_REV, w, r, ra, 0, 0); break;
    case IR_clz: a64_emit(o, A_CLZ, w, r, ra, 0, 0); break;
    case IR_ctz:
        a64_emit(o, A_RBIT, w, SX, ra, 0, 0);
        a64_emit(o, A_CLZ, w, r, SX, 0, 0);
        break;
    case IR_sext8: a64_emit(o, A_SBFM, w, r, ra, 0, 7 << 8); break;
    case IR_sext16: a64_emit(o, A_SBFM, w, r, ra, 0, 15 << 8); break;
    case IR_sext32:
        if (w)
            a64_emit(o, A_SBFM, true, r, ra, 0, 31 << 8);
        else
            a64_mov(o, false, r, ra);
        break;
    case IR_zext8: a64_emit(o, A_UBFM, false, r, ra, 0, 7 << 8); break;
    case IR_zext16: a64_emit(o, A_UBFM, false, r, ra, 0, 15 << 8); break;
    case IR_zext32: a64_mov(o, false, r, ra); break;
    }
    ra_def_done(lw, op->dst, r);
}

/* extract/sextract (64-bit results; sextract.i32 zero-extends its 32-bit result) and
 * deposit: imm = pos | len << 8. */
static void lower_field(struct lower *lw, const struct ir_op *op, bool w)
{
    struct host_buf *o = lw->o;
    unsigned pos = op->imm & 0xff, len = (op->imm >> 8) & 0xff;
    unsigned ra = ra_src(lw, op->src[0], S0, true);
    if (op->opc == IR_deposit) {
        unsigned rb = ra_src(lw, op->src[1], S1, true);
        unsigned r = ra_def(lw, op->dst);
        a64_mov(o, true, r, ra);
        a64_emit(o, A_BFM, true, r, rb, 0, ((64 - pos) & 63) | (len - 1) << 8);
        if (!w)
            a64_mov(o, false, r, r);
        ra_def_done(lw, op->dst, r);
        return;
    }
    unsigned r = ra_def_reusing(lw, op->dst, op->src[0]);
    a64_emit(o, op->opc == IR_extract ? A_UBFM : A_SBFM, true, r, ra, 0,
             pos | (pos + len - 1) << 8);
    if (op->opc == IR_sextract && !w)
        a64_mov(o, false, r, r);
    ra_def_done(lw, op->dst, r);
}

/* Sets the flags comparing a with b at the op's width. */
static void emit_cmp(struct lower *lw, ir_temp a, ir_temp b, bool w)
{
    unsigned ra = ra_src(lw, a, S0, false);
    if (lw->loc[b] == L_CONST && const_of(lw, b, w) < 4096) {
        a64_emit(lw->o, A_SUBSI, w, A64_ZR, ra, 0, (int64_t)const_of(lw, b, w));
        return;
    }
    a64_emit(lw->o, A_SUBS, w, A64_ZR, ra, ra_src(lw, b, S1, true), 0);
}

static void lower_setcond(struct lower *lw, const struct ir_op *op, bool w)
{
    emit_cmp(lw, op->src[0], op->src[1], w);
    unsigned r = ra_def(lw, op->dst);
    a64_emit(lw->o, A_CSINC, true, r, A64_ZR, A64_ZR, cc_of[op->cond] ^ 1);
    ra_def_done(lw, op->dst, r);
}

/* Loading the values after the compare keeps its flags: movz/movk and ldr set none. */
static void lower_movcond(struct lower *lw, const struct ir_op *op, bool w)
{
    emit_cmp(lw, op->src[0], op->src[1], w);
    unsigned rx = ra_src(lw, op->src[2], S0, true), ry = ra_src(lw, op->src[3], S1, true);
    unsigned r = ra_def(lw, op->dst);
    a64_emit(lw->o, A_CSEL, true, r, rx, ry, cc_of[op->cond]);
    ra_def_done(lw, op->dst, r);
}

static void lower_fp(struct lower *lw, const struct ir_op *op, bool w)
{
    static const uint8_t insn[IR_NOPS] = { [IR_fadd] = A_FADD, [IR_fsub] = A_FSUB,
                                           [IR_fmul] = A_FMUL, [IR_fdiv] = A_FDIV,
                                           [IR_fsqrt] = A_FSQRT };
    struct host_buf *o = lw->o;
    a64_emit(o, A_FMOV_TOFP, w, 0, ra_src(lw, op->src[0], S0, true), 0, 0);
    if (op->opc != IR_fsqrt)
        a64_emit(o, A_FMOV_TOFP, w, 1, ra_src(lw, op->src[1], S1, true), 0, 0);
    a64_emit(o, insn[op->opc], w, 0, 0, 1, 0);
    unsigned r = ra_def(lw, op->dst);
    a64_emit(o, A_FMOV_TOGP, w, r, 0, 0, 0);
    ra_def_done(lw, op->dst, r);
}

/* ---- memory ---- */

static struct stub *new_stub(struct lower *lw, uint8_t kind, uint64_t pc)
{
    struct stub *s = &lw->stubs[lw->n_stubs++];
    *s = (struct stub){ .kind = kind, .pc = pc };
    return s;
}

/* reg = base + disp (reg may be base). */
static void add_disp(struct lower *lw, unsigned reg, unsigned base, int64_t disp, unsigned tmp)
{
    uint64_t v = (uint64_t)disp;
    if (imm12(v))
        a64_emit(lw->o, A_ADDI, true, reg, base, 0, disp);
    else if (imm12(-v))
        a64_emit(lw->o, A_SUBI, true, reg, base, 0, -disp);
    else {
        a64_mov_imm(lw->o, tmp, v);
        a64_emit(lw->o, A_ADD, true, reg, base, tmp, 0);
    }
}

/* The register holding the guest address a + disp of an access of size bytes, to be used as
 * [x27, reg]. A base temp is checked once (against x26 = guest_limit - 1; slow path: the
 * memory thunk, which raises SIGSEGV or comes back here): after that any 32-bit displacement
 * from it is used unchecked, since whatever it reaches outside the space is a guard page
 * (mem/uspace.h) and faults. A constant address inside the space needs no check. Clobbers
 * S0, S1 only. */
static unsigned guest_addr(struct lower *lw, ir_temp a, int64_t disp, unsigned size)
{
    struct host_buf *o = lw->o;
    uint64_t limit = lw->abi->env.guest_limit;
    unsigned base;
    int64_t d = 0;
    if (lw->loc[a] == L_CONST) {
        uint64_t addr = (uint64_t)lw->val[a] + (uint64_t)disp;
        a64_mov_imm(o, S0, addr);
        if (addr < limit && size <= limit - addr)
            return S0;
        base = S0;
    } else if (disp == (int32_t)disp) {
        base = ra_src(lw, a, S0, false);
        d = disp;
        if (lw->checked[a]) {
            if (!d)
                return base;
            add_disp(lw, S0, base, d, S1);
            return S0;
        }
        lw->checked[a] = 1;
    } else {
        base = ra_src(lw, a, S0, false);
        add_disp(lw, S0, base, disp, S1);
        base = S0;
    }
    struct stub *s = new_stub(lw, S_MEM, lw->pc);
    a64_emit(o, A_SUBS, true, A64_ZR, base, R_LIMIT, 0);
    s->site = a64_branch(o, A_BCOND, true, A64_HI, NULL);
    s->back = o->p;
    s->reg = (uint8_t)base;
    s->disp = d;
    s->size = (uint8_t)size;
    if (!d)
        return base;
    add_disp(lw, S0, base, d, S1);
    return S0;
}

static void lower_ld(struct lower *lw, const struct ir_op *op, bool w)
{
    static const uint8_t insn[8] = { A_LDRB, A_LDRH, A_LDRW, A_LDRX,
                                     A_LDRSBX, A_LDRSHX, A_LDRSWX, A_LDRX };
    /* an i32 load of 8 or 16 signed bits is zero-extended from 32, of 32 to 64 (ir.h) */
    static const uint8_t insn32[8] = { A_LDRB, A_LDRH, A_LDRW, A_LDRX,
                                       A_LDRSBW, A_LDRSHW, A_LDRSWX, A_LDRX };
    if (!lw->abi->env.flat) {
        struct arg args[3] = { { op->src[0], 0 }, { IR_NONE, op->imm },
                               { IR_NONE, op->aux | (op->type == IR_I32) << 8 } };
        ra_call(lw, lw->abi->helper[AH_LOAD], true, args, 3, op->dst, false);
        return;
    }
    unsigned ra = guest_addr(lw, op->src[0], op->imm, 1u << (op->aux & IR_MO_SIZE));
    unsigned r = ra_def(lw, op->dst);
    a64_emit(lw->o, (w ? insn : insn32)[op->aux & 7], true, r, R_BASE, ra, 0);
    ra_def_done(lw, op->dst, r);
}

static void lower_st(struct lower *lw, const struct ir_op *op)
{
    static const uint8_t insn[4] = { A_STRB, A_STRH, A_STRW, A_STRX };
    unsigned size_log = op->aux & IR_MO_SIZE;
    if (!lw->abi->env.flat) {
        struct arg args[4] = { { op->src[0], 0 }, { IR_NONE, op->imm }, { op->src[1], 0 },
                               { IR_NONE, op->aux } };
        ra_call(lw, lw->abi->helper[AH_STORE], true, args, 4, IR_NONE, false);
        return;
    }
    if (lw->abi->env.log_stores) {
        struct arg args[3] = { { op->src[0], 0 }, { IR_NONE, op->imm }, { IR_NONE, 1 << size_log } };
        ra_call(lw, lw->abi->helper[AH_LOG_STORE], true, args, 3, IR_NONE, true);
    }
    unsigned ra = guest_addr(lw, op->src[0], op->imm, 1u << size_log);
    unsigned v = ra_src(lw, op->src[1], ra == S1 ? S0 : S1, true);
    a64_emit(lw->o, insn[size_log], true, v, R_BASE, ra, 0);
}

/* ---- exits ---- */

static void set_pc(struct lower *lw, uint64_t pc)
{
    a64_mov_imm(lw->o, S0, pc);
    ra_ldst_cpu(lw, true, true, S0, CPU_OFF(pc), S1);
}

static void lower_goto_ind(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    const struct a64_abi *abi = lw->abi;
    ra_load(lw, 0, op->src[0]);
    uint8_t *miss = NULL;
    if (abi->env.inline_jc) {
        /* host_jc_index: ((((pc >> 5) & ~0xfff) ^ pc) >> 1) on 32 bits, times the slot's 16
         * bytes: the last shift right by 1 becomes one left by 3, flags and mask shifted by 4 */
        _Static_assert(sizeof(struct jump_slot) == 16, "a slot is 1 << 4 bytes");
        a64_emit(o, A_UBFM, false, S0, 0, 0, 5 | 31 << 8);
        a64_mov_imm(o, S1, 0xfffff000);
        a64_emit(o, A_AND, false, S0, S0, S1, 0);
        a64_emit(o, A_EOR, false, S0, S0, 0, 0);
        a64_emit(o, A_UBFM, false, S0, S0, 0, 29 | 28 << 8);
        if (lw->b->flags) {   /* jump_cache_index: the block's flags are the CPU's */
            a64_mov_imm(o, S1, (uint64_t)lw->b->flags << 4);
            a64_emit(o, A_EOR, false, S0, S0, S1, 0);
        }
        a64_mov_imm(o, S1, (uint64_t)abi->env.jc_mask << 4);
        a64_emit(o, A_AND, false, S0, S0, S1, 0);
        add_disp(lw, S1, 28, abi->env.jc_offset, SX);   /* x28: the CPU */
        a64_emit(o, A_ADD, true, S1, S1, S0, 0);
        a64_emit(o, A_LDRX, true, S0, S1, A64_NOREG, offsetof(struct jump_slot, pc));
        a64_emit(o, A_SUBS, true, A64_ZR, S0, 0, 0);
        miss = a64_branch(o, A_BCOND, true, A64_NE, NULL);
        a64_emit(o, A_LDRX, true, S1, S1, A64_NOREG, offsetof(struct jump_slot, code));
        a64_emit(o, A_BR, true, 0, S1, 0, 0);
    }
    if (miss)
        a64_patch_branch(miss, a64_rx(o, miss), a64_rx(o, o->p));
    ra_ldst_cpu(lw, true, true, 0, CPU_OFF(pc), S1);
    a64_mov_imm(o, 0, HOST_RET_EXIT);
    a64_jump(o, abi->epilogue, false);
}

static void lower_exit(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    set_pc(lw, (uint64_t)op->imm);
    a64_mov_imm(o, S0, op->aux);
    ra_ldst_cpu(lw, true, false, S0, CPU_OFF(exc), S1);
    ra_ldst_cpu(lw, true, true, A64_ZR, CPU_OFF(exc_tval), S1);
    a64_mov_imm(o, S0, CPU_EXIT_EXCEPTION);
    ra_ldst_cpu(lw, true, false, S0, CPU_OFF(exit_reason), S1);
    a64_mov_imm(o, 0, HOST_RET_EXIT);
    a64_jump(o, lw->abi->epilogue, false);
}

static void add_map(struct lower *lw, uint64_t pc)
{
    uint32_t off = (uint32_t)(lw->o->p - lw->o->start);
    if (lw->n_map && lw->map[lw->n_map - 1].host_off == off)
        lw->n_map--;
    lw->map[lw->n_map++] = (struct host_map){ off, 0, 0, pc };
}

static void emit_stubs(struct lower *lw)
{
    struct host_buf *o = lw->o;
    /* After an overflow the block is thrown away: its sites may not exist. */
    for (uint32_t k = 0; k < lw->n_stubs && !o->overflow; k++) {
        struct stub *s = &lw->stubs[k];
        if (s->site)
            a64_patch_branch(s->site, a64_rx(o, s->site), a64_rx(o, o->p));
        switch (s->kind) {
        case S_MEM:
            add_map(lw, s->pc);
            add_disp(lw, SX, s->reg, s->disp, S1);
            a64_mov_imm(o, S1, s->size);
            a64_jump(o, lw->abi->mem_thunk, true);
            a64_jump(o, a64_rx(o, s->back), false);
            break;
        case S_EXIT: {
            /* the chain site: a conditional exit's is a branch to the next instruction until
             * chaining re-points it */
            uint8_t *site = s->site;
            if (s->chain_in_stub) {
                site = o->p;
                a64_branch(o, A_B, true, 0, a64_rx(o, o->p + 4));
            }
            set_pc(lw, s->pc);
            a64_adr(o, 0, a64_rx(o, site));
            a64_jump(o, lw->abi->epilogue, false);
            break;
        }
        default: /* S_INT */
            set_pc(lw, s->pc);
            a64_mov_imm(o, 0, HOST_RET_INTERRUPT);
            a64_jump(o, lw->abi->epilogue, false);
            break;
        }
    }
}

/* ---- the block ---- */

static void mark_insn(struct lower *lw, uint64_t pc)
{
    lw->pc = pc;
    add_map(lw, pc);
}

/* A switch with a case for every op and no default: an op of ops.def without a lowering does
 * not compile. */
static void lower_op(struct lower *lw, const struct ir_op *op)
{
    struct host_buf *o = lw->o;
    bool w = op->type == IR_I64 || op->type == IR_F64;
    switch ((enum ir_opc)op->opc) {
    case IR_insn_start:
        mark_insn(lw, (uint64_t)op->imm);
        break;
    case IR_loop:   /* this backend leaves at goto_loop, as at goto_pc */
        break;
    case IR_const:
        lw->loc[op->dst] = L_CONST;
        lw->val[op->dst] = op->imm;
        break;
    case IR_get: {
        unsigned r = ra_def(lw, op->dst);
        ra_ldst_cpu(lw, false, w, r, op->imm, r);
        ra_def_done(lw, op->dst, r);
        break;
    }
    case IR_put:
        ra_ldst_cpu(lw, true, w, ra_src(lw, op->src[0], S0, true), op->imm, S1);
        break;
    case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor: case IR_andc:
        lower_r3(lw, op, w);
        break;
    case IR_mul: case IR_mulhs: case IR_mulhu: case IR_mulhsu:
        lower_mul(lw, op, w);
        break;
    case IR_divs: case IR_divu: case IR_rems: case IR_remu:
        lower_div(lw, op, w);
        break;
    case IR_popcnt: {
        struct arg args[1] = { { op->src[0], 0 } };
        ra_call(lw, lw->abi->helper[w ? AH_POPCNT64 : AH_POPCNT32], false, args, 1, op->dst,
                false);
        break;
    }
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        lower_shift(lw, op, w);
        break;
    case IR_mov: case IR_neg: case IR_not: case IR_bswap: case IR_clz: case IR_ctz:
    case IR_sext8: case IR_sext16: case IR_sext32: case IR_zext8: case IR_zext16:
    case IR_zext32:
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
        ra_call(lw, lw->abi->helper[AH_ATOMIC_RMW], true, args, 3, op->dst, false);
        break;
    }
    case IR_cmpxchg: {
        struct arg args[4] = { { op->src[0], 0 }, { op->src[1], 0 }, { op->src[2], 0 },
                               { IR_NONE, op->aux } };
        ra_call(lw, lw->abi->helper[AH_CMPXCHG], true, args, 4, op->dst, false);
        break;
    }
    case IR_fence:
        a64_emit(o, A_DMB_ISH, true, 0, 0, 0, 0);
        break;
    case IR_call: {
        const struct ir_helper *h = (const struct ir_helper *)(intptr_t)op->imm;
        struct arg args[4];
        for (unsigned k = 0; k < 4; k++)
            args[k] = (struct arg){ op->src[k], 0 };
        ra_call(lw, (const void *)h->fn, true, args, 4, op->dst, false);
        break;
    }
    case IR_exit_if: {   /* b.cond reaches only 1 MiB: the chain site is in the stub */
        emit_cmp(lw, op->src[0], op->src[1], w);
        struct stub *s = new_stub(lw, S_EXIT, (uint64_t)op->imm);
        s->chain_in_stub = true;
        s->site = a64_branch(o, A_BCOND, true, cc_of[op->cond], NULL);
        break;
    }
    case IR_goto_pc:
    case IR_goto_loop:
        new_stub(lw, S_EXIT, (uint64_t)op->imm)->site = a64_branch(o, A_B, true, 0, NULL);
        break;
    case IR_goto_ind:
        lower_goto_ind(lw, op);
        break;
    case IR_exit:
        lower_exit(lw, op);
        break;
    }
}

int a64_lower(const struct ir_block *b, const struct a64_abi *abi, struct host_buf *out,
              struct host_map *map, uint32_t *n_map)
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
    ra_analyse(lw);
    mark_insn(lw, b->pc);

    /* Entry: the interrupt check, as the interpreter does. */
    ra_ldst_cpu(lw, false, false, S0, CPU_OFF(exit_request), S0);
    new_stub(lw, S_INT, b->pc)->site = a64_branch(out, A_CBNZ, false, S0, NULL);

    for (uint32_t i = 0; i < b->n_ops; i++) {
        lw->i = i;
        lower_op(lw, &b->ops[i]);
        ra_free_dead(lw, &b->ops[i]);
    }
    emit_stubs(lw);
    *n_map = lw->n_map;
    return out->overflow ? -ENOSPC : 0;
}
