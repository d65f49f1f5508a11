/* The Prometheus exposition of vm's counters (service/metrics.h). Nothing here is on a hot
 * path: the counters are the plain per-CPU and per-cache ones exec/ and mem/ keep anyway,
 * summed when someone asks. The server is one thread with every signal blocked (guest
 * signals must reach guest threads); the SIGUSR1 handler only writes a byte to a pipe, and
 * the same thread writes the file. */
#include "service/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/thread.h"
#include "exec/codegc.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "linux/linux.h"
#include "linux/signal.h"
#include "mem/softmmu.h"
#include "mem/smc.h"
#include "opt/opt.h"

/* The counters that are one number each: name, type, help, value. */
#define SCALAR_METRICS(X)                                                                      \
    X("vm_blocks_translated_total", "counter", "Guest blocks translated.",                     \
      exec_stats.translations)                                                                 \
    X("vm_guest_instructions_translated_total", "counter",                                     \
      "Guest instructions in the blocks translated.", exec_stats.guest_insns_translated)       \
    X("vm_translation_seconds_total", "counter",                                               \
      "Time spent translating and compiling blocks.", exec_stats.translate_ns / 1e9)           \
    X("vm_block_cache_flushes_total", "counter", "Times every translated block was dropped.",  \
      exec_stats.flushes)                                                                      \
    X("vm_block_invalidations_total", "counter",                                               \
      "Guest ranges whose blocks were dropped one by one.", exec_stats.invalidations)          \
    X("vm_jit_blocks_total", "counter",                                                        \
      "Blocks the JIT wrote to its code cache (a collection's moves included).",               \
      codegc_stats.blocks)                                                                     \
    X("vm_jit_code_bytes_total", "counter", "Bytes of host code the JIT wrote.",               \
      codegc_stats.bytes)                                                                      \
    X("vm_jit_chains_total", "counter", "Block exits patched into direct jumps.",              \
      codegc_stats.links)                                                                      \
    X("vm_code_cache_blocks_promoted_total", "counter",                                        \
      "Blocks minor collections moved to the old space.", codegc_stats.promoted)               \
    X("vm_code_cache_blocks_dropped_total", "counter",                                         \
      "Blocks minor collections dropped.", codegc_stats.dropped)                               \
    X("vm_smc_pages_protected_total", "counter",                                               \
      "Guest code pages write-protected to see self-modifying code.",                          \
      smc_stats.protected_pages)                                                               \
    X("vm_smc_write_faults_total", "counter", "Guest stores to write-protected code pages.",    \
      smc_stats.write_faults)                                                                  \
    X("vm_ir_ops_folded_total", "counter", "IR ops folded to constants.", opt_stats.folded)

static const char *const exit_names[] = {
    [CPU_EXIT_NONE] = NULL, [CPU_EXIT_EXCEPTION] = NULL,   /* counted by exception */
    [CPU_EXIT_HALT] = "halt", [CPU_EXIT_INTERRUPT] = "interrupt",
};

static void header(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void vcpu_time(const struct exec_cpu_info *info, void *opaque)
{
    if (info->tid)
        fprintf(opaque, "vm_vcpu_cpu_seconds_total{vcpu=\"%u\",tid=\"%d\"} %.9f\n", info->index,
                info->tid, info->cpu_seconds);
}

static double now_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double started_at;   /* CLOCK_MONOTONIC when the machine started running */

/* An accelerator's machine (--accel=kvm): exits by the accelerator's reasons, each vCPU's
 * time in its run call and on the host CPU. */
static void write_vcpus(FILE *f, struct machine *m)
{
    uint64_t sum[MACHINE_VCPU_EXITS_MAX];
    machine_vcpu_exits(m, sum);
    header(f, "vm_cpu_exits_total", "counter",
           "Returns from guest mode to vm, by the accelerator's exit reason.");
    for (unsigned e = 0; e < MACHINE_VCPU_EXITS_MAX; e++)
        if (m->vcpu_exit_names[e])
            fprintf(f, "vm_cpu_exits_total{reason=\"%s\"} %llu\n", m->vcpu_exit_names[e],
                    (unsigned long long)sum[e]);
    header(f, "vm_vcpu_run_seconds_total", "counter",
           "Time each vCPU spent in the accelerator's run call (in guest mode or halted).");
    for (unsigned i = 0; i < m->n_vcpus; i++)
        fprintf(f, "vm_vcpu_run_seconds_total{vcpu=\"%u\"} %.9f\n", i,
                __atomic_load_n(&m->vcpus[i]->run_ns, __ATOMIC_RELAXED) / 1e9);
    header(f, "vm_vcpu_cpu_seconds_total", "counter",
           "Host CPU time of the thread running each live vCPU.");
    for (unsigned i = 0; i < m->n_vcpus; i++) {
        pid_t tid = __atomic_load_n(&m->vcpus[i]->tid, __ATOMIC_ACQUIRE);
        if (tid)
            fprintf(f, "vm_vcpu_cpu_seconds_total{vcpu=\"%u\",tid=\"%d\"} %.9f\n", i, tid,
                    machine_vcpu_cpu_seconds(m->vcpus[i]));
    }
}

/* The engines' machine: translation, the code cache, exits by reason, TLB or system calls,
 * each CPU's time. */
static void write_exec(FILE *f, struct machine *m)
{
#define SCALAR(name, type, help, value) \
    header(f, name, type, help);        \
    fprintf(f, "%s %.15g\n", name, (double)(value));
    SCALAR_METRICS(SCALAR)
#undef SCALAR
    static const char *const region_names[] = { [CODEGC_OLD] = "old",
                                                [CODEGC_NURSERY] = "nursery" };
    size_t used[2], size[2];
    for (int r = 0; r < 2; r++)
        codegc_usage(r, &used[r], &size[r]);
    header(f, "vm_code_cache_used_bytes", "gauge", "Bytes of the JIT's code cache in use.");
    for (int r = 0; r < 2; r++)
        fprintf(f, "vm_code_cache_used_bytes{region=\"%s\"} %zu\n", region_names[r], used[r]);
    header(f, "vm_code_cache_size_bytes", "gauge", "Size of each region of the code cache.");
    for (int r = 0; r < 2; r++)
        fprintf(f, "vm_code_cache_size_bytes{region=\"%s\"} %zu\n", region_names[r], size[r]);
    header(f, "vm_code_cache_collections_total", "counter",
           "Code cache collections (minor: the nursery; full: everything dropped).");
    fprintf(f, "vm_code_cache_collections_total{kind=\"minor\"} %llu\n",
            (unsigned long long)codegc_stats.minor);
    fprintf(f, "vm_code_cache_collections_total{kind=\"full\"} %llu\n",
            (unsigned long long)codegc_stats.full);

    static struct exec_counters k;   /* 8 KiB: not on the server's stack */
    exec_counters_sum(&k);
    header(f, "vm_cpu_exits_total", "counter",
           "Returns from guest code to the run loop, by reason (exceptions by kind).");
    for (unsigned e = 0; e < EXC_COUNT; e++)
        if (cpu_exc_name(e))
            fprintf(f, "vm_cpu_exits_total{reason=\"%s\"} %llu\n", cpu_exc_name(e),
                    (unsigned long long)k.exceptions[e]);
    for (unsigned r = 0; r < sizeof(exit_names) / sizeof(exit_names[0]); r++)
        if (exit_names[r])
            fprintf(f, "vm_cpu_exits_total{reason=\"%s\"} %llu\n", exit_names[r],
                    (unsigned long long)k.exits[r]);

    uint64_t hits = 0, misses = 0;
    bool softmmu = false;
    for (unsigned i = 0; i < m->n_cpus; i++) {
        uint64_t h, x;
        if (softmmu_tlb_counts(m->cpus[i]->as, &h, &x) == 0) {
            hits += h;
            misses += x;
            softmmu = true;
        }
    }
    if (softmmu) {
        header(f, "vm_tlb_hits_total", "counter", "Softmmu TLB lookups that hit.");
        fprintf(f, "vm_tlb_hits_total %llu\n", (unsigned long long)hits);
        header(f, "vm_tlb_misses_total", "counter", "Softmmu TLB lookups that missed.");
        fprintf(f, "vm_tlb_misses_total %llu\n", (unsigned long long)misses);
    } else if (m->n_cpus) {   /* user mode: its process's system call names */
        header(f, "vm_syscalls_total", "counter", "Guest system calls, by name.");
        for (unsigned nr = 0; nr < EXEC_SYSCALL_SLOTS; nr++) {
            if (!k.syscalls[nr])
                continue;
            const char *name =
                nr + 1 < EXEC_SYSCALL_SLOTS ? linux_syscall_name(m->cpus[0], nr) : NULL;
            if (name)
                fprintf(f, "vm_syscalls_total{name=\"%s\"} %llu\n", name,
                        (unsigned long long)k.syscalls[nr]);
            else
                fprintf(f, "vm_syscalls_total{name=\"unknown\",nr=\"%u\"} %llu\n", nr,
                        (unsigned long long)k.syscalls[nr]);
        }
    }

    header(f, "vm_vcpu_cpu_seconds_total", "counter",
           "Host CPU time of the thread running each live vCPU.");
    exec_for_each_cpu(vcpu_time, f);
}

static void write_devices(FILE *f, struct machine *m)
{
    struct machine_device_io io[MACHINE_DEVICES_MAX];
    unsigned n = m->device_io(m, io);
    header(f, "vm_device_requests_total", "counter", "Requests each device completed.");
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "vm_device_requests_total{device=\"%s\"} %llu\n", io[i].name,
                (unsigned long long)io[i].requests);
    header(f, "vm_device_bytes_total", "counter",
           "Bytes each device took from the guest and gave it.");
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "vm_device_bytes_total{device=\"%s\",direction=\"from_guest\"} %llu\n"
                   "vm_device_bytes_total{device=\"%s\",direction=\"to_guest\"} %llu\n",
                io[i].name, (unsigned long long)io[i].bytes_from_guest, io[i].name,
                (unsigned long long)io[i].bytes_to_guest);
}

int metrics_write(FILE *f, struct machine *m)
{
    if (m->n_vcpus)
        write_vcpus(f, m);
    else
        write_exec(f, m);
    if (m->device_io)
        write_devices(f, m);
    header(f, "vm_machine_state", "gauge", "1 for the machine's current state.");
    enum machine_state state = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
    for (enum machine_state s = MACHINE_CREATED; s <= MACHINE_STOPPED; s++)
        fprintf(f, "vm_machine_state{state=\"%s\"} %d\n", machine_state_name(s), s == state);
    header(f, "vm_uptime_seconds", "gauge", "Seconds since the machine started running.");
    fprintf(f, "vm_uptime_seconds %.6f\n", started_at ? now_seconds(CLOCK_MONOTONIC) - started_at : 0.0);
    return ferror(f) ? -EIO : 0;
}

static struct machine *machine;
static const char *file_path;    /* --metrics=PATH, or NULL */
static int listen_fd = -1;       /* --metrics=tcp::PORT, or -1 */
static int wake_pipe[2] = { -1, -1 };   /* SIGUSR1 -> the server thread */
static pid_t owner;              /* a forked child leaves the file and the port to vm */
/* Once the machine has stopped its CPUs may be freed: the last exposition is kept and served
 * from then on. */
static pthread_mutex_t final_lock = PTHREAD_MUTEX_INITIALIZER;
static char *final_text;
static size_t final_len;

/* The exposition now (or the final one) in a malloc'd buffer; NULL if out of memory. */
static char *render(size_t *len)
{
    pthread_mutex_lock(&final_lock);
    char *text = NULL;
    if (final_text) {
        text = malloc(final_len + 1);
        if (text) {
            memcpy(text, final_text, final_len + 1);
            *len = final_len;
        }
    } else {
        FILE *f = open_memstream(&text, len);
        if (f) {
            int err = metrics_write(f, machine);
            if (fclose(f) != 0 || err < 0) {
                free(text);
                text = NULL;
            }
        }
    }
    pthread_mutex_unlock(&final_lock);
    return text;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The file is replaced whole (write, then rename), so a reader never sees half of it. */
static void write_file(void)
{
    if (!file_path || getpid() != owner)
        return;
    size_t len;
    char *text = render(&len);
    char tmp[4096];
    if (!text || snprintf(tmp, sizeof(tmp), "%s.tmp", file_path) >= (int)sizeof(tmp)) {
        free(text);
        return;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = fd < 0 ? -errno : write_all(fd, text, len);
    if (fd >= 0 && close(fd) < 0 && !err)
        err = -errno;
    if (!err && rename(tmp, file_path) < 0)
        err = -errno;
    if (err < 0) {
        unlink(tmp);
        vm_error("--metrics=%s: %s", file_path, strerror(-err));
    }
    free(text);
}

/* One HTTP/1.0 exchange: GET /metrics gets the exposition, anything else an error status. */
static void answer(int fd)
{
    struct timeval tv = { .tv_sec = 2 };   /* a silent client cannot hold the server */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    char req[4096];
    size_t got = 0;
    while (got < sizeof(req) - 1) {
        ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = 0;
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
            break;
    }
    req[got] = 0;
    const char *status = "400 Bad Request";
    char *text = NULL;
    size_t len = 0;
    if (!strchr(req, '\n')) {
        status = "400 Bad Request";
    } else if (strncmp(req, "GET ", 4)) {
        status = "405 Method Not Allowed";
    } else if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/metrics\r", 9) &&
               strncmp(req + 4, "/metrics\n", 9)) {
        status = "404 Not Found";
    } else if (!(text = render(&len))) {
        status = "500 Internal Server Error";
    } else {
        status = "200 OK";
    }
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, text ? len : strlen(status) + 1);
    if (write_all(fd, head, (size_t)n) == 0) {
        if (text)
            write_all(fd, text, len);
        else if (write_all(fd, status, strlen(status)) == 0)
            write_all(fd, "\n", 1);
    }
    free(text);
}

static void *serve(void *arg)
{
    (void)arg;
    struct pollfd p[2] = { { .fd = wake_pipe[0], .events = POLLIN },
                           { .fd = listen_fd, .events = POLLIN } };
    for (;;) {
        if (poll(p, listen_fd >= 0 ? 2 : 1, -1) < 0)
            continue;
        if (p[0].revents & POLLIN) {
            char buf[64];
            if (read(wake_pipe[0], buf, sizeof(buf)) > 0)
                write_file();
        }
        if (listen_fd >= 0 && (p[1].revents & POLLIN)) {
            int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                answer(fd);
                close(fd);
            }
        }
    }
    return NULL;
}

static void on_sigusr1(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(wake_pipe[1], "", 1) < 0)
        errno = saved;   /* the pipe is full: a write is pending anyway */
    errno = saved;
}

static void machine_changed(struct machine *m, enum machine_state old, void *opaque)
{
    (void)opaque;
    if (m->state == MACHINE_RUNNING && old == MACHINE_CREATED) {
        started_at = now_seconds(CLOCK_MONOTONIC);
    } else if (m->state == MACHINE_STOPPED) {
        size_t len;
        char *text = render(&len);
        pthread_mutex_lock(&final_lock);
        if (!final_text) {
            final_text = text;
            final_len = len;
            text = NULL;
        }
        pthread_mutex_unlock(&final_lock);
        free(text);
        write_file();
    }
}

/* Guest threads that call exit themselves do not stop the machine first. */
static void at_exit(void)
{
    write_file();
}

static int listen_tcp(const char *port_text)
{
    char *end;
    long port = strtol(port_text, &end, 10);
    if (end == port_text || *end || port < 1 || port > 65535) {
        vm_error("--metrics=tcp::%s: expected a port from 1 to 65535", port_text);
        return -EINVAL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0) {
        int err = -errno;
        vm_error("--metrics=tcp::%s: %s", port_text, strerror(-err));
        if (fd >= 0)
            close(fd);
        return err;
    }
    return fd;
}

static struct machine_observer observer;

int metrics_start(struct machine *m, const char *spec)
{
    machine = m;
    owner = getpid();
    if (!strncmp(spec, "tcp::", 5)) {
        if ((listen_fd = listen_tcp(spec + 5)) < 0)
            return listen_fd;
    } else if (!*spec) {
        vm_error("--metrics: expected a file PATH or tcp::PORT");
        return -EINVAL;
    } else {
        file_path = spec;
    }
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        vm_error("--metrics: %s", strerror(errno));
        return -errno;
    }
    int err = service_thread_start(serve, NULL);
    if (err) {
        vm_error("--metrics: cannot start its thread: %s", strerror(-err));
        return err;
    }
    observer.changed = machine_changed;
    machine_observe(m, &observer);
    if (file_path) {
        atexit(at_exit);
        sig_claim_default(SIGUSR1, on_sigusr1);
    }
    return 0;
}
