/* Ops tables for what vm chooses at run time (guest ISAs, engines) and the registry that
 * finds them by name or by ELF machine number. Each guest registers itself from its own
 * file with GUEST_REGISTER, so adding one touches no shared list. */
#ifndef VM_CORE_REGISTRY_H
#define VM_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/state.h"

struct cpu;
struct ir_block;
struct translator;

/* What a guest ISA adds for system mode (reset, exception entry, page walk, interrupt check):
 * the contract the system-mode layer calls. */
struct guest_system_ops {
    void (*reset)(struct cpu *cpu);
    /* Vectors the CPU to the guest's handler for exception exc (enum cpu_exc) with tval, or
     * with exc = EXC_NONE for the interrupt interrupt_pending reported (nothing if none is
     * pending any more). */
    void (*exception_enter)(struct cpu *cpu, int exc, uint64_t tval);
    /* Translates virtual address va for an access of kind access (MEM_READ, MEM_WRITE or
     * MEM_EXEC of mem/aspace.h) under MMU index mmu_idx: returns 0 with the physical
     * address in *pa and the kinds of access the mapping allows in *prot (the softmmu's TLB
     * keeps them, for this access only with its SOFTMMU_PROT_ONCE), or the exception to
     * raise (enum cpu_exc: EXC_DATA_FAULT or EXC_FETCH_FAULT for the page fault,
     * EXC_BUS_ERROR for the access fault: a page-table entry not in RAM, or physical memory
     * protection). */
    int (*page_walk)(struct cpu *cpu, uint64_t va, unsigned access, unsigned mmu_idx,
                     uint64_t *pa, unsigned *prot);
    /* True if an enabled interrupt is pending: the loop, between blocks, then calls
     * exception_enter(cpu, EXC_NONE, 0). */
    bool (*interrupt_pending)(struct cpu *cpu);
    /* The CPU's state in a snapshot (core/state.h; opaque is the struct cpu): the pc, every
     * register, the FP state, the privileged state, pending interrupts and the reservation,
     * so a loaded CPU goes on from the same instruction boundary. A load forgets the TLB. */
    state_save_fn *save;
    state_load_fn *load;
};

/* The guest as gdb sees it (debug/): a target description and its registers by gdb's
 * number, as little-endian bytes. */
struct guest_gdb {
    const char *target_xml;    /* target.xml: the architecture and every register's feature */
    unsigned n_regs;
    /* Size of register n in bytes (0: no such register); read fills buf with it. */
    unsigned (*read_reg)(struct cpu *cpu, unsigned n, uint8_t *buf);
    /* Sets register n from size bytes (the size read_reg gives). */
    void (*write_reg)(struct cpu *cpu, unsigned n, const uint8_t *buf);
};

/* A guest ISA: what every mode needs of it. The Linux ABI of an ISA lives in linux/
 * (linux/guest_linux.h), found by elf_machine. */
struct guest_ops {
    const char *name;          /* "riscv64" */
    uint16_t elf_machine;      /* e_machine of its ELF files */
    size_t state_size;         /* sizeof the guest's state struct (starts with struct cpu) */

    /* Fetch (translator_fetch), decode and translate the instruction at t->pc for the shared
     * block loop (guest/translator.h): set t->len, and t->ended if it ended the block.
     * Returns 0, or -EFAULT from translator_fetch. */
    int (*translate_insn)(struct translator *t);
    /* What of the translator's isa_state at a block's end still holds at the start of the
     * block its final goto_pc continues at, when nothing else enters that one (the next
     * block of a T2 region's path); NULL: nothing does. */
    uint64_t (*carry_state)(uint64_t isa_state);
    /* Disassemble one instruction for --log=in_asm; returns its length. */
    int (*disas)(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen);
    void (*dump_state)(struct cpu *cpu, FILE *f);
    const struct guest_gdb *gdb;

    /* System mode's hooks, or NULL for a guest that runs only in user mode. */
    const struct guest_system_ops *system;
};

/* How an engine runs translated code. */
struct tb;
struct engine_ops {
    const char *name;          /* "interp" */
    const char *help;
    /* Optional: readies the engine before its first CPU is made (the JIT: its code cache and
     * trampolines, whose miss path every empty jump-cache slot leads to); an error shows
     * again at the first compile. */
    int (*prepare)(void);
    /* Turn an IR block into something runnable, stored in tb (tb->code, tb->code_size);
     * -ENOSPC: no room until the other CPUs stop at the safepoint it asked for. */
    int (*compile)(struct cpu *cpu, struct tb *tb, const struct ir_block *b);
    void (*free)(struct tb *tb);
    /* Run tb and the blocks it leads to until an exit that needs the loop; returns the next
     * pc in cpu->pc and the reason in cpu->exit_reason (CPU_EXIT_NONE = plain block end). */
    void (*run)(struct cpu *cpu, const struct tb *tb);
    /* Guest pc of the instruction at the engine position cpu->cur_op inside tb; completes
     * the guest state an engine keeps elsewhere (the JIT's host registers) for a fault. */
    uint64_t (*fault_pc)(struct cpu *cpu, const struct tb *tb);
    /* Optional: fill tb (whose pc and flags are set) from a saved translation instead of
     * translating (--tcache, exec/tcache.h): sets end_pc, n_insns and the code; 0, or
     * -ENOENT to translate as usual. */
    int (*load)(struct cpu *cpu, struct tb *tb);
    /* Optional: a T2 region (exec/tier2.h) now shadows block head: the engine's direct
     * links into head are undone so that they come back to the region. */
    void (*shadow)(struct tb *head);
    /* Optional: block tb heads no region (TB_T1_ALONE): its code can stop counting its runs. */
    void (*uncount)(struct tb *tb);
    /* Each block's IR is checked (ir_verify) before compile: the engines that exist to find
     * translation bugs do it; the JIT, whose translation time is the cost of a boot, not. */
    bool verify_ir;
};

#define REGISTRY_MAX 8
void guest_register(const struct guest_ops *g);
void engine_register(const struct engine_ops *e);
const struct guest_ops *guest_by_name(const char *name);
const struct guest_ops *guest_by_elf_machine(uint16_t machine);
/* True if g is the host's own ISA: its programs can run natively (binfmt_misc leaves them to
 * the host, and so does a guest's execve). */
bool guest_is_host_isa(const struct guest_ops *g);
const struct engine_ops *engine_by_name(const char *name);
/* Iteration for --help: returns NULL past the end. */
const struct guest_ops *guest_at(unsigned i);
const struct engine_ops *engine_at(unsigned i);

/* The host backend of this build (host/<isa>/, struct host_backend in host/backend.h), if
 * the host ISA has one: the JIT engines need it. One per build. */
struct host_backend;
void host_register(const struct host_backend *b);
const struct host_backend *host_backend(void);

#define GUEST_REGISTER(ops) \
    __attribute__((constructor)) static void guest_register_##ops(void) { guest_register(&ops); }
#define ENGINE_REGISTER(ops) \
    __attribute__((constructor)) static void engine_register_##ops(void) { engine_register(&ops); }
#define HOST_REGISTER(ops) \
    __attribute__((constructor)) static void host_register_##ops(void) { host_register(&ops); }

#endif
