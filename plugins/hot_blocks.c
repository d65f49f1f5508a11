/* Example plugin: counts how often each translated block starts and prints the hottest ones
 * when the guest exits, one line each, hottest first: "PC COUNT INSNS DISASSEMBLY-OF-FIRST"
 * (top=N lines, default 10; to stderr, or to the file named by out=FILE). Blocks are kept by
 * their guest pc, so a block translated again (after a code-cache collection, or with fewer
 * instructions) adds to the same line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vm/plugin.h>

VM_PLUGIN_DEFINE_VERSION;

#define BUCKETS 65536

struct block {
    uint64_t pc, count;
    size_t n_insns;
    char first[64];          /* its first instruction, disassembled */
    struct block *next;
};

static const struct vm_plugin_api *api;
/* Written by translation callbacks only, which vm makes one at a time. */
static struct block *table[BUCKETS];
static size_t n_blocks;
static const char *out_path;
static long top = 10;

static void block_ran(unsigned vcpu, void *udata)
{
    __atomic_fetch_add(&((struct block *)udata)->count, 1, __ATOMIC_RELAXED);
}

static void tb_trans(struct vm_tb *tb, void *udata)
{
    uint64_t pc = api->tb_pc(tb);
    struct block **slot = &table[(pc >> 1) % BUCKETS], *b;
    for (b = *slot; b && b->pc != pc; b = b->next)
        ;
    if (!b) {
        if (!(b = calloc(1, sizeof(*b))))
            return;
        b->pc = pc;
        b->next = *slot;
        *slot = b;
        n_blocks++;
    }
    b->n_insns = api->tb_n_insns(tb);
    if (b->n_insns && api->insn_disas(api->tb_insn(tb, 0), b->first, sizeof(b->first)) < 0)
        strcpy(b->first, "?");
    api->tb_exec(tb, block_ran, b);
}

static int hotter(const void *x, const void *y)
{
    const struct block *a = *(struct block *const *)x, *b = *(struct block *const *)y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return a->pc < b->pc ? -1 : a->pc > b->pc;
}

static void guest_exit(int status, void *udata)
{
    struct block **all = calloc(n_blocks ? n_blocks : 1, sizeof(*all));
    size_t n = 0;
    if (!all)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct block *b = table[i]; b; b = b->next)
            all[n++] = b;
    qsort(all, n, sizeof(*all), hotter);
    FILE *f = out_path ? fopen(out_path, "w") : stderr;
    if (!f) {
        perror(out_path);
        return;
    }
    for (size_t i = 0; i < n && (long)i < top; i++)
        fprintf(f, "0x%" PRIx64 " %" PRIu64 " %zu %s\n", all[i]->pc,
                __atomic_load_n(&all[i]->count, __ATOMIC_RELAXED), all[i]->n_insns, all[i]->first);
    if (f != stderr)
        fclose(f);
    free(all);
}

int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *vm,
                      const struct vm_plugin_info *info)
{
    api = vm;
    for (int i = 0; i < info->argc; i++) {
        char *end;
        if (!strncmp(info->argv[i], "out=", 4)) {
            out_path = info->argv[i] + 4;
        } else if (!strncmp(info->argv[i], "top=", 4) &&
                   (top = strtol(info->argv[i] + 4, &end, 10)) > 0 && !*end) {
            continue;
        } else {
            fprintf(stderr, "hot_blocks: bad argument '%s' (it takes top=N, out=FILE)\n",
                    info->argv[i]);
            return -1;
        }
    }
    api->on_tb_trans(self, tb_trans, NULL);
    api->on_exit(self, guest_exit, NULL);
    return 0;
}
