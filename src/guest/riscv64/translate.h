/* Shared by the translate_*.c files: the per-block translation context, guest register access
 * in IR, and the trans_* functions that insns.def rows name (one per instruction family; the
 * row's arg says which member: an IR opcode, a condition, a memop, an FP helper). */
#ifndef VM_GUEST_RISCV64_TRANSLATE_H
#define VM_GUEST_RISCV64_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "guest/riscv64/decode.h"
#include "guest/translator.h"
#include "ir/ir.h"

/* What the trans functions see of the instruction the shared loop is translating. */
struct rv64_ctx {
    struct cpu *cpu;
    struct ir_block *b;
    uint64_t pc;      /* of the instruction being translated */
    unsigned len;     /* its length: 2 (compressed) or 4; the link address is pc + len */
    bool ended;       /* the instruction emitted the block's final op */
};

int rv64_translate_insn(struct translator *t);

/* x0 reads as 0 and writes to it are dropped; f registers are 64-bit patterns. */
ir_temp rv_get_x(struct rv64_ctx *ctx, unsigned n);
void rv_put_x(struct rv64_ctx *ctx, unsigned n, ir_temp value);
ir_temp rv_get_f(struct rv64_ctx *ctx, unsigned n);
void rv_put_f(struct rv64_ctx *ctx, unsigned n, ir_temp value);
ir_temp rv_const(struct rv64_ctx *ctx, int64_t value);

/* Block ends: a direct jump, and an illegal instruction (SIGILL at this pc). */
void rv_end_goto(struct rv64_ctx *ctx, uint64_t pc);
void rv_gen_illegal(struct rv64_ctx *ctx);
/* Raises sig/code at this instruction and ends the block. */
void rv_gen_raise(struct rv64_ctx *ctx, const struct ir_helper *raise);

/* CSR access kinds (arg of the csr rows). */
enum { RV_CSR_RW, RV_CSR_RS, RV_CSR_RC };

#define RV_TRANS_FUNCS(X)                                                    \
    /* translate_int.c */                                                    \
    X(alu_rr) X(alu_rr_w) X(alu_ri) X(alu_ri_w) X(setcond_rr) X(setcond_ri) \
    X(lui) X(auipc) X(jal) X(jalr) X(branch)                                 \
    /* translate_mem.c */                                                    \
    X(load) X(store) X(fload) X(fstore) X(amo) X(lr) X(sc)                   \
    /* translate_fp.c */                                                     \
    X(fp_helper) X(fsgnj_d) X(fmv_x_w) X(fmv_w_x) X(fmv_bits)               \
    /* translate_system.c */                                                 \
    X(csr) X(ecall) X(ebreak) X(fence) X(fence_i) X(mret) X(sret) X(wfi)          \
    X(sfence_vma)

#define RV_TRANS_DECLARE(name) rv64_trans_fn trans_##name;
RV_TRANS_FUNCS(RV_TRANS_DECLARE)
#undef RV_TRANS_DECLARE

#endif
