/* riscv64's Linux signal frame: uc_mcontext is the kernel's struct sigcontext, i.e.
 * user_regs_struct (pc, x1..x31) followed by union __riscv_fp_state (d: f[32], fcsr; the
 * union is 528 bytes for its q member). Handlers return through vm's copy of the vDSO's
 * __vdso_rt_sigreturn (li a7, 139; ecall), whose address goes into ra. */
#include <stddef.h>
#include <string.h>

#include "guest/riscv64/cpu.h"
#include "guest/riscv64/signal.h"

enum { X_RA = 1, X_SP = 2, X_A0 = 10 };

struct rv64_sigcontext {
    uint64_t regs[32];      /* regs[0] is the pc */
    uint64_t f[32];
    uint32_t fcsr;
    uint8_t fp_rest[528 - 256 - 4];
};
_Static_assert(sizeof(struct rv64_sigcontext) == RV64_SIGCONTEXT_SIZE,
               "riscv64 struct sigcontext is 784 bytes");

const uint8_t rv64_sigreturn_code[8] = {
    0x93, 0x08, 0xb0, 0x08,     /* li a7, 139 (rt_sigreturn) */
    0x73, 0x00, 0x00, 0x00,     /* ecall */
};

void rv64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t fault_addr)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    struct rv64_sigcontext sc;
    memset(&sc, 0, sizeof(sc));
    sc.regs[0] = cpu->pc;
    memcpy(&sc.regs[1], &r->x[1], 31 * sizeof(uint64_t));
    memcpy(sc.f, r->f, sizeof(sc.f));
    sc.fcsr = (uint32_t)((r->fflags & 0x1f) | (r->frm & 7) << 5);
    memcpy(mc, &sc, sizeof(sc));
}

void rv64_sigcontext_restore(struct cpu *cpu, const void *mc)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    struct rv64_sigcontext sc;
    memcpy(&sc, mc, sizeof(sc));
    cpu->pc = sc.regs[0];
    memcpy(&r->x[1], &sc.regs[1], 31 * sizeof(uint64_t));
    memcpy(r->f, sc.f, sizeof(sc.f));
    r->fflags = sc.fcsr & 0x1f;
    r->frm = (sc.fcsr >> 5) & 7;
    r->res_addr = ~(uint64_t)0;
}

void rv64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                       uint64_t sp, uint64_t ret)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    r->x[X_A0] = (uint64_t)sig;
    r->x[X_A0 + 1] = info;
    r->x[X_A0 + 2] = uc;
    r->x[X_SP] = sp;
    r->x[X_RA] = ret;
    r->res_addr = ~(uint64_t)0;
    cpu->pc = handler;
}
