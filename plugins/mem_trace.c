/* Example plugin: a trace of the guest's memory accesses and system calls, one line each, in
 * the order they happen (to stderr, or to the file named by out=FILE):
 *     VCPU PC ld|st|rmw SIZE ADDRESS      a load, store or atomic read-modify-write
 *     VCPU syscall NR A0 A1 A2 A3 A4 A5   a system call made
 *     VCPU ret NR VALUE                   and its result
 *     exit STATUS
 * (numbers in hex but VCPU, SIZE and the status). Each line is written with one stdio call,
 * so lines of several threads do not mix. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vm/plugin.h>

VM_PLUGIN_DEFINE_VERSION;

static const struct vm_plugin_api *api;
static FILE *out;

static void access_made(unsigned vcpu, uint64_t vaddr, unsigned size, unsigned access,
                        void *udata)
{
    const char *kind = access == VM_MEM_LOAD ? "ld" : access == VM_MEM_STORE ? "st" : "rmw";
    fprintf(out, "%u 0x%" PRIx64 " %s %u 0x%" PRIx64 "\n", vcpu, (uint64_t)(uintptr_t)udata,
            kind, size, vaddr);
}

static void tb_trans(struct vm_tb *tb, void *udata)
{
    for (size_t i = 0; i < api->tb_n_insns(tb); i++) {
        struct vm_insn *insn = api->tb_insn(tb, i);
        api->insn_mem(insn, access_made, VM_MEM_LOAD | VM_MEM_STORE,
                      (void *)(uintptr_t)api->insn_pc(insn));
    }
}

static void syscall_made(unsigned vcpu, int64_t num, const uint64_t a[6], void *udata)
{
    fprintf(out, "%u syscall 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
            " 0x%" PRIx64 " 0x%" PRIx64 "\n", vcpu, (uint64_t)num, a[0], a[1], a[2], a[3], a[4],
            a[5]);
}

static void syscall_returned(unsigned vcpu, int64_t num, int64_t ret, void *udata)
{
    fprintf(out, "%u ret 0x%" PRIx64 " 0x%" PRIx64 "\n", vcpu, (uint64_t)num, (uint64_t)ret);
}

static void guest_exit(int status, void *udata)
{
    fprintf(out, "exit %d\n", status);
    fflush(out);
}

int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *vm,
                      const struct vm_plugin_info *info)
{
    api = vm;
    out = stderr;
    for (int i = 0; i < info->argc; i++) {
        if (!strncmp(info->argv[i], "out=", 4) && out == stderr) {
            if (!(out = fopen(info->argv[i] + 4, "w"))) {
                perror(info->argv[i] + 4);
                return -1;
            }
        } else {
            fprintf(stderr, "mem_trace: bad argument '%s' (it takes out=FILE)\n", info->argv[i]);
            return -1;
        }
    }
    api->on_tb_trans(self, tb_trans, NULL);
    api->on_syscall(self, syscall_made, NULL);
    api->on_syscall_ret(self, syscall_returned, NULL);
    api->on_exit(self, guest_exit, NULL);
    return 0;
}
