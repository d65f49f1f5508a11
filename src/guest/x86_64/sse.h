/* The SSE helpers the translator calls from IR (translate_sse.c) for what is not a plain move
 * or logic op: integer element ops, shifts, shuffles and packs (sse.c), FP arithmetic,
 * compares and conversions under MXCSR (sse_fp.c), and MXCSR/FXSAVE state (sse.c).
 *
 * Every vector helper takes one descriptor and the memory operand:
 *   a0 = X64_SSE_DESC(op, dst, src, mem, imm), a1/a2 = the low/high quadword loaded from memory
 *   (or a general register's value in a1) when mem is set.
 * It reads xmm dst as the first source, xmm src (or a1/a2) as the second, and writes xmm dst's
 * low 128 bits (legacy SSE keeps the upper YMM half). op is the row's arg, with the FP
 * element type in X64_SSE_TYPE bits for the FP helpers.
 * A VEX form adds X64_SSE_VEX(v, lane, zero_upper): the first source is register v (VEX.vvvv),
 * the operation works on the 128-bit lane it names of every register (a 256-bit form calls
 * the helper once per lane, with that lane's 16 bytes of memory), and a VEX.128 form zeroes
 * bits 255..128 of dst. */
#ifndef VM_GUEST_X86_64_SSE_H
#define VM_GUEST_X86_64_SSE_H

#include "ir/ir.h"

#define X64_SSE_DESC(op, dst, src, mem, imm)                                                 \
    ((uint64_t)(op) | (uint64_t)(dst) << 8 | (uint64_t)(src) << 12 | (uint64_t)(mem) << 16 | \
     (uint64_t)(imm) << 24)
#define X64_SSE_OP(d) ((unsigned)(d) & 0xff)
#define X64_SSE_DST(d) ((unsigned)((d) >> 8) & 15)
#define X64_SSE_SRC(d) ((unsigned)((d) >> 12) & 15)
#define X64_SSE_MEM(d) (((d) >> 16) & 1)
#define X64_SSE_IMM(d) ((unsigned)((d) >> 24) & 0xff)
#define X64_SSE_VEX(v, lane, zero_upper)                                                      \
    ((uint64_t)(v) << 17 | 1ull << 21 | (uint64_t)(lane) << 22 | (uint64_t)(zero_upper) << 23)
#define X64_SSE_IS_VEX(d) (((d) >> 21) & 1)
#define X64_SSE_V(d) ((unsigned)((d) >> 17) & 15)
#define X64_SSE_LANE(d) ((unsigned)((d) >> 22) & 1)
#define X64_SSE_ZERO_UPPER(d) (((d) >> 23) & 1)
/* A VEX.256 FP form calls its helper twice: the first call (X64_SSE_HOLD) keeps its result
 * and flags in ymm[X64_HELD] instead of writing them, the second (X64_SSE_TAKE) raises #XM
 * for the flags of both, else writes its own result and both flags, so that an exception
 * either lane unmasks writes nothing; the translator then moves the held result in. */
#define X64_SSE_HOLD (1ull << 32)
#define X64_SSE_TAKE (1ull << 33)

/* FP element shapes: the mandatory prefix of the SSE4 rows (none, 66, F3, F2), in op bits 6..7. */
enum x64_fp_shape { X64_PS, X64_PD, X64_SS, X64_SD };
#define X64_SSE_FPOP(op, shape) ((op) | (unsigned)(shape) << 6)

/* Integer families (sse.c): sse_int, sse_shift, sse_shuf by arg. */
extern const struct ir_helper x64_helper_sse_int, x64_helper_sse_shift, x64_helper_sse_shuf;
/* Returns the value of MOVMSKPS (op 0), MOVMSKPD (1) or PMOVMSKB (2) of xmm src (a1; plus 16
 * for the upper lane of ymm src). */
/* LDMXCSR of a1 (#GP for reserved bits); FXSAVE/FXRSTOR at a0 (a1: REX.W, the 64-bit form). */
extern const struct ir_helper x64_helper_ldmxcsr, x64_helper_fxsave, x64_helper_fxrstor;
/* XSAVE (a3 = 0), XRSTOR (1), XSAVEOPT (2), XSAVEC (3) at a0 with the requested-feature
 * bitmap EDX:EAX in a1 (a2: REX.W). */
extern const struct ir_helper x64_helper_xsave;

/* AVX2's forms that cross lanes or touch memory element by element (avx.c), by op in a0's
 * descriptor (X64_SSE_DESC with X64_SSE_VEX: dst = ModRM.reg, src = ModRM.rm, mem; v =
 * VEX.vvvv, lane = VEX.L), a1 the memory operand's address (for a gather: without the index):
 *   0 VPERMD/VPERMPS; 1, 2 VMASKMOV/VPMASKMOV loads of doublewords, quadwords; 3, 4 the
 *   stores; 5..8 the gathers with doubleword/quadword indexes (5, 6; 7, 8) of doublewords
 *   (5, 7) or quadwords (6, 8), a2 = the index register | scale << 4 | 67 prefix << 6;
 *   9 MASKMOVDQU and 10 MASKMOVQ: the bytes of xmm or mm dst whose byte in src has its sign
 *   set, to a1 (RDI). */
extern const struct ir_helper x64_helper_avx;

/* MMX (sse.c): the sse_int, sse_shift and sse_shuf element ops on mm registers (the low
 * quadword of the x87 registers R0..R7), one helper by kind in a3; the descriptor's registers
 * are mm numbers and a1 the loaded quadword. The x87 side of MMX use: TOP = 0, every tag valid
 * (x64_mmx_enter), and a written register's sign and exponent all ones; EMMS empties the tags. */
enum x64_mmx_kind {
    X64_MMX_INT, X64_MMX_SHIFT, X64_MMX_SHUF,
    /* inline in translate_mmx.c */
    X64_MMX_MOVD_TO, X64_MMX_MOVD_FROM, X64_MMX_MOVQ_TO, X64_MMX_MOVQ_FROM, X64_MMX_EMMS,
    X64_MMX_MOVMSK, X64_MMX_PEXTRW, X64_MMX_PINSRW, X64_MMX_MOVQ2DQ, X64_MMX_MOVDQ2Q,
    /* the SSE conversions with an mm operand, through x64_helper_sse_cvt (op: its number) */
    X64_MMX_CVT_FROM, X64_MMX_CVT_TO,
    /* MASKMOVQ, through x64_helper_avx */
    X64_MMX_MASKMOVQ,
};
#define X64_MMX_ARG(kind, op) ((kind) << 8 | (op))
extern const struct ir_helper x64_helper_mmx, x64_helper_mmx_enter, x64_helper_emms;

/* FP families (sse_fp.c): sse_arith (SQRT ADD MUL SUB MIN DIV MAX ADDSUB HADD HSUB RSQRT
 * RCP), sse_cmp's CMPccPS..SD (imm: the predicate). */
extern const struct ir_helper x64_helper_sse_arith, x64_helper_sse_cmpcc;
/* UCOMIS/COMIS of xmm dst and the source (op: 1..4 as in insns.def): the EFLAGS bits. */
extern const struct ir_helper x64_helper_sse_comi;
/* Conversions by sse_cvt's arg; those to a general register return its value (a3 = 1 for
 * 64 bits), those from one read it in a1 with a3 = 1 for 64 bits. The MMX forms: 16 CVTPS2PI,
 * 17 CVTTPS2PI, 18 CVTPD2PI, 19 CVTTPD2PI return the mm value; 20 CVTPI2PS (and 14 as
 * CVTPI2PD) read it as the memory operand. */
extern const struct ir_helper x64_helper_sse_cvt;
/* SSE4.1's ROUNDPS ROUNDPD ROUNDSS ROUNDSD DPPS DPPD by sse_fp4's arg (imm: the imm8). */
extern const struct ir_helper x64_helper_sse_fp4;

/* FMA's forms by the fma family's arg (sse_fp.c: helper_fma says how it is built). */
extern const struct ir_helper x64_helper_fma;
#define X64_FMA_ARG(kind, order, shape) ((kind) | (order) << 3 | (shape) << 6)

/* SSE4.2's PCMPESTRM PCMPESTRI PCMPISTRM PCMPISTRI by sse_str's arg (sse_str.c; a3: REX.W,
 * the 64-bit lengths in RAX and RDX): writes XMM0 or ECX and returns the EFLAGS bits. */
extern const struct ir_helper x64_helper_sse_str;
/* AESENC AESENCLAST AESDEC AESDECLAST AESIMC AESKEYGENASSIST PCLMULQDQ by sse_aes's arg
 * (sse_crypto.c). */
extern const struct ir_helper x64_helper_sse_aes;

#endif
