/* Example plugin: counts the guest instructions executed and the system calls made, and
 * prints "insns N" and "syscalls N" when the guest exits (to stderr, or to the file named by
 * out=FILE). Every instruction gets an execution callback, so the count is exact whichever
 * way a block is left. Each vCPU counts in its own slot, so threads do not contend. */
#include <stdio.h>
#include <string.h>

#include <vm/plugin.h>

VM_PLUGIN_DEFINE_VERSION;

#define SLOTS 4096   /* the vCPU numbers counted apart; higher ones share the last slot */

static const struct vm_plugin_api *api;
static struct {
    uint64_t insns, syscalls;
    char pad[48];    /* a cache line per vCPU */
} count[SLOTS];
static const char *out_path;

static void bump(uint64_t *n)
{
    __atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

static void insn_ran(unsigned vcpu, void *udata)
{
    bump(&count[vcpu < SLOTS ? vcpu : SLOTS - 1].insns);
}

static void tb_trans(struct vm_tb *tb, void *udata)
{
    for (size_t i = 0; i < api->tb_n_insns(tb); i++)
        api->insn_exec(api->tb_insn(tb, i), insn_ran, NULL);
}

static void syscall_made(unsigned vcpu, int64_t num, const uint64_t args[6], void *udata)
{
    bump(&count[vcpu < SLOTS ? vcpu : SLOTS - 1].syscalls);
}

static void guest_exit(int status, void *udata)
{
    uint64_t insns = 0, syscalls = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        insns += __atomic_load_n(&count[i].insns, __ATOMIC_RELAXED);
        syscalls += __atomic_load_n(&count[i].syscalls, __ATOMIC_RELAXED);
    }
    FILE *f = out_path ? fopen(out_path, "w") : stderr;
    if (!f) {
        perror(out_path);
        return;
    }
    fprintf(f, "insns %llu\nsyscalls %llu\n", (unsigned long long)insns,
            (unsigned long long)syscalls);
    if (f != stderr)
        fclose(f);
}

int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *vm,
                      const struct vm_plugin_info *info)
{
    api = vm;
    for (int i = 0; i < info->argc; i++) {
        if (!strncmp(info->argv[i], "out=", 4)) {
            out_path = info->argv[i] + 4;
        } else {
            fprintf(stderr, "insn_count: unknown argument '%s' (it takes out=FILE)\n",
                    info->argv[i]);
            return -1;
        }
    }
    api->on_tb_trans(self, tb_trans, NULL);
    api->on_syscall(self, syscall_made, NULL);
    api->on_exit(self, guest_exit, NULL);
    return 0;
}
