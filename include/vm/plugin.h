/* vm's plugin API: the one header an instrumentation plugin includes (installed by `meson
 * install` as <vm/plugin.h>). A plugin is a shared object that `vm run --plugin=FILE.so` or
 * `vm boot --plugin=FILE.so` loads with dlopen; docs/plugins.md describes the API and what it
 * guarantees. The plugin calls vm only through the struct vm_plugin_api it is handed, so it
 * links against nothing of vm's.
 *
 * A plugin defines two symbols:
 *
 *     VM_PLUGIN_DEFINE_VERSION;
 *     int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *api,
 *                           const struct vm_plugin_info *info);
 *
 * vm refuses a plugin whose vm_plugin_version is not its VM_PLUGIN_VERSION before calling
 * anything in it; vm_plugin_install registers the plugin's callbacks and returns 0 (anything
 * else makes vm refuse to start). */
#ifndef VM_PLUGIN_H
#define VM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Changes whenever anything in this header does. */
#define VM_PLUGIN_VERSION 1

struct vm_plugin;   /* vm's handle for one loaded plugin */
struct vm_tb;       /* a block being translated: valid during its translation callback only */
struct vm_insn;     /* one instruction of that block: the same */

/* The kinds of memory access (a memory callback's access argument, and the filter given
 * when asking for one). An atomic read-modify-write reports both. */
enum { VM_MEM_LOAD = 1, VM_MEM_STORE = 2 };

/* vcpu: the guest thread (user mode) or hart (system mode) that runs the code, numbered
 * from 0 in the order they first call back (a number of a thread that has ended may be
 * given to a new one). */
typedef void (*vm_tb_trans_cb)(struct vm_tb *tb, void *udata);
typedef void (*vm_exec_cb)(unsigned vcpu, void *udata);
typedef void (*vm_mem_cb)(unsigned vcpu, uint64_t vaddr, unsigned size, unsigned access,
                          void *udata);
typedef void (*vm_syscall_cb)(unsigned vcpu, int64_t num, const uint64_t args[6], void *udata);
typedef void (*vm_syscall_ret_cb)(unsigned vcpu, int64_t num, int64_t ret, void *udata);
/* status: the guest's exit status, or 128 + N when signal N killed it. */
typedef void (*vm_exit_cb)(int status, void *udata);

/* What vm tells the plugin at install. */
struct vm_plugin_info {
    uint32_t version;       /* the VM_PLUGIN_VERSION vm implements */
    const char *guest;      /* the guest ISA: "riscv64", "aarch64", "x86_64" */
    const char *mode;       /* "user" (vm run) or "system" (vm boot) */
    int argc;               /* the "KEY=VALUE" (or "WORD") items after FILE.so, in order */
    char **argv;
};

struct vm_plugin_api {
    /* Registration: call these from vm_plugin_install. */
    void (*on_tb_trans)(struct vm_plugin *self, vm_tb_trans_cb cb, void *udata);
    void (*on_syscall)(struct vm_plugin *self, vm_syscall_cb cb, void *udata);
    void (*on_syscall_ret)(struct vm_plugin *self, vm_syscall_ret_cb cb, void *udata);
    void (*on_exit)(struct vm_plugin *self, vm_exit_cb cb, void *udata);

    /* Inside a translation callback: the block and its instructions. */
    uint64_t (*tb_pc)(const struct vm_tb *tb);
    size_t (*tb_n_insns)(const struct vm_tb *tb);
    struct vm_insn *(*tb_insn)(struct vm_tb *tb, size_t index);
    uint64_t (*insn_pc)(const struct vm_insn *insn);
    size_t (*insn_size)(const struct vm_insn *insn);
    const uint8_t *(*insn_bytes)(const struct vm_insn *insn);
    /* Writes the instruction's disassembly into buf (NUL-terminated); its length, or -1
     * when vm has no disassembler for the guest (built without capstone). */
    int (*insn_disas)(const struct vm_insn *insn, char *buf, size_t size);

    /* Inside a translation callback: ask for callbacks when the translated code runs. cb is
     * called every time the block starts (tb_exec), the instruction starts (insn_exec), or
     * the instruction makes a memory access of a kind in access (insn_mem: VM_MEM_LOAD,
     * VM_MEM_STORE or both), after the access. */
    void (*tb_exec)(struct vm_tb *tb, vm_exec_cb cb, void *udata);
    void (*insn_exec)(struct vm_insn *insn, vm_exec_cb cb, void *udata);
    void (*insn_mem)(struct vm_insn *insn, vm_mem_cb cb, unsigned access, void *udata);
};

#define VM_PLUGIN_DEFINE_VERSION const uint32_t vm_plugin_version = VM_PLUGIN_VERSION

extern const uint32_t vm_plugin_version;
int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *api,
                      const struct vm_plugin_info *info);

#ifdef __cplusplus
}
#endif

#endif
