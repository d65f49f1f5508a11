/* The 512-byte FXSAVE image (SDM vol. 1, 10.5.1) of the x87, MMX, MXCSR and XMM state, for
 * the FXSAVE/FXRSTOR instructions (sse.c) and the Linux signal frame's FPU state
 * (linux/guest_x86_64.c), which is the same image as FXSAVE64 writes. */
#ifndef VM_GUEST_X86_64_FXSAVE_H
#define VM_GUEST_X86_64_FXSAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/x86_64/cpu.h"

#define X64_FXSAVE_SIZE 512

/* The x87 registers in stack order ST(i), the abridged tag word (1 = not empty), FIP/FDP as
 * 64-bit offsets with rex_w, else as 32-bit offsets with zero selectors; MXCSR_MASK. */
void x64_fxsave(const struct x64_cpu *c, uint8_t *area, bool rex_w);
/* Loads the image; the tags of non-empty registers come from their contents. -EINVAL (and
 * nothing changed) if MXCSR has a bit outside X64_MXCSR_MASK. The upper YMM halves stay. */
int x64_fxrstor(struct x64_cpu *c, const uint8_t *area, bool rex_w);

#endif
