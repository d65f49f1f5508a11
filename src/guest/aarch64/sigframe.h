/* aarch64's Linux signal-frame hooks for its guest_ops (see core/registry.h). */
#ifndef VM_GUEST_AARCH64_SIGFRAME_H
#define VM_GUEST_AARCH64_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"

/* struct sigcontext: fault_address, regs[31], sp, pc, pstate, then 4096 reserved bytes. */
#define A64_SIGCONTEXT_SIZE 4384

extern const uint8_t a64_sigreturn_code[8];
void a64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t fault_addr);
void a64_sigcontext_restore(struct cpu *cpu, const void *mc);
void a64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                      uint64_t sp, uint64_t ret);

#endif
