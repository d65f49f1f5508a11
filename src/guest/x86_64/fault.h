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

/* A jump to a non-canonical address is #GP at the jump (the target is never fetched): the
 * translation leaves the block for x64_gp_marker(pc of the jump) instead, an address no
 * fetch of a real target reaches; x64_gp_marked gives that pc back from a fetch fault's. */
#define X64_GP_MARK (1ull << 63)
static inline bool x64_canonical(uint64_t a) { return (uint64_t)((int64_t)(a << 16) >> 16) == a; }
static inline uint64_t x64_gp_marker(uint64_t pc) { return pc ^ X64_GP_MARK; }
static inline bool x64_gp_marked(uint64_t fetch, uint64_t *pc)
{
    *pc = fetch ^ X64_GP_MARK;
    return !x64_canonical(fetch) && x64_canonical(*pc);
}

#endif
