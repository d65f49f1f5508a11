/* AVX's state beyond the instructions (the differential test x64_sse_diff covers those): what
 * CPUID and XGETBV say, XSAVE/XRSTOR/XSAVEOPT/XSAVEC of the x87, SSE and AVX components in
 * the standard and compacted forms, XRSTOR of a component the header marks as initial, and the
 * signal frame: the XSAVE state Linux puts in it (FP_XSTATE_MAGIC1/2, xfeatures, the upper YMM
 * halves), kept across a handler that uses YMM, and changed through it; XINUSE (XGETBV with
 * ECX = 1) of the AVX component as VZEROUPPER clears it and a YMM upper half sets it. The
 * native run is the oracle. */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <immintrin.h>

typedef uint64_t ymm_t[4];

/* ymm8..ymm15 in and out around the instruction(s) in the middle. */
#define LOAD8(p)                                                                                \
    "vmovdqu 0(" p "), %%ymm8\n vmovdqu 32(" p "), %%ymm9\n vmovdqu 64(" p "), %%ymm10\n"          \
    "vmovdqu 96(" p "), %%ymm11\n vmovdqu 128(" p "), %%ymm12\n vmovdqu 160(" p "), %%ymm13\n"    \
    "vmovdqu 192(" p "), %%ymm14\n vmovdqu 224(" p "), %%ymm15\n"
#define STORE8(p)                                                                               \
    "vmovdqu %%ymm8, 0(" p ")\n vmovdqu %%ymm9, 32(" p ")\n vmovdqu %%ymm10, 64(" p ")\n"          \
    "vmovdqu %%ymm11, 96(" p ")\n vmovdqu %%ymm12, 128(" p ")\n vmovdqu %%ymm13, 160(" p ")\n"    \
    "vmovdqu %%ymm14, 192(" p ")\n vmovdqu %%ymm15, 224(" p ")\n"
#define CLOBBER8 "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static ymm_t in[8], out[8];

static void fill(uint64_t seed)
{
    for (unsigned i = 0; i < 8; i++)
        for (unsigned q = 0; q < 4; q++)
            in[i][q] = seed * 0x9e3779b97f4a7c15ull + i * 0x100 + q;
}

static void show(const char *what, const ymm_t *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%s ymm%u %016llx %016llx %016llx %016llx\n", what, 8 + i,
               (unsigned long long)r[i][3], (unsigned long long)r[i][2],
               (unsigned long long)r[i][1], (unsigned long long)r[i][0]);
}

static void features(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    printf("fma %u xsave %u osxsave %u avx %u f16c %u movbe %u\n", c >> 12 & 1, c >> 26 & 1,
           c >> 27 & 1, c >> 28 & 1, c >> 29 & 1, c >> 22 & 1);
    __cpuid_count(7, 0, a, b, c, d);
    printf("bmi1 %u avx2 %u bmi2 %u\n", b >> 3 & 1, b >> 5 & 1, b >> 8 & 1);
    __cpuid_count(0xd, 0, a, b, c, d);
    printf("xsave components %x\n", a & 7);
    __cpuid_count(0xd, 2, a, b, c, d);
    printf("avx state %u bytes at %u\n", a, b);
    __cpuid_count(0x80000001, 0, a, b, c, d);
    printf("lzcnt %u\n", c >> 5 & 1);
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("xcr0 %x\n", lo & 7);
    __cpuid_count(0xd, 1, a, b, c, d);
    printf("xsaveopt %u xsavec %u xgetbv1 %u\n", a & 1, a >> 1 & 1, a >> 2 & 1);
}

/* XINUSE's AVX bit after VZEROUPPER and after a write of ymm8's upper half. */
static void xinuse(void)
{
    unsigned clean, dirty, hi;
    static const uint64_t ones[4] = { 1, 2, 3, 4 };
    __asm__ volatile("vzeroupper\n xgetbv\n mov %%eax, %0\n"
                     "vmovdqu (%3), %%ymm8\n mov $1, %%ecx\n xgetbv\n vzeroupper"
                     : "=&r"(clean), "=&a"(dirty), "=&d"(hi) : "r"(ones), "c"(1) : "xmm8");
    printf("xinuse avx: after vzeroupper %u, with ymm8's upper half %u\n", clean >> 2 & 1,
           dirty >> 2 & 1);
}

static uint8_t area[4096] __attribute__((aligned(64)));
static uint8_t area2[4096] __attribute__((aligned(64)));

static uint64_t q_at(const uint8_t *p, unsigned off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

/* XSAVE of ymm8..15, new values loaded, XRSTOR: the first ones back. */
static void xsave_round_trip(void)
{
    fill(1);
    memset(area, 0, sizeof(area));
    __asm__ volatile(LOAD8("%0") "xsave (%1)\n" ::"r"(in), "r"(area), "a"(7), "d"(0)
                     : CLOBBER8, "memory");
    printf("xsave: xstate_bv avx %u, ymm9 upper %016llx %016llx, xmm9 %016llx\n",
           (unsigned)(q_at(area, 512) >> 2 & 1), (unsigned long long)q_at(area, 576 + 16 * 9 + 8),
           (unsigned long long)q_at(area, 576 + 16 * 9),
           (unsigned long long)q_at(area, 160 + 16 * 9));
    fill(2);
    __asm__ volatile(LOAD8("%0") "xrstor (%1)\n" STORE8("%2")::"r"(in), "r"(area), "r"(out),
                     "a"(7), "d"(0)
                     : CLOBBER8, "memory");
    fill(1);
    printf("xrstor: %s\n", memcmp(in, out, sizeof(in)) ? "differs" : "restored");
    show("xrstor", out, 2);

    /* XSTATE_BV without AVX: the upper halves become 0, the XMM part is loaded */
    uint64_t bv = q_at(area, 512) & ~4ull;
    memcpy(area + 512, &bv, 8);
    fill(3);
    __asm__ volatile(LOAD8("%0") "xrstor (%1)\n" STORE8("%2")::"r"(in), "r"(area), "r"(out),
                     "a"(7), "d"(0)
                     : CLOBBER8, "memory");
    show("xrstor-init", out, 2);

    /* requested-feature bitmap without AVX: the upper halves stay */
    fill(4);
    __asm__ volatile(LOAD8("%0") "xrstor (%1)\n" STORE8("%2")::"r"(in), "r"(area), "r"(out),
                     "a"(3), "d"(0)
                     : CLOBBER8, "memory");
    show("xrstor-sse", out, 2);
}

static void xsavec_round_trip(void)
{
    fill(5);
    memset(area2, 0, sizeof(area2));
    __asm__ volatile(LOAD8("%0") "xsavec (%1)\n" ::"r"(in), "r"(area2), "a"(6), "d"(0)
                     : CLOBBER8, "memory");
    printf("xsavec: xstate_bv %llx xcomp_bv %llx, ymm9 upper %016llx\n",
           (unsigned long long)(q_at(area2, 512) & 6), (unsigned long long)q_at(area2, 520),
           (unsigned long long)q_at(area2, 576 + 16 * 9));
    fill(6);
    __asm__ volatile(LOAD8("%0") "xrstor (%1)\n" STORE8("%2")::"r"(in), "r"(area2), "r"(out),
                     "a"(6), "d"(0)
                     : CLOBBER8, "memory");
    fill(5);
    printf("xrstor compacted: %s\n", memcmp(in, out, sizeof(in)) ? "differs" : "restored");

    fill(7);
    memset(area2, 0, sizeof(area2));
    __asm__ volatile(LOAD8("%0") "xsaveopt (%1)\n" ::"r"(in), "r"(area2), "a"(7), "d"(0)
                     : CLOBBER8, "memory");
    printf("xsaveopt: avx %u, ymm15 upper %016llx\n", (unsigned)(q_at(area2, 512) >> 2 & 1),
           (unsigned long long)q_at(area2, 576 + 16 * 15 + 8));
}

/* ---- the signal frame ---- */

static volatile unsigned got_magic1, got_magic2, got_xfeatures, got_uc_flags;
static volatile uint64_t got_upper9;
static ymm_t trash[8];

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si;
    ucontext_t *uc = ucv;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t sw[5];
    memcpy(sw, fp + 464, sizeof(sw));
    got_uc_flags = (unsigned)uc->uc_flags & 1;
    got_magic1 = sw[0] == 0x46505853u;
    got_xfeatures = sw[2] & 7;
    uint32_t magic2;
    memcpy(&magic2, fp + sw[4], 4);
    got_magic2 = magic2 == 0x46505845u && sw[1] == sw[4] + 4;
    got_upper9 = q_at(fp, 576 + 16 * 9);
    /* the handler's own use of ymm8..15 must not reach the interrupted code */
    for (unsigned i = 0; i < 8; i++)
        for (unsigned q = 0; q < 4; q++)
            trash[i][q] = ~0ull - i - q;
    __asm__ volatile(LOAD8("%0")::"r"(trash) : CLOBBER8);
    /* ymm10's upper half, changed in the frame */
    uint64_t v[2] = { 0x1111222233334444ull, 0x5555666677778888ull };
    memcpy(fp + 576 + 16 * 10, v, 16);
}

static void signal_frame(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    fill(8);
    long pid = getpid();
    __asm__ volatile(LOAD8("%0") "syscall\n" STORE8("%1")::"r"(in), "r"(out), "a"(62L), "D"(pid),
                     "S"((long)SIGUSR1)
                     : CLOBBER8, "rcx", "r11", "memory");
    printf("frame: uc_flags fp_xstate %u magic1 %u magic2 %u xfeatures %x\n", got_uc_flags,
           got_magic1, got_magic2, got_xfeatures);
    printf("frame: ymm9 upper %016llx (in %016llx)\n", (unsigned long long)got_upper9,
           (unsigned long long)in[1][2]);
    show("after handler", out, 8);
}

/* AVX2 and F16C through the compiler's intrinsics, as programs use them. */
static void intrinsics(void)
{
    static const int table[16] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25 };
    __m256i idx = _mm256_setr_epi32(15, 0, 3, 7, 1, 9, 2, 4);
    __m256i g = _mm256_i32gather_epi32(table, idx, 4);
    __m256i mask = _mm256_setr_epi32(-1, 0, -1, 0, -1, -1, 0, -1);
    __m256i gm = _mm256_mask_i32gather_epi32(_mm256_set1_epi32(-5), table, idx, mask, 4);
    __m256i p = _mm256_permutevar8x32_epi32(g, _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0));
    int r[8], m[8], q[8];
    _mm256_storeu_si256((__m256i *)r, g);
    _mm256_storeu_si256((__m256i *)m, gm);
    _mm256_storeu_si256((__m256i *)q, p);
    for (unsigned i = 0; i < 8; i++)
        printf("gather %d masked %d permuted %d\n", r[i], m[i], q[i]);
    __m128i h = _mm256_cvtps_ph(_mm256_setr_ps(1.0f, -2.5f, 65504.0f, 1e-7f, 70000.0f, 0.1f,
                                               3.14159f, -0.0f), 0);
    uint16_t hv[8];
    _mm_storeu_si128((__m128i *)hv, h);
    float back[8];
    _mm256_storeu_ps(back, _mm256_cvtph_ps(h));
    for (unsigned i = 0; i < 8; i++)
        printf("half %04x %a\n", hv[i], back[i]);
}

int main(void)
{
    features();
    xinuse();
    xsave_round_trip();
    xsavec_round_trip();
    signal_frame();
    intrinsics();
    return 0;
}
