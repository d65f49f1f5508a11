/* Host system calls a guest signal cannot slip past. vm looks for pending guest signals
 * before it makes a guest's system call; a host signal that arrives after that look and
 * before the call starts would be recorded by the catcher and then go unnoticed while the call
 * blocks (a futex wait for the very thread that signal was to wake). Here the look is the last
 * thing before the host's system call instruction, and the catcher, finding the thread between
 * the two, moves it to a return that says the call never started (safe_syscall_rewind), as
 * QEMU's safe_syscall does. In assembly for each host vm builds for (x86-64, AArch64, RISC-V
 * 64: tests/cross runs thread_sigwake on the last two); C with the window on any other. */
#include "linux/safe_syscall.h"

#include <errno.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)

#include <ucontext.h>

extern const char safe_syscall_start[], safe_syscall_end[], safe_syscall_before[];

/* A global label of this file's assembly, hidden outside vm; safe_syscall6's start and end. */
#define LABEL(name) ".globl " #name "\n.hidden " #name "\n" #name ":\n"
#define FUNCTION_START \
    ".text\n.type safe_syscall6, %function\n" LABEL(safe_syscall6) ".cfi_startproc\n"
#define FUNCTION_END ".cfi_endproc\n.size safe_syscall6, .-safe_syscall6\n"

#if defined(__x86_64__)
/* rdi pending, rsi mask, rdx nr, rcx r8 r9 a0-a2, the stack a3-a5; the kernel takes rax nr,
 * rdi rsi rdx r10 r8 r9. */
__asm__(FUNCTION_START
        "    movq %rdx, %rax\n"
        "    movq %rdi, %r11\n"
        "    movq %rsi, %r10\n"
        "    notq %r10\n"
        "    movq %rcx, %rdi\n"
        "    movq %r8, %rsi\n"
        "    movq %r9, %rdx\n"
        "    movq 16(%rsp), %r8\n"
        "    movq 24(%rsp), %r9\n"
        LABEL(safe_syscall_start)
        "    testq %r10, (%r11)\n"
        "    jnz safe_syscall_before\n"
        "    movq 8(%rsp), %r10\n"
        "    syscall\n"
        LABEL(safe_syscall_end)
        "    ret\n"
        LABEL(safe_syscall_before)
        "    movq $-" SAFE_SYSCALL_BEFORE_STR ", %rax\n"
        "    ret\n"
        FUNCTION_END);
#define UC_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#elif defined(__aarch64__)
/* x0 pending, x1 mask, x2 nr, x3-x7 a0-a4, the stack a5; the kernel takes x8 nr, x0-x5. */
__asm__(FUNCTION_START
        "    mov x9, x0\n"
        "    mvn x10, x1\n"
        "    mov x8, x2\n"
        "    mov x0, x3\n"
        "    mov x1, x4\n"
        "    mov x2, x5\n"
        "    mov x3, x6\n"
        "    mov x4, x7\n"
        "    ldr x5, [sp]\n"
        LABEL(safe_syscall_start)
        "    ldr x11, [x9]\n"
        "    tst x11, x10\n"
        "    b.ne safe_syscall_before\n"
        "    svc #0\n"
        LABEL(safe_syscall_end)
        "    ret\n"
        LABEL(safe_syscall_before)
        "    mov x0, #-" SAFE_SYSCALL_BEFORE_STR "\n"
        "    ret\n"
        FUNCTION_END);
#define UC_PC(uc) ((uc)->uc_mcontext.pc)
#else
/* a0 pending, a1 mask, a2 nr, a3-a7 a0-a4, the stack a5; the kernel takes a7 nr, a0-a5. */
__asm__(FUNCTION_START
        "    mv t0, a0\n"
        "    not t1, a1\n"
        "    mv t2, a2\n"
        "    mv a0, a3\n"
        "    mv a1, a4\n"
        "    mv a2, a5\n"
        "    mv a3, a6\n"
        "    mv a4, a7\n"
        "    ld a5, 0(sp)\n"
        "    mv a7, t2\n"
        LABEL(safe_syscall_start)
        "    ld t3, 0(t0)\n"
        "    and t3, t3, t1\n"
        "    bnez t3, safe_syscall_before\n"
        "    ecall\n"
        LABEL(safe_syscall_end)
        "    ret\n"
        LABEL(safe_syscall_before)
        "    li a0, -" SAFE_SYSCALL_BEFORE_STR "\n"
        "    ret\n"
        FUNCTION_END);
#define UC_PC(uc) ((uc)->uc_mcontext.__gregs[REG_PC])
#endif

void safe_syscall_rewind(void *uc)
{
    ucontext_t *u = uc;
    uintptr_t pc = (uintptr_t)UC_PC(u);
    /* The syscall instruction itself is inside: the kernel's restart of an interrupted call
     * shows it, and that call has not started again either. */
    if (pc >= (uintptr_t)safe_syscall_start && pc < (uintptr_t)safe_syscall_end)
        UC_PC(u) = (uintptr_t)safe_syscall_before;
}

#else

/* Other hosts: the look and the call with the window between them. */
long safe_syscall6(const _Atomic uint64_t *pending, uint64_t mask, long nr, long a0, long a1,
                   long a2, long a3, long a4, long a5)
{
    if (atomic_load(pending) & ~mask)
        return -SAFE_SYSCALL_BEFORE;
    long r = syscall(nr, a0, a1, a2, a3, a4, a5);
    return r == -1 ? -errno : r;
}

void safe_syscall_rewind(void *uc)
{
    (void)uc;
}

#endif
