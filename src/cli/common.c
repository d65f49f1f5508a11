/* What several subcommands share: the --stats report (--metrics has the same counts for
 * Prometheus: service/metrics.c), size arguments and --engine. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "exec/codegc.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "exec/tcache.h"
#include "exec/tier2.h"
#include "mem/smc.h"
#include "mem/softmmu.h"
#include "opt/opt.h"

/* An accelerator's machine (--accel=kvm): exits by reason, then each vCPU's times. */
static void print_vcpu_stats(struct machine *m)
{
    uint64_t sum[MACHINE_VCPU_EXITS_MAX];
    machine_vcpu_exits(m, sum);
    fprintf(stderr, "vm: stats: exits from guest mode:");
    const char *sep = " ";
    for (unsigned e = 0; e < MACHINE_VCPU_EXITS_MAX; e++)
        if (m->vcpu_exit_names[e]) {
            fprintf(stderr, "%s%s %" PRIu64, sep, m->vcpu_exit_names[e], sum[e]);
            sep = ", ";
        }
    fprintf(stderr, "\n");
    for (unsigned i = 0; i < m->n_vcpus; i++)
        fprintf(stderr, "vm: stats: vCPU %u: %.3f s in guest mode (or halted), %.3f s of host CPU\n",
                i, m->vcpus[i]->run_ns / 1e9, machine_vcpu_cpu_seconds(m->vcpus[i]));
}

void cli_print_stats(struct machine *m, enum machine_state old, void *opaque)
{
    if (m->state != MACHINE_STOPPED)
        return;
    if (m->n_vcpus) {
        print_vcpu_stats(m);
        return;
    }
    fprintf(stderr,
            "vm: stats: translations %" PRIu64 ", guest instructions translated %" PRIu64
            ", cache flushes %" PRIu64 ", translations redone (code written meanwhile) %" PRIu64
            "\n",
            exec_stats.translations, exec_stats.guest_insns_translated, exec_stats.flushes,
            exec_stats.translation_retries);
    fprintf(stderr,
            "vm: stats: translation time %.3f s (%.0f guest instructions/ms), %" PRIu64
            " ranges invalidated\n",
            exec_stats.translate_ns / 1e9,
            exec_stats.translate_ns ? exec_stats.guest_insns_translated * 1e6 / exec_stats.translate_ns : 0.0,
            exec_stats.invalidations);
    if (tier2_on)
        fprintf(stderr, "vm: stats: T2: %" PRIu64 " regions of %" PRIu64 " blocks\n",
                exec_stats.regions, exec_stats.region_blocks);
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
    if (tcache_on)
        fprintf(stderr,
                "vm: stats: tcache: %" PRIu64 " blocks in %" PRIu64 " files read (%" PRIu64
                " rejected), %" PRIu64 " loaded from them, %" PRIu64 " stale, %" PRIu64
                " damaged, %" PRIu64 " translated and added\n",
                tcache_stats.file_entries, tcache_stats.files_read, tcache_stats.files_rejected,
                tcache_stats.loaded, tcache_stats.stale, tcache_stats.damaged, tcache_stats.added);
    static struct exec_counters k;
    exec_counters_sum(&k);
    uint64_t syscalls = 0;
    for (unsigned nr = 0; nr < EXEC_SYSCALL_SLOTS; nr++)
        syscalls += k.syscalls[nr];
    fprintf(stderr, "vm: stats: exits from guest code: interrupt %" PRIu64 ", halt %" PRIu64,
            k.exits[CPU_EXIT_INTERRUPT], k.exits[CPU_EXIT_HALT]);
    for (int e = 0; e < EXC_COUNT; e++)
        if (cpu_exc_name(e))
            fprintf(stderr, ", %s %" PRIu64, cpu_exc_name(e), k.exceptions[e]);
    fprintf(stderr, "; system calls %" PRIu64 "\n", syscalls);
    uint64_t hits = 0, misses = 0, h, x;
    bool softmmu = false;
    for (unsigned i = 0; i < m->n_cpus; i++)
        if (softmmu_tlb_counts(m->cpus[i]->as, &h, &x) == 0) {
            hits += h;
            misses += x;
            softmmu = true;
        }
    if (softmmu)
        fprintf(stderr, "vm: stats: TLB hits %" PRIu64 ", misses %" PRIu64 "\n", hits, misses);
}

/* "64M", "512K", "1G", "1T" or bytes, from 1 to max. */
int cli_parse_size(const char *v, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 0);
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (end == v || *end || errno || n == 0 || n > max >> shift)
        return -EINVAL;
    *out = n << shift;
    return 0;
}

/* The engines that need a host backend (src/host/<isa>/): on a host without one they are
 * not built in, and asking for them runs the interpreter instead. */
static const char *const jit_engine_names[] = { "jit", "check" };

const struct engine_ops *cli_engine(const char *name, const char *spelling)
{
    const struct engine_ops *e = engine_by_name(name);
    if (e)
        return e;
    for (size_t i = 0; i < sizeof(jit_engine_names) / sizeof(jit_engine_names[0]); i++)
        if (!strcmp(name, jit_engine_names[i])) {
            vm_error("%s %s: this host has no JIT backend; running on the interpreter", spelling, name);
            return engine_by_name("interp");
        }
    return NULL;
}
