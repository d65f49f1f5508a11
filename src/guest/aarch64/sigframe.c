/* aarch64's Linux signal frame: uc_mcontext is the kernel's struct sigcontext (fault_address,
 * x0..x30, sp, pc, pstate, and a 4096-byte area of records). vm writes the FPSIMD record
 * (FPSR, FPCR, V0..V31) and the terminating empty record, and on rt_sigreturn reads back
 * the FPSIMD record wherever the records put it. Handlers without SA_RESTORER return through
 * vm's copy of the vDSO's __kernel_rt_sigreturn (mov x8, #139; svc #0), whose address goes
 * into x30. */
#include <string.h>

#include "guest/aarch64/cpu.h"
#include "guest/aarch64/sigframe.h"

#define FPSIMD_MAGIC 0x46508001u
#define LINK_REG 30

struct a64_record {
    uint32_t magic, size;
};

struct a64_fpsimd {
    struct a64_record head;
    uint32_t fpsr, fpcr;
    uint64_t v[32][2];
};

struct a64_sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp, pc, pstate;
    uint64_t pad; /* __reserved is 16-byte aligned */
    uint8_t reserved[4096];
};
_Static_assert(sizeof(struct a64_sigcontext) == A64_SIGCONTEXT_SIZE,
               "arm64 struct sigcontext is 4384 bytes");
_Static_assert(sizeof(struct a64_fpsimd) == 528, "arm64 struct fpsimd_context is 528 bytes");

const uint8_t a64_sigreturn_code[8] = {
    0x68, 0x11, 0x80, 0xd2,     /* mov x8, #139 (rt_sigreturn) */
    0x01, 0x00, 0x00, 0xd4,     /* svc #0 */
};

void a64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t fault_addr)
{
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    struct a64_sigcontext sc;
    memset(&sc, 0, sizeof(sc));
    sc.fault_address = fault_addr;
    memcpy(sc.regs, r->x, sizeof(sc.regs));
    sc.sp = r->x[A64_SP];
    sc.pc = cpu->pc;
    sc.pstate = a64_nzcv(r);
    struct a64_fpsimd fp = { { FPSIMD_MAGIC, sizeof(fp) }, (uint32_t)r->fpsr, (uint32_t)r->fpcr, { { 0 } } };
    memcpy(fp.v, r->v, sizeof(fp.v));
    memcpy(sc.reserved, &fp, sizeof(fp)); /* the zeroed record after it ends the list */
    memcpy(mc, &sc, sizeof(sc));
}

void a64_sigcontext_restore(struct cpu *cpu, const void *mc)
{
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    struct a64_sigcontext sc;
    memcpy(&sc, mc, sizeof(sc));
    memcpy(r->x, sc.regs, sizeof(sc.regs));
    r->x[A64_SP] = sc.sp;
    cpu->pc = sc.pc;
    a64_set_nzcv(r, (uint32_t)sc.pstate);
    r->excl_addr = ~(uint64_t)0;
    for (size_t off = 0; off + sizeof(struct a64_record) <= sizeof(sc.reserved);) {
        struct a64_record head;
        memcpy(&head, sc.reserved + off, sizeof(head));
        if (head.magic == 0 || head.size < sizeof(head) || head.size > sizeof(sc.reserved) - off)
            break;
        if (head.magic == FPSIMD_MAGIC && head.size >= sizeof(struct a64_fpsimd)) {
            struct a64_fpsimd fp;
            memcpy(&fp, sc.reserved + off, sizeof(fp));
            r->fpsr = fp.fpsr & FPSR_MASK;
            r->fpcr = fp.fpcr & FPCR_MASK;
            memcpy(r->v, fp.v, sizeof(r->v));
        }
        off += head.size;
    }
}

void a64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                      uint64_t sp, uint64_t ret)
{
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    r->x[0] = (uint64_t)sig;
    r->x[1] = info;
    r->x[2] = uc;
    r->x[A64_SP] = sp;
    r->x[LINK_REG] = ret;
    r->excl_addr = ~(uint64_t)0;
    cpu->pc = handler;
}
