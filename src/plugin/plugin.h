/* The plugin host (docs/plugins.md): loads instrumentation plugins (--plugin=FILE.so), lets
 * them instrument each block as it is translated, and passes them system calls and the
 * guest's exit. The API plugins see is include/vm/plugin.h; this is vm's side of it. Nothing
 * here costs anything until a plugin asks: the translator and the system call path test one
 * flag each. */
#ifndef VM_PLUGIN_PLUGIN_H
#define VM_PLUGIN_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir/ir.h"

/* Some plugin has a translation callback / watches system calls. Set before guest code runs. */
extern bool plugin_translating, plugin_syscalls;
/* While set, this thread's instrumentation callbacks are not made: the check engine runs a
 * block a second time on the interpreter, and the plugins see it once. */
extern __thread bool plugin_muted;

/* Loads the plugin SPEC = "FILE.so[,ARG...]" for a guest of ISA guest in mode ("user",
 * "system") and runs its install function. 0, or -1 after `vm: plugin FILE: why`. */
int plugin_load(const char *spec, const char *guest, const char *mode);

/* After translation: shows block b to every plugin's translation callback and inserts the
 * callbacks they ask for as helper calls. 0, or -ENOSPC when they do not fit in one IR block
 * (the translator retries with fewer instructions). */
int plugin_instrument(struct cpu *cpu, struct ir_block *b);

/* Around a guest system call (user mode). */
void plugin_syscall(struct cpu *cpu, uint64_t nr, const uint64_t args[6]);
void plugin_syscall_ret(struct cpu *cpu, uint64_t nr, int64_t ret);

/* The guest has ended with status (128 + N: killed by signal N): the plugins' exit callbacks,
 * once per process. */
void plugin_exit(int status);

#endif
