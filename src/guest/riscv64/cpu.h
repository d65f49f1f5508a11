/* RISC-V RV64GC guest state: what the translator's get/put ops and the helpers address. A
 * field that is architectural state belongs in the snapshot's list too (RV64_SAVED in
 * guest/riscv64/system.c, which docs/snapshot.md describes). */
#ifndef VM_GUEST_RISCV64_CPU_H
#define VM_GUEST_RISCV64_CPU_H

#include <pthread.h>
#include <stdbool.h>
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
    /* System mode's privileged state (guest/riscv64/system.c); unused in user mode. */
    uint64_t priv;       /* privilege level: RV_PRIV_* */
    uint64_t mhartid;    /* set by the board; reset keeps it */
    /* The time CSR's source, set by the board (its mtime, which the guest may write), or
     * NULL for riscv64_time(); reset keeps it. */
    uint64_t (*read_time)(void *opaque);
    void *time_opaque;
    /* Sstc's comparator, also the board's (NULL: none): told stimecmp and whether
     * menvcfg.STCE is set whenever either changes, it keeps mip.STIP at time >= stimecmp
     * while STCE is set, raising it when time gets there. Without a board the hart compares
     * at the write alone. Reset keeps it. */
    void (*stimecmp_changed)(void *opaque, unsigned hart, uint64_t stimecmp, bool on);
    uint64_t mstatus, mtvec, mepc, mcause, mtval, mscratch, mie, medeleg, mideleg;
    /* Pending interrupts: devices on other threads change it (riscv64_set_pending), so it
     * is read and written atomically. */
    uint64_t mip;
    uint64_t stvec, sepc, scause, stval, sscratch, satp;
    uint64_t mcounteren, scounteren, mcountinhibit, menvcfg, senvcfg;
    uint64_t stimecmp;   /* Sstc: STIP is time >= stimecmp while menvcfg.STCE is set */
    uint64_t pmpcfg[2], pmpaddr[16];   /* pmpcfg0 and pmpcfg2: 16 entries (pmp.c) */
    /* The entries that are on and not empty, lowest-numbered first, decoded from the two
     * above by rv64_pmp_refresh: the page walk asks the PMP at every PTE it reads. */
    struct rv64_pmp_range {
        uint64_t lo, hi;     /* [lo, hi) */
        unsigned cfg;
    } pmp_on[16];
    unsigned n_pmp_on;
    /* The virtual range spanning the superpages put in the TLB since its last full flush
     * (lo > hi: none). The TLB holds 4 KiB pieces of them, so a fence of an address in the
     * range flushes everything; others (user pages, below Linux's linear map) flush one. */
    uint64_t superpage_lo, superpage_hi;
    uint64_t waiting;        /* after WFI: RV_WAIT_* (system.c) */
    /* The interrupts pending and enabled when a WFI last went on at once for them, 0 after
     * a trap: the same set at the next WFI means the hart spins on them (system.c). */
    uint64_t wfi_spun;
    /* riscv64_wake's calls, and their count when a WFI last went on for wfi_spun or the
     * hart last began or ended a wait. */
    uint64_t wakes, wakes_seen;
    /* The wait after WFI sleeps on wfi_cond until riscv64_wake signals it. */
    pthread_mutex_t wfi_lock;
    pthread_cond_t wfi_cond;
};

enum { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };
/* tb_flags: 0 in user mode; in system mode RV_TBF_SYSTEM, the privilege level (bits 0-1)
 * and the MMU index of loads and stores (bits 3-4: the privilege they are checked at, which
 * mstatus.MPRV/MPP and SUM change), so blocks translated for one level never run at another
 * (a debugger's bits, core/debug.h, lie above these in either mode). */
#define RV_TBF_SYSTEM 4u
#define RV_TBF_PRIV_MASK 3u
#define RV_TBF_MMU_SHIFT 3
#define RV_TBF_MMU_MASK (3u << RV_TBF_MMU_SHIFT)
#define RV_TBF_MASK (RV_TBF_PRIV_MASK | RV_TBF_SYSTEM | RV_TBF_MMU_MASK)

#define RV_X(n) (offsetof(struct rv64_cpu, x) + 8 * (n))
#define RV_F(n) (offsetof(struct rv64_cpu, f) + 8 * (n))
/* MMU indexes (IR_MO_MMU): U-mode accesses (the only index user mode uses), S-mode
 * accesses without and with mstatus.SUM (which lets them reach U pages), and M-mode's
 * untranslated ones. */
enum { RV_MMU_U = 0, RV_MMU_S = 1, RV_MMU_S_SUM = 2, RV_MMU_M = 3 };

/* The MMU index of the loads and stores of a block translated under tb_flags. */
static inline unsigned rv_data_mmu(uint32_t tb_flags)
{
    return (tb_flags & RV_TBF_MMU_MASK) >> RV_TBF_MMU_SHIFT;
}

/* The MMU index of instruction fetches at privilege level priv. */
static inline unsigned rv_fetch_mmu(uint64_t priv)
{
    return priv == RV_PRIV_M ? RV_MMU_M : priv == RV_PRIV_S ? RV_MMU_S : RV_MMU_U;
}

#endif
