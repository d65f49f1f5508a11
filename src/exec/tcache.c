/* The persistent translation cache's file and table (see tcache.h). One file per program and
 * vm build, DIR/<key>.tc: a header, then one record per block, each holding the guest bytes
 * the block was made from, its host code, the code's host -> guest pc map and write-back
 * lists, and the code's address fields (relocations). The whole file is read at start into
 * one buffer and indexed by (pc, flags); it is written at exit, only if blocks were added,
 * to a temporary file renamed over the old one, so that a run never reads half a file. */
#include "exec/tcache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/registry.h"

#define TCACHE_VERSION 1
#define TCACHE_MAX_BYTES (256u << 20)   /* of records per file: no block is added beyond */
#define TCACHE_MAX_GUEST 8192            /* guest bytes of a block (a page and a bit at most) */
#define TABLE_BITS 16

static const char magic[8] = "VMTCACHE";

struct file_head {
    char magic[8];
    uint32_t version, n_records;
    uint64_t build;          /* hash of vm's own executable */
    uint64_t key;            /* the program's identity, the guest and the host */
    uint64_t env;            /* tcache_set_env's */
    uint64_t payload_size;   /* the records' bytes after this header */
    uint64_t payload_hash;
    char host[16], guest[16];
};

/* A record; after it, each padded to 8 bytes: guest bytes [pc, end_pc), code, map, wb,
 * relocs. */
struct rec {
    uint64_t pc, end_pc;
    uint16_t flags, n_insns;
    uint32_t code_size, n_map, n_wb, n_relocs;
    uint32_t size;           /* of the record, this head included: a multiple of 8 */
};

struct ent {
    struct ent *next;        /* in its table slot */
    uint64_t pc;             /* rec's key, here so that a lookup does not touch rec */
    uint32_t flags;
    struct rec *rec;
    bool owned;              /* rec was malloc'd here (else it is in the file's buffer) */
    bool dead;               /* stale, replaced or under another env: not saved */
};

struct tcache_stats tcache_stats;
bool tcache_on;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ent *table[1u << TABLE_BITS];
static struct ent **ents;            /* every entry, in the order they came */
static size_t n_ents, max_ents;
static uint64_t live_bytes;
static struct file_head head;        /* what this run's file is (and was) keyed by */
static bool have_env, stale;         /* stale: the file is not what the table holds */
static uint64_t n_changed;           /* blocks added or dropped since the file was read */
static char *file_path;
static pid_t owner;                  /* the process that writes the file */
static uint64_t n_file;              /* blocks in the file as it is on disk */

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    return h ^ h >> 32;
}

/* Four independent lanes, so that the multiplications overlap: a file of tens of megabytes
 * is hashed at every start. Each step is a bijection of the lane, so a change to any one
 * word always changes the result. */
uint64_t tcache_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *s = p;
    uint64_t h[4] = { seed ^ (n * 0x9E3779B97F4A7C15ull), seed + 0x632be59bd9b4e019ull,
                      seed ^ 0x85ebca6b0c2b2ae3ull, seed - 0x27d4eb2f165667c5ull };
    for (; n >= 32; n -= 32, s += 32)
        for (unsigned k = 0; k < 4; k++) {
            uint64_t w;
            memcpy(&w, s + 8 * k, 8);
            h[k] = mix(h[k], w);
        }
    uint64_t r = mix(mix(mix(h[0], h[1]), h[2]), h[3]);
    for (; n >= 8; n -= 8, s += 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        r = mix(r, w);
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    r = (r ^ w) * 0xc4ceb9fe1a85ec53ull;
    r ^= r >> 29;
    r *= 0x94d049bb133111ebull;
    return r ^ r >> 32;
}

static unsigned slot(uint64_t pc, uint32_t flags)
{
    return (unsigned)(((pc >> 1) ^ flags) * 0x9E3779B97F4A7C15ull >> (64 - TABLE_BITS));
}

/* The sections of r: guest bytes, code, map, wb, relocs. */
struct sections {
    uint8_t *guest, *code;
    struct host_map *map;
    struct host_wb *wb;
    struct tcache_reloc *relocs;
    size_t end;              /* bytes they take, the head included */
};

static struct sections sections_of(struct rec *r)
{
    struct sections s;
    size_t at = sizeof(*r);
    uint8_t *base = (uint8_t *)r;
    s.guest = base + at;
    at += pad8(r->end_pc - r->pc);
    s.code = base + at;
    at += pad8(r->code_size);
    s.map = (struct host_map *)(void *)(base + at);
    at += pad8((size_t)r->n_map * sizeof(struct host_map));
    s.wb = (struct host_wb *)(void *)(base + at);
    at += pad8((size_t)r->n_wb * sizeof(struct host_wb));
    s.relocs = (struct tcache_reloc *)(void *)(base + at);
    at += pad8((size_t)r->n_relocs * sizeof(struct tcache_reloc));
    s.end = at;
    return s;
}

/* Is the record at r (avail bytes from there) whole and consistent? Sizes are checked before
 * any section is looked at. */
static bool rec_valid(struct rec *r, size_t avail)
{
    if (avail < sizeof(*r) || r->size < sizeof(*r) || r->size > avail || r->size % 8)
        return false;
    if (r->end_pc <= r->pc || r->end_pc - r->pc > TCACHE_MAX_GUEST || !r->code_size ||
        r->code_size > r->size || r->n_map > HOST_MAX_MAP || r->n_wb > HOST_MAX_WB ||
        r->n_relocs > HOST_MAX_RELOCS || !r->n_insns)
        return false;
    struct sections s = sections_of(r);
    if (s.end != r->size)
        return false;
    for (uint32_t k = 0; k < r->n_relocs; k++) {
        const struct tcache_reloc *x = &s.relocs[k];
        unsigned width = x->r.kind == HOST_RELOC_ABS64 ? 8 : 4;
        if (x->r.kind > HOST_RELOC_ABS64 || x->base > TCACHE_IMAGE ||
            x->r.off > r->code_size - width || r->code_size < width)
            return false;
    }
    for (uint32_t k = 0; k < r->n_map; k++)
        if (s.map[k].host_off > r->code_size || s.map[k].wb_first > r->n_wb ||
            s.map[k].wb_n > r->n_wb - s.map[k].wb_first)
            return false;
    for (uint32_t k = 0; k < r->n_wb; k++)
        if (s.wb[k].reg >= HOST_MAX_REGS || s.wb[k].off < 0 || s.wb[k].off > 1 << 20)
            return false;
    return true;
}

static struct ent *lookup(uint64_t pc, uint32_t flags)
{
    for (struct ent *e = table[slot(pc, flags)]; e; e = e->next)
        if (e->pc == pc && e->flags == flags && !e->dead)
            return e;
    return NULL;
}

static int insert(struct rec *r, bool owned)
{
    if (n_ents == max_ents) {
        size_t n = max_ents ? 2 * max_ents : 4096;
        struct ent **p = realloc(ents, n * sizeof(*p));
        if (!p)
            return -ENOMEM;
        ents = p;
        max_ents = n;
    }
    struct ent *e = malloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    struct ent *old = lookup(r->pc, r->flags);
    if (old) {
        old->dead = true;
        live_bytes -= old->rec->size;
    }
    *e = (struct ent){ .pc = r->pc, .flags = r->flags, .rec = r, .owned = owned };
    unsigned h = slot(r->pc, r->flags);
    e->next = table[h];
    table[h] = e;
    ents[n_ents++] = e;
    live_bytes += r->size;
    return 0;
}

/* Reads all of fd (size bytes) into a new buffer, or NULL. */
static uint8_t *read_all(int fd, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    size_t got = 0;
    while (buf && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n <= 0) {
            free(buf);
            return NULL;
        }
        got += (size_t)n;
    }
    return buf;
}

/* The hash of the file at path's bytes; -errno if it cannot be read. */
static int hash_file(const char *path, uint64_t *h)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return -errno;
    }
    uint8_t *buf = read_all(fd, (size_t)st.st_size);
    close(fd);
    if (!buf)
        return -EIO;
    *h = tcache_hash(buf, (size_t)st.st_size, 0);
    free(buf);
    return 0;
}

/* The records of a file already checked whole (its header and its payload's hash). False if
 * one is not consistent: then none is used. */
static bool index_file(uint8_t *payload, size_t size, uint32_t n_records)
{
    size_t at = 0;
    for (uint32_t k = 0; k < n_records; k++) {
        struct rec *r = (struct rec *)(void *)(payload + at);
        if (!rec_valid(r, size - at) || insert(r, false) < 0)
            return false;
        at += r->size;
    }
    return at == size;
}

static void forget_all(void)
{
    for (size_t k = 0; k < n_ents; k++) {
        if (ents[k]->owned)
            free(ents[k]->rec);
        free(ents[k]);
    }
    n_ents = 0;
    live_bytes = 0;
    memset(table, 0, sizeof(table));
}

/* Reads the file if it is there and valid; anything wrong with it leaves the cache empty.
 * The file is mapped, not read: its records are used in place and it is never changed in
 * place (tcache_save renames a new file over it). */
static void load(void)
{
    int fd = open(file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    const struct file_head *h = NULL;
    void *map = MAP_FAILED;
    size_t size = 0;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(*h)) {
        size = (size_t)st.st_size;
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    h = map != MAP_FAILED ? map : NULL;
    uint8_t *payload = h ? (uint8_t *)map + sizeof(*h) : NULL;
    bool ok = h && !memcmp(h->magic, magic, sizeof(magic)) && h->version == TCACHE_VERSION &&
              h->build == head.build && h->key == head.key &&
              !memcmp(h->host, head.host, sizeof(h->host)) &&
              !memcmp(h->guest, head.guest, sizeof(h->guest)) &&
              h->payload_size == size - sizeof(*h) &&
              tcache_hash(payload, (size_t)h->payload_size, h->key) == h->payload_hash &&
              index_file(payload, (size_t)h->payload_size, h->n_records);
    if (!ok) {
        forget_all();
        if (h)
            munmap(map, size);
        stale = true;
        tcache_stats.file_rejected = true;
        vm_log(tcache, "tcache: %s: not a valid cache for this program and vm: ignored\n", file_path);
        return;
    }
    head.env = h->env;
    n_file = tcache_stats.file_entries = h->n_records;
    vm_log(tcache, "tcache: %s: %" PRIu32 " blocks read\n", file_path, h->n_records);
}

static void save_at_exit(void)
{
    tcache_save();
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
        return -ENAMETOOLONG;
    for (char *s = p + 1;; s++) {
        if (*s && *s != '/')
            continue;
        char c = *s;
        *s = 0;
        if (mkdir(p, 0777) < 0 && errno != EEXIST)
            return -errno;
        if (!(*s = c))
            return 0;
    }
}

int tcache_open(const char *dir, const char *path, const char *guest)
{
    const struct host_backend *hb = host_backend();
    if (!hb || !hb->relocs) {
        vm_error("--tcache: this vm's JIT cannot move code (no host backend with relocations)");
        return -ENOSYS;
    }
    char real[PATH_MAX];
    struct stat st;
    uint64_t content;
    int err;
    if (!realpath(path, real) || stat(real, &st) < 0) {
        err = -errno;
        vm_error("--tcache: %s: %s", path, strerror(-err));
        return err;
    }
    if ((err = hash_file(real, &content)) < 0 || (err = hash_file("/proc/self/exe", &head.build)) < 0) {
        vm_error("--tcache: cannot read the program or vm itself: %s", strerror(-err));
        return err;
    }
    memcpy(head.magic, magic, sizeof(magic));
    head.version = TCACHE_VERSION;
    snprintf(head.host, sizeof(head.host), "%s", hb->name);
    snprintf(head.guest, sizeof(head.guest), "%s", guest);
    uint64_t id[] = { (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
                      (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec, content,
                      head.build, tcache_hash(head.host, sizeof(head.host), 0),
                      tcache_hash(head.guest, sizeof(head.guest), 0) };
    head.key = tcache_hash(real, strlen(real), tcache_hash(id, sizeof(id), 0));
    if ((err = make_dirs(dir)) < 0) {
        vm_error("--tcache: %s: %s", dir, strerror(-err));
        return err;
    }
    if (asprintf(&file_path, "%s/%016" PRIx64 ".tc", dir, head.key) < 0)
        return -ENOMEM;
    load();
    owner = getpid();
    atexit(save_at_exit);
    tcache_on = true;
    return 0;
}

void tcache_set_env(uint64_t env)
{
    pthread_mutex_lock(&lock);
    if (!have_env && env != head.env) {   /* the file's blocks were made for another */
        if (n_ents)
            vm_log(tcache, "tcache: %s: made under another code generation environment: ignored\n",
                   file_path);
        forget_all();
        head.env = env;
        stale = n_file > 0;
    }
    have_env = true;
    pthread_mutex_unlock(&lock);
}

/* Are the guest bytes at [pc, pc + n) those of want? */
static bool guest_matches(struct cpu *cpu, uint64_t pc, const uint8_t *want, size_t n)
{
    uint8_t now[TCACHE_MAX_GUEST];
    for (size_t at = 0; at < n;) {
        size_t chunk = 4096 - ((pc + at) & 4095);
        if (chunk > n - at)
            chunk = n - at;
        if (cpu->fetch_code(cpu, pc + at, now + at, chunk) < 0)
            return false;
        at += chunk;
    }
    return !memcmp(now, want, n);
}

int tcache_find(struct cpu *cpu, uint64_t pc, uint32_t flags, struct tcache_block *out)
{
    pthread_mutex_lock(&lock);
    struct ent *e = lookup(pc, flags);
    int err = -ENOENT;
    if (e) {
        struct rec *r = e->rec;
        struct sections s = sections_of(r);
        if (guest_matches(cpu, pc, s.guest, r->end_pc - pc)) {
            *out = (struct tcache_block){
                .pc = pc, .end_pc = r->end_pc, .flags = r->flags, .n_insns = r->n_insns,
                .code_size = r->code_size, .n_map = r->n_map, .n_wb = r->n_wb,
                .n_relocs = r->n_relocs, .code = s.code, .map = s.map, .wb = s.wb,
                .relocs = s.relocs };
            tcache_stats.loaded++;
            err = 0;
        } else {
            e->dead = true;
            live_bytes -= r->size;
            n_changed++;
            tcache_stats.stale++;
        }
    }
    pthread_mutex_unlock(&lock);
    return err;
}

void tcache_drop(uint64_t pc, uint32_t flags)
{
    pthread_mutex_lock(&lock);
    struct ent *e = lookup(pc, flags);
    if (e) {
        e->dead = true;
        live_bytes -= e->rec->size;
        n_changed++;
        tcache_stats.loaded--;
        tcache_stats.stale++;
    }
    pthread_mutex_unlock(&lock);
}

void tcache_add(struct cpu *cpu, const struct tcache_block *b)
{
    size_t guest_len = b->end_pc - b->pc;
    if (guest_len > TCACHE_MAX_GUEST)
        return;
    struct rec shape = { .pc = b->pc, .end_pc = b->end_pc, .flags = b->flags,
                         .n_insns = b->n_insns, .code_size = b->code_size, .n_map = b->n_map,
                         .n_wb = b->n_wb, .n_relocs = b->n_relocs };
    size_t size = sections_of(&shape).end;
    pthread_mutex_lock(&lock);
    struct rec *r = NULL;
    if (live_bytes + size > TCACHE_MAX_BYTES || !(r = calloc(1, size)))
        goto out;
    *r = shape;
    r->size = (uint32_t)size;
    struct sections s = sections_of(r);
    for (size_t at = 0; at < guest_len;) {
        size_t chunk = 4096 - ((b->pc + at) & 4095);
        if (chunk > guest_len - at)
            chunk = guest_len - at;
        if (cpu->fetch_code(cpu, b->pc + at, s.guest + at, chunk) < 0)
            goto out;
        at += chunk;
    }
    memcpy(s.code, b->code, b->code_size);
    memcpy(s.map, b->map, b->n_map * sizeof(*b->map));
    memcpy(s.wb, b->wb, b->n_wb * sizeof(*b->wb));
    memcpy(s.relocs, b->relocs, b->n_relocs * sizeof(*b->relocs));
    if (insert(r, true) < 0)
        goto out;
    r = NULL;
    n_changed++;
    tcache_stats.added++;
out:
    free(r);
    pthread_mutex_unlock(&lock);
}

int tcache_save(void)
{
    if (!tcache_on || getpid() != owner)
        return 0;
    pthread_mutex_lock(&lock);
    int err = 0;
    uint8_t *payload = NULL;
    char *tmp = NULL;
    /* Rewriting the whole file for a handful of blocks (a program's few blocks that differ
     * from run to run) would cost more than translating them again. */
    if (!stale && n_changed * 64 <= n_file)
        goto out;
    size_t size = 0, at = 0;
    uint32_t n = 0;
    for (size_t k = 0; k < n_ents; k++)
        if (!ents[k]->dead)
            size += ents[k]->rec->size, n++;
    if (!(payload = malloc(size ? size : 1)) ||
        asprintf(&tmp, "%s.%d.tmp", file_path, (int)getpid()) < 0) {
        tmp = NULL;
        err = -ENOMEM;
        goto out;
    }
    for (size_t k = 0; k < n_ents; k++)
        if (!ents[k]->dead) {
            memcpy(payload + at, ents[k]->rec, ents[k]->rec->size);
            at += ents[k]->rec->size;
        }
    struct file_head h = head;
    h.n_records = n;
    h.payload_size = size;
    h.payload_hash = tcache_hash(payload, size, h.key);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        err = -errno;
        goto out;
    }
    bool ok = write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h);
    for (size_t done = 0; ok && done < size;) {
        ssize_t w = write(fd, payload + done, size - done);
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    if (close(fd) < 0 || !ok || rename(tmp, file_path) < 0) {
        err = -EIO;
        unlink(tmp);
        goto out;
    }
    stale = false;
    n_changed = 0;
    n_file = n;
    vm_log(tcache, "tcache: %s: %" PRIu32 " blocks written\n", file_path, n);
out:
    if (err < 0)
        vm_error("--tcache: cannot write %s: %s", file_path, strerror(-err));
    free(tmp);
    free(payload);
    pthread_mutex_unlock(&lock);
    return err;
}
