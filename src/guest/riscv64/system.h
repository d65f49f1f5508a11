/* riscv64's system-mode hooks (guest/riscv64/system.c), the helpers its translation of
 * privileged instructions calls, and what devices use: the interrupt lines and the time. */
#ifndef VM_GUEST_RISCV64_SYSTEM_H
#define VM_GUEST_RISCV64_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "ir/ir.h"

extern const struct guest_system_ops rv64_system_ops;
/* (csr | kind << 12 | writes << 14, operand) -> the CSR's old value. */
extern const struct ir_helper rv64_csr_helper;
/* () -> the pc MRET or SRET returns to. */
extern const struct ir_helper rv64_mret_helper;
extern const struct ir_helper rv64_sret_helper;
/* () -> 0; the hart waits (riscv64_waiting) unless an interrupt is pending. */
extern const struct ir_helper rv64_wfi_helper;
/* (va, with_va) -> 0. */
extern const struct ir_helper rv64_sfence_vma_helper;

/* Interrupt-pending bits of mip (and enable bits of mie). */
#define RV_MIP_SSIP (1ull << 1)     /* supervisor software */
#define RV_MIP_MSIP (1ull << 3)     /* machine software (ACLINT MSWI) */
#define RV_MIP_STIP (1ull << 5)     /* supervisor timer */
#define RV_MIP_MTIP (1ull << 7)     /* machine timer (ACLINT MTIMER) */
#define RV_MIP_SEIP (1ull << 9)     /* supervisor external (PLIC) */
#define RV_MIP_MEIP (1ull << 11)    /* machine external (PLIC) */
/* menvcfg.STCE: Sstc's stimecmp drives mip.STIP and S-mode may reach it. */
#define RV_MENVCFG_STCE (1ull << 63)

/* Raises (level true) or lowers the mip bits mip_bits of the hart cpu. Safe from any
 * thread; raising a bit that was clear asks the hart to leave its chain of blocks at the next
 * block boundary, where an interrupt the guest enabled is taken, and wakes it from its wait
 * after WFI. */
void riscv64_set_pending(struct cpu *cpu, uint64_t mip_bits, bool level);

/* After WFI a hart leaves guest code and waits in its run loop, where it holds nothing
 * other harts need: riscv64_waiting is true until an interrupt enabled in mie is pending.
 * riscv64_wait sleeps (on the run loop's thread, outside guest code) until then, until
 * riscv64_wake or riscv64_set_pending (with no timeout: an idle hart costs no host CPU), and
 * ends the waiting when an interrupt is pending; a hart that spins on WFI with the same
 * interrupts pending stalls a while instead (system.c). riscv64_wake makes the hart leave
 * guest code or its sleep (any thread). */
bool riscv64_waiting(struct cpu *cpu);
void riscv64_wait(struct cpu *cpu);
void riscv64_wake(struct cpu *cpu);

/* The time CSR of a hart without a board's read_time (guest/riscv64/cpu.h): a 10 MHz count
 * of the host's monotonic clock (the virt board's timebase). */
uint64_t riscv64_time(void);
/* cycle and instret: host nanoseconds (counting guest instructions would cost every block
 * a memory update). */
uint64_t riscv64_ticks(void);

#endif
