/* What CPUID tells an x86-64 guest: exactly the features vm translates, one row per leaf (and
 * subleaf), so that glibc's and the compilers' dispatch picks only code that runs. A family
 * that adds instructions adds its bits here (and XCR0's, for state XGETBV reports). */
#include "guest/x86_64/cpuid.h"

#include <string.h>

#include "guest/x86_64/fxsave.h"

/* Leaf 1 and 7 feature bits. */
enum {
    /* leaf 1 ECX */
    F1C_SSE3 = 1u << 0, F1C_PCLMULQDQ = 1u << 1, F1C_SSSE3 = 1u << 9, F1C_FMA = 1u << 12,
    F1C_CX16 = 1u << 13, F1C_SSE41 = 1u << 19, F1C_SSE42 = 1u << 20, F1C_MOVBE = 1u << 22,
    F1C_POPCNT = 1u << 23, F1C_AES = 1u << 25, F1C_XSAVE = 1u << 26, F1C_OSXSAVE = 1u << 27,
    F1C_AVX = 1u << 28, F1C_F16C = 1u << 29, F1C_RDRAND = 1u << 30,
    /* leaf 1 EDX */
    F1D_FPU = 1u << 0, F1D_TSC = 1u << 4, F1D_CX8 = 1u << 8, F1D_CMOV = 1u << 15, F1D_CLFSH = 1u << 19, F1D_MMX = 1u << 23,
    F1D_FXSR = 1u << 24, F1D_SSE = 1u << 25, F1D_SSE2 = 1u << 26,
    /* leaf 7 EBX */
    F7B_BMI1 = 1u << 3, F7B_AVX2 = 1u << 5, F7B_BMI2 = 1u << 8, F7B_RDSEED = 1u << 18,
    F7B_ADX = 1u << 19,
    /* leaf 7 ECX: the VEX.256 forms of AES-NI and PCLMULQDQ */
    F7C_VAES = 1u << 9, F7C_VPCLMULQDQ = 1u << 10,
    /* leaf 0xd subleaf 1 EAX */
    FDA_XSAVEOPT = 1u << 0, FDA_XSAVEC = 1u << 1, FDA_XGETBV1 = 1u << 2,
    /* leaf 0x80000001 ECX, EDX */
    E1C_LAHF = 1u << 0, E1C_ABM = 1u << 5,
    E1D_SYSCALL = 1u << 11, E1D_NX = 1u << 20, E1D_RDTSCP = 1u << 27, E1D_LM = 1u << 29,
};

struct cpuid_row {
    uint32_t leaf, subleaf;   /* subleaf ~0: any */
    uint32_t eax, ebx, ecx, edx;
};

#define ANY 0xffffffffu
/* The vendor "AuthenticAMD" in EBX, EDX, ECX: glibc reads leaf 1's features only for a vendor
 * it knows, and the flags Intel leaves undefined are the AMD CPUs' (see flags.c); the brand
 * string "vm x86-64 guest" in 0x80000002..4 says what it is. */
static const struct cpuid_row rows[] = {
    { 0, ANY, 0xd, 0x68747541, 0x444d4163, 0x69746e65 },
    /* family 6, model 0x0f; CLFLUSH line 8 * 8 bytes; one logical CPU. With AVX, AVX2, BMI1,
     * BMI2, F16C, FMA, LZCNT (ABM), MOVBE and XSAVE/OSXSAVE: x86-64-v3. */
    { 1, ANY, 0x000006f0, 0x00010800,
      F1C_SSE3 | F1C_PCLMULQDQ | F1C_SSSE3 | F1C_FMA | F1C_CX16 | F1C_SSE41 | F1C_SSE42 |
      F1C_MOVBE | F1C_POPCNT | F1C_AES | F1C_XSAVE | F1C_OSXSAVE | F1C_AVX | F1C_F16C |
      F1C_RDRAND,
      F1D_FPU | F1D_TSC | F1D_CX8 | F1D_CMOV | F1D_CLFSH | F1D_MMX | F1D_FXSR | F1D_SSE |
          F1D_SSE2 },
    { 7, 0, 0, F7B_BMI1 | F7B_AVX2 | F7B_BMI2 | F7B_RDSEED | F7B_ADX, F7C_VAES | F7C_VPCLMULQDQ,
      0 },
    /* XSAVE: the components of XCR0 and the area's size (fxsave.h); XSAVEOPT and XSAVEC; the
     * AVX component's size and offset; XGETBV's XINUSE (ECX = 1) */
    { 0xd, 0, X64_XCR0, X64_XSAVE_SIZE, X64_XSAVE_SIZE, 0 },
    { 0xd, 1, FDA_XSAVEOPT | FDA_XSAVEC | FDA_XGETBV1, 0, 0, 0 },
    { 0xd, 2, X64_XSAVE_SIZE - X64_XSAVE_AVX, X64_XSAVE_AVX, 0, 0 },
    { 0x80000000, ANY, 0x80000004, 0, 0, 0 },
    { 0x80000001, ANY, 0, 0, E1C_LAHF | E1C_ABM, E1D_SYSCALL | E1D_NX | E1D_RDTSCP | E1D_LM },
    { 0x80000002, ANY, 0x78206d76, 0x362d3638, 0x75672034, 0x20747365 },
    { 0x80000003, ANY, 0, 0, 0, 0 },
    { 0x80000004, ANY, 0, 0, 0, 0 },
};

void x64_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].leaf == leaf && (rows[i].subleaf == ANY || rows[i].subleaf == subleaf)) {
            out[0] = rows[i].eax;
            out[1] = rows[i].ebx;
            out[2] = rows[i].ecx;
            out[3] = rows[i].edx;
            return;
        }
}
