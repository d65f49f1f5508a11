/* Advanced SIMD helpers: element loops over the V registers in the guest state, called from
 * translate_simd.c for everything that is not a plain 64-bit bit operation. Each helper gets
 * the instruction word (it decodes its own register and size fields) and the insns_simd.def
 * row's operation. FP lanes go through fpu.h, so FPCR and FPSR apply exactly as for scalars. */
#ifndef VM_GUEST_AARCH64_SIMD_H
#define VM_GUEST_AARCH64_SIMD_H

#include "ir/ir.h"

#define SIMD_OPS(X)                                                                        \
    /* logical (inline in IR) */                                                           \
    X(AND) X(BIC) X(ORR) X(ORN) X(EOR) X(BSL) X(BIT) X(BIF)                                \
    /* three same, integer */                                                              \
    X(SHADD) X(UHADD) X(SQADD) X(UQADD) X(SRHADD) X(URHADD) X(SQSUB) X(UQSUB) X(CMGT)      \
    X(CMHI) X(CMGE) X(CMHS) X(SSHL) X(USHL) X(SMAX) X(UMAX) X(SMIN) X(UMIN) X(SABD)        \
    X(UABD) X(ADD) X(SUB) X(CMTST) X(CMEQ) X(MLA) X(MLS) X(MUL) X(SMAXP) X(UMAXP)          \
    X(SMINP) X(UMINP) X(ADDP) X(SQSHL) X(UQSHL) X(SRSHL) X(URSHL) X(SQRSHL) X(UQRSHL)      \
    X(SQDMULH) X(SQRDMULH) X(SABA) X(UABA) X(PMUL) X(SHSUB) X(UHSUB)                       \
    /* three same, FP */                                                                   \
    X(FMAXNM) X(FMINNM) X(FMLA) X(FMLS) X(FADD) X(FSUB) X(FCMEQ) X(FMAX) X(FMIN)           \
    X(FMAXNMP) X(FMINNMP) X(FADDP) X(FABD) X(FMUL) X(FCMGE) X(FCMGT) X(FACGE) X(FACGT)     \
    X(FMAXP) X(FMINP) X(FMULX) X(FRECPS) X(FRSQRTS) X(FDIV)                                \
    /* two-register miscellaneous */                                                       \
    X(REV64) X(REV32) X(REV16) X(SADDLP) X(UADDLP) X(CLS) X(CLZ) X(CNT) X(NOT) X(RBIT)     \
    X(SADALP) X(UADALP) X(CMGT0) X(CMGE0) X(CMEQ0) X(CMLE0) X(CMLT0) X(ABS) X(NEG)         \
    X(SQABS) X(SQNEG) X(SUQADD) X(USQADD) X(URECPE) X(URSQRTE) X(XTN)                      \
    X(SQXTUN) X(SQXTN) X(UQXTN) X(SHLL) X(FCVTN) X(FCVTXN) X(FCVTL)                        \
    /* two-register miscellaneous, FP lanes (from FRINTN on) */                            \
    X(FRINTN) X(FRINTM) X(FCVTNS) X(FCVTMS)                                                \
    X(FCVTAS) X(SCVTF) X(FCMGT0) X(FCMEQ0) X(FCMLT0) X(FABS) X(FRINTP) X(FRINTZ) X(FCVTPS) \
    X(FCVTZS) X(FRINTA) X(FRINTX) X(FCVTNU) X(FCVTMU) X(FCVTAU) X(UCVTF) X(FCMGE0)         \
    X(FCMLE0) X(FNEG) X(FRINTI) X(FCVTPU) X(FCVTZU) X(FSQRT) X(FRECPE) X(FRSQRTE)          \
    X(FRECPX)                                                                              \
    /* across lanes */                                                                     \
    X(SADDLV) X(UADDLV) X(SMAXV) X(UMAXV) X(SMINV) X(UMINV) X(ADDV) X(FMAXNMV) X(FMINNMV)  \
    X(FMAXV) X(FMINV) X(FADDV)                                                             \
    /* permutes */                                                                         \
    X(UZP1) X(TRN1) X(ZIP1) X(UZP2) X(TRN2) X(ZIP2) X(EXT)                                 \
    /* shifts by immediate */                                                              \
    X(SSHR) X(USHR) X(SSRA) X(USRA) X(SRSHR) X(URSHR) X(SRI) X(SHL) X(SLI) X(SHRN)         \
    X(RSHRN) X(SSHLL) X(USHLL) X(SRSRA) X(URSRA) X(SQSHLU) X(SQSHL_IMM) X(UQSHL_IMM)       \
    X(SQSHRN) X(UQSHRN) X(SQRSHRN) X(UQRSHRN) X(SQSHRUN) X(SQRSHRUN)                       \
    /* shifts by immediate, FP conversions (from SCVTF_FIXED on) */                        \
    X(SCVTF_FIXED) X(UCVTF_FIXED) X(FCVTZS_FIXED) X(FCVTZU_FIXED)                          \
    /* three different */                                                                  \
    X(SADDL) X(UADDL) X(SADDW) X(UADDW) X(SSUBL) X(USUBL) X(SSUBW) X(USUBW) X(ADDHN)       \
    X(SABAL) X(UABAL) X(SUBHN) X(SABDL) X(UABDL) X(SMLAL) X(UMLAL) X(SMLSL) X(UMLSL)       \
    X(SMULL) X(UMULL) X(SQDMLAL) X(SQDMLSL) X(SQDMULL) X(RADDHN) X(RSUBHN) X(PMULL)

enum a64_simd_op {
#define SIMD_ENUM(name) SIMD_##name,
    SIMD_OPS(SIMD_ENUM)
#undef SIMD_ENUM
    SIMD_NOPS
};

/* uint64_t fn(cpu, word, op, a2, a3): a2 is the address for ldst and the value for nothing
 * else; every helper reads and writes V registers and FPSR. */
#define SIMD_HELPERS(X) X(3same) X(2misc) X(across) X(permute) X(tbl) X(shift) X(3diff) \
    X(elem) X(ldst)
enum a64_simd_helper {
#define SIMD_HENUM(name) SIMDH_##name,
    SIMD_HELPERS(SIMD_HENUM)
#undef SIMD_HENUM
    SIMDH_NHELPERS
};
extern const struct ir_helper a64_simd_helpers[SIMDH_NHELPERS];

#endif
