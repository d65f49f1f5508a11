/* RISC-V RV64GC guest state: what the translator's get/put ops and the helpers address. */
#ifndef VM_GUEST_RISCV64_CPU_H
#define VM_GUEST_RISCV64_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"

struct rv64_cpu {
    struct cpu c;
    uint64_t x[32];      /* x[0] is never written (the translator drops writes to x0) */
    uint64_t f[32];      /* f registers as 64-bit patterns; single values are NaN-boxed */
    uint64_t fflags;     /* accrued exceptions: bit 0 NX, 1 UF, 2 OF, 3 DZ, 4 NV */
    uint64_t frm;        /* dynamic rounding mode, 0..7 (5..7 make dynamic-rm FP ops illegal) */
    uint64_t res_addr;   /* LR reservation address, or ~0 when none */
    uint64_t res_val;    /* value loaded by LR (SC succeeds if memory still holds it) */
    uint64_t res_size;   /* 4 or 8 */
    /* System mode's machine-level state (guest/riscv64/system.c); unused in user mode. */
    uint64_t priv;       /* privilege level: RV_PRIV_* */
    uint64_t mstatus, mtvec, mepc, mcause, mtval, mscratch, mie, mip, medeleg, mideleg;
};

enum { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };
/* tb_flags: 0 in user mode; in system mode RV_TBF_SYSTEM and the privilege level, so blocks
 * translated for one level never run at another (a debugger's bits, core/debug.h, lie above
 * these in either mode). */
#define RV_TBF_SYSTEM 4u
#define RV_TBF_PRIV_MASK 3u

#define RV_X(n) (offsetof(struct rv64_cpu, x) + 8 * (n))
#define RV_F(n) (offsetof(struct rv64_cpu, f) + 8 * (n))
/* MMU index (IR_MO_MMU) of U-mode accesses: the only one user mode uses, and what helpers
 * pass to mem_ptr. */
#define RV_MMU_U 0

#endif
