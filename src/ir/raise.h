/* IR helpers that raise the guest signals every ISA raises alike: an illegal instruction, a
 * breakpoint, a misaligned atomic access. One copy here instead of one per frontend. */
#ifndef VM_IR_RAISE_H
#define VM_IR_RAISE_H

#include <signal.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir/ir.h"

/* SIGILL (ILL_ILLOPC) at the calling instruction; never returns. No arguments. */
extern const struct ir_helper ir_raise_illegal;
/* SIGTRAP (TRAP_BRKPT) at the calling instruction; never returns. No arguments. */
extern const struct ir_helper ir_raise_breakpoint;
/* (addr, size): SIGBUS (BUS_ADRALN) unless addr is a multiple of size (a power of two). */
extern const struct ir_helper ir_check_aligned;

/* The same check for helpers that access memory themselves (SC, CAS pairs). */
static inline void cpu_check_aligned(struct cpu *cpu, uint64_t addr, uint64_t size)
{
    if (addr & (size - 1))
        cpu_raise(cpu, SIGBUS, BUS_ADRALN, addr);
}

#endif
