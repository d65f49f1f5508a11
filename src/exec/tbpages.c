/* Translated-code pages (see tbpages.h): an open-addressing hash table of guest page -> number
 * of blocks on it. A range with more pages than the table has slots is answered by walking
 * the table instead, so a munmap of gigabytes costs no more than the table. Its own lock:
 * blocks are added while other CPUs run and ask. */
#include "exec/tbpages.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"

#define PAGE 4096ull
#define EMPTY UINT64_MAX   /* the key of a free slot: no guest page has this number */

struct slot {
    uint64_t page;
    uint64_t blocks;   /* 0: a tombstone, kept so lookups go on past it */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *table;
static size_t table_size, table_used;   /* slots, and slots that are not EMPTY */

static size_t hash(uint64_t page)
{
    return (size_t)(page * 0x9E3779B97F4A7C15ull >> 20) & (table_size - 1);
}

static struct slot *find(uint64_t page)
{
    if (!table)
        return NULL;
    for (size_t i = hash(page);; i = (i + 1) & (table_size - 1)) {
        if (table[i].page == EMPTY)
            return NULL;
        if (table[i].page == page)
            return &table[i];
    }
}

static struct slot *insert(uint64_t page)
{
    size_t i = hash(page);
    while (table[i].page != EMPTY && table[i].page != page)
        i = (i + 1) & (table_size - 1);
    if (table[i].page == EMPTY) {
        table[i].page = page;
        table_used++;
    }
    return &table[i];
}

/* Room for one more page: the table grows (dropping tombstones) when half full. */
static void make_room(void)
{
    if (2 * (table_used + 1) <= table_size)
        return;
    size_t live = 0;
    for (size_t i = 0; i < table_size; i++)
        live += table[i].page != EMPTY && table[i].blocks;
    size_t n = table_size ? table_size : 1024;
    while (4 * (live + 1) > n)
        n *= 2;
    struct slot *old = table, *t = malloc(n * sizeof(*t));
    size_t old_size = table_size;
    if (!t) {
        vm_error("translation: out of memory");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        t[i] = (struct slot){ EMPTY, 0 };
    table = t;
    table_size = n;
    table_used = 0;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].page != EMPTY && old[i].blocks)
            insert(old[i].page)->blocks = old[i].blocks;
    free(old);
}

void tbpages_add(uint64_t start, uint64_t end)
{
    pthread_mutex_lock(&lock);
    for (uint64_t page = start / PAGE; page <= (end - 1) / PAGE; page++) {
        make_room();
        insert(page)->blocks++;
    }
    pthread_mutex_unlock(&lock);
}

void tbpages_remove(uint64_t start, uint64_t end)
{
    pthread_mutex_lock(&lock);
    for (uint64_t page = start / PAGE; page <= (end - 1) / PAGE; page++) {
        struct slot *s = find(page);
        if (s && s->blocks)
            s->blocks--;
    }
    pthread_mutex_unlock(&lock);
}

void tbpages_clear(void)
{
    pthread_mutex_lock(&lock);
    free(table);
    table = NULL;
    table_size = table_used = 0;
    pthread_mutex_unlock(&lock);
}

bool tbpages_any(uint64_t start, uint64_t end)
{
    if (end <= start)
        return false;
    uint64_t first = start / PAGE, last = (end - 1) / PAGE;
    bool any = false;
    pthread_mutex_lock(&lock);
    if (last - first >= table_size) {
        for (size_t i = 0; i < table_size && !any; i++)
            any = table[i].page != EMPTY && table[i].blocks && table[i].page >= first &&
                  table[i].page <= last;
    } else {
        for (uint64_t page = first; page <= last && !any; page++) {
            struct slot *s = find(page);
            any = s && s->blocks;
        }
    }
    pthread_mutex_unlock(&lock);
    return any;
}

void tbpages_fork_child(void)
{
    static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    lock = fresh;
}
