/* perf's JIT map (service/perfmap.h): one line per block committed to the code cache, written
 * with one write() on an O_APPEND file while the JIT holds its lock, so lines never mix. A
 * block moved to the old space by a collection gets a new line at its new address; perf takes
 * the newest line for an address reused after a collection. */
#include "service/perfmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "exec/codegc.h"
#include "exec/tb.h"
#include "service/symbols.h"

static int map_fd = -1;
static char map_path[64];
static struct symbols syms;
static struct machine_observer observer;

static void write_line(const void *code, size_t size, const struct tb *tb)
{
    char line[320];
    int n;
    const struct symbol *s = tb ? symbols_find(&syms, tb->pc) : NULL;
    if (!tb)
        n = snprintf(line, sizeof(line), "%" PRIxPTR " %zx [vm] trampolines\n",
                     (uintptr_t)code, size);
    else if (s && tb->pc == s->addr)
        n = snprintf(line, sizeof(line), "%" PRIxPTR " %zx %.256s\n", (uintptr_t)code, size,
                     s->name);
    else if (s)
        n = snprintf(line, sizeof(line), "%" PRIxPTR " %zx %.256s+0x%" PRIx64 "\n",
                     (uintptr_t)code, size, s->name, tb->pc - s->addr);
    else
        n = snprintf(line, sizeof(line), "%" PRIxPTR " %zx 0x%" PRIx64 "\n", (uintptr_t)code,
                     size, tb->pc);
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    /* A failed write loses one line of a profiling aid; the guest runs on. */
    if (write(map_fd, line, (size_t)n) < 0)
        return;
}

/* The guest's symbols exist once its image is in place (its load bias known). */
static void machine_changed(struct machine *m, enum machine_state old, void *opaque)
{
    if (m->state == MACHINE_RUNNING && old == MACHINE_CREATED &&
        symbols_load(&syms, m->name, m->load_bias) < 0)
        fprintf(stderr, "vm: warning: --perf-map: %s: no symbols read; blocks are named by pc\n",
                m->name);
}

static int open_map(void)
{
    snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
    map_fd = open(map_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    return map_fd < 0 ? -errno : 0;
}

/* The child runs its copy of the parent's code cache: its map starts as the parent's. */
static void child_after_fork(void)
{
    char parent_path[sizeof(map_path)];
    memcpy(parent_path, map_path, sizeof(map_path));
    close(map_fd);
    if (open_map() < 0)
        return;
    int in = open(parent_path, O_RDONLY | O_CLOEXEC);
    char buf[8192];
    ssize_t n;
    while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(map_fd, buf, (size_t)n) != n)
            break;
    if (in >= 0)
        close(in);
}

int perfmap_start(struct machine *m)
{
    int err = open_map();
    if (err < 0) {
        vm_error("--perf-map: %s: %s", map_path, strerror(-err));
        return err;
    }
    observer.changed = machine_changed;
    machine_observe(m, &observer);
    pthread_atfork(NULL, NULL, child_after_fork);
    codegc_observer = write_line;
    return 0;
}
