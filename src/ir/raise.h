/* IR helpers that raise the exceptions every ISA raises alike: an illegal instruction, a
 * breakpoint, a misaligned atomic access. One copy here instead of one per frontend. */
#ifndef VM_IR_RAISE_H
#define VM_IR_RAISE_H

#include <stdint.h>

#include "core/cpu.h"
#include "ir/ir.h"

/* EXC_ILLEGAL at the calling instruction; never returns. No arguments. */
extern const struct ir_helper ir_raise_illegal;
/* EXC_BREAKPOINT at the calling instruction; never returns. No arguments. */
extern const struct ir_helper ir_raise_breakpoint;
/* (addr, size): EXC_MISALIGNED unless addr is a multiple of size (a power of two). */
extern const struct ir_helper ir_check_aligned;

/* The same check for helpers that access memory themselves (SC, CAS pairs). */
static inline void cpu_check_aligned(struct cpu *cpu, uint64_t addr, uint64_t size)
{
    if (addr & (size - 1))
        cpu_raise(cpu, EXC_MISALIGNED, addr);
}

#endif
