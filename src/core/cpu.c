/* Raising an exception out of guest code: the one way a helper or an engine leaves a block
 * early. It lives here, under every layer that raises, and needs only the unwind target the
 * execution loop stores in the CPU. */
#include "core/cpu.h"

_Noreturn void cpu_raise(struct cpu *cpu, int exc, uint64_t tval)
{
    cpu->exc = exc;
    cpu->exc_tval = tval;
    siglongjmp(*cpu->unwind, 1);
}
