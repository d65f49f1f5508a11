/* Linux user mode: load a guest program into a fresh address space and run it, turning
 * syscall exits into host syscalls and guest faults into guest signals. */
#ifndef VM_LINUX_LINUX_H
#define VM_LINUX_LINUX_H

#include <stdint.h>

#include "core/registry.h"

struct cpu;
struct machine;

struct linux_run_opts {
    const char *path;         /* guest program as given on the command line */
    char **argv;              /* guest argv (argv[0] = path unless overridden) */
    char **envp;              /* guest environment */
    const char *sysroot;      /* -L: where PT_INTERP and absolute guest paths are looked up */
    const struct engine_ops *engine;
    struct machine *machine;  /* goes running while the guest runs, stopped when it exits */
    uint64_t stack_size;      /* the main stack's size; 0: GUEST_STACK_SIZE */
    uint64_t space_size;      /* the guest space's size; 0: GUEST_SPACE_SIZE */
    uint64_t guest_base;      /* host address of guest address 0; 0: anywhere */
};

/* The smallest guest space --reserved-va allows: room for the stack gap and a program. */
#define LINUX_SPACE_MIN (256ull << 20)

/* Reads the ELF header of path and returns the guest ISA that runs it.
 * On failure prints "vm: PATH: why" and returns NULL with *exit_code = 126 or 127. */
const struct guest_ops *linux_probe(const char *path, int *exit_code);

/* The guest ISA of the ELF program at path, or NULL for anything else (the host's to run,
 * as is a program of a guest ISA that has no Linux ABI in vm yet, or of the host's own ISA:
 * an x86-64 guest's execve of an x86-64 program on an x86-64 host runs it natively, as
 * qemu-user and binfmt_misc would). */
const struct guest_ops *linux_guest_of_file(const char *path);

/* A "#!" script given to vm run runs as execve would run it: when its interpreter is a guest
 * program, opts->path and opts->argv become the interpreter's (with the script's path as an
 * argument; scripts may nest); otherwise the host runs the script and this returns only on
 * failure. Returns 0 (opts describe the program to run now), or an exit status after printing
 * why. A file that is no script leaves opts alone. */
int linux_run_script(struct linux_run_opts *opts);

/* Loads and runs the program to its end. Returns the exit status for vm's own exit;
 * a guest killed by a signal makes vm die of that signal (after one line on stderr). */
int linux_run(const struct guest_ops *guest, const struct linux_run_opts *opts);

/* The name of system call nr in the ABI of cpu's process ("write"), or NULL for a number it
 * does not have. */
const char *linux_syscall_name(const struct cpu *cpu, uint64_t nr);

#endif
