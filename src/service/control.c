/* The control socket (service/control.h): one thread polls the listening socket and every
 * client; each complete line is one request, parsed with cJSON and dispatched through the
 * command table. Pause and resume go through the machine's requests (core/machine.h), which
 * stop the hart at a block boundary through exit_request as the debugger does; the thread
 * waits for the machine's answer, so a reply says what has happened. Snapshots are saved and
 * loaded (service/snapshot.c), and devices hot-plugged (by the board's hooks), on this
 * thread while the hart waits paused. A line too long, bad
 * JSON or an unknown command gets an error reply and the connection stays; a client that
 * goes away mid-line leaves nothing behind. The thread blocks every signal (they are the
 * machine's). */
#include "service/control.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/thread.h"
#include "exec/codegc.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "mem/softmmu.h"
#include "service/events.h"
#include "service/snapshot.h"

#define MAX_CLIENTS 32

struct client {
    int fd;
    char *buf;          /* the line so far (CONTROL_MAX_LINE + 1 bytes) */
    size_t len;
    bool skipping;      /* the line was too long: drop it up to its newline */
};

static struct machine *machine;
static int listen_fd = -1;
static struct client clients[MAX_CLIENTS];
static unsigned n_clients;
static const char *socket_path;
static double started_at;           /* CLOCK_MONOTONIC at start */
/* Once the machine has stopped its CPUs may be gone: the observer keeps the last pc here. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static bool stopped;
static uint64_t final_pc;
static struct machine_observer observer;

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_hex(cJSON *o, const char *name, uint64_t v)
{
    char text[24];
    snprintf(text, sizeof(text), "0x%" PRIx64, v);
    cJSON_AddStringToObject(o, name, text);
}

/* The hart's pc: exact while paused or stopped; while running, where it last left guest
 * code. */
static uint64_t current_pc(void)
{
    pthread_mutex_lock(&state_lock);
    uint64_t pc = stopped ? final_pc : machine_pc(machine);
    pthread_mutex_unlock(&state_lock);
    return pc;
}

/* ---- commands: each returns the result object, or NULL with *error set ---- */

static cJSON *cmd_status(const cJSON *args, const char **error)
{
    cJSON *r = cJSON_CreateObject();
    enum machine_state s = __atomic_load_n(&machine->state, __ATOMIC_ACQUIRE);
    cJSON_AddStringToObject(r, "state", machine_state_name(s));
    add_hex(r, "pc", current_pc());
    cJSON_AddNumberToObject(r, "instructions_translated",
                            (double)exec_stats.guest_insns_translated);
    cJSON_AddNumberToObject(r, "uptime", monotonic() - started_at);
    return r;
}

static cJSON *cmd_pause(const cJSON *args, const char **error)
{
    if (machine_pause(machine) < 0) {
        *error = "the machine is not running";
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "state", "paused");
    add_hex(r, "pc", current_pc());
    return r;
}

static cJSON *cmd_resume(const cJSON *args, const char **error)
{
    if (machine_resume(machine) < 0) {
        *error = "the machine is not paused";
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "state", "running");
    return r;
}

/* An accelerator's machine (--accel=kvm): its vCPUs' exits by reason and times. */
static cJSON *vcpu_stats(void)
{
    cJSON *r = cJSON_CreateObject();
    uint64_t sum[MACHINE_VCPU_EXITS_MAX];
    machine_vcpu_exits(machine, sum);
    cJSON *exits = cJSON_AddObjectToObject(r, "exits");
    for (unsigned e = 0; e < MACHINE_VCPU_EXITS_MAX; e++)
        if (machine->vcpu_exit_names[e])
            cJSON_AddNumberToObject(exits, machine->vcpu_exit_names[e], (double)sum[e]);
    cJSON *vcpus = cJSON_AddArrayToObject(r, "vcpus");
    for (unsigned i = 0; i < machine->n_vcpus; i++) {
        const struct machine_vcpu *v = machine->vcpus[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "vcpu", i);
        cJSON_AddNumberToObject(o, "run_seconds",
                                __atomic_load_n(&v->run_ns, __ATOMIC_RELAXED) / 1e9);
        cJSON_AddNumberToObject(o, "cpu_seconds", machine_vcpu_cpu_seconds(v));
        cJSON_AddItemToArray(vcpus, o);
    }
    return r;
}

static cJSON *cmd_stats(const cJSON *args, const char **error)
{
    if (machine->n_vcpus)
        return vcpu_stats();
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "blocks_translated", (double)exec_stats.translations);
    cJSON_AddNumberToObject(r, "instructions_translated",
                            (double)exec_stats.guest_insns_translated);
    cJSON_AddNumberToObject(r, "jit_blocks", (double)codegc_stats.blocks);
    size_t used_old, size_old, used_new, size_new;
    codegc_usage(CODEGC_OLD, &used_old, &size_old);
    codegc_usage(CODEGC_NURSERY, &used_new, &size_new);
    cJSON_AddNumberToObject(r, "code_cache_used_bytes", (double)(used_old + used_new));
    cJSON_AddNumberToObject(r, "code_cache_minor_collections", (double)codegc_stats.minor);
    cJSON_AddNumberToObject(r, "code_cache_full_collections", (double)codegc_stats.full);
    uint64_t hits = 0, misses = 0;
    pthread_mutex_lock(&state_lock);
    for (unsigned i = 0; !stopped && i < machine->n_cpus; i++) {
        uint64_t h, x;
        if (softmmu_tlb_counts(machine->cpus[i]->as, &h, &x) == 0) {
            hits += h;
            misses += x;
        }
    }
    pthread_mutex_unlock(&state_lock);
    cJSON_AddNumberToObject(r, "tlb_hits", (double)hits);
    cJSON_AddNumberToObject(r, "tlb_misses", (double)misses);
    static struct exec_counters k;
    exec_counters_sum(&k);
    cJSON *exits = cJSON_AddObjectToObject(r, "exits");
    for (int e = 0; e < EXC_COUNT; e++)
        if (cpu_exc_name(e))
            cJSON_AddNumberToObject(exits, cpu_exc_name(e), (double)k.exceptions[e]);
    cJSON_AddNumberToObject(exits, "interrupt", (double)k.exits[CPU_EXIT_INTERRUPT]);
    return r;
}

static cJSON *cmd_quit(const cJSON *args, const char **error)
{
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(args, "status");
    int code = 0;
    if (status) {
        double v = cJSON_IsNumber(status) ? status->valuedouble : -1;
        if (v < 0 || v > 255 || v != (int)v) {
            *error = "status must be an integer from 0 to 255";
            return NULL;
        }
        code = (int)v;
    }
    if (__atomic_load_n(&machine->state, __ATOMIC_ACQUIRE) == MACHINE_STOPPED ||
        (__atomic_load_n(&machine->requests, __ATOMIC_ACQUIRE) & MACHINE_REQ_QUIT)) {
        *error = "the machine is already stopping";
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "status", code);
    return r;   /* the machine quits once the reply is out (handle_line) */
}

/* The snapshot commands' path argument, or NULL with *error set. */
static const char *path_arg(const cJSON *args, const char **error)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(args, "path");
    if (!path) {
        *error = "missing path";
        return NULL;
    }
    if (!cJSON_IsString(path) || !*path->valuestring) {
        *error = "path must be a non-empty string";
        return NULL;
    }
    return path->valuestring;
}

/* Runs a snapshot's save or load with the machine paused at a block boundary: a running
 * machine is paused for it and resumed after (also when it fails), a paused one stays
 * paused. The result has the path and the pc the hart is (now) at. */
static cJSON *with_paused_machine(const cJSON *args, const char **error, bool save)
{
    const char *path = path_arg(args, error);
    if (!path)
        return NULL;
    enum machine_state s = __atomic_load_n(&machine->state, __ATOMIC_ACQUIRE);
    if (s != MACHINE_RUNNING && s != MACHINE_PAUSED) {
        *error = "the machine is not running";
        return NULL;
    }
    bool paused_here = s == MACHINE_RUNNING;
    if (paused_here && machine_pause(machine) < 0) {
        *error = "the machine is not running";
        return NULL;
    }
    static char why[512];
    uint64_t bytes = 0;
    int err = save ? snapshot_save(machine, path, &bytes, why, sizeof(why))
                   : snapshot_load(machine, path, why, sizeof(why));
    uint64_t pc = current_pc();
    if (paused_here)
        machine_resume(machine);
    if (err) {
        static char message[1024];
        snprintf(message, sizeof(message), "%.400s: %s", path, why);
        *error = message;
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "path", path);
    add_hex(r, "pc", pc);
    if (save)
        cJSON_AddNumberToObject(r, "bytes", (double)bytes);
    return r;
}

static cJSON *cmd_snapshot_save(const cJSON *args, const char **error)
{
    return with_paused_machine(args, error, true);
}

static cJSON *cmd_snapshot_load(const cJSON *args, const char **error)
{
    return with_paused_machine(args, error, false);
}

/* ---- hot-plug ---- */

/* Runs the board's hot-plug hook with the machine paused at a block boundary (a running one
 * is paused and resumed after, a paused or not yet started one stays as it is), then tells
 * the subscribers. The result describes the device. */
static cJSON *hot_plug(struct machine_device *d, bool add, const char **error)
{
    if (!(add ? machine->device_add : machine->device_remove)) {
        *error = "this machine has no device hot-plug";
        return NULL;
    }
    enum machine_state s = __atomic_load_n(&machine->state, __ATOMIC_ACQUIRE);
    bool paused_here = s == MACHINE_RUNNING;
    if (s == MACHINE_STOPPED || (paused_here && machine_pause(machine) < 0)) {
        *error = "the machine is not running";
        return NULL;
    }
    static char why[600];
    int err = add ? machine->device_add(machine, d, why, sizeof(why))
                  : machine->device_remove(machine, d, why, sizeof(why));
    if (!err)
        events_device(add ? "device-added" : "device-removed", d);
    if (paused_here)
        machine_resume(machine);
    if (err) {
        *error = why;
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", d->name);
    cJSON_AddStringToObject(r, "driver", d->driver);
    cJSON_AddNumberToObject(r, "slot", d->slot);
    cJSON_AddStringToObject(r, "file", d->file);
    cJSON_AddBoolToObject(r, "readonly", d->readonly);
    add_hex(r, "address", d->base);
    cJSON_AddNumberToObject(r, "irq", d->irq);
    return r;
}

/* An optional slot argument: its number, -1 when absent, or -2 with *error set. */
static int slot_arg(const cJSON *args, const char **error)
{
    const cJSON *slot = cJSON_GetObjectItemCaseSensitive(args, "slot");
    if (!slot)
        return -1;
    double v = cJSON_IsNumber(slot) ? slot->valuedouble : -1;
    if (v < 0 || v > 1000 || v != (int)v) {
        *error = "slot must be a non-negative integer";
        return -2;
    }
    return (int)v;
}

/* A required string argument, or NULL with *error set. */
static const char *string_arg(const cJSON *args, const char *name, const char **error)
{
    static char why[64];
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(args, name);
    if (!a)
        snprintf(why, sizeof(why), "missing %s", name);
    else if (!cJSON_IsString(a) || !*a->valuestring)
        snprintf(why, sizeof(why), "%s must be a non-empty string", name);
    else
        return a->valuestring;
    *error = why;
    return NULL;
}

static cJSON *cmd_device_add(const cJSON *args, const char **error)
{
    struct machine_device d = { .slot = slot_arg(args, error) };
    const cJSON *readonly = cJSON_GetObjectItemCaseSensitive(args, "readonly");
    if (d.slot < -1 || !(d.driver = string_arg(args, "driver", error)) ||
        !(d.file = string_arg(args, "file", error)))
        return NULL;
    if (readonly && !cJSON_IsBool(readonly)) {
        *error = "readonly must be true or false";
        return NULL;
    }
    d.readonly = cJSON_IsTrue(readonly);
    return hot_plug(&d, true, error);
}

static cJSON *cmd_device_remove(const cJSON *args, const char **error)
{
    struct machine_device d = { .slot = slot_arg(args, error) };
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(args, "id");
    if (d.slot < -1)
        return NULL;
    if (id && !(d.id = string_arg(args, "id", error)))
        return NULL;
    if ((d.slot < 0) == !id) {
        *error = "give the device's id or its slot (one of them)";
        return NULL;
    }
    return hot_plug(&d, false, error);
}

static int subscribing_fd;   /* the client whose request is being handled */

static cJSON *cmd_subscribe(const cJSON *args, const char **error)
{
    if (events_subscribe(subscribing_fd) < 0) {
        *error = "too many subscribers";
        return NULL;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddBoolToObject(r, "subscribed", true);
    return r;
}

/* One row per command: its name, the arguments it takes (NULL-terminated), its handler. */
static const struct command {
    const char *name;
    const char *const args[5];
    cJSON *(*run)(const cJSON *args, const char **error);
} commands[] = {
    { "status", { NULL }, cmd_status },
    { "pause", { NULL }, cmd_pause },
    { "resume", { NULL }, cmd_resume },
    { "stats", { NULL }, cmd_stats },
    { "quit", { "status", NULL }, cmd_quit },
    { "subscribe", { NULL }, cmd_subscribe },
    { "snapshot-save", { "path", NULL }, cmd_snapshot_save },
    { "snapshot-load", { "path", NULL }, cmd_snapshot_load },
    { "device-add", { "driver", "file", "readonly", "slot", NULL }, cmd_device_add },
    { "device-remove", { "id", "slot", NULL }, cmd_device_remove },
};

/* ---- the protocol ---- */

static void send_line(int fd, cJSON *reply)
{
    char *text = cJSON_PrintUnformatted(reply);
    cJSON_Delete(reply);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n';
    events_send(fd, text, len + 1);
    free(text);
}

static cJSON *error_reply(cJSON *id, const char *why)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "id", id ? id : cJSON_CreateNull());
    cJSON_AddBoolToObject(r, "ok", false);
    cJSON_AddStringToObject(r, "error", why);
    return r;
}

/* The checks of a request, in order; the first that fails is the error. */
static const char *check_request(const cJSON *req, const struct command **cmd)
{
    if (!cJSON_IsObject(req))
        return "a request must be a JSON object";
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id) && !cJSON_IsNull(id))
        return "id must be a number, a string or null";
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "cmd");
    if (!name)
        return "missing cmd";
    if (!cJSON_IsString(name))
        return "cmd must be a string";
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(req, "args");
    if (args && !cJSON_IsObject(args))
        return "args must be an object";
    for (const cJSON *c = req->child; c; c = c->next)
        if (strcmp(c->string, "id") && strcmp(c->string, "cmd") && strcmp(c->string, "args"))
            return "unknown member of the request (id, cmd and args are allowed)";
    *cmd = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name->valuestring))
            *cmd = &commands[i];
    static char why[160];
    if (!*cmd) {
        snprintf(why, sizeof(why), "unknown command: %.100s", name->valuestring);
        return why;
    }
    for (const cJSON *a = args ? args->child : NULL; a; a = a->next) {
        bool known = false;
        for (const char *const *k = (*cmd)->args; *k; k++)
            known |= !strcmp(*k, a->string);
        if (!known) {
            snprintf(why, sizeof(why), "unknown argument of %s: %.100s", (*cmd)->name,
                     a->string);
            return why;
        }
    }
    return NULL;
}

static void handle_line(struct client *c, const char *line, size_t len)
{
    cJSON *req = cJSON_ParseWithLength(line, len);
    if (!req) {
        send_line(c->fd, error_reply(NULL, "malformed JSON"));
        return;
    }
    const struct command *cmd = NULL;
    const char *error = check_request(req, &cmd);
    const cJSON *id_item = cJSON_IsObject(req) ? cJSON_GetObjectItemCaseSensitive(req, "id") : NULL;
    cJSON *id = id_item && (cJSON_IsNumber(id_item) || cJSON_IsString(id_item))
                    ? cJSON_Duplicate(id_item, false) : NULL;
    cJSON *result = NULL;
    if (!error) {
        subscribing_fd = c->fd;
        result = cmd->run(cJSON_GetObjectItemCaseSensitive(req, "args"), &error);
    }
    if (!result) {
        send_line(c->fd, error_reply(id, error ? error : "out of memory"));
    } else {
        bool quit = cmd->run == cmd_quit;
        int status = quit ? (int)cJSON_GetObjectItem(result, "status")->valuedouble : 0;
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToObject(r, "id", id ? id : cJSON_CreateNull());
        cJSON_AddBoolToObject(r, "ok", true);
        cJSON_AddItemToObject(r, "result", result);
        send_line(c->fd, r);
        if (quit)
            machine_quit(machine, status);
    }
    cJSON_Delete(req);
}

static void drop_client(unsigned i)
{
    events_unsubscribe(clients[i].fd);
    close(clients[i].fd);
    free(clients[i].buf);
    clients[i] = clients[--n_clients];
}

/* Reads what the client sent and handles every complete line; false when it has gone. */
static bool serve_client(struct client *c)
{
    char chunk[4096];
    ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
    if (n <= 0)
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    for (ssize_t i = 0; i < n; i++) {
        char ch = chunk[i];
        if (ch == '\n') {
            if (!c->skipping)
                handle_line(c, c->buf, c->len);
            c->skipping = false;
            c->len = 0;
        } else if (c->skipping) {
            continue;
        } else if (c->len == CONTROL_MAX_LINE) {
            send_line(c->fd, error_reply(NULL, "request line longer than 65536 bytes"));
            c->skipping = true;
            c->len = 0;
        } else {
            c->buf[c->len++] = ch;
        }
    }
    return true;
}

static void accept_client(void)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    char *buf = n_clients < MAX_CLIENTS ? malloc(CONTROL_MAX_LINE + 1) : NULL;
    if (!buf) {
        send_line(fd, error_reply(NULL, "too many clients"));
        close(fd);
        return;
    }
    struct timeval tv = { .tv_sec = 2 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    clients[n_clients++] = (struct client){ .fd = fd, .buf = buf };
}

static void *serve(void *arg)
{
    (void)arg;
    struct pollfd p[MAX_CLIENTS + 1];
    for (;;) {
        p[0] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
        for (unsigned i = 0; i < n_clients; i++)
            p[i + 1] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
        unsigned n = n_clients;
        if (poll(p, n + 1, -1) < 0)
            continue;
        /* Clients from the last down, so dropping one (the last moves into its slot) leaves
         * the ones still to look at in place. */
        for (unsigned i = n; i-- > 0;)
            if (p[i + 1].revents && !serve_client(&clients[i]))
                drop_client(i);
        if (p[0].revents & POLLIN)
            accept_client();
    }
    return NULL;
}

static void machine_changed(struct machine *m, enum machine_state old, void *opaque)
{
    (void)old, (void)opaque;
    if (m->state != MACHINE_STOPPED)
        return;
    pthread_mutex_lock(&state_lock);
    final_pc = machine_pc(m);
    stopped = true;
    pthread_mutex_unlock(&state_lock);
}

static void remove_socket(void)
{
    unlink(socket_path);
}

int control_start(struct machine *m, const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(a.sun_path)) {
        vm_error("--control=%s: path too long for a unix socket", path);
        return -ENAMETOOLONG;
    }
    strcpy(a.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);   /* left by a vm that is gone */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0) {
        int err = -errno;
        vm_error("--control=%s: %s", path, strerror(-err));
        if (fd >= 0)
            close(fd);
        return err;
    }
    machine = m;
    listen_fd = fd;
    socket_path = path;
    started_at = monotonic();
    observer.changed = machine_changed;
    machine_observe(m, &observer);
    int err = service_thread_start(serve, NULL);
    if (err) {
        vm_error("--control: cannot start its thread: %s", strerror(-err));
        return err;
    }
    atexit(remove_socket);
    return 0;
}
