/* riscv64's system-mode hooks (guest/riscv64/system.c) and the helpers its translation of
 * CSR instructions and MRET calls. */
#ifndef VM_GUEST_RISCV64_SYSTEM_H
#define VM_GUEST_RISCV64_SYSTEM_H

#include "core/registry.h"
#include "ir/ir.h"

extern const struct guest_system_ops rv64_system_ops;
/* (csr | kind << 12 | writes << 14, operand) -> the CSR's old value. */
extern const struct ir_helper rv64_csr_helper;
/* () -> the pc MRET returns to. */
extern const struct ir_helper rv64_mret_helper;

#endif
