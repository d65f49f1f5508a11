/* The shared exception-raising IR helpers (see raise.h). */
#include "ir/raise.h"

static uint64_t helper_illegal(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    cpu_raise(cpu, EXC_ILLEGAL, 0);
}

static uint64_t helper_breakpoint(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    cpu_raise(cpu, EXC_BREAKPOINT, 0);
}

static uint64_t helper_check_aligned(void *cpu, uint64_t addr, uint64_t size, uint64_t a2,
                                     uint64_t a3)
{
    cpu_check_aligned(cpu, addr, size);
    return 0;
}

const struct ir_helper ir_raise_illegal = {
    "raise_illegal", helper_illegal, 0, IR_HELPER_FAULT, IR_I64,
};
const struct ir_helper ir_raise_breakpoint = {
    "raise_breakpoint", helper_breakpoint, 0, IR_HELPER_FAULT, IR_I64,
};
const struct ir_helper ir_check_aligned = {
    "check_aligned", helper_check_aligned, 2, IR_HELPER_FAULT, IR_I64,
};
