/* The x86-64 instruction encoder: every instruction the JIT emits is one row of a table of
 * instruction forms (prefix, opcode, operand form, ModRM extension) in encode.c, and one
 * function turns a row plus operands into bytes. Kept apart from the lowering so that
 * tests/unit/test_x86_encoder.c can check each row against capstone. */
#ifndef VM_HOST_X86_64_X86_H
#define VM_HOST_X86_64_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "host/buf.h"

enum xh_reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    X86_NOREG = 0xff,
};

/* Condition codes, in the hardware's order (jcc = 0x80 + cc). */
enum x86_cc {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

/* Operand forms of a table row.
 *   RM: reg <- r/m          MR: r/m <- reg          MI: r/m, imm (imm8 form when it fits)
 *   M:  r/m with /ext       MI8: r/m, imm8 with /ext (shifts)   RMI: reg <- r/m, imm32 */
enum x86_form { XF_RM, XF_MR, XF_MI, XF_M, XF_MI8, XF_RMI };

/* name, mandatory prefix, 0x0f escape, opcode, imm8 opcode (MI only), form, /ext, flags */
#define X86_INSNS(X)                                                          \
    X(ADD,    0,    0, 0x03, 0,    XF_RM, 0, 0)                               \
    X(OR,     0,    0, 0x0b, 0,    XF_RM, 0, 0)                               \
    X(AND,    0,    0, 0x23, 0,    XF_RM, 0, 0)                               \
    X(SUB,    0,    0, 0x2b, 0,    XF_RM, 0, 0)                               \
    X(XOR,    0,    0, 0x33, 0,    XF_RM, 0, 0)                               \
    X(CMP,    0,    0, 0x3b, 0,    XF_RM, 0, 0)                               \
    X(MOV,    0,    0, 0x8b, 0,    XF_RM, 0, 0)                               \
    X(LEA,    0,    0, 0x8d, 0,    XF_RM, 0, 0)                               \
    X(IMUL,   0,    1, 0xaf, 0,    XF_RM, 0, 0)                               \
    X(MOVZX8, 0,    1, 0xb6, 0,    XF_RM, 0, X86_F_SRC8)                      \
    X(MOVZX16,0,    1, 0xb7, 0,    XF_RM, 0, 0)                               \
    X(MOVSX8, 0,    1, 0xbe, 0,    XF_RM, 0, X86_F_SRC8)                      \
    X(MOVSX16,0,    1, 0xbf, 0,    XF_RM, 0, 0)                               \
    X(MOVSXD, 0,    0, 0x63, 0,    XF_RM, 0, 0)                               \
    X(CMOV,   0,    1, 0x40, 0,    XF_RM, 0, X86_F_CC)                        \
    X(ST,     0,    0, 0x89, 0,    XF_MR, 0, 0)                               \
    X(ST8,    0,    0, 0x88, 0,    XF_MR, 0, X86_F_SRC8 | X86_F_NOW)          \
    X(ST16,   0x66, 0, 0x89, 0,    XF_MR, 0, X86_F_NOW)                       \
    X(TEST,   0,    0, 0x85, 0,    XF_MR, 0, 0)                               \
    X(ADDI,   0,    0, 0x81, 0x83, XF_MI, 0, 0)                               \
    X(ORI,    0,    0, 0x81, 0x83, XF_MI, 1, 0)                               \
    X(ANDI,   0,    0, 0x81, 0x83, XF_MI, 4, 0)                               \
    X(SUBI,   0,    0, 0x81, 0x83, XF_MI, 5, 0)                               \
    X(XORI,   0,    0, 0x81, 0x83, XF_MI, 6, 0)                               \
    X(CMPI,   0,    0, 0x81, 0x83, XF_MI, 7, 0)                               \
    X(MOVI,   0,    0, 0xc7, 0,    XF_MI, 0, 0)                               \
    X(IMULI,  0,    0, 0x69, 0,    XF_RMI, 0, 0)                              \
    X(ROLI,   0,    0, 0xc1, 0,    XF_MI8, 0, 0)                              \
    X(RORI,   0,    0, 0xc1, 0,    XF_MI8, 1, 0)                              \
    X(SHLI,   0,    0, 0xc1, 0,    XF_MI8, 4, 0)                              \
    X(SHRI,   0,    0, 0xc1, 0,    XF_MI8, 5, 0)                              \
    X(SARI,   0,    0, 0xc1, 0,    XF_MI8, 7, 0)                              \
    X(ROLC,   0,    0, 0xd3, 0,    XF_M, 0, 0)                                \
    X(RORC,   0,    0, 0xd3, 0,    XF_M, 1, 0)                                \
    X(SHLC,   0,    0, 0xd3, 0,    XF_M, 4, 0)                                \
    X(SHRC,   0,    0, 0xd3, 0,    XF_M, 5, 0)                                \
    X(SARC,   0,    0, 0xd3, 0,    XF_M, 7, 0)                                \
    X(NOT,    0,    0, 0xf7, 0,    XF_M, 2, 0)                                \
    X(NEG,    0,    0, 0xf7, 0,    XF_M, 3, 0)                                \
    X(MUL1,   0,    0, 0xf7, 0,    XF_M, 4, 0)                                \
    X(IMUL1,  0,    0, 0xf7, 0,    XF_M, 5, 0)                                \
    X(SETCC,  0,    1, 0x90, 0,    XF_M, 0, X86_F_CC | X86_F_SRC8)            \
    X(CALLM,  0,    0, 0xff, 0,    XF_M, 2, X86_F_NOW)                        \
    X(JMPM,   0,    0, 0xff, 0,    XF_M, 4, X86_F_NOW)                        \
    X(MOVQX,  0x66, 1, 0x6e, 0,    XF_RM, 0, 0)         /* xmm <- r/m */      \
    X(MOVQR,  0x66, 1, 0x7e, 0,    XF_MR, 0, 0)         /* r/m <- xmm */      \
    X(TZCNT,  0xf3, 1, 0xbc, 0,    XF_RM, 0, 0)         /* BMI1 */            \
    X(LZCNT,  0xf3, 1, 0xbd, 0,    XF_RM, 0, 0)         /* LZCNT (ABM) */     \
    X(POPCNT, 0xf3, 1, 0xb8, 0,    XF_RM, 0, 0)                               \
    X(ADDSD,  0xf2, 1, 0x58, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(MULSD,  0xf2, 1, 0x59, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(SUBSD,  0xf2, 1, 0x5c, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(DIVSD,  0xf2, 1, 0x5e, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(SQRTSD, 0xf2, 1, 0x51, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(ADDSS,  0xf3, 1, 0x58, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(MULSS,  0xf3, 1, 0x59, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(SUBSS,  0xf3, 1, 0x5c, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(DIVSS,  0xf3, 1, 0x5e, 0,    XF_RM, 0, X86_F_NOW)                       \
    X(SQRTSS, 0xf3, 1, 0x51, 0,    XF_RM, 0, X86_F_NOW)

enum {
    X86_F_SRC8 = 1, /* a byte register operand: needs REX to reach sil/dil/bpl/spl */
    X86_F_CC = 2,   /* the condition code is added to the opcode */
    X86_F_NOW = 4,  /* operand size is fixed: never REX.W */
};

enum xh_insn {
#define X86_ENUM(name, pfx, esc, op, op8, form, ext, fl) X_##name,
    X86_INSNS(X86_ENUM)
#undef X86_ENUM
    X86_NINSNS
};

struct x86_form_def {
    const char *name;
    uint8_t prefix, esc, opcode, opcode8, form, ext, flags;
};
/* In the header, so that x86_emit with a constant insn (nearly every call) folds its row's
 * fields into the code at the call: translation emits every host instruction through it. */
static const struct x86_form_def x86_forms[X86_NINSNS] = {
#define X86_ROW(n, pfx, e, op, op8, f, x, fl) \
    [X_##n] = { .name = #n, .prefix = pfx, .esc = e, .opcode = op, .opcode8 = op8, .form = f, \
                .ext = x, .flags = fl },
    X86_INSNS(X86_ROW)
#undef X86_ROW
};

/* A register or memory operand: base + index * scale + disp (index X86_NOREG: none). */
struct x86_rm {
    bool mem;
    uint8_t reg;            /* register operand, or memory base */
    uint8_t index, scale;   /* scale: 1 2 4 8 */
    int32_t disp;
};

static inline struct x86_rm xr(unsigned reg)
{
    return (struct x86_rm){ .mem = false, .reg = (uint8_t)reg, .index = X86_NOREG };
}
static inline struct x86_rm xm(unsigned base, int32_t disp)
{
    return (struct x86_rm){ .mem = true, .reg = (uint8_t)base, .index = X86_NOREG, .scale = 1,
                            .disp = disp };
}
static inline struct x86_rm xmi(unsigned base, unsigned index, unsigned scale, int32_t disp)
{
    return (struct x86_rm){ .mem = true, .reg = (uint8_t)base, .index = (uint8_t)index,
                            .scale = (uint8_t)scale, .disp = disp };
}

/* One instruction's bytes (15 at most) written from p on; returns their number. One pass
 * over local values: no byte-by-byte bounds checks, no bytes gathered elsewhere and copied
 * (a copy's load waits for the byte stores: no store forwarding). */
static inline __attribute__((always_inline)) unsigned x86_encode(uint8_t *p, enum xh_insn insn, bool w64, unsigned reg,
                              struct x86_rm rm, int64_t imm)
{
    const struct x86_form_def *f = &x86_forms[insn];
    uint8_t *q = p;
    unsigned form = f->form;
    bool has_ext = form == XF_M || form == XF_MI || form == XF_MI8;
    unsigned r = has_ext ? f->ext : reg;
    bool imm8 = form == XF_MI && f->opcode8 && imm == (int8_t)imm;
    bool index = rm.mem && rm.index != X86_NOREG;
    if (f->prefix)
        *q++ = f->prefix;
    unsigned rex = (w64 && !(f->flags & X86_F_NOW) ? 8 : 0) | (r >> 1 & 4) |
                   (index ? rm.index >> 2 & 2 : 0) | (rm.reg >> 3 & 1);
    if (rex || ((f->flags & X86_F_SRC8) &&
                ((form == XF_MR && r >= 4 && r < 8) || (!rm.mem && rm.reg >= 4 && rm.reg < 8))))
        *q++ = (uint8_t)(0x40 | rex);
    if (f->esc)
        *q++ = 0x0f;
    uint8_t op = imm8 ? f->opcode8 : f->opcode;
    if (f->flags & X86_F_CC)
        op = (uint8_t)(op + (imm & 15));
    *q++ = op;
    unsigned rr = (r & 7) << 3, base = rm.reg & 7u;
    if (!rm.mem) {
        *q++ = (uint8_t)(0xc0 | rr | base);
    } else {
        bool sib = index || base == RSP;
        unsigned mod = rm.disp == 0 && base != RBP ? 0 : rm.disp == (int8_t)rm.disp ? 1 : 2;
        *q++ = (uint8_t)(mod << 6 | rr | (sib ? 4 : base));
        if (sib) {
            static const uint8_t scale_bits[9] = { [1] = 0, [2] = 1, [4] = 2, [8] = 3 };
            unsigned ix = index ? rm.index & 7u : RSP;
            *q++ = (uint8_t)(scale_bits[rm.scale <= 8 ? rm.scale : 1] << 6 | ix << 3 | base);
        }
        if (mod == 1) {
            *q++ = (uint8_t)rm.disp;
        } else if (mod == 2) {
            memcpy(q, &rm.disp, 4);     /* x86-64 is little-endian */
            q += 4;
        }
    }
    if (form == XF_MI8 || imm8) {
        *q++ = (uint8_t)imm;
    } else if (form == XF_MI || form == XF_RMI) {
        int32_t v = (int32_t)imm;
        memcpy(q, &v, 4);
        q += 4;
    }
    return (unsigned)(q - p);
}

void x86_emit_near_end(struct host_buf *b, enum xh_insn insn, bool w64, unsigned reg,
                       struct x86_rm rm, int64_t imm);

/* Emit insn with operand size w64 (64-bit if true, else 32), register operand reg (ignored by
 * M/MI/MI8 rows, which put their /ext there), r/m operand rm and immediate imm (MI/MI8/RMI
 * rows; the condition code for X86_F_CC rows). Emission past the buffer's end sets overflow
 * and writes nothing. */
static inline __attribute__((always_inline)) void
x86_emit(struct host_buf *b, enum xh_insn insn, bool w64, unsigned reg, struct x86_rm rm,
         int64_t imm)
{
    if (__builtin_expect(b->end - b->p >= 16, 1))
        b->p += x86_encode(b->p, insn, w64, reg, rm, imm);
    else
        x86_emit_near_end(b, insn, w64, reg, rm, imm);
}
/* Special encodings outside the table. */
void x86_mov_imm(struct host_buf *b, unsigned reg, uint64_t imm);   /* keeps the flags */
void x86_bswap(struct host_buf *b, bool w64, unsigned reg);
/* Relative branches: return the position of their rel32 field, for patching (NULL if the
 * buffer overflowed). */
uint8_t *x86_jmp(struct host_buf *b, const void *target);
uint8_t *x86_jcc(struct host_buf *b, enum x86_cc cc, const void *target);
void x86_call(struct host_buf *b, const void *target);    /* rel32 if it reaches, else via rax */
void x86_lea_rip(struct host_buf *b, unsigned reg, const void *target);   /* lea reg, [rip+X] */
void x86_push_pop(struct host_buf *b, bool push, unsigned reg);
void x86_patch_rel32(uint8_t *rel32_rw, const uint8_t *rel32_rx, const void *target);
static inline void x86_byte(struct host_buf *b, uint8_t v)
{
    if (b->p >= b->end) {
        b->overflow = true;
        return;
    }
    *b->p++ = v;
}
static inline bool x86_fits32(int64_t v)
{
    return v == (int32_t)v;
}

#endif
