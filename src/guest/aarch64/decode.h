/* The A64 instruction table and its readers: the decoder (32-bit word -> insns.def row plus
 * the register fields every format shares), the immediate decoders several families need, and
 * the disassembler. The translator, --log=in_asm, the unit tests and the differential test all
 * go through these. */
#ifndef VM_GUEST_AARCH64_DECODE_H
#define VM_GUEST_AARCH64_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct a64_ctx;
struct a64_insn;

/* How an encoding prints (the translator reads its own fields). */
enum a64_fmt {
    A64_FMT_NONE,      /* no operands */
    A64_FMT_RRR,       /* Rd, Rn, Rm (shifted or extended register) */
    A64_FMT_RRRR,      /* Rd, Rn, Rm, Ra */
    A64_FMT_RR,        /* Rd, Rn */
    A64_FMT_ADDI,      /* Rd|SP, Rn|SP, #imm12{, lsl 12} */
    A64_FMT_LOGI,      /* Rd, Rn, #bitmask */
    A64_FMT_MOVW,      /* Rd, #imm16, lsl hw*16 */
    A64_FMT_ADR,       /* Rd, pc-relative target */
    A64_FMT_BITF,      /* Rd, Rn, #immr, #imms */
    A64_FMT_EXTR,      /* Rd, Rn, Rm, #imms */
    A64_FMT_CSEL,      /* Rd, Rn, Rm, cond */
    A64_FMT_CCMP,      /* Rn, Rm|#imm5, #nzcv, cond */
    A64_FMT_MEM_UIMM,  /* Rt, [Xn|SP, #uimm12 * size] */
    A64_FMT_MEM_SIMM,  /* Rt, [Xn|SP, #simm9] */
    A64_FMT_MEM_POST,  /* Rt, [Xn|SP], #simm9 */
    A64_FMT_MEM_PRE,   /* Rt, [Xn|SP, #simm9]! */
    A64_FMT_MEM_REG,   /* Rt, [Xn|SP, Rm, extend #shift] */
    A64_FMT_MEM_LIT,   /* Rt, pc-relative literal */
    A64_FMT_PAIR_OFF,  /* Rt, Rt2, [Xn|SP, #simm7 * size] */
    A64_FMT_PAIR_POST, /* Rt, Rt2, [Xn|SP], #simm7 * size */
    A64_FMT_PAIR_PRE,  /* Rt, Rt2, [Xn|SP, #simm7 * size]! */
    A64_FMT_EXCL,      /* Rs, Rt, Rt2, [Xn|SP] */
    A64_FMT_BRANCH,    /* pc-relative imm26 */
    A64_FMT_BCOND,     /* cond, pc-relative imm19 */
    A64_FMT_CBZ,       /* Rt, pc-relative imm19 */
    A64_FMT_TBZ,       /* Rt, #bit, pc-relative imm14 */
    A64_FMT_BREG,      /* Xn */
    A64_FMT_IMM16,     /* #imm16 (svc, brk) */
    A64_FMT_SYSREG,    /* Rt and the system register op0:op1:CRn:CRm:op2 */
    A64_FMT_FP,        /* FP/SIMD: V registers Vd, Vn, Vm (raw) */
};

typedef void a64_trans_fn(struct a64_ctx *ctx, const struct a64_insn *in);

/* One row of insns.def. */
struct a64_insn_def {
    const char *name;
    uint32_t mask, match;  /* (word & mask) == match */
    uint8_t fmt;           /* enum a64_fmt */
    a64_trans_fn *trans;
    int arg;               /* passed to trans: an IR opcode, a condition, a memop, a helper... */
};

/* A decoded instruction: its row and the fields at the same place in every format. */
struct a64_insn {
    const struct a64_insn_def *def;
    uint32_t word;
    uint8_t rd, rn, rm, ra; /* bits 4:0, 9:5, 20:16, 14:10 (Rt = rd, Rt2 = ra, Rs = rm) */
    bool sf;                /* bit 31: 64-bit operation (integer formats) */
};

extern const struct a64_insn_def a64_insns[];
extern const size_t a64_n_insns;

/* Returns 0 and fills *out, or -1 if word is not an instruction vm implements. */
int a64_decode(uint32_t word, struct a64_insn *out);
/* Formats one instruction for --log=in_asm; returns 4, or 0 if len < 4. */
int a64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen);

static inline uint32_t a64_bits(uint32_t word, unsigned hi, unsigned lo)
{
    return (word >> lo) & (uint32_t)((1ull << (hi - lo + 1)) - 1);
}

static inline int64_t a64_sext(uint64_t value, unsigned width)
{
    unsigned shift = 64 - width;
    return (int64_t)(value << shift) >> shift;
}

/* DecodeBitMasks of the logical-immediate and bitfield encodings: the mask wmask for N:imms:immr
 * at width 32 or 64 (and tmask, the bitfield's top mask). Returns false if reserved. */
bool a64_decode_bitmask(unsigned n, unsigned imms, unsigned immr, bool is64, bool logical,
                        uint64_t *wmask, uint64_t *tmask);
/* The 8-bit floating-point immediate of FMOV (imm8 = abcdefgh) as a single or double. */
uint64_t a64_expand_fp_imm(unsigned imm8, bool is_double);
/* The 64-bit value of MOVI/MVNI/ORR/BIC (vector, immediate) for op:cmode:imm8. */
uint64_t a64_expand_simd_imm(unsigned op, unsigned cmode, unsigned imm8);

/* Condition names, indexed by the 4-bit cond field. */
extern const char *const a64_cond_names[16];

#endif
