/* The aarch64 guest as the rest of vm sees it: its guest_ops (translation, disassembly, state
 * dump, and the Linux user-mode ABI hooks), registered by name and ELF machine. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/registry.h"
#include "guest/aarch64/cpu.h"
#include "guest/aarch64/decode.h"
#include "guest/aarch64/sigframe.h"
#include "guest/aarch64/translate.h"

#define EM_AARCH64 183
enum { X_SYSCALL_NR = 8 };

/* AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h) for what the translator implements. */
enum {
    HWCAP_FP = 1 << 0, HWCAP_ASIMD = 1 << 1, HWCAP_ATOMICS = 1 << 8, HWCAP_CRC32 = 1 << 7,
};

static struct a64_cpu *a64(struct cpu *cpu)
{
    return (struct a64_cpu *)cpu;
}

static uint64_t a64_hwcap(void)
{
    return HWCAP_FP | HWCAP_ASIMD | HWCAP_CRC32 | HWCAP_ATOMICS;
}

static void a64_user_init(struct cpu *cpu, uint64_t entry, uint64_t sp)
{
    struct a64_cpu *r = a64(cpu);
    memset(r->x, 0, sizeof(r->x));
    memset(r->v, 0, sizeof(r->v));
    a64_set_nzcv(r, 0);
    r->fpcr = r->fpsr = 0;
    r->tpidr = 0;
    r->excl_addr = ~(uint64_t)0;
    r->x[A64_SP] = sp;
    cpu->pc = entry;
}

static uint64_t a64_syscall_nr(struct cpu *cpu)
{
    return a64(cpu)->x[X_SYSCALL_NR];
}

static uint64_t a64_syscall_arg(struct cpu *cpu, int i)
{
    return a64(cpu)->x[i];
}

static void a64_syscall_ret(struct cpu *cpu, uint64_t value)
{
    a64(cpu)->x[0] = value;
}

static void a64_set_tls(struct cpu *cpu, uint64_t tls)
{
    a64(cpu)->tpidr = tls;
}

static uint64_t a64_get_sp(struct cpu *cpu)
{
    return a64(cpu)->x[A64_SP];
}

static void a64_set_sp(struct cpu *cpu, uint64_t sp)
{
    a64(cpu)->x[A64_SP] = sp;
}

static void a64_dump_state(struct cpu *cpu, FILE *f)
{
    struct a64_cpu *r = a64(cpu);
    uint32_t nzcv = a64_nzcv(r);
    fprintf(f, "pc  %016" PRIx64 "  nzcv %u%u%u%u\n", cpu->pc, nzcv >> 31, nzcv >> 30 & 1,
            nzcv >> 29 & 1, nzcv >> 28 & 1);
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "%s%-2u %016" PRIx64 "%s", i == 31 ? "sp" : "x", i == 31 ? 0 : i, r->x[i],
                i % 4 == 3 ? "\n" : "  ");
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "v%-2u %016" PRIx64 "%016" PRIx64 "%s", i, r->v[i][1], r->v[i][0],
                i % 2 == 1 ? "\n" : "  ");
    fprintf(f, "fpcr %08" PRIx64 "  fpsr %08" PRIx64 "  tpidr %016" PRIx64 "\n", r->fpcr, r->fpsr,
            r->tpidr);
}

static const struct guest_ops a64_guest_ops = {
    .name = "aarch64",
    .elf_machine = EM_AARCH64,
    .state_size = sizeof(struct a64_cpu),
    .translate_insn = a64_translate_insn,
    .disas = a64_disas,
    .dump_state = a64_dump_state,
    .linux_abi = LINUX_ABI_GENERIC,
    .open_flags = LINUX_OPEN_FLAGS_ARM,
    .default_sysroot = "/usr/aarch64-linux-gnu",
    .hwcap = a64_hwcap,
    .platform = "aarch64",
    .user_init = a64_user_init,
    .syscall_nr = a64_syscall_nr,
    .syscall_arg = a64_syscall_arg,
    .syscall_ret = a64_syscall_ret,
    .set_tls = a64_set_tls,
    .get_sp = a64_get_sp,
    .set_sp = a64_set_sp,
    .syscall_insn_size = 4,
    .sigcontext_size = A64_SIGCONTEXT_SIZE,
    .sigcontext_save = a64_sigcontext_save,
    .sigcontext_restore = a64_sigcontext_restore,
    .signal_enter = a64_signal_enter,
    .sigreturn_code = a64_sigreturn_code,
    .sigreturn_code_size = sizeof(a64_sigreturn_code),
};
GUEST_REGISTER(a64_guest_ops)
