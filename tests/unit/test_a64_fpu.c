/* Unit tests of the AArch64 FP helpers (src/guest/aarch64/fpu.c) called directly on a guest
 * state: FPCR rounding modes, FZ and DN, ARM's NaN propagation order, FPSR flags, saturating
 * conversions and round-to-integral. Expected values are worked out from the Arm ARM
 * pseudocode (FPProcessNaNs, FPRound, FPToFixed). */
#include <string.h>

#include "check.h"
#include "guest/aarch64/cpu.h"
#include "guest/aarch64/fpu.h"

static struct a64_cpu cpu;

static void reset(uint64_t fpcr)
{
    memset(&cpu, 0, sizeof(cpu));
    cpu.fpcr = fpcr;
}

#define S 2
#define D 3
#define RMODE(m) ((uint64_t)(m) << FPCR_RMODE_SHIFT)
#define ONE_D 0x3ff0000000000000ull
#define THREE_D 0x4008000000000000ull

static void test_rounding(void)
{
    check_group("a64_fpu_rounding");
    reset(RMODE(A64_RN));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FDIV, D, ONE_D, THREE_D, 0), 0x3fd5555555555555ull);
    CHECK_EQ(cpu.fpsr, FPSR_IXC);
    reset(RMODE(A64_RP));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FDIV, D, ONE_D, THREE_D, 0), 0x3fd5555555555556ull);
    reset(RMODE(A64_RM));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FDIV, D, ONE_D | 1ull << 63, THREE_D, 0), 0xbfd5555555555556ull);
    reset(RMODE(A64_RZ));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMUL, S, 0x7f7fffff, 0x40000000, 0), 0x7f7fffff); /* max */
    CHECK_EQ(cpu.fpsr, FPSR_OFC | FPSR_IXC);
    reset(RMODE(A64_RN));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMUL, S, 0x7f7fffff, 0x40000000, 0), 0x7f800000);
    /* exact x - x is +0, except -0 when rounding toward minus infinity */
    reset(RMODE(A64_RM));
    CHECK_EQ(a64_fp_arith(&cpu, A64_FSUB, D, ONE_D, ONE_D, 0), 1ull << 63);
}

static void test_nans(void)
{
    check_group("a64_fpu_nans");
    reset(0);
    /* a signaling NaN wins over an earlier quiet one, and is quieted */
    CHECK_EQ(a64_fp_arith(&cpu, A64_FADD, S, 0x7fc00001, 0x7f800002, 0), 0x7fc00002);
    CHECK_EQ(cpu.fpsr, FPSR_IOC);
    reset(0);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FADD, S, 0xffc00001, 0x7fc00002, 0), 0xffc00001);
    CHECK_EQ(cpu.fpsr, 0);
    /* fused: the addend comes first; inf * 0 + qNaN is the default NaN and invalid */
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMULADD, S, 0x7fc00001, 0x3f800000, 0x7fc00003), 0x7fc00003);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMULADD, S, 0x7f800000, 0, 0x7fc00003), 0x7fc00000);
    CHECK_EQ(cpu.fpsr, FPSR_IOC);
    /* invalid operations give the positive default NaN (x86 hosts would give it negative) */
    reset(0);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FSUB, D, 0x7ff0000000000000ull, 0x7ff0000000000000ull, 0),
             0x7ff8000000000000ull);
    reset(FPCR_DN);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FADD, S, 0xffc12345, 0x3f800000, 0), 0x7fc00000);
    /* FMAXNM ignores one quiet NaN, but not a signaling one */
    reset(0);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMAXNM, S, 0x7fc00000, 0xbf800000, 0), 0xbf800000);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMINNM, S, 0x3f800000, 0x7f800001, 0), 0x7fc00001);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMAX, S, 0x80000000, 0, 0), 0);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMIN, S, 0, 0x80000000, 0), 0x80000000);
}

static void test_flush(void)
{
    check_group("a64_fpu_flush_to_zero");
    reset(FPCR_FZ);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FADD, S, 0x00000001, 0, 0), 0); /* input flushed */
    CHECK_EQ(cpu.fpsr, FPSR_IDC);
    reset(FPCR_FZ);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMUL, S, 0x00800000, 0x3f000000, 0), 0); /* output flushed */
    CHECK_EQ(cpu.fpsr, FPSR_UFC);
    reset(0);
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMUL, S, 0x00800000, 0x3f000000, 0), 0x00400000);
    CHECK_EQ(cpu.fpsr, 0); /* exact subnormal: no underflow */
    reset(0);
    /* tiny before rounding, rounded up to the smallest normal: Arm raises underflow */
    CHECK_EQ(a64_fp_arith(&cpu, A64_FMUL, S, 0x00ffffff, 0x3f000000, 0), 0x00800000);
    CHECK_EQ(cpu.fpsr, FPSR_UFC | FPSR_IXC);
}

static void test_conversions(void)
{
    check_group("a64_fpu_conversions");
    reset(0);
    CHECK_EQ(a64_fp_to_int(&cpu, D, 0x41f0000000000000ull, A64_RZ, true, 32, 0), 0x7fffffff);
    CHECK_EQ(cpu.fpsr, FPSR_IOC);
    reset(0);
    CHECK_EQ(a64_fp_to_int(&cpu, D, 0x7ff8000000000000ull, A64_RZ, true, 64, 0), 0); /* NaN */
    CHECK_EQ(a64_fp_to_int(&cpu, D, 0xbff8000000000000ull, A64_RZ, false, 64, 0), 0); /* -1.5 */
    CHECK_EQ(a64_fp_to_int(&cpu, D, 0xc004000000000000ull, A64_RA, true, 64, 0), (uint64_t)-3);
    CHECK_EQ(a64_fp_to_int(&cpu, D, 0xc004000000000000ull, A64_RN, true, 64, 0), (uint64_t)-2);
    CHECK_EQ(a64_fp_to_int(&cpu, S, 0x3fc00000, A64_RZ, true, 32, 4), 24); /* 1.5 * 16 */
    reset(RMODE(A64_RZ));
    CHECK_EQ(a64_fp_from_int(&cpu, S, 0x1000001, true, 32, 0), 0x4b800000);
    CHECK_EQ(a64_fp_from_int(&cpu, D, 0xffffffff, true, 32, 0), 0xbff0000000000000ull);
    CHECK_EQ(a64_fp_from_int(&cpu, D, 3, false, 64, 1), 0x3ff8000000000000ull);
    reset(0);
    CHECK_EQ(a64_fp_convert(&cpu, S, D, 0x7ff4000000000123ull), 0x7fe00000); /* quieted, top payload */
    CHECK_EQ(cpu.fpsr, FPSR_IOC);
    CHECK_EQ(a64_fp_convert(&cpu, 1, S, 0x3f800000), 0x3c00); /* 1.0 to half */
    CHECK_EQ(a64_fp_convert(&cpu, D, 1, 0x7bff), 0x40effc0000000000ull); /* 65504 */
    reset(0);
    CHECK_EQ(a64_fp_round_int(&cpu, D, 0x4004000000000000ull, A64_RN, true), 0x4000000000000000ull);
    CHECK_EQ(cpu.fpsr, FPSR_IXC);
    CHECK_EQ(a64_fp_round_int(&cpu, D, 0xbfe0000000000000ull, A64_RA, false), 0xbff0000000000000ull);
    CHECK_EQ(a64_fp_round_int(&cpu, D, 0xbfd0000000000000ull, A64_RP, false), 1ull << 63);
    CHECK_EQ(a64_fp_compare(&cpu, D, ONE_D, THREE_D, false), 0x8);
    CHECK_EQ(a64_fp_compare(&cpu, D, 0, 1ull << 63, false), 0x6);
    reset(0);
    CHECK_EQ(a64_fp_compare(&cpu, D, 0x7ff8000000000000ull, 0, false), 0x3);
    CHECK_EQ(cpu.fpsr, 0);
    CHECK_EQ(a64_fp_compare(&cpu, D, 0x7ff8000000000000ull, 0, true), 0x3);
    CHECK_EQ(cpu.fpsr, FPSR_IOC);
}

int main(void)
{
    test_rounding();
    test_nans();
    test_flush();
    test_conversions();
    return check_done();
}
