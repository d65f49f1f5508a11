/* riscv64 in system mode (guest_system_ops): the machine-mode CSRs, trap entry and MRET.
 * Only M-mode exists so far (misa has neither S nor U, mstatus.MPP reads as M): a program
 * runs, traps and returns at one level. CSRs are one table; a CSR instruction in system mode
 * that names none of the user-level CSRs calls helper_csr, which raises the illegal
 * instruction for a CSR that does not exist, a write to a read-only one or too low a
 * privilege level. */
#include "guest/riscv64/system.h"

#include <stddef.h>

#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/translate.h"
#include "mem/softmmu.h"

#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS (3ull << 13)
#define MIE_M (1ull << 3 | 1ull << 7 | 1ull << 11)     /* MSIE, MTIE, MEIE */
/* RV64 with I, M, A, F, D, C: MXL = 2. */
#define MISA_VALUE (2ull << 62 | 1u << ('I' - 'A') | 1u << ('M' - 'A') | 1u << ('A' - 'A') | \
                    1u << ('F' - 'A') | 1u << ('D' - 'A') | 1u << ('C' - 'A'))

/* Exception causes (mcause with the interrupt bit clear). */
enum {
    CAUSE_FETCH_MISALIGNED = 0, CAUSE_FETCH_ACCESS = 1, CAUSE_ILLEGAL = 2,
    CAUSE_BREAKPOINT = 3, CAUSE_LOAD_MISALIGNED = 4, CAUSE_LOAD_ACCESS = 5,
    CAUSE_STORE_MISALIGNED = 6, CAUSE_STORE_ACCESS = 7, CAUSE_ECALL_U = 8,
    CAUSE_FETCH_PAGE = 12, CAUSE_LOAD_PAGE = 13, CAUSE_STORE_PAGE = 15,
};

#define FIELD(f) offsetof(struct rv64_cpu, f)
#define CONSTANT SIZE_MAX

/* number, state field (CONSTANT: reads as value), bits a write changes, value */
static const struct csr_def {
    unsigned number;
    size_t field;
    uint64_t write_mask;
    uint64_t value;
} csrs[] = {
    { 0x300, FIELD(mstatus), MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_FS, 0 },   /* mstatus */
    { 0x301, CONSTANT, 0, MISA_VALUE },                                        /* misa */
    { 0x304, FIELD(mie), MIE_M, 0 },                                           /* mie */
    { 0x305, FIELD(mtvec), ~2ull, 0 },              /* mtvec: direct or vectored mode */
    { 0x340, FIELD(mscratch), ~0ull, 0 },                                      /* mscratch */
    { 0x341, FIELD(mepc), ~1ull, 0 },                                          /* mepc */
    { 0x342, FIELD(mcause), ~0ull, 0 },                                        /* mcause */
    { 0x343, FIELD(mtval), ~0ull, 0 },                                         /* mtval */
    { 0x344, FIELD(mip), 0, 0 },             /* mip: no interrupt source yet */
    { 0xf11, CONSTANT, 0, 0 },                                                 /* mvendorid */
    { 0xf12, CONSTANT, 0, 0 },                                                 /* marchid */
    { 0xf13, CONSTANT, 0, 0 },                                                 /* mimpid */
    { 0xf14, CONSTANT, 0, 0 },                                                 /* mhartid */
};

static const struct csr_def *csr_find(unsigned number)
{
    for (size_t k = 0; k < sizeof(csrs) / sizeof(csrs[0]); k++)
        if (csrs[k].number == number)
            return &csrs[k];
    return NULL;
}

static uint64_t *csr_field(struct rv64_cpu *r, const struct csr_def *d)
{
    return (uint64_t *)((char *)r + d->field);
}

static uint64_t csr_value(struct rv64_cpu *r, const struct csr_def *d)
{
    if (d->field == CONSTANT)
        return d->value;
    uint64_t v = *csr_field(r, d);
    return d->number == 0x300 ? v | (uint64_t)RV_PRIV_M << MSTATUS_MPP_SHIFT : v;
}

/* op = csr number | kind << 12 | writes << 14; src = the operand. Returns the old value. */
static uint64_t helper_csr(void *c, uint64_t op, uint64_t src, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    unsigned number = op & 0xfff, kind = (op >> 12) & 3;
    bool writes = op >> 14 & 1;
    const struct csr_def *d = csr_find(number);
    if (!d || ((number >> 8) & 3) > r->priv || (writes && (number >> 10) == 3))
        cpu_raise(&r->c, EXC_ILLEGAL, 0);
    uint64_t old = csr_value(r, d);
    if (writes && d->field != CONSTANT) {
        uint64_t v = kind == RV_CSR_RW ? src : kind == RV_CSR_RS ? old | src : old & ~src;
        uint64_t *f = csr_field(r, d);
        *f = (*f & ~d->write_mask) | (v & d->write_mask);
    }
    return old;
}

const struct ir_helper rv64_csr_helper = {
    "rv64_csr", helper_csr, 2, IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT, IR_I64,
};

/* MRET: back to mepc at mstatus.MPP with MIE restored from MPIE. Returns the new pc. */
static uint64_t helper_mret(void *c, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct rv64_cpu *r = c;
    uint64_t s = r->mstatus;
    s = (s & ~MSTATUS_MIE) | (s & MSTATUS_MPIE ? MSTATUS_MIE : 0);
    r->mstatus = s | MSTATUS_MPIE;
    r->priv = RV_PRIV_M;
    return r->mepc;
}

const struct ir_helper rv64_mret_helper = {
    "rv64_mret", helper_mret, 0, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};

static void rv64_reset(struct cpu *cpu)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    r->priv = RV_PRIV_M;
    r->mstatus = r->mtvec = r->mepc = r->mcause = r->mtval = r->mscratch = 0;
    r->mie = r->mip = r->medeleg = r->mideleg = 0;
    r->res_addr = ~0ull;
    cpu->tb_flags = RV_TBF_SYSTEM | RV_PRIV_M;
}

/* The cause of exception exc; the softmmu says which access faulted and how. */
static uint64_t cause_of(struct rv64_cpu *r, int exc)
{
    const struct softmmu *sm = (const struct softmmu *)r->c.as;
    bool store = sm->fault_access == MEM_WRITE;
    switch (exc) {
    case EXC_SYSCALL: return CAUSE_ECALL_U + r->priv;
    case EXC_BREAKPOINT: return CAUSE_BREAKPOINT;
    case EXC_MISALIGNED: return CAUSE_STORE_MISALIGNED;     /* atomics: AMO and SC */
    case EXC_FETCH_FAULT:
        return sm->fault_exc == EXC_BUS_ERROR ? CAUSE_FETCH_ACCESS : CAUSE_FETCH_PAGE;
    case EXC_DATA_FAULT: return store ? CAUSE_STORE_PAGE : CAUSE_LOAD_PAGE;
    case EXC_BUS_ERROR: return store ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS;
    default: return CAUSE_ILLEGAL;
    }
}

/* Takes exception exc into M-mode: mepc, mcause, mtval, the MIE/MPIE/MPP stack, mtvec. */
static void rv64_exception_enter(struct cpu *cpu, int exc, uint64_t tval)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    uint64_t epc = exc == EXC_SYSCALL ? cpu->pc - 4 : cpu->pc;
    r->mcause = cause_of(r, exc);
    r->mtval = exc == EXC_SYSCALL || exc == EXC_ILLEGAL ? 0
             : exc == EXC_BREAKPOINT ? epc : tval;
    r->mepc = epc;
    uint64_t s = r->mstatus;
    s = (s & ~MSTATUS_MPIE) | (s & MSTATUS_MIE ? MSTATUS_MPIE : 0);
    r->mstatus = s & ~MSTATUS_MIE;
    r->priv = RV_PRIV_M;
    r->res_addr = ~0ull;
    cpu->pc = r->mtvec & ~3ull;
    cpu->tb_flags = (cpu->tb_flags & ~RV_TBF_PRIV_MASK) | RV_TBF_SYSTEM | RV_PRIV_M;
}

const struct guest_system_ops rv64_system_ops = {
    .reset = rv64_reset,
    .exception_enter = rv64_exception_enter,
};
