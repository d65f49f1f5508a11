/* The persistent translation cache's file and table (see tcache.h). One file per program and
 * vm build, DIR/<key>.tc: a header, an index, then one record per block, each holding the
 * guest bytes the block was made from, its host code, the code's host -> guest pc map and
 * write-back lists, and the code's address fields (relocations). The file is mapped at start
 * and used in place: a lookup probes the index (an open-addressing table of (pc, flags) ->
 * record, kept in the file so that nothing is built at start), and a record is checked (its
 * bounds, its hash, its consistency) at its first use, so a start touches only the pages of
 * the blocks it runs and a damaged record costs that block alone. Blocks added in this run
 * live in a table in memory; the file is written at exit, only if enough changed, to a
 * temporary file renamed over the old one, so that a run never reads half a file. */
#include "exec/tcache.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/registry.h"
#include "mem/aspace.h"

#define TCACHE_VERSION 2
#define TCACHE_MAX_BYTES (256u << 20)   /* of records per file: no block is added beyond */
#define TCACHE_MAX_GUEST 8192            /* guest bytes of a block (a page and a bit at most) */
#define TABLE_BITS 12                    /* of the table of blocks added in this run */

static const char magic[8] = "VMTCACHE";

struct file_head {
    char magic[8];
    uint32_t version, n_records;
    uint64_t build;          /* vm's own build */
    uint64_t key;            /* the program's identity, the guest and the host */
    uint64_t env;            /* tcache_set_env's */
    uint64_t file_size;      /* of the whole file: one cut short is refused */
    uint32_t n_slots, pad;   /* of the index after this header: a power of two */
    char host[16], guest[16];
    uint64_t head_hash;      /* of the fields above */
};

/* An index slot (empty: size 0): linear probing from the slot (pc, flags) hashes to. */
struct slot {
    uint64_t pc;
    uint32_t flags;
    uint32_t size;           /* of the record */
    uint64_t offset;         /* of the record from the file's start: a multiple of 8 */
    uint64_t hash;           /* of the record's bytes, checked at its first use */
};

/* A record; after it, each padded to 8 bytes: guest bytes [pc, end_pc), code, map, wb,
 * relocs. */
struct rec {
    uint64_t pc, end_pc;
    uint16_t flags, n_insns;
    uint32_t code_size, n_map, n_wb, n_relocs;
    uint32_t size;           /* of the record, this head included: a multiple of 8 */
};

/* A block added in this run. */
struct ent {
    struct ent *next;        /* in its table slot */
    uint64_t pc;
    uint32_t flags;
    struct rec *rec;         /* malloc'd */
    bool dead;               /* stale or replaced: not saved */
};

/* What the file's slots are known to be. */
enum { SLOT_UNCHECKED, SLOT_GOOD, SLOT_DEAD };

struct tcache_stats tcache_stats;
bool tcache_on;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ent *table[1u << TABLE_BITS];
static struct ent **ents;            /* every added entry, in the order they came */
static size_t n_ents, max_ents;
/* The file read at start (all NULL/0 when there was none, or it was refused). */
static const uint8_t *file_map;
static size_t file_size;
static const struct slot *file_slots;
static uint32_t file_mask;           /* n_slots - 1 */
static uint8_t *file_state;          /* SLOT_* per slot */
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

static uint64_t slot_hash(uint64_t pc, uint32_t flags)
{
    return ((pc >> 1) ^ flags) * 0x9E3779B97F4A7C15ull;
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

/* Is the record r (size bytes) whole and consistent? Sizes are checked before any section is
 * looked at. */
static bool rec_valid(struct rec *r, size_t size)
{
    if (size < sizeof(*r) || r->size != size || r->size % 8)
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

/* The record of file slot k if its bytes lie inside the file after the index, else NULL. */
static struct rec *slot_rec(uint32_t k)
{
    const struct slot *s = &file_slots[k];
    size_t index_end = sizeof(struct file_head) + ((size_t)file_mask + 1) * sizeof(*s);
    if (s->offset % 8 || s->size % 8 || s->offset < index_end || s->offset > file_size ||
        s->size > file_size - s->offset)
        return NULL;
    return (struct rec *)(uintptr_t)(file_map + s->offset);
}

/* The file's slot of (pc, flags) not known dead, or -1. */
static int64_t file_lookup(uint64_t pc, uint32_t flags)
{
    if (!file_slots)
        return -1;
    for (uint32_t k = (uint32_t)(slot_hash(pc, flags) >> 32) & file_mask, n = 0;
         n <= file_mask && file_slots[k].size; k = (k + 1) & file_mask, n++)
        if (file_slots[k].pc == pc && file_slots[k].flags == flags &&
            file_state[k] != SLOT_DEAD)
            return k;
    return -1;
}

/* Checks file slot k's record at its first use: false (and the slot dead) if it is damaged. */
static bool slot_good(uint32_t k)
{
    if (file_state[k] == SLOT_GOOD)
        return true;
    const struct slot *s = &file_slots[k];
    struct rec *r = slot_rec(k);
    if (r && tcache_hash(r, s->size, head.key) == s->hash && rec_valid(r, s->size) &&
        r->pc == s->pc && r->flags == s->flags) {
        file_state[k] = SLOT_GOOD;
        return true;
    }
    file_state[k] = SLOT_DEAD;
    live_bytes -= s->size;
    n_changed++;
    tcache_stats.damaged++;
    vm_log(tcache, "tcache: %s: the block at 0x%" PRIx64 " is damaged: ignored\n", file_path,
           s->pc);
    return false;
}

static struct ent *lookup(uint64_t pc, uint32_t flags)
{
    for (struct ent *e = table[slot_hash(pc, flags) >> (64 - TABLE_BITS)]; e; e = e->next)
        if (e->pc == pc && e->flags == flags && !e->dead)
            return e;
    return NULL;
}

/* Forgets the block at (pc, flags), in the file or added: it is not saved. */
static void kill(uint64_t pc, uint32_t flags)
{
    struct ent *e = lookup(pc, flags);
    int64_t k;
    if (e) {
        e->dead = true;
        live_bytes -= e->rec->size;
    } else if ((k = file_lookup(pc, flags)) >= 0) {
        file_state[k] = SLOT_DEAD;
        live_bytes -= file_slots[k].size;
    }
}

static int insert(struct rec *r)
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
    kill(r->pc, r->flags);
    *e = (struct ent){ .pc = r->pc, .flags = r->flags, .rec = r };
    unsigned h = (unsigned)(slot_hash(r->pc, r->flags) >> (64 - TABLE_BITS));
    e->next = table[h];
    table[h] = e;
    ents[n_ents++] = e;
    live_bytes += r->size;
    return 0;
}

/* The hash of the file at path's bytes; -errno if it cannot be read. Mapped, not read: a
 * program's megabytes are hashed at every start, from the page cache without a copy. */
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
    size_t size = (size_t)st.st_size;
    void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (p == MAP_FAILED)
        return -EIO;
    *h = tcache_hash(p, size, 0);
    if (p)
        munmap(p, size);
    return 0;
}

/* dl_iterate_phdr's callback for vm's own executable (the first object): the hash of its GNU
 * build ID note into *data, which stays 0 if it has none. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    for (unsigned k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        if (ph->p_type != PT_NOTE)
            continue;
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
            const uint8_t *name = p + sizeof(*n), *desc = name + ((n->n_namesz + 3) & ~3u);
            if (desc + n->n_descsz > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
                n->n_descsz >= 8) {
                *(uint64_t *)data = tcache_hash(desc, n->n_descsz, 0x6275696c64ull);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1;   /* only the executable, the first object, is vm's own */
}

/* vm's own build: the linker's build ID, a hash of the executable's contents made when it was
 * linked, or the hash of the executable's bytes if it has none. */
static int build_of(uint64_t *h)
{
    *h = 0;
    dl_iterate_phdr(find_build_id, h);
    return *h ? 0 : hash_file("/proc/self/exe", h);
}

static void forget_file(void)
{
    if (file_map)
        munmap((void *)(uintptr_t)file_map, file_size);
    free(file_state);
    file_map = NULL;
    file_slots = NULL;
    file_state = NULL;
    file_size = 0;
    file_mask = 0;
    live_bytes = 0;
}

/* Maps the file if it is there and its header and size are right; anything wrong with them
 * leaves the cache empty. The records are checked at their first use. The file is never
 * changed in place (tcache_save renames a new file over it), so the mapping stays true. */
static void load(void)
{
    int fd = open(file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    void *map = MAP_FAILED;
    size_t size = 0;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct file_head)) {
        size = (size_t)st.st_size;
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    const struct file_head *h = map != MAP_FAILED ? map : NULL;
    bool ok = h && !memcmp(h->magic, magic, sizeof(magic)) && h->version == TCACHE_VERSION &&
              h->head_hash == tcache_hash(h, offsetof(struct file_head, head_hash), 0) &&
              h->build == head.build && h->key == head.key &&
              !memcmp(h->host, head.host, sizeof(h->host)) &&
              !memcmp(h->guest, head.guest, sizeof(h->guest)) && h->file_size == size &&
              h->n_slots && !(h->n_slots & (h->n_slots - 1)) && h->n_records < h->n_slots &&
              (size - sizeof(*h)) / sizeof(struct slot) >= h->n_slots &&
              (file_state = calloc(h->n_slots, 1));
    if (!ok) {
        if (h)
            munmap(map, size);
        stale = true;
        tcache_stats.file_rejected = true;
        vm_log(tcache, "tcache: %s: not a valid cache for this program and vm: ignored\n", file_path);
        return;
    }
    file_map = map;
    file_size = size;
    file_slots = (const struct slot *)(const void *)(file_map + sizeof(*h));
    file_mask = h->n_slots - 1;
    live_bytes = size - sizeof(*h) - (size_t)h->n_slots * sizeof(struct slot);
    head.env = h->env;
    n_file = tcache_stats.file_entries = h->n_records;
    vm_log(tcache, "tcache: %s: %" PRIu32 " blocks mapped\n", file_path, h->n_records);
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
    if ((err = hash_file(real, &content)) < 0 || (err = build_of(&head.build)) < 0) {
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
        if (file_map)
            vm_log(tcache, "tcache: %s: made under another code generation environment: ignored\n",
                   file_path);
        forget_file();
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
    int64_t k = e ? -1 : file_lookup(pc, flags);
    struct rec *r = e ? e->rec : k >= 0 && slot_good((uint32_t)k) ? slot_rec((uint32_t)k) : NULL;
    int err = -ENOENT;
    if (r) {
        struct sections s = sections_of(r);
        /* The pages are marked as code before their bytes are compared: a store from another
         * thread after the comparison then drops the block, as it does a translated one (user
         * mode, the only one with a cache: a guest address is its own physical one). */
        if (cpu->as->ops->protect_code)
            cpu->as->ops->protect_code(cpu, pc, r->end_pc);
        if (guest_matches(cpu, pc, s.guest, r->end_pc - pc)) {
            *out = (struct tcache_block){
                .pc = pc, .end_pc = r->end_pc, .flags = r->flags, .n_insns = r->n_insns,
                .code_size = r->code_size, .n_map = r->n_map, .n_wb = r->n_wb,
                .n_relocs = r->n_relocs, .code = s.code, .map = s.map, .wb = s.wb,
                .relocs = s.relocs };
            tcache_stats.loaded++;
            err = 0;
        } else {
            kill(pc, flags);
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
    if (lookup(pc, flags) || file_lookup(pc, flags) >= 0) {
        kill(pc, flags);
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
    if (insert(r) < 0)
        goto out;
    r = NULL;
    n_changed++;
    tcache_stats.added++;
out:
    free(r);
    pthread_mutex_unlock(&lock);
}

/* Puts rec (size bytes, hash h) at *at of out and into the index slots (mask + 1 of them). */
static void place(uint8_t *out, size_t *at, struct slot *slots, uint32_t mask,
                  const struct rec *rec, uint32_t size, uint64_t h)
{
    uint32_t k = (uint32_t)(slot_hash(rec->pc, rec->flags) >> 32) & mask;
    while (slots[k].size)
        k = (k + 1) & mask;
    slots[k] = (struct slot){ .pc = rec->pc, .flags = rec->flags, .size = size,
                              .offset = *at, .hash = h };
    memcpy(out + *at, rec, size);
    *at += size;
}

int tcache_save(void)
{
    if (!tcache_on || getpid() != owner)
        return 0;
    pthread_mutex_lock(&lock);
    int err = 0;
    uint8_t *out = NULL;
    char *tmp = NULL;
    /* Rewriting the whole file for a handful of blocks (a program's few blocks that differ
     * from run to run) would cost more than translating them again. */
    if (!stale && n_changed * 64 <= n_file)
        goto out;
    /* The file's blocks not known to be bad (those never used are copied unchecked, with
     * the hash they came with, and checked when used), then the added ones. */
    size_t size = 0;
    uint32_t n = 0;
    for (uint32_t k = 0; file_slots && k <= file_mask; k++)
        if (file_slots[k].size && file_state[k] != SLOT_DEAD && slot_rec(k))
            size += file_slots[k].size, n++;
    for (size_t k = 0; k < n_ents; k++)
        if (!ents[k]->dead)
            size += ents[k]->rec->size, n++;
    uint32_t n_slots = 16;
    while (n_slots < n + n / 3 + 1)
        n_slots *= 2;
    size_t at = sizeof(struct file_head) + (size_t)n_slots * sizeof(struct slot);
    size += at;
    if (!(out = calloc(1, size)) || asprintf(&tmp, "%s.%d.tmp", file_path, (int)getpid()) < 0) {
        tmp = NULL;
        err = -ENOMEM;
        goto out;
    }
    struct slot *slots = (struct slot *)(void *)(out + sizeof(struct file_head));
    for (uint32_t k = 0; file_slots && k <= file_mask; k++)
        if (file_slots[k].size && file_state[k] != SLOT_DEAD && slot_rec(k))
            place(out, &at, slots, n_slots - 1, slot_rec(k), file_slots[k].size,
                  file_slots[k].hash);
    for (size_t k = 0; k < n_ents; k++)
        if (!ents[k]->dead)
            place(out, &at, slots, n_slots - 1, ents[k]->rec, ents[k]->rec->size,
                  tcache_hash(ents[k]->rec, ents[k]->rec->size, head.key));
    struct file_head *h = (struct file_head *)(void *)out;
    *h = head;
    h->n_records = n;
    h->n_slots = n_slots;
    h->file_size = at;
    h->head_hash = tcache_hash(h, offsetof(struct file_head, head_hash), 0);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        err = -errno;
        goto out;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < at;) {
        ssize_t w = write(fd, out + done, at - done);
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
    free(out);
    pthread_mutex_unlock(&lock);
    return err;
}
