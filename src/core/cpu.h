/* The part of a virtual CPU that every guest ISA and every engine shares.
 * Each guest's state struct begins with a struct cpu, so IR get/put offsets are byte offsets
 * from the struct cpu pointer and the engine can run any guest without knowing its registers. */
#ifndef VM_CORE_CPU_H
#define VM_CORE_CPU_H

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct guest_ops;
struct machine;

/* Why the engine stopped running guest code and returned to the execution loop. */
enum cpu_exit {
    CPU_EXIT_NONE,
    CPU_EXIT_SYSCALL, /* pc already points past the syscall instruction */
    CPU_EXIT_FAULT,   /* a synchronous guest signal: fault_sig/code/addr, pc = faulting insn */
    CPU_EXIT_HALT,    /* the guest asked to stop (e.g. exit_group) */
    CPU_EXIT_INTERRUPT, /* exit_request was set (an async signal is pending); pc = next block */
};

struct cpu {
    uint64_t pc;                   /* guest pc: valid whenever the engine is outside a block */
    uint8_t *guest_base;           /* user mode: host address of guest address 0 */
    uint64_t guest_limit;          /* user mode: first guest address outside the space */
    const struct guest_ops *ops;
    struct machine *machine;
    void *exec;                    /* the execution layer's per-CPU data */
    void *os;                      /* the OS layer's per-CPU data (linux/ in user mode) */
    /* Reads guest code for the translator: 0, or -EFAULT if any byte is not executable. */
    int (*fetch_code)(struct cpu *cpu, uint64_t pc, void *buf, size_t len);

    /* Exit and fault reporting, filled by the engine or by helpers. */
    int exit_reason;               /* enum cpu_exit */
    int fault_sig;
    int fault_code;
    uint64_t fault_addr;
    int halt_status;               /* exit status with CPU_EXIT_HALT */
    /* Set (from a host signal handler or another thread) to make the engine return to the
     * loop at the next block boundary with CPU_EXIT_INTERRUPT. */
    volatile int exit_request;

    /* Unwinding out of guest code (a fault in a load, a helper raising an exception). */
    sigjmp_buf *unwind;
    const struct tb *cur_tb;       /* block being run, to map a fault back to a guest pc */
    const void *cur_op;            /* engine-specific position inside cur_tb, set before ops that can fault */

    uint64_t temps_offset;         /* byte offset of the IR temporaries area from this struct */
};

/* Raise a synchronous guest signal from inside guest code (a helper or the engine):
 * never returns; unwinds to the execution loop which reports or delivers the signal. */
_Noreturn void cpu_raise(struct cpu *cpu, int sig, int code, uint64_t addr);

/* The guest's SIGSEGV for an access at addr that leaves the guest space. One that starts
 * inside reports its first byte outside, as an access running into an unmapped page does. */
static inline _Noreturn void cpu_raise_outside(struct cpu *cpu, uint64_t addr)
{
    cpu_raise(cpu, SIGSEGV, SEGV_MAPERR, addr < cpu->guest_limit ? cpu->guest_limit : addr);
}

/* Raises the guest's SIGSEGV unless [addr, addr + size) lies inside the guest space. */
static inline void cpu_check_access(struct cpu *cpu, uint64_t addr, uint64_t size)
{
    if (__builtin_expect(addr > cpu->guest_limit - size || size > cpu->guest_limit, 0))
        cpu_raise_outside(cpu, addr);
}

#endif
