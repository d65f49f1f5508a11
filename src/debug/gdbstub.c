/* The gdb remote stub (gdbstub.h). One thread reads the socket and answers gdb's packets;
 * the CPUs' own threads call in through core/debug.h when one stops. All-stop: while gdb
 * looks at a stopped CPU the others are parked at their next exit from guest code, and only
 * then does the reader touch guest state. Breakpoints and single-step are done by
 * translation (core/debug.h's tb_flags bits), so guest memory is never patched. Watchpoints
 * single-step every CPU while one is set, so they cost nothing when none is set: a write
 * watchpoint (Z2) compares the watched bytes after each instruction (gdb reports a write
 * that changes them), and read and access watchpoints (Z3, Z4) see each access the
 * instruction made, which single-step blocks report (guest/watch.h). */
#include "debug/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/debug.h"
#include "core/log.h"
#include "core/thread.h"
#include "core/registry.h"
#include "exec/exec.h"

/* Largest packet either side sends (PacketSize in qSupported: hex of it). */
#define GDB_PACKET_MAX 4096
#define GDB_REG_MAX 16
#define GDB_WATCH_MAX 16
#define GDB_WATCH_LEN 8

struct gdb_thread {
    struct cpu *cpu;
    int tid;
    bool step;                   /* gdb asked it to single-step (not a watchpoint's stepping) */
};

struct gdb_watch {
    char type;                   /* '2' write, '3' read, '4' access: Z2..Z4 */
    uint64_t addr, len;
    uint8_t old[GDB_WATCH_LEN];  /* the bytes after the last instruction */
};

static struct {
    int fd;
    pthread_mutex_t lock;
    pthread_cond_t changed;      /* stopped, resumed, detached */
    struct gdb_thread *threads;
    unsigned n_threads, cap_threads;
    bool attached;               /* gdb is connected and has not detached */
    bool stopped;                /* gdb owns the CPUs */
    bool first_stop_seen;        /* packets wait for the guest's first stop */
    bool reply_due;              /* gdb resumed and waits for a stop reply */
    bool interrupt;              /* Ctrl-C seen while running */
    unsigned acks;               /* '+' received from gdb */
    struct cpu *stop_cpu, *g_cpu;
    int stop_sig;
    struct gdb_watch watches[GDB_WATCH_MAX];
    unsigned n_watches;
    const struct gdb_watch *stop_watch;   /* the watchpoint the stop is for, or NULL */
} gs = {
    .fd = -1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
};

static const char hexdigits[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses hex digits at *p (at least one), advancing it; false on none or overflow. */
static bool parse_hex(const char **p, uint64_t *out)
{
    uint64_t v = 0;
    int d, n = 0;
    while ((d = hexval(**p)) >= 0) {
        if (n++ == 16)
            return false;
        v = v << 4 | (uint64_t)d;
        (*p)++;
    }
    *out = v;
    return n > 0;
}

/* Decodes len bytes of hex at p into buf; false if p is shorter or not hex. */
static bool hex_to_bytes(const char *p, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(p[2 * i]), lo = hi < 0 ? -1 : hexval(p[2 * i + 1]);
        if (lo < 0)
            return false;
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static char *bytes_to_hex(char *out, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        *out++ = hexdigits[buf[i] >> 4];
        *out++ = hexdigits[buf[i] & 15];
    }
    *out = 0;
    return out;
}

static void write_all(const char *buf, size_t len)
{
    while (len && gs.fd >= 0) {
        ssize_t n = write(gs.fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Sends one packet of len bytes (binary-safe: '#', '$', '}' and '*' are escaped). */
static void send_packet_len(const char *data, size_t len)
{
    static char out[2 * GDB_PACKET_MAX + 8];
    size_t n = 0;
    uint8_t sum = 0;
    out[n++] = '$';
    for (size_t i = 0; i < len && n < sizeof(out) - 8; i++) {
        char c = data[i];
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            out[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        out[n++] = c;
        sum += (uint8_t)c;
    }
    n += (size_t)snprintf(out + n, 4, "#%02x", sum);
    write_all(out, n);
}

static void send_packet(const char *data)
{
    send_packet_len(data, strlen(data));
}

/* gdb's signal numbers are its own; they agree with Linux's for the common ones below 16
 * except SIGBUS, SIGUSR1 and SIGUSR2. */
static int gdb_signal(int sig)
{
    switch (sig) {
    case SIGBUS: return 10;
    case SIGUSR1: return 30;
    case SIGUSR2: return 31;
    default: return sig;
    }
}

static struct gdb_thread *thread_by_tid(long tid)
{
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (tid <= 0 || gs.threads[i].tid == tid)
            return &gs.threads[i];
    return NULL;
}

/* Asks cpu to leave guest code, or its sleep, and stop for the debugger at its next poll. */
static void stop_thread(struct cpu *cpu)
{
    cpu->exit_request = 1;
    if (debug_kick)
        debug_kick(cpu);
}

static int tid_of(const struct cpu *cpu)
{
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (gs.threads[i].cpu == cpu)
            return gs.threads[i].tid;
    return 1;
}

static struct gdb_thread *thread_of_cpu(const struct cpu *cpu)
{
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (gs.threads[i].cpu == cpu)
            return &gs.threads[i];
    return NULL;
}

static void send_stop_reply(void)
{
    char buf[96];
    int n = snprintf(buf, sizeof(buf), "T%02x", gdb_signal(gs.stop_sig));
    if (gs.stop_watch)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%swatch:%llx;",
                      gs.stop_watch->type == '2' ? "" : gs.stop_watch->type == '3' ? "r" : "a",
                      (unsigned long long)gs.stop_watch->addr);
    snprintf(buf + n, sizeof(buf) - (size_t)n, "thread:%x;", tid_of(gs.stop_cpu));
    send_packet(buf);
}

/* The first write watchpoint whose bytes changed (all are brought up to date), or NULL. */
static const struct gdb_watch *watch_hit(struct cpu *cpu)
{
    const struct gdb_watch *hit = NULL;
    uint8_t now[GDB_WATCH_LEN];
    for (unsigned i = 0; i < gs.n_watches; i++) {
        struct gdb_watch *w = &gs.watches[i];
        if (w->type != '2' || debug_memory->read(cpu, w->addr, now, w->len) < 0 ||
            !memcmp(now, w->old, w->len))
            continue;
        memcpy(w->old, now, w->len);
        if (!hit)
            hit = w;
    }
    return hit;
}

/* Sets or clears a tb_flags bit on every CPU (all parked or about to start). */
static void set_flag_all(uint32_t bit, bool on)
{
    for (unsigned i = 0; i < gs.n_threads; i++) {
        struct cpu *c = gs.threads[i].cpu;
        c->tb_flags = on ? c->tb_flags | bit : c->tb_flags & ~bit;
    }
}

/* The register packets: g, G, p, P. */
static void read_all_regs(struct cpu *cpu)
{
    static char out[2 * GDB_PACKET_MAX];
    const struct guest_gdb *gg = cpu->ops->gdb;
    uint8_t reg[GDB_REG_MAX];
    char *p = out;
    for (unsigned n = 0; n < gg->n_regs; n++) {
        unsigned size = gg->read_reg(cpu, n, reg);
        if ((size_t)(p - out) + 2 * size >= GDB_PACKET_MAX)
            break;
        p = bytes_to_hex(p, reg, size);
    }
    send_packet(out);
}

static void write_all_regs(struct cpu *cpu, const char *hex)
{
    const struct guest_gdb *gg = cpu->ops->gdb;
    uint8_t reg[GDB_REG_MAX];
    for (unsigned n = 0; n < gg->n_regs && *hex; n++) {
        unsigned size = gg->read_reg(cpu, n, reg);
        if (strlen(hex) < 2 * size || !hex_to_bytes(hex, reg, size)) {
            send_packet("E01");
            return;
        }
        gg->write_reg(cpu, n, reg);
        hex += 2 * size;
    }
    send_packet("OK");
}

static void read_reg(struct cpu *cpu, const char *args)
{
    const struct guest_gdb *gg = cpu->ops->gdb;
    uint8_t reg[GDB_REG_MAX];
    char out[2 * GDB_REG_MAX + 1];
    uint64_t n;
    unsigned size;
    if (!parse_hex(&args, &n) || *args || n >= gg->n_regs || !(size = gg->read_reg(cpu, (unsigned)n, reg))) {
        send_packet("E01");
        return;
    }
    bytes_to_hex(out, reg, size);
    send_packet(out);
}

static void write_reg(struct cpu *cpu, const char *args)
{
    const struct guest_gdb *gg = cpu->ops->gdb;
    uint8_t reg[GDB_REG_MAX];
    uint64_t n;
    unsigned size;
    if (!parse_hex(&args, &n) || *args++ != '=' || n >= gg->n_regs ||
        !(size = gg->read_reg(cpu, (unsigned)n, reg)) || strlen(args) != 2 * size ||
        !hex_to_bytes(args, reg, size)) {
        send_packet("E01");
        return;
    }
    gg->write_reg(cpu, (unsigned)n, reg);
    send_packet("OK");
}

/* "ADDR,LEN" then the separator sep (or the end when sep is 0). */
static bool parse_range(const char **p, uint64_t *addr, uint64_t *len, char sep)
{
    if (!parse_hex(p, addr) || *(*p)++ != ',' || !parse_hex(p, len))
        return false;
    if (sep)
        return *(*p)++ == sep;
    return !**p;
}

static void read_memory(struct cpu *cpu, const char *args)
{
    static uint8_t buf[GDB_PACKET_MAX / 2];
    static char out[GDB_PACKET_MAX + 1];
    uint64_t addr, len;
    if (!parse_range(&args, &addr, &len, 0) || len > sizeof(buf)) {
        send_packet("E01");
        return;
    }
    if (debug_memory->read(cpu, addr, buf, len) < 0) {
        send_packet("E0e");
        return;
    }
    bytes_to_hex(out, buf, len);
    send_packet(out);
}

/* Drops the translations of the guest code gdb changed or put a breakpoint on, [addr, addr +
 * len) by the CPU's view: blocks are known by code address, in system mode the physical one
 * (cpu->code_addr), page by page. */
static void invalidate_code(struct cpu *cpu, uint64_t addr, uint64_t len)
{
    while (len) {
        uint64_t chunk = 4096 - (addr & 4095), at = addr;
        if (chunk > len)
            chunk = len;
        if (cpu->code_addr && cpu->code_addr(cpu, addr, &at) < 0)
            at = addr;   /* not code under this mapping: nothing was translated from it */
        exec_invalidate(cpu, at, at + chunk);
        addr += chunk;
        len -= chunk;
    }
}

/* M (hex data) and X (binary data, already unescaped: its length comes from the packet). */
static void write_memory(struct cpu *cpu, const char *args, size_t args_len, bool binary)
{
    static uint8_t buf[GDB_PACKET_MAX];
    const char *start = args;
    uint64_t addr, len;
    if (!parse_range(&args, &addr, &len, ':') || len > sizeof(buf)) {
        send_packet("E01");
        return;
    }
    size_t have = args_len - (size_t)(args - start);
    if (binary ? have != len : (have != 2 * len || !hex_to_bytes(args, buf, len))) {
        send_packet("E01");
        return;
    }
    if (binary)
        memcpy(buf, args, len);
    if (len && debug_memory->write(cpu, addr, buf, len) < 0) {
        send_packet("E0e");
        return;
    }
    if (len)
        invalidate_code(cpu, addr, len);
    send_packet("OK");
}

/* The read or access watchpoint the access of this thread's last step hit (set by
 * stub_mem_access on the CPU's thread, taken by its stub_stop), or NULL. */
static __thread const struct gdb_watch *access_hit;

/* Z2..Z4 and z2..z4: a watchpoint of type. */
static void watchpoint(struct cpu *cpu, char type, uint64_t addr, uint64_t len, bool insert)
{
    if (!insert) {
        for (unsigned i = 0; i < gs.n_watches; i++)
            if (gs.watches[i].type == type && gs.watches[i].addr == addr &&
                gs.watches[i].len == len) {
                gs.watches[i] = gs.watches[--gs.n_watches];
                send_packet("OK");
                return;
            }
        send_packet("E01");
        return;
    }
    struct gdb_watch *w = &gs.watches[gs.n_watches];
    if (gs.n_watches == GDB_WATCH_MAX || len == 0 || len > GDB_WATCH_LEN ||
        debug_memory->read(cpu, addr, w->old, len) < 0) {
        send_packet("E01");
        return;
    }
    w->type = type;
    w->addr = addr;
    w->len = len;
    gs.n_watches++;
    send_packet("OK");
}

/* Z0/z0 and Z1/z1 (a hardware breakpoint is the same thing here), and the watchpoints. */
static void breakpoint(struct cpu *cpu, const char *args, bool insert)
{
    uint64_t addr, kind;
    char type = *args++;
    if (type < '0' || type > '4') {
        send_packet("");
        return;
    }
    if (*args++ != ',' || !parse_range(&args, &addr, &kind, 0)) {
        send_packet("E01");
        return;
    }
    if (type >= '2') {
        watchpoint(cpu, type, addr, kind, insert);
        return;
    }
    int err = insert ? debug_breakpoint_insert(addr) : debug_breakpoint_remove(addr);
    if (err < 0) {
        send_packet("E01");
        return;
    }
    set_flag_all(TB_FLAG_DEBUG_BP, debug_breakpoint_count() > 0);
    invalidate_code(cpu, addr, 1);
    send_packet("OK");
}

/* Lets the CPUs run again: step is the thread to single-step (NULL: none; all when
 * step_all), every other continues (stepping too while a watchpoint is set). */
static void resume(struct gdb_thread *step, bool step_all)
{
    for (unsigned i = 0; i < gs.n_threads; i++) {
        struct cpu *c = gs.threads[i].cpu;
        gs.threads[i].step = step_all || &gs.threads[i] == step;
        bool s = gs.threads[i].step || gs.n_watches;
        c->tb_flags = s ? c->tb_flags | TB_FLAG_DEBUG_STEP : c->tb_flags & ~TB_FLAG_DEBUG_STEP;
    }
    gs.stopped = false;
    gs.reply_due = true;
    pthread_cond_broadcast(&gs.changed);
}

/* c [ADDR], s [ADDR], and C SIG[;ADDR], S SIG[;ADDR] (the signal is not passed on). */
static void resume_simple(const char *args, bool step, bool with_sig)
{
    uint64_t sig, addr;
    if (with_sig && (!parse_hex(&args, &sig) || (*args && *args++ != ';'))) {
        send_packet("E01");
        return;
    }
    if (*args) {
        if (!parse_hex(&args, &addr) || *args) {
            send_packet("E01");
            return;
        }
        gs.g_cpu->pc = addr;
    }
    struct gdb_thread *t = NULL;
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (gs.threads[i].cpu == gs.g_cpu)
            t = &gs.threads[i];
    resume(step ? t : NULL, false);
}

/* vCont;ACTION[:TID][;ACTION[:TID]]...: the first action naming a thread applies to it. Only
 * one thread steps; the rest continue. */
static void vcont(const char *args)
{
    struct gdb_thread *step = NULL;
    bool step_all = false;
    while (*args == ';') {
        char action = *++args;
        if (action != 'c' && action != 's' && action != 'C' && action != 'S') {
            send_packet("E01");
            return;
        }
        args++;
        uint64_t sig;
        if ((action == 'C' || action == 'S') && !parse_hex(&args, &sig)) {
            send_packet("E01");
            return;
        }
        long tid = -1;
        if (*args == ':') {
            args++;
            uint64_t v;
            if (*args == '-' && args[1] == '1')
                args += 2;
            else if (parse_hex(&args, &v))
                tid = (long)v;
            else {
                send_packet("E01");
                return;
            }
        }
        if ((action == 's' || action == 'S') && !step && !step_all) {
            if (tid <= 0)
                step_all = true;
            else if (!(step = thread_by_tid(tid))) {
                send_packet("E01");
                return;
            }
        }
    }
    if (*args) {
        send_packet("E01");
        return;
    }
    resume(step, step_all);
}

static void thread_select(const char *args)
{
    char op = *args++;
    long tid;
    if (args[0] == '-' && args[1] == '1' && !args[2])
        tid = -1;
    else {
        uint64_t v;
        if (!parse_hex(&args, &v) || *args) {
            send_packet("E01");
            return;
        }
        tid = (long)v;
    }
    struct gdb_thread *t = thread_by_tid(tid);
    if (!t || (op != 'g' && op != 'c')) {
        send_packet("E01");
        return;
    }
    if (op == 'g')
        gs.g_cpu = t->cpu;
    send_packet("OK");
}

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void xfer_features(struct cpu *cpu, const char *args)
{
    static const char prefix[] = "target.xml:";
    static char out[GDB_PACKET_MAX];
    const char *xml = cpu->ops->gdb->target_xml;
    uint64_t off, len, size = strlen(xml);
    if (strncmp(args, prefix, sizeof(prefix) - 1)) {
        send_packet("E00");
        return;
    }
    args += sizeof(prefix) - 1;
    if (!parse_range(&args, &off, &len, 0)) {
        send_packet("E01");
        return;
    }
    if (off >= size) {
        send_packet("l");
        return;
    }
    if (len > sizeof(out) / 2 - 1)
        len = sizeof(out) / 2 - 1;
    if (len > size - off)
        len = size - off;
    out[0] = off + len < size ? 'm' : 'l';
    memcpy(out + 1, xml + off, len);
    send_packet_len(out, len + 1);
}

static void thread_list(void)
{
    static char out[GDB_PACKET_MAX];
    size_t n = 0;
    out[n++] = 'm';
    for (unsigned i = 0; i < gs.n_threads && n < sizeof(out) - 20; i++)
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%x", i ? "," : "", gs.threads[i].tid);
    send_packet(out);
}

static void detach(void)
{
    for (unsigned i = 0; i < gs.n_threads; i++)
        gs.threads[i].cpu->tb_flags &= ~(TB_FLAG_DEBUG_STEP | TB_FLAG_DEBUG_BP);
    gs.n_watches = 0;
    gs.attached = false;
    gs.stopped = false;
    pthread_cond_broadcast(&gs.changed);
}

/* One packet from gdb (len bytes, unescaped), with gs.lock held and the CPUs stopped. */
static void handle_packet(char *pkt, size_t len)
{
    struct cpu *cpu = gs.g_cpu;
    char *args = pkt + 1;
    pkt[len] = 0;
    switch (pkt[0]) {
    case '?':
        send_stop_reply();
        return;
    case 'g':
        read_all_regs(cpu);
        return;
    case 'G':
        write_all_regs(cpu, args);
        return;
    case 'p':
        read_reg(cpu, args);
        return;
    case 'P':
        write_reg(cpu, args);
        return;
    case 'm':
        read_memory(cpu, args);
        return;
    case 'M':
    case 'X':
        write_memory(cpu, args, len - 1, pkt[0] == 'X');
        return;
    case 'Z':
    case 'z':
        breakpoint(cpu, args, pkt[0] == 'Z');
        return;
    case 'c':
    case 'C':
    case 's':
    case 'S':
        resume_simple(args, pkt[0] == 's' || pkt[0] == 'S', pkt[0] == 'C' || pkt[0] == 'S');
        return;
    case 'H':
        thread_select(args);
        return;
    case 'T': {
        uint64_t tid;
        const char *p = args;
        send_packet(parse_hex(&p, &tid) && !*p && tid && thread_by_tid((long)tid) ? "OK" : "E01");
        return;
    }
    case 'k':
        fflush(NULL);
        _exit(0);
    case 'D':
        send_packet("OK");
        detach();
        return;
    case 'v':
        if (!strcmp(pkt, "vCont?"))
            send_packet("vCont;c;C;s;S");
        else if (!strncmp(pkt, "vCont;", 6))
            vcont(pkt + 5);
        else
            send_packet("");
        return;
    case 'q':
        if (!strncmp(pkt, "qSupported", 10))
            send_packet("PacketSize=1000;qXfer:features:read+;vContSupported+");
        else if (!strncmp(pkt, "qXfer:features:read:", 20))
            xfer_features(cpu, pkt + 20);
        else if (!strcmp(pkt, "qfThreadInfo"))
            thread_list();
        else if (!strcmp(pkt, "qsThreadInfo"))
            send_packet("l");
        else if (!strcmp(pkt, "qC")) {
            char buf[32];
            snprintf(buf, sizeof(buf), "QC%x", tid_of(gs.g_cpu));
            send_packet(buf);
        } else if (!strcmp(pkt, "qAttached"))
            send_packet("1");
        else
            send_packet("");
        return;
    default:
        send_packet("");
    }
}

/* Reads the socket until gdb goes away: packets ($data#xx, acknowledged with + or -, escapes
 * undone) and Ctrl-C (0x03) while the guest runs; anything else is ignored. */
static void *serve(void *arg)
{
    (void)arg;
    static char pkt[GDB_PACKET_MAX + 1];
    size_t len = 0;
    enum { IDLE, DATA, ESCAPE, SUM1, SUM2 } st = IDLE;
    uint8_t sum = 0, given = 0;
    bool overflow = false;
    char buf[1024];
    for (;;) {
        ssize_t n = read(gs.fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            switch (st) {
            case IDLE:
                if (c == '$') {
                    st = DATA;
                    len = 0;
                    sum = 0;
                    overflow = false;
                } else if (c == '+') {
                    pthread_mutex_lock(&gs.lock);
                    gs.acks++;
                    pthread_cond_broadcast(&gs.changed);
                    pthread_mutex_unlock(&gs.lock);
                } else if (c == 0x03) {
                    pthread_mutex_lock(&gs.lock);
                    if (!gs.stopped && gs.attached) {
                        gs.interrupt = true;
                        for (unsigned k = 0; k < gs.n_threads; k++)
                            stop_thread(gs.threads[k].cpu);
                    }
                    pthread_mutex_unlock(&gs.lock);
                }
                break;
            case DATA:
            case ESCAPE:
                if (c == '$') {    /* never raw inside a packet: a new one starts */
                    len = 0;
                    sum = 0;
                    overflow = false;
                    st = DATA;
                    break;
                }
                if (c == '#' && st == DATA) {
                    st = SUM1;
                    break;
                }
                sum += (uint8_t)c;
                if (c == '}' && st == DATA) {
                    st = ESCAPE;
                    break;
                }
                if (st == ESCAPE)
                    c ^= 0x20;
                st = DATA;
                if (len < GDB_PACKET_MAX)
                    pkt[len++] = c;
                else
                    overflow = true;
                break;
            case SUM1:
                given = (uint8_t)(hexval(c) << 4);
                st = hexval(c) < 0 ? IDLE : SUM2;
                if (st == IDLE)
                    write_all("-", 1);
                break;
            case SUM2:
                st = IDLE;
                if (hexval(c) < 0 || (uint8_t)(given | hexval(c)) != sum || overflow || !len) {
                    write_all("-", 1);
                    break;
                }
                pthread_mutex_lock(&gs.lock);
                write_all("+", 1);
                while (!gs.first_stop_seen && gs.attached)
                    pthread_cond_wait(&gs.changed, &gs.lock);
                if (!gs.stopped)
                    send_packet("E01");   /* all-stop: gdb sends nothing but Ctrl-C then */
                else
                    handle_packet(pkt, len);
                pthread_mutex_unlock(&gs.lock);
                break;
            }
        }
    }
    pthread_mutex_lock(&gs.lock);
    detach();
    close(gs.fd);
    gs.fd = -1;
    pthread_mutex_unlock(&gs.lock);
    return NULL;
}

static void wait_resumed(void)
{
    while (gs.stopped && gs.attached)
        pthread_cond_wait(&gs.changed, &gs.lock);
}

static void stub_stop(struct cpu *cpu, int sig)
{
    pthread_mutex_lock(&gs.lock);
    const struct gdb_watch *hit = NULL;
    if (gs.n_watches && sig == SIGTRAP && !gs.stopped && !(hit = watch_hit(cpu)))
        hit = access_hit;
    access_hit = NULL;
    /* A step of a watchpoint's making that changed nothing watched: run on. */
    struct gdb_thread *t = thread_of_cpu(cpu);
    if (!hit && sig == SIGTRAP && t && !t->step && cpu->exit_reason == CPU_EXIT_INTERRUPT &&
        (cpu->tb_flags & TB_FLAG_DEBUG_STEP) && gs.attached && gs.first_stop_seen) {
        wait_resumed();            /* parks if another CPU stopped meanwhile */
        pthread_mutex_unlock(&gs.lock);
        return;
    }
    wait_resumed();                /* another CPU's stop first */
    if (!gs.attached) {
        cpu->tb_flags &= ~TB_FLAG_DEBUG_STEP;
        pthread_mutex_unlock(&gs.lock);
        return;
    }
    gs.stopped = true;
    gs.first_stop_seen = true;
    gs.interrupt = false;
    gs.stop_cpu = gs.g_cpu = cpu;
    gs.stop_sig = sig;
    gs.stop_watch = hit;
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (gs.threads[i].cpu != cpu)
            stop_thread(gs.threads[i].cpu);
    if (gs.reply_due) {
        gs.reply_due = false;
        send_stop_reply();
    }
    pthread_cond_broadcast(&gs.changed);
    wait_resumed();
    pthread_mutex_unlock(&gs.lock);
}

static void stub_poll(struct cpu *cpu)
{
    if (!__atomic_load_n(&gs.stopped, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&gs.interrupt, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&gs.lock);
    if (gs.interrupt && !gs.stopped) {
        pthread_mutex_unlock(&gs.lock);
        stub_stop(cpu, SIGINT);
        return;
    }
    wait_resumed();
    pthread_mutex_unlock(&gs.lock);
}

static void stub_cpu_added(struct cpu *cpu, int tid)
{
    pthread_mutex_lock(&gs.lock);
    if (gs.n_threads == gs.cap_threads) {
        unsigned cap = gs.cap_threads ? 2 * gs.cap_threads : 8;
        struct gdb_thread *t = realloc(gs.threads, cap * sizeof(*t));
        if (!t) {
            pthread_mutex_unlock(&gs.lock);
            return;                /* the thread runs on, unseen by gdb */
        }
        gs.threads = t;
        gs.cap_threads = cap;
    }
    gs.threads[gs.n_threads++] = (struct gdb_thread){ .cpu = cpu, .tid = tid };
    if (gs.attached && debug_breakpoint_count())
        cpu->tb_flags |= TB_FLAG_DEBUG_BP;
    if (!gs.g_cpu)
        gs.g_cpu = gs.stop_cpu = cpu;
    pthread_mutex_unlock(&gs.lock);
}

static void stub_cpu_removed(struct cpu *cpu)
{
    pthread_mutex_lock(&gs.lock);
    for (unsigned i = 0; i < gs.n_threads; i++)
        if (gs.threads[i].cpu == cpu) {
            gs.threads[i] = gs.threads[--gs.n_threads];
            break;
        }
    if (gs.g_cpu == cpu || gs.stop_cpu == cpu)
        gs.g_cpu = gs.stop_cpu = gs.n_threads ? gs.threads[0].cpu : NULL;
    pthread_mutex_unlock(&gs.lock);
}

static void stub_exited(int status, int sig)
{
    pthread_mutex_lock(&gs.lock);
    if (gs.attached) {
        char buf[16];
        snprintf(buf, sizeof(buf), sig ? "X%02x" : "W%02x", sig ? gdb_signal(sig) : status & 0xff);
        unsigned acks = gs.acks;
        send_packet(buf);
        /* gdb acknowledges the exit before vm closes the socket under it (a second at most). */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec++;
        while (gs.acks == acks && gs.fd >= 0 &&
               pthread_cond_timedwait(&gs.changed, &gs.lock, &until) == 0)
            ;
        gs.attached = false;
        pthread_cond_broadcast(&gs.changed);
    }
    pthread_mutex_unlock(&gs.lock);
}

static void stub_fork_child(void)
{
    close(gs.fd);
    gs.fd = -1;
}

/* Runs on the CPU's thread inside a single-step block, while gdb has the other CPUs running
 * or parked: the watchpoints change only while all are stopped. */
static void stub_mem_access(struct cpu *cpu, uint64_t addr, unsigned size, unsigned kind)
{
    for (unsigned i = 0; i < gs.n_watches && !access_hit; i++) {
        const struct gdb_watch *w = &gs.watches[i];
        bool wanted = w->type == '4' || (w->type == '3' && (kind & DEBUG_ACCESS_READ));
        if (wanted && addr < w->addr + w->len && w->addr < addr + size)
            access_hit = w;
    }
}

static const struct debugger_ops gdbstub_ops = {
    .cpu_added = stub_cpu_added,
    .cpu_removed = stub_cpu_removed,
    .stop = stub_stop,
    .poll = stub_poll,
    .exited = stub_exited,
    .fork_child = stub_fork_child,
    .mem_access = stub_mem_access,
};

/* A listening socket for spec: all digits is a TCP port on the loopback interface, anything
 * else a unix socket path. */
static int listen_on(const char *spec)
{
    char *end;
    unsigned long port = strtoul(spec, &end, 10);
    bool tcp = *spec && !*end;
    int fd;
    if (tcp) {
        if (port == 0 || port > 65535)
            return -EINVAL;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int one = 1;
        if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
            return -errno;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            goto fail;
    } else {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!*spec || strlen(spec) >= sizeof(sa.sun_path))
            return -ENAMETOOLONG;
        strcpy(sa.sun_path, spec);
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
            return -errno;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            goto fail;
    }
    if (listen(fd, 1) < 0)
        goto fail;
    return fd;
fail:;
    int err = -errno;
    close(fd);
    return err;
}

int gdbstub_start(const char *spec)
{
    int lfd = listen_on(spec);
    if (lfd < 0) {
        vm_error("--gdb %s: cannot listen: %s", spec, strerror(-lfd));
        return lfd;
    }
    int fd;
    do
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    int err = fd < 0 ? -errno : 0;
    close(lfd);
    if (!*spec || strspn(spec, "0123456789") != strlen(spec))
        unlink(spec);          /* the socket file served its purpose once gdb is in */
    if (err < 0) {
        vm_error("--gdb %s: cannot accept gdb's connection: %s", spec, strerror(-err));
        return err;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    gs.fd = fd;
    gs.attached = true;
    debugger = &gdbstub_ops;
    if ((err = service_thread_start(serve, NULL))) {
        vm_error("--gdb %s: cannot start the stub's thread: %s", spec, strerror(-err));
        debugger = NULL;
        close(fd);
        return err;
    }
    return 0;
}
