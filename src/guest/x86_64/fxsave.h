/* The 512-byte FXSAVE image (SDM vol. 1, 10.5.1) of the x87, MMX, MXCSR and XMM state, and
 * the XSAVE area that extends it (vol. 1, 13.4: the legacy image, the 64-byte header at 512,
 * the AVX state, YMM_Hi128, at 576), for the FXSAVE/FXRSTOR and XSAVE* instructions (sse.c)
 * and the Linux signal frame's FPU state (linux/guest_x86_64.c), which is the XSAVE64 area. */
#ifndef VM_GUEST_X86_64_FXSAVE_H
#define VM_GUEST_X86_64_FXSAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/x86_64/cpu.h"

#define X64_FXSAVE_SIZE 512
/* The XSAVE area of the components in X64_XCR0 (x87, SSE, AVX), standard and compacted forms
 * alike: AVX is the only extended component. */
#define X64_XSAVE_HEADER 512
#define X64_XSAVE_AVX 576
#define X64_XSAVE_SIZE (X64_XSAVE_AVX + 16 * 16)

/* The x87 registers in stack order ST(i), the abridged tag word (1 = not empty), FIP/FDP as
 * 64-bit offsets with rex_w, else as 32-bit offsets with zero selectors; MXCSR_MASK. */
void x64_fxsave(const struct x64_cpu *c, uint8_t *area, bool rex_w);
/* Loads the image; the tags of non-empty registers come from their contents. -EINVAL (and
 * nothing changed) if MXCSR has a bit outside X64_MXCSR_MASK. The upper YMM halves stay. */
int x64_fxrstor(struct x64_cpu *c, const uint8_t *area, bool rex_w);

/* XINUSE, as XGETBV with ECX = 1 reads it: the components of X64_XCR0 whose registers do not
 * hold their initial values (what the SDM allows the in-use bit to mean). */
uint64_t x64_xinuse(const struct x64_cpu *c);
/* XSAVE (and XSAVEOPT, which may write what XSAVE writes) of the components in rfbm (masked
 * with X64_XCR0); compact: XSAVEC's form, which writes only the components not in their
 * initial state (x64_xinuse) and says which in XCOMP_BV. */
void x64_xsave(const struct x64_cpu *c, uint8_t *area, uint64_t rfbm, bool rex_w, bool compact);
/* XRSTOR of the components in rfbm: those the header's XSTATE_BV lists from the area, the
 * others to their initial state. -EINVAL (and nothing changed) for a header or MXCSR that
 * XRSTOR refuses with #GP. */
int x64_xrstor(struct x64_cpu *c, const uint8_t *area, uint64_t rfbm, bool rex_w);

#endif
