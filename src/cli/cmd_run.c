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
#include "exec/codegc.h"
#include "exec/smc.h"
#include "exec/tb.h"
#include "opt/opt.h"
#include "linux/linux.h"

extern char **environ;

/* The JIT where the host has one (every test passes under it), else the interpreter. */
static const struct engine_ops *default_engine(void)
{
    const struct engine_ops *jit = engine_by_name("jit");
    return jit ? jit : engine_at(0);
}

void cmd_run_help(void)
{
    printf("usage: vm run [OPTIONS] PROGRAM [ARGS...]\n\n"
           "Runs a Linux program built for another ISA; the ISA comes from its ELF header.\n\n"
           "options:\n"
           "  --engine=NAME    how guest code runs:");
    for (unsigned i = 0; engine_at(i); i++)
        printf(" %s%s", engine_at(i)->name, engine_at(i) == default_engine() ? " (default)" : "");
    printf("\n"
           "  -L DIR           guest sysroot for the dynamic linker and libraries\n"
           "                   (default: the guest's /usr/<triple>, e.g. /usr/riscv64-linux-gnu)\n"
           "  -E VAR=VAL       set a variable in the guest's environment\n"
           "  -U VAR           remove a variable from the guest's environment\n"
           "  -0 ARGV0         the guest's argv[0] (default: PROGRAM)\n"
           "  --log=CATS       log categories, comma-separated (--log=help lists them)\n"
           "  --log-file=FILE  write logs to FILE instead of stderr\n"
           "  --strace         same as --log=strace\n"
           "  --stats          print translation and execution counts on exit\n"
           "  --code-cache=SIZE  JIT code cache size, e.g. 64M (default), 512K; when full it\n"
           "                   is emptied and refilled\n"
           "  -h, --help       this text\n\n"
           "The exit status is the guest's; a guest killed by signal N kills vm with signal N.\n");
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

static const char *opt_value(char **argv, int *i, const char *shortname, const char *longname)
{
    const char *a = argv[*i];
    size_t n = strlen(longname);
    if (!strncmp(a, longname, n) && a[n] == '=')
        return a + n + 1;
    if ((shortname && !strcmp(a, shortname)) || !strcmp(a, longname)) {
        if (!argv[*i + 1]) {
            vm_error("%s needs a value", a);
            exit(2);
        }
        return argv[++*i];
    }
    return NULL;
}

static void print_stats(struct machine *m, enum machine_state old, void *opaque)
{
    if (m->state != MACHINE_STOPPED)
        return;
    fprintf(stderr,
            "vm: stats: translations %" PRIu64 ", guest instructions translated %" PRIu64
            ", cache flushes %" PRIu64 "\n",
            exec_stats.translations, exec_stats.guest_insns_translated, exec_stats.flushes);
    fprintf(stderr,
            "vm: stats: translation time %.3f s (%.0f guest instructions/ms), %" PRIu64
            " ranges invalidated\n",
            exec_stats.translate_ns / 1e9,
            exec_stats.translate_ns ? exec_stats.guest_insns_translated * 1e6 / exec_stats.translate_ns : 0.0,
            exec_stats.invalidations);
    fprintf(stderr,
            "vm: stats: JIT code %" PRIu64 " bytes in %" PRIu64 " blocks, %" PRIu64
            " chains; code cache: %" PRIu64 " minor collections (%" PRIu64 " blocks promoted, %"
            PRIu64 " dropped), %" PRIu64 " full; self-modifying code: %" PRIu64
            " pages write-protected, %" PRIu64 " stores to them\n",
            codegc_stats.bytes, codegc_stats.blocks, codegc_stats.links, codegc_stats.minor,
            codegc_stats.promoted, codegc_stats.dropped, codegc_stats.full,
            smc_stats.protected_pages, smc_stats.write_faults);
    fprintf(stderr,
            "vm: stats: IR passes: %" PRIu64 " folded, %" PRIu64 " loads forwarded, %" PRIu64
            " dead stores, %" PRIu64 " dead ops removed\n",
            opt_stats.folded, opt_stats.forwarded, opt_stats.dead_stores, opt_stats.dead_ops);
}

/* "64M", "512K", "1G" or bytes. */
static int parse_size(const char *v, size_t *out)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (end == v || *end || n == 0 || n > (1ull << 30) >> shift)
        return -EINVAL;
    *out = (size_t)(n << shift);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct linux_run_opts opts = { 0 };
    /* Static: the guest's environment lives as long as vm (threads may exit() any time). */
    static struct env env;
    const char *argv0 = NULL, *v;
    bool stats = false;
    if (env_init(&env) < 0)
        return 1;
    opts.engine = default_engine();
    int i;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cmd_run_help();
            return 0;
        } else if ((v = opt_value(argv, &i, NULL, "--engine"))) {
            if (!(opts.engine = engine_by_name(v))) {
                vm_error("--engine=%s: no such engine (see vm run --help)", v);
                return 2;
            }
        } else if ((v = opt_value(argv, &i, "-L", "--sysroot"))) {
            opts.sysroot = v;
        } else if ((v = opt_value(argv, &i, "-E", "--env"))) {
            if (env_set(&env, (char *)v) < 0)
                return 2;
        } else if ((v = opt_value(argv, &i, "-U", "--unset-env"))) {
            env_unset(&env, v);
        } else if ((v = opt_value(argv, &i, "-0", "--argv0"))) {
            argv0 = v;
        } else if ((v = opt_value(argv, &i, NULL, "--log"))) {
            if (!strcmp(v, "help")) {
                log_help(stdout);
                return 0;
            }
            if (log_parse(v) < 0)
                return 2;
        } else if ((v = opt_value(argv, &i, NULL, "--log-file"))) {
            if (!(log_file = fopen(v, "w"))) {
                vm_error("--log-file=%s: %s", v, strerror(errno));
                return 2;
            }
        } else if (!strcmp(a, "--strace")) {
            log_parse("strace");
        } else if ((v = opt_value(argv, &i, NULL, "--code-cache"))) {
            if (parse_size(v, &codegc_size) < 0 || codegc_size < (64u << 10)) {
                vm_error("--code-cache=%s: expected a size from 64K to 1G", v);
                return 2;
            }
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else {
            vm_error("unknown option '%s' (see vm run --help)", a);
            return 2;
        }
    }
    if (i >= argc) {
        vm_error("run: no program given (see vm run --help)");
        return 2;
    }
    if (!opts.engine) {
        vm_error("run: no engine built in");
        return 1;
    }
    if (!log_file)
        log_file = stderr;
    opts.path = argv[i];
    opts.argv = argv + i;
    if (argv0)
        opts.argv[0] = (char *)argv0;
    opts.envp = env.v;
    int code;
    const struct guest_ops *guest = linux_probe(opts.path, &code);
    if (!guest)
        return code;
    struct machine machine;
    struct machine_observer stats_observer = { .changed = print_stats };
    machine_init(&machine, opts.path);
    if (stats)
        machine_observe(&machine, &stats_observer);
    opts.machine = &machine;
    return linux_run(guest, &opts);
}
