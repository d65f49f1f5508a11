/* The riscv64 guest as the rest of vm sees it: its guest_ops (translation, disassembly, state
 * dump, and the Linux user-mode ABI hooks), registered by name and ELF machine. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/decode.h"
#include "guest/riscv64/signal.h"
#include "guest/riscv64/translate.h"

#define EM_RISCV 243
enum { X_SP = 2, X_TP = 4, X_A0 = 10, X_A7 = 17 };

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

static void dump_regs(FILE *f, const char *const names[32], const uint64_t regs[32])
{
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "%-4s %016" PRIx64 "%s", names[i], regs[i], i % 4 == 3 ? "\n" : "  ");
}

static void rv64_dump_state(struct cpu *cpu, FILE *f)
{
    struct rv64_cpu *r = rv(cpu);
    fprintf(f, "pc   %016" PRIx64 "\n", cpu->pc);
    dump_regs(f, rv64_xreg_names, r->x);
    dump_regs(f, rv64_freg_names, r->f);
    fprintf(f, "fflags %02" PRIx64 "  frm %" PRIu64 "  reservation %016" PRIx64 "\n", r->fflags,
            r->frm, r->res_addr);
}

static const struct guest_ops rv64_guest_ops = {
    .name = "riscv64",
    .elf_machine = EM_RISCV,
    .state_size = sizeof(struct rv64_cpu),
    .translate_insn = rv64_translate_insn,
    .disas = rv64_disas,
    .dump_state = rv64_dump_state,
    .linux_abi = LINUX_ABI_GENERIC,
    .default_sysroot = "/usr/riscv64-linux-gnu",
    .hwcap = rv64_hwcap,
    .platform = NULL,
    .user_init = rv64_user_init,
    .syscall_nr = rv64_syscall_nr,
    .syscall_arg = rv64_syscall_arg,
    .syscall_ret = rv64_syscall_ret,
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
GUEST_REGISTER(rv64_guest_ops)
