/* The plugin host's loading and events: dlopen and the version handshake, the API table
 * plugins call (include/vm/plugin.h), the callbacks they register, the vCPU numbers they
 * see, and the system call and exit events. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "plugin/internal.h"

/* One loaded plugin (vm/plugin.h's struct vm_plugin). */
struct vm_plugin {
    const char *path;
    void *handle;
};

bool plugin_translating, plugin_syscalls;
__thread bool plugin_muted;
struct plugin_regs plugin_tb_trans;
static struct plugin_regs syscall_regs, syscall_ret_regs, exit_regs;
/* The plugin whose install function runs: registration is open to it alone. */
static struct vm_plugin *installing;

static void add_reg(struct plugin_regs *rs, struct vm_plugin *self, void (*fn)(void), void *udata)
{
    if (self != installing || !installing) {
        vm_error("plugin %s: callbacks are registered from vm_plugin_install only",
                 self ? self->path : "?");
        exit(1);
    }
    if (rs->n == PLUGIN_MAX_REGS) {
        vm_error("plugin %s: more than %d callbacks of one kind", self->path, PLUGIN_MAX_REGS);
        exit(1);
    }
    rs->r[rs->n++] = (struct plugin_reg){ fn, udata };
}

static void reg_tb_trans(struct vm_plugin *self, vm_tb_trans_cb cb, void *udata)
{
    add_reg(&plugin_tb_trans, self, (void (*)(void))cb, udata);
}

static void reg_syscall(struct vm_plugin *self, vm_syscall_cb cb, void *udata)
{
    add_reg(&syscall_regs, self, (void (*)(void))cb, udata);
}

static void reg_syscall_ret(struct vm_plugin *self, vm_syscall_ret_cb cb, void *udata)
{
    add_reg(&syscall_ret_regs, self, (void (*)(void))cb, udata);
}

static void reg_exit(struct vm_plugin *self, vm_exit_cb cb, void *udata)
{
    add_reg(&exit_regs, self, (void (*)(void))cb, udata);
}

static const struct vm_plugin_api api = {
    .on_tb_trans = reg_tb_trans,
    .on_syscall = reg_syscall,
    .on_syscall_ret = reg_syscall_ret,
    .on_exit = reg_exit,
    .tb_pc = plugin_tb_pc,
    .tb_n_insns = plugin_tb_n_insns,
    .tb_insn = plugin_tb_insn,
    .insn_pc = plugin_insn_pc,
    .insn_size = plugin_insn_size,
    .insn_bytes = plugin_insn_bytes,
    .insn_disas = plugin_insn_disas,
    .tb_exec = plugin_tb_exec,
    .insn_exec = plugin_insn_exec,
    .insn_mem = plugin_insn_mem,
};

int plugin_load(const char *spec, const char *guest, const char *mode)
{
    char *copy = strdup(spec), *save = NULL;
    char **argv = calloc(strlen(spec) + 1, sizeof(*argv));
    struct vm_plugin *p = calloc(1, sizeof(*p));
    if (!copy || !argv || !p) {
        vm_error("plugin %s: out of memory", spec);
        return -1;
    }
    /* copy, argv and p stay: the plugin keeps pointers into them */
    const char *path = copy[0] == ',' ? "" : strtok_r(copy, ",", &save);
    int argc = 0;
    for (char *a; (a = strtok_r(NULL, ",", &save));)
        argv[argc++] = a;
    struct stat st;
    if (!*path) {
        vm_error("plugin %s: no file named", spec);
        return -1;
    }
    if (strchr(path, '/') && stat(path, &st) < 0) {
        vm_error("plugin %s: %s", path, strerror(errno));
        return -1;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        vm_error("plugin %s: cannot load it: %s", path, dlerror());
        return -1;
    }
    const uint32_t *version = dlsym(h, "vm_plugin_version");
    typedef int install_fn(struct vm_plugin *, const struct vm_plugin_api *,
                           const struct vm_plugin_info *);
    install_fn *install = (install_fn *)dlsym(h, "vm_plugin_install");
    if (!version || !install) {
        vm_error("plugin %s: not a vm plugin (it does not define %s)", path,
                 version ? "vm_plugin_install" : "vm_plugin_version");
        dlclose(h);
        return -1;
    }
    if (*version != VM_PLUGIN_VERSION) {
        vm_error("plugin %s: built for plugin API version %u, vm has version %u", path,
                 *version, VM_PLUGIN_VERSION);
        dlclose(h);
        return -1;
    }
    p->path = path;
    p->handle = h;
    struct vm_plugin_info info = { .version = VM_PLUGIN_VERSION, .guest = guest, .mode = mode,
                                   .argc = argc, .argv = argv };
    installing = p;
    int r = install(p, &api, &info);
    installing = NULL;
    if (r) {
        vm_error("plugin %s: its vm_plugin_install failed (returned %d)", path, r);
        return -1;
    }
    plugin_translating = plugin_tb_trans.n > 0;
    plugin_syscalls = syscall_regs.n + syscall_ret_regs.n > 0;
    return 0;
}

/* Numbers are handed out in order of first sight; a CPU's slot stays with its address, so a
 * new CPU allocated where an ended one was gets its number. */
#define MAX_VCPUS 4096
static const struct cpu *vcpus[MAX_VCPUS];
static unsigned n_vcpus;
static pthread_mutex_t vcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread const struct cpu *last_cpu;
static __thread unsigned last_vcpu;

unsigned plugin_vcpu(const struct cpu *cpu)
{
    if (cpu == last_cpu)
        return last_vcpu;
    pthread_mutex_lock(&vcpu_lock);
    unsigned i = 0;
    while (i < n_vcpus && vcpus[i] != cpu)
        i++;
    if (i == n_vcpus && n_vcpus < MAX_VCPUS)
        vcpus[n_vcpus++] = cpu;
    pthread_mutex_unlock(&vcpu_lock);
    last_cpu = cpu;
    last_vcpu = i < MAX_VCPUS ? i : MAX_VCPUS - 1;
    return last_vcpu;
}

void plugin_syscall(struct cpu *cpu, uint64_t nr, const uint64_t args[6])
{
    for (unsigned i = 0; i < syscall_regs.n; i++)
        ((vm_syscall_cb)syscall_regs.r[i].fn)(plugin_vcpu(cpu), (int64_t)nr, args,
                                              syscall_regs.r[i].udata);
}

void plugin_syscall_ret(struct cpu *cpu, uint64_t nr, int64_t ret)
{
    for (unsigned i = 0; i < syscall_ret_regs.n; i++)
        ((vm_syscall_ret_cb)syscall_ret_regs.r[i].fn)(plugin_vcpu(cpu), (int64_t)nr, ret,
                                                      syscall_ret_regs.r[i].udata);
}

void plugin_exit(int status)
{
    static bool done;
    if (__atomic_exchange_n(&done, true, __ATOMIC_ACQ_REL))
        return;
    for (unsigned i = 0; i < exit_regs.n; i++)
        ((vm_exit_cb)exit_regs.r[i].fn)(status, exit_regs.r[i].udata);
}
