/* The x86-64 guest's CPUID (cpuid.c) and XCR0: what vm implements and nothing more. */
#ifndef VM_GUEST_X86_64_CPUID_H
#define VM_GUEST_X86_64_CPUID_H

#include <stdint.h>

/* EAX, EBX, ECX, EDX of CPUID leaf (EAX) and subleaf (ECX); zeros for a leaf vm has not. */
void x64_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* XCR0 as XGETBV reads it: the x87, SSE and AVX (YMM_Hi128) state components. */
#define X64_XCR0 0x7u

#endif
