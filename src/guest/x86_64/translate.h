/* Shared by the x86-64 translate_*.c files: the translation context of one instruction,
 * operand access in IR with the partial-register rules, effective addresses (RIP-relative,
 * FS/GS bases), the stack, lazy flags and conditions, block endings and exceptions, and the
 * family functions the table in translate.c dispatches to by insns.def row.
 *
 * A family function is x64_trans_fn: it translates the decoded instruction ctx->in (the same
 * as in) at ctx->pc, whose next instruction is ctx->next_pc; the row's arg
 * (in->def->arg) says which member of the family it is. It emits IR into ctx->b and sets
 * ctx->ended if it ended the block. */
#ifndef VM_GUEST_X86_64_TRANSLATE_H
#define VM_GUEST_X86_64_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/translator.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/decode.h"
#include "ir/ir.h"

struct x64_ctx {
    struct translator *t;
    struct ir_block *b;
    const struct x64_insn *in;
    uint64_t pc;        /* of the instruction */
    uint64_t next_pc;   /* pc + length: RIP as the instruction sees it */
    bool ended;         /* the instruction emitted the block's final op */
    ir_temp ea;         /* the memory operand's address once x64_ea computed it, else IR_NONE */
    ir_temp rsp_after;  /* if not IR_NONE: what RSP reads as in x64_ea (POP to memory) */
};

typedef void x64_trans_fn(struct x64_ctx *ctx, const struct x64_insn *in);

int x64_translate_insn(struct translator *t);

/* ---- values ---- */
ir_temp x64_const(struct x64_ctx *ctx, int64_t value);   /* an i64 constant */
/* The IR type a value of size bytes is computed in: i64 for 8, else i32 (8- and 16-bit
 * values in the low bits of an i32, the bits above them unspecified unless said). */
enum ir_type x64_type(unsigned size);
/* value as a constant of x64_type(size). */
ir_temp x64_tconst(struct x64_ctx *ctx, unsigned size, int64_t value);
/* value's low size bytes, zero- or sign-extended to x64_type(size) (size 8: value itself;
 * size 4: x64_sext gives value, to be read as i32, x64_zext an i64 zero-extension). */
ir_temp x64_zext(struct x64_ctx *ctx, unsigned size, ir_temp value);
ir_temp x64_sext(struct x64_ctx *ctx, unsigned size, ir_temp value);

/* ---- registers ---- */
/* General register n (0..15) read at size bytes: size 1 is AH/CH/DH/BH for n 4..7 when the
 * instruction has no REX prefix, else the low byte. Sizes 1 and 2 are zero-extended; size 4
 * may be an i64 temp whose low half is the value (use it in i32 ops). */
ir_temp x64_get_reg(struct x64_ctx *ctx, unsigned n, unsigned size);
/* Writes size bytes of register n: 1 and 2 keep the other bits (AH.. as above), 4 zeroes
 * the upper half, 8 is the whole register. */
void x64_put_reg(struct x64_ctx *ctx, unsigned n, unsigned size, ir_temp value);

/* ---- memory ---- */
/* The address of the ModRM memory operand: base + index * scale + disp (RIP-relative from
 * next_pc), truncated to 32 bits with 67, plus the FS or GS base with a segment prefix. */
ir_temp x64_ea(struct x64_ctx *ctx);
/* The same offset without the segment base (LEA). */
ir_temp x64_ea_offset(struct x64_ctx *ctx);
ir_temp x64_load(struct x64_ctx *ctx, ir_temp addr, unsigned size);   /* zero-extended */
void x64_store(struct x64_ctx *ctx, ir_temp addr, unsigned size, ir_temp value);
/* FS or GS base plus an offset (moffs, string ops), or the offset without a segment. */
ir_temp x64_seg_addr(struct x64_ctx *ctx, ir_temp offset);

/* ---- ModRM operands ---- */
/* The r/m operand (a register for mod 3, else memory at x64_ea), as x64_get_reg reads. */
ir_temp x64_get_rm(struct x64_ctx *ctx, unsigned size);
void x64_put_rm(struct x64_ctx *ctx, unsigned size, ir_temp value);
/* The ModRM.reg register. */
ir_temp x64_get_greg(struct x64_ctx *ctx, unsigned size);
void x64_put_greg(struct x64_ctx *ctx, unsigned size, ir_temp value);

/* A read-modify-write of the r/m operand: fn computes the new value from the old (and may fill
 * *cc); with LOCK, a compare-and-swap that runs the instruction again if memory changed since
 * the load. Then the flags are committed. Returns the old value. */
struct x64_cc;
typedef ir_temp x64_rmw_fn(struct x64_ctx *ctx, unsigned size, ir_temp old, const void *arg,
                           struct x64_cc *cc);
ir_temp x64_rmw_rm(struct x64_ctx *ctx, unsigned size, x64_rmw_fn *fn, const void *arg);
/* The memop of a size-byte access in user mode. */
unsigned x64_memop(unsigned size);

/* ---- stack ---- */
/* Pushes size bytes (RSP -= size, then the store; RSP changes only once the store is done). */
void x64_push(struct x64_ctx *ctx, unsigned size, ir_temp value);
/* Loads size bytes at RSP; returns the value and the new RSP in *new_rsp (not yet put). */
ir_temp x64_pop_value(struct x64_ctx *ctx, unsigned size, ir_temp *new_rsp);

/* ---- lazy flags (struct x64_cpu) ---- */
/* Records a flag-setting operation: puts cc_op = X64_CC(kind, size) and the fields (IR_NONE:
 * leave the field as it is; the kind does not read it). */
void x64_set_cc(struct x64_ctx *ctx, enum x64_cc_kind kind, unsigned size, ir_temp dst,
                ir_temp src1, ir_temp src2);
/* A flag-setting operation computed but not recorded yet (written after the destination, so
 * that a faulting store leaves the flags as they were). */
struct x64_cc {
    enum x64_cc_kind kind;
    ir_temp dst, src1, src2;
};
void x64_commit_cc(struct x64_ctx *ctx, unsigned size, const struct x64_cc *cc);
/* The same, only if the i64 temp cond is not 0 (a shift by CL of 0 changes no flag). */
void x64_commit_cc_if(struct x64_ctx *ctx, ir_temp cond, unsigned size, const struct x64_cc *cc);
/* The EFLAGS-kind record of flags (an i64 temp of EFLAGS bits). */
struct x64_cc x64_cc_flags(ir_temp flags);
/* Says that the flags changed in a way the translator does not track (a helper wrote them). */
void x64_cc_unknown(struct x64_ctx *ctx);
uint64_t x64_carry_state(uint64_t isa_state);   /* guest_ops.carry_state */
/* The arithmetic flags as EFLAGS bits (i64). */
ir_temp x64_get_flags(struct x64_ctx *ctx);
/* The flags in mask (the rest 0): inline for a kind the block knows, but ADC and SBB. */
ir_temp x64_get_flags_of(struct x64_ctx *ctx, uint64_t mask);
/* CF as 0 or 1 (i64). */
ir_temp x64_get_cf(struct x64_ctx *ctx);
/* RFLAGS as user mode sees them (x64_eflags: IF set, RF and VM clear), i64. */
ir_temp x64_get_eflags(struct x64_ctx *ctx);
/* Sets the arithmetic flags from EFLAGS bits in an i64 temp (only X64_FLAGS_ARITH count). */
void x64_put_flags(struct x64_ctx *ctx, ir_temp flags);

/* A condition (cc: the low 4 bits of Jcc/SETcc/CMOVcc) as one IR comparison: true iff
 * (a cond b) compared as type. */
struct x64_test {
    enum ir_type type;
    enum ir_cond cond;
    ir_temp a, b;
};
struct x64_test x64_cond(struct x64_ctx *ctx, unsigned cc);
/* The condition as 0 or 1 (i64). */
ir_temp x64_cond_value(struct x64_ctx *ctx, unsigned cc);

/* ---- block ends and exceptions (all at this instruction's pc) ---- */
void x64_end_goto(struct x64_ctx *ctx, uint64_t pc);
void x64_end_ind(struct x64_ctx *ctx, ir_temp pc);
void x64_gen_ud(struct x64_ctx *ctx);      /* #UD: EXC_ILLEGAL */
void x64_gen_gp(struct x64_ctx *ctx);      /* #GP: EXC_PROTECTION */
void x64_gen_raise(struct x64_ctx *ctx, const struct ir_helper *raise);

/* MASKMOVDQU (mmx false) and MASKMOVQ: the bytes of ModRM.reg that ModRM.rm's select, to
 * DS:RDI (translate_sse.c). */
void x64_maskmov(struct x64_ctx *ctx, bool mmx);

/* translate_swar.c: whether sse_int's arg is an element op done inline, and that op on a
 * quadword of each operand; the sign-bit mask of a quadword for MOVMSKPS, MOVMSKPD and
 * PMOVMSKB (kind 0, 1, 2). */
bool x64_swar_has(unsigned arg);
ir_temp x64_swar(struct x64_ctx *ctx, unsigned arg, ir_temp a, ir_temp b);
ir_temp x64_movmsk_q(struct x64_ctx *ctx, unsigned kind, ir_temp v);

/* The families with a translation, by file; a family not listed raises #UD. Each file's list
 * is its own macro so that files are added without touching another's line. */
#define X64_TRANS_INT(X)                                                                   \
    X(alu) X(alu_grp) X(test) X(mov) X(movx) X(lea) X(incdec) X(unary) X(imul) X(muldiv)   \
    X(xchg) X(xadd) X(cmpxchg) X(cmpxchgb) X(cbw) X(cwd) X(setcc) X(cmovcc) X(bswap)       \
    X(movbe)
#define X64_TRANS_SHIFT(X) X(shift) X(shiftd)
#define X64_TRANS_FLAGS(X) X(flagop) X(lahf) X(sahf) X(pushf) X(popf)
#define X64_TRANS_STRING(X) X(string) X(xlat)
#define X64_TRANS_BITS(X) X(bt) X(bitscan) X(popcnt) X(crc32) X(bmi) X(adx)
#define X64_TRANS_BRANCH(X) X(jmp) X(jcc) X(call) X(ret) X(push) X(pop) X(loop) X(enter) X(leave)
#define X64_TRANS_SYSTEM(X)                                                                 \
    X(nop) X(syscall) X(cpuid) X(rdtsc) X(rdrand) X(xgetbv) X(trap) X(priv) X(fence)
#define X64_TRANS_SSE(X)                                                                    \
    X(sse_mov) X(sse_int) X(sse_shift) X(sse_shuf) X(sse_misc) X(mxcsr) X(fxsave) X(sse_arith) \
    X(sse_cmp) X(sse_cvt) X(sse_pmov) X(sse_fp4) X(sse_str) X(sse_aes) X(avx) X(fma)
#define X64_TRANS_X87(X) X(x87) X(mmx)
#define X64_TRANS_FUNCS(X)                                                                 \
    X64_TRANS_INT(X) X64_TRANS_SHIFT(X) X64_TRANS_FLAGS(X) X64_TRANS_STRING(X)               \
    X64_TRANS_BITS(X) X64_TRANS_BRANCH(X) X64_TRANS_SYSTEM(X) X64_TRANS_SSE(X)               \
    X64_TRANS_X87(X)

#define X64_TRANS_DECLARE(name) x64_trans_fn x64_trans_##name;
X64_TRANS_FUNCS(X64_TRANS_DECLARE)
#undef X64_TRANS_DECLARE

#endif
