/* Advanced SIMD scalar forms (the "01 U 11110" and "01 U 11111" groups) and the vector forms
 * of the same operations, through inline asm: saturating add/sub/abs/neg and accumulates,
 * shifts by register and by immediate (rounding, saturating, narrowing), doubling multiplies
 * (also by element), saturating narrows, pairwise, copy, the FP estimates and steps (FRECPE,
 * FRSQRTE, FRECPS, FRSQRTS, FRECPX, FMULX, FCVTXN), and the vector-only halving subtracts,
 * absolute-difference accumulates, polynomial multiplies and rounding high-half narrows. Each
 * line shows the whole destination register (preset to all ones, so a scalar result must
 * clear the rest), FPSR.QC and FPSR's cumulative FP flags. */
#include <stdint.h>
#include <stdio.h>

typedef uint64_t v2 __attribute__((vector_size(16)));

static v2 V(uint64_t hi, uint64_t lo)
{
    return (v2){ lo, hi };
}

static const v2 ONES = { ~0ull, ~0ull };

static void show(const char *name, v2 r, uint64_t fpsr)
{
    printf("%-16s %016llx_%016llx qc=%u flags=%02x\n", name, (unsigned long long)r[1],
           (unsigned long long)r[0], (unsigned)(fpsr >> 27) & 1, (unsigned)fpsr & 0x9f);
}

static uint64_t fpcr_mode;

/* insn: %0 is the destination (preset to d: accumulating forms read it), %2 and %3 the
 * sources; %3 is in v0-v15 as the H forms by element need. FPCR is fpcr_mode during it. */
#define T(name, insn, d, a, b)                                                             \
    do {                                                                                   \
        v2 r_ = (d), a_ = (a), b_ = (b);                                                   \
        uint64_t f_;                                                                       \
        __asm__ volatile("msr fpcr, %4\n\tmsr fpsr, xzr\n\t" insn "\n\tmrs %1, fpsr\n\t"   \
                         "msr fpcr, xzr"                                                   \
                         : "+w"(r_), "=&r"(f_)                                             \
                         : "w"(a_), "x"(b_), "r"(fpcr_mode));                              \
        show(name, r_, f_);                                                                \
    } while (0)

#define Z V(0, 0)

/* FP bit patterns */
#define F1 0x3f800000u
#define F2 0x40000000u
#define F3 0x40400000u
#define FHALF 0x3f000000u
#define FINF 0x7f800000u
#define FDENORM 0x00000001u
#define FBIG 0x7f000000u
#define FSNAN 0x7fa00000u
#define D1 0x3ff0000000000000ull
#define D3 0x4008000000000000ull
#define DTHIRD 0x3fd5555555555555ull
#define DINF 0x7ff0000000000000ull
#define DTINY 0x0000000000000001ull
#define DBIG 0x7fe0000000000000ull

static void saturating_arithmetic(void)
{
    T("sqadd b sat", "sqadd %b0, %b2, %b3", ONES, V(0, 0x7f), V(0, 0x01));
    T("sqadd b", "sqadd %b0, %b2, %b3", ONES, V(0, 0x10), V(0, 0x20));
    T("sqadd h sat-", "sqadd %h0, %h2, %h3", ONES, V(0, 0x8000), V(0, 0xffff));
    T("sqadd s", "sqadd %s0, %s2, %s3", ONES, V(0, 0x12345678), V(0, 0x01010101));
    T("sqadd d sat", "sqadd %d0, %d2, %d3", ONES, V(0, 0x7fffffffffffff00), V(0, 0x100));
    T("uqadd b sat", "uqadd %b0, %b2, %b3", ONES, V(0, 0xf0), V(0, 0x20));
    T("uqadd h", "uqadd %h0, %h2, %h3", ONES, V(0, 0x1234), V(0, 0x1111));
    T("uqadd s sat", "uqadd %s0, %s2, %s3", ONES, V(0, 0xffffffff), V(0, 0x1));
    T("uqadd d sat", "uqadd %d0, %d2, %d3", ONES, V(0, ~0ull), V(0, ~0ull));
    T("sqsub b sat", "sqsub %b0, %b2, %b3", ONES, V(0, 0x80), V(0, 0x01));
    T("sqsub h", "sqsub %h0, %h2, %h3", ONES, V(0, 0x0100), V(0, 0x0200));
    T("sqsub s sat", "sqsub %s0, %s2, %s3", ONES, V(0, 0x7fffffff), V(0, 0xffffffff));
    T("sqsub d", "sqsub %d0, %d2, %d3", ONES, V(0, 5), V(0, 7));
    T("uqsub b sat", "uqsub %b0, %b2, %b3", ONES, V(0, 0x10), V(0, 0x20));
    T("uqsub h", "uqsub %h0, %h2, %h3", ONES, V(0, 0x2000), V(0, 0x1000));
    T("uqsub s sat", "uqsub %s0, %s2, %s3", ONES, V(0, 1), V(0, 2));
    T("uqsub d", "uqsub %d0, %d2, %d3", ONES, V(0, 9), V(0, 2));
    T("sqabs b sat", "sqabs %b0, %b2", ONES, V(0, 0x80), Z);
    T("sqabs h", "sqabs %h0, %h2", ONES, V(0, 0xfff0), Z);
    T("sqabs d sat", "sqabs %d0, %d2", ONES, V(0, 0x8000000000000000), Z);
    T("sqneg s sat", "sqneg %s0, %s2", ONES, V(0, 0x80000000), Z);
    T("sqneg h", "sqneg %h0, %h2", ONES, V(0, 0x0005), Z);
    T("suqadd b sat", "suqadd %b0, %b2", V(0, 0x70), V(0, 0x20), Z);
    T("suqadd d", "suqadd %d0, %d2", V(0, -5ull), V(0, 3), Z);
    T("usqadd h sat", "usqadd %h0, %h2", V(0, 0x0003), V(0, 0xfff0), Z);
    T("usqadd s", "usqadd %s0, %s2", V(0, 100), V(0, 0xfffffffe), Z);
    T("v sqadd 8h", "sqadd %0.8h, %2.8h, %3.8h", ONES, V(0x7fff000100020003, 0x8000fff0fff1fff2),
      V(0x0001000100010001, 0xffff800080008000));
    T("v sqabs 4s", "sqabs %0.4s, %2.4s", ONES, V(0x80000000ffffffff, 0x000000017fffffff), Z);
    T("v sqneg 16b", "sqneg %0.16b, %2.16b", ONES, V(0x8081ff007f017e02, 0x8000000000000080), Z);
    T("v suqadd 2d", "suqadd %0.2d, %2.2d", V(0x7fffffffffffff00, 1), V(0x1000, 2), Z);
    T("v usqadd 8b", "usqadd %0.8b, %2.8b", V(0, 0x01ff10f0), V(0, 0xff01f010), Z);
}

static void shifts(void)
{
    T("sqshl s sat", "sqshl %s0, %s2, %s3", ONES, V(0, 0x40000000), V(0, 1));
    T("sqshl b right", "sqshl %b0, %b2, %b3", ONES, V(0, 0x84), V(0, 0xfe));
    T("uqshl d sat", "uqshl %d0, %d2, %d3", ONES, V(0, 0x8000000000000000), V(0, 1));
    T("uqshl h", "uqshl %h0, %h2, %h3", ONES, V(0, 0x0123), V(0, 4));
    T("sqrshl h", "sqrshl %h0, %h2, %h3", ONES, V(0, 0x0017), V(0, 0xfffe));
    T("sqrshl d sat", "sqrshl %d0, %d2, %d3", ONES, V(0, 0xc000000000000000), V(0, 2));
    T("uqrshl b", "uqrshl %b0, %b2, %b3", ONES, V(0, 0xff), V(0, 0xff));
    T("uqrshl s sat", "uqrshl %s0, %s2, %s3", ONES, V(0, 0x80000001), V(0, 1));
    T("srshl d", "srshl %d0, %d2, %d3", ONES, V(0, -7ull), V(0, 0xff));
    T("srshl d -64", "srshl %d0, %d2, %d3", ONES, V(0, 0x8000000000000000), V(0, 0xc0));
    T("urshl d", "urshl %d0, %d2, %d3", ONES, V(0, 0xffffffffffffffff), V(0, 0xfc));
    T("urshl d left", "urshl %d0, %d2, %d3", ONES, V(0, 0x1234), V(0, 0x44));
    T("sqshl b #3", "sqshl %b0, %b2, #3", ONES, V(0, 0x11), Z);
    T("sqshl s #4", "sqshl %s0, %s2, #4", ONES, V(0, 0x01234567), Z);
    T("uqshl h #4", "uqshl %h0, %h2, #4", ONES, V(0, 0x1234), Z);
    T("uqshl d #1", "uqshl %d0, %d2, #1", ONES, V(0, 0x7fffffffffffffff), Z);
    T("sqshlu s #1 neg", "sqshlu %s0, %s2, #1", ONES, V(0, 0xfffffff0), Z);
    T("sqshlu b #1", "sqshlu %b0, %b2, #1", ONES, V(0, 0x7f), Z);
    T("srshr d #4", "srshr %d0, %d2, #4", ONES, V(0, -9ull), Z);
    T("urshr d #64", "urshr %d0, %d2, #64", ONES, V(0, 0x8000000000000000), Z);
    T("srsra d #3", "srsra %d0, %d2, #3", V(0, 100), V(0, 13), Z);
    T("ursra d #1", "ursra %d0, %d2, #1", V(0, ~0ull), V(0, 3), Z);
    T("sqshrn b", "sqshrn %b0, %h2, #4", ONES, V(0, 0x1234), Z);
    T("sqshrn h", "sqshrn %h0, %s2, #8", ONES, V(0, 0xff800000), Z);
    T("uqshrn s", "uqshrn %s0, %d2, #16", ONES, V(0, 0x0000123456789abc), Z);
    T("uqshrn b sat", "uqshrn %b0, %h2, #1", ONES, V(0, 0x0400), Z);
    T("sqrshrn s", "sqrshrn %s0, %d2, #32", ONES, V(0, 0x00000000ffffffff), Z);
    T("sqrshrn b sat", "sqrshrn %b0, %h2, #1", ONES, V(0, 0x7ff0), Z);
    T("uqrshrn h", "uqrshrn %h0, %s2, #3", ONES, V(0, 0x0007fffc), Z);
    T("sqshrun b neg", "sqshrun %b0, %h2, #2", ONES, V(0, 0x8000), Z);
    T("sqshrun h", "sqshrun %h0, %s2, #4", ONES, V(0, 0x00012345), Z);
    T("sqrshrun s", "sqrshrun %s0, %d2, #1", ONES, V(0, 0x00000001ffffffff), Z);
    T("v sqshl 4s", "sqshl %0.4s, %2.4s, %3.4s", ONES, V(0x4000000012345678, 0x80000000ffffffff),
      V(0x000000010000fffc, 0x0000000100000020));
    T("v urshl 16b", "urshl %0.16b, %2.16b, %3.16b", ONES, V(0xff7f01807f010203, 0x0f0e0d0c0b0a0908),
      V(0xfffefdfc01020304, 0xf9fafbfcfdfeff00));
    T("v sqrshl 2d", "sqrshl %0.2d, %2.2d, %3.2d", ONES, V(0x4000000000000000, -3ull), V(1, 0xff));
    T("v srsra 8h", "srsra %0.8h, %2.8h, #2", V(0x0001000200030004, 0x7ffe8000fffe0000),
      V(0x0003fffdfffe0002, 0x0006000600060006), Z);
    T("v sqshlu 8b", "sqshlu %0.8b, %2.8b, #2", ONES, V(0, 0x80ff01203fc01f7f), Z);
    T("v uqshl 2d #60", "uqshl %0.2d, %2.2d, #60", ONES, V(0x10, 0xf), Z);
    T("v sqrshrn2 8h", "sqrshrn2 %0.16b, %2.8h, #3", V(0, 0x1122334455667788),
      V(0x7fff80000403fffc, 0x0008000c03f00400), Z);
    T("v uqshrn 4h", "uqshrn %0.4h, %2.4s, #4", ONES, V(0x000fffff00100000, 0x0000001012345678), Z);
    T("v sqshrun 2s", "sqshrun %0.2s, %2.2d, #1", ONES, V(0xfffffffffffffff0, 0x0000000200000000), Z);
}

static void narrows_and_multiplies(void)
{
    T("sqxtn b", "sqxtn %b0, %h2", ONES, V(0, 0x0100), Z);
    T("sqxtn h", "sqxtn %h0, %s2", ONES, V(0, 0xffff8001), Z);
    T("sqxtn s", "sqxtn %s0, %d2", ONES, V(0, 0xffffffff7fffffff), Z);
    T("uqxtn b", "uqxtn %b0, %h2", ONES, V(0, 0x00ff), Z);
    T("uqxtn s sat", "uqxtn %s0, %d2", ONES, V(0, 0x100000000), Z);
    T("sqxtun h", "sqxtun %h0, %s2", ONES, V(0, 0xfffffffe), Z);
    T("sqxtun b", "sqxtun %b0, %h2", ONES, V(0, 0x00c8), Z);
    T("sqdmulh h", "sqdmulh %h0, %h2, %h3", ONES, V(0, 0x4000), V(0, 0x2000));
    T("sqdmulh s sat", "sqdmulh %s0, %s2, %s3", ONES, V(0, 0x80000000), V(0, 0x80000000));
    T("sqrdmulh h", "sqrdmulh %h0, %h2, %h3", ONES, V(0, 0x0003), V(0, 0x4000));
    T("sqrdmulh s", "sqrdmulh %s0, %s2, %s3", ONES, V(0, 0x12345678), V(0, 0x9abcdef0));
    T("sqdmulh h[3]", "sqdmulh %h0, %h2, %3.h[3]", ONES, V(0, 0x7fff), V(0, 0x8000000000000000));
    T("sqrdmulh s[1]", "sqrdmulh %s0, %s2, %3.s[1]", ONES, V(0, 0x40000000), V(0, 0x1234567800000000));
    T("sqdmull s", "sqdmull %s0, %h2, %h3", ONES, V(0, 0x8000), V(0, 0x8000));
    T("sqdmull d", "sqdmull %d0, %s2, %s3", ONES, V(0, 0x12345678), V(0, 0xfedcba98));
    T("sqdmlal s", "sqdmlal %s0, %h2, %h3", V(0, 0x7fff0000), V(0, 0x0100), V(0, 0x0100));
    T("sqdmlal d sat", "sqdmlal %d0, %s2, %s3", V(0, 0x7fffffffffffffff), V(0, 1), V(0, 1));
    T("sqdmlsl s", "sqdmlsl %s0, %h2, %h3", V(0, 0x10), V(0, 0x4), V(0, 0x3));
    T("sqdmlsl d sat", "sqdmlsl %d0, %s2, %s3", V(0, 0), V(0, 0x80000000), V(0, 0x80000000));
    T("sqdmull s[2]", "sqdmull %s0, %h2, %3.h[2]", ONES, V(0, 0x0123), V(0, 0x0000fedc00000000));
    T("sqdmlal d[3]", "sqdmlal %d0, %s2, %3.s[3]", V(0, 5), V(0, 0x40000000), V(0x7fffffff00000000, 0));
    T("sqdmlsl s[7]", "sqdmlsl %s0, %h2, %3.h[7]", V(0, 0x80000000), V(0, 0x0001), V(0x0001000000000000, 0));
    T("v sqdmulh 8h", "sqdmulh %0.8h, %2.8h, %3.8h", ONES, V(0x8000400012340001, 0x7fff7fff80008000),
      V(0x8000400056787fff, 0x7fff800080007fff));
    T("v sqrdmulh 2s[1]", "sqrdmulh %0.2s, %2.2s, %3.s[1]", ONES, V(0, 0x8000000012345678),
      V(0, 0x8000000000000000));
    T("v sqdmull2 4s", "sqdmull2 %0.4s, %2.8h, %3.8h", ONES, V(0x80007fff00010002, 0),
      V(0x8000800000030004, 0));
    T("v sqdmlal 2d", "sqdmlal %0.2d, %2.2s, %3.2s", V(0x7fffffffffffffff, 1),
      V(0, 0x7fffffff00000002), V(0, 0x7fffffff00000003));
    T("v smull 4s[1]", "smull %0.4s, %2.4h, %3.h[1]", ONES, V(0, 0xfffe0003ffff0002),
      V(0, 0x00000000fff90000));
    T("v umlal2 2d[0]", "umlal2 %0.2d, %2.4s, %3.s[0]", V(1, 2), V(0xffffffff00000002, 0),
      V(0, 0xffffffff));
}

static void pairwise_and_copy(void)
{
    T("addp d", "addp %d0, %2.2d", ONES, V(5, ~0ull), Z);
    T("faddp s", "faddp %s0, %2.2s", ONES, V(0, (uint64_t)F2 << 32 | F1), Z);
    T("fmaxnmp d", "fmaxnmp %d0, %2.2d", ONES, V(D3, DINF | 0x8000000000000000), Z);
    T("dup b", "mov %b0, %2.b[9]", ONES, V(0x0000000000001200, 0), Z);
    T("dup d", "mov %d0, %2.d[1]", ONES, V(0x1122334455667788, 0), Z);
    T("dup s", "mov %s0, %2.s[1]", ONES, V(0, 0xcafef00d00000000), Z);
}

static void fp_estimates(void)
{
    T("frecpe s 3", "frecpe %s0, %s2", ONES, V(0, F3), Z);
    T("frecpe s denorm", "frecpe %s0, %s2", ONES, V(0, FDENORM), Z);
    T("frecpe s inf", "frecpe %s0, %s2", ONES, V(0, FINF), Z);
    T("frecpe s 0", "frecpe %s0, %s2", ONES, V(0, 0x80000000), Z);
    T("frecpe s big", "frecpe %s0, %s2", ONES, V(0, FBIG), Z);
    T("frecpe s snan", "frecpe %s0, %s2", ONES, V(0, FSNAN), Z);
    T("frecpe d 1/3", "frecpe %d0, %d2", ONES, V(0, DTHIRD), Z);
    T("frecpe d tiny", "frecpe %d0, %d2", ONES, V(0, DTINY), Z);
    T("frecpe d big", "frecpe %d0, %d2", ONES, V(0, DBIG), Z);
    T("frsqrte s 2", "frsqrte %s0, %s2", ONES, V(0, F2), Z);
    T("frsqrte s 3", "frsqrte %s0, %s2", ONES, V(0, F3), Z);
    T("frsqrte s neg", "frsqrte %s0, %s2", ONES, V(0, 0xbf800000), Z);
    T("frsqrte s denorm", "frsqrte %s0, %s2", ONES, V(0, FDENORM), Z);
    T("frsqrte d 1/3", "frsqrte %d0, %d2", ONES, V(0, DTHIRD), Z);
    T("frsqrte d 0", "frsqrte %d0, %d2", ONES, V(0, 0), Z);
    T("frsqrte d inf", "frsqrte %d0, %d2", ONES, V(0, DINF), Z);
    T("frecps s", "frecps %s0, %s2, %s3", ONES, V(0, F3), V(0, FHALF));
    T("frecps s inf*0", "frecps %s0, %s2, %s3", ONES, V(0, FINF), V(0, 0x80000000));
    T("frecps d", "frecps %d0, %d2, %d3", ONES, V(0, D3), V(0, DTHIRD));
    T("frsqrts s", "frsqrts %s0, %s2, %s3", ONES, V(0, F3), V(0, F1));
    T("frsqrts s inf", "frsqrts %s0, %s2, %s3", ONES, V(0, FINF), V(0, F2));
    T("frsqrts d big", "frsqrts %d0, %d2, %d3", ONES, V(0, DBIG), V(0, 0xc000000000000000));
    T("frsqrts d", "frsqrts %d0, %d2, %d3", ONES, V(0, DTHIRD), V(0, D3));
    T("frecpx s", "frecpx %s0, %s2", ONES, V(0, F3), Z);
    T("frecpx s denorm", "frecpx %s0, %s2", ONES, V(0, 0x80000001), Z);
    T("frecpx d", "frecpx %d0, %d2", ONES, V(0, DTHIRD), Z);
    T("fmulx s inf*0", "fmulx %s0, %s2, %s3", ONES, V(0, 0xff800000), V(0, 0));
    T("fmulx d", "fmulx %d0, %d2, %d3", ONES, V(0, D3), V(0, DTHIRD));
    T("fmulx s[1]", "fmulx %s0, %s2, %3.s[1]", ONES, V(0, F3), V(0, (uint64_t)F2 << 32));
    T("fmls d[1]", "fmls %d0, %d2, %3.d[1]", V(0, D1), V(0, D3), V(DTHIRD, 0));
    T("fcvtxn 1/3", "fcvtxn %s0, %d2", ONES, V(0, DTHIRD), Z);
    T("fcvtxn 1", "fcvtxn %s0, %d2", ONES, V(0, D1), Z);
    T("fcvtxn big", "fcvtxn %s0, %d2", ONES, V(0, DBIG), Z);
    T("fcvtxn tiny", "fcvtxn %s0, %d2", ONES, V(0, 0x3690000000000001), Z);
    T("fcvtns s", "fcvtns %s0, %s2", ONES, V(0, 0x40200000), Z);
    T("fcvtau d", "fcvtau %d0, %d2", ONES, V(0, 0x4004000000000000), Z);
    T("fcmgt s #0", "fcmgt %s0, %s2, #0.0", ONES, V(0, F1), Z);
    T("fcmle d #0", "fcmle %d0, %d2, #0.0", ONES, V(0, D1), Z);
    T("v frecpe 4s", "frecpe %0.4s, %2.4s", ONES, V((uint64_t)F3 << 32 | FHALF, (uint64_t)FINF << 32 | F1), Z);
    T("v frsqrte 2d", "frsqrte %0.2d, %2.2d", ONES, V(DTHIRD, D3), Z);
    T("v frecps 2s", "frecps %0.2s, %2.2s, %3.2s", ONES, V(0, (uint64_t)F3 << 32 | F2),
      V(0, (uint64_t)FHALF << 32 | F1));
    T("v fmulx 2d", "fmulx %0.2d, %2.2d, %3.2d", ONES, V(DINF, D3), V(0, D3));
    T("v urecpe 4s", "urecpe %0.4s, %2.4s", ONES, V(0x7fffffff80000000, 0xc0000000ffffffff), Z);
    T("v ursqrte 2s", "ursqrte %0.2s, %2.2s", ONES, V(0, 0x3fffffff40000000), Z);
    T("v fcvtxn2", "fcvtxn2 %0.4s, %2.2d", V(0, 0x1122334455667788), V(DTHIRD, DBIG), Z);
    fpcr_mode = 1u << 24; /* FZ */
    T("fz frecpe s big", "frecpe %s0, %s2", ONES, V(0, FBIG), Z);
    T("fz frecpe d den", "frecpe %d0, %d2", ONES, V(0, DTINY), Z);
    T("fz frsqrts s", "frsqrts %s0, %s2, %s3", ONES, V(0, FDENORM), V(0, FINF));
    fpcr_mode = 3u << 22; /* round toward zero */
    T("rz frecpe s den", "frecpe %s0, %s2", ONES, V(0, FDENORM), Z);
    T("rz frecps s", "frecps %s0, %s2, %s3", ONES, V(0, 0x3f800001), V(0, 0x3f800001));
    fpcr_mode = 1u << 25; /* DN */
    T("dn frecpe s nan", "frecpe %s0, %s2", ONES, V(0, 0xffc00001), Z);
    fpcr_mode = 0;
}

/* vector-only operations vm lacked along with the scalar forms */
static void vector_rest(void)
{
    T("v shsub 16b", "shsub %0.16b, %2.16b, %3.16b", ONES, V(0x807f00ff01020304, 0x7f80ff0010203040),
      V(0x7f80ff0001010101, 0x807f00ff40302010));
    T("v uhsub 4s", "uhsub %0.4s, %2.4s, %3.4s", ONES, V(0x00000000ffffffff, 0x0000000512345678),
      V(0xffffffff00000000, 0x0000000711111111));
    T("v saba 8h", "saba %0.8h, %2.8h, %3.8h", V(0x0001000100010001, 0x7fff000000000000),
      V(0x80007fff00050000, 0x0001000000000000), V(0x7fff8000fffb0003, 0x0000000000000000));
    T("v uaba 2s", "uaba %0.2s, %2.2s, %3.2s", V(0, 0xffffffff00000010), V(0, 0x0000000100000003),
      V(0, 0x0000000300000009));
    T("v pmul 16b", "pmul %0.16b, %2.16b, %3.16b", ONES, V(0xff80402010080402, 0x0103070f1f3f7fff),
      V(0xff02020202020202, 0x0103050709112131));
    T("v pmull 8h", "pmull %0.8h, %2.8b, %3.8b", ONES, V(0, 0xff80402010080403), V(0, 0xff02020202020207));
    T("v pmull2 8h", "pmull2 %0.8h, %2.16b, %3.16b", ONES, V(0x1122334455667788, 0),
      V(0x8877665544332211, 0));
    T("v raddhn 4h", "raddhn %0.4h, %2.4s, %3.4s", ONES, V(0x00008000ffff7fff, 0x0001800000000001),
      V(0x0000000000000001, 0x0000000000007fff));
    T("v rsubhn2 16b", "rsubhn2 %0.16b, %2.8h, %3.8h", V(0, 0x0123456789abcdef),
      V(0x0080008100000100, 0x7f80ff7f01000000), V(0x0000000000010000, 0x0000007f00800001));
}

int main(void)
{
    saturating_arithmetic();
    shifts();
    narrows_and_multiplies();
    pairwise_and_copy();
    fp_estimates();
    vector_rest();
    return 0;
}
