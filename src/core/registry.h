/* Ops tables for what vm chooses at run time (guest ISAs, engines) and the registry that
 * finds them by name or by ELF machine number. Each guest registers itself from its own
 * file with GUEST_REGISTER, so adding one touches no shared list. */
#ifndef VM_CORE_REGISTRY_H
#define VM_CORE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cpu;
struct ir_block;
struct translator;

/* Which Linux syscall ABI a guest uses (numbers and struct layouts live in linux/). */
enum linux_abi_kind { LINUX_ABI_GENERIC, LINUX_ABI_X86_64 };
/* The values of open(2)'s O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE: Arm's differ. */
enum linux_open_flags { LINUX_OPEN_FLAGS_GENERIC, LINUX_OPEN_FLAGS_ARM };

struct guest_ops {
    const char *name;          /* "riscv64" */
    uint16_t elf_machine;      /* e_machine of its ELF files */
    size_t state_size;         /* sizeof the guest's state struct (starts with struct cpu) */

    /* Fetch (translator_fetch), decode and translate the instruction at t->pc for the shared
     * block loop (guest/translator.h): set t->len, and t->ended if it ended the block.
     * Returns 0, or -EFAULT from translator_fetch. */
    int (*translate_insn)(struct translator *t);
    /* Disassemble one instruction for --log=in_asm; returns its length. */
    int (*disas)(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen);
    void (*dump_state)(struct cpu *cpu, FILE *f);

    /* Linux user mode. */
    enum linux_abi_kind linux_abi;
    enum linux_open_flags open_flags;
    const char *default_sysroot;        /* for PT_INTERP and -L's default */
    uint64_t (*hwcap)(void);            /* AT_HWCAP */
    const char *platform;               /* AT_PLATFORM string, or NULL */
    void (*user_init)(struct cpu *cpu, uint64_t entry, uint64_t sp);
    uint64_t (*syscall_nr)(struct cpu *cpu);
    uint64_t (*syscall_arg)(struct cpu *cpu, int i);   /* i = 0..5 */
    void (*syscall_ret)(struct cpu *cpu, uint64_t value);
    void (*set_tls)(struct cpu *cpu, uint64_t tls);
    uint64_t (*get_sp)(struct cpu *cpu);
    void (*set_sp)(struct cpu *cpu, uint64_t sp);
    uint8_t syscall_insn_size;          /* bytes to step back to restart a syscall */

    /* Linux signal frames. The ucontext before uc_mcontext is built by linux/; the guest
     * fills uc_mcontext (sigcontext_size bytes, 16-aligned) from its registers and reads it
     * back on rt_sigreturn. signal_enter points the CPU at a handler: sig, siginfo and
     * ucontext addresses as arguments, sp and the return address. sigreturn_code is the
     * trampoline vm maps for handlers without SA_RESTORER (riscv64's vDSO rt_sigreturn). */
    size_t sigcontext_size;
    void (*sigcontext_save)(struct cpu *cpu, void *mc, uint64_t fault_addr);
    void (*sigcontext_restore)(struct cpu *cpu, const void *mc);
    void (*signal_enter)(struct cpu *cpu, uint64_t handler, int sig, uint64_t info, uint64_t uc,
                         uint64_t sp, uint64_t ret);
    const uint8_t *sigreturn_code;
    size_t sigreturn_code_size;
};

/* How an engine runs translated code. */
struct tb;
struct engine_ops {
    const char *name;          /* "interp" */
    const char *help;
    /* Turn an IR block into something runnable, stored in tb (tb->code, tb->code_size). */
    int (*compile)(struct cpu *cpu, struct tb *tb, const struct ir_block *b);
    void (*free)(struct tb *tb);
    /* Run tb and the blocks it leads to until an exit that needs the loop; returns the next
     * pc in cpu->pc and the reason in cpu->exit_reason (CPU_EXIT_NONE = plain block end). */
    void (*run)(struct cpu *cpu, const struct tb *tb);
    /* Guest pc of the instruction at the engine position cpu->cur_op inside tb; completes
     * the guest state an engine keeps elsewhere (the JIT's host registers) for a fault. */
    uint64_t (*fault_pc)(struct cpu *cpu, const struct tb *tb);
};

#define REGISTRY_MAX 8
void guest_register(const struct guest_ops *g);
void engine_register(const struct engine_ops *e);
const struct guest_ops *guest_by_name(const char *name);
const struct guest_ops *guest_by_elf_machine(uint16_t machine);
const struct engine_ops *engine_by_name(const char *name);
/* Iteration for --help: returns NULL past the end. */
const struct guest_ops *guest_at(unsigned i);
const struct engine_ops *engine_at(unsigned i);

#define GUEST_REGISTER(ops) \
    __attribute__((constructor)) static void guest_register_##ops(void) { guest_register(&ops); }
#define ENGINE_REGISTER(ops) \
    __attribute__((constructor)) static void engine_register_##ops(void) { engine_register(&ops); }

#endif
