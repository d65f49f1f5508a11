/* The part of a virtual CPU that every guest ISA and every engine shares.
 * Each guest's state struct begins with a struct cpu, so IR get/put offsets are byte offsets
 * from the struct cpu pointer and the engine can run any guest without knowing its registers. */
#ifndef VM_CORE_CPU_H
#define VM_CORE_CPU_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

struct aspace;
struct guest_ops;
struct machine;

/* Why the engine stopped running guest code and returned to the execution loop. */
enum cpu_exit {
    CPU_EXIT_NONE,
    CPU_EXIT_EXCEPTION, /* guest code raised exc (with exc_tval): see enum cpu_exc for the pc */
    CPU_EXIT_HALT,    /* the guest asked to stop (e.g. exit_group) */
    CPU_EXIT_INTERRUPT, /* exit_request was set (an async signal is pending); pc = next block */
};

/* The synchronous exceptions guest code raises, named by what happened rather than by how an
 * OS reports it: linux/ turns them into guest signals, system mode will vector them to the
 * guest's trap handler. tval is the address involved (0 where there is none). pc is the
 * instruction that raised it, except for EXC_SYSCALL (the instruction after). */
enum cpu_exc {
    EXC_NONE,
    EXC_SYSCALL,      /* ecall, svc */
    EXC_ILLEGAL,      /* an undefined or reserved encoding */
    EXC_BREAKPOINT,   /* ebreak, brk */
    EXC_MISALIGNED,   /* tval = an address that had to be aligned (an atomic's, AArch64's pc) */
    EXC_FETCH_FAULT,  /* tval = the first byte of the instruction that cannot be fetched */
    EXC_DATA_FAULT,   /* tval = the first byte of a load or store that cannot be done */
    EXC_BUS_ERROR,    /* tval = an address mapped without backing (a file mapping past its end,
                       * a physical address with no RAM or device: an access fault) */
    EXC_DEBUG,        /* a debugger's breakpoint (core/debug.h) before the instruction at pc */
    EXC_PROTECTION,   /* a privileged or over-long instruction (x86 #GP, tval 0) */
    EXC_DIVIDE,       /* an integer division by zero or whose quotient overflows (x86 #DE) */
    EXC_FLOAT,        /* a floating-point exception the guest unmasked (x86 #MF, #XM); tval =
                       * the unmasked exception flags, in x86's order (bit 0 invalid, 1 denormal,
                       * 2 divide by zero, 3 overflow, 4 underflow, 5 inexact), with
                       * EXC_FLOAT_SIMD for an SSE or AVX instruction's (#XM) */
    EXC_COUNT
};
#define EXC_FLOAT_SIMD 0x100u

struct cpu {
    uint64_t pc;                   /* guest pc: valid whenever the engine is outside a block */
    struct aspace *as;             /* the address space guest code runs in (mem/aspace.h) */
    const struct guest_ops *ops;
    struct machine *machine;
    void *exec;                    /* the execution layer's per-CPU data */
    void *os;                      /* the OS layer's per-CPU data (linux/ in user mode) */
    /* Reads guest code for the translator: 0, or -EFAULT if any byte is not executable. */
    int (*fetch_code)(struct cpu *cpu, uint64_t pc, void *buf, size_t len);
    /* The address by which the block cache knows the code at pc (system mode: its physical
     * address, so a block is found and invalidated by physical page): 0, or -EFAULT as
     * fetch_code. NULL: pc itself (user mode). */
    int (*code_addr)(struct cpu *cpu, uint64_t pc, uint64_t *addr);

    /* Exit and exception reporting, filled by the engine or by helpers. */
    int exit_reason;               /* enum cpu_exit */
    int exc;                       /* enum cpu_exc, with CPU_EXIT_EXCEPTION */
    uint64_t exc_tval;
    int halt_status;               /* exit status with CPU_EXIT_HALT */
    /* Set (from a host signal handler or another thread) to make the engine return to the
     * loop at the next block boundary with CPU_EXIT_INTERRUPT. */
    volatile int exit_request;

    /* Unwinding out of guest code (a fault in a load, a helper raising an exception). */
    sigjmp_buf *unwind;
    const struct tb *cur_tb;       /* block being run, to map a fault back to a guest pc */
    const void *cur_op;            /* engine-specific position inside cur_tb, set before ops that can fault */

    /* What changes translation besides the pc (privilege level, MMU on/off, ISA mode bits,
     * a debugger's breakpoints and stepping: core/debug.h): blocks are keyed by (pc,
     * tb_flags); in user mode only a debugger and TB_FLAG_ONE_INSN set any. Fewer than 13
     * bits (exec/tb.h's jump cache mixes them into its index). An instruction that changes
     * them ends its block with an exit to the loop, so a chain of blocks runs under one value. */
    uint32_t tb_flags;

    uint64_t temps_offset;         /* byte offset of the IR temporaries area from this struct */

    /* Who hears of the accesses helpers make to guest memory themselves (mem/aspace.h's
     * mem_report): set by instrumented code around such a helper's call, NULL otherwise. */
    const struct cpu_mem_watch *mem_watch;
};

/* A listener to helpers' accesses (the plugins' memory callbacks, plugin/instrument.c). */
struct cpu_mem_watch {
    /* An access of size bytes at guest address addr; access: MEM_READ and/or MEM_WRITE. */
    void (*report)(struct cpu *cpu, const struct cpu_mem_watch *w, uint64_t addr,
                   unsigned size, unsigned access);
};

/* A short name for exception exc ("syscall", "data_fault"), or NULL for EXC_NONE and
 * numbers out of range. */
const char *cpu_exc_name(int exc);

/* A block of the one instruction at pc that leaves to the loop after it: what exec/loop.c runs
 * after a store changed code the running block holds, so that the store is done alone and
 * what follows it is translated from the new bytes. */
#define TB_FLAG_ONE_INSN (1u << 12)

/* Raises exception exc (enum cpu_exc) from inside guest code (a helper or the engine): never
 * returns; unwinds to the execution loop, which finds the guest pc and returns
 * CPU_EXIT_EXCEPTION; or, with EXC_NONE, CPU_EXIT_INTERRUPT at the pc of the instruction
 * that was running, none of it done. */
_Noreturn void cpu_raise(struct cpu *cpu, int exc, uint64_t tval);

#endif
