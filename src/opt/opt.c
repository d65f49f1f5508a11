/* The IR passes (see opt.h), run in this order on one block:
 *  1. forward: copy propagation, constant folding (bit fields too) and identities, guest-register load
 *     forwarding (a get after a put or get of the same field reuses that temp, until a
 *     helper that writes state or a loop op, after which no temp of before may be used),
 *     and extensions of values already that narrow (the width of each temp: below);
 *  2. backward: dead-store elimination (a put overwritten by a later put of the same field
 *     with no exit, faulting op, state-reading helper or get of that field in between);
 *  3. backward: dead-code elimination of pure ops (and calls of IR_HELPER_PURE helpers)
 *     whose result is unused.
 * Removed ops become nops during the passes and are squeezed out at the end. */
#include "opt/opt.h"

#include <string.h>

#include "ir/semantics.h"

struct opt_stats opt_stats;

#define NOP 0xff     /* opc of a removed op until the final squeeze */
#define MAX_KNOWN 64 /* state fields remembered by load forwarding */

struct known {
    int64_t off;
    uint8_t type;
    ir_temp t;
};

struct opt {
    struct ir_block *b;
    struct opt_stats *counts;   /* opt_stats, or a scratch one for opt_block_uncounted */
    ir_temp rep[IR_MAX_TEMPS];
    uint8_t is_const[IR_MAX_TEMPS];
    int64_t val[IR_MAX_TEMPS];
    struct known known[MAX_KNOWN];
    unsigned n_known;
    /* A bit for each 8-byte slot of state (modulo 64) that a known field covers, set when
     * the field is remembered and cleared only with the whole list: a put or a get whose
     * slots have no bit set skips the list (most of them, in a block of a few instructions). */
    uint64_t slots;
    uint16_t uses[IR_MAX_TEMPS];
    /* The low bits of each temp that may be nonzero, as every engine holds it in 64 bits
     * (64: nothing known), and the op that defines it. */
    uint8_t width[IR_MAX_TEMPS];
    uint32_t def[IR_MAX_TEMPS];
};

static unsigned width_of(uint8_t type)
{
    return type == IR_I32 || type == IR_F32 ? 4 : 8;
}

static bool overlaps(int64_t a, unsigned an, int64_t b, unsigned bn)
{
    return a < b + bn && b < a + an;
}

static unsigned umin(unsigned a, unsigned b)
{
    return a < b ? a : b;
}

static unsigned bit_len(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* The slots bits of the bytes [off, off + size), size at most 8. */
static uint64_t slot_bits(int64_t off, unsigned size)
{
    return 1ull << ((uint64_t)off >> 3 & 63) | 1ull << ((uint64_t)(off + size - 1) >> 3 & 63);
}

static void forget(struct opt *o, int64_t off, unsigned size)
{
    if (!(o->slots & slot_bits(off, size)))
        return;
    for (unsigned k = 0; k < o->n_known;)
        if (overlaps(o->known[k].off, width_of(o->known[k].type), off, size))
            o->known[k] = o->known[--o->n_known];
        else
            k++;
}

static void remember(struct opt *o, int64_t off, uint8_t type, ir_temp t)
{
    if (o->n_known < MAX_KNOWN) {
        o->known[o->n_known++] = (struct known){ off, type, t };
        o->slots |= slot_bits(off, width_of(type));
    }
}

static const struct known *lookup(const struct opt *o, int64_t off, uint8_t type)
{
    if (!(o->slots & slot_bits(off, 1)))
        return NULL;
    for (unsigned k = 0; k < o->n_known; k++)
        if (o->known[k].off == off && o->known[k].type == type)
            return &o->known[k];
    return NULL;
}

/* Folds an integer op (ops.def's int2 and int1 classes, and the bit-field ops: a MOVZ/MOVK
 * chain is deposits of constants) on constants with the semantics the interpreter runs;
 * false for the others. */
static bool fold(const struct ir_op *op, uint64_t a, uint64_t b, uint64_t *out)
{
    bool w = op->type == IR_I64;
    switch ((enum ir_opc)op->opc) {
#define INT2(n) case IR_##n: *out = w ? op_##n##64(a, b) : op_##n##32((uint32_t)a, (uint32_t)b); return true;
#define INT1(n) case IR_##n: *out = w ? op_##n##64(a) : op_##n##32((uint32_t)a); return true;
#define IR_OP(name, nout, nin, flags, class) IR_PICK_##class(INT2, INT1, IR_SKIP, IR_SKIP, IR_SKIP)(name)
#include "ir/ops.def"
#undef IR_OP
#undef INT2
#undef INT1
    case IR_extract: *out = op_extract(a, op->imm); return true;
    case IR_sextract: *out = op_sextract(a, op->imm, w ? 64 : 32); return true;
    case IR_deposit: *out = w ? op_deposit(a, b, op->imm) : (uint32_t)op_deposit(a, b, op->imm); return true;
    default:
        return false;
    }
}

/* Whether op's constant second operand leaves its first as it is, in the low 32 bits of an
 * i32 op's result or all 64 of an i64 op's. */
static bool identity_operand(const struct opt *o, const struct ir_op *op)
{
    ir_temp c = op->src[1];
    if (c == IR_NONE || !o->is_const[c] || (op->type != IR_I64 && op->type != IR_I32))
        return false;
    uint64_t v = (uint64_t)o->val[c];
    switch (op->opc) {
    case IR_add: case IR_sub: case IR_or: case IR_xor: case IR_shl: case IR_shr: case IR_sar:
    case IR_rotl: case IR_rotr:
        return v == 0;
    case IR_and:
        return op->type == IR_I32 ? (uint32_t)v == UINT32_MAX : v == UINT64_MAX;
    case IR_mul:
        return v == 1;
    default:
        return false;
    }
}

/* x op identity -> x. At 32 bits only for an x known to be zero-extended: a 32-bit op
 * zero-extends its result, and an i32 temp is not always zero-extended (movcond.i32 of i64
 * values, a helper's result); an op that reads the low half alone reads through it anyway
 * (kept_low). */
static bool is_identity(const struct opt *o, const struct ir_op *op)
{
    ir_temp x = op->src[0];
    return identity_operand(o, op) && o->b->temp_type[x] == op->type &&
           (op->type == IR_I64 || o->width[x] <= 32);
}

/* A constant first operand of a commutative op or a compare becomes the second (a compare's
 * condition swapped), where the identities above and the backends' immediate forms look for
 * it: RISC-V's `add a2, a2, s9` with a2 known to be 0, `bltu a5, a0` with a5 = 127. */
static void constant_second(const struct opt *o, struct ir_op *op)
{
    ir_temp a = op->src[0], b = op->src[1];
    if (a == IR_NONE || b == IR_NONE || !o->is_const[a] || o->is_const[b])
        return;
    switch (op->opc) {
    case IR_add: case IR_mul: case IR_and: case IR_or: case IR_xor:
        break;
    case IR_setcond: case IR_exit_if: case IR_movcond:
        op->cond = ir_cond_swapped[op->cond];
        break;
    default:
        return;
    }
    op->src[0] = b;
    op->src[1] = a;
}

static void make_const(struct opt *o, struct ir_op *op, uint64_t v)
{
    op->opc = IR_const;
    op->imm = (int64_t)v;
    op->src[0] = op->src[1] = op->src[2] = op->src[3] = IR_NONE;
    o->is_const[op->dst] = 1;
    o->val[op->dst] = (int64_t)v;
    o->width[op->dst] = (uint8_t)bit_len(v);
    o->counts->folded++;
}

/* The width (see struct opt) of op's result. An i32 result is 32 bits wide only from the
 * ops every engine computes at 32 bits and zero-extends: not a get (the interpreter's temp
 * is the whole field), a call or a movcond. */
static unsigned result_width(const struct opt *o, const struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    unsigned cap = op->type == IR_I32 ? 32 : 64;
    unsigned a = d->n_in >= 1 && op->src[0] != IR_NONE ? o->width[op->src[0]] : 64;
    unsigned b = d->n_in >= 2 && op->src[1] != IR_NONE ? o->width[op->src[1]] : 64;
    unsigned pos = op->imm & 0xff, len = op->imm >> 8 & 0xff;
    switch (op->opc) {
    case IR_const: return bit_len((uint64_t)op->imm);
    case IR_ld: {
        unsigned bits = 8u << (op->aux & IR_MO_SIZE);
        if (!(op->aux & IR_MO_SIGN))
            return bits;
        return cap == 32 && bits < 32 ? 32 : 64;   /* as ir_ld_extend */
    }
    case IR_setcond: return 1;
    case IR_zext8: return umin(a, 8);
    case IR_zext16: return umin(a, 16);
    case IR_zext32: return umin(a, 32);
    case IR_extract: return umin(len, a > pos ? a - pos : 0);
    case IR_and: return umin(umin(a, b), cap);
    case IR_or: case IR_xor: return umin(a > b ? a : b, cap);
    case IR_deposit: return umin(a > pos + len ? a : pos + len, cap);
    case IR_shr:
        if (o->is_const[op->src[1]]) {
            unsigned n = (unsigned)o->val[op->src[1]] & (cap - 1), w = umin(a, cap);
            return w > n ? w - n : 0;
        }
        return cap;
    case IR_mov: return umin(a, cap);
    case IR_add: case IR_sub: case IR_mul: case IR_shl: case IR_sar: case IR_neg: case IR_not:
        return cap;
    default:
        return 64;
    }
}

/* Whether o->def[x] is the op that computes x (not a get, nor a removed op). */
static bool is_def(const struct opt *o, ir_temp x)
{
    const struct ir_op *d = &o->b->ops[o->def[x]];
    return d->opc != NOP && ir_opdefs[d->opc].n_out && d->dst == x;
}

enum keep { KEEP_ZEXT, KEEP_SEXT, KEEP_LOW };

/* How many low bits of its operand src[*s] op's result has unchanged (0: not such an op),
 * and what is above them: their zero- or sign-extension (zextN, sextN, extract or sextract
 * from bit 0, and with a mask of low bits) or other bits (a deposit at bit 0, the deposited
 * value its operand). */
static unsigned kept_low(const struct opt *o, const struct ir_op *op, unsigned *s, enum keep *k)
{
    unsigned n = 0, cap = op->type == IR_I32 ? 32 : 64;
    *s = 0;
    *k = KEEP_ZEXT;
    switch (op->opc) {
    case IR_zext8: n = 8; break;
    case IR_zext16: n = 16; break;
    case IR_zext32: n = 32; break;
    case IR_sext8: n = 8, *k = KEEP_SEXT; break;
    case IR_sext16: n = 16, *k = KEEP_SEXT; break;
    case IR_sext32: n = 32, *k = KEEP_SEXT; break;
    case IR_extract: case IR_sextract:
        if ((op->imm & 0xff) == 0)
            n = op->imm >> 8 & 0xff, *k = op->opc == IR_sextract ? KEEP_SEXT : KEEP_ZEXT;
        break;
    case IR_deposit:
        if ((op->imm & 0xff) == 0)
            n = op->imm >> 8 & 0xff, *k = KEEP_LOW, *s = 1;
        break;
    case IR_add: case IR_sub: case IR_or: case IR_xor: case IR_shl: case IR_shr: case IR_sar:
    case IR_rotl: case IR_rotr: case IR_mul:
        if (op->type == IR_I32 && identity_operand(o, op))   /* RISC-V's sext.w: addiw x, 0 */
            n = 32;
        break;
    case IR_and:
        if (op->src[0] == op->src[1])   /* x86's test r32, r32 */
            n = 64;
        for (unsigned j = 0; j < 2 && !n; j++) {
            uint64_t v = o->is_const[op->src[j]] ? (uint64_t)o->val[op->src[j]] : 0;
            if (v && !(v & (v + 1))) {
                n = bit_len(v);
                *s = 1 - j;
                break;
            }
        }
        break;
    default:
        break;
    }
    return umin(n, cap);
}

/* The temp whose low n bits x's are, through the ops that keep their operand's (kept_low):
 * zext32 of y, a deposit of y at bit 0, ... */
static ir_temp low_source(const struct opt *o, ir_temp x, unsigned n)
{
    unsigned s;
    enum keep k;
    while (x != IR_NONE && is_def(o, x) && kept_low(o, &o->b->ops[o->def[x]], &s, &k) >= n)
        x = o->b->ops[o->def[x]].src[s];
    return x;
}

/* An extension of x (kept_low) reads through the ops that left x's low bits as their
 * operand's (zext16 of zext32 of y is zext16 of y; zext8 of a deposit of y at bit 0 is
 * zext8 of y), and is x itself when x is no wider than what it keeps (zext8 of a byte load,
 * sext8 of a setcond) and of its type or wider. Returns whether op became x. */
static bool narrow(struct opt *o, struct ir_op *op)
{
    unsigned s;
    enum keep k;
    unsigned n = kept_low(o, op, &s, &k);
    if (!n || k == KEEP_LOW)
        return false;
    ir_temp x = op->src[s] = low_source(o, op->src[s], n);
    if (k == KEEP_ZEXT ? o->width[x] > n : o->width[x] >= n)
        return false;
    /* not an i32 temp where an i64 was: a backend may fold an i64 operand whole (an x86
     * scaled index) where an i32 one could carry upper bits */
    if (op->type == IR_I64 && o->b->temp_type[x] != IR_I64)
        return false;
    o->rep[op->dst] = x;
    op->opc = NOP;
    o->counts->folded++;
    return true;
}

/* An op at 32 bits reads the low halves of its operands alone: an operand that is an
 * extension of x keeping at least those (zext32 of x, and.i32 of x with itself) is x. */
static void read_low_halves(struct opt *o, struct ir_op *op)
{
    const struct ir_opdef *d = &ir_opdefs[op->opc];
    if (op->type != IR_I32 || (d->class != IR_CLASS_int2 && d->class != IR_CLASS_int1 &&
                               op->opc != IR_setcond && op->opc != IR_exit_if))
        return;
    for (unsigned s = 0; s < d->n_in && s < 2; s++)
        op->src[s] = low_source(o, op->src[s], 32);
}

/* x << c >> c at 64 bits (RISC-V's zext.w without Zba: slli 32 then srli 32) is the field of
 * x's low 64 - c bits (then field_extension's extension), one op where the shifts were two
 * and a copy. */
static void shift_pair(const struct opt *o, struct ir_op *op)
{
    if ((op->opc != IR_shr && op->opc != IR_sar) || op->type != IR_I64 ||
        !o->is_const[op->src[1]] || !is_def(o, op->src[0]))
        return;
    const struct ir_op *d = &o->b->ops[o->def[op->src[0]]];
    uint64_t c = (uint64_t)o->val[op->src[1]];
    if (d->opc != IR_shl || d->type != IR_I64 || !o->is_const[d->src[1]] ||
        (uint64_t)o->val[d->src[1]] != c || c == 0 || c > 63)
        return;
    op->opc = op->opc == IR_sar ? IR_sextract : IR_extract;
    op->src[0] = d->src[0];
    op->src[1] = IR_NONE;
    op->imm = (int64_t)(64 - c) << 8;
    o->counts->folded++;
}

/* A field from bit 0 of 8, 16 or 32 bits is that extension (AArch64's UXTB, SXTH, SXTW: bitfield
 * moves), which the backends have one instruction for, not two shifts. */
static void field_extension(const struct opt *o, struct ir_op *op)
{
    static const uint8_t zext[33] = { [8] = IR_zext8, [16] = IR_zext16, [32] = IR_zext32 };
    static const uint8_t sext[33] = { [8] = IR_sext8, [16] = IR_sext16, [32] = IR_sext32 };
    unsigned len = (unsigned)(op->imm >> 8 & 0xff);
    if ((op->opc != IR_extract && op->opc != IR_sextract) || (op->imm & 0xff) || len > 32 ||
        !zext[len])
        return;
    op->opc = op->opc == IR_extract ? zext[len] : sext[len];
    op->imm = 0;
    o->counts->folded++;
}

/* Bits shifted out need not be computed: shl(y, c) where y keeps x's low n bits (kept_low:
 * an extension, a field or a deposit at bit 0, an and with a low mask) and n + c is at least
 * the shift's width is shl(x, c) (AArch64's LSL is a UBFM, translated as the field, then the
 * shift). */
static void shl_of_field(const struct opt *o, struct ir_op *op)
{
    if (op->opc != IR_shl || !o->is_const[op->src[1]] || !is_def(o, op->src[0]))
        return;
    const struct ir_op *d = &o->b->ops[o->def[op->src[0]]];
    unsigned s;
    enum keep k;
    unsigned n = kept_low(o, d, &s, &k), width = op->type == IR_I64 ? 64 : 32;
    uint64_t c = (uint64_t)o->val[op->src[1]];
    ir_temp x = d->src[s];
    if (!n || c >= width || n + c < width ||
        (op->type == IR_I64 && o->b->temp_type[x] != IR_I64))
        return;
    op->src[0] = x;
    o->counts->folded++;
}

/* A load or store at x + c or x - c (c a constant) is one at x with c in its displacement,
 * through any chain of them: every access from one base then shares the base's one range
 * check (x86's [rsp + disp], and its pushes and pops, each a new rsp). Only while the
 * displacement fits 32 bits, which the backends add to a checked base unchecked (a guard
 * page takes what leaves the space). */
static void fold_address(struct opt *o, struct ir_op *op)
{
    if (op->opc != IR_ld && op->opc != IR_st)
        return;
    while (is_def(o, op->src[0])) {
        const struct ir_op *d = &o->b->ops[o->def[op->src[0]]];
        if (d->type != IR_I64 || (d->opc != IR_add && d->opc != IR_sub))
            return;
        unsigned k = o->is_const[d->src[1]] ? 1 : 0;   /* the constant's operand */
        if (!o->is_const[d->src[k]] || (d->opc == IR_sub && k == 0))
            return;
        ir_temp x = d->src[1 - k];
        if (o->is_const[x] || o->b->temp_type[x] != IR_I64)
            return;
        uint64_t c = (uint64_t)o->val[d->src[k]];
        int64_t disp = (int64_t)((uint64_t)op->imm + (d->opc == IR_sub ? -c : c));
        if (disp != (int32_t)disp)
            return;
        op->src[0] = x;
        op->imm = disp;
        o->counts->folded++;
    }
}

static void forward_pass(struct opt *o)
{
    struct ir_block *b = o->b;
    for (uint32_t t = 0; t < b->n_temps; t++) {
        o->rep[t] = t;
        o->is_const[t] = 0;
        o->width[t] = 64;
        o->def[t] = 0;
    }
    o->n_known = 0;
    o->slots = 0;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        struct ir_op *op = &b->ops[i];
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        for (unsigned s = 0; s < d->n_in; s++)
            if (op->src[s] != IR_NONE)
                op->src[s] = o->rep[op->src[s]];
        constant_second(o, op);
        read_low_halves(o, op);
        fold_address(o, op);
        shift_pair(o, op);
        field_extension(o, op);
        shl_of_field(o, op);
        switch (op->opc) {
        case IR_const:
            o->is_const[op->dst] = 1;
            o->val[op->dst] = op->imm;
            o->width[op->dst] = (uint8_t)bit_len((uint64_t)op->imm);
            continue;
        case IR_mov:   /* a 32-bit mov zero-extends: only 64-bit ones are plain copies */
            if (width_of(op->type) == 8 && b->temp_type[op->src[0]] == op->type) {
                o->rep[op->dst] = op->src[0];
                op->opc = NOP;
            }
            continue;
        case IR_get: {
            const struct known *k = lookup(o, op->imm, op->type);
            if (k) {
                o->rep[op->dst] = k->t;
                op->opc = NOP;
                o->counts->forwarded++;
            } else if (op->type == IR_I32 && (k = lookup(o, op->imm, IR_I64)) != NULL) {
                /* the low half of a known 64-bit field: a 32-bit mov zero-extends as the
                 * load does (x86-64: `mov eax, ebx` after a write of rbx) */
                op->opc = IR_mov;
                op->src[0] = k->t;
                o->width[op->dst] = (uint8_t)umin(o->width[k->t], 32);
                o->def[op->dst] = i;
                remember(o, op->imm, IR_I32, op->dst);
                o->counts->forwarded++;
            } else {
                remember(o, op->imm, op->type, op->dst);
            }
            continue;
        }
        case IR_put:   /* a 32-bit get reads back the zero-extension, not the temp */
            forget(o, op->imm, width_of(op->type));
            /* put.i64 of an i32 temp stores its zero-extension, which is what the temp
             * reads as in an i64 op */
            if (width_of(op->type) == 8 && (b->temp_type[op->src[0]] == op->type ||
                                            (op->type == IR_I64 &&
                                             b->temp_type[op->src[0]] == IR_I32)))
                remember(o, op->imm, op->type, op->src[0]);
            continue;
        case IR_call:
            if (((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_WSTATE)
                o->n_known = 0, o->slots = 0;
            continue;
        case IR_loop:   /* reached again from goto_loop: no temp of before lives on */
            o->n_known = 0, o->slots = 0;
            continue;
        default:
            break;
        }
        if (d->n_out != 1 || (op->type != IR_I64 && op->type != IR_I32))
            continue;
        if (narrow(o, op))
            continue;
        o->def[op->dst] = i;
        o->width[op->dst] = (uint8_t)result_width(o, op);
        if (is_identity(o, op)) {
            o->rep[op->dst] = op->src[0];
            op->opc = NOP;
            o->counts->folded++;
            continue;
        }
        ir_temp a = op->src[0], c = d->n_in > 1 ? op->src[1] : IR_NONE;
        if ((op->opc == IR_xor || op->opc == IR_sub) && a == c) {   /* x86's xor eax, eax */
            make_const(o, op, 0);
            continue;
        }
        uint64_t v;
        if (d->n_in >= 1 && d->n_in <= 2 && o->is_const[a] && (c == IR_NONE || o->is_const[c]) &&
            fold(op, (uint64_t)o->val[a], c == IR_NONE ? 0 : (uint64_t)o->val[c], &v))
            make_const(o, op, v);
    }
}

/* Later puts that overwrite a field before anything can observe it: (off, size) pairs. */
static void dead_store_pass(struct opt *o)
{
    struct ir_block *b = o->b;
    struct { int64_t off; unsigned size; } over[MAX_KNOWN];
    unsigned n = 0;
    for (uint32_t i = b->n_ops; i-- > 0;) {
        struct ir_op *op = &b->ops[i];
        if (op->opc == NOP)
            continue;
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        if (d->flags & (IR_F_EXIT | IR_F_FAULT)) {   /* state must be exact here */
            n = 0;
        } else if (op->opc == IR_get) {
            for (unsigned k = 0; k < n;)
                if (overlaps(over[k].off, over[k].size, op->imm, width_of(op->type)))
                    over[k] = over[--n];
                else
                    k++;
        } else if (op->opc == IR_put) {
            unsigned size = width_of(op->type);
            bool dead = false;
            for (unsigned k = 0; k < n; k++)
                dead |= over[k].off <= op->imm && op->imm + size <= over[k].off + over[k].size;
            if (dead) {
                op->opc = NOP;
                o->counts->dead_stores++;
            } else if (n < MAX_KNOWN) {
                over[n].off = op->imm;
                over[n++].size = size;
            }
        }
    }
}

static void dead_code_pass(struct opt *o)
{
    struct ir_block *b = o->b;
    memset(o->uses, 0, b->n_temps * sizeof(o->uses[0]));
    for (uint32_t i = b->n_ops; i-- > 0;) {
        struct ir_op *op = &b->ops[i];
        if (op->opc == NOP)
            continue;
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        if (ir_op_pure(op) && !o->uses[op->dst]) {
            op->opc = NOP;
            o->counts->dead_ops++;
            continue;
        }
        for (unsigned s = 0; s < d->n_in; s++)
            if (op->src[s] != IR_NONE)
                o->uses[op->src[s]]++;
    }
}

static void optimise(struct ir_block *b, struct opt_stats *counts)
{
    static __thread struct opt storage;
    struct opt *o = &storage;
    o->b = b;
    o->counts = counts;
    forward_pass(o);
    dead_store_pass(o);
    dead_code_pass(o);
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->n_ops; i++)
        if (b->ops[i].opc != NOP)
            b->ops[n++] = b->ops[i];
    b->n_ops = n;
}

void opt_block(struct ir_block *b)
{
    optimise(b, &opt_stats);
}

void opt_block_uncounted(struct ir_block *b)
{
    struct opt_stats scratch = { 0 };
    optimise(b, &scratch);
}
