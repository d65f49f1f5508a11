/* riscv64's Linux ABI (linux/guest_linux.h): registers of the syscall convention (a7, a0..a5,
 * tp, sp), auxv values, and the signal frame. uc_mcontext is the kernel's struct sigcontext,
 * i.e. user_regs_struct (pc, x1..x31) followed by union __riscv_fp_state (d: f[32], fcsr;
 * the union is 528 bytes for its q member). Handlers return through vm's copy of the vDSO's
 * __vdso_rt_sigreturn (li a7, 139; ecall), whose address goes into ra. */
#include <elf.h>
#include <stddef.h>
#include <string.h>

#include "guest/riscv64/cpu.h"
#include "linux/guest_linux.h"
#include "linux/syscall.h"

#define RV64_SIGCONTEXT_SIZE 784
enum { X_RA = 1, X_SP = 2, X_TP = 4, X_A0 = 10, X_A7 = 17 };

static struct rv64_cpu *rv(struct cpu *cpu)
{
    return (struct rv64_cpu *)cpu;
}

/* AT_HWCAP: one bit per single-letter extension, bit ('X' - 'A'). */
static uint64_t rv64_hwcap(void)
{
    static const char extensions[] = "IMAFDC";
    uint64_t caps = 0;
    for (const char *e = extensions; *e; e++)
        caps |= 1ull << (*e - 'A');
    return caps;
}

static void rv64_user_init(struct cpu *cpu, uint64_t entry, uint64_t sp)
{
    struct rv64_cpu *r = rv(cpu);
    memset(r->x, 0, sizeof(r->x));
    memset(r->f, 0, sizeof(r->f));
    r->fflags = 0;
    r->frm = 0;
    r->res_addr = ~(uint64_t)0;
    r->res_val = 0;
    r->res_size = 0;
    r->x[X_SP] = sp;
    cpu->pc = entry;
}

static uint64_t rv64_syscall_nr(struct cpu *cpu)
{
    return rv(cpu)->x[X_A7];
}

static uint64_t rv64_syscall_arg(struct cpu *cpu, int i)
{
    return rv(cpu)->x[X_A0 + i];
}

static void rv64_syscall_ret(struct cpu *cpu, uint64_t value)
{
    rv(cpu)->x[X_A0] = value;
}

static uint64_t rv64_syscall_result(struct cpu *cpu)
{
    return rv(cpu)->x[X_A0];
}

static void rv64_set_tls(struct cpu *cpu, uint64_t tls)
{
    rv(cpu)->x[X_TP] = tls;
}

static uint64_t rv64_get_sp(struct cpu *cpu)
{
    return rv(cpu)->x[X_SP];
}

static void rv64_set_sp(struct cpu *cpu, uint64_t sp)
{
    rv(cpu)->x[X_SP] = sp;
}

struct rv64_sigcontext {
    uint64_t regs[32];      /* regs[0] is the pc */
    uint64_t f[32];
    uint32_t fcsr;
    uint8_t fp_rest[528 - 256 - 4];
};
_Static_assert(sizeof(struct rv64_sigcontext) == RV64_SIGCONTEXT_SIZE,
               "riscv64 struct sigcontext is 784 bytes");

static const uint8_t rv64_sigreturn_code[8] = {
    0x93, 0x08, 0xb0, 0x08,     /* li a7, 139 (rt_sigreturn) */
    0x73, 0x00, 0x00, 0x00,     /* ecall */
};

static void rv64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t mc_addr,
                             uint64_t fault_addr, const siginfo_t *info)
{
    (void)mc_addr, (void)fault_addr, (void)info;
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    struct rv64_sigcontext sc;
    memset(&sc, 0, sizeof(sc));
    sc.regs[0] = cpu->pc;
    memcpy(&sc.regs[1], &r->x[1], 31 * sizeof(uint64_t));
    memcpy(sc.f, r->f, sizeof(sc.f));
    sc.fcsr = (uint32_t)((r->fflags & 0x1f) | (r->frm & 7) << 5);
    memcpy(mc, &sc, sizeof(sc));
}

static int rv64_sigcontext_restore(struct cpu *cpu, const void *mc)
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
    return 0;
}

static void rv64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info,
                              uint64_t uc, uint64_t sp, uint64_t ret)
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

static const struct guest_linux_ops rv64_linux_ops = {
    .elf_machine = EM_RISCV,
    .syscalls = &syscall_abi_generic,
    .default_sysroot = "/usr/riscv64-linux-gnu",
    .hwcap = rv64_hwcap,
    .platform = NULL,
    .user_init = rv64_user_init,
    .syscall_nr = rv64_syscall_nr,
    .syscall_arg = rv64_syscall_arg,
    .syscall_ret = rv64_syscall_ret,
    .syscall_result = rv64_syscall_result,
    .set_tls = rv64_set_tls,
    .get_sp = rv64_get_sp,
    .set_sp = rv64_set_sp,
    .syscall_insn_size = 4,
    .sigcontext_size = RV64_SIGCONTEXT_SIZE,
    .sigcontext_save = rv64_sigcontext_save,
    .sigcontext_restore = rv64_sigcontext_restore,
    .signal_enter = rv64_signal_enter,
    .sigreturn_code = rv64_sigreturn_code,
    .sigreturn_code_size = sizeof(rv64_sigreturn_code),
};
GUEST_LINUX_REGISTER(rv64_linux_ops)
