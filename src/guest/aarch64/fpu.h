/* AArch64 scalar floating point with the exact semantics of FPCR and FPSR: rounding mode
 * (RMode), flush-to-zero (FZ), default NaN (DN), ARM's NaN propagation order and cumulative
 * exception flags. The scalar translator calls these through the IR helpers below; the NEON
 * helpers (simd.c) call the plain functions per lane.
 *
 * Sizes are log2 of the byte width: 1 = half, 2 = single, 3 = double. Values are raw bit
 * patterns in the low bits of a uint64_t. */
#ifndef VM_GUEST_AARCH64_FPU_H
#define VM_GUEST_AARCH64_FPU_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/ir.h"

struct a64_cpu;

/* Rounding modes, numbered as FPCR.RMode, plus ties-away (FCVTA*, FRINTA) and "use FPCR". */
enum a64_round { A64_RN, A64_RP, A64_RM, A64_RZ, A64_RA, A64_RFPCR };

enum a64_fp_op {
    A64_FADD, A64_FSUB, A64_FMUL, A64_FDIV, A64_FSQRT, A64_FMAX, A64_FMIN, A64_FMAXNM,
    A64_FMINNM, A64_FMULADD, /* c + a * b, fused */
    A64_FABD,   /* |a - b| */
    A64_FMULX,  /* a * b, but infinity * zero is 2 */
    A64_FRECPS, /* 2 - a * b, fused; infinity * zero gives 2 */
    A64_FRSQRTS, /* (3 - a * b) / 2, fused; infinity * zero gives 1.5 */
};

uint64_t a64_fp_arith(struct a64_cpu *cpu, enum a64_fp_op op, unsigned size, uint64_t a,
                      uint64_t b, uint64_t c);
/* NZCV (as bits 3:0) of comparing a with b; signaling (FCMPE) raises IOC on any NaN. */
unsigned a64_fp_compare(struct a64_cpu *cpu, unsigned size, uint64_t a, uint64_t b, bool signaling);
/* FCMEQ/FCMGE/FCMGT (cond = IR_EQ, IR_GE, IR_GT): true or false. */
bool a64_fp_compare_cond(struct a64_cpu *cpu, unsigned size, uint64_t a, uint64_t b,
                         enum ir_cond cond);
/* fp -> int of int_bits (32 or 64) with fbits fraction bits; saturating, NaN -> 0. */
uint64_t a64_fp_to_int(struct a64_cpu *cpu, unsigned size, uint64_t a, enum a64_round rm,
                       bool is_signed, unsigned int_bits, unsigned fbits);
uint64_t a64_fp_from_int(struct a64_cpu *cpu, unsigned size, uint64_t v, bool is_signed,
                         unsigned int_bits, unsigned fbits);
uint64_t a64_fp_convert(struct a64_cpu *cpu, unsigned to_size, unsigned from_size, uint64_t a);
/* FRINT*: round to an integral value; exact (FRINTX) raises IXC when the value changes. */
uint64_t a64_fp_round_int(struct a64_cpu *cpu, unsigned size, uint64_t a, enum a64_round rm,
                          bool exact);

/* FRECPE, FRSQRTE (Arm's 8-bit estimate tables) and FRECPX (the exponent inverted). */
uint64_t a64_fp_recip_estimate(struct a64_cpu *cpu, unsigned size, uint64_t a);
uint64_t a64_fp_rsqrt_estimate(struct a64_cpu *cpu, unsigned size, uint64_t a);
uint64_t a64_fp_recip_exponent(struct a64_cpu *cpu, unsigned size, uint64_t a);
/* URECPE and URSQRTE of a 32-bit fixed-point value (0.32). */
uint32_t a64_unsigned_recip_estimate(uint32_t a);
uint32_t a64_unsigned_rsqrt_estimate(uint32_t a);
/* FCVTXN: double to single, rounding to odd. */
uint64_t a64_fp_convert_odd(struct a64_cpu *cpu, uint64_t a);

/* IR helpers for the scalar instructions: uint64_t fn(cpu, a, b, c, desc) with
 * desc = size | op << 4 (arith), size | rm << 4 | signed << 8 | int_bits << 9 | fbits << 16
 * (conversions), to_size | from_size << 4 (fcvt), size | rm << 4 | exact << 8 (frint),
 * size | signaling << 4 (fcmp: returns NZCV). */
#define A64FP_HELPERS(X) X(arith) X(compare) X(to_int) X(from_int) X(convert) X(round_int)
enum a64fp_helper {
#define A64FP_ENUM(name) A64FP_##name,
    A64FP_HELPERS(A64FP_ENUM)
#undef A64FP_ENUM
    A64FP_NHELPERS
};
extern const struct ir_helper a64fp_helpers[A64FP_NHELPERS];

#endif
