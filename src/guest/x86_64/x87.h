/* The x87 helper the translator calls from IR (translate_x87.c), one call per instruction:
 *   a0 = the descriptor: the row's arg (X87_ARG: what to do, a sub-operation and the memory
 *        format) with ST(i) from ModRM.rm and X87_D_OPSZ16 for a 66-prefixed environment form;
 *   a1 = the memory operand's address; a2 = FCMOVcc's condition (0 or 1).
 * It returns FNSTSW's status word and FCOMI's EFLAGS bits (ZF PF CF), else 0. x87.c holds
 * the register stack and the instructions, float80.c the arithmetic. */
#ifndef VM_GUEST_X86_64_X87_H
#define VM_GUEST_X86_64_X87_H

#include "ir/ir.h"

/* What an x87 row does. ARITH's sub-operation is the ModRM.reg of D8's memory forms: ADD MUL
 * COM COMP SUB SUBR DIV DIVR, with dest = dest op src (SUBR: src - dest). */
enum x87_op {
    X87_ARITH,     /* ST(0) = ST(0) op ST(i) */
    X87_ARITH_R,   /* ST(i) = ST(i) op ST(0) */
    X87_ARITH_RP,  /* the same, then pop */
    X87_ARITH_M,   /* ST(0) = ST(0) op memory */
    X87_COMPP,     /* FCOMPP */
    X87_UCOM,      /* FUCOM ST(i) popping sub times (FUCOMPP: ST(1), twice) */
    X87_COMI,      /* FCOMI, FUCOMI (sub bit 0), popping (bit 1) */
    X87_LD_M, X87_LD_ST, X87_ST_M, X87_ST_ST, /* sub: pop */
    X87_IST_M,     /* sub: 0 FIST, 1 FISTP, 2 FISTTP; FBSTP: FISTP to X87_BCD */
    X87_CONST,     /* sub: 1, L2T, L2E, PI, LG2, LN2, 0 */
    X87_XCH, X87_CHS, X87_ABS, X87_TST, X87_XAM, X87_SQRT, X87_RNDINT, X87_SCALE,
    X87_XTRACT, X87_PREM, X87_PREM1, X87_F2XM1, X87_YL2X, X87_YL2XP1, X87_PTAN, X87_PATAN,
    X87_SIN, X87_COS, X87_SINCOS, X87_DECSTP, X87_INCSTP, X87_FREE, X87_NOP,
    X87_CMOV,      /* sub: the condition code (the translator evaluates it) */
    X87_STSW,      /* sub: 0 memory, 1 AX */
    X87_STCW, X87_LDCW, X87_STENV, X87_LDENV, X87_SAVE, X87_RSTOR, X87_INIT, X87_CLEX,
};

/* Memory operand formats; BCD is FBLD's and FBSTP's packed decimal: 18 digits, two a byte
 * from the lowest, and the sign in bit 7 of the tenth byte. */
enum x87_fmt { X87_F32, X87_F64, X87_F80, X87_I16, X87_I32, X87_I64, X87_BCD };

#define X87_ARG(op, sub, fmt) ((op) | (sub) << 12 | (fmt) << 16)
#define X87_OP(d) ((unsigned)(d) & 0xff)
#define X87_STI(d) ((unsigned)((d) >> 8) & 7)
#define X87_SUB(d) ((unsigned)((d) >> 12) & 15)
#define X87_FMT(d) ((unsigned)((d) >> 16) & 7)
#define X87_D_OPSZ16 (1u << 20)

extern const struct ir_helper x64_helper_x87;

#endif
