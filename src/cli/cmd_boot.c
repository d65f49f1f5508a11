/* `vm boot [OPTIONS]`: system mode, a whole machine (system/boot.h). Options are
 * `--name=VALUE` or `--name VALUE`; every option given is honoured or refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/registry.h"
#include "debug/gdbstub.h"
#include "exec/tcache.h"
#include "mem/aspace.h"
#include "plugin/plugin.h"
#include "service/control.h"
#include "service/events.h"
#include "service/metrics.h"
#include "service/perfmap.h"
#include "service/snapshot.h"
#include "system/boot.h"

#define MEMORY_MAX (1ull << 40)
#define MEMORY_MIN (1ull << 20)

#define CPUS_MAX 64

void cmd_boot_help(void)
{
    printf("usage: vm boot [OPTIONS]\n\n"
           "Runs a whole RISC-V machine (system mode): QEMU's virt board with RAM at\n"
           "0x80000000, an NS16550A UART on this terminal, ACLINT, PLIC, Goldfish RTC and the\n"
           "SiFive test device (poweroff ends vm), and virtio-mmio slots at 0x10001000 +\n"
           "i * 0x1000 (PLIC source 1 + i): the --drive disks in order, the --net card, then\n"
           "a virtio-rng (always present). Ctrl-A X quits, Ctrl-A Ctrl-A sends Ctrl-A.\n"
           "With --accel=kvm, an x86-64 machine on the host CPU (microvm: RAM at 0, the\n"
           "in-kernel PIC, IOAPIC, LAPIC and PIT, a 16550 UART at port 0x3F8 on IRQ 4, the\n"
           "i8042's reset at 0x64, which ends vm, the --drive disks, the --net card and a\n"
           "virtio-rng at 0xc0000000 + i * 0x1000 on IRQ 5 + i, named on the kernel's\n"
           "command line, MP tables for the --cpus vCPUs at 0xf0000)\n"
           "running an x86-64 ELF64 --kernel by Linux's 64-bit boot protocol.\n\n"
           "options:\n"
           "  --accel=NAME     tcg (default: guest code translated by --engine) or kvm\n"
           "                   (/dev/kvm; not with --bios, --dump-dtb, --engine, --perf-map,\n"
           "                   --gdb or --plugin)\n"
           "  --machine=NAME   the board: virt (default with tcg), microvm (kvm)\n"
           "  --cpus=N         harts (1, default, to 16), or vCPUs with kvm: each a host\n"
           "                   thread (with kvm the guest starts the others by INIT and\n"
           "                   SIPI)\n"
           "  --memory=SIZE    RAM size, e.g. 512M (default), 2G\n"
           "  --bios=FILE      firmware at 0x80000000, started in M-mode with a0 = hart id,\n"
           "                   a1 = device tree, a2 = OpenSBI's fw_dynamic info (default:\n"
           "                   %s)\n"
           "  --bios=none      no firmware: the kernel starts in M-mode at its entry\n"
           "  --kernel=FILE    an ELF (loaded at its physical addresses; HTIF if it defines\n"
           "                   tohost/fromhost) or a RISC-V Linux Image (at 0x80000000 with\n"
           "                   --bios=none, else at the first 2 MiB boundary after the firmware,\n"
           "                   run by it in S-mode); after a firmware also a raw binary, such\n"
           "                   as U-Boot's u-boot.bin\n"
           "  --initrd=FILE    loaded after the kernel, named in the device tree\n"
           "  --append=CMDLINE the kernel's command line (the device tree's bootargs)\n"
           "  --drive=FILE[,readonly]  a virtio-blk disk on the raw image FILE (a whole\n"
           "                   number of 512-byte sectors; flushes are fdatasync); readonly:\n"
           "                   the guest sees a read-only disk. Repeatable, up to %d\n"
           "  --net=user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...\n"
           "                   a virtio-net card on user networking (libslirp): the guest is\n"
           "                   10.0.2.15 (DHCP), the host 10.0.2.2, DNS 10.0.2.3; hostfwd\n"
           "                   forwards a host port (tcp or udp) to the guest's\n"
           "  --dump-dtb=FILE  write the device tree blob to FILE and exit\n"
           "  --engine=NAME    how guest code runs:", BOOT_DEFAULT_BIOS, BOOT_DRIVES_MAX);
    for (unsigned e = 0; engine_at(e); e++)
        if (strcmp(engine_at(e)->name, "check"))
            printf(" %s", engine_at(e)->name);
    printf(" (check: user mode only)\n"
           "  --log=CATS       log categories, comma-separated (--log=help lists them)\n"
           "  --log-file=FILE  write logs to FILE instead of stderr\n"
           "  --stats          print translation, code cache, exit and TLB counts at exit\n"
           "  --tcache=DIR|off persistent translation cache (docs/performance.md): keep the\n"
           "                   JIT's code for this kernel (or firmware) in DIR across boots\n"
           "                   and reuse each block whose guest bytes still match (default\n"
           "                   off; only --engine=jit, without --plugin or --gdb)\n"
           "  --perf-map       write /tmp/perf-PID.map naming each JIT block by its guest\n"
           "                   symbol+offset (or pc) for perf report\n"
           "  --metrics=PATH|tcp::PORT  Prometheus metrics: written to PATH when the machine\n"
           "                   stops and on SIGUSR1, or served to GET /metrics on\n"
           "                   127.0.0.1:PORT\n"
           "  --control=PATH   serve JSON requests (status, pause, resume, stats, quit,\n"
           "                   subscribe, snapshot-save, snapshot-load, device-add,\n"
           "                   device-remove) on the unix socket PATH (docs/control.md)\n"
           "  --events=FILE    append the machine's lifecycle events to FILE (JSON lines)\n"
           "  --restore=FILE   start from the snapshot FILE (docs/snapshot.md) instead of\n"
           "                   reset: the other options must describe the same machine\n"
           "  --gdb=tcp::PORT|PORT|PATH  wait for gdb on a TCP port of localhost or a unix\n"
           "                   socket PATH before the first instruction; hart N is gdb's\n"
           "                   thread N + 1 (gdb-multiarch: target remote :PORT)\n"
           "  --plugin=FILE.so[,ARG...]  load an instrumentation plugin and pass it the ARGs\n"
           "                   (docs/plugins.md); repeat it for several\n");
}

/* The services `vm boot` was asked for, attached to the machine once it exists. */
#define MAX_PLUGINS 16

struct boot_services {
    bool stats, perf_map;
    const char *metrics, *control, *events, *restore;
    const char *gdb;          /* --gdb: a port or a unix socket path, or NULL */
    const char *plugins[MAX_PLUGINS];
    unsigned n_plugins;
    struct machine_observer stats_observer, plugin_observer;
};

static void plugins_stopped(struct machine *m, enum machine_state old, void *opaque)
{
    if (m->state == MACHINE_STOPPED)
        plugin_exit(m->exit_status);
}

static int attach_services(struct machine *m, void *opaque)
{
    struct boot_services *s = opaque;
    for (unsigned i = 0; i < m->n_cpus && (s->stats || s->metrics || s->control); i++)
        if (m->cpus[i]->as->tlb)   /* their TLB counts include the engines' inline hits */
            m->cpus[i]->as->tlb->count_hits = true;
    if (s->stats) {
        s->stats_observer.changed = cli_print_stats;
        machine_observe(m, &s->stats_observer);
    }
    for (unsigned k = 0; k < s->n_plugins; k++)
        if (plugin_load(s->plugins[k], m->cpus[0]->ops->name, "system") < 0)
            return 1;
    if (s->n_plugins) {
        s->plugin_observer.changed = plugins_stopped;
        machine_observe(m, &s->plugin_observer);
    }
    if (s->gdb && !m->cpus[0]->ops->gdb) {
        vm_error("--gdb=%s: no gdb support for %s guests yet", s->gdb, m->cpus[0]->ops->name);
        return 1;
    }
    if (s->gdb && gdbstub_start(strncmp(s->gdb, "tcp::", 5) ? s->gdb : s->gdb + 5) < 0)
        return 1;
    if (s->perf_map && perfmap_start(m) < 0)
        return 1;
    if (s->metrics && metrics_start(m, s->metrics) < 0)
        return 1;
    if ((s->events || s->control) && events_start(m, s->events) < 0)
        return 1;
    /* Before the control socket exists, so no request sees the machine half-restored. */
    char why[512];
    if (s->restore && snapshot_load(m, s->restore, why, sizeof(why)) < 0) {
        vm_error("--restore=%s: %s", s->restore, why);
        return 1;
    }
    if (s->control && control_start(m, s->control) < 0)
        return 1;
    return 0;
}

static const struct engine_ops *default_engine(void)
{
    const struct engine_ops *jit = engine_by_name("jit");
    return jit ? jit : engine_at(0);
}

/* The value of option name in argv[*i] ("--name=V" or "--name V"), or NULL if argv[*i] is
 * another option. *bad is set when the option is there without a value. */
static const char *option(int argc, char **argv, int *i, const char *name, bool *bad)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n])
        return NULL;
    if (*i + 1 >= argc) {
        *bad = true;
        return NULL;
    }
    return argv[++*i];
}

/* --drive=FILE[,readonly]: 0, or -1 after printing why not. */
static int parse_drive(const char *v, struct boot_config *c)
{
    if (c->n_drives == BOOT_DRIVES_MAX) {
        vm_error("--drive=%s: at most %d disks", v, BOOT_DRIVES_MAX);
        return -1;
    }
    struct boot_drive *d = &c->drives[c->n_drives];
    /* A path may hold commas: only a last ",readonly" is the option. */
    size_t n = strlen(v), suffix = strlen(",readonly");
    d->readonly = n >= suffix && !strcmp(v + n - suffix, ",readonly");
    d->path = d->readonly ? strndup(v, n - suffix) : v;
    if (!d->path || !*d->path) {
        vm_error("--drive=%s: expected FILE or FILE,readonly", v);
        return -1;
    }
    c->n_drives++;
    return 0;
}

int cmd_boot(int argc, char **argv)
{
    const struct accel_ops *accel = accel_by_name("tcg");
    const char *tcg_only = NULL;   /* the last option --accel=kvm does not take */
    const char *tcache = NULL;     /* --tcache: DIR, or NULL when off */
    struct boot_config c = { .machine = NULL, .cpus = 1, .memory = 512ull << 20,
                             .bios = BOOT_DEFAULT_BIOS, .engine = default_engine() };
    static struct boot_services services;
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_boot_help();
            return 0;
        } else if (!strcmp(argv[i], "--stats")) {
            services.stats = true;
        } else if (!strcmp(argv[i], "--perf-map")) {
            services.perf_map = true;
            tcg_only = "--perf-map";
        } else if ((v = option(argc, argv, &i, "--accel", &bad))) {
            if (!(accel = accel_by_name(v))) {
                vm_error("--accel=%s: expected tcg or kvm", v);
                return 2;
            }
        } else if ((v = option(argc, argv, &i, "--machine", &bad))) {
            c.machine = v;
        } else if ((v = option(argc, argv, &i, "--memory", &bad))) {
            if (cli_parse_size(v, MEMORY_MAX, &c.memory) < 0 || c.memory < MEMORY_MIN ||
                c.memory % 4096) {
                vm_error("--memory=%s: expected a size from 1M to 1T, a multiple of 4K", v);
                return 2;
            }
        } else if ((v = option(argc, argv, &i, "--cpus", &bad))) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (!*v || *end || n == 0 || n > CPUS_MAX) {
                vm_error("--cpus=%s: expected a number of CPUs (harts, or vCPUs with kvm) from 1 to %d", v, CPUS_MAX);
                return 2;
            }
            c.cpus = (unsigned)n;
        } else if ((v = option(argc, argv, &i, "--bios", &bad))) {
            c.bios = strcmp(v, "none") ? v : NULL;
            tcg_only = "--bios";
        } else if ((v = option(argc, argv, &i, "--kernel", &bad))) {
            c.kernel = v;
        } else if ((v = option(argc, argv, &i, "--initrd", &bad))) {
            c.initrd = v;
        } else if ((v = option(argc, argv, &i, "--append", &bad))) {
            c.append = v;
        } else if ((v = option(argc, argv, &i, "--drive", &bad))) {
            if (parse_drive(v, &c) < 0)
                return 2;
        } else if ((v = option(argc, argv, &i, "--net", &bad))) {
            c.net = v;
        } else if ((v = option(argc, argv, &i, "--dump-dtb", &bad))) {
            c.dump_dtb = v;
            tcg_only = "--dump-dtb";
        } else if ((v = option(argc, argv, &i, "--engine", &bad))) {
            tcg_only = "--engine";
            if (!(c.engine = cli_engine(v, "--engine"))) {
                vm_error("--engine=%s: no such engine (see vm boot --help)", v);
                return 2;
            }
        } else if ((v = option(argc, argv, &i, "--tcache", &bad))) {
            tcache = strcmp(v, "off") ? v : NULL;
            if (tcache)
                tcg_only = "--tcache";
        } else if ((v = option(argc, argv, &i, "--control", &bad))) {
            services.control = v;
        } else if ((v = option(argc, argv, &i, "--events", &bad))) {
            services.events = v;
        } else if ((v = option(argc, argv, &i, "--restore", &bad))) {
            services.restore = v;
        } else if ((v = option(argc, argv, &i, "--metrics", &bad))) {
            services.metrics = v;
        } else if ((v = option(argc, argv, &i, "--gdb", &bad))) {
            services.gdb = v;
            tcg_only = "--gdb";
        } else if ((v = option(argc, argv, &i, "--plugin", &bad))) {
            if (services.n_plugins == MAX_PLUGINS) {
                vm_error("--plugin=%s: at most %d plugins", v, MAX_PLUGINS);
                return 2;
            }
            services.plugins[services.n_plugins++] = v;
            tcg_only = "--plugin";
        } else if ((v = option(argc, argv, &i, "--log-file", &bad))) {
            if (!(log_file = fopen(v, "w"))) {
                vm_error("--log-file=%s: %s", v, strerror(errno));
                return 2;
            }
        } else if ((v = option(argc, argv, &i, "--log", &bad))) {
            if (!strcmp(v, "help")) {
                log_help(stdout);
                return 0;
            }
            if (log_parse(v) < 0)
                return 2;
        } else {
            if (bad)
                vm_error("%s: needs a value", argv[i]);
            else
                vm_error("%s: unknown or not yet implemented option (see vm boot --help)",
                         argv[i]);
            return 2;
        }
        if (bad) {
            vm_error("%s: needs a value", argv[i]);
            return 2;
        }
    }
    if (!strcmp(accel->name, "kvm") && tcg_only) {
        vm_error("%s: not with --accel=kvm", tcg_only);
        return 2;
    }
    if (!c.machine)
        c.machine = strcmp(accel->name, "kvm") ? "virt" : "microvm";
    /* As vm run's: off with another engine, plugins or gdb, which change or watch the code,
     * and when it cannot be opened (which it says). Its files are named after the kernel, or
     * the firmware without one. */
    if (tcache && !strcmp(accel->name, "tcg") && !strcmp(c.engine->name, "jit") &&
        !services.n_plugins && !services.gdb && (c.kernel || c.bios))
        tcache_open(tcache, c.kernel ? c.kernel : c.bios, "riscv64");
    c.created = attach_services;
    c.opaque = &services;
    return accel->boot(&c);
}
