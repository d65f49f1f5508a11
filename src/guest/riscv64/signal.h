/* riscv64's Linux signal-frame hooks for its guest_ops (see core/registry.h). */
#ifndef VM_GUEST_RISCV64_SIGNAL_H
#define VM_GUEST_RISCV64_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"

#define RV64_SIGCONTEXT_SIZE 784

extern const uint8_t rv64_sigreturn_code[8];
void rv64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t fault_addr);
void rv64_sigcontext_restore(struct cpu *cpu, const void *mc);
void rv64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                       uint64_t sp, uint64_t ret);

#endif
