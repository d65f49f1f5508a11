/* A guest ISA's Linux user-mode ABI: what linux/ needs of a guest beyond the ISA itself
 * (struct guest_ops): its syscall table and register convention, signal frames, auxv values,
 * open(2) flag values and start state. Each ISA's part is a linux/guest_<isa>.c file that
 * registers it by the ISA's ELF machine, so the ISA (guest/) knows nothing of Linux. */
#ifndef VM_LINUX_GUEST_LINUX_H
#define VM_LINUX_GUEST_LINUX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "core/registry.h"

struct syscall_abi;

/* An open(2) flag whose guest value differs from the kernel's generic (and x86-64 host) one. */
struct linux_open_flag {
    uint32_t guest, host;
};

/* Where a guest's rt_sigframe puts its parts, in bytes. The handler's sp is the frame's
 * address; asm-generic (riscv64, aarch64) is siginfo then ucontext with the return address in
 * a register, x86-64 is the return address (pretcode), ucontext, siginfo and its FPU state. */
struct sigframe_layout {
    uint16_t info, uc;              /* offsets in the frame */
    uint16_t uc_sigmask, uc_mcontext;   /* offsets in the ucontext (uc_stack is at 16) */
    uint16_t size;                  /* the whole frame, the guest's extra state included */
    int16_t ret_slot;               /* offset of the return address, or -1: in a register */
    uint16_t sp_at_return;          /* sp at rt_sigreturn - the frame's address */
    uint16_t red_zone;              /* bytes below the interrupted sp the frame must spare */
    uint8_t sp_bias;                /* the frame's address + sp_bias is 16-aligned */
    uint64_t uc_flags;
};

struct guest_linux_ops {
    uint16_t elf_machine;               /* the ISA's (struct guest_ops) */
    const struct syscall_abi *syscalls; /* numbers and struct layouts (linux/syscall.h) */
    const struct linux_open_flag *open_flags;   /* the flags whose values differ */
    size_t n_open_flags;
    const char *default_sysroot;        /* for PT_INTERP and -L's default */
    uint64_t (*hwcap)(void);            /* AT_HWCAP */
    uint64_t (*hwcap2)(void);           /* AT_HWCAP2, or NULL for none */
    uint64_t minsigstksz;               /* AT_MINSIGSTKSZ, or 0 for none */
    const char *platform;               /* AT_PLATFORM string, or NULL */
    void (*user_init)(struct cpu *cpu, uint64_t entry, uint64_t sp);
    uint64_t (*syscall_nr)(struct cpu *cpu);
    uint64_t (*syscall_arg)(struct cpu *cpu, int i);   /* i = 0..5 */
    void (*syscall_ret)(struct cpu *cpu, uint64_t value);
    uint64_t (*syscall_result)(struct cpu *cpu);   /* the return register's value */
    void (*set_tls)(struct cpu *cpu, uint64_t tls);
    uint64_t (*get_sp)(struct cpu *cpu);
    void (*set_sp)(struct cpu *cpu, uint64_t sp);
    uint8_t syscall_insn_size;          /* bytes to step back to restart a syscall */
    bool sa_restorer;                   /* struct sigaction has sa_restorer (riscv64's has not) */
    bool restorer_required;             /* a handler without SA_RESTORER is a SIGSEGV (x86-64) */
    int illegal_code;                   /* si_code of an undefined instruction's SIGILL if not
                                           ILL_ILLOPC (x86-64's #UD: ILL_ILLOPN) */
    bool breakpoint_si_kernel;          /* a breakpoint's SIGTRAP is SI_KERNEL with no address
                                           (x86-64's INT3), not TRAP_BRKPT at the pc */
    /* What Linux reports of a fault (cpu->exc, exc_tval, pc) where the ISA's rules differ
     * from linux/exception.c's: either fills info and returns the signal, or returns 0 after
     * changing the fault (x86-64: a non-canonical address is #GP or #SS, not a page fault).
     * NULL: none differ. */
    int (*fault_siginfo)(struct cpu *cpu, siginfo_t *info);

    /* Signal frames. frame is the layout (NULL: asm-generic's, its uc_mcontext being
     * sigcontext_size bytes). linux/ builds siginfo, uc_flags, uc_stack and uc_sigmask; the
     * guest part fills uc_mcontext, and any extra state its layout places in the frame, from
     * its registers (mc is the host copy of uc_mcontext inside the frame, mc_addr its guest
     * address, info the signal's siginfo) and reads them back on rt_sigreturn (0, or
     * -EFAULT for a frame it cannot read). signal_enter points the CPU at a handler: sig,
     * siginfo and ucontext addresses as arguments, sp and the return address.
     * sigreturn_code is the trampoline vm maps for handlers without SA_RESTORER (the vDSO's
     * rt_sigreturn), if any. */
    const struct sigframe_layout *frame;
    size_t sigcontext_size;
    void (*sigcontext_save)(struct cpu *cpu, void *mc, uint64_t mc_addr, uint64_t fault_addr,
                            const siginfo_t *info);
    int (*sigcontext_restore)(struct cpu *cpu, const void *mc);
    void (*signal_enter)(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                         uint64_t sp, uint64_t ret);
    const uint8_t *sigreturn_code;
    size_t sigreturn_code_size;
    /* x86-64's vsyscall page: fixed addresses outside the address space that Linux turns into
     * system calls when a program calls them. Given a fetch fault, returns true after setting
     * the registers up as that call made from the caller's return address, false for a fault
     * that is one. NULL for ISAs without it. */
    bool (*vsyscall)(struct cpu *cpu);
};

/* Registration (from each linux/guest_<isa>.c) dies loudly past GUEST_LINUX_MAX. */
#define GUEST_LINUX_MAX 8
void guest_linux_register(const struct guest_linux_ops *l);
/* The Linux part of guest g, or NULL if vm has none for it. */
const struct guest_linux_ops *guest_linux_of(const struct guest_ops *g);

/* open(2) flags (openat, openat2, fcntl F_GETFL/F_SETFL) between the guest's values and the
 * host's. */
int open_flags_to_host(const struct cpu *cpu, uint64_t flags);
uint64_t open_flags_to_guest(const struct cpu *cpu, uint64_t flags);

#define GUEST_LINUX_REGISTER(ops) \
    __attribute__((constructor)) static void guest_linux_register_##ops(void) { guest_linux_register(&ops); }

#endif
