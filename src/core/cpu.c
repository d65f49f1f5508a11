/* Raising an exception out of guest code: the one way a helper or an engine leaves a block
 * early. It lives here, under every layer that raises, and needs only the unwind target the
 * execution loop stores in the CPU. Also the exceptions' names, for statistics. */
#include "core/cpu.h"

_Noreturn void cpu_raise(struct cpu *cpu, int exc, uint64_t tval)
{
    cpu->exc = exc;
    cpu->exc_tval = tval;
    siglongjmp(*cpu->unwind, 1);
}

const char *cpu_exc_name(int exc)
{
    static const char *const names[EXC_COUNT] = {
        [EXC_SYSCALL] = "syscall", [EXC_ILLEGAL] = "illegal", [EXC_BREAKPOINT] = "breakpoint",
        [EXC_MISALIGNED] = "misaligned", [EXC_FETCH_FAULT] = "fetch_fault",
        [EXC_DATA_FAULT] = "data_fault", [EXC_BUS_ERROR] = "bus_error", [EXC_DEBUG] = "debug",
        [EXC_PROTECTION] = "protection", [EXC_DIVIDE] = "divide",
        [EXC_FLOAT] = "float",
    };
    return (unsigned)exc < EXC_COUNT ? names[exc] : NULL;
}
