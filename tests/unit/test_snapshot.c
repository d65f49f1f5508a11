/* Unit tests of snapshot files (service/snapshot.c) on a fake machine: two parts and 1 MiB of
 * RAM saved and loaded back (RAM pages zero and not, the parts' states); a part without
 * save refuses the snapshot and leaves no file; a part whose bytes it refuses, a machine
 * with other configuration, and a flipped byte anywhere in the file fail the load with
 * nothing of the machine changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/machine.h"
#include "service/snapshot.h"

#define RAM_SIZE (1u << 20)

static uint64_t part_value[2];
static uint8_t *ram;
static bool with_unsaveable;
static const char *config = "machine=fake\nmemory=1048576\n";
static unsigned loaded_calls;

static int part_save(void *opaque, struct state_writer *w)
{
    state_put_u64(w, *(uint64_t *)opaque);
    return 0;
}

/* Values above 100 are refused. */
static int part_load(void *opaque, struct state_reader *r, bool commit)
{
    uint64_t v = state_get_u64(r);
    state_check(r, v <= 100);
    int err = state_reader_done(r);
    if (!err && commit)
        *(uint64_t *)opaque = v;
    return err;
}

static int describe(struct machine *m, struct machine_image *img)
{
    snprintf(img->config, sizeof(img->config), "%s", config);
    img->ram = ram;
    img->ram_size = RAM_SIZE;
    img->n_parts = 0;
    for (int k = 0; k < 2; k++) {
        struct machine_part *p = &img->parts[img->n_parts++];
        snprintf(p->name, sizeof(p->name), "part%d", k);
        p->save = part_save;
        p->load = part_load;
        p->opaque = &part_value[k];
    }
    if (with_unsaveable) {
        struct machine_part *p = &img->parts[img->n_parts++];
        snprintf(p->name, sizeof(p->name), "gadget@0x1000");
        p->save = NULL;
        p->load = part_load;
        p->opaque = NULL;
    }
    return 0;
}

static void loaded(struct machine *m)
{
    loaded_calls++;
}

static uint8_t *file_bytes(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0)
        return NULL;
    uint8_t *b = malloc((size_t)st.st_size);
    *size = fread(b, 1, (size_t)st.st_size, f);
    fclose(f);
    return b;
}

static void put_file(const char *path, const uint8_t *b, size_t size)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, size, f);
    fclose(f);
}

int main(void)
{
    check_group("snapshot_round_trip");
    char dir[] = "/tmp/vm-test-snapshot-XXXXXX", path[128], tmp[160], why[512];
    CHECK(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s.snap", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static struct machine m;
    machine_init(&m, "fake");
    m.describe = describe;
    m.loaded = loaded;
    part_value[0] = 7;
    part_value[1] = 99;
    for (unsigned k = 0; k < 4096; k++)
        ram[5 * 4096 + k] = (uint8_t)(k * 7 + 1);
    ram[RAM_SIZE - 1] = 0xee;
    uint64_t bytes = 0;
    CHECK_EQ(snapshot_save(&m, path, &bytes, why, sizeof(why)), 0);
    size_t size = 0;
    uint8_t *good = file_bytes(path, &size);
    CHECK(good && size == bytes);
    CHECK(size < 16384);                     /* the zero pages cost next to nothing */
    CHECK_EQ(access(tmp, F_OK), -1);
    part_value[0] = part_value[1] = 1;
    memset(ram, 0x33, RAM_SIZE);
    CHECK_EQ(snapshot_load(&m, path, why, sizeof(why)), 0);
    CHECK_EQ(part_value[0], 7);
    CHECK_EQ(part_value[1], 99);
    CHECK_EQ(ram[5 * 4096 + 100], (uint8_t)(100 * 7 + 1));
    CHECK_EQ(ram[0], 0);
    CHECK_EQ(ram[6 * 4096], 0);
    CHECK_EQ(ram[RAM_SIZE - 1], 0xee);
    CHECK_EQ(loaded_calls, 1);

    check_group("snapshot_unsaveable");
    with_unsaveable = true;
    char other[128];
    snprintf(other, sizeof(other), "%s/other.snap", dir);
    CHECK_EQ(snapshot_save(&m, other, &bytes, why, sizeof(why)), -1);
    CHECK(!strcmp(why, "the device gadget@0x1000 cannot be saved (it has no snapshot support), "
                       "so the machine cannot"));
    CHECK_EQ(access(other, F_OK), -1);
    snprintf(tmp, sizeof(tmp), "%s.tmp", other);
    CHECK_EQ(access(tmp, F_OK), -1);
    with_unsaveable = false;

    check_group("snapshot_load_refused");
    /* Every byte flipped in turn (a sample of them): refused, nothing changed. */
    memset(ram, 0x44, RAM_SIZE);
    part_value[0] = part_value[1] = 2;
    unsigned refused = 0, tried = 0;
    for (size_t at = 0; at < size; at += at < 400 ? 1 : 97) {
        uint8_t *bad = malloc(size);
        memcpy(bad, good, size);
        bad[at] ^= 0x10;
        put_file(other, bad, size);
        free(bad);
        tried++;
        refused += snapshot_load(&m, other, why, sizeof(why)) == -1;
    }
    CHECK_EQ(refused, tried);
    for (size_t cut = 0; cut < size; cut += cut < 200 ? 1 : 101) {
        put_file(other, good, cut);
        CHECK_EQ(snapshot_load(&m, other, why, sizeof(why)), -1);
    }
    CHECK_EQ(ram[5 * 4096], 0x44);
    CHECK_EQ(ram[0], 0x44);
    CHECK_EQ(part_value[0], 2);
    CHECK_EQ(loaded_calls, 1);
    /* A part that refuses its bytes. */
    part_value[1] = 200;
    CHECK_EQ(snapshot_save(&m, other, &bytes, why, sizeof(why)), 0);
    part_value[1] = 2;
    CHECK_EQ(snapshot_load(&m, other, why, sizeof(why)), -1);
    CHECK(!strcmp(why, "its section part1 does not hold a state this machine's part1 can take"));
    CHECK_EQ(ram[0], 0x44);
    CHECK_EQ(part_value[0], 2);
    /* Another machine. */
    config = "machine=fake\nmemory=2097152\n";
    CHECK_EQ(snapshot_load(&m, path, why, sizeof(why)), -1);
    CHECK(!strcmp(why, "the snapshot is of another machine (memory=1048576 in the snapshot, "
                       "memory=2097152 here)"));
    CHECK_EQ(ram[0], 0x44);
    free(good);
    unlink(path);
    unlink(other);
    rmdir(dir);
    return check_done();
}
