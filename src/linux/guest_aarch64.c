/* aarch64's Linux ABI (linux/guest_linux.h): registers of the syscall convention (x8, x0..x5,
 * tpidr_el0, sp), auxv values, Arm's open(2) flags, and the signal frame. uc_mcontext is the
 * kernel's struct sigcontext (fault_address, x0..x30, sp, pc, pstate, and a 4096-byte area
 * of records). vm writes the FPSIMD record (FPSR, FPCR, V0..V31) and the terminating empty
 * record, and on rt_sigreturn reads back the FPSIMD record wherever the records put it.
 * Handlers without SA_RESTORER return through vm's copy of the vDSO's __kernel_rt_sigreturn
 * (mov x8, #139; svc #0), whose address goes into x30. */
#include <elf.h>
#include <string.h>

#include "guest/aarch64/cpu.h"
#include "linux/guest_linux.h"
#include "linux/syscall.h"

#define A64_FPSIMD_MAGIC 0x46508001u
#define LINK_REG 30
#define X_SYSCALL_NR 8
/* struct sigcontext: fault_address, regs[31], sp, pc, pstate, then 4096 reserved bytes. */
#define A64_SIGCONTEXT_SIZE 4384

/* AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h) for what the translator implements. */
enum {
    HWCAP_FP = 1 << 0, HWCAP_ASIMD = 1 << 1, HWCAP_ATOMICS = 1 << 8, HWCAP_CRC32 = 1 << 7,
};

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

/* Arm's values of O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE. */
static const struct linux_open_flag a64_open_flags[] = {
    { 040000, 0200000 },    /* O_DIRECTORY */
    { 0100000, 0400000 },   /* O_NOFOLLOW */
    { 0200000, 040000 },    /* O_DIRECT */
    { 0400000, 0100000 },   /* O_LARGEFILE */
};

static const uint8_t a64_sigreturn_code[8] = {
    0x68, 0x11, 0x80, 0xd2,     /* mov x8, #139 (rt_sigreturn) */
    0x01, 0x00, 0x00, 0xd4,     /* svc #0 */
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

static uint64_t a64_syscall_result(struct cpu *cpu)
{
    return a64(cpu)->x[0];
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

static void a64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t mc_addr,
                            uint64_t fault_addr, const siginfo_t *info)
{
    (void)mc_addr, (void)info;
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    struct a64_sigcontext sc;
    memset(&sc, 0, sizeof(sc));
    sc.fault_address = fault_addr;
    memcpy(sc.regs, r->x, sizeof(sc.regs));
    sc.sp = r->x[A64_SP];
    sc.pc = cpu->pc;
    sc.pstate = a64_nzcv(r);
    struct a64_fpsimd fp = { { A64_FPSIMD_MAGIC, sizeof(fp) }, (uint32_t)r->fpsr, (uint32_t)r->fpcr, { { 0 } } };
    memcpy(fp.v, r->v, sizeof(fp.v));
    memcpy(sc.reserved, &fp, sizeof(fp)); /* the zeroed record after it ends the list */
    memcpy(mc, &sc, sizeof(sc));
}

static int a64_sigcontext_restore(struct cpu *cpu, const void *mc)
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
        if (head.magic == A64_FPSIMD_MAGIC && head.size >= sizeof(struct a64_fpsimd)) {
            struct a64_fpsimd fp;
            memcpy(&fp, sc.reserved + off, sizeof(fp));
            r->fpsr = fp.fpsr & FPSR_MASK;
            r->fpcr = fp.fpcr & FPCR_MASK;
            memcpy(r->v, fp.v, sizeof(r->v));
        }
        off += head.size;
    }
    return 0;
}

static void a64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info,
                             uint64_t uc, uint64_t sp, uint64_t ret)
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

static const struct guest_linux_ops a64_linux_ops = {
    .elf_machine = EM_AARCH64,
    .syscalls = &syscall_abi_generic,
    .open_flags = a64_open_flags,
    .n_open_flags = sizeof(a64_open_flags) / sizeof(a64_open_flags[0]),
    .default_sysroot = "/usr/aarch64-linux-gnu",
    .hwcap = a64_hwcap,
    .platform = "aarch64",
    .user_init = a64_user_init,
    .syscall_nr = a64_syscall_nr,
    .syscall_arg = a64_syscall_arg,
    .syscall_ret = a64_syscall_ret,
    .syscall_result = a64_syscall_result,
    .set_tls = a64_set_tls,
    .get_sp = a64_get_sp,
    .set_sp = a64_set_sp,
    .syscall_insn_size = 4,
    .sa_restorer = true,
    .sigcontext_size = A64_SIGCONTEXT_SIZE,
    .sigcontext_save = a64_sigcontext_save,
    .sigcontext_restore = a64_sigcontext_restore,
    .signal_enter = a64_signal_enter,
    .sigreturn_code = a64_sigreturn_code,
    .sigreturn_code_size = sizeof(a64_sigreturn_code),
};
GUEST_LINUX_REGISTER(a64_linux_ops)
