/* x86-64 guest state: what the translator's get/put ops, the helpers, the Linux ABI (signal
 * frames, arch_prctl) and gdb address. The layout is fixed for every family (integer, SSE/AVX,
 * x87), so adding a family adds no field. docs/architecture.md's guest/x86_64 row summarises it. */
#ifndef VM_GUEST_X86_64_CPU_H
#define VM_GUEST_X86_64_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"

/* General registers in encoding order. */
enum x64_reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
};

/* EFLAGS bits. The arithmetic ones (X64_FLAGS_ARITH) live in the lazy-flags fields, the
 * others in x64_cpu.eflags. */
enum {
    X64_CF = 1u << 0, X64_PF = 1u << 2, X64_AF = 1u << 4, X64_ZF = 1u << 6,
    X64_SF = 1u << 7, X64_TF = 1u << 8, X64_IF = 1u << 9, X64_DF = 1u << 10,
    X64_OF = 1u << 11, X64_AC = 1u << 18, X64_ID = 1u << 21,
    X64_FLAGS_ARITH = X64_CF | X64_PF | X64_AF | X64_ZF | X64_SF | X64_OF,
    X64_FLAGS_FIXED = 1u << 1,                   /* always reads 1 */
    X64_FLAGS_USER = X64_DF | X64_AC | X64_ID,   /* what POPF may change besides ARITH */
};

/* Lazy flags: the last flag-setting operation's kind and width in cc_op (X64_CC(kind, log2
 * bytes)); cc_dst, cc_src1 and cc_src2 hold its result and operands, of which only the low
 * bits of that width mean anything. What each kind keeps (x64_eflags computes from it):
 *   EFLAGS  cc_src1 = the arithmetic flags as bits (the width is 64)
 *   ADD     dst = src1 + src2           ADC  dst = src1 + src2 + CF (CF = dst - src1 - src2)
 *   SUB     src1 - src2 (CMP too; dst is not stored, it follows from them)
 *   SBB     dst = src1 - src2 - CF (CF = src1 - src2 - dst)
 *   LOGIC   dst; CF = OF = AF = 0
 *   INC DEC dst = src1 +- 1; src2 = the CF that the instruction keeps (0 or 1)
 *   RESULT  SF ZF PF from dst; CF, AF and OF are their bits of src1 (shifts, multiplies, ...) */
enum x64_cc_kind {
    X64_CC_EFLAGS, X64_CC_ADD, X64_CC_ADC, X64_CC_SUB, X64_CC_SBB, X64_CC_LOGIC,
    X64_CC_INC, X64_CC_DEC, X64_CC_RESULT, X64_CC_NKINDS,
};
#define X64_CC(kind, log2size) ((uint64_t)(kind) << 2 | (log2size))
#define X64_CC_KIND(cc_op) ((unsigned)((cc_op) >> 2))
#define X64_CC_LOG2(cc_op) ((unsigned)((cc_op) & 3))

/* The x87 and MMX state, as much as FXSAVE stores. */
struct x64_x87 {
    uint16_t fcw;        /* control word */
    uint16_t fsw;        /* status word; TOP in bits 13..11 */
    uint16_t ftw;        /* full tag word, two bits per physical register */
    uint16_t fop;        /* last opcode */
    uint64_t fip, fdp;   /* last instruction and data pointers */
    /* Physical registers R0..R7 (ST(i) is R[(TOP + i) & 7]): an 80-bit value in the low 10
     * bytes; MMX register mmN is the low 8 bytes of RN. */
    uint8_t fpr[8][16];
};

struct x64_cpu {
    struct cpu c;                   /* c.pc is RIP */
    uint64_t r[16];                 /* enum x64_reg */
    uint64_t cc_op, cc_dst, cc_src1, cc_src2;   /* lazy arithmetic flags (above) */
    uint64_t eflags;                /* the non-arithmetic EFLAGS bits: DF, AC, ID, bit 1 */
    uint64_t fs_base, gs_base;
    /* XMM/YMM registers: [n][0..1] is xmmN (low quadword first), [n][2..3] the upper half
     * of ymmN. [X64_HELD] is no register: a VEX.256 FP form's first lane's result and flags,
     * held until the second lane has not trapped (sse.h's X64_SSE_HOLD). */
    uint64_t ymm[17][4];
    uint32_t mxcsr;
    uint32_t mxcsr_pad;
    struct x64_x87 x87;
};

#define X64_HELD 16
#define X64_R(n) (offsetof(struct x64_cpu, r) + 8 * (n))
#define X64_FIELD(name) offsetof(struct x64_cpu, name)
#define X64_YMM(n, q) (offsetof(struct x64_cpu, ymm) + 32 * (n) + 8 * (q))

/* MXCSR and x87 control word at reset (all exceptions masked, round to nearest). */
#define X64_MXCSR_RESET 0x1f80u
#define X64_FCW_RESET 0x037fu
/* The MXCSR bits vm implements: flags, masks, rounding, DAZ and FTZ (FXSAVE's MXCSR_MASK). */
#define X64_MXCSR_MASK 0xffffu

/* MMU index of user-mode accesses (IR_MO_MMU). */
#define X64_MMU_USER 0

/* The whole EFLAGS value, computed from the lazy fields; and setting it (the arithmetic bits
 * become an EFLAGS-kind state, the rest of X64_FLAGS_USER goes to eflags). flags.c. */
uint64_t x64_eflags(const struct x64_cpu *r);
void x64_set_eflags(struct x64_cpu *r, uint64_t value);
/* Only the arithmetic bits (X64_FLAGS_ARITH) of x64_eflags. */
uint64_t x64_arith_flags(const struct x64_cpu *r);

#endif
