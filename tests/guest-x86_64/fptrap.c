/* Floating-point exceptions the program unmasks trap as Linux reports them: SIGFPE with the
 * si_code of the exception (FPE_FLTINV, FPE_FLTDIV, FPE_FLTOVF, FPE_FLTUND, FPE_FLTRES), the
 * pc as si_addr and in the frame, trapno 16 (#MF) or 19 (#XM). An x87 one traps at the next
 * waiting x87 instruction (FWAIT is one), with the exception pending in the frame's status
 * word (ES and B); an SSE one at the instruction, which has not written its result, with the
 * flags in the frame's MXCSR (a VEX.256 one having written neither lane when one of them
 * traps: the frame's xmm0 shows). The handler masks every exception and clears the flags in the
 * frame, so the instruction runs again when it returns, and what it computes then is printed:
 * for an x87 overflow or underflow into a register, the unmasked response's value, scaled
 * by 2^-24576 or 2^24576 (or the masked one where that is still out of range). MMX
 * instructions take a pending x87 exception as the waiting x87 ones do. The native run is
 * the oracle. */
#include "trapframe.h"

#include <stdio.h>

static volatile int traps;
static volatile unsigned swd, mxcsr;
static volatile uint64_t xmm0[2];

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    trapframe_keep(sig, si, uc);
    swd = uc->uc_mcontext.fpregs->swd;
    mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    memcpy((void *)xmm0, &uc->uc_mcontext.fpregs->_xmm[0], sizeof(xmm0));
    uc->uc_mcontext.fpregs->cwd |= 0x3f;
    uc->uc_mcontext.fpregs->swd &= ~0x80ffu;
    uc->uc_mcontext.fpregs->mxcsr = (uc->uc_mcontext.fpregs->mxcsr | 0x1f80) & ~0x3fu;
    traps++;
}

/* what the asm reads, kept by name */
#define USED __attribute__((used))
USED static const double zero = 0, one = 1, three = 3, minus_one = -1, big = 1e300,
                    tiny = 1e-300, denormal = 4.9e-324, qnan = __builtin_nan("");
USED static const long double ld_big = 1e4000L, ld_tiny = 1e-4000L, ld_max = 0x1.fffffffep16383L,
                                 ld_exact = 0x1p-16000L, ld_exact2 = 0x1p-383L, ld_den = 0x1p-16400L,
                                 ld_scale = 20000, ld_scale_far = 60000, ld_minus_scale = -20000,
                                 ld_d_tiny = 0x1p-1070L;
USED static struct { uint64_t m; uint16_t se; } __attribute__((packed)) ext;
USED static const float f_one = 1, f_zero = 0;
/* VEX.256 operands whose upper lane alone raises: its zero, -1, the too large 1e300 */
USED static const double lanes_a[4] = { 3, 5, 7, 9 }, lanes_zero[4] = { 2, 4, 0, 8 },
                         lanes_neg[4] = { 4, 9, -1, 16 }, lanes_big[4] = { 1.5, 2.5, 1e300, 4 },
                         lanes_inf[4] = { 1, 1, __builtin_inf(), 1 };
USED static const uint16_t unmask_ze = 0x37b;
USED static double out;
USED static int64_t iout;
USED static volatile uint16_t cw;
USED static volatile uint32_t csr;

/* Runs BODY with the x87 control word CW (or MXCSR CSR), its trapping instruction at label 1,
 * then puts the default x87 and SSE state back; reports the trap, and SHOW: 1 out, 2 iout. */
#define TRAP(what, body, show)                                                                 \
    do {                                                                                       \
        uint64_t at;                                                                           \
        int before = traps;                                                                    \
        signo = code = 0;                                                                      \
        rip = trapno = 0;                                                                      \
        addr = 0;                                                                              \
        swd = mxcsr = 0;                                                                       \
        out = -12345;                                                                          \
        memset((void *)&ext, 0, sizeof(ext));                                                  \
        asm volatile("lea 1f(%%rip), %0\n fninit\n fldcw %1\n ldmxcsr %2\n" body              \
                     "\n fninit\n movl $0x1f80, -4(%%rsp)\n ldmxcsr -4(%%rsp)"                 \
                     : "=&r"(at)                                                               \
                     : "m"(cw), "m"(csr)                                                       \
                     : "memory", "cc", "rax", "xmm0", "xmm1", "xmm2", "mm0", "mm1");                                 \
        printf("%-10s traps=%d", what, traps - before);                                        \
        if (traps != before)                                                                   \
            printf(" sig=%d code=%d addr=insn%+lld rip=insn%+lld trapno=%llu", signo, code,     \
                   (long long)((uint64_t)addr - at), (long long)(rip - at),                   \
                   (unsigned long long)trapno);                                                \
        if (trapno == 16)                                                                      \
            printf(" swd flags %#x es %u b %u", swd & 0x3f, swd >> 7 & 1, swd >> 15);          \
        if (trapno == 19)                                                                      \
            printf(" mxcsr flags %#x", mxcsr & 0x3f);                                          \
        if (show == 1)                                                                         \
            printf(" then %g", out);                                                           \
        if (show == 2)                                                                         \
            printf(" then %lld", (long long)iout);                                             \
        if (show == 4)                                                                         \
            printf(" xmm0 at the trap %016llx %016llx", (unsigned long long)xmm0[0],             \
                   (unsigned long long)xmm0[1]);                                               \
        if (show == 3)                                                                         \
            printf(" then %04x:%016llx", ext.se, (unsigned long long)ext.m);                   \
        printf("\n");                                                                          \
    } while (0)

#define X87(mask) (cw = (uint16_t)(0x37f & ~(mask)), csr = 0x1f80)
#define SSE(mask) (cw = 0x37f, csr = 0x1f80 & ~((mask) << 7))

int main(void)
{
    trapframe_handle(SIGFPE, handler);

    X87(0x04);   /* ZE: 1 / 0 leaves ST(0) = 1, stored when FSTP runs again */
    TRAP("x87 div", "fld1\n fdivl zero(%%rip)\n 1: fstpl out(%%rip)", 1);
    X87(0x01);   /* IE: sqrt(-1) leaves ST(0) = -1 */
    TRAP("x87 inv", "fldl minus_one(%%rip)\n fsqrt\n 1: fstpl out(%%rip)", 1);
    X87(0x01);   /* IE from a stack underflow */
    TRAP("x87 stack", "fldz\n fadd %%st(3), %%st\n 1: fstpl out(%%rip)", 1);
    X87(0x08);   /* OE and PE, the product's exponent less 24576 */
    TRAP("x87 ovf", "fldt ld_big(%%rip)\n fmul %%st(0), %%st\n 1: fstpt ext(%%rip)", 3);
    X87(0x10);
    TRAP("x87 unf", "fldt ld_tiny(%%rip)\n fmul %%st(0), %%st\n 1: fstpt ext(%%rip)", 3);
    X87(0x10);   /* an exact tiny result traps too, without PE */
    TRAP("x87 unf ex", "fldt ld_exact(%%rip)\n fldt ld_exact2(%%rip)\n fmulp\n"
                       " 1: fstpt ext(%%rip)", 3);
    cw = 0x27f & ~0x08;   /* rounded to the precision control's 53 bits first */
    TRAP("x87 ovf pc", "fldt ld_max(%%rip)\n fmul %%st(0), %%st\n 1: fstpt ext(%%rip)", 3);
    X87(0x08);
    TRAP("x87 scale", "fldt ld_scale(%%rip)\n fld1\n fscale\n 1: fstpt ext(%%rip)\n"
                      " fstp %%st(0)", 3);
    X87(0x08);   /* out of range even scaled: the masked response, infinity */
    TRAP("x87 scale2", "fldt ld_scale_far(%%rip)\n fld1\n fscale\n 1: fstpt ext(%%rip)\n"
                       " fstp %%st(0)", 3);
    X87(0x10);
    TRAP("x87 unf sc", "fldt ld_minus_scale(%%rip)\n fldt ld_exact(%%rip)\n fscale\n"
                       " 1: fstpt ext(%%rip)\n fstp %%st(0)", 3);
    X87(0x12);   /* an unmasked denormal operand comes first: no UE */
    TRAP("x87 den unf", "fldz\n fldt ld_den(%%rip)\n fscale\n 1: fstpt ext(%%rip)\n"
                        " fstp %%st(0)", 3);
    X87(0x10);   /* a store stores nothing: UE alone, exact or not */
    TRAP("x87 st unf", "fldt ld_d_tiny(%%rip)\n fstpl out(%%rip)\n 1: fwait", 1);
    X87(0x08);
    TRAP("x87 st ovf", "fldt ld_big(%%rip)\n fstpl out(%%rip)\n 1: fwait", 1);
    X87(0x20);   /* PE, at FWAIT; the quotient is stored */
    TRAP("x87 fwait", "fld1\n fdivl three(%%rip)\n 1: fwait\n fstpl out(%%rip)", 1);
    X87(0x02);   /* DE: a denormal operand */
    TRAP("x87 den", "fldl one(%%rip)\n fmull denormal(%%rip)\n 1: fstpl out(%%rip)", 1);
    X87(0x04);   /* nothing waits until FNSTSW is past: it does not wait */
    TRAP("x87 nowait", "fld1\n fdivl zero(%%rip)\n fnstsw %%ax\n fnstcw -4(%%rsp)\n"
                       " 1: fstpl out(%%rip)", 1);
    X87(0);      /* unmasking a flag already set traps at the next waiting instruction */
    TRAP("x87 fldcw", "fld1\n fdivl zero(%%rip)\n fstpl out(%%rip)\n fldcw unmask_ze(%%rip)\n"
                      " 1: fldz\n fstpl out(%%rip)", 1);
    X87(0);
    TRAP("x87 masked", "fld1\n fdivl zero(%%rip)\n 1: fstpl out(%%rip)", 1);
    X87(0x04);   /* MMX instructions wait too, before their memory operand */
    TRAP("mmx", "fld1\n fdivl zero(%%rip)\n 1: paddb %%mm1, %%mm0", 0);
    X87(0x04);
    TRAP("mmx store", "fld1\n fdivl zero(%%rip)\n 1: movq %%mm0, iout(%%rip)", 0);
    X87(0x04);
    TRAP("mmx emms", "fld1\n fdivl zero(%%rip)\n 1: emms", 0);
    X87(0x04);   /* but not CVTPI2PS from memory, which leaves the x87 state alone */
    TRAP("cvtpi2ps", "fld1\n fdivl zero(%%rip)\n cvtpi2ps iout(%%rip), %%xmm0\n 1: fwait", 0);

    SSE(0x04);   /* ZE at DIVSD itself, which writes inf once masked */
    TRAP("sse div", "movsd one(%%rip), %%xmm0\n 1: divsd zero(%%rip), %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x01);
    TRAP("sse inv", "movsd minus_one(%%rip), %%xmm0\n 1: sqrtsd %%xmm0, %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x08);   /* overflow: OE and PE */
    TRAP("sse ovf", "movsd big(%%rip), %%xmm0\n 1: mulsd %%xmm0, %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x10);
    TRAP("sse unf", "movsd tiny(%%rip), %%xmm0\n 1: mulsd %%xmm0, %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x20);
    TRAP("sse res", "movsd one(%%rip), %%xmm0\n 1: divsd three(%%rip), %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x02);
    TRAP("sse den", "movsd one(%%rip), %%xmm0\n 1: mulsd denormal(%%rip), %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x01);   /* a masked PE with it: only the pre-computation flags */
    TRAP("sse pre", "xorps %%xmm0, %%xmm0\n 1: divsd zero(%%rip), %%xmm0\n"
                    " movsd %%xmm0, out(%%rip)", 1);
    SSE(0x01);   /* conversions and compares */
    TRAP("sse cvt", "movsd big(%%rip), %%xmm0\n 1: cvtsd2si %%xmm0, %%rax\n"
                    " mov %%rax, iout(%%rip)", 2);
    SSE(0x01);
    TRAP("sse comi", "movsd one(%%rip), %%xmm0\n 1: comisd qnan(%%rip), %%xmm0", 0);
    SSE(0x04);
    TRAP("sse ps", "movss f_one(%%rip), %%xmm0\n shufps $0, %%xmm0, %%xmm0\n"
                   " movss f_zero(%%rip), %%xmm1\n 1: divps %%xmm1, %%xmm0\n"
                   " cvtss2sd %%xmm0, %%xmm0\n movsd %%xmm0, out(%%rip)", 1);
    SSE(0x04);   /* an AVX form */
    TRAP("avx div", "vmovsd one(%%rip), %%xmm0\n 1: vdivsd zero(%%rip), %%xmm0, %%xmm0\n"
                    " vmovsd %%xmm0, out(%%rip)", 1);
    /* a VEX.256 form whose upper lane traps has not written its lower lane either */
#define LANES(insn) "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n vmovupd lanes_a(%%rip), %%ymm1\n " insn \
                    "\n vzeroupper"
    SSE(0x04);
    TRAP("avx256 div", LANES("1: vdivpd lanes_zero(%%rip), %%ymm1, %%ymm0"), 4);
    SSE(0x01);
    TRAP("avx256 sqrt", LANES("1: vsqrtpd lanes_neg(%%rip), %%ymm0"), 4);
    SSE(0x01);
    TRAP("avx256 fma", LANES("vmovupd %%ymm1, %%ymm0\n vmovupd lanes_inf(%%rip), %%ymm2\n"
                             " 1: vfmadd231pd lanes_zero(%%rip), %%ymm2, %%ymm0"), 4);
    SSE(0x08);   /* narrowing to xmm */
    TRAP("avx256 cvt", LANES("1: vcvtpd2psy lanes_big(%%rip), %%xmm0"), 4);
    SSE(0x01);
    TRAP("avx256 cvti", LANES("1: vcvttpd2dqy lanes_big(%%rip), %%xmm0"), 4);
    return 0;
}
