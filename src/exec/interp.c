/* The IR interpreter (--engine=interp): each block is lowered once into an array of threaded
 * ops whose operands are byte offsets from the CPU struct, so a temp and a guest register are
 * addressed the same way. Lowering drops dead puts and the ops only they used, forwards
 * guest-register reads straight into the ops that use them, writes results straight into
 * guest registers, folds constant operands into immediates and constant address offsets
 * into loads and stores; the run loop then dispatches with computed goto and follows chained
 * exits from block to block without returning to the execution loop. Chains are listed on
 * both blocks, so one block can be dropped alone (self-modifying code, munmap). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/registry.h"
#include "exec/tb.h"
#include "ir/ir.h"
#include "ir/semantics.h"
#include "mem/aspace.h"

struct iop {
    const void *h;           /* handler label */
    uint32_t d, a, b, c;     /* operand byte offsets from the CPU struct */
    int64_t imm;
    union {
        uint32_t e;          /* fourth operand (movcond, call) */
        struct tb *next;     /* exits to a constant pc: the chained block, once known */
    };
};

/* Handler families. The generic ops come from ops.def by class: each expansion of ops.def
 * here calls INT2(name), INT1(name), FP2(name) or FP1(name), defined just before it, for
 * every op of that class; an int2 op has 6 handlers (reg 64, reg 32, imm 64, imm 32, and
 * reg and imm 32 sign-extended to 64), an int1 op 3 (64, 32, 32 sign-extended), the
 * others 2 (64, 32), all running ir/semantics.h's op_NAME64/op_NAME32 (and op_sext3264). */
#define IR_OP(name, nout, nin, flags, class) IR_PICK_##class(INT2, INT1, FP2, FP1, IR_SKIP)(name)
/* Pairs of handlers run as one, the second without a dispatch: runs of loads, stores and
 * register moves and constants (prologues, epilogues, x86-64's and AArch64's flag fields). */
#define PAIRS(X) X(ld_u64, ld_u64) X(st64, st64) X(mov64, mov64) X(mov64, movi) \
                 X(movi, mov64) X(movi, movi)
#define COND_NAMES(X) X(eq) X(ne) X(lt) X(ge) X(le) X(gt) X(ltu) X(geu) X(leu) X(gtu)
#define LD_KINDS(X) X(u8, uint8_t) X(s8, int8_t) X(u16, uint16_t) X(s16, int16_t) \
                    X(u32, uint32_t) X(s32, int32_t) X(u64, uint64_t)

/* COND_NAMES is in enum ir_cond order. */
enum {
#define E_C(n) C_##n,
    COND_NAMES(E_C)
};
_Static_assert((int)C_gtu == (int)IR_GTU && (int)C_ltu == (int)IR_LTU, "COND_NAMES must follow enum ir_cond");

enum handler {
    H_movi, H_put32,
#define INT2(n) H_##n##64, H_##n##32, H_##n##i64, H_##n##i32, H_##n##s32, H_##n##si32,
#define INT1(n) H_##n##64, H_##n##32, H_##n##s32,
#define FP2(n) H_##n##64, H_##n##32,
#define FP1 FP2
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1
    H_extract, H_sextract64, H_sextract32, H_deposit64, H_deposit32,
/* 12 handlers per condition, in this order (handler_of counts on it). */
#define E_COND(n) H_set_##n##64, H_set_##n##32, H_set_##n##i64, H_set_##n##i32,     \
                  H_xif_##n##64, H_xif_##n##32, H_xif_##n##i64, H_xif_##n##i32,     \
                  H_xifg_##n##64, H_xifg_##n##32, H_xifg_##n##i64, H_xifg_##n##i32,
    COND_NAMES(E_COND)
    H_movcond,
#define E_LD(n, t) H_ld_##n,
    LD_KINDS(E_LD)
    H_ld32_s8, H_ld32_s16,
    H_st8, H_st16, H_st32, H_st64,
#define E_LDT(n, t) H_ldt_##n,
    LD_KINDS(E_LDT)
    H_ldt32_s8, H_ldt32_s16,
    H_stt8, H_stt16, H_stt32, H_stt64, H_ld_slow, H_st_slow,
    H_atomic_rmw, H_cmpxchg, H_fence, H_call,
    H_goto_pc, H_goto_ind, H_exit,
    /* Pairs run by one handler: the second op of each follows without a dispatch. */
#define E_PAIR(a, b) H_##a##_##b,
    PAIRS(E_PAIR)
    H_movi_goto_pc, H_andi64_goto_ind, H_shli64_add64,
    H_COUNT
};

/* The handler of a 32-bit op that also sign-extends its result to 64 bits, for the pair
 * "t = op.i32 ...; u = sext32.i64 t" (RISC-V's *W instructions), or 0. */
static const int16_t sext_form[H_COUNT] = {
#define INT2(n) [H_##n##32] = H_##n##s32, [H_##n##i32] = H_##n##si32,
#define INT1(n) [H_##n##32] = H_##n##s32,
#define FP2 IR_SKIP
#define FP1 IR_SKIP
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1
};

static const void *const *interp_labels;
static void interp_exec(struct cpu *cpu, const struct tb *tb);

/* A chained exit: the iop at site (in from's code) goes straight to block to. Each link is on
 * to's incoming list and on from's outgoing list, so freeing either block undoes or forgets
 * it, and single blocks may be dropped (exec_cpu's frees_one). */
struct interp_link {
    struct iop *site;
    struct interp_code *from, *to;
    struct interp_link *next_in, *next_out;
};

/* A block's code: tb->code points to ops. */
struct interp_code {
    struct interp_link *in, *out;
    struct iop ops[];
};

/* Chaining (any guest thread) and freeing (the others stopped) change the link lists. */
static pthread_mutex_t link_lock = PTHREAD_MUTEX_INITIALIZER;

static struct interp_code *code_of(const struct tb *tb)
{
    return (struct interp_code *)((char *)tb->code - offsetof(struct interp_code, ops));
}

static void chain(const struct tb *from, const struct iop *site, struct tb *to)
{
    struct interp_link *l = malloc(sizeof(*l));
    if (!l)   /* not chaining is always correct */
        return;
    pthread_mutex_lock(&link_lock);
    if (site->next) {   /* another thread was faster */
        pthread_mutex_unlock(&link_lock);
        free(l);
        return;
    }
    struct interp_code *f = code_of(from), *t = code_of(to);
    *l = (struct interp_link){ (struct iop *)site, f, t, t->in, f->out };
    t->in = l;
    f->out = l;
    ((struct iop *)site)->next = to;
    pthread_mutex_unlock(&link_lock);
}

static void unlist(struct interp_link **head, struct interp_link *l, bool out)
{
    while (*head != l)
        head = out ? &(*head)->next_out : &(*head)->next_in;
    *head = out ? l->next_out : l->next_in;
}

/* The child of a fork has only the thread that forked: the lock may be held by a gone one. */
static void link_lock_fork_child(void)
{
    static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    link_lock = fresh;
}

/* ---- lowering ---- */

struct lower {
    const struct ir_block *b;
    struct cpu *cpu;
    uint32_t loc[IR_MAX_TEMPS];      /* operand offset of each temp */
    uint32_t last_use[IR_MAX_TEMPS];
    uint16_t uses[IR_MAX_TEMPS];
    uint32_t def_at[IR_MAX_TEMPS];   /* the op that defines each temp */
    uint8_t is_const[IR_MAX_TEMPS];
    uint8_t skip[IR_MAX_OPS];        /* op folded away */
    int64_t value[IR_MAX_TEMPS];
    ir_temp base[IR_MAX_TEMPS];      /* canonicalise's: t = base + value */
};

static uint32_t temp_slot(const struct cpu *cpu, ir_temp t)
{
    return (uint32_t)(cpu->temps_offset + 8ull * t);
}

static bool helper_writes_state(const struct ir_op *op)
{
    return ((const struct ir_helper *)(intptr_t)op->imm)->flags & IR_HELPER_WSTATE;
}

/* A get can be read in place if nothing writes that state between it and its last use. */
static bool get_forwardable(const struct lower *lw, uint32_t i)
{
    const struct ir_op *g = &lw->b->ops[i];
    if (g->type != IR_I64)
        return false;
    for (uint32_t j = i + 1; j < lw->last_use[g->dst]; j++) {
        const struct ir_op *op = &lw->b->ops[j];
        if (op->opc == IR_put && op->imm < g->imm + 8 && op->imm + 8 > g->imm)
            return false;
        if (op->opc == IR_call && helper_writes_state(op))
            return false;
    }
    return true;
}

/* Does op take its second operand as an immediate? exit_if keeps the target pc in imm, so
 * its constant goes in the unused d field and must fit 32 bits (sign-extended). */
static bool imm_operand(const struct lower *lw, const struct ir_op *op)
{
    ir_temp t = op->src[1];
    if (t == IR_NONE || !lw->is_const[t])
        return false;
    switch (op->opc) {
#define INT2(n) case IR_##n:
#define INT1 IR_SKIP
#define FP2 IR_SKIP
#define FP1 IR_SKIP
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1
    case IR_setcond:
        return true;
    case IR_exit_if:
        return lw->value[t] == (int32_t)lw->value[t];
    default:
        return false;
    }
}

/* The bytes of state a get or put moves. */
static unsigned state_size(const struct ir_op *op)
{
    return op->type == IR_I32 || op->type == IR_F32 ? 4 : 8;
}

/* Backwards: drops a put that a later put of the same field overwrites before anything can
 * see the state (an exit, an op that may fault or call out, a get of the field), then the pure
 * ops whose results nothing uses any more, and counts the uses of the rest. For x86-64 and
 * AArch64 this drops the flag fields the next instruction overwrites. It is the
 * interpreter's own pass, not opt/'s, so that --engine=check and test_jit compare two
 * implementations of dead-store elimination. */
static void lower_drop_dead(struct lower *lw)
{
    const struct ir_block *b = lw->b;
    struct { int64_t off; unsigned size; } over[64];
    unsigned n = 0;
    for (uint32_t i = b->n_ops; i-- > 0;) {
        const struct ir_op *op = &b->ops[i];
        unsigned flags = ir_opdefs[op->opc].flags;
        if (flags & (IR_F_EXIT | IR_F_FAULT)) {   /* the state must be exact here */
            n = 0;
        } else if (op->opc == IR_get) {
            unsigned size = state_size(op);
            for (unsigned k = 0; k < n;)
                if (over[k].off < op->imm + size && op->imm < over[k].off + over[k].size)
                    over[k] = over[--n];
                else
                    k++;
        } else if (op->opc == IR_put) {
            unsigned size = state_size(op);
            bool dead = false;
            for (unsigned k = 0; k < n; k++)
                dead |= over[k].off <= op->imm && op->imm + size <= over[k].off + over[k].size;
            if (dead) {
                lw->skip[i] = 1;
                continue;
            }
            if (n < sizeof(over) / sizeof(over[0]))
                over[n++] = (typeof(over[0])){ op->imm, size };
        }
        if (ir_op_pure(op) && lw->uses[op->dst] == 0) {
            lw->skip[i] = 1;
            continue;
        }
        for (unsigned s = 0; s < ir_opdefs[op->opc].n_in; s++) {
            ir_temp t = op->src[s];
            if (t != IR_NONE && !(s == 1 && imm_operand(lw, op)))
                lw->uses[t]++;
        }
    }
}

/* May the op that defines the temp put i stores write the put's field itself? If the temp
 * has no other use, and nothing in between can see the field early: no exit or op that may
 * fault (the state must be exact there), no get or put of the field, no op reading a temp
 * that lives in it (a get read in place). */
static bool put_fusable(const struct lower *lw, uint32_t i)
{
    const struct ir_block *b = lw->b;
    const struct ir_op *put = &b->ops[i];
    ir_temp t = put->src[0];
    uint32_t k = lw->def_at[t];
    if (lw->uses[t] != 1 || lw->skip[k] || b->ops[k].opc == IR_get)
        return false;
    int64_t o = put->imm;
    for (uint32_t j = k + 1; j < i; j++) {
        const struct ir_op *op = &b->ops[j];
        const struct ir_opdef *d = &ir_opdefs[op->opc];
        if (d->flags & (IR_F_EXIT | IR_F_FAULT))
            return false;
        if ((op->opc == IR_get || op->opc == IR_put) && op->imm < o + 8 &&
            o < op->imm + state_size(op))
            return false;
        if (lw->skip[j])
            continue;
        for (unsigned s = 0; s < d->n_in; s++)
            if (op->src[s] != IR_NONE && lw->loc[op->src[s]] < o + 8 &&
                o < lw->loc[op->src[s]] + 8)
                return false;
    }
    return true;
}

static void lower_analyse(struct lower *lw)
{
    const struct ir_block *b = lw->b;
    memset(lw->uses, 0, b->n_temps * sizeof(lw->uses[0]));
    memset(lw->is_const, 0, b->n_temps);
    memset(lw->skip, 0, b->n_ops);
    for (uint32_t i = 0; i < b->n_temps; i++)
        lw->loc[i] = temp_slot(lw->cpu, i);
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        for (unsigned s = 0; s < ir_opdefs[op->opc].n_in; s++)
            if (op->src[s] != IR_NONE)
                lw->last_use[op->src[s]] = i;
        if (ir_opdefs[op->opc].n_out)
            lw->def_at[op->dst] = i;
        if (op->opc == IR_const) {
            lw->is_const[op->dst] = 1;
            lw->value[op->dst] = op->imm;
        }
    }
    lower_drop_dead(lw);
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (lw->skip[i])
            continue;
        if (op->opc == IR_get && get_forwardable(lw, i)) {
            lw->loc[op->dst] = (uint32_t)op->imm;
            lw->skip[i] = 1;
        }
        /* "t = op ...; put [o], t" with t used only there: the op writes [o] itself. */
        if (op->opc == IR_put && op->type == IR_I64 && put_fusable(lw, i)) {
            lw->loc[op->src[0]] = (uint32_t)op->imm;
            lw->skip[i] = 1;
        }
    }
}

/* A switch with a case for every op and no default: an op of ops.def without a handler does
 * not compile. */
static int handler_of(const struct lower *lw, const struct ir_op *op, bool *imm_form)
{
    bool w32 = op->type == IR_I32 || op->type == IR_F32;
    *imm_form = imm_operand(lw, op);
    int variant = w32 + 2 * *imm_form;
    switch ((enum ir_opc)op->opc) {
#define INT2(n) case IR_##n: return H_##n##64 + variant;
#define INT1(n) case IR_##n: return H_##n##64 + w32;
#define FP2 INT1
#define FP1 INT1
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1
    case IR_const: return H_movi;
    case IR_get: return w32 ? H_mov32 : H_mov64;
    case IR_put: return w32 ? H_put32 : H_mov64;
    case IR_extract: return H_extract;
    case IR_sextract: return w32 ? H_sextract32 : H_sextract64;
    case IR_deposit: return w32 ? H_deposit32 : H_deposit64;
    case IR_setcond: return H_set_eq64 + 12 * op->cond + variant;
    case IR_exit_if: return H_xif_eq64 + 12 * op->cond + variant;
    case IR_movcond: return H_movcond;
    case IR_ld: {
        /* The flat handlers, then the same kinds probing a TLB (a softmmu's). */
        int tlb = lw->cpu->as->tlb ? H_ldt_u8 - H_ld_u8 : 0;
        if (!lw->cpu->as->flat_base && !tlb)
            return H_ld_slow;
        static const int16_t kind[8] = {  /* memop -> handler */
            H_ld_u8, H_ld_u16, H_ld_u32, H_ld_u64, H_ld_s8, H_ld_s16, H_ld_s32, H_ld_u64,
        };
        if (w32 && (op->aux & 7) == (IR_MO_8 | IR_MO_SIGN))
            return H_ld32_s8 + tlb;
        if (w32 && (op->aux & 7) == (IR_MO_16 | IR_MO_SIGN))
            return H_ld32_s16 + tlb;
        return kind[op->aux & 7] + tlb;
    }
    case IR_st:
        if (lw->cpu->as->flat_base)
            return H_st8 + (op->aux & IR_MO_SIZE);
        return lw->cpu->as->tlb ? H_stt8 + (op->aux & IR_MO_SIZE) : H_st_slow;
    case IR_atomic_rmw: return H_atomic_rmw;
    case IR_cmpxchg: return H_cmpxchg;
    case IR_fence: return H_fence;
    case IR_call: return H_call;
    case IR_goto_pc: case IR_goto_loop: return H_goto_pc;   /* goto_loop: to the block at pc */
    case IR_goto_ind: return H_goto_ind;
    case IR_exit: return H_exit;
    case IR_insn_start: case IR_loop: break;   /* markers: interp_compile skips them */
    }
    return -1;
}

/* Is the next op run after op i a goto_pc? Then an exit_if at i goes on to it without a
 * dispatch (its xifg handler). */
static bool goto_pc_follows(const struct lower *lw, uint32_t i)
{
    const struct ir_block *b = lw->b;
    while (++i < b->n_ops && (lw->skip[i] || b->ops[i].opc == IR_insn_start))
        ;
    return i < b->n_ops && b->ops[i].opc == IR_goto_pc;
}

/* The index of the op run after op i, or 0 if none follows in the block. */
static uint32_t next_op(const struct lower *lw, uint32_t i)
{
    const struct ir_block *b = lw->b;
    while (++i < b->n_ops && lw->skip[i])
        ;
    return i < b->n_ops ? i : 0;
}

/* The index of the op after op i if it is an opc of type (an i64 sext32, a goto_ind) whose
 * first operand is op i's result, used nowhere else; else 0. */
static uint32_t consumer_follows(const struct lower *lw, uint32_t i, enum ir_opc opc)
{
    const struct ir_op *op = &lw->b->ops[i];
    uint32_t j = next_op(lw, i);
    if (!j || !ir_opdefs[op->opc].n_out || lw->uses[op->dst] != 1)
        return 0;
    const struct ir_op *x = &lw->b->ops[j];
    return x->opc == opc && x->type == IR_I64 && x->src[0] == op->dst ? j : 0;
}

/* Puts the operand t of an add first (add commutes). */
static void add_first(struct ir_block *b, uint32_t j, ir_temp t)
{
    struct ir_op *x = &b->ops[j];
    if (x->opc == IR_add && x->src[1] == t && x->src[0] != t) {
        x->src[1] = x->src[0];
        x->src[0] = t;
    }
}

static uint32_t operand(const struct lower *lw, ir_temp t)
{
    return t == IR_NONE ? temp_slot(lw->cpu, IR_MAX_TEMPS) : lw->loc[t];
}

static void interp_atfork(void)
{
    pthread_atfork(NULL, NULL, link_lock_fork_child);
}

/* Rewrites b (the interpreter's copy) into forms with fewer ops to run: a comparison of a
 * constant with a temp becomes one of the temp with the constant, which has an immediate
 * form (RISC-V's bgez compares x0 with a register), and a load or store from "base + constant"
 * takes the constant into its offset (x86-64's disp(reg) operands); the add then usually has
 * no use left and is dropped. */
static void canonicalise(struct lower *lw, struct ir_block *b)
{
    int64_t *offset = lw->value;   /* of a temp that is base + offset (is_const 2) */
    memset(lw->is_const, 0, b->n_temps);
    for (uint32_t i = 0; i < b->n_ops; i++) {
        struct ir_op *op = &b->ops[i];
        if (op->opc == IR_const) {
            lw->is_const[op->dst] = 1;
            lw->value[op->dst] = op->imm;
        }
        if ((op->opc == IR_setcond || op->opc == IR_exit_if) && lw->is_const[op->src[0]] == 1 &&
            lw->is_const[op->src[1]] != 1) {
            ir_temp t = op->src[0];
            op->src[0] = op->src[1];
            op->src[1] = t;
            op->cond = ir_cond_swapped[op->cond];
        }
        if ((op->opc == IR_add || op->opc == IR_sub) && op->type == IR_I64 &&
            lw->is_const[op->src[1]] == 1 && lw->is_const[op->src[0]] != 1) {
            lw->is_const[op->dst] = 2;
            offset[op->dst] = op->opc == IR_add ? lw->value[op->src[1]]
                                                : (int64_t)(0 - (uint64_t)lw->value[op->src[1]]);
            lw->base[op->dst] = op->src[0];
        }
        if ((op->opc == IR_ld || op->opc == IR_st) && lw->is_const[op->src[0]] == 2) {
            op->imm = (int64_t)((uint64_t)op->imm + (uint64_t)offset[op->src[0]]);
            op->src[0] = lw->base[op->src[0]];
        }
    }
}

static int interp_compile(struct cpu *cpu, struct tb *tb, const struct ir_block *in)
{
    static __thread struct lower *lw;
    static __thread struct ir_block *b;
    if (!interp_labels)
        interp_exec(NULL, NULL);
    if (!lw && !(lw = malloc(sizeof(*lw))))
        return -ENOMEM;
    if (!b && !(b = malloc(sizeof(*b))))
        return -ENOMEM;
    memcpy(b, in, offsetof(struct ir_block, ops) + in->n_ops * sizeof(in->ops[0]));
    memcpy(b->temp_type, in->temp_type, in->n_temps);
    canonicalise(lw, b);
    lw->b = b;
    lw->cpu = cpu;
    lower_analyse(lw);

    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, interp_atfork);
    struct interp_code *c = malloc(sizeof(*c) + sizeof(struct iop) * b->n_ops);
    uint64_t *op_pc = malloc(sizeof(uint64_t) * b->n_ops);
    if (!c || !op_pc) {
        free(c);
        free(op_pc);
        return -ENOMEM;
    }
    c->in = c->out = NULL;
    struct iop *code = c->ops;
    exec_of(cpu)->frees_one = true;
    uint32_t n = 0;
    uint64_t pc = b->pc;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_insn_start) {
            pc = (uint64_t)op->imm;
            continue;
        }
        if (op->opc == IR_loop)
            continue;
        if (lw->skip[i])
            continue;
        bool imm_form;
        struct iop *io = &code[n];
        int h = handler_of(lw, op, &imm_form);
        if (op->opc == IR_exit_if && goto_pc_follows(lw, i))
            h += H_xifg_eq64 - H_xif_eq64;
        io->d = ir_opdefs[op->opc].n_out ? lw->loc[op->dst] : 0;
        uint32_t j = consumer_follows(lw, i, IR_sext32);
        if (sext_form[h] && j) {
            h = sext_form[h];
            io->d = lw->loc[b->ops[j].dst];
            lw->skip[j] = 1;
        }
        /* RISC-V's jalr: "t = and.i64 x, -2; goto_ind t" runs as one op. */
        if (h == H_andi64 && (j = consumer_follows(lw, i, IR_goto_ind))) {
            h = H_andi64_goto_ind;
            lw->skip[j] = 1;
        }
        io->h = interp_labels[h];
        io->a = operand(lw, op->src[0]);
        io->b = operand(lw, op->src[1]);
        io->c = operand(lw, op->src[2]);
        /* RISC-V's scaled index: "t = shl.i64 x, c; u = add.i64 t, y" runs as one op. */
        if (h == H_shli64 && (j = next_op(lw, i)) && b->ops[j].opc == IR_add &&
            lw->uses[op->dst] == 1 &&
            !lw->is_const[b->ops[j].src[0]] && !lw->is_const[b->ops[j].src[1]]) {
            add_first(b, j, op->dst);
            if (consumer_follows(lw, i, IR_add)) {
                io->h = interp_labels[H_shli64_add64];
                io->d = lw->loc[b->ops[j].dst];
                io->c = lw->loc[b->ops[j].src[1]];
                lw->skip[j] = 1;
            }
        }
        io->next = NULL;
        if (op->opc == IR_movcond || op->opc == IR_call)
            io->e = operand(lw, op->src[3]);
        io->imm = imm_form && op->opc != IR_exit_if ? lw->value[op->src[1]] : op->imm;
        if (imm_form && op->opc == IR_exit_if)
            io->d = (uint32_t)lw->value[op->src[1]];
        if (op->opc == IR_get || op->opc == IR_put) {
            /* get/put move between a state offset and a temp location. */
            io->a = op->opc == IR_get ? (uint32_t)op->imm : lw->loc[op->src[0]];
            io->d = op->opc == IR_get ? lw->loc[op->dst] : (uint32_t)op->imm;
        }
        if (op->opc == IR_ld || op->opc == IR_st) {
            io->e = op->aux | (op->type == IR_I32) << 8;
            io->c = ir_mo_mmu(op->aux) % MEM_TLB_MMU_MAX;   /* the TLB handlers' table */
        }
        if (op->opc == IR_atomic_rmw)
            io->imm = op->cond | (int64_t)op->aux << 8;
        if (op->opc == IR_cmpxchg)
            io->imm = op->aux;
        if (op->opc == IR_movcond)
            io->imm = op->cond | (op->type == IR_I32) << 8;
        if (op->opc == IR_exit)
            io->e = op->aux;
        /* A call's link register and its goto_pc run as one op: the constant's 64 bits
         * in b and c, the pc in imm (and the chained block in next, as for goto_pc). */
        j = next_op(lw, i);
        if (h == H_movi && j && b->ops[j].opc == IR_goto_pc) {
            io->h = interp_labels[H_movi_goto_pc];
            io->b = (uint32_t)io->imm;
            io->c = (uint32_t)((uint64_t)io->imm >> 32);
            io->imm = b->ops[j].imm;
            lw->skip[j] = 1;
        }
        op_pc[n++] = pc;
    }
    /* An op of a pair runs the next one without a dispatch; in a run, every other op is
     * dispatched. */
    static const int16_t pairs[][3] = {
#define PAIR_ROW(a, b) { H_##a, H_##b, H_##a##_##b },
        PAIRS(PAIR_ROW)
    };
    for (uint32_t k = 0; k + 1 < n; k++)
        for (unsigned p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++)
            if (code[k].h == interp_labels[pairs[p][0]] &&
                code[k + 1].h == interp_labels[pairs[p][1]])
                code[k].h = interp_labels[pairs[p][2]];
    tb->code = code;
    tb->op_pc = op_pc;
    tb->code_size = n;
    return 0;
}

static void interp_free(struct tb *tb)
{
    struct interp_code *c = code_of(tb);
    pthread_mutex_lock(&link_lock);
    while (c->in) {
        struct interp_link *l = c->in;
        c->in = l->next_in;
        l->site->next = NULL;
        unlist(&l->from->out, l, true);
        free(l);
    }
    while (c->out) {
        struct interp_link *l = c->out;
        c->out = l->next_out;
        unlist(&l->to->in, l, false);
        free(l);
    }
    pthread_mutex_unlock(&link_lock);
    free(c);
    free(tb->op_pc);
}

static uint64_t interp_fault_pc(struct cpu *cpu, const struct tb *tb)
{
    const struct iop *code = tb->code;
    const struct iop *at = cpu->cur_op;
    if (!at || at < code || at >= code + tb->code_size)
        return tb->pc;
    return tb->op_pc[at - code];
}

/* ---- execution ---- */

static void interp_run(struct cpu *cpu, const struct tb *tb)
{
    interp_exec(cpu, tb);
}

static void interp_exec(struct cpu *cpu, const struct tb *tb)
{
    static const void *const labels[H_COUNT] = {
        [H_movi] = &&L_movi, [H_put32] = &&L_put32,
#define INT2(n) [H_##n##64] = &&L_##n##64, [H_##n##32] = &&L_##n##32, \
                [H_##n##i64] = &&L_##n##i64, [H_##n##i32] = &&L_##n##i32, \
                [H_##n##s32] = &&L_##n##s32, [H_##n##si32] = &&L_##n##si32,
#define INT1(n) [H_##n##64] = &&L_##n##64, [H_##n##32] = &&L_##n##32, \
                [H_##n##s32] = &&L_##n##s32,
#define FP2(n) [H_##n##64] = &&L_##n##64, [H_##n##32] = &&L_##n##32,
#define FP1 FP2
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1
        [H_extract] = &&L_extract, [H_sextract64] = &&L_sextract64,
        [H_sextract32] = &&L_sextract32, [H_deposit64] = &&L_deposit64,
        [H_deposit32] = &&L_deposit32,
#define LBL_COND(n) [H_set_##n##64] = &&L_set_##n##64, [H_set_##n##32] = &&L_set_##n##32,     \
                    [H_set_##n##i64] = &&L_set_##n##i64, [H_set_##n##i32] = &&L_set_##n##i32, \
                    [H_xif_##n##64] = &&L_xif_##n##64, [H_xif_##n##32] = &&L_xif_##n##32,     \
                    [H_xif_##n##i64] = &&L_xif_##n##i64, [H_xif_##n##i32] = &&L_xif_##n##i32, \
                    [H_xifg_##n##64] = &&L_xifg_##n##64, [H_xifg_##n##32] = &&L_xifg_##n##32, \
                    [H_xifg_##n##i64] = &&L_xifg_##n##i64, [H_xifg_##n##i32] = &&L_xifg_##n##i32,
        COND_NAMES(LBL_COND)
        [H_movcond] = &&L_movcond,
#define LBL_LD(n, t) [H_ld_##n] = &&L_ld_##n,
        LD_KINDS(LBL_LD)
        [H_ld32_s8] = &&L_ld32_s8, [H_ld32_s16] = &&L_ld32_s16,
        [H_st8] = &&L_st8, [H_st16] = &&L_st16, [H_st32] = &&L_st32, [H_st64] = &&L_st64,
#define LBL_LDT(n, t) [H_ldt_##n] = &&L_ldt_##n,
        LD_KINDS(LBL_LDT)
        [H_ldt32_s8] = &&L_ldt32_s8, [H_ldt32_s16] = &&L_ldt32_s16,
        [H_stt8] = &&L_stt8, [H_stt16] = &&L_stt16, [H_stt32] = &&L_stt32, [H_stt64] = &&L_stt64,
        [H_ld_slow] = &&L_ld_slow, [H_st_slow] = &&L_st_slow,
        [H_atomic_rmw] = &&L_atomic_rmw, [H_cmpxchg] = &&L_cmpxchg, [H_fence] = &&L_fence,
        [H_call] = &&L_call, [H_goto_pc] = &&L_goto_pc, [H_goto_ind] = &&L_goto_ind,
#define LBL_PAIR(a, b) [H_##a##_##b] = &&L_##a##_##b,
        PAIRS(LBL_PAIR)
        [H_movi_goto_pc] = &&L_movi_goto_pc, [H_andi64_goto_ind] = &&L_andi64_goto_ind,
        [H_shli64_add64] = &&L_shli64_add64,
        [H_exit] = &&L_exit,
    };
    if (!cpu) {
        interp_labels = labels;
        return;
    }

    char *const base = (char *)cpu;
    uint8_t *const mem = cpu->as->flat_base;
    const uint64_t limit = cpu->as->flat_limit;
    const struct iop *ip;
    struct tb *next;
    uint64_t ind_pc;

#define R64(off) (*(uint64_t *)(base + (off)))
#define R32(off) (*(uint32_t *)(base + (off)))
#define D64 R64(ip->d)
#define A64 R64(ip->a)
#define B64 R64(ip->b)
#define A32 R32(ip->a)
#define B32 R32(ip->b)
#define DISPATCH() goto *ip->h
#define NEXT() do { ip++; DISPATCH(); } while (0)
/* Guest address check: an address outside the space is a SIGSEGV without touching the host. */
#define GUEST_ADDR(addr, size)                                                     \
    ({                                                                             \
        uint64_t a_ = (addr);                                                      \
        cpu->cur_op = ip;                                                          \
        if (__builtin_expect(a_ > limit - (size), 0))                              \
            mem_raise_outside(cpu, a_);                                            \
        (void *)(mem + a_);                                                        \
    })

enter:
    if (__builtin_expect(cpu->exit_request, 0)) {
        cpu->exit_request = 0;
        cpu->pc = tb->pc;
        cpu->exit_reason = CPU_EXIT_INTERRUPT;
        return;
    }
    if (log_enabled(exec))
        fprintf(log_file, "Trace: pc=0x%" PRIx64 " insns=%u\n", tb->pc, tb->n_insns);
    cpu->cur_tb = tb;
    ip = tb->code;
    DISPATCH();

L_movi: D64 = (uint64_t)ip->imm; NEXT();
L_put32: R32(ip->d) = A32; NEXT();

#define FP2(n)                                                                   \
    L_##n##64: D64 = op_##n##64(A64, B64); NEXT();                               \
    L_##n##32: D64 = op_##n##32(A32, B32); NEXT();
#define INT2(n)                                                                  \
    FP2(n)                                                                       \
    L_##n##i64: D64 = op_##n##64(A64, (uint64_t)ip->imm); NEXT();                \
    L_##n##i32: D64 = op_##n##32(A32, (uint32_t)ip->imm); NEXT();                \
    L_##n##s32: D64 = op_sext3264(op_##n##32(A32, B32)); NEXT();                 \
    L_##n##si32: D64 = op_sext3264(op_##n##32(A32, (uint32_t)ip->imm)); NEXT();
#define FP1(n)                                                                   \
    L_##n##64: D64 = op_##n##64(A64); NEXT();                                    \
    L_##n##32: D64 = op_##n##32(A32); NEXT();
#define INT1(n)                                                                  \
    FP1(n)                                                                       \
    L_##n##s32: D64 = op_sext3264(op_##n##32(A32)); NEXT();
#include "ir/ops.def"
#undef INT2
#undef INT1
#undef FP2
#undef FP1

L_extract: D64 = op_extract(A64, ip->imm); NEXT();
L_sextract64: D64 = op_sextract(A64, ip->imm, 64); NEXT();
L_sextract32: D64 = op_sextract(A64, ip->imm, 32); NEXT();
L_deposit64: D64 = op_deposit(A64, B64, ip->imm); NEXT();
L_deposit32: D64 = (uint32_t)op_deposit(A64, B64, ip->imm); NEXT();

#define DO_COND(n)                                                                  \
    L_set_##n##64: D64 = cond_##n##64(A64, B64); NEXT();                            \
    L_set_##n##32: D64 = cond_##n##32(A64, B64); NEXT();                            \
    L_set_##n##i64: D64 = cond_##n##64(A64, (uint64_t)ip->imm); NEXT();             \
    L_set_##n##i32: D64 = cond_##n##32(A64, (uint64_t)ip->imm); NEXT();             \
    L_xif_##n##64: if (cond_##n##64(A64, B64)) goto take_exit; NEXT();              \
    L_xif_##n##32: if (cond_##n##32(A64, B64)) goto take_exit; NEXT();              \
    L_xif_##n##i64: if (cond_##n##64(A64, (uint64_t)(int32_t)ip->d)) goto take_exit; NEXT(); \
    L_xif_##n##i32: if (cond_##n##32(A64, (uint64_t)(int32_t)ip->d)) goto take_exit; NEXT();      \
    L_xifg_##n##64: if (cond_##n##64(A64, B64)) goto take_exit; ip++; goto L_goto_pc;              \
    L_xifg_##n##32: if (cond_##n##32(A64, B64)) goto take_exit; ip++; goto L_goto_pc;              \
    L_xifg_##n##i64: if (cond_##n##64(A64, (uint64_t)(int32_t)ip->d)) goto take_exit; ip++;       \
                     goto L_goto_pc;                                                              \
    L_xifg_##n##i32: if (cond_##n##32(A64, (uint64_t)(int32_t)ip->d)) goto take_exit; ip++;       \
                     goto L_goto_pc;
    COND_NAMES(DO_COND)

L_movcond: {
    /* imm = cond | 32-bit flag << 8: the comparison has the width of the result type. */
    int c = 0;
    switch (ip->imm) {
#define MC(n) case C_##n: c = cond_##n##64(A64, B64); break; \
              case C_##n | 256: c = cond_##n##32(A64, B64); break;
        COND_NAMES(MC)
    }
    D64 = c ? R64(ip->c) : R64(ip->e);
    NEXT();
}


/* memcpy: guest accesses may be misaligned; compilers turn it into one plain load. */
#define LOAD(t) ({ t v_; memcpy(&v_, GUEST_ADDR(A64 + (uint64_t)ip->imm, sizeof(t)), sizeof(t)); v_; })
#define STORE(t, v) ({ t v_ = (t)(v); memcpy(GUEST_ADDR(A64 + (uint64_t)ip->imm, sizeof(t)), &v_, sizeof(t)); })
#define DO_LD(n, t) L_ld_##n: D64 = (uint64_t)(int64_t)LOAD(t); NEXT();
    LD_KINDS(DO_LD)
L_ld32_s8: D64 = (uint32_t)(int32_t)LOAD(int8_t); NEXT();
L_ld32_s16: D64 = (uint32_t)(int32_t)LOAD(int16_t); NEXT();

L_st8: STORE(uint8_t, B64); NEXT();
L_st16: STORE(uint16_t, B64); NEXT();
L_st32: STORE(uint32_t, B64); NEXT();
L_st64: STORE(uint64_t, B64); NEXT();
L_shli64_add64: D64 = op_add64(op_shl64(A64, (uint64_t)ip->imm), R64(ip->c)); NEXT();
/* The first op of each pair as its handler runs it, then the second's handler. */
#define RUN_ld_u64 D64 = LOAD(uint64_t)
#define RUN_st64 STORE(uint64_t, B64)
#define RUN_mov64 D64 = op_mov64(A64)
#define RUN_movi D64 = (uint64_t)ip->imm
#define DO_PAIR(a, b) L_##a##_##b: RUN_##a; ip++; goto L_##b;
    PAIRS(DO_PAIR)

/* A space with a TLB (a softmmu): the entry of the address's page in the MMU index's table
 * (c); a hit is RAM at address + addend, anything else the space's slow path. */
#define TLB_HOST(addr, size, kind)                                                       \
    ({                                                                                   \
        uint64_t a_ = (addr);                                                            \
        struct mem_tlb *const tlb = cpu->as->tlb;                                        \
        const struct mem_tlb_entry *e_ = &tlb->entry[ip->c << MEM_TLB_BITS |             \
                                                     ((a_ >> MEM_TLB_PAGE_BITS) &        \
                                                      ((1u << MEM_TLB_BITS) - 1))];      \
        bool hit_ = __builtin_expect(e_->kind == mem_tlb_tag(a_, (size)), 1);            \
        if (tlb->count_hits) /* no store on every access when nobody counts */           \
            tlb->hits += hit_;                                                           \
        hit_ ? (void *)(a_ + e_->addend) : NULL;                                         \
    })
#define LOADT(t, ext)                                                                     \
    {                                                                                     \
        void *p_ = TLB_HOST(A64 + (uint64_t)ip->imm, sizeof(t), read);                    \
        if (!p_)                                                                          \
            goto L_ld_slow;                                                               \
        t v_;                                                                             \
        memcpy(&v_, p_, sizeof(t));                                                       \
        D64 = ext;                                                                        \
        NEXT();                                                                           \
    }
#define STORET(t)                                                                         \
    {                                                                                     \
        void *p_ = TLB_HOST(A64 + (uint64_t)ip->imm, sizeof(t), write);                   \
        if (!p_)                                                                          \
            goto L_st_slow;                                                               \
        t v_ = (t)B64;                                                                    \
        memcpy(p_, &v_, sizeof(t));                                                       \
        NEXT();                                                                           \
    }
#define DO_LDT(n, t) L_ldt_##n: LOADT(t, (uint64_t)(int64_t)v_)
    LD_KINDS(DO_LDT)
L_ldt32_s8: LOADT(int8_t, (uint32_t)(int32_t)v_)
L_ldt32_s16: LOADT(int16_t, (uint32_t)(int32_t)v_)
L_stt8: STORET(uint8_t)
L_stt16: STORET(uint16_t)
L_stt32: STORET(uint32_t)
L_stt64: STORET(uint64_t)

/* A miss, or a space without a TLB: a call to the space; e = memop | the i32 type << 8. */
L_ld_slow:
    cpu->cur_op = ip;
    D64 = ir_ld_extend(cpu->as->ops->load(cpu, A64 + (uint64_t)ip->imm, ip->e & 0xff),
                       ip->e & 0xff, ip->e >> 8);
    NEXT();
L_st_slow:
    cpu->cur_op = ip;
    cpu->as->ops->store(cpu, A64 + (uint64_t)ip->imm, ip->e & 0xff, B64);
    NEXT();

/* Atomics need a host address in any space: mem_ptr (inline for a flat one). */
L_atomic_rmw: {
    unsigned memop = (unsigned)(ip->imm >> 8), size = 1u << (memop & IR_MO_SIZE);
    cpu->cur_op = ip;
    void *p = mem_ptr(cpu, A64, size, MEM_READ | MEM_WRITE, ir_mo_mmu(memop));
    D64 = op_atomic_rmw(p, ip->imm & 0xff, size, B64);
    NEXT();
}
L_cmpxchg: {
    unsigned size = 1u << (ip->imm & IR_MO_SIZE);
    cpu->cur_op = ip;
    void *p = mem_ptr(cpu, A64, size, MEM_READ | MEM_WRITE, ir_mo_mmu((unsigned)ip->imm));
    D64 = op_cmpxchg(p, size, B64, R64(ip->c));
    NEXT();
}
L_fence: __atomic_thread_fence(__ATOMIC_SEQ_CST); NEXT();
L_call: {
    const struct ir_helper *h = (const struct ir_helper *)(intptr_t)ip->imm;
    cpu->cur_op = ip;
    D64 = h->fn(cpu, A64, B64, R64(ip->c), R64(ip->e));
    NEXT();
}

/* A chained exit leaves cpu->pc alone: nothing reads it before the next exit to the loop,
 * which sets it (enter's interrupt too). */
L_movi_goto_pc:
    D64 = (uint64_t)ip->c << 32 | ip->b;
take_exit:
L_goto_pc:
    next = ip->next;
    if (__builtin_expect(next != NULL, 1)) {
        tb = next;
        goto enter;
    }
    cpu->pc = (uint64_t)ip->imm;
    cpu->cur_op = NULL;
    next = tb_find(cpu, cpu->pc);
    if (!next)   /* the loop raises the fault, as after a JIT exit, or stops for room */
        return;
    if (tb_may_chain(cpu, tb, next))
        chain(tb, ip, next);
    tb = next;
    goto enter;

L_andi64_goto_ind:
    ind_pc = op_and64(A64, (uint64_t)ip->imm);
    goto goto_ind;
L_goto_ind:
    ind_pc = A64;
goto_ind: {
    uint64_t pc = ind_pc;
    cpu->pc = pc;
    next = exec_of(cpu)->jump_cache[jump_cache_index(pc, cpu->tb_flags)];
    if (__builtin_expect(next->pc == pc, 1) && next != &tb_none) {
        tb = next;
        goto enter;
    }
    cpu->cur_op = NULL;
    next = tb_find(cpu, pc);
    if (!next)   /* the loop raises the fault, as after a JIT exit, or stops for room */
        return;
    tb = next;
    goto enter;
}

L_exit:
    cpu->pc = (uint64_t)ip->imm;
    cpu->exc = (int)ip->e;
    cpu->exc_tval = 0;
    cpu->exit_reason = CPU_EXIT_EXCEPTION;
    return;
}

static const struct engine_ops interp_engine = {
    .name = "interp",
    .help = "portable IR interpreter (threaded dispatch)",
    .compile = interp_compile,
    .free = interp_free,
    .run = interp_run,
    .fault_pc = interp_fault_pc,
    .verify_ir = true,
};
ENGINE_REGISTER(interp_engine)
