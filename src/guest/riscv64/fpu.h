/* RISC-V F and D instructions that need exact IEEE behaviour (rounding modes, fflags,
 * canonical NaNs, NaN-boxing, saturating conversions) are helpers, one row each.
 *
 * Every helper has the IR helper signature
 *     uint64_t rvfp_<name>(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rm)
 * a, b, c: the f (or x, for int->fp conversions) register values as 64-bit patterns; single-
 *          precision inputs are NaN-boxed values and are unboxed by the helper (an improperly
 *          boxed input reads as the canonical NaN 0x7fc00000).
 * rm:      the instruction's rm field (0..4 static, 7 = dynamic: use cpu->frm; a dynamic frm of
 *          5..7 or an rm of 5/6 raises EXC_ILLEGAL via cpu_raise; the loop fills in the pc).
 * result:  single-precision results are NaN-boxed (upper 32 bits all ones); fp->int conversions
 *          return the x register value (32-bit results sign-extended to 64); compares/fclass
 *          return the integer result. Accrued exceptions are ORed into cpu->fflags.
 *
 * RVFP(name, n_args, uses_rm) */
#ifndef VM_GUEST_RISCV64_FPU_H
#define VM_GUEST_RISCV64_FPU_H

#include <stdint.h>

#include "ir/ir.h"

#define RVFP_OPS(X)                                                        \
    X(fadd_s, 2, 1) X(fsub_s, 2, 1) X(fmul_s, 2, 1) X(fdiv_s, 2, 1)        \
    X(fsqrt_s, 1, 1) X(fmin_s, 2, 0) X(fmax_s, 2, 0)                       \
    X(fmadd_s, 3, 1) X(fmsub_s, 3, 1) X(fnmsub_s, 3, 1) X(fnmadd_s, 3, 1)  \
    X(fsgnj_s, 2, 0) X(fsgnjn_s, 2, 0) X(fsgnjx_s, 2, 0)                   \
    X(feq_s, 2, 0) X(flt_s, 2, 0) X(fle_s, 2, 0) X(fclass_s, 1, 0)         \
    X(fcvt_w_s, 1, 1) X(fcvt_wu_s, 1, 1) X(fcvt_l_s, 1, 1) X(fcvt_lu_s, 1, 1) \
    X(fcvt_s_w, 1, 1) X(fcvt_s_wu, 1, 1) X(fcvt_s_l, 1, 1) X(fcvt_s_lu, 1, 1) \
    X(fadd_d, 2, 1) X(fsub_d, 2, 1) X(fmul_d, 2, 1) X(fdiv_d, 2, 1)        \
    X(fsqrt_d, 1, 1) X(fmin_d, 2, 0) X(fmax_d, 2, 0)                       \
    X(fmadd_d, 3, 1) X(fmsub_d, 3, 1) X(fnmsub_d, 3, 1) X(fnmadd_d, 3, 1)  \
    X(fsgnj_d, 2, 0) X(fsgnjn_d, 2, 0) X(fsgnjx_d, 2, 0)                   \
    X(feq_d, 2, 0) X(flt_d, 2, 0) X(fle_d, 2, 0) X(fclass_d, 1, 0)         \
    X(fcvt_w_d, 1, 1) X(fcvt_wu_d, 1, 1) X(fcvt_l_d, 1, 1) X(fcvt_lu_d, 1, 1) \
    X(fcvt_d_w, 1, 1) X(fcvt_d_wu, 1, 1) X(fcvt_d_l, 1, 1) X(fcvt_d_lu, 1, 1) \
    X(fcvt_s_d, 1, 1) X(fcvt_d_s, 1, 1)

#define RVFP_DECLARE(name, n, rm) \
    uint64_t rvfp_##name(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t rmf);
RVFP_OPS(RVFP_DECLARE)
#undef RVFP_DECLARE

/* One IR helper descriptor per row, indexed by enum rvfp_op. */
enum rvfp_op {
#define RVFP_ENUM(name, n, rm) RVFP_##name,
    RVFP_OPS(RVFP_ENUM)
#undef RVFP_ENUM
    RVFP_NOPS
};
extern const struct ir_helper rvfp_helpers[RVFP_NOPS];

#endif
