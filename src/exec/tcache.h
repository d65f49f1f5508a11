/* The persistent translation cache (--tcache=DIR): the JIT's finished host code for the
 * blocks of each mapped file (the program, its dynamic linker and libraries), saved on disk at
 * exit and reused by the next run of any program that maps the file, so that a warm start does
 * not translate again. In system mode nothing is mapped: every block goes to the file of the
 * kernel (or firmware) vm boot was given. Never trusted blindly: a file's cache is keyed by
 * the file's identity and content, vm's own build and the guest ISA; its header is checked
 * when it is mapped, and each block's record (its hash, its consistency) at the block's first
 * use; and a block is used only when the guest bytes it was translated from are, byte for
 * byte, the ones at its pc now and the code generation environment matches. Anything wrong is
 * ignored and translated as usual. */
#ifndef VM_EXEC_TCACHE_H
#define VM_EXEC_TCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"
#include "host/backend.h"

/* What an address field of cached code points at, saved as an offset from a base that is
 * the same for the same vm build in any run. */
enum tcache_base {
    TCACHE_TRAMP,   /* the JIT's trampolines, at the start of the code cache */
    TCACHE_IMAGE,   /* vm's own code (a C helper), from its first byte */
};

struct tcache_reloc {
    struct host_reloc r;
    uint8_t base;       /* enum tcache_base */
    int64_t offset;     /* of the target from its base */
};

/* One block as the JIT hands it over and gets it back. */
struct tcache_block {
    uint64_t pc, end_pc;
    uint16_t flags, n_insns;
    uint32_t code_size, n_map, n_wb, n_relocs;
    const uint8_t *code;
    const struct host_map *map;
    const struct host_wb *wb;
    const struct tcache_reloc *relocs;
};

struct tcache_stats {
    uint64_t loaded;    /* blocks taken from the cache instead of translated */
    uint64_t stale;     /* cached blocks whose guest bytes had changed, or that could not
                           be placed: translated instead */
    uint64_t added;     /* blocks translated and added to the cache */
    uint64_t damaged;   /* cached blocks whose record failed its checks at first use */
    uint64_t file_entries;   /* blocks in the files read */
    uint64_t files_read;     /* cache files read */
    uint64_t files_rejected; /* cache files there that failed their checks (and were ignored) */
};
extern struct tcache_stats tcache_stats;

/* True once tcache_open succeeded: the JIT offers and looks up blocks. */
extern bool tcache_on;

/* Opens the cache of the program at path (a guest of ISA guest) in dir, creating dir if
 * needed: the program's code outside mapped files goes to a file of the program's, each
 * mapped file's (tcache_map) to a file of that file's; each is read when it is first needed
 * if there is a valid one, and written at exit by this process. 0, or -errno (with a
 * message; the cache is then off). */
int tcache_open(const char *dir, const char *path, const char *guest);
/* The guest mapped [addr, addr + len), replacing whatever was there: with fd >= 0, code of
 * the file open as fd (named path, or NULL), whose blocks then go to, and come from, that
 * file's own cache; fd < 0 for anything else. A no-op while the cache is off. */
void tcache_map(uint64_t addr, uint64_t len, int fd, const char *path);
/* The guest unmapped [addr, addr + len). */
void tcache_unmap(uint64_t addr, uint64_t len);
/* env: a hash of everything else that code depends on (the JIT's struct host_env, the
 * trampolines' layout); cached blocks made under another are ignored and dropped. */
void tcache_set_env(uint64_t env);
/* The cached block at (pc, flags) if the guest bytes it was made from are those at pc now;
 * -ENOENT otherwise. The block's memory lives until exit. */
int tcache_find(struct cpu *cpu, uint64_t pc, uint32_t flags, struct tcache_block *out);
/* A cached block found could not be used after all (its code did not fit where it went). */
void tcache_drop(uint64_t pc, uint32_t flags);
/* Adds (or replaces) the block b, reading its guest bytes [pc, end_pc) from cpu. */
void tcache_add(struct cpu *cpu, const struct tcache_block *b);
/* Writes the cache now (at exit; also for tests): 0 or -errno. */
int tcache_save(void);

/* A 64-bit hash of n bytes (not cryptographic: it catches corruption, not malice). */
uint64_t tcache_hash(const void *p, size_t n, uint64_t seed);

#endif
