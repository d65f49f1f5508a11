/* x86-64's Linux ABI (linux/guest_linux.h): the syscall convention (rax, then rdi rsi rdx r10
 * r8 r9, the result in rax; SYSCALL itself clobbers rcx and r11), FS as the thread pointer,
 * arch_prctl, auxv values, and the signal frame. x86-64's rt_sigframe is the return address
 * (pretcode: the sa_restorer glibc passes, which is mandatory), struct ucontext (uc_mcontext
 * is struct sigcontext: the registers in the kernel's order, eflags, segment selectors, err,
 * trapno, oldmask, cr2 and a pointer to the FPU state; uc_sigmask after it), siginfo, and the
 * FPU state as Linux writes it with XSAVE: the FXSAVE image (x87, MXCSR, XMM0..15) whose
 * software-reserved bytes say (FP_XSTATE_MAGIC1) that an XSAVE header and the AVX state (the
 * upper YMM halves) follow, ended by FP_XSTATE_MAGIC2; uc_flags has UC_FP_XSTATE. No vDSO:
 * glibc makes real system calls without AT_SYSINFO_EHDR. The vsyscall
 * page is emulated as Linux's default (vsyscall=xonly) does: a call to one of its three entries
 * is the system call it stands for, and returns. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/cpuid.h"
#include "guest/x86_64/decode.h"
#include "guest/x86_64/fault.h"
#include "guest/x86_64/fxsave.h"
#include "linux/guest_linux.h"
#include "linux/proc.h"
#include "linux/syscall.h"
#include "mem/uspace.h"

/* The frame (struct sigframe_layout): pretcode at 0, ucontext at 8 (uc_mcontext at 40 in it,
 * uc_sigmask at 296), siginfo at 312, then the XSAVE area at the first 64-byte boundary from
 * FPSTATE_OFF (XSAVE needs that alignment; the frame is only 16-aligned, its address + 8
 * being so as after a call), then FP_XSTATE_MAGIC2. */
#define SC_SIZE 256
#define UC_OFF 8
#define UC_MCONTEXT 40
#define UC_SIGMASK (UC_MCONTEXT + SC_SIZE)
#define INFO_OFF (UC_OFF + UC_SIGMASK + 8)
#define FPSTATE_OFF (INFO_OFF + 128)
#define FRAME_SIZE (FPSTATE_OFF + 48 + X64_XSAVE_SIZE + 4)
#define RED_ZONE 128
#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4

/* struct _fpx_sw_bytes in the FXSAVE image's bytes 464..511 (asm/sigcontext.h): magic1, the
 * size of the state with magic2, the components in the XSAVE area, the area's size. */
#define SW_BYTES 464
#define X64_FP_XSTATE_MAGIC1 0x46505853u
#define X64_FP_XSTATE_MAGIC2 0x46505845u

/* Linux's selectors for 64-bit user code and data. */
#define USER_CS 0x33
#define USER_SS 0x2b

/* The trap numbers the kernel records in the frame, and the page-fault error code's bits. */
enum {
    TRAP_DE = 0, TRAP_BP = 3, TRAP_UD = 6, TRAP_SS = 12, TRAP_GP = 13, TRAP_PF = 14,
    TRAP_MF = 16, TRAP_XF = 19,
};
enum { PF_PROT = 1, PF_WRITE = 2, PF_USER = 4, PF_INSTR = 16 };

/* arch_prctl codes (arch/x86/include/uapi/asm/prctl.h). */
enum {
    ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004,
    ARCH_GET_CPUID = 0x1011, ARCH_SET_CPUID = 0x1012,
    ARCH_GET_XCOMP_SUPP = 0x1021, ARCH_GET_XCOMP_PERM = 0x1022, ARCH_REQ_XCOMP_PERM = 0x1023,
    ARCH_GET_XCOMP_GUEST_PERM = 0x1024, ARCH_REQ_XCOMP_GUEST_PERM = 0x1025,
};
#define TASK_SIZE_MAX ((1ull << 47) - 4096)

struct x64_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};
_Static_assert(sizeof(struct x64_sigcontext) == SC_SIZE, "x86-64 struct sigcontext is 256 bytes");

/* The kernel's order of the general registers in struct sigcontext, as enum x64_reg. */
static const uint8_t sc_regs[16] = {
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
    X64_RDI, X64_RSI, X64_RBP, X64_RBX, X64_RDX, X64_RAX, X64_RCX, X64_RSP,
};

/* Syscall argument registers in order. */
static const uint8_t arg_regs[6] = { X64_RDI, X64_RSI, X64_RDX, X64_R10, X64_R8, X64_R9 };

static struct x64_cpu *x64(struct cpu *cpu)
{
    return (struct x64_cpu *)cpu;
}

/* As Linux: CPUID leaf 1's EDX. */
static uint64_t x64_hwcap(void)
{
    uint32_t r[4];
    x64_cpuid(1, 0, r);
    return r[3];
}

/* HWCAP2_RING3MWAIT and HWCAP2_FSGSBASE: vm offers neither. */
static uint64_t x64_hwcap2(void)
{
    return 0;
}

/* The FPU and SSE state a new process, and a signal handler, starts with. */
static void fpu_init(struct x64_cpu *r)
{
    memset(r->ymm, 0, sizeof(r->ymm));
    memset(&r->x87, 0, sizeof(r->x87));
    r->mxcsr = X64_MXCSR_RESET;
    r->x87.fcw = X64_FCW_RESET;
    r->x87.ftw = 0xffff;   /* all empty */
}

static void x64_user_init(struct cpu *cpu, uint64_t entry, uint64_t sp)
{
    struct x64_cpu *r = x64(cpu);
    memset(r->r, 0, sizeof(r->r));
    x64_set_eflags(r, 0);
    r->fs_base = r->gs_base = 0;
    fpu_init(r);
    r->r[X64_RSP] = sp;
    cpu->pc = entry;
}

static uint64_t x64_syscall_nr(struct cpu *cpu)
{
    return x64(cpu)->r[X64_RAX];
}

static uint64_t x64_syscall_arg(struct cpu *cpu, int i)
{
    return x64(cpu)->r[arg_regs[i]];
}

static void x64_syscall_ret(struct cpu *cpu, uint64_t value)
{
    x64(cpu)->r[X64_RAX] = value;
}

static uint64_t x64_syscall_result(struct cpu *cpu)
{
    return x64(cpu)->r[X64_RAX];
}

static void x64_set_tls(struct cpu *cpu, uint64_t tls)
{
    x64(cpu)->fs_base = tls;
}

static uint64_t x64_get_sp(struct cpu *cpu)
{
    return x64(cpu)->r[X64_RSP];
}

static void x64_set_sp(struct cpu *cpu, uint64_t sp)
{
    x64(cpu)->r[X64_RSP] = sp;
}

/* Which access of the instruction at the pc faulted at addr (guest/x86_64/fault.h), or none
 * if it cannot be decoded any more. */
static struct x64_access fault_access(struct cpu *cpu, uint64_t addr)
{
    uint8_t code[X64_MAX_LEN];
    struct x64_insn in;
    const struct uspace *us = &proc_of(cpu)->us;
    for (size_t len = X64_MAX_LEN; len > 0; len--)
        if (uspace_fetch(us, cpu->pc, code, len) == 0)
            return x64_decode(code, len, &in) == 0 ? x64_fault_access(x64(cpu), &in, addr)
                                                   : (struct x64_access){ false, false };
    return (struct x64_access){ false, false };
}

/* x86-64's own fault reports: a data access to a non-canonical address (which the address
 * space, ending long before any, faults on) is #GP, SIGSEGV from the kernel with no address,
 * or #SS through SS, SIGBUS likewise; a jump to one is #GP at the jump, as is a misaligned
 * SSE operand at its instruction (fault.h). */
static int x64_fault_siginfo(struct cpu *cpu, siginfo_t *info)
{
    if (x64_gp_fixup(cpu))
        return 0;
    if (cpu->exc != EXC_DATA_FAULT || x64_canonical(cpu->exc_tval))
        return 0;
    if (!fault_access(cpu, cpu->exc_tval).stack) {
        cpu->exc = EXC_PROTECTION;
        cpu->exc_tval = 0;
        return 0;
    }
    memset(info, 0, sizeof(*info));
    info->si_signo = SIGBUS;
    info->si_code = SI_KERNEL;
    return SIGBUS;
}

/* trapno and err as Linux records them for the fault that raised info's signal. A page
 * fault's error code has P when the page is mapped with some access (Linux keeps a PROT_NONE
 * page not present; one never touched may be too, which vm does not model) and W for a
 * write, which a read-modify-write is. */
static void fault_trap(struct cpu *cpu, const siginfo_t *info, struct x64_sigcontext *sc)
{
    if (info->si_code <= 0)
        return;   /* not a fault */
    uint64_t addr = (uint64_t)(uintptr_t)info->si_addr;
    switch (info->si_signo) {
    case SIGSEGV:
        if (info->si_code == SI_KERNEL) {
            sc->trapno = TRAP_GP;
            break;
        }
        sc->trapno = TRAP_PF;
        sc->err = PF_USER;
        if (info->si_code == SEGV_ACCERR &&
            uspace_access_ok(&proc_of(cpu)->us, addr, 1, PROT_READ))
            sc->err |= PF_PROT;
        if (addr - cpu->pc < 16)
            sc->err |= PF_INSTR;
        else if (fault_access(cpu, addr).write)
            sc->err |= PF_WRITE;
        sc->cr2 = addr;
        break;
    case SIGBUS:
        if (info->si_code == SI_KERNEL) {
            sc->trapno = TRAP_SS;
            break;
        }
        sc->trapno = TRAP_PF;
        sc->err = PF_USER | PF_PROT;
        sc->cr2 = addr;
        break;
    case SIGILL:
        sc->trapno = TRAP_UD;
        break;
    case SIGFPE:   /* #DE, or the #MF or #XM of an unmasked floating-point exception */
        sc->trapno = cpu->exc != EXC_FLOAT ? TRAP_DE : cpu->exc_tval & EXC_FLOAT_SIMD ? TRAP_XF
                                                                                   : TRAP_MF;
        break;
    case SIGTRAP:
        sc->trapno = TRAP_BP;
        break;
    }
}

static void x64_sigcontext_save(struct cpu *cpu, void *mc, uint64_t mc_addr, uint64_t fault_addr,
                                const siginfo_t *info)
{
    (void)fault_addr;
    struct x64_cpu *r = x64(cpu);
    struct x64_sigcontext sc;
    memset(&sc, 0, sizeof(sc));
    uint64_t *regs = &sc.r8;
    for (unsigned i = 0; i < 16; i++)
        regs[i] = r->r[sc_regs[i]];
    sc.rip = cpu->pc;
    sc.eflags = x64_eflags(r);
    sc.cs = USER_CS;
    sc.ss = USER_SS;
    fault_trap(cpu, info, &sc);
    memcpy(&sc.oldmask, (uint8_t *)mc + SC_SIZE, sizeof(sc.oldmask));   /* uc_sigmask */
    sc.fpstate = (mc_addr - UC_MCONTEXT - UC_OFF + FPSTATE_OFF + 63) & ~(uint64_t)63;
    memcpy(mc, &sc, sizeof(sc));
    uint8_t *fp = (uint8_t *)mc + (sc.fpstate - mc_addr);
    memset(fp, 0, X64_XSAVE_SIZE);
    x64_xsave(r, fp, X64_XCR0, true, false);
    uint32_t sw[5] = { X64_FP_XSTATE_MAGIC1, X64_XSAVE_SIZE + 4, X64_XCR0, 0, X64_XSAVE_SIZE };
    memcpy(fp + SW_BYTES, sw, sizeof(sw));
    uint32_t magic2 = X64_FP_XSTATE_MAGIC2;
    memcpy(fp + X64_XSAVE_SIZE, &magic2, 4);
}

/* The EFLAGS bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS less TF and RF,
 * which vm does not model). */
#define SIGRETURN_EFLAGS (X64_FLAGS_ARITH | X64_DF | X64_AC)

static int x64_sigcontext_restore(struct cpu *cpu, const void *mc)
{
    struct x64_cpu *r = x64(cpu);
    struct x64_sigcontext sc;
    memcpy(&sc, mc, sizeof(sc));
    uint8_t fx[X64_XSAVE_SIZE + 4];
    if (sc.fpstate && uspace_read(&proc_of(cpu)->us, sc.fpstate, fx, X64_FXSAVE_SIZE) < 0)
        return -EFAULT;
    /* as Linux: the XSAVE state when the software bytes and magic2 say it is there */
    uint32_t sw[5];
    uint64_t xfeatures = 0;
    memcpy(sw, fx + SW_BYTES, sizeof(sw));
    if (sc.fpstate && sw[0] == X64_FP_XSTATE_MAGIC1 && sw[4] >= X64_XSAVE_SIZE &&
        sw[1] == sw[4] + 4 &&
        uspace_read(&proc_of(cpu)->us, sc.fpstate + X64_FXSAVE_SIZE, fx + X64_FXSAVE_SIZE,
                    X64_XSAVE_SIZE - X64_FXSAVE_SIZE) == 0) {
        uint32_t magic2;
        if (uspace_read(&proc_of(cpu)->us, sc.fpstate + sw[4], &magic2, 4) == 0 &&
            magic2 == X64_FP_XSTATE_MAGIC2)
            xfeatures = (sw[2] | (uint64_t)sw[3] << 32) & X64_XCR0;
    }
    const uint64_t *regs = &sc.r8;
    for (unsigned i = 0; i < 16; i++)
        r->r[sc_regs[i]] = regs[i];
    cpu->pc = sc.rip;
    x64_set_eflags(r, (x64_eflags(r) & ~(uint64_t)SIGRETURN_EFLAGS) |
                      (sc.eflags & SIGRETURN_EFLAGS));
    if (sc.fpstate) {
        /* as Linux: MXCSR's reserved bits are dropped, not refused; without XSAVE state (or
         * with a header XRSTOR refuses) the upper YMM halves return to their initial zeros */
        uint32_t mxcsr;
        memcpy(&mxcsr, fx + 24, 4);
        mxcsr &= X64_MXCSR_MASK;
        memcpy(fx + 24, &mxcsr, 4);
        uint64_t bv;
        memcpy(&bv, fx + X64_XSAVE_HEADER, 8);
        bv &= xfeatures;   /* the components the software bytes leave out start afresh */
        memcpy(fx + X64_XSAVE_HEADER, &bv, 8);
        if (!xfeatures || x64_xrstor(r, fx, X64_XCR0, true) < 0) {
            memset(r->ymm, 0, sizeof(r->ymm));
            x64_fxrstor(r, fx, true);
        }
    } else
        fpu_init(r);
    return 0;
}

/* Like Linux: DF clear as at any function entry, and the handler starts with a fresh FPU. */
static void x64_signal_enter(struct cpu *cpu, uint64_t handler, int sig, uint64_t info,
                             uint64_t uc, uint64_t sp, uint64_t ret)
{
    (void)ret;   /* already in the frame's pretcode */
    struct x64_cpu *r = x64(cpu);
    r->r[X64_RDI] = (uint64_t)sig;
    r->r[X64_RSI] = info;
    r->r[X64_RDX] = uc;
    r->r[X64_RAX] = 0;
    r->r[X64_RSP] = sp;
    x64_set_eflags(r, x64_eflags(r) & ~(uint64_t)X64_DF);
    fpu_init(r);
    cpu->pc = handler;
}

SYSCALL(arch_prctl)
{
    struct x64_cpu *r = x64(cpu);
    struct uspace *us = &proc_of(cpu)->us;
    uint64_t value;
    switch (a[0]) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if (a[1] >= TASK_SIZE_MAX)
            return -EPERM;
        *(a[0] == ARCH_SET_FS ? &r->fs_base : &r->gs_base) = a[1];
        return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
        value = a[0] == ARCH_GET_FS ? r->fs_base : r->gs_base;
        return uspace_write(us, a[1], &value, sizeof(value)) < 0 ? -EFAULT : 0;
    case ARCH_GET_CPUID:
        return 1;   /* CPUID does not fault */
    case ARCH_SET_CPUID:
        return -ENODEV;   /* no CPUID faulting */
    case ARCH_GET_XCOMP_SUPP:
    case ARCH_GET_XCOMP_PERM:
    case ARCH_GET_XCOMP_GUEST_PERM:
        value = X64_XCR0;
        return uspace_write(us, a[1], &value, sizeof(value)) < 0 ? -EFAULT : 0;
    case ARCH_REQ_XCOMP_PERM:
    case ARCH_REQ_XCOMP_GUEST_PERM:
        return a[1] < 64 && (X64_XCR0 >> a[1] & 1) ? 0 : -EINVAL;   /* no dynamic features */
    default:
        return -EINVAL;
    }
}

/* The vsyscall page's entries, 1 KiB apart: gettimeofday, time, getcpu. */
#define VSYSCALL_PAGE 0xffffffffff600000ull
static const uint16_t vsyscall_nr[3] = { 96, 201, 309 };

static bool x64_vsyscall(struct cpu *cpu)
{
    struct x64_cpu *r = x64(cpu);
    uint64_t off = cpu->pc - VSYSCALL_PAGE, ret;
    if (cpu->pc < VSYSCALL_PAGE || off % 1024 || off / 1024 >= 3 ||
        uspace_read(&proc_of(cpu)->us, r->r[X64_RSP], &ret, sizeof(ret)) < 0)
        return false;
    r->r[X64_RAX] = vsyscall_nr[off / 1024];
    r->r[X64_RSP] += 8;
    cpu->pc = ret;
    return true;
}

static const struct sigframe_layout x64_frame = {
    .info = INFO_OFF, .uc = UC_OFF, .uc_sigmask = UC_SIGMASK, .uc_mcontext = UC_MCONTEXT,
    .size = FRAME_SIZE, .ret_slot = 0, .sp_at_return = 8, .red_zone = RED_ZONE, .sp_bias = 8,
    .uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
};

static const struct guest_linux_ops x64_linux_ops = {
    .elf_machine = EM_X86_64,
    .syscalls = &syscall_abi_x86_64,
    .default_sysroot = "/usr/x86_64-linux-gnu",
    .hwcap = x64_hwcap,
    .hwcap2 = x64_hwcap2,
    .minsigstksz = (FRAME_SIZE + RED_ZONE + 63) & ~63,
    .platform = "x86_64",
    .user_init = x64_user_init,
    .syscall_nr = x64_syscall_nr,
    .syscall_arg = x64_syscall_arg,
    .syscall_ret = x64_syscall_ret,
    .syscall_result = x64_syscall_result,
    .set_tls = x64_set_tls,
    .get_sp = x64_get_sp,
    .set_sp = x64_set_sp,
    .syscall_insn_size = 2,
    .sa_restorer = true,
    .restorer_required = true,
    .illegal_code = ILL_ILLOPN,
    .breakpoint_si_kernel = true,
    .fault_siginfo = x64_fault_siginfo,
    .frame = &x64_frame,
    .sigcontext_size = SC_SIZE,
    .sigcontext_save = x64_sigcontext_save,
    .sigcontext_restore = x64_sigcontext_restore,
    .signal_enter = x64_signal_enter,
    .vsyscall = x64_vsyscall,
};
GUEST_LINUX_REGISTER(x64_linux_ops)
