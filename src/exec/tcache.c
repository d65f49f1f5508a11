/* The persistent translation cache's files and tables (see tcache.h). One file per mapped
 * file whose code runs (the program, the dynamic linker, each library), DIR/NAME-KEY.tc, the
 * key that file's identity and content (not its path or where it is mapped), so a library's
 * blocks are found by every program that maps it where they were made; and one per program
 * for its code outside mapped files (generated code), NAME.other-KEY.tc. A file holds a
 * header, an index, then one record per block, each holding the guest bytes the block was
 * made from, its host code, the code's host -> guest pc map and write-back lists, and the
 * code's address fields (relocations). A file is mapped when its first mapping is made and
 * used in place: a lookup probes the index (an open-addressing table of (pc, flags) ->
 * record, kept in the file so that nothing is built at start), and a record is checked (its
 * bounds, its hash, its consistency) at its first use, so a start touches only the pages of
 * the blocks it runs and a damaged record costs that block alone. Blocks added in this run
 * live in a table in memory; each file is written at exit, only if enough of it changed, to
 * a temporary file renamed over the old one, so that a run never reads half a file. */
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

#define TCACHE_VERSION 3
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

/* What a file's slots are known to be. */
enum { SLOT_UNCHECKED, SLOT_GOOD, SLOT_DEAD };

/* One cache file: the code of one mapped file (identified by its device, inode, size,
 * modification time and content, not by its path or where it is mapped), or the program's
 * code outside any mapped file (generated code). */
struct tfile {
    struct tfile *next;
    uint64_t dev, ino, size, mtime_ns;   /* the mapped file's (0 for the program's other code) */
    struct file_head head;   /* what this file is (and was) keyed by */
    char *path;
    struct ent *table[1u << TABLE_BITS];
    struct ent **ents;       /* every added entry, in the order they came */
    size_t n_ents, max_ents;
    /* The file read at start (all NULL/0 when there was none, or it was refused). */
    const uint8_t *map;
    size_t map_size;
    const struct slot *slots;
    uint32_t mask;           /* n_slots - 1 */
    uint8_t *state;          /* SLOT_* per slot */
    uint64_t live_bytes;
    bool stale;              /* the file is not what the table holds */
    uint64_t n_changed;      /* blocks added or dropped since the file was read */
    uint64_t n_file;         /* blocks in the file as it is on disk */
};

/* A guest mapping of a file's code: its blocks go to, and come from, that file's cache. */
struct region {
    uint64_t start, end;
    struct tfile *f;
};

struct tcache_stats tcache_stats;
bool tcache_on;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tfile *files;          /* every cache file of this run */
static struct tfile *other;          /* the program's code outside mapped files */
static struct region *regions;
static size_t n_regions, max_regions;
static char *cache_dir;
static uint64_t build, host_hash, guest_hash;
static char host_name[16], guest_name[16];
static bool have_env;
static uint64_t env_now;             /* tcache_set_env's, once have_env */
static pid_t owner;                  /* the process that writes the files */

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
        if ((s.wb[k].reg >= HOST_MAX_REGS && s.wb[k].reg != HOST_WB_IMM) || s.wb[k].off < 0 ||
            s.wb[k].off > 1 << 20)
            return false;
    return true;
}

/* The record of f's slot k if its bytes lie inside the file after the index, else NULL. */
static struct rec *slot_rec(const struct tfile *f, uint32_t k)
{
    const struct slot *s = &f->slots[k];
    size_t index_end = sizeof(struct file_head) + ((size_t)f->mask + 1) * sizeof(*s);
    if (s->offset % 8 || s->size % 8 || s->offset < index_end || s->offset > f->map_size ||
        s->size > f->map_size - s->offset)
        return NULL;
    return (struct rec *)(uintptr_t)(f->map + s->offset);
}

/* f's slot of (pc, flags) not known dead, or -1. */
static int64_t file_lookup(const struct tfile *f, uint64_t pc, uint32_t flags)
{
    if (!f->slots)
        return -1;
    for (uint32_t k = (uint32_t)(slot_hash(pc, flags) >> 32) & f->mask, n = 0;
         n <= f->mask && f->slots[k].size; k = (k + 1) & f->mask, n++)
        if (f->slots[k].pc == pc && f->slots[k].flags == flags && f->state[k] != SLOT_DEAD)
            return k;
    return -1;
}

/* Checks f's slot k's record at its first use: false (and the slot dead) if it is damaged. */
static bool slot_good(struct tfile *f, uint32_t k)
{
    if (f->state[k] == SLOT_GOOD)
        return true;
    const struct slot *s = &f->slots[k];
    struct rec *r = slot_rec(f, k);
    if (r && tcache_hash(r, s->size, f->head.key) == s->hash && rec_valid(r, s->size) &&
        r->pc == s->pc && r->flags == s->flags) {
        f->state[k] = SLOT_GOOD;
        return true;
    }
    f->state[k] = SLOT_DEAD;
    f->live_bytes -= s->size;
    f->n_changed++;
    tcache_stats.damaged++;
    vm_log(tcache, "tcache: %s: the block at 0x%" PRIx64 " is damaged: ignored\n", f->path,
           s->pc);
    return false;
}

static struct ent *lookup(const struct tfile *f, uint64_t pc, uint32_t flags)
{
    for (struct ent *e = f->table[slot_hash(pc, flags) >> (64 - TABLE_BITS)]; e; e = e->next)
        if (e->pc == pc && e->flags == flags && !e->dead)
            return e;
    return NULL;
}

/* Forgets f's block at (pc, flags), read or added: it is not saved. */
static void kill(struct tfile *f, uint64_t pc, uint32_t flags)
{
    struct ent *e = lookup(f, pc, flags);
    int64_t k;
    if (e) {
        e->dead = true;
        f->live_bytes -= e->rec->size;
    } else if ((k = file_lookup(f, pc, flags)) >= 0) {
        f->state[k] = SLOT_DEAD;
        f->live_bytes -= f->slots[k].size;
    }
}

static int insert(struct tfile *f, struct rec *r)
{
    if (f->n_ents == f->max_ents) {
        size_t n = f->max_ents ? 2 * f->max_ents : 1024;
        struct ent **p = realloc(f->ents, n * sizeof(*p));
        if (!p)
            return -ENOMEM;
        f->ents = p;
        f->max_ents = n;
    }
    struct ent *e = malloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    kill(f, r->pc, r->flags);
    *e = (struct ent){ .pc = r->pc, .flags = r->flags, .rec = r };
    unsigned h = (unsigned)(slot_hash(r->pc, r->flags) >> (64 - TABLE_BITS));
    e->next = f->table[h];
    f->table[h] = e;
    f->ents[f->n_ents++] = e;
    f->live_bytes += r->size;
    return 0;
}

/* The hash of the n bytes of the file open as fd. Mapped, not read: a program's megabytes are
 * hashed at every start, from the page cache without a copy. */
static int hash_fd(int fd, size_t n, uint64_t *h)
{
    void *p = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (p == MAP_FAILED)
        return -EIO;
    *h = tcache_hash(p, n, 0);
    if (p)
        munmap(p, n);
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
    if (*h)
        return 0;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    int err = fd < 0 || fstat(fd, &st) < 0 ? -errno : hash_fd(fd, (size_t)st.st_size, h);
    if (fd >= 0)
        close(fd);
    return err;
}

static void forget_file(struct tfile *f)
{
    if (f->map)
        munmap((void *)(uintptr_t)f->map, f->map_size);
    free(f->state);
    f->map = NULL;
    f->slots = NULL;
    f->state = NULL;
    f->map_size = 0;
    f->mask = 0;
    f->live_bytes = 0;
}

/* Maps f's file if it is there and its header and size are right; anything wrong with them
 * leaves f empty. The records are checked at their first use. The file is never changed in
 * place (tcache_save renames a new file over it), so the mapping stays true. */
static void load(struct tfile *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
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
              h->build == f->head.build && h->key == f->head.key &&
              !memcmp(h->host, f->head.host, sizeof(h->host)) &&
              !memcmp(h->guest, f->head.guest, sizeof(h->guest)) && h->file_size == size &&
              h->n_slots && !(h->n_slots & (h->n_slots - 1)) && h->n_records < h->n_slots &&
              (size - sizeof(*h)) / sizeof(struct slot) >= h->n_slots &&
              (f->state = calloc(h->n_slots, 1));
    if (!ok) {
        if (h)
            munmap(map, size);
        f->stale = true;
        tcache_stats.files_rejected++;
        vm_log(tcache, "tcache: %s: not a valid cache for this file and vm: ignored\n", f->path);
        return;
    }
    f->map = map;
    f->map_size = size;
    f->slots = (const struct slot *)(const void *)(f->map + sizeof(*h));
    f->mask = h->n_slots - 1;
    f->live_bytes = size - sizeof(*h) - (size_t)h->n_slots * sizeof(struct slot);
    f->head.env = h->env;
    f->n_file = h->n_records;
    tcache_stats.file_entries += h->n_records;
    tcache_stats.files_read++;
    vm_log(tcache, "tcache: %s: %" PRIu32 " blocks mapped\n", f->path, h->n_records);
    if (have_env && h->env != env_now) {   /* a library mapped after the first block */
        vm_log(tcache, "tcache: %s: made under another code generation environment: ignored\n",
               f->path);
        forget_file(f);
        f->head.env = env_now;
        f->stale = f->n_file > 0;
    }
}

/* A new cache file for code keyed by key (and vm's build and the ISAs), DIR/NAME-KEY.tc,
 * read if it is there; NULL without memory. */
static struct tfile *new_file(const char *name, uint64_t key)
{
    struct tfile *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    memcpy(f->head.magic, magic, sizeof(magic));
    f->head.version = TCACHE_VERSION;
    f->head.build = build;
    memcpy(f->head.host, host_name, sizeof(host_name));
    memcpy(f->head.guest, guest_name, sizeof(guest_name));
    f->head.key = key;
    f->head.env = env_now;
    const char *base = strrchr(name, '/');
    if (asprintf(&f->path, "%s/%.64s-%016" PRIx64 ".tc", cache_dir, base ? base + 1 : name,
                 key) < 0) {
        free(f);
        return NULL;
    }
    load(f);
    f->next = files;
    files = f;
    return f;
}

/* The key of a file's code: its identity and content, vm's build, the ISAs. */
static uint64_t file_key(const struct stat *st, uint64_t content, uint64_t seed)
{
    uint64_t id[] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
                      (uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec, content,
                      build, host_hash, guest_hash };
    return tcache_hash(id, sizeof(id), seed);
}

/* The cache file of the file open as fd (named path, or NULL), opened if need be; NULL if it
 * cannot be. */
static struct tfile *file_of_fd(int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
    for (struct tfile *f = files; f; f = f->next)
        if (f != other && f->dev == (uint64_t)st.st_dev && f->ino == (uint64_t)st.st_ino &&
            f->size == (uint64_t)st.st_size && f->mtime_ns == mtime)
            return f;
    char name[PATH_MAX], link[64];
    ssize_t n = -1;
    if (!path) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, name, sizeof(name) - 1);
        name[n > 0 ? n : 0] = 0;
        path = n > 0 ? name : "file";
    }
    uint64_t content;
    if (hash_fd(fd, (size_t)st.st_size, &content) < 0)
        return NULL;
    struct tfile *f = new_file(path, file_key(&st, content, 0));
    if (f) {
        f->dev = (uint64_t)st.st_dev;
        f->ino = (uint64_t)st.st_ino;
        f->size = (uint64_t)st.st_size;
        f->mtime_ns = mtime;
    }
    return f;
}

/* Room for one more region: false without memory. */
static bool region_room(void)
{
    if (n_regions < max_regions)
        return true;
    size_t n = max_regions ? 2 * max_regions : 16;
    struct region *p = realloc(regions, n * sizeof(*p));
    if (!p)
        return false;
    regions = p;
    max_regions = n;
    return true;
}

/* Takes [start, end) out of the regions (a loader maps a library's whole span with its code,
 * then its data over the end of it). */
static void cut_regions(uint64_t start, uint64_t end)
{
    size_t n = n_regions;
    for (size_t k = 0; k < n; k++) {
        struct region *g = &regions[k];
        if (g->end <= start || g->start >= end)
            continue;
        if (g->start < start && g->end > end && region_room()) {   /* split in two */
            g = &regions[k];
            regions[n_regions++] = (struct region){ end, g->end, g->f };
        }
        if (g->start < start)
            g->end = start;
        else
            g->start = end < g->end ? end : g->end;
    }
    size_t m = 0;
    for (size_t k = 0; k < n_regions; k++)
        if (regions[k].start < regions[k].end)
            regions[m++] = regions[k];
    n_regions = m;
}

void tcache_map(uint64_t addr, uint64_t len, int fd, const char *path)
{
    if (!tcache_on || !len)
        return;
    pthread_mutex_lock(&lock);
    cut_regions(addr, addr + len);
    struct tfile *f = fd >= 0 ? file_of_fd(fd, path) : NULL;
    if (f && region_room())
        regions[n_regions++] = (struct region){ addr, addr + len, f };
    pthread_mutex_unlock(&lock);
}

void tcache_unmap(uint64_t addr, uint64_t len)
{
    if (!tcache_on)
        return;
    pthread_mutex_lock(&lock);
    cut_regions(addr, addr + len);
    pthread_mutex_unlock(&lock);
}

/* The cache file of the code at pc: its mapped file's, else the program's other code's. */
static struct tfile *file_at(uint64_t pc)
{
    for (size_t k = 0; k < n_regions; k++)
        if (pc >= regions[k].start && pc < regions[k].end)
            return regions[k].f;
    return other;
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
    int err;
    if (!realpath(path, real) || stat(real, &st) < 0) {
        err = -errno;
        vm_error("--tcache: %s: %s", path, strerror(-err));
        return err;
    }
    if ((err = build_of(&build)) < 0) {
        vm_error("--tcache: cannot read vm itself: %s", strerror(-err));
        return err;
    }
    snprintf(host_name, sizeof(host_name), "%s", hb->name);
    snprintf(guest_name, sizeof(guest_name), "%s", guest);
    host_hash = tcache_hash(host_name, sizeof(host_name), 0);
    guest_hash = tcache_hash(guest_name, sizeof(guest_name), 0);
    if ((err = make_dirs(dir)) < 0) {
        vm_error("--tcache: %s: %s", dir, strerror(-err));
        return err;
    }
    if (!(cache_dir = strdup(dir)))
        return -ENOMEM;
    /* The program's code outside its mapped files: keyed by the program (its path, identity,
     * but not its content, which its own mapping's key has), so generated code at a fixed
     * address is found again by the next run of the same program. */
    char other_name[PATH_MAX + 8];
    snprintf(other_name, sizeof(other_name), "%s.other", real);
    if (!(other = new_file(other_name, tcache_hash(real, strlen(real), file_key(&st, 0, 1)))))
        return -ENOMEM;
    owner = getpid();
    atexit(save_at_exit);
    tcache_on = true;
    return 0;
}

void tcache_set_env(uint64_t env)
{
    pthread_mutex_lock(&lock);
    if (!have_env)
        for (struct tfile *f = files; f; f = f->next)
            if (env != f->head.env) {   /* the file's blocks were made for another */
                if (f->map)
                    vm_log(tcache, "tcache: %s: made under another code generation environment: ignored\n",
                           f->path);
                forget_file(f);
                f->head.env = env;
                f->stale = f->n_file > 0;
            }
    env_now = env;
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
    struct tfile *f = file_at(pc);
    struct ent *e = lookup(f, pc, flags);
    int64_t k = e ? -1 : file_lookup(f, pc, flags);
    struct rec *r = e ? e->rec : k >= 0 && slot_good(f, (uint32_t)k) ? slot_rec(f, (uint32_t)k) : NULL;
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
            kill(f, pc, flags);
            f->n_changed++;
            tcache_stats.stale++;
        }
    }
    pthread_mutex_unlock(&lock);
    return err;
}

void tcache_drop(uint64_t pc, uint32_t flags)
{
    pthread_mutex_lock(&lock);
    struct tfile *f = file_at(pc);
    if (lookup(f, pc, flags) || file_lookup(f, pc, flags) >= 0) {
        kill(f, pc, flags);
        f->n_changed++;
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
    struct tfile *f = file_at(b->pc);
    struct rec *r = NULL;
    if (f->live_bytes + size > TCACHE_MAX_BYTES || !(r = calloc(1, size)))
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
    if (insert(f, r) < 0)
        goto out;
    r = NULL;
    f->n_changed++;
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

/* Writes f if enough of it changed: 0 or -errno. */
static int save_file(struct tfile *f)
{
    int err = 0;
    uint8_t *out = NULL;
    char *tmp = NULL;
    /* Rewriting the whole file for a handful of blocks (a program's few blocks that differ
     * from run to run) would cost more than translating them again. */
    if (!f->stale && f->n_changed * 64 <= f->n_file)
        return 0;
    /* The file's blocks not known to be bad (those never used are copied unchecked, with
     * the hash they came with, and checked when used), then the added ones. */
    size_t size = 0;
    uint32_t n = 0;
    for (uint32_t k = 0; f->slots && k <= f->mask; k++)
        if (f->slots[k].size && f->state[k] != SLOT_DEAD && slot_rec(f, k))
            size += f->slots[k].size, n++;
    for (size_t k = 0; k < f->n_ents; k++)
        if (!f->ents[k]->dead)
            size += f->ents[k]->rec->size, n++;
    if (!n && !f->n_file)
        return 0;   /* no file, and none needed */
    uint32_t n_slots = 16;
    while (n_slots < n + n / 3 + 1)
        n_slots *= 2;
    size_t at = sizeof(struct file_head) + (size_t)n_slots * sizeof(struct slot);
    size += at;
    if (!(out = calloc(1, size)) || asprintf(&tmp, "%s.%d.tmp", f->path, (int)getpid()) < 0) {
        tmp = NULL;
        err = -ENOMEM;
        goto out;
    }
    struct slot *slots = (struct slot *)(void *)(out + sizeof(struct file_head));
    for (uint32_t k = 0; f->slots && k <= f->mask; k++)
        if (f->slots[k].size && f->state[k] != SLOT_DEAD && slot_rec(f, k))
            place(out, &at, slots, n_slots - 1, slot_rec(f, k), f->slots[k].size,
                  f->slots[k].hash);
    for (size_t k = 0; k < f->n_ents; k++)
        if (!f->ents[k]->dead)
            place(out, &at, slots, n_slots - 1, f->ents[k]->rec, f->ents[k]->rec->size,
                  tcache_hash(f->ents[k]->rec, f->ents[k]->rec->size, f->head.key));
    struct file_head *h = (struct file_head *)(void *)out;
    *h = f->head;
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
    if (close(fd) < 0 || !ok || rename(tmp, f->path) < 0) {
        err = -EIO;
        unlink(tmp);
        goto out;
    }
    f->stale = false;
    f->n_changed = 0;
    f->n_file = n;
    vm_log(tcache, "tcache: %s: %" PRIu32 " blocks written\n", f->path, n);
out:
    if (err < 0)
        vm_error("--tcache: cannot write %s: %s", f->path, strerror(-err));
    free(tmp);
    free(out);
    return err;
}

int tcache_save(void)
{
    if (!tcache_on || getpid() != owner)
        return 0;
    pthread_mutex_lock(&lock);
    int err = 0;
    for (struct tfile *f = files; f; f = f->next) {
        int e = save_file(f);
        err = err ? err : e;
    }
    pthread_mutex_unlock(&lock);
    return err;
}
