/* The AArch64 instruction encoder: every instruction the JIT emits is one row of a table of
 * instruction forms (base opcode, operand form, the bits a 64-bit operand size sets) in
 * encode.c, and one function turns a row plus operands into a 32-bit word. Kept apart from
 * the lowering so that tests/unit/test_a64_encoder.c can check each row against capstone. */
#ifndef VM_HOST_AARCH64_A64_H
#define VM_HOST_AARCH64_A64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/buf.h"

/* x0..x30; 31 is the zero register or sp, as the instruction defines it. */
enum { A64_LR = 30, A64_ZR = 31, A64_SP = 31, A64_NOREG = 0xff };

/* Condition codes, in the hardware's order. */
enum a64_cc {
    A64_EQ, A64_NE, A64_HS, A64_LO, A64_MI, A64_PL, A64_VS, A64_VC,
    A64_HI, A64_LS, A64_GE, A64_LT, A64_GT, A64_LE, A64_AL, A64_NV,
};

/* Operand forms of a table row (d = rd, n = rn, m = rm, the rest from imm):
 *   R3: d, n, m            R4: d, n, m, a (imm)      R2: d, n      CSEL: d, n, m, cond (imm)
 *   I12: d, n, #imm (0..4095, or a multiple of 4096 below 1 << 24)
 *   BFM: d, n, #immr (imm & 63), #imms (imm >> 8)     EXTR: d, n, m, #lsb (imm)
 *   MOVW: d, #imm16 (imm & 0xffff) << 16 * hw (imm >> 16)
 *   LDST: t = d, [n, #imm] (bytes, a multiple of the size) or [n, m] (m != A64_NOREG;
 *         scaled by the size when imm is 1)
 *   LDP: t1 = d, t2 = m, [n, #imm] (bytes, a multiple of 8; pre-/post-index per the row)
 *   BR: n      NONE: no operands
 *   B26, B19 (cond in imm), CB (t = d), ADR: pc-relative, through a64_branch/a64_adr. */
enum a64_form { AF_R3, AF_R4, AF_R2, AF_CSEL, AF_I12, AF_BFM, AF_EXTR, AF_MOVW, AF_LDST,
                AF_LDP, AF_BR, AF_NONE, AF_B26, AF_B19, AF_CB, AF_ADR };

/* name, base opcode (32-bit operand size), form, bits a 64-bit operand size sets */
#define A64_INSNS(X)                                   \
    X(ADD,     0x0b000000, AF_R3,   0x80000000)        \
    X(SUB,     0x4b000000, AF_R3,   0x80000000)        \
    X(SUBS,    0x6b000000, AF_R3,   0x80000000)        \
    X(AND,     0x0a000000, AF_R3,   0x80000000)        \
    X(ORR,     0x2a000000, AF_R3,   0x80000000)        \
    X(EOR,     0x4a000000, AF_R3,   0x80000000)        \
    X(BIC,     0x0a200000, AF_R3,   0x80000000)        \
    X(ORN,     0x2a200000, AF_R3,   0x80000000)        \
    X(LSLV,    0x1ac02000, AF_R3,   0x80000000)        \
    X(LSRV,    0x1ac02400, AF_R3,   0x80000000)        \
    X(ASRV,    0x1ac02800, AF_R3,   0x80000000)        \
    X(RORV,    0x1ac02c00, AF_R3,   0x80000000)        \
    X(UDIV,    0x1ac00800, AF_R3,   0x80000000)        \
    X(SDIV,    0x1ac00c00, AF_R3,   0x80000000)        \
    X(SMULH,   0x9b407c00, AF_R3,   0)                 \
    X(UMULH,   0x9bc07c00, AF_R3,   0)                 \
    X(MADD,    0x1b000000, AF_R4,   0x80000000)        \
    X(MSUB,    0x1b008000, AF_R4,   0x80000000)        \
    X(SMADDL,  0x9b200000, AF_R4,   0)                 \
    X(UMADDL,  0x9ba00000, AF_R4,   0)                 \
    X(CSEL,    0x1a800000, AF_CSEL, 0x80000000)        \
    X(CSINC,   0x1a800400, AF_CSEL, 0x80000000)        \
    X(CSINV,   0x5a800000, AF_CSEL, 0x80000000)        \
    X(CLZ,     0x5ac01000, AF_R2,   0x80000000)        \
    X(RBIT,    0x5ac00000, AF_R2,   0x80000000)        \
    X(REV,     0x5ac00800, AF_R2,   0x80000400)        \
    X(ADDI,    0x11000000, AF_I12,  0x80000000)        \
    X(SUBI,    0x51000000, AF_I12,  0x80000000)        \
    X(SUBSI,   0x71000000, AF_I12,  0x80000000)        \
    X(SBFM,    0x13000000, AF_BFM,  0x80400000)        \
    X(UBFM,    0x53000000, AF_BFM,  0x80400000)        \
    X(BFM,     0x33000000, AF_BFM,  0x80400000)        \
    X(EXTR,    0x13800000, AF_EXTR, 0x80400000)        \
    X(MOVZ,    0x52800000, AF_MOVW, 0x80000000)        \
    X(MOVN,    0x12800000, AF_MOVW, 0x80000000)        \
    X(MOVK,    0x72800000, AF_MOVW, 0x80000000)        \
    X(STRB,    0x39000000, AF_LDST, 0)                 \
    X(LDRB,    0x39400000, AF_LDST, 0)                 \
    X(LDRSBX,  0x39800000, AF_LDST, 0)                 \
    X(LDRSBW,  0x39c00000, AF_LDST, 0)                 \
    X(STRH,    0x79000000, AF_LDST, 0)                 \
    X(LDRH,    0x79400000, AF_LDST, 0)                 \
    X(LDRSHX,  0x79800000, AF_LDST, 0)                 \
    X(LDRSHW,  0x79c00000, AF_LDST, 0)                 \
    X(STRW,    0xb9000000, AF_LDST, 0)                 \
    X(LDRW,    0xb9400000, AF_LDST, 0)                 \
    X(LDRSWX,  0xb9800000, AF_LDST, 0)                 \
    X(STRX,    0xf9000000, AF_LDST, 0)                 \
    X(LDRX,    0xf9400000, AF_LDST, 0)                 \
    X(STP_PRE, 0xa9800000, AF_LDP,  0)                 \
    X(STP,     0xa9000000, AF_LDP,  0)                 \
    X(LDP,     0xa9400000, AF_LDP,  0)                 \
    X(LDP_POST,0xa8c00000, AF_LDP,  0)                 \
    X(FADD,    0x1e202800, AF_R3,   0x00400000)        \
    X(FSUB,    0x1e203800, AF_R3,   0x00400000)        \
    X(FMUL,    0x1e200800, AF_R3,   0x00400000)        \
    X(FDIV,    0x1e201800, AF_R3,   0x00400000)        \
    X(FSQRT,   0x1e21c000, AF_R2,   0x00400000)        \
    X(FMOV_TOFP, 0x1e270000, AF_R2, 0x80400000)        \
    X(FMOV_TOGP, 0x1e260000, AF_R2, 0x80400000)        \
    X(BR,      0xd61f0000, AF_BR,   0)                 \
    X(BLR,     0xd63f0000, AF_BR,   0)                 \
    X(RET,     0xd65f0000, AF_BR,   0)                 \
    X(DMB_ISH, 0xd5033bbf, AF_NONE, 0)                 \
    X(B,       0x14000000, AF_B26,  0)                 \
    X(BL,      0x94000000, AF_B26,  0)                 \
    X(BCOND,   0x54000000, AF_B19,  0)                 \
    X(CBZ,     0x34000000, AF_CB,   0x80000000)        \
    X(CBNZ,    0x35000000, AF_CB,   0x80000000)        \
    X(ADR,     0x10000000, AF_ADR,  0)

enum a64_insn {
#define A64_ENUM(name, op, form, wbits) A_##name,
    A64_INSNS(A64_ENUM)
#undef A64_ENUM
    A64_NINSNS
};

struct a64_form_def {
    const char *name;
    uint32_t opcode, wbits;
    uint8_t form;
};
extern const struct a64_form_def a64_forms[A64_NINSNS];

/* Output buffer: emission past end sets overflow and writes nothing. */
static inline const uint8_t *a64_rx(const struct host_buf *b, const uint8_t *p)
{
    return p + b->rx_delta;
}

/* The word of insn with operand size w64 and operands as its form says (a64.h's list). */
uint32_t a64_word(enum a64_insn insn, bool w64, unsigned rd, unsigned rn, unsigned rm,
                  int64_t imm);
void a64_emit(struct host_buf *b, enum a64_insn insn, bool w64, unsigned rd, unsigned rn,
              unsigned rm, int64_t imm);
void a64_word_out(struct host_buf *b, uint32_t word);
/* rd = imm with the fewest movz/movn/movk (a w-register movz when it fits 32 bits). */
void a64_mov_imm(struct host_buf *b, unsigned rd, uint64_t imm);
/* rd = rn (64 bits) and rd = (uint32_t)rn. */
void a64_mov(struct host_buf *b, bool w64, unsigned rd, unsigned rn);
/* A pc-relative branch (B, BL, BCOND with cond in rt, CBZ/CBNZ testing rt with w64) to the
 * executable address target, NULL for "patched later": returns where it was written (for
 * patching; NULL if the buffer overflowed). */
uint8_t *a64_branch(struct host_buf *b, enum a64_insn insn, bool w64, unsigned rt,
                    const void *target);
/* Whether a branch of that kind at rx can reach target. */
bool a64_branch_reaches(enum a64_insn insn, const uint8_t *rx, const void *target);
/* rd = the executable address target (ADR, within 1 MiB). */
void a64_adr(struct host_buf *b, unsigned rd, const void *target);
/* Points the branch written at rw (executable address rx) to target: one aligned 4-byte
 * store. Returns where it went before. */
const void *a64_patch_branch(uint8_t *rw, const uint8_t *rx, const void *target);
/* Where the branch word at rx goes. */
const void *a64_branch_target(uint32_t word, const uint8_t *rx);

#endif
