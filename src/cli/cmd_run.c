/* `vm run [OPTIONS] PROGRAM [ARGS...]`: user mode. Options stop at the program name, so the
 * guest's own arguments pass through untouched. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/registry.h"
#include "debug/gdbstub.h"
#include "exec/codegc.h"
#include "exec/tcache.h"
#include "exec/tier2.h"
#include "linux/linux.h"
#include "linux/load.h"
#include "mem/uspace.h"
#include "plugin/plugin.h"
#include "service/metrics.h"
#include "service/perfmap.h"

extern char **environ;

/* The JIT where the host has one (every test passes under it), else the interpreter. */
static const struct engine_ops *default_engine(void)
{
    const struct engine_ops *jit = engine_by_name("jit");
    return jit ? jit : engine_at(0);
}

struct env {
    char **v;
    size_t n;
};

static void env_unset(struct env *e, const char *name)
{
    size_t len = strcspn(name, "=");
    for (size_t i = 0; i < e->n; i++)
        if (!strncmp(e->v[i], name, len) && e->v[i][len] == '=') {
            e->v[i] = e->v[--e->n];
            e->v[e->n] = NULL;
            return;
        }
}

static int env_set(struct env *e, char *assignment)
{
    if (!strchr(assignment, '=')) {
        vm_error("-E %s: expected VAR=VALUE", assignment);
        return -EINVAL;
    }
    env_unset(e, assignment);
    char **v = realloc(e->v, (e->n + 2) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    e->v = v;
    e->v[e->n++] = assignment;
    e->v[e->n] = NULL;
    return 0;
}

static int env_init(struct env *e)
{
    size_t n = 0;
    while (environ[n])
        n++;
    e->v = malloc((n + 1) * sizeof(*e->v));
    if (!e->v)
        return -ENOMEM;
    memcpy(e->v, environ, (n + 1) * sizeof(*e->v));
    e->n = n;
    return 0;
}

#define MAX_PLUGINS 16

/* What the options and environment variables of `vm run` set. */
struct run_config {
    struct linux_run_opts opts;
    struct env env;
    const char *argv0;
    const char *gdb;          /* --gdb: where to wait for gdb, or NULL */
    bool stats;
    bool perf_map;
    const char *metrics;      /* --metrics: PATH or tcp::PORT, or NULL */
    const char *plugins[MAX_PLUGINS];   /* --plugin: "FILE.so[,ARG...]" each */
    unsigned n_plugins;
    const char *tcache;       /* --tcache: DIR, or NULL when off */
};

/* An option's handler: 0, or a status to exit with (after printing why). A flag's value is
 * NULL. `spelling` is how the user wrote it, for the message. */
typedef int (*run_option_fn)(struct run_config *c, const char *value, const char *spelling);

static int set_engine(struct run_config *c, const char *v, const char *spelling)
{
    if (!(c->opts.engine = cli_engine(v, spelling))) {
        vm_error("%s %s: no such engine (see vm run --help)", spelling, v);
        return 2;
    }
    return 0;
}

static int set_sysroot(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    c->opts.sysroot = v;
    return 0;
}

static int set_env(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    return env_set(&c->env, (char *)v) < 0 ? 2 : 0;
}

static int unset_env(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    env_unset(&c->env, v);
    return 0;
}

static int set_argv0(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    c->argv0 = v;
    return 0;
}

static int set_log(struct run_config *c, const char *v, const char *spelling)
{
    (void)c, (void)spelling;
    if (!strcmp(v, "help")) {
        log_help(stdout);
        exit(0);
    }
    return log_parse(v) < 0 ? 2 : 0;
}

static int set_log_file(struct run_config *c, const char *v, const char *spelling)
{
    (void)c;
    if (log_file && log_file != stderr)
        fclose(log_file);
    if (!(log_file = fopen(v, "w"))) {
        vm_error("%s %s: %s", spelling, v, strerror(errno));
        return 2;
    }
    return 0;
}

static int set_strace(struct run_config *c, const char *v, const char *spelling)
{
    (void)c, (void)v, (void)spelling;
    log_parse("strace");
    return 0;
}

static int set_gdb(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    c->gdb = v;
    return 0;
}

static int set_stats(struct run_config *c, const char *v, const char *spelling)
{
    (void)v, (void)spelling;
    c->stats = true;
    return 0;
}

static int set_perf_map(struct run_config *c, const char *v, const char *spelling)
{
    (void)v, (void)spelling;
    c->perf_map = true;
    return 0;
}

static int set_metrics(struct run_config *c, const char *v, const char *spelling)
{
    (void)spelling;
    c->metrics = v;
    return 0;
}

static int set_plugin(struct run_config *c, const char *v, const char *spelling)
{
    if (c->n_plugins == MAX_PLUGINS) {
        vm_error("%s %s: at most %d plugins", spelling, v, MAX_PLUGINS);
        return 2;
    }
    c->plugins[c->n_plugins++] = v;
    return 0;
}

static int set_tcache(struct run_config *c, const char *v, const char *spelling)
{
    if (!*v) {
        vm_error("%s: expected a directory or off", spelling);
        return 2;
    }
    c->tcache = strcmp(v, "off") ? v : NULL;
    return 0;
}

static int set_code_cache(struct run_config *c, const char *v, const char *spelling)
{
    (void)c;
    uint64_t size;
    if (cli_parse_size(v, 1ull << 30, &size) < 0 || size < (64u << 10)) {
        vm_error("%s %s: expected a size from 64K to 1G", spelling, v);
        return 2;
    }
    codegc_size = size;
    return 0;
}

static int set_tier2(struct run_config *c, const char *v, const char *spelling)
{
    (void)c;
    if (strcmp(v, "on") && strcmp(v, "off")) {
        vm_error("%s: expected on or off", spelling);
        return 2;
    }
    tier2_on = !strcmp(v, "on");
    return 0;
}

static int set_tier2_hot(struct run_config *c, const char *v, const char *spelling)
{
    (void)c;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 1 << 30) {
        vm_error("%s: expected a count from 1 to 2^30", spelling);
        return 2;
    }
    tier2_hot_runs = (int32_t)n;
    return 0;
}

/* vm models one CPU per guest ISA, with everything it implements (AT_HWCAP says what); a
 * script written for qemu-user may still name a model. */
static int set_cpu(struct run_config *c, const char *v, const char *spelling)
{
    (void)c;
    if (!strcmp(v, "help")) {
        printf("vm models one CPU per guest ISA, with every extension it implements:\n");
        for (unsigned i = 0; guest_at(i); i++)
            printf("  %s\n", guest_at(i)->name);
        printf("'max' and 'any' name it; other model names run it too, with a warning.\n");
        exit(0);
    }
    if (strcmp(v, "max") && strcmp(v, "any"))
        fprintf(stderr, "vm: warning: %s %s: vm has no CPU models; running its one CPU (max)\n",
                spelling, v);
    return 0;
}

static int set_stack_size(struct run_config *c, const char *v, const char *spelling)
{
    if (cli_parse_size(v, 1ull << 32, &c->opts.stack_size) < 0 || c->opts.stack_size < (64u << 10)) {
        vm_error("%s %s: expected a size from 64K to 4G", spelling, v);
        return 2;
    }
    return 0;
}

static int set_reserved_va(struct run_config *c, const char *v, const char *spelling)
{
    if (cli_parse_size(v, GUEST_SPACE_SIZE, &c->opts.space_size) < 0 ||
        c->opts.space_size < LINUX_SPACE_MIN) {
        vm_error("%s %s: expected a size from %lluM to %lluG", spelling, v,
                 LINUX_SPACE_MIN >> 20, GUEST_SPACE_SIZE >> 30);
        return 2;
    }
    return 0;
}

static int set_guest_base(struct run_config *c, const char *v, const char *spelling)
{
    char *end;
    errno = 0;
    c->opts.guest_base = strtoull(v, &end, 0);
    if (end == v || *end || errno || c->opts.guest_base < USPACE_GUARD ||
        c->opts.guest_base % USPACE_PAGE_SIZE) {
        vm_error("%s %s: expected a page-aligned host address from %#llx (the guard below the "
                 "space)", spelling, v, USPACE_GUARD);
        return 2;
    }
    return 0;
}

/* One row per option of `vm run`: vm's spelling, the other spellings (qemu-user's, so vm is a
 * drop-in for scripts written for it), and the environment variables that set it too (vm's,
 * then qemu-user's, as binfmt_misc users set them). Environment variables apply first, the
 * command line after them; a flag's variable counts when set to anything. A list option's
 * variable holds comma-separated values. */
static const struct run_option {
    const char *name, *alias;
    const char *env, *qemu_env;
    const char *arg;          /* the value's name in --help; NULL for a flag */
    bool list;                /* its variable holds several values */
    run_option_fn set;
    const char *help;
} run_options[] = {
    { "--engine", NULL, "VM_ENGINE", NULL, "NAME", false, set_engine,
      "how guest code runs:" },
    { "--sysroot", "-L", "VM_SYSROOT", "QEMU_LD_PREFIX", "DIR", false, set_sysroot,
      "guest sysroot for the dynamic linker and libraries (default: the guest's\n"
      "/usr/<triple>, e.g. /usr/riscv64-linux-gnu)" },
    { "--env", "-E", "VM_SET_ENV", "QEMU_SET_ENV", "VAR=VAL", true, set_env,
      "set a variable in the guest's environment" },
    { "--unset-env", "-U", "VM_UNSET_ENV", "QEMU_UNSET_ENV", "VAR", true, unset_env,
      "remove a variable from the guest's environment" },
    { "--argv0", "-0", "VM_ARGV0", "QEMU_ARGV0", "ARGV0", false, set_argv0,
      "the guest's argv[0] (default: PROGRAM)" },
    { "--log", "-d", "VM_LOG", "QEMU_LOG", "CATS", false, set_log,
      "log categories, comma-separated (--log=help lists them)" },
    { "--log-file", "-D", "VM_LOG_FILE", "QEMU_LOG_FILENAME", "FILE", false, set_log_file,
      "write logs to FILE instead of stderr" },
    { "--strace", "-strace", "VM_STRACE", "QEMU_STRACE", NULL, false, set_strace,
      "print guest system calls like strace (same as --log=strace)" },
    { "--gdb", "-g", "VM_GDB", "QEMU_GDB", "PORT|PATH", false, set_gdb,
      "wait for gdb on a TCP port of localhost or a unix socket PATH before the\n"
      "first instruction (gdb: target remote :PORT)" },
    { "--stats", NULL, "VM_STATS", NULL, NULL, false, set_stats,
      "print translation and execution counts on exit" },
    { "--perf-map", NULL, "VM_PERF_MAP", NULL, NULL, false, set_perf_map,
      "write /tmp/perf-PID.map naming each JIT block by its guest symbol+offset\n"
      "(or guest pc), so perf report attributes samples to guest code" },
    { "--metrics", NULL, "VM_METRICS", NULL, "PATH|tcp::PORT", false, set_metrics,
      "Prometheus metrics: written to PATH at exit and on SIGUSR1 (while the guest\n"
      "leaves SIGUSR1 at its default action), or served to GET /metrics on\n"
      "127.0.0.1:PORT" },
    { "--plugin", NULL, "VM_PLUGIN", NULL, "FILE.so[,ARG...]", false, set_plugin,
      "load an instrumentation plugin (docs/plugins.md) and pass it the ARGs\n"
      "(KEY=VALUE); repeat it for several. Plugins in vm's tree: insn_count.so,\n"
      "hot_blocks.so, mem_trace.so (built in build/plugins/)" },
    { "--tcache", NULL, "VM_TCACHE", NULL, "DIR|off", false, set_tcache,
      "persistent translation cache (docs/performance.md): keep the JIT's code for\n"
      "this program in DIR across runs and reuse what still matches the guest's\n"
      "bytes (default off; only --engine=jit, without --plugin or --gdb)" },
    { "--tier2", NULL, "VM_TIER2", NULL, "on|off", false, set_tier2,
      "T2, the second JIT tier (docs/performance.md): a block that runs often is\n"
      "compiled again with the blocks of its hot path as one region, guest registers\n"
      "kept in host registers across them (default on; x86-64 hosts, user mode)" },
    { "--tier2-hot", NULL, "VM_TIER2_HOT", NULL, "N", false, set_tier2_hot,
      "runs of a block before T2 makes it a region's head (default 4096; the\n"
      "tests use 2 so that short programs run their code in regions)" },
    { "--code-cache", NULL, "VM_CODE_CACHE", NULL, "SIZE", false, set_code_cache,
      "JIT code cache size, e.g. 64M (default) or 512K. When its nursery fills,\n"
      "blocks still in use move to the old space and the rest are dropped; a full\n"
      "old space is emptied" },
    { "--cpu", "-cpu", "VM_CPU", "QEMU_CPU", "MODEL", false, set_cpu,
      "accepted for qemu-user's sake: vm has one CPU per ISA (--cpu=help)" },
    { "--stack-size", "-s", "VM_STACK_SIZE", "QEMU_STACK_SIZE", "SIZE", false,
      set_stack_size, "size of the guest's main stack (default 8M)" },
    { "--reserved-va", "-R", "VM_RESERVED_VA", "QEMU_RESERVED_VA", "SIZE", false,
      set_reserved_va, "size of the guest address space (default: the ISA's user space)" },
    { "--guest-base", "-B", "VM_GUEST_BASE", "QEMU_GUEST_BASE", "ADDR", false,
      set_guest_base, "host address of guest address 0 (default: where the host has room)" },
};
#define N_RUN_OPTIONS (sizeof(run_options) / sizeof(run_options[0]))

void cmd_run_help(void)
{
    printf("usage: vm run [OPTIONS] PROGRAM [ARGS...]\n\n"
           "Runs a Linux program built for another ISA; the ISA comes from its ELF header.\n\n"
           "options (other spellings, then the environment variables that set them too):\n");
    for (size_t i = 0; i < N_RUN_OPTIONS; i++) {
        const struct run_option *o = &run_options[i];
        char head[96];
        int n = snprintf(head, sizeof(head), "  %s%s%s", o->name, o->arg ? "=" : "",
                         o->arg ? o->arg : "");
        if (o->alias)
            n += snprintf(head + n, sizeof(head) - n, ", %s%s%s", o->alias, o->arg ? " " : "",
                          o->arg ? o->arg : "");
        printf("%s\n", head);
        for (const char *line = o->help, *nl; line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            printf("%s      %.*s", line == o->help ? "" : "\n", nl ? (int)(nl - line) : (int)strlen(line), line);
        }
        if (o->set == set_engine)
            for (unsigned e = 0; engine_at(e); e++)
                printf(" %s%s", engine_at(e)->name, engine_at(e) == default_engine() ? " (default)" : "");
        printf("\n      [%s%s%s]\n", o->env, o->qemu_env ? ", " : "", o->qemu_env ? o->qemu_env : "");
    }
    printf("  -h, --help\n      this text\n\n"
           "The exit status is the guest's; a guest killed by signal N kills vm with signal N.\n");
}

/* The variables of every option that has them; a list variable's values one by one. */
static int apply_environment(struct run_config *c)
{
    for (size_t i = 0; i < N_RUN_OPTIONS; i++) {
        const struct run_option *o = &run_options[i];
        for (int k = 0; k < 2; k++) {
            const char *name = k ? o->qemu_env : o->env, *v;
            if (!name || !(v = getenv(name)))
                continue;
            if (!o->list) {
                int r = o->set(c, o->arg ? v : NULL, name);
                if (r)
                    return r;
                continue;
            }
            char *copy = strdup(v), *save = NULL;
            if (!copy)
                return 1;
            for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                int r = o->set(c, item, name);
                if (r)
                    return r;
            }
            /* copy stays: -E keeps pointers into it for the guest's environment */
        }
    }
    return 0;
}

/* Matches argv[*i] against an option: "--name=V", "--name V", "-alias V", or a flag alone.
 * Returns the option (its value in *value) or NULL. */
static const struct run_option *match_option(int argc, char **argv, int *i, const char **value,
                                             int *status)
{
    const char *a = argv[*i];
    for (size_t k = 0; k < N_RUN_OPTIONS; k++) {
        const struct run_option *o = &run_options[k];
        const char *names[] = { o->name, o->alias };
        for (int n = 0; n < 2; n++) {
            if (!names[n])
                continue;
            size_t len = strlen(names[n]);
            if (strncmp(a, names[n], len))
                continue;
            if (!o->arg && !a[len]) {
                *value = NULL;
                return o;
            }
            if (o->arg && a[len] == '=' && n == 0) {
                *value = a + len + 1;
                return o;
            }
            if (o->arg && !a[len]) {
                if (*i + 1 >= argc) {
                    vm_error("%s needs a value", a);
                    *status = 2;
                    return NULL;
                }
                *value = argv[++*i];
                return o;
            }
        }
    }
    vm_error("unknown option '%s' (see vm run --help)", a);
    *status = 2;
    return NULL;
}

int cmd_run(int argc, char **argv)
{
    /* Static: the guest's environment lives as long as vm (threads may exit() any time). */
    static struct run_config c;
    if (env_init(&c.env) < 0)
        return 1;
    log_file = stderr;
    c.opts.engine = default_engine();
    tier2_on = true;
    int i, status = apply_environment(&c);
    if (status)
        return status;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *value;
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cmd_run_help();
            return 0;
        }
        const struct run_option *o = match_option(argc, argv, &i, &value, &status);
        if (!o)
            return status;
        if ((status = o->set(&c, value, a)))
            return status;
    }
    if (i >= argc) {
        vm_error("run: no program given (see vm run --help)");
        return 2;
    }
    if (!c.opts.engine) {
        vm_error("run: no engine built in");
        return 1;
    }
    struct linux_run_opts *opts = &c.opts;
    opts->path = argv[i];
    opts->argv = argv + i;
    if (c.argv0)
        opts->argv[0] = (char *)c.argv0;
    opts->envp = c.env.v;
    int code = linux_run_script(opts);
    if (code)
        return code;
    const struct guest_ops *guest = linux_probe(opts->path, &code);
    if (!guest)
        return code;
    /* Static: the thread that ends the process reports to them after this one has left. */
    static struct machine machine;
    static struct machine_observer stats_observer = { .changed = cli_print_stats };
    machine_init(&machine, opts->path);
    if (c.stats)
        machine_observe(&machine, &stats_observer);
    opts->machine = &machine;
    for (unsigned k = 0; k < c.n_plugins; k++)
        if (plugin_load(c.plugins[k], guest->name, "user") < 0)
            return 1;
    if (c.perf_map && perfmap_start(&machine) < 0)
        return 1;
    if (c.metrics && metrics_start(&machine, c.metrics) < 0)
        return 1;
    if (c.gdb && !guest->gdb) {
        vm_error("--gdb %s: no gdb support for %s guests yet", c.gdb, guest->name);
        return 1;
    }
    if (c.gdb && gdbstub_start(c.gdb) < 0)
        return 1;
    /* A failure to open the cache only costs its speed (vm says why). */
    if (c.tcache && !strcmp(opts->engine->name, "jit") && !c.n_plugins && !c.gdb)
        tcache_open(c.tcache, opts->path, guest->name);
    return linux_run(guest, opts);
}
