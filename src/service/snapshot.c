/* Snapshots (service/snapshot.h; docs/snapshot.md is the file format). The board describes
 * the machine (core/machine.h's machine_image): its configuration lines, its RAM and its
 * parts, each of which saves and loads its own state (core/state.h). Saving writes the
 * header and the parts' sections, then streams RAM through zstd into its section (the
 * section's header is written last, once its length and CRC are known), all into PATH.tmp,
 * renamed over PATH at the end. Loading maps the file and checks everything (magic,
 * version, header CRC, configuration, every section's bounds and CRC, each part's bytes,
 * RAM decompressed into fresh memory) before it commits: RAM is swapped in with one mremap,
 * which cannot half-happen, and the parts then take their state. libzstd is loaded with
 * dlopen at the first snapshot, not linked: every start of vm would pay to map and relocate
 * it (the KVM microVM's start, which issue 16 times, among them). */
#include "service/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/dynlib.h"
#include "core/state.h"
#include "service/events.h"

#define HEADER_SIZE 28             /* magic 8, version, config length, sections, flags, CRC */
#define HEADER_CRC_AT 24
#define SECTION_NAME 48
#define SECTION_HEADER 64          /* name 48, length 8, encoding 4, CRC 4 */
#define SECTION_CRC_AT 60
#define PAGE 4096u
#define RAM_SECTION "ram"
#define ZSTD_LEVEL 3

enum { ENCODING_RAW = 0, ENCODING_RAM_ZSTD = 1 };

/* Debian's libzstd1: the soname's major is the header's ZSTD_VERSION_MAJOR. */
#define ZSTD_SONAME "libzstd.so.1"

#define ZSTD_FUNCTIONS(X)                                                                   \
    X(createCCtx) X(freeCCtx) X(CCtx_setParameter) X(CCtx_setPledgedSrcSize)                \
    X(compressStream2) X(isError) X(createDCtx) X(freeDCtx) X(decompressStream)

static struct {
#define MEMBER(name) __typeof__(ZSTD_##name) *name;
    ZSTD_FUNCTIONS(MEMBER)
#undef MEMBER
} zstd;
static const struct dynlib_sym zstd_syms[] = {
#define SYM(name) { "ZSTD_" #name, (void **)&zstd.name },
    ZSTD_FUNCTIONS(SYM)
#undef SYM
};
static struct dynlib zstd_lib = DYNLIB(ZSTD_SONAME, zstd_syms);

static int fail(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> 8 * k);
}

static void le64(uint8_t *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> 8 * k);
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The section header for a payload whose CRC-32 is payload_crc: the CRC goes on over the
 * header's own first 60 bytes, so a changed name, length or encoding shows too. */
static void section_header(uint8_t h[SECTION_HEADER], const char *name, uint64_t length,
                           uint32_t encoding, uint32_t payload_crc)
{
    memset(h, 0, SECTION_HEADER);
    memcpy(h, name, strnlen(name, SECTION_NAME - 1));
    le64(h + SECTION_NAME, length);
    le32(h + SECTION_NAME + 8, encoding);
    le32(h + SECTION_CRC_AT, state_crc32(payload_crc, h, SECTION_CRC_AT));
}

/* ---- saving ---- */

struct out {
    int fd;
    int err;                       /* the first write's errno, or 0 */
    uint64_t offset;
};

static void put(struct out *o, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n && !o->err) {
        ssize_t k = write(o->fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            o->err = k < 0 ? errno : ENOSPC;
            return;
        }
        b += k;
        n -= (size_t)k;
        o->offset += (uint64_t)k;
    }
}

static void put_section(struct out *o, const char *name, const void *p, size_t n)
{
    uint8_t h[SECTION_HEADER];
    section_header(h, name, n, ENCODING_RAW, state_crc32(0, p, n));
    put(o, h, sizeof(h));
    put(o, p, n);
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    for (unsigned k = 0; k < PAGE / 8; k++)
        if (w[k])
            return false;
    return true;
}

/* Feeds [src, src + n) to the compressor (mode ZSTD_e_end: and finishes the frame), writing
 * what comes out and adding it to *crc and *length. 0 or -1. */
static int compress_more(ZSTD_CCtx *cx, struct out *o, const void *src, size_t n,
                         ZSTD_EndDirective mode, uint32_t *crc, uint64_t *length)
{
    static uint8_t buf[1 << 17];
    ZSTD_inBuffer in = { src, n, 0 };
    for (;;) {
        ZSTD_outBuffer out = { buf, sizeof(buf), 0 };
        size_t left = zstd.compressStream2(cx, &out, &in, mode);
        if (zstd.isError(left))
            return -1;
        put(o, buf, out.pos);
        *crc = state_crc32(*crc, buf, out.pos);
        *length += out.pos;
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return o->err ? -1 : 0;
    }
}

/* RAM as one zstd frame of a bitmap of the pages that are not all zero (bit p % 8 of byte
 * p / 8 for page p) followed by those pages in order. */
static int put_ram(struct out *o, const uint8_t *ram, uint64_t size, char *why, size_t why_size)
{
    uint64_t pages = size / PAGE, nonzero = 0;
    size_t bitmap_size = (size_t)((pages + 7) / 8);
    uint8_t *bitmap = calloc(bitmap_size ? bitmap_size : 1, 1);
    ZSTD_CCtx *cx = zstd.createCCtx();
    if (!bitmap || !cx) {
        free(bitmap);
        zstd.freeCCtx(cx);
        return fail(why, why_size, "out of memory");
    }
    for (uint64_t p = 0; p < pages; p++)
        if (!page_is_zero(ram + p * PAGE)) {
            bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
            nonzero++;
        }
    uint64_t header_at = o->offset, length = 0;
    uint32_t crc = 0;
    uint8_t h[SECTION_HEADER] = { 0 };
    put(o, h, sizeof(h));          /* written again once the length and CRC are known */
    zstd.CCtx_setParameter(cx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    zstd.CCtx_setParameter(cx, ZSTD_c_checksumFlag, 1);
    zstd.CCtx_setPledgedSrcSize(cx, bitmap_size + nonzero * PAGE);
    int err = compress_more(cx, o, bitmap, bitmap_size, ZSTD_e_continue, &crc, &length);
    /* Runs of pages that are not zero, each in one call. */
    for (uint64_t p = 0; !err && p < pages;) {
        if (!(bitmap[p / 8] >> (p % 8) & 1)) {
            p++;
            continue;
        }
        uint64_t q = p;
        while (q < pages && (bitmap[q / 8] >> (q % 8) & 1))
            q++;
        err = compress_more(cx, o, ram + p * PAGE, (size_t)((q - p) * PAGE), ZSTD_e_continue,
                            &crc, &length);
        p = q;
    }
    if (!err)
        err = compress_more(cx, o, NULL, 0, ZSTD_e_end, &crc, &length);
    free(bitmap);
    zstd.freeCCtx(cx);
    if (err)
        return fail(why, why_size, "%s", o->err ? strerror(o->err) : "zstd cannot compress RAM");
    section_header(h, RAM_SECTION, length, ENCODING_RAM_ZSTD, crc);
    if (pwrite(o->fd, h, sizeof(h), (off_t)header_at) != (ssize_t)sizeof(h))
        return fail(why, why_size, "%s", strerror(errno));
    return 0;
}

static void header(uint8_t h[HEADER_SIZE], const char *config, uint32_t sections)
{
    memcpy(h, SNAPSHOT_MAGIC, 8);
    le32(h + 8, SNAPSHOT_VERSION);
    le32(h + 12, (uint32_t)strlen(config));
    le32(h + 16, sections);
    le32(h + 20, 0);
    le32(h + HEADER_CRC_AT, state_crc32(state_crc32(0, h, HEADER_CRC_AT), config, strlen(config)));
}

/* The parts' states, taken before the file is made: a part that cannot be saved fails the
 * snapshot before anything is written. */
static int save_parts(const struct machine_image *img, struct state_writer *w, char *why,
                      size_t why_size)
{
    for (unsigned k = 0; k < img->n_parts; k++)
        if (!img->parts[k].save)
            return fail(why, why_size, "the device %s cannot be saved (%s), so the machine "
                        "cannot", img->parts[k].name,
                        img->parts[k].unsaved ? img->parts[k].unsaved
                                              : "it has no snapshot support");
    for (unsigned k = 0; k < img->n_parts; k++) {
        int err = img->parts[k].save(img->parts[k].opaque, &w[k]);
        if (err || w[k].failed)
            return fail(why, why_size, "%s: %s", img->parts[k].name,
                        strerror(err ? -err : ENOMEM));
    }
    return 0;
}

/* libzstd, loaded: 0, or -1 with why. */
static int zstd_ready(char *why, size_t why_size)
{
    const char *error = dynlib_open(&zstd_lib);
    return error ? fail(why, why_size, "cannot load libzstd: %s", error) : 0;
}

int snapshot_save(struct machine *m, const char *path, uint64_t *bytes, char *why,
                  size_t why_size)
{
    if (!m->describe)
        return fail(why, why_size, "this machine has no snapshots");
    if (zstd_ready(why, why_size) < 0)
        return -1;
    static struct machine_image img;
    int err = m->describe(m, &img);
    if (err)
        return fail(why, why_size, "cannot describe the machine: %s", strerror(-err));
    struct state_writer *w = calloc(img.n_parts ? img.n_parts : 1, sizeof(*w));
    if (!w)
        return fail(why, why_size, "out of memory");
    char tmp[4096];
    int status = save_parts(&img, w, why, why_size);
    if (!status && snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        status = fail(why, why_size, "%s", strerror(ENAMETOOLONG));
    struct out o = { .fd = -1 };
    if (!status && (o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        status = fail(why, why_size, "%s", strerror(errno));
    if (!status) {
        uint8_t h[HEADER_SIZE];
        header(h, img.config, img.n_parts + 1);
        put(&o, h, sizeof(h));
        put(&o, img.config, strlen(img.config));
        for (unsigned k = 0; k < img.n_parts; k++)
            put_section(&o, img.parts[k].name, w[k].buf, w[k].len);
        if (o.err)
            status = fail(why, why_size, "%s", strerror(o.err));
        else
            status = put_ram(&o, img.ram, img.ram_size, why, why_size);
        if (close(o.fd) < 0 && !status)
            status = fail(why, why_size, "%s", strerror(errno));
        if (!status && rename(tmp, path) < 0)
            status = fail(why, why_size, "%s", strerror(errno));
        if (status)
            unlink(tmp);
    }
    for (unsigned k = 0; k < img.n_parts; k++)
        state_writer_free(&w[k]);
    free(w);
    if (status)
        return status;
    *bytes = o.offset;
    events_snapshot("save", path);
    return 0;
}

/* ---- loading ---- */

struct section {
    const uint8_t *payload;
    uint64_t length;
    uint32_t encoding;
};

/* The line of text starting at p, for a message. */
static int line_length(const char *p)
{
    const char *nl = strchr(p, '\n');
    return (int)(nl ? nl - p : (ptrdiff_t)strlen(p));
}

/* The first configuration line that differs, in a message. */
static int other_machine(const char *theirs, size_t their_len, const char *ours, char *why,
                         size_t why_size)
{
    char *t = strndup(theirs, their_len);
    if (!t)
        return fail(why, why_size, "out of memory");
    const char *a = t, *b = ours;
    while (*a && *b && line_length(a) == line_length(b) && !memcmp(a, b, (size_t)line_length(a))) {
        a += line_length(a) + (a[line_length(a)] == '\n');
        b += line_length(b) + (b[line_length(b)] == '\n');
    }
    fail(why, why_size, "the snapshot is of another machine (%.*s in the snapshot, %.*s here)",
         *a ? line_length(a) : 6, *a ? a : "(none)", *b ? line_length(b) : 6, *b ? b : "(none)");
    free(t);
    return -1;
}

/* A zstd frame being read: last is what the last call returned (0: the frame ended). */
struct frame {
    ZSTD_DCtx *dx;
    ZSTD_inBuffer in;
    size_t last;
};

/* Fills [p, p + n) from the frame: false if it ends, is malformed or runs out first. */
static bool fill(struct frame *f, void *p, size_t n)
{
    ZSTD_outBuffer out = { p, n, 0 };
    while (out.pos < out.size) {
        size_t in_before = f->in.pos, out_before = out.pos;
        f->last = zstd.decompressStream(f->dx, &out, &f->in);
        if (zstd.isError(f->last) || (f->last == 0 && out.pos < out.size) ||
            (f->in.pos == in_before && out.pos == out_before))
            return false;
    }
    return true;
}

/* The frame ends here (its checksum checked) and the section with it. */
static bool frame_ends(struct frame *f)
{
    while (f->last != 0) {
        uint8_t extra;
        ZSTD_outBuffer out = { &extra, 1, 0 };
        size_t in_before = f->in.pos;
        f->last = zstd.decompressStream(f->dx, &out, &f->in);
        if (zstd.isError(f->last) || out.pos || (f->last && f->in.pos == in_before))
            return false;
    }
    return f->in.pos == f->in.size;
}

/* Decompresses the RAM section into fresh memory of the machine's RAM size, mapped as the
 * machine's RAM is: *ram. 0, or -1 with why. */
static int decompress_ram(const struct section *s, uint64_t size, uint8_t **ram, char *why,
                          size_t why_size)
{
    uint64_t pages = size / PAGE;
    size_t bitmap_size = (size_t)((pages + 7) / 8);
    if (s->encoding != ENCODING_RAM_ZSTD)
        return fail(why, why_size, "the ram section has an unknown encoding %" PRIu32,
                    s->encoding);
    uint8_t *bitmap = malloc(bitmap_size);
    uint8_t *fresh = mmap(NULL, size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    struct frame f = { zstd.createDCtx(), { s->payload, s->length, 0 }, 1 };
    const char *bad = NULL;
    if (!bitmap || fresh == MAP_FAILED || !f.dx)
        bad = "out of memory";
    else if (!fill(&f, bitmap, bitmap_size))
        bad = "the ram section is malformed (its page map is cut short)";
    for (uint64_t p = pages; !bad && p < bitmap_size * 8; p++)
        if (bitmap[p / 8] >> (p % 8) & 1)
            bad = "the ram section is malformed (a page past the end of RAM)";
    for (uint64_t p = 0; !bad && p < pages; p++)
        if ((bitmap[p / 8] >> (p % 8) & 1) && !fill(&f, fresh + p * PAGE, PAGE))
            bad = "the ram section is malformed (its pages are cut short)";
    if (!bad && !frame_ends(&f))
        bad = "the ram section is malformed (more data than RAM holds)";
    free(bitmap);
    zstd.freeDCtx(f.dx);
    if (bad) {
        if (fresh != MAP_FAILED)
            munmap(fresh, size);
        return fail(why, why_size, "%s", bad);
    }
    *ram = fresh;
    return 0;
}

/* Checks the file [p, p + size) against the machine img describes: sec[k] is then part k's
 * section and sec[img->n_parts] the RAM's. 0, or -1 with why. */
static int check_file(const uint8_t *p, uint64_t size, const struct machine_image *img,
                      struct section *sec, char *why, size_t why_size)
{
    if (size < 8 || memcmp(p, SNAPSHOT_MAGIC, 8))
        return fail(why, why_size, "not a vm snapshot");
    if (size < HEADER_SIZE)
        return fail(why, why_size, "truncated (its header is cut short)");
    uint32_t version = get32(p + 8), config_len = get32(p + 12), n = get32(p + 16);
    if (version != SNAPSHOT_VERSION)
        return fail(why, why_size, "version %" PRIu32 " of the snapshot format, and this vm "
                    "reads version %d", version, SNAPSHOT_VERSION);
    if (config_len > size - HEADER_SIZE)
        return fail(why, why_size, "truncated (its header is cut short)");
    if (get32(p + HEADER_CRC_AT) !=
        state_crc32(state_crc32(0, p, HEADER_CRC_AT), p + HEADER_SIZE, config_len))
        return fail(why, why_size, "corrupted (the header's CRC does not match)");
    if (get32(p + 20))
        return fail(why, why_size, "corrupted (unknown flags in the header)");
    const char *config = (const char *)p + HEADER_SIZE;
    if (config_len != strlen(img->config) || memcmp(config, img->config, config_len))
        return other_machine(config, config_len, img->config, why, why_size);
    bool seen[MACHINE_PARTS_MAX + 1] = { false };
    uint64_t pos = HEADER_SIZE + (uint64_t)config_len;
    for (uint32_t k = 0; k < n; k++) {
        if (size - pos < SECTION_HEADER)
            return fail(why, why_size, "truncated (it ends after %" PRIu32 " of its %" PRIu32
                        " sections)", k, n);
        const uint8_t *h = p + pos;
        char name[SECTION_NAME];
        memcpy(name, h, SECTION_NAME);
        name[SECTION_NAME - 1] = 0;
        uint64_t length = get64(h + SECTION_NAME);
        if (length > size - pos - SECTION_HEADER)
            return fail(why, why_size, "truncated (its section %s is cut short)", name);
        const uint8_t *payload = h + SECTION_HEADER;
        if (get32(h + SECTION_CRC_AT) !=
            state_crc32(state_crc32(0, payload, length), h, SECTION_CRC_AT))
            return fail(why, why_size, "corrupted (the CRC of its section %s does not match)",
                        name);
        unsigned at = img->n_parts;
        if (strcmp(name, RAM_SECTION))
            for (at = 0; at < img->n_parts && strcmp(img->parts[at].name, name); at++)
                ;
        if (at == img->n_parts && strcmp(name, RAM_SECTION))
            return fail(why, why_size, "its section %s names nothing in this machine", name);
        if (seen[at])
            return fail(why, why_size, "corrupted (its section %s is there twice)", name);
        seen[at] = true;
        sec[at] = (struct section){ payload, length, get32(h + SECTION_NAME + 8) };
        if (at < img->n_parts && sec[at].encoding != ENCODING_RAW)
            return fail(why, why_size, "its section %s has an unknown encoding", name);
        pos += SECTION_HEADER + length;
    }
    if (pos != size)
        return fail(why, why_size, "corrupted (%" PRIu64 " bytes after its last section)",
                    size - pos);
    for (unsigned k = 0; k <= img->n_parts; k++)
        if (!seen[k])
            return fail(why, why_size, "its section %s is missing",
                        k < img->n_parts ? img->parts[k].name : RAM_SECTION);
    return 0;
}

/* Each part checks its bytes (nothing changes yet). */
static int check_parts(const struct machine_image *img, const struct section *sec, char *why,
                       size_t why_size)
{
    for (unsigned k = 0; k < img->n_parts; k++) {
        struct state_reader r;
        state_reader_init(&r, sec[k].payload, sec[k].length);
        if (!img->parts[k].load || img->parts[k].load(img->parts[k].opaque, &r, false))
            return fail(why, why_size, "its section %s does not hold a state this machine's %s "
                        "can take", img->parts[k].name, img->parts[k].name);
    }
    return 0;
}

int snapshot_load(struct machine *m, const char *path, char *why, size_t why_size)
{
    if (!m->describe)
        return fail(why, why_size, "this machine has no snapshots");
    if (zstd_ready(why, why_size) < 0)
        return -1;
    static struct machine_image img;
    static struct section sec[MACHINE_PARTS_MAX + 1];
    int err = m->describe(m, &img);
    if (err)
        return fail(why, why_size, "cannot describe the machine: %s", strerror(-err));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fail(why, why_size, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 8) {
        close(fd);
        return fail(why, why_size, "not a vm snapshot");
    }
    uint64_t size = (uint64_t)st.st_size;
    const uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return fail(why, why_size, "%s", strerror(errno));
    uint8_t *fresh = NULL;
    int status = check_file(p, size, &img, sec, why, why_size);
    if (!status)
        status = check_parts(&img, sec, why, why_size);
    if (!status)
        status = decompress_ram(&sec[img.n_parts], img.ram_size, &fresh, why, why_size);
    /* Everything is good: RAM in one step that either happens or does not, then the parts,
     * whose loads cannot fail now. */
    if (!status && mremap(fresh, img.ram_size, img.ram_size, MREMAP_MAYMOVE | MREMAP_FIXED,
                          img.ram) == MAP_FAILED) {
        status = fail(why, why_size, "cannot replace RAM: %s", strerror(errno));
        munmap(fresh, img.ram_size);
    }
    for (unsigned k = 0; !status && k < img.n_parts; k++) {
        struct state_reader r;
        state_reader_init(&r, sec[k].payload, sec[k].length);
        img.parts[k].load(img.parts[k].opaque, &r, true);
    }
    munmap((void *)p, size);
    if (status)
        return status;
    if (m->loaded)
        m->loaded(m);
    events_snapshot("load", path);
    return 0;
}
