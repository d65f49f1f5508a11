/* Unit tests of the user-mode address space (mem/uspace.c): mapping, protection mirrored on
 * the host, unmapped pages staying reserved, top-down search, and the checked accessors
 * refusing anything outside mapped pages, including ranges whose end overflows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "mem/uspace.h"

#define PG USPACE_PAGE_SIZE
#define SPACE (1ull << 30)
#define ANON MAP_PRIVATE | MAP_ANONYMOUS, -1, 0

/* The host's permissions ("rw-p", "---p") of the mapping holding p, from /proc/self/maps;
 * "" if no mapping holds it (a hole). */
static const char *host_perms(const void *p)
{
    static char perms[8];
    char line[512];
    FILE *f = fopen("/proc/self/maps", "r");
    perms[0] = 0;
    while (f && fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char pr[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, pr) == 3 && (unsigned long)p >= lo &&
            (unsigned long)p < hi) {
            strcpy(perms, pr);
            break;
        }
    }
    if (f)
        fclose(f);
    return perms;
}

static void test_map_and_access(struct uspace *us)
{
    check_group("uspace_map_access");
    uint64_t a = 0x100000;
    CHECK_EQ(uspace_map(us, a, 2 * PG, PROT_READ | PROT_WRITE, ANON), 0);
    CHECK(uspace_access_ok(us, a, 2 * PG, USPACE_READ | USPACE_WRITE));
    CHECK(!uspace_access_ok(us, a, 2 * PG + 1, USPACE_READ));
    CHECK(!uspace_access_ok(us, a - 1, 2, USPACE_READ));
    CHECK(!uspace_access_ok(us, a, PG, USPACE_EXEC));
    CHECK(uspace_access_ok(us, 0, 0, USPACE_READ));
    CHECK(!uspace_access_ok(us, UINT64_MAX - 1, 4, USPACE_READ));
    CHECK(!uspace_access_ok(us, a, UINT64_MAX, USPACE_READ));
    CHECK(!uspace_access_ok(us, SPACE - 1, 2, USPACE_READ));
    CHECK_EQ(strcmp(host_perms(uspace_g2h(us, a)), "rw-p"), 0);

    char buf[16] = "hello, guest";
    CHECK_EQ(uspace_write(us, a + PG - 4, buf, sizeof(buf)), 0);
    char back[16] = { 0 };
    CHECK_EQ(uspace_read(us, a + PG - 4, back, sizeof(back)), 0);
    CHECK_EQ(memcmp(buf, back, sizeof(buf)), 0);
    CHECK_EQ(uspace_read(us, a + 2 * PG - 4, back, 8), -EFAULT);
    CHECK_EQ(uspace_write(us, UINT64_MAX - 3, buf, 8), -EFAULT);
    CHECK_EQ(uspace_fetch(us, a, back, 4), -EFAULT);

    CHECK_EQ(uspace_map(us, a + 1, PG, PROT_READ, ANON), -EINVAL);
    CHECK_EQ(uspace_map(us, SPACE, PG, PROT_READ, ANON), -EINVAL);
    CHECK_EQ(uspace_map(us, SPACE - PG, 2 * PG, PROT_READ, ANON),
             -EINVAL);
    CHECK_EQ(uspace_map(us, PG, UINT64_MAX - PG + 1, PROT_READ, ANON),
             -EINVAL);
}

static void test_protect_unmap(struct uspace *us)
{
    check_group("uspace_protect_unmap");
    uint64_t a = 0x200000;
    char b = 1;
    CHECK_EQ(uspace_map(us, a, 3 * PG, PROT_READ | PROT_EXEC, ANON), 0);
    CHECK_EQ(strcmp(host_perms(uspace_g2h(us, a)), "r--p"), 0);   /* never host PROT_EXEC */
    CHECK_EQ(uspace_fetch(us, a, &b, 1), 0);
    CHECK_EQ(uspace_write(us, a, &b, 1), -EFAULT);
    CHECK_EQ(uspace_protect(us, a + PG, PG, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(uspace_write(us, a + PG, &b, 1), 0);
    CHECK_EQ(uspace_fetch(us, a + PG, &b, 1), -EFAULT);
    CHECK_EQ(strcmp(host_perms(uspace_g2h(us, a + PG)), "rw-p"), 0);
    CHECK_EQ(uspace_protect(us, a + 2 * PG, 2 * PG, PROT_READ), -ENOMEM);
    CHECK_EQ(uspace_protect(us, a + 3, PG, PROT_READ), -EINVAL);

    CHECK_EQ(uspace_unmap(us, a + PG, PG), 0);
    CHECK(!uspace_access_ok(us, a + PG, 1, 0));
    CHECK(uspace_access_ok(us, a, 1, USPACE_READ));
    CHECK(uspace_access_ok(us, a + 2 * PG, 1, USPACE_READ));
    CHECK_EQ(strcmp(host_perms(uspace_g2h(us, a + PG)), "---p"), 0);   /* reserved, no hole */
    CHECK(uspace_is_free(us, a + PG, PG));
    CHECK(!uspace_is_free(us, a, 2 * PG));

    /* A remapped page comes back zeroed. */
    CHECK_EQ(uspace_map(us, a + PG, PG, PROT_READ | PROT_WRITE, ANON), 0);
    CHECK_EQ(*(char *)uspace_g2h(us, a + PG), 0);
    CHECK_EQ(uspace_unmap(us, a, 3 * PG), 0);
    CHECK(uspace_is_free(us, a, 3 * PG));
}

static void test_find_free(struct uspace *us)
{
    check_group("uspace_find_free");
    us->mmap_base = SPACE - 16 * PG;
    uint64_t a = uspace_find_free(us, 0, 3 * PG);
    CHECK_EQ(a, SPACE - 19 * PG);
    CHECK_EQ(uspace_map(us, a, 3 * PG, PROT_READ, ANON), 0);
    uint64_t b = uspace_find_free(us, 0, 100);
    CHECK_EQ(b, SPACE - 20 * PG);
    CHECK_EQ(uspace_find_free(us, 0x300000, PG), 0x300000);
    CHECK_EQ(uspace_find_free(us, a + PG, PG), SPACE - 20 * PG);   /* hint busy: top-down */
    /* A hole too small is skipped; a big run of mapped pages is skipped too. */
    uint64_t big = SPACE - 16 * PG - 200 * PG;
    CHECK_EQ(uspace_map(us, big, 180 * PG, PROT_READ, ANON), 0);
    CHECK_EQ(uspace_find_free(us, 0, 2 * PG), SPACE - 21 * PG);
    CHECK_EQ(uspace_find_free(us, 0, 20 * PG), big - 20 * PG);
    CHECK_EQ(uspace_find_free(us, 0, SPACE), 0);
    CHECK_EQ(uspace_find_free(us, 0, 0), 0);
    CHECK(uspace_find_free(us, 0, SPACE / 2) >= USPACE_MIN_ADDR);
    uspace_unmap(us, a, 3 * PG);
    uspace_unmap(us, big, 180 * PG);
}

static void test_strnlen(struct uspace *us)
{
    check_group("uspace_strnlen");
    uint64_t a = 0x400000;
    CHECK_EQ(uspace_map(us, a, PG, PROT_READ | PROT_WRITE, ANON), 0);
    CHECK_EQ(uspace_write(us, a, "abc", 4), 0);
    CHECK_EQ(uspace_strnlen(us, a, 100), 3);
    CHECK_EQ(uspace_strnlen(us, a, 2), 2);
    memset(uspace_g2h(us, a + PG - 8), 'x', 8);
    CHECK_EQ(uspace_strnlen(us, a + PG - 8, 100), -EFAULT);   /* runs into an unmapped page */
    CHECK_EQ(uspace_strnlen(us, a + PG - 8, 8), 8);
    CHECK_EQ(uspace_strnlen(us, a + PG, 1), -EFAULT);
    CHECK_EQ(uspace_strnlen(us, UINT64_MAX, 10), -EFAULT);
    uspace_unmap(us, a, PG);
}

static void test_file_map(struct uspace *us)
{
    check_group("uspace_file_map");
    FILE *f = tmpfile();
    char data[PG];
    memset(data, 'f', sizeof(data));
    fwrite(data, 1, sizeof(data), f);
    fflush(f);
    uint64_t a = 0x500000;
    CHECK_EQ(uspace_map(us, a, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fileno(f), 0), 0);
    CHECK_EQ(*(char *)uspace_g2h(us, a + 100), 'f');
    CHECK_EQ(uspace_map(us, a, PG, PROT_READ, MAP_PRIVATE, 999, 0), -EBADF);
    fclose(f);
    uspace_unmap(us, a, PG);
}

int main(void)
{
    struct uspace us;
    check_group("uspace_init");
    CHECK_EQ(uspace_init(&us, 12345, 0), -EINVAL);
    CHECK_EQ(uspace_init(&us, SPACE, 0), 0);
    CHECK_EQ(us.limit, SPACE);
    CHECK_EQ(strcmp(host_perms(us.base), "---p"), 0);
    test_map_and_access(&us);
    test_protect_unmap(&us);
    test_find_free(&us);
    test_strnlen(&us);
    test_file_map(&us);
    uspace_destroy(&us);
    return check_done();
}
