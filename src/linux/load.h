/* Putting a program into a fresh guest address space: its ELF segments (and its interpreter's),
 * then the initial stack with argv, envp and the auxiliary vector the C library starts from. */
#ifndef VM_LINUX_LOAD_H
#define VM_LINUX_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "linux/elf.h"
#include "linux/proc.h"

/* Where the guest space puts things. Linux gives user space 128 TiB on x86-64 and on riscv64
 * (Sv48; mmap stays below 2^47 unless asked higher), 256 TiB on arm64 (48-bit VA). The x86-64
 * host has 128 TiB in all, and vm's own program, libraries and stack split it: a PIE sits at
 * about 2/3 of it, leaving about 85 TiB free below (69 TiB under ASan, whose shadow takes the
 * lowest 16 TiB). The largest power of two that fits there with the guards is 64 TiB. */
#define GUEST_SPACE_SIZE (1ull << 46)
#define GUEST_STACK_SIZE (8ull << 20)
/* Distance from the top of the space (the stack's top) to the top of mmap's top-down area,
 * with the default stack; a larger stack moves that area down by the difference. */
#define GUEST_STACK_GAP (128ull << 20)

struct load_info {
    uint64_t entry;         /* where the CPU starts: the interpreter's entry if there is one */
    uint64_t prog_entry;    /* AT_ENTRY */
    uint64_t phdr;          /* AT_PHDR */
    uint64_t phnum;         /* AT_PHNUM */
    uint64_t interp_base;   /* AT_BASE, 0 without an interpreter */
    bool exec_stack;        /* the program's PT_GNU_STACK asks for an executable stack */
};

/* Loads prog (and its PT_INTERP, looked up under proc->sysroot) into proc->us and sets up brk.
 * On failure prints "vm: PATH: why" and returns -errno (-ENOENT: something was not found). */
int load_program(struct linux_proc *proc, struct elf_file *prog, const char *path,
                 struct load_info *li);

/* Maps the stack at the top of the space and fills it like Linux's execve does; *sp is the
 * initial stack pointer (pointing at argc). Returns 0 or -errno. */
int stack_build(struct linux_proc *proc, const struct load_info *li, char **argv, char **envp,
                const char *execfn, uint64_t *sp);

#endif
