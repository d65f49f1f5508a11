/* The RV64GC instruction table and its readers: the decoder (32-bit words -> table row plus
 * fields), the compressed-instruction expander (16-bit -> equivalent 32-bit word) and the
 * disassembler. The translator, --log=in_asm and the unit test all go through these. */
#ifndef VM_GUEST_RISCV64_DECODE_H
#define VM_GUEST_RISCV64_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rv64_ctx;
struct rv64_insn;

/* Which fields an encoding has, how its immediate is laid out and how it prints. */
enum rv64_fmt {
    RV_FMT_R,      /* rd, rs1, rs2 */
    RV_FMT_R_RM,   /* rd, rs1, rs2, rm (FP arithmetic) */
    RV_FMT_R2,     /* rd, rs1 (rs2 and funct3 fixed: fclass, fmv) */
    RV_FMT_R2_RM,  /* rd, rs1, rm (rs2 fixed: fsqrt, fcvt) */
    RV_FMT_R4,     /* rd, rs1, rs2, rs3, rm (fused multiply-add) */
    RV_FMT_I,      /* rd, rs1, imm[11:0] */
    RV_FMT_I_MEM,  /* rd, imm[11:0](rs1): loads and jalr */
    RV_FMT_SHIFT,  /* rd, rs1, shamt (6 bits; the W forms' mask keeps bit 25 zero) */
    RV_FMT_S,      /* rs2, imm(rs1) */
    RV_FMT_B,      /* rs1, rs2, pc-relative imm[12:1] */
    RV_FMT_U,      /* rd, imm[31:12] */
    RV_FMT_J,      /* rd, pc-relative imm[20:1] */
    RV_FMT_AMO,    /* rd, rs2, (rs1), aq, rl */
    RV_FMT_LR,     /* rd, (rs1), aq, rl */
    RV_FMT_CSR,    /* rd, csr, rs1 */
    RV_FMT_CSRI,   /* rd, csr, uimm[4:0] (in the rs1 field; also in imm) */
    RV_FMT_FENCE,  /* pred, succ (in imm) */
    RV_FMT_RS,     /* rs1, rs2 (sfence.vma) */
    RV_FMT_NONE,   /* no operands */
};

/* Which register operands are f registers (the rest are x registers). */
enum {
    RV_RD_F = 1 << 0,
    RV_RS1_F = 1 << 1,
    RV_RS2_F = 1 << 2,
    RV_RS3_F = 1 << 3,
};

typedef void rv64_trans_fn(struct rv64_ctx *ctx, const struct rv64_insn *in);

/* One row of insns.def. */
struct rv64_insn_def {
    const char *name;
    uint32_t mask, match;  /* (word & mask) == match */
    uint8_t fmt;           /* enum rv64_fmt */
    uint8_t fregs;         /* RV_*_F */
    rv64_trans_fn *trans;
    int arg;               /* passed to trans: an IR opcode, a condition, a memop, a helper... */
};

/* A decoded 32-bit instruction (a compressed one is decoded from its expansion). */
struct rv64_insn {
    const struct rv64_insn_def *def;
    uint32_t word;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;            /* bits 14:12: rounding mode for FP formats */
    bool aq, rl;
    uint16_t csr;
    int64_t imm;           /* sign-extended immediate, shamt, CSR uimm or fence pred<<4|succ */
};

extern const struct rv64_insn_def rv64_insns[];
extern const size_t rv64_n_insns;

/* Returns 0 and fills *out, or -1 if word is not an RV64GC instruction. */
int rv64_decode(uint32_t word, struct rv64_insn *out);
/* Expands a 16-bit RVC instruction to its 32-bit equivalent: 0, or -1 if it is reserved. */
int rv64_expand_compressed(uint16_t c, uint32_t *out);
/* Formats one instruction for --log=in_asm; returns its length (2 or 4), or 0 if len is too
 * short to hold it. */
int rv64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen);

/* ABI names ("a0", "fa0"), for the disassembler and the state dump. */
extern const char *const rv64_xreg_names[32];
extern const char *const rv64_freg_names[32];

#endif
