/* What Linux reports of an x86-64 data fault that the fault alone does not say: which of the
 * faulting instruction's memory accesses it was, and so whether it wrote (the page-fault error
 * code's W bit) and whether it went through SS (a stack access: an implicit push or pop, or
 * rSP or rBP as the base without an FS or GS override), which makes a non-canonical address
 * #SS rather than #GP. linux/guest_x86_64.c decodes the instruction at the fault's pc and
 * asks fault.c; the translation never pays for it. */
#ifndef VM_GUEST_X86_64_FAULT_H
#define VM_GUEST_X86_64_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/decode.h"

struct x64_access {
    bool write, stack;
};

/* The access of instruction in (decoded at c's pc, c's registers as before it) that faulted at
 * addr: the implicit stack access, the string source or destination, or the ModRM operand,
 * whichever addr falls in (the ModRM operand when it is the only one). */
struct x64_access x64_fault_access(const struct x64_cpu *c, const struct x64_insn *in,
                                   uint64_t addr);

/* A #GP the translation finds before the instruction runs (a jump to a non-canonical
 * address, whose target is never fetched; a misaligned SSE operand) leaves the block for
 * x64_gp_marker(pc of the instruction) instead, an address no fetch of a real target
 * reaches. x64_gp_fixup makes the fetch fault there that #GP: EXC_PROTECTION at the
 * instruction, no address; false (cpu unchanged) for any other exception. */
#define X64_GP_MARK (1ull << 63)
static inline bool x64_canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }
static inline uint64_t x64_gp_marker(uint64_t pc) { return pc ^ X64_GP_MARK; }
static inline bool x64_gp_fixup(struct cpu *cpu)
{
    uint64_t pc = cpu->exc_tval ^ X64_GP_MARK;
    if (cpu->exc != EXC_FETCH_FAULT || x64_canonical(cpu->exc_tval) || !x64_canonical(pc))
        return false;
    cpu->pc = pc;
    cpu->exc = EXC_PROTECTION;
    cpu->exc_tval = 0;
    return true;
}

#endif
