/* riscv64 in system mode (guest_system_ops): M, S and U modes, the machine and supervisor
 * CSRs, traps and interrupts with delegation, xRET, WFI, SFENCE.VMA and the Sv39/Sv48/Sv57
 * page walk. CSRs are one table; a CSR instruction in system mode that names no FP CSR
 * calls helper_csr, which raises the illegal instruction for a CSR that does not exist, a
 * write to a read-only one, too low a privilege level or a counter its enable bits hide.
 * Sstc's stimecmp is a CSR of its own whose comparison with time the board keeps
 * (rv64_cpu.stimecmp_changed), so its timer interrupt needs no trip through M-mode.
 * The PMP (pmp.c) is checked when the page walk fills the TLB; there is no ASID (satp's ASID
 * field reads as 0). */
#include "guest/riscv64/system.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/pmp.h"
#include "guest/riscv64/translate.h"
#include "mem/softmmu.h"

#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (2ull << 32)          /* XLEN 64 in U and S mode, fixed */
#define MSTATUS_SXL (2ull << 34)
#define MSTATUS_SD (1ull << 63)
#define MSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
                          MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
                          MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
                          MSTATUS_MXR)
#define SSTATUS_VIEW (SSTATUS_WRITABLE | MSTATUS_UXL | MSTATUS_SD)
#define MIP_S (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)
#define MIP_ALL (MIP_S | RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP)
/* Every exception but ecall from M-mode (11) and the reserved codes 10 and 14. */
#define MEDELEG_WRITABLE 0xb3ffull
#define ENVCFG_FIOM 1ull
#define SATP_PPN ((1ull << 44) - 1)
#define SATP_MODE_SHIFT 60
enum { SATP_BARE = 0, SATP_SV39 = 8, SATP_SV48 = 9, SATP_SV57 = 10 };
#define CAUSE_INTERRUPT (1ull << 63)
/* RV64 with I, M, A, F, D, C, S and U: MXL = 2. */
#define MISA_VALUE (2ull << 62 | 1u << ('I' - 'A') | 1u << ('M' - 'A') | 1u << ('A' - 'A') | \
                    1u << ('F' - 'A') | 1u << ('D' - 'A') | 1u << ('C' - 'A') |              \
                    1u << ('S' - 'A') | 1u << ('U' - 'A'))

/* Page-table entry bits. */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_RESERVED_SHIFT 54     /* bits 63-54: Svnapot, Svpbmt and reserved, none supported */

/* Exception causes (mcause with the interrupt bit clear). */
enum {
    CAUSE_FETCH_MISALIGNED = 0, CAUSE_FETCH_ACCESS = 1, CAUSE_ILLEGAL = 2,
    CAUSE_BREAKPOINT = 3, CAUSE_LOAD_MISALIGNED = 4, CAUSE_LOAD_ACCESS = 5,
    CAUSE_STORE_MISALIGNED = 6, CAUSE_STORE_ACCESS = 7, CAUSE_ECALL_U = 8,
    CAUSE_FETCH_PAGE = 12, CAUSE_LOAD_PAGE = 13, CAUSE_STORE_PAGE = 15,
};

/* ---- time ---- */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t riscv64_time(void)
{
    return monotonic_ns() / 100;
}

uint64_t riscv64_ticks(void)
{
    return monotonic_ns();
}

/* ---- interrupts ---- */

static uint64_t mip_load(struct rv64_cpu *r)
{
    return __atomic_load_n(&r->mip, __ATOMIC_ACQUIRE);
}

/* Interrupt causes from highest to lowest priority: MEI, MSI, MTI, SEI, SSI, STI. */
static const unsigned interrupt_order[] = { 11, 3, 7, 9, 1, 5 };

/* The cause of the interrupt to take now (pending, enabled in mie, enabled at the current
 * level for the level it goes to), or -1. */
static int interrupt_to_take(struct rv64_cpu *r)
{
    uint64_t pending = mip_load(r) & r->mie;
    if (!pending)
        return -1;
    uint64_t to_m = pending & ~r->mideleg, to_s = pending & r->mideleg;
    bool m_enabled = r->priv < RV_PRIV_M || (r->mstatus & MSTATUS_MIE);
    bool s_enabled = r->priv < RV_PRIV_S || (r->priv == RV_PRIV_S && (r->mstatus & MSTATUS_SIE));
    uint64_t take = to_m && m_enabled ? to_m : to_s && s_enabled ? to_s : 0;
    for (size_t k = 0; take && k < sizeof(interrupt_order) / sizeof(interrupt_order[0]); k++)
        if (take >> interrupt_order[k] & 1)
            return (int)interrupt_order[k];
    return -1;
}

static bool rv64_interrupt_pending(struct cpu *cpu)
{
    return interrupt_to_take((struct rv64_cpu *)cpu) >= 0;
}

/* After state that gates interrupts changed inside a block: leave the chain at the next
 * block boundary if one can be taken, so the loop takes it before the next instruction. */
static void recheck_interrupts(struct rv64_cpu *r)
{
    if (interrupt_to_take(r) >= 0)
        r->c.exit_request = 1;
}

void riscv64_set_pending(struct cpu *cpu, uint64_t mip_bits, bool level)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    if (!level) {
        __atomic_and_fetch(&r->mip, ~mip_bits, __ATOMIC_ACQ_REL);
        return;
    }
    /* A line already high woke the hart when it rose: raising it again (a device updating
     * its level) changes nothing the hart could wait for. */
    if ((__atomic_fetch_or(&r->mip, mip_bits, __ATOMIC_ACQ_REL) & mip_bits) != mip_bits)
        riscv64_wake(cpu);
}

/* ---- translation state ---- */

/* tb_flags from the privilege level and mstatus (MPRV, MPP, SUM), keeping a debugger's. */
static void update_flags(struct rv64_cpu *r)
{
    uint64_t data_priv = r->priv;
    if (r->priv == RV_PRIV_M && (r->mstatus & MSTATUS_MPRV))
        data_priv = (r->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    unsigned mmu = data_priv == RV_PRIV_M ? RV_MMU_M
                 : data_priv == RV_PRIV_U ? RV_MMU_U
                 : r->mstatus & MSTATUS_SUM ? RV_MMU_S_SUM : RV_MMU_S;
    r->c.tb_flags = (r->c.tb_flags & ~RV_TBF_MASK) | RV_TBF_SYSTEM | (unsigned)r->priv |
                    mmu << RV_TBF_MMU_SHIFT;
}

static void tlb_flush(struct rv64_cpu *r)
{
    softmmu_tlb_flush(&r->c);
    r->superpage_lo = UINT64_MAX;
    r->superpage_hi = 0;
}

static _Noreturn void raise_illegal(struct rv64_cpu *r)
{
    cpu_raise(&r->c, EXC_ILLEGAL, 0);
}

/* ---- CSRs ---- */

enum csr_kind {
    CSR_FIELD,      /* a state field (count of them from field), written under write_mask */
    CSR_CONST,      /* reads as value, writes are ignored */
    CSR_MSTATUS, CSR_SSTATUS,     /* one register; sstatus is its supervisor view */
    CSR_MIP, CSR_SIP, CSR_SIE,    /* sip and sie: mip and mie where mideleg delegates */
    CSR_SATP,
    CSR_MENVCFG,    /* its STCE turns Sstc's comparator on and off */
    CSR_STIMECMP,
    CSR_PMPCFG,     /* pmpcfg0 (value 0) or pmpcfg2 (value 1) */
    CSR_PMPADDR,
    CSR_COUNTER,    /* cycle, time, instret, hpmcounterN: counter value + number - first */
    CSR_MCOUNTER,   /* mcycle, minstret: counter value; writes are ignored */
};

#define FIELD(f) offsetof(struct rv64_cpu, f)

/* first number, how many, kind, state field, bits a write changes, value */
static const struct csr_def {
    unsigned number, count;
    enum csr_kind kind;
    size_t field;
    uint64_t write_mask;
    uint64_t value;
} csrs[] = {
    { 0x100, 1, CSR_SSTATUS, 0, SSTATUS_WRITABLE, 0 },               /* sstatus */
    { 0x104, 1, CSR_SIE, 0, MIP_S, 0 },                              /* sie */
    { 0x105, 1, CSR_FIELD, FIELD(stvec), ~2ull, 0 },  /* stvec: direct or vectored mode */
    { 0x106, 1, CSR_FIELD, FIELD(scounteren), 0xffffffffull, 0 },   /* scounteren */
    { 0x10a, 1, CSR_FIELD, FIELD(senvcfg), ENVCFG_FIOM, 0 },        /* senvcfg */
    { 0x140, 1, CSR_FIELD, FIELD(sscratch), ~0ull, 0 },             /* sscratch */
    { 0x141, 1, CSR_FIELD, FIELD(sepc), ~1ull, 0 },                 /* sepc */
    { 0x142, 1, CSR_FIELD, FIELD(scause), ~0ull, 0 },               /* scause */
    { 0x143, 1, CSR_FIELD, FIELD(stval), ~0ull, 0 },                /* stval */
    { 0x144, 1, CSR_SIP, 0, RV_MIP_SSIP, 0 },                       /* sip */
    { 0x14d, 1, CSR_STIMECMP, 0, 0, 0 },                             /* stimecmp */
    { 0x180, 1, CSR_SATP, 0, 0, 0 },                                 /* satp */
    { 0x300, 1, CSR_MSTATUS, 0, MSTATUS_WRITABLE, 0 },               /* mstatus */
    { 0x301, 1, CSR_CONST, 0, 0, MISA_VALUE },                       /* misa */
    { 0x302, 1, CSR_FIELD, FIELD(medeleg), MEDELEG_WRITABLE, 0 },   /* medeleg */
    { 0x303, 1, CSR_FIELD, FIELD(mideleg), MIP_S, 0 },              /* mideleg */
    { 0x304, 1, CSR_FIELD, FIELD(mie), MIP_ALL, 0 },                /* mie */
    { 0x305, 1, CSR_FIELD, FIELD(mtvec), ~2ull, 0 },  /* mtvec: direct or vectored mode */
    { 0x306, 1, CSR_FIELD, FIELD(mcounteren), 0xffffffffull, 0 },   /* mcounteren */
    { 0x30a, 1, CSR_MENVCFG, 0, ENVCFG_FIOM | RV_MENVCFG_STCE, 0 },  /* menvcfg */
    { 0x320, 1, CSR_FIELD, FIELD(mcountinhibit), 0xfffffffdull, 0 }, /* mcountinhibit */
    { 0x323, 29, CSR_CONST, 0, 0, 0 },                               /* mhpmevent3-31 */
    { 0x340, 1, CSR_FIELD, FIELD(mscratch), ~0ull, 0 },             /* mscratch */
    { 0x341, 1, CSR_FIELD, FIELD(mepc), ~1ull, 0 },                 /* mepc */
    { 0x342, 1, CSR_FIELD, FIELD(mcause), ~0ull, 0 },               /* mcause */
    { 0x343, 1, CSR_FIELD, FIELD(mtval), ~0ull, 0 },                /* mtval */
    { 0x344, 1, CSR_MIP, 0, MIP_S, 0 },                              /* mip */
    { 0x3a0, 1, CSR_PMPCFG, 0, 0, 0 },                               /* pmpcfg0 */
    { 0x3a2, 1, CSR_PMPCFG, 0, 0, 1 },                               /* pmpcfg2 */
    /* Entries 16-63 are not implemented: their registers read as 0 (RV64 has no odd
     * pmpcfg). */
    { 0x3a4, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg4 */
    { 0x3a6, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg6 */
    { 0x3a8, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg8 */
    { 0x3aa, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg10 */
    { 0x3ac, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg12 */
    { 0x3ae, 1, CSR_CONST, 0, 0, 0 },                                /* pmpcfg14 */
    { 0x3b0, RV_PMP_ENTRIES, CSR_PMPADDR, 0, 0, 0 },                 /* pmpaddr0-15 */
    { 0x3c0, 48, CSR_CONST, 0, 0, 0 },                               /* pmpaddr16-63 */
    { 0xb00, 1, CSR_MCOUNTER, 0, 0, 0 },                             /* mcycle */
    { 0xb02, 1, CSR_MCOUNTER, 0, 0, 2 },                             /* minstret */
    { 0xb03, 29, CSR_CONST, 0, 0, 0 },                               /* mhpmcounter3-31 */
    { 0xc00, 32, CSR_COUNTER, 0, 0, 0 },        /* cycle, time, instret, hpmcounter3-31 */
    { 0xf11, 3, CSR_CONST, 0, 0, 0 },                   /* mvendorid, marchid, mimpid */
    { 0xf14, 1, CSR_FIELD, FIELD(mhartid), 0, 0 },                  /* mhartid */
    { 0xf15, 1, CSR_CONST, 0, 0, 0 },                                /* mconfigptr */
};

#define CSR_COUNT (sizeof(csrs) / sizeof(csrs[0]))
_Static_assert(CSR_COUNT < UINT8_MAX, "a csrs index fits csr_slot");

/* csr_slot[number]: 1 + the index in csrs of the row holding CSR number, 0 for none; made
 * once, so a CSR access (a guest reading time in a loop) costs one load, not a search. */
static uint8_t csr_slot[4096];
static pthread_once_t csr_slot_once = PTHREAD_ONCE_INIT;

static void csr_slot_init(void)
{
    for (size_t k = 0; k < CSR_COUNT; k++)
        for (unsigned n = 0; n < csrs[k].count; n++)
            csr_slot[csrs[k].number + n] = (uint8_t)(k + 1);
}

static const struct csr_def *csr_find(unsigned number)
{
    pthread_once(&csr_slot_once, csr_slot_init);
    unsigned k = csr_slot[number & 0xfff];
    return k ? &csrs[k - 1] : NULL;
}

static uint64_t *csr_field(struct rv64_cpu *r, const struct csr_def *d, unsigned index)
{
    return (uint64_t *)((char *)r + d->field) + index;
}

/* Counter n (0 cycle, 1 time, 2 instret, 3-31 the hpm counters, which count nothing). */
static uint64_t counter_value(const struct rv64_cpu *r, unsigned n)
{
    if (n == 1)
        return r->read_time ? r->read_time(r->time_opaque) : riscv64_time();
    return n == 0 || n == 2 ? riscv64_ticks() : 0;
}

/* Below M-mode a counter needs its bit in mcounteren, and in U-mode in scounteren too. */
static bool counter_enabled(const struct rv64_cpu *r, unsigned n)
{
    return r->priv == RV_PRIV_M ||
           ((r->mcounteren >> n & 1) && (r->priv == RV_PRIV_S || (r->scounteren >> n & 1)));
}

static uint64_t mstatus_value(const struct rv64_cpu *r)
{
    uint64_t s = r->mstatus | MSTATUS_UXL | MSTATUS_SXL;
    return (s & MSTATUS_FS) == MSTATUS_FS ? s | MSTATUS_SD : s;
}

static uint64_t csr_read(struct rv64_cpu *r, const struct csr_def *d, unsigned index)
{
    switch (d->kind) {
    case CSR_FIELD: return *csr_field(r, d, index);
    case CSR_CONST: return d->value;
    case CSR_MSTATUS: return mstatus_value(r);
    case CSR_SSTATUS: return mstatus_value(r) & SSTATUS_VIEW;
    case CSR_MIP: return mip_load(r);
    case CSR_SIP: return mip_load(r) & r->mideleg;
    case CSR_SIE: return r->mie & r->mideleg;
    case CSR_SATP: return r->satp;
    case CSR_MENVCFG: return r->menvcfg;
    case CSR_STIMECMP: return r->stimecmp;
    case CSR_PMPCFG: return r->pmpcfg[d->value];
    case CSR_PMPADDR: return r->pmpaddr[index];
    case CSR_COUNTER: return counter_value(r, index);
    case CSR_MCOUNTER: return counter_value(r, (unsigned)d->value);
    }
    return 0;
}

/* mstatus or sstatus under mask: MPP keeps its value when given the reserved level 2; FS
 * is Dirty whenever it is not Off, as the FP state is not tracked; MXR changes what loads
 * may read through every cached translation. */
static void write_status(struct rv64_cpu *r, uint64_t value, uint64_t mask)
{
    uint64_t old = r->mstatus, s = (old & ~mask) | (value & mask);
    if ((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT == 2)
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    if (s & MSTATUS_FS)
        s |= MSTATUS_FS;
    r->mstatus = s;
    if ((s ^ old) & MSTATUS_MXR)
        tlb_flush(r);
}

/* While menvcfg.STCE is set, STIP is stimecmp's and writes leave it alone. */
static void write_mip(struct rv64_cpu *r, uint64_t value, uint64_t mask)
{
    if (r->menvcfg & RV_MENVCFG_STCE)
        mask &= ~RV_MIP_STIP;
    __atomic_or_fetch(&r->mip, value & mask, __ATOMIC_ACQ_REL);
    __atomic_and_fetch(&r->mip, ~(~value & mask), __ATOMIC_ACQ_REL);
}

/* stimecmp or menvcfg.STCE changed: the board's comparator follows, or without one STIP
 * is set from the comparison now. */
static void stimecmp_changed(struct rv64_cpu *r)
{
    bool on = r->menvcfg & RV_MENVCFG_STCE;
    if (r->stimecmp_changed)
        r->stimecmp_changed(r->time_opaque, (unsigned)r->mhartid, r->stimecmp, on);
    else if (on)
        riscv64_set_pending(&r->c, RV_MIP_STIP, counter_value(r, 1) >= r->stimecmp);
}

/* A satp write with an unsupported mode changes nothing, as the spec requires. */
static void write_satp(struct rv64_cpu *r, uint64_t value)
{
    uint64_t mode = value >> SATP_MODE_SHIFT;
    if (mode != SATP_BARE && mode != SATP_SV39 && mode != SATP_SV48 && mode != SATP_SV57)
        return;
    r->satp = mode << SATP_MODE_SHIFT | (value & SATP_PPN);
    tlb_flush(r);
}

static void csr_write(struct rv64_cpu *r, const struct csr_def *d, unsigned index,
                      uint64_t value)
{
    uint64_t *f;
    switch (d->kind) {
    case CSR_FIELD:
        f = csr_field(r, d, index);
        *f = (*f & ~d->write_mask) | (value & d->write_mask);
        break;
    case CSR_MSTATUS: case CSR_SSTATUS: write_status(r, value, d->write_mask); break;
    case CSR_MIP: write_mip(r, value, d->write_mask); break;
    case CSR_SIP: write_mip(r, value, d->write_mask & r->mideleg); break;
    case CSR_SIE: r->mie = (r->mie & ~(MIP_S & r->mideleg)) | (value & MIP_S & r->mideleg); break;
    case CSR_SATP: write_satp(r, value); break;
    case CSR_MENVCFG:
        r->menvcfg = (r->menvcfg & ~d->write_mask) | (value & d->write_mask);
        stimecmp_changed(r);
        break;
    case CSR_STIMECMP: r->stimecmp = value; stimecmp_changed(r); break;
    /* What the TLB holds was checked against the old entries. */
    case CSR_PMPCFG: rv64_pmp_write_cfg(r, (unsigned)d->value, value); tlb_flush(r); break;
    case CSR_PMPADDR: rv64_pmp_write_addr(r, index, value); tlb_flush(r); break;
    case CSR_CONST: case CSR_COUNTER: case CSR_MCOUNTER: break;
    }
}

/* op = csr number | kind << 12 | writes << 14; src = the operand. Returns the old value. */
static uint64_t helper_csr(void *c, uint64_t op, uint64_t src, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    unsigned number = op & 0xfff, kind = (op >> 12) & 3;
    bool writes = op >> 14 & 1;
    const struct csr_def *d = csr_find(number);
    if (!d || ((number >> 8) & 3) > r->priv || (writes && (number >> 10) == 3))
        raise_illegal(r);
    unsigned index = number - d->number;
    /* Below M-mode stimecmp needs menvcfg.STCE and mcounteren.TM. */
    if ((d->kind == CSR_COUNTER && !counter_enabled(r, index)) ||
        (d->kind == CSR_STIMECMP && r->priv < RV_PRIV_M &&
         (!(r->menvcfg & RV_MENVCFG_STCE) || !(r->mcounteren >> 1 & 1))) ||
        (d->kind == CSR_SATP && r->priv == RV_PRIV_S && (r->mstatus & MSTATUS_TVM)))
        raise_illegal(r);
    uint64_t old = csr_read(r, d, index);
    if (writes) {
        uint64_t v = kind == RV_CSR_RW ? src : kind == RV_CSR_RS ? old | src : old & ~src;
        csr_write(r, d, index, v);
        update_flags(r);
        recheck_interrupts(r);
    }
    return old;
}

const struct ir_helper rv64_csr_helper = {
    "rv64_csr", helper_csr, 2, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* ---- trap return, WFI, SFENCE.VMA ---- */

/* The level an xRET goes to (its y): MPRV is cleared unless it is M-mode. */
static void return_to(struct rv64_cpu *r, uint64_t priv)
{
    if (priv != RV_PRIV_M)
        r->mstatus &= ~MSTATUS_MPRV;
    r->priv = priv;
    update_flags(r);
    recheck_interrupts(r);
}

/* MRET (translated in M-mode only): MIE from MPIE, MPIE set, MPP to U. Returns mepc. */
static uint64_t helper_mret(void *c, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    uint64_t s = r->mstatus, priv = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    s = (s & ~MSTATUS_MIE) | (s & MSTATUS_MPIE ? MSTATUS_MIE : 0);
    r->mstatus = (s | MSTATUS_MPIE) & ~MSTATUS_MPP;
    return_to(r, priv);
    return r->mepc;
}

/* SRET (translated in S- and M-mode; mstatus.TSR makes it illegal in S-mode): SIE from
 * SPIE, SPIE set, SPP to U. Returns sepc. */
static uint64_t helper_sret(void *c, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    if (r->priv == RV_PRIV_S && (r->mstatus & MSTATUS_TSR))
        raise_illegal(r);
    uint64_t s = r->mstatus, priv = s & MSTATUS_SPP ? RV_PRIV_S : RV_PRIV_U;
    s = (s & ~MSTATUS_SIE) | (s & MSTATUS_SPIE ? MSTATUS_SIE : 0);
    r->mstatus = (s | MSTATUS_SPIE) & ~MSTATUS_SPP;
    return_to(r, priv);
    return r->sepc;
}

const struct ir_helper rv64_mret_helper = {
    "rv64_mret", helper_mret, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};
const struct ir_helper rv64_sret_helper = {
    "rv64_sret", helper_sret, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* How a hart waits after WFI: until an interrupt enabled in mie is pending or a
 * riscv64_wake comes (counted in wakes, so that one between the WFI and the sleep is not
 * lost: a debugger's stop request has no interrupt to show for it), or, while the ones
 * pending and enabled are those it spun on at its last WFI and nothing woke it since, for a
 * new one, a riscv64_wake (an IPI even when the last is still pending: hart_irq) or
 * WFI_STALL_NS. */
enum { RV_WAIT_NONE, RV_WAIT_IRQ, RV_WAIT_STALL };
#define WFI_STALL_NS 200000000ll

/* WFI (translated in S- and M-mode; mstatus.TW makes it illegal in S-mode; its block ends
 * after it): unless an interrupt enabled in mie is pending, whatever the global enables say,
 * the hart leaves guest code to wait in riscv64_wait, holding nothing other harts need. With
 * none enabled nothing could end the wait, so it goes on at once, as it does the first time
 * an enabled interrupt is pending. A second WFI with the same ones pending and no trap taken
 * in between is a loop polling memory with interrupts masked (OpenSBI 1.1's secondary
 * harts wait so for their start with the IPI that woke them still pending): the hart stalls
 * instead of spinning, a while at most (the spec only lets WFI stall for an interrupt that
 * might need service), and wakes at once to any news. Besides a CPU's worth of host time,
 * that all but closes a race in that firmware: it marks a hart's start before it stores
 * where the hart starts, and a spinning hart could read the old address (Linux's CPU1
 * "failed to come online": a boot in 20 with 2 harts on a loaded host), where a stalled one
 * goes on at the IPI, which comes after, unless its bound ends inside that window (a bound
 * of 20 ms still lost 1 boot in 150 on a host loaded 6 times over). */
static uint64_t helper_wfi(void *c, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    if (r->priv == RV_PRIV_S && (r->mstatus & MSTATUS_TW))
        raise_illegal(r);
    if (!r->mie)
        return 0;
    uint64_t pending = mip_load(r) & r->mie;
    uint64_t wakes = __atomic_load_n(&r->wakes, __ATOMIC_ACQUIRE);
    if (pending && (pending != r->wfi_spun || wakes != r->wakes_seen)) {
        r->wfi_spun = pending;
        r->wakes_seen = wakes;
        return 0;
    }
    r->waiting = pending ? RV_WAIT_STALL : RV_WAIT_IRQ;
    r->wakes_seen = wakes;
    r->c.exit_request = 1;
    return 0;
}

bool riscv64_waiting(struct cpu *cpu)
{
    return ((struct rv64_cpu *)cpu)->waiting != RV_WAIT_NONE;
}

/* Every interrupt source raises its line through riscv64_set_pending, and the devices
 * polled by hart 0 kick it (riscv64_wake) when they have news, so the wait for an interrupt
 * needs no timeout: an idle hart's thread sleeps until something happens. */
void riscv64_wait(struct cpu *cpu)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    cpu->exit_request = 0;
    pthread_mutex_lock(&r->wfi_lock);
    if (r->waiting == RV_WAIT_STALL) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += WFI_STALL_NS;
        until.tv_sec += until.tv_nsec / 1000000000;
        until.tv_nsec %= 1000000000;
        while (!(mip_load(r) & r->mie & ~r->wfi_spun) && !cpu->exit_request &&
               __atomic_load_n(&r->wakes, __ATOMIC_ACQUIRE) == r->wakes_seen &&
               pthread_cond_timedwait(&r->wfi_cond, &r->wfi_lock, &until) == 0)
            ;
        r->wakes_seen = __atomic_load_n(&r->wakes, __ATOMIC_ACQUIRE);
        r->waiting = RV_WAIT_NONE;
    } else {
        while (!(mip_load(r) & r->mie) && !cpu->exit_request &&
               __atomic_load_n(&r->wakes, __ATOMIC_ACQUIRE) == r->wakes_seen)
            pthread_cond_wait(&r->wfi_cond, &r->wfi_lock);
        r->wakes_seen = __atomic_load_n(&r->wakes, __ATOMIC_ACQUIRE);
        if (!r->mie || (mip_load(r) & r->mie))
            r->waiting = RV_WAIT_NONE;
    }
    pthread_mutex_unlock(&r->wfi_lock);
}

void riscv64_wake(struct cpu *cpu)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    __atomic_add_fetch(&r->wakes, 1, __ATOMIC_ACQ_REL);
    cpu->exit_request = 1;
    pthread_mutex_lock(&r->wfi_lock);
    pthread_cond_signal(&r->wfi_cond);
    pthread_mutex_unlock(&r->wfi_lock);
}

const struct ir_helper rv64_wfi_helper = {
    "rv64_wfi", helper_wfi, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* SFENCE.VMA (translated in S- and M-mode; mstatus.TVM makes it illegal in S-mode): every
 * translation, or those of the page of va (with_va), which are all when va falls among the
 * cached superpages. */
static uint64_t helper_sfence_vma(void *c, uint64_t va, uint64_t with_va, uint64_t a2,
                                  uint64_t a3)
{
    struct rv64_cpu *r = c;
    if (r->priv == RV_PRIV_S && (r->mstatus & MSTATUS_TVM))
        raise_illegal(r);
    if (with_va && (va < r->superpage_lo || va > r->superpage_hi))
        softmmu_tlb_flush_page(&r->c, va);
    else
        tlb_flush(r);
    return 0;
}

const struct ir_helper rv64_sfence_vma_helper = {
    "rv64_sfence_vma", helper_sfence_vma, 2,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* ---- page walk ---- */

/* The PMP's say on the translation of an access to pa under mmu_idx: 0 with *prot narrowed
 * to what it allows (and SOFTMMU_PROT_ONCE when that holds for pa only), or the access
 * fault. */
static int pmp_filter(const struct rv64_cpu *r, uint64_t pa, unsigned access, unsigned mmu_idx,
                      unsigned *prot)
{
    unsigned priv = mmu_idx == RV_MMU_M ? RV_PRIV_M : mmu_idx == RV_MMU_U ? RV_PRIV_U : RV_PRIV_S;
    bool once;
    unsigned allowed = rv64_pmp_page_prot(r, pa, priv, &once);
    if (!(allowed & access))
        return EXC_BUS_ERROR;
    *prot = (*prot & allowed) | (once ? SOFTMMU_PROT_ONCE : 0);
    return 0;
}

/* Sv39, Sv48 or Sv57 by satp.MODE; M-mode's index and satp.MODE = Bare are the identity.
 * A and D are set in the leaf entry with a compare-and-swap (the walk starts again if the
 * entry changed meanwhile), and W is granted to the TLB only once D is set, so the first
 * store to a clean page comes back here. The page-table entries are read (and A and D
 * written) as S-mode accesses under the PMP, and the page found is checked against it. */
static int rv64_page_walk(struct cpu *cpu, uint64_t va, unsigned access, unsigned mmu_idx,
                          uint64_t *pa, unsigned *prot)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    const struct softmmu *sm = (const struct softmmu *)cpu->as;
    unsigned mode = (unsigned)(r->satp >> SATP_MODE_SHIFT);
    if (mmu_idx == RV_MMU_M || mode == SATP_BARE) {
        *pa = va;
        *prot = MEM_READ | MEM_WRITE | MEM_EXEC;
        return pmp_filter(r, va, access, mmu_idx, prot);
    }
    int page_fault = access == MEM_EXEC ? EXC_FETCH_FAULT : EXC_DATA_FAULT;
    int levels = (int)mode - SATP_SV39 + 3;
    unsigned va_bits = SOFTMMU_PAGE_BITS + 9 * (unsigned)levels;
    if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
        return page_fault;
    bool user = mmu_idx == RV_MMU_U, sum = mmu_idx == RV_MMU_S_SUM;
    bool mxr = r->mstatus & MSTATUS_MXR;
retry:;
    uint64_t table = (r->satp & SATP_PPN) << SOFTMMU_PAGE_BITS;
    for (int level = levels - 1; level >= 0; level--) {
        unsigned shift = SOFTMMU_PAGE_BITS + 9 * (unsigned)level;
        uint64_t entry_pa = table + ((va >> shift) & 0x1ff) * 8;
        uint64_t *entry = (uint64_t *)physmap_ram(sm->map, entry_pa, 8);
        if (!entry || !rv64_pmp_allows(r, entry_pa, 8, MEM_READ, RV_PRIV_S))
            return EXC_BUS_ERROR;
        uint64_t pte = __atomic_load_n(entry, __ATOMIC_ACQUIRE);
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || pte >> PTE_RESERVED_SHIFT)
            return page_fault;
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & SATP_PPN;
        if (!(pte & (PTE_R | PTE_X))) {          /* a pointer to the next level */
            if (pte & (PTE_A | PTE_D | PTE_U))
                return page_fault;
            table = ppn << SOFTMMU_PAGE_BITS;
            continue;
        }
        uint64_t offset_mask = (1ull << shift) - 1;
        if ((ppn << SOFTMMU_PAGE_BITS) & offset_mask)     /* a misaligned superpage */
            return page_fault;
        bool upage = pte & PTE_U;
        unsigned allowed = 0;
        if (user ? upage : !upage || sum) {
            allowed = (pte & PTE_R) || (mxr && (pte & PTE_X)) ? MEM_READ : 0;
            allowed |= pte & PTE_W ? MEM_WRITE : 0;
            allowed |= (pte & PTE_X) && user == upage ? MEM_EXEC : 0;
        }
        if (!(allowed & access))
            return page_fault;
        uint64_t need = PTE_A | (access == MEM_WRITE ? PTE_D : 0);
        if ((pte & need) != need) {
            if (!rv64_pmp_allows(r, entry_pa, 8, MEM_WRITE, RV_PRIV_S))
                return EXC_BUS_ERROR;
            if (!__atomic_compare_exchange_n(entry, &pte, pte | need, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
                goto retry;
            pte |= need;
        }
        if (!(pte & PTE_D))
            allowed &= ~MEM_WRITE;
        if (level > 0) {
            if ((va & ~offset_mask) < r->superpage_lo)
                r->superpage_lo = va & ~offset_mask;
            if ((va | offset_mask) > r->superpage_hi)
                r->superpage_hi = va | offset_mask;
        }
        *pa = (ppn << SOFTMMU_PAGE_BITS) | (va & offset_mask);
        *prot = allowed;
        return pmp_filter(r, *pa, access, mmu_idx, prot);
    }
    return page_fault;
}

/* ---- reset and trap entry ---- */

static void rv64_reset(struct cpu *cpu)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    r->priv = RV_PRIV_M;
    r->mstatus = r->mtvec = r->mepc = r->mcause = r->mtval = r->mscratch = 0;
    r->mie = r->medeleg = r->mideleg = 0;
    __atomic_store_n(&r->mip, 0, __ATOMIC_RELEASE);
    r->stvec = r->sepc = r->scause = r->stval = r->sscratch = r->satp = 0;
    r->mcounteren = r->scounteren = r->mcountinhibit = r->menvcfg = r->senvcfg = 0;
    r->stimecmp = 0;
    for (size_t k = 0; k < 2; k++)
        r->pmpcfg[k] = 0;
    for (size_t k = 0; k < RV_PMP_ENTRIES; k++)
        r->pmpaddr[k] = 0;
    rv64_pmp_refresh(r);
    r->res_addr = ~0ull;
    r->waiting = RV_WAIT_NONE;
    r->wfi_spun = 0;
    pthread_mutex_init(&r->wfi_lock, NULL);
    pthread_condattr_t attr;     /* a stalled WFI's deadline is on the monotonic clock */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wfi_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (cpu->as)
        tlb_flush(r);
    update_flags(r);
}

/* The instruction at pc, fetched as the CPU fetches it (2 bytes for a compressed one), or
 * 0 when it cannot be read. */
static uint64_t instruction_at(struct rv64_cpu *r, uint64_t pc)
{
    uint16_t half[2];
    if (r->c.fetch_code(&r->c, pc, &half[0], 2) < 0)
        return 0;
    if ((half[0] & 3) != 3)
        return half[0];
    if (r->c.fetch_code(&r->c, pc + 2, &half[1], 2) < 0)
        return 0;
    return half[0] | (uint64_t)half[1] << 16;
}

/* LR (AMO opcode, funct5 2) is a load; the other atomics are store/AMO accesses. */
static bool is_lr(uint64_t insn)
{
    return (insn & 0x7f) == 0x2f && (insn >> 27) == 2;
}

/* The cause of exception exc at pc; the softmmu says which access faulted and how. */
static uint64_t cause_of(struct rv64_cpu *r, int exc, uint64_t pc)
{
    const struct softmmu *sm = (const struct softmmu *)r->c.as;
    bool store = sm->fault_access & MEM_WRITE;
    switch (exc) {
    case EXC_SYSCALL: return CAUSE_ECALL_U + r->priv;
    case EXC_BREAKPOINT: return CAUSE_BREAKPOINT;
    case EXC_MISALIGNED:     /* atomics: LR, SC and AMOs */
        return is_lr(instruction_at(r, pc)) ? CAUSE_LOAD_MISALIGNED : CAUSE_STORE_MISALIGNED;
    case EXC_FETCH_FAULT:
        return sm->fault_exc == EXC_BUS_ERROR ? CAUSE_FETCH_ACCESS : CAUSE_FETCH_PAGE;
    case EXC_DATA_FAULT: return store ? CAUSE_STORE_PAGE : CAUSE_LOAD_PAGE;
    case EXC_BUS_ERROR: return store ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS;
    default: return CAUSE_ILLEGAL;
    }
}

/* Vectors to the handler of trap cause (an interrupt's with the interrupt bit) at the level
 * medeleg/mideleg give it: below M-mode a delegated trap goes to S-mode. xEPC, xCAUSE,
 * xTVAL, the xIE/xPIE/xPP stack, and xTVEC (vectored mode offsets interrupts by 4 x cause). */
static void trap_enter(struct rv64_cpu *r, uint64_t cause, uint64_t tval, uint64_t epc)
{
    bool interrupt = cause & CAUSE_INTERRUPT;
    uint64_t code = cause & ~CAUSE_INTERRUPT;
    uint64_t deleg = interrupt ? r->mideleg : r->medeleg;
    uint64_t s = r->mstatus, tvec;
    if (r->priv <= RV_PRIV_S && (deleg >> code & 1)) {
        r->scause = cause;
        r->sepc = epc;
        r->stval = tval;
        s = (s & ~MSTATUS_SPIE) | (s & MSTATUS_SIE ? MSTATUS_SPIE : 0);
        s = (s & ~(MSTATUS_SIE | MSTATUS_SPP)) | (r->priv == RV_PRIV_S ? MSTATUS_SPP : 0);
        r->priv = RV_PRIV_S;
        tvec = r->stvec;
    } else {
        r->mcause = cause;
        r->mepc = epc;
        r->mtval = tval;
        s = (s & ~MSTATUS_MPIE) | (s & MSTATUS_MIE ? MSTATUS_MPIE : 0);
        s = (s & ~(MSTATUS_MIE | MSTATUS_MPP)) | r->priv << MSTATUS_MPP_SHIFT;
        r->priv = RV_PRIV_M;
        tvec = r->mtvec;
    }
    r->mstatus = s;
    r->res_addr = ~0ull;
    r->waiting = RV_WAIT_NONE;
    r->wfi_spun = 0;
    r->c.pc = (tvec & ~3ull) + ((tvec & 1) && interrupt ? 4 * code : 0);
    update_flags(r);
}

/* Exception exc (EXC_NONE: the interrupt interrupt_pending reported) with its tval: ecall
 * has none, an illegal instruction's is the instruction, a breakpoint's its address. */
static void rv64_exception_enter(struct cpu *cpu, int exc, uint64_t tval)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    if (exc == EXC_NONE) {
        int irq = interrupt_to_take(r);
        if (irq >= 0)
            trap_enter(r, CAUSE_INTERRUPT | (uint64_t)irq, 0, cpu->pc);
        return;
    }
    uint64_t epc = exc == EXC_SYSCALL ? cpu->pc - 4 : cpu->pc;
    uint64_t cause = cause_of(r, exc, epc);
    tval = exc == EXC_SYSCALL ? 0
         : cause == CAUSE_ILLEGAL ? instruction_at(r, epc)
         : cause == CAUSE_BREAKPOINT ? epc : tval;
    trap_enter(r, cause, tval, epc);
}

/* ---- snapshots ---- */

/* The state a snapshot holds, in its order: each row a field of struct rv64_cpu and its
 * number of 64-bit words. The time CSR is the board's (its ACLINT saves mtime); cycle and
 * instret count host time and are not state. */
#define RV64_SAVED(X)                                                                     \
    X(c.pc, 1) X(x, 32) X(f, 32) X(fflags, 1) X(frm, 1) X(res_addr, 1) X(res_val, 1)       \
    X(res_size, 1) X(priv, 1) X(mhartid, 1) X(mstatus, 1) X(mtvec, 1) X(mepc, 1)           \
    X(mcause, 1) X(mtval, 1) X(mscratch, 1) X(mie, 1) X(medeleg, 1) X(mideleg, 1) X(mip, 1) \
    X(stvec, 1) X(sepc, 1) X(scause, 1) X(stval, 1) X(sscratch, 1) X(satp, 1)              \
    X(mcounteren, 1) X(scounteren, 1) X(mcountinhibit, 1) X(menvcfg, 1) X(senvcfg, 1)      \
    X(pmpcfg, 2) X(pmpaddr, 16) X(stimecmp, 1)

static const struct saved_field {
    size_t offset;
    unsigned words;
} saved_fields[] = {
#define SAVED_ROW(field, n) { offsetof(struct rv64_cpu, field), n },
    RV64_SAVED(SAVED_ROW)
#undef SAVED_ROW
};

static uint64_t *saved_word(struct rv64_cpu *r, const struct saved_field *f, unsigned k)
{
    return (uint64_t *)((char *)r + f->offset) + k;
}

/* mip is changed by devices on other threads: read and written atomically. */
static bool is_mip(const struct saved_field *f)
{
    return f->offset == offsetof(struct rv64_cpu, mip);
}

static int rv64_save(void *opaque, struct state_writer *w)
{
    struct rv64_cpu *r = opaque;
    for (size_t i = 0; i < sizeof(saved_fields) / sizeof(saved_fields[0]); i++)
        for (unsigned k = 0; k < saved_fields[i].words; k++)
            state_put_u64(w, is_mip(&saved_fields[i]) ? mip_load(r)
                                                    : *saved_word(r, &saved_fields[i], k));
    return 0;
}

/* What the CSR writes could never have made is refused: such a CPU would break the
 * translation's assumptions (privilege level, satp's mode, mstatus' fixed fields). */
static bool loadable(const struct rv64_cpu *t, const struct rv64_cpu *r)
{
    uint64_t mode = t->satp >> SATP_MODE_SHIFT;
    return t->x[0] == 0 && (t->priv == RV_PRIV_U || t->priv == RV_PRIV_S || t->priv == RV_PRIV_M) &&
           t->mhartid == r->mhartid && t->frm <= 7 && t->fflags <= 31 &&
           !(t->mstatus & ~MSTATUS_WRITABLE) && (t->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT != 2 &&
           !(t->mip & ~MIP_ALL) && !(t->mie & ~MIP_ALL) && !(t->mideleg & ~MIP_S) &&
           !(t->medeleg & ~MEDELEG_WRITABLE) && !(t->satp & ~(SATP_PPN | 15ull << SATP_MODE_SHIFT)) &&
           (mode == SATP_BARE || mode == SATP_SV39 || mode == SATP_SV48 || mode == SATP_SV57) &&
           (t->res_size == 0 || t->res_size == 4 || t->res_size == 8);
}

static int rv64_load(void *opaque, struct state_reader *rd, bool commit)
{
    struct rv64_cpu *r = opaque;
    static struct rv64_cpu t;     /* the fields read; loads are one at a time */
    for (size_t i = 0; i < sizeof(saved_fields) / sizeof(saved_fields[0]); i++)
        for (unsigned k = 0; k < saved_fields[i].words; k++)
            *saved_word(&t, &saved_fields[i], k) = state_get_u64(rd);
    state_check(rd, loadable(&t, r));
    int err = state_reader_done(rd);
    if (err || !commit)
        return err;
    for (size_t i = 0; i < sizeof(saved_fields) / sizeof(saved_fields[0]); i++)
        for (unsigned k = 0; k < saved_fields[i].words; k++)
            if (!is_mip(&saved_fields[i]))
                *saved_word(r, &saved_fields[i], k) = *saved_word(&t, &saved_fields[i], k);
    __atomic_store_n(&r->mip, t.mip, __ATOMIC_RELEASE);
    r->waiting = RV_WAIT_NONE;      /* a WFI may end early */
    rv64_pmp_refresh(r);
    tlb_flush(r);
    update_flags(r);
    return 0;
}

const struct guest_system_ops rv64_system_ops = {
    .reset = rv64_reset,
    .exception_enter = rv64_exception_enter,
    .page_walk = rv64_page_walk,
    .interrupt_pending = rv64_interrupt_pending,
    .save = rv64_save,
    .load = rv64_load,
};
