/* AArch64 guest state: what the translator's get/put ops and the helpers address. */
#ifndef VM_GUEST_AARCH64_CPU_H
#define VM_GUEST_AARCH64_CPU_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"

struct a64_cpu {
    struct cpu c;
    uint64_t x[32];        /* x[31] is SP; XZR reads are constant 0 in the translator */
    /* NZCV as results rather than bits, so that a flag-setting op stores what it computed
     * anyway: N is bit 63 of nf, Z is zf == 0, C is cf (0 or 1), V is bit 63 of vf (32-bit
     * ops store their results sign-extended). Or NZCV are those of the subtraction fa - fb,
     * 64-bit while fsub is 1, of the low halves while it is 2: a compare (SUBS, CMP, CCMP)
     * stores its operands, not four flags computed from them. a64_nzcv/a64_set_nzcv
     * convert. */
    uint64_t nf, zf, cf, vf;
    uint64_t fsub, fa, fb;
    uint64_t v[32][2];     /* V registers: [0] bits 63:0, [1] bits 127:64 */
    uint64_t fpcr;         /* DN, FZ and RMode (bits 25..22) are the ones vm honours */
    uint64_t fpsr;         /* cumulative exception bits: IOC DZC OFC UFC IXC (0..4), IDC (7) */
    uint64_t tpidr;        /* TPIDR_EL0, the thread pointer */
    uint64_t excl_addr;    /* LDXR monitor: address, or ~0 when open */
    uint64_t excl_size;    /* bytes of the exclusive access (a pair counts both) */
    uint64_t excl_val[2];  /* values the exclusive load read (STXR succeeds if memory still holds them) */
};

#define A64_X(n) (offsetof(struct a64_cpu, x) + 8 * (n))
#define A64_V(n, half) (offsetof(struct a64_cpu, v) + 16 * (n) + 8 * (half))
#define A64_FIELD(name) offsetof(struct a64_cpu, name)
#define A64_SP 31

/* FPCR and FPSR bits. */
enum {
    FPCR_DN = 1u << 25, FPCR_FZ = 1u << 24,
    FPCR_RMODE_SHIFT = 22,
    FPCR_MASK = 0x07ff9f00u, /* the bits a guest can write and read back */
    FPSR_IOC = 1u << 0, FPSR_DZC = 1u << 1, FPSR_OFC = 1u << 2, FPSR_UFC = 1u << 3,
    FPSR_IXC = 1u << 4, FPSR_IDC = 1u << 7, FPSR_QC = 1u << 27,
    FPSR_MASK = 0xf800009fu,
};

/* NZCV as PSTATE bits 31..28, and back. */
static inline uint32_t a64_nzcv(const struct a64_cpu *r)
{
    if (r->fsub) {   /* a 32-bit one's shifted up: the difference has the same flags */
        uint64_t a = r->fsub == 2 ? r->fa << 32 : r->fa, b = r->fsub == 2 ? r->fb << 32 : r->fb;
        uint64_t d = a - b;
        return (uint32_t)((d >> 63) << 31 | (uint64_t)(a == b) << 30 | (uint64_t)(a >= b) << 29 |
                          (((a ^ b) & (a ^ d)) >> 63) << 28);
    }
    return (uint32_t)((r->nf >> 63) << 31 | (uint64_t)(r->zf == 0) << 30 | (r->cf & 1) << 29 |
                      (r->vf >> 63) << 28);
}

static inline void a64_set_nzcv(struct a64_cpu *r, uint32_t nzcv)
{
    r->nf = (uint64_t)(nzcv >> 31 & 1) << 63;
    r->zf = !(nzcv >> 30 & 1);
    r->cf = nzcv >> 29 & 1;
    r->vf = (uint64_t)(nzcv >> 28 & 1) << 63;
    r->fsub = 0;
}

/* MMU index (IR_MO_MMU) of EL0's accesses: the only one user mode uses, and what helpers
 * pass to mem_ptr. */
#define A64_MMU_EL0 0
/* tb_flags: data accesses ignore the top byte (translate.h's a64_data_addr). Linux user space
 * always has it, but it costs a few percent, so a CPU turns it on at its first data fault on a
 * tagged address that would be good untagged (linux/sig_deliver.c) and runs that access
 * again: programs that never tag a pointer never pay. */
#define A64_TBF_TBI (1u << 0)

#endif
