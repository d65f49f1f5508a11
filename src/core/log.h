/* Logging by category (--log=in_asm,op,exec,strace), like qemu's -d, plus the user-facing
 * error convention "vm: what failed: why". */
#ifndef VM_CORE_LOG_H
#define VM_CORE_LOG_H

#include <stdio.h>

#define LOG_CATEGORIES(X) \
    X(in_asm, "guest instructions of each translated block")   \
    X(op,     "IR of each translated block")                    \
    X(op_opt, "IR of each block after the opt/ passes (jit)")   \
    X(out_asm, "host code of each block the JIT emits")         \
    X(exec,   "each block as it runs")                          \
    X(strace, "guest system calls")                             \
    X(unimp,  "unimplemented features the guest used")          \
    X(tcache, "--tcache: the cache file read and written, and why one is ignored") \
    X(kvm,    "--accel=kvm: time of the first KVM_RUN; at exit vm's own memory, exits by reason")

enum log_cat {
#define LOG_ENUM(name, help) LOG_##name,
    LOG_CATEGORIES(LOG_ENUM)
#undef LOG_ENUM
    LOG_NCATS
};

extern unsigned log_mask;
extern FILE *log_file;

#define log_enabled(cat) (__builtin_expect(log_mask & (1u << LOG_##cat), 0))
#define vm_log(cat, ...) do { if (log_enabled(cat)) fprintf(log_file, __VA_ARGS__); } while (0)

/* Parses "in_asm,op" or "help"; returns 0 or -EINVAL (and prints what is wrong). */
int log_parse(const char *spec);
void log_help(FILE *f);

/* Prints "vm: " + message + newline on stderr. */
void vm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
