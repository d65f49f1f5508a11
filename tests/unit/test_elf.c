/* Unit tests of the ELF side of user mode: header and program-header checks against hostile
 * files (linux/elf.c), loading ET_EXEC, ET_DYN and a PT_INTERP interpreter from a sysroot into
 * a guest space with bss zeroing (linux/load.c), and the initial stack's layout (linux/stack.c).
 * The ELF files are built here, so the test needs no cross compiler. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "linux/load.h"

#define PG USPACE_PAGE_SIZE

static uint64_t fake_hwcap(void)
{
    return 0x112d;
}

static const struct guest_linux_ops fake_linux = {
    .elf_machine = EM_RISCV, .hwcap = fake_hwcap, .platform = "fakeplat",
};

/* A two-segment image: text (R+X) with the headers and 16 bytes of 0xaa at 0x100, data (R+W)
 * with 16 bytes of 0xbb at file offset 0x1000 followed in the file by 0xcc bytes that must
 * not show in the bss, which runs to 0x3000 past the data's start. */
struct image {
    unsigned char bytes[0x1100];
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph;
};

static void image_build(struct image *im, uint16_t type, uint64_t base, const char *interp)
{
    memset(im->bytes, 0, sizeof(im->bytes));
    im->eh = (Elf64_Ehdr *)im->bytes;
    im->ph = (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr));
    Elf64_Ehdr *eh = im->eh;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = type;
    eh->e_machine = EM_RISCV;
    eh->e_version = EV_CURRENT;
    eh->e_entry = base + 0x100;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = interp ? 3 : 2;
    im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                              .p_vaddr = base, .p_filesz = 0x110, .p_memsz = 0x110,
                              .p_align = PG };
    im->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1000,
                              .p_vaddr = base + 0x2000, .p_filesz = 0x10, .p_memsz = 0x3000,
                              .p_align = PG };
    memset(im->bytes + 0x100, 0xaa, 16);
    memset(im->bytes + 0x1000, 0xbb, 16);
    memset(im->bytes + 0x1010, 0xcc, 0xf0);
    if (interp) {
        strcpy((char *)im->bytes + 0x200, interp);
        im->ph[2] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R, .p_offset = 0x200,
                                  .p_filesz = strlen(interp) + 1 };
    }
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static char tmpdir[] = "/tmp/vm-test-elf-XXXXXX";

static void test_header_checks(void)
{
    check_group("elf_check_header");
    struct image im;
    image_build(&im, ET_EXEC, 0x10000, NULL);
    uint64_t size = sizeof(im.bytes);
    CHECK(elf_check_header(im.bytes, sizeof(Elf64_Ehdr), size) == NULL);
    CHECK(!strcmp(elf_check_header("#!/bin/sh", 9, 9), "not an ELF file"));
    CHECK(!strcmp(elf_check_header(im.bytes, 3, 3), "not an ELF file"));
    CHECK(!strcmp(elf_check_header(im.bytes, 5, 5), "truncated ELF header"));
    CHECK(!strcmp(elf_check_header(im.bytes, 40, 40), "truncated ELF header"));
    CHECK(!strcmp(elf_check_header(im.bytes, sizeof(Elf64_Ehdr), 40), "truncated ELF header"));
    im.eh->e_ident[EI_CLASS] = ELFCLASS32;
    CHECK(!strcmp(elf_check_header(im.bytes, 64, size), "not a 64-bit ELF file"));
    im.eh->e_ident[EI_CLASS] = ELFCLASS64;
    im.eh->e_ident[EI_DATA] = ELFDATA2MSB;
    CHECK(!strcmp(elf_check_header(im.bytes, 64, size), "not a little-endian ELF file"));
    im.eh->e_ident[EI_DATA] = ELFDATA2LSB;
    im.eh->e_phoff = size - 10;
    CHECK(!strcmp(elf_check_header(im.bytes, 64, size), "program header outside the file"));
    im.eh->e_phoff = UINT64_MAX - 8;
    CHECK(!strcmp(elf_check_header(im.bytes, 64, size), "program header outside the file"));
    im.eh->e_phoff = sizeof(Elf64_Ehdr);
    im.eh->e_phnum = 0xffff;
    CHECK(elf_check_header(im.bytes, 64, size) != NULL);
    im.eh->e_phnum = 2;
    im.eh->e_type = ET_REL;
    CHECK(elf_check_header(im.bytes, 64, size) != NULL);
}

static void test_phdr_checks(void)
{
    check_group("elf_check_phdrs");
    struct image im;
    image_build(&im, ET_EXEC, 0x10000, "/lib/ld.so");
    uint64_t size = sizeof(im.bytes);
    CHECK(elf_check_phdrs(im.eh, im.ph, size) == NULL);
    im.ph[1].p_offset = size - 8;
    CHECK(!strcmp(elf_check_phdrs(im.eh, im.ph, size), "segment outside the file"));
    im.ph[1].p_offset = UINT64_MAX - 4;
    CHECK(!strcmp(elf_check_phdrs(im.eh, im.ph, size), "segment outside the file"));
    im.ph[1].p_offset = 0x1000;
    im.ph[1].p_filesz = 0x4000;
    CHECK(elf_check_phdrs(im.eh, im.ph, 0x10000) != NULL);   /* filesz > memsz */
    im.ph[1].p_filesz = 0x10;
    im.ph[1].p_vaddr = UINT64_MAX - 0x1000 + 1;
    CHECK(elf_check_phdrs(im.eh, im.ph, size) != NULL);      /* address range wraps */
    im.ph[1].p_vaddr = 0x12000;
    im.ph[2].p_filesz = 100000;
    CHECK(elf_check_phdrs(im.eh, im.ph, size) != NULL);      /* interpreter outside the file */
    im.ph[2].p_filesz = 11;
    im.ph[0].p_type = im.ph[1].p_type = PT_NOTE;
    CHECK(!strcmp(elf_check_phdrs(im.eh, im.ph, size), "no loadable segment"));
}

static void test_open(void)
{
    check_group("elf_open");
    struct elf_file ef;
    const char *why;
    char path[256];
    CHECK_EQ(elf_open(&ef, "/nonexistent/prog", &why), -ENOENT);
    CHECK_EQ(elf_open(&ef, tmpdir, &why), -EISDIR);
    snprintf(path, sizeof(path), "%s/script", tmpdir);
    write_file(path, "#!/bin/sh\necho hi\n", 18);
    CHECK_EQ(elf_open(&ef, path, &why), -ENOEXEC);
    CHECK(why && !strcmp(why, "not an ELF file"));
    struct image im;
    image_build(&im, ET_EXEC, 0x10000, "/lib/ld.so");
    snprintf(path, sizeof(path), "%s/prog", tmpdir);
    write_file(path, im.bytes, sizeof(im.bytes));
    CHECK_EQ(elf_open(&ef, path, &why), 0);
    CHECK(!strcmp(ef.interp, "/lib/ld.so"));
    elf_close(&ef);
    im.bytes[0x200 + 10] = 'x';     /* interpreter path without its NUL */
    write_file(path, im.bytes, sizeof(im.bytes));
    CHECK_EQ(elf_open(&ef, path, &why), -ENOEXEC);
    CHECK(why && !strcmp(why, "bad interpreter path"));
    write_file(path, im.bytes, 100);   /* cut inside the program headers */
    CHECK_EQ(elf_open(&ef, path, &why), -ENOEXEC);
    CHECK(why && !strcmp(why, "program header outside the file"));
}

static int proc_new(struct linux_proc *proc)
{
    memset(proc, 0, sizeof(*proc));
    proc->guest_linux = &fake_linux;
    proc->sysroot = tmpdir;
    proc->stack_size = GUEST_STACK_SIZE;
    return uspace_init(&proc->us, GUEST_SPACE_SIZE, 0);
}

static int load(struct linux_proc *proc, const struct image *im, struct load_info *li)
{
    char path[256];
    struct elf_file ef;
    const char *why;
    snprintf(path, sizeof(path), "%s/prog", tmpdir);
    write_file(path, im->bytes, sizeof(im->bytes));
    if (elf_open(&ef, path, &why) < 0)
        return -1;
    int err = load_program(proc, &ef, path, li);
    elf_close(&ef);
    return err;
}

/* load() for a case that must fail: its "vm: ..." line is expected, so it is not shown. */
static int load_failing(struct linux_proc *proc, const struct image *im, struct load_info *li)
{
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    int err = load(proc, im, li);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(null);
    return err;
}

/* The image's bytes as the guest sees them once loaded at base. */
static void check_loaded(struct linux_proc *proc, uint64_t base)
{
    struct uspace *us = &proc->us;
    uint8_t b[16];
    CHECK_EQ(uspace_fetch(us, base + 0x100, b, 16), 0);
    CHECK_EQ(b[0], 0xaa);
    CHECK_EQ(b[15], 0xaa);
    CHECK(!uspace_access_ok(us, base, 1, USPACE_WRITE));
    CHECK_EQ(uspace_read(us, base + 0x2000, b, 16), 0);
    CHECK_EQ(b[0], 0xbb);
    CHECK_EQ(b[15], 0xbb);
    uint8_t zero[PG], page[PG];
    memset(zero, 0, sizeof(zero));
    CHECK_EQ(uspace_read(us, base + 0x2010, page, PG - 0x10), 0);
    CHECK_EQ(memcmp(page, zero, PG - 0x10), 0);          /* the 0xcc bytes are gone */
    CHECK(uspace_access_ok(us, base + 0x3000, 2 * PG, USPACE_READ | USPACE_WRITE));
    CHECK(!uspace_access_ok(us, base + 0x5000, 1, 0));
    CHECK_EQ(uspace_read(us, base + 0x4ff0, page, 16), 0);
    CHECK_EQ(memcmp(page, zero, 16), 0);
    CHECK_EQ(proc->us.brk_start, base + 0x5000);
    CHECK_EQ(proc->us.brk_cur, base + 0x5000);
}

static void test_load_exec(void)
{
    check_group("load_et_exec");
    struct linux_proc proc;
    struct load_info li;
    struct image im;
    CHECK_EQ(proc_new(&proc), 0);
    image_build(&im, ET_EXEC, 0x10000, NULL);
    CHECK_EQ(load(&proc, &im, &li), 0);
    check_loaded(&proc, 0x10000);
    CHECK_EQ(li.entry, 0x10100);
    CHECK_EQ(li.prog_entry, 0x10100);
    CHECK_EQ(li.phdr, 0x10000 + sizeof(Elf64_Ehdr));
    CHECK_EQ(li.phnum, 2);
    CHECK_EQ(li.interp_base, 0);
    uspace_destroy(&proc.us);

    CHECK_EQ(proc_new(&proc), 0);
    image_build(&im, ET_EXEC, GUEST_SPACE_SIZE - 0x2000, NULL);
    CHECK_EQ(load_failing(&proc, &im, &li), -ENOEXEC);   /* runs past the top of the space */
    uspace_destroy(&proc.us);
}

static void test_load_dyn(void)
{
    check_group("load_et_dyn");
    struct linux_proc proc;
    struct load_info li;
    struct image im;
    uint64_t base = (GUEST_SPACE_SIZE / 3 * 2) & ~(PG - 1);
    CHECK_EQ(proc_new(&proc), 0);
    image_build(&im, ET_DYN, 0, NULL);
    CHECK_EQ(load(&proc, &im, &li), 0);
    check_loaded(&proc, base);
    CHECK_EQ(li.entry, base + 0x100);
    CHECK_EQ(li.phdr, base + sizeof(Elf64_Ehdr));
    uspace_destroy(&proc.us);
}

static void test_load_interp(void)
{
    check_group("load_interp");
    struct linux_proc proc;
    struct load_info li;
    struct image im, ld;
    char path[256];
    CHECK_EQ(proc_new(&proc), 0);
    image_build(&im, ET_EXEC, 0x10000, "/lib/vm-test-ld.so");
    CHECK_EQ(load_failing(&proc, &im, &li), -ENOENT);    /* not in the sysroot yet */
    uspace_destroy(&proc.us);

    snprintf(path, sizeof(path), "%s/lib", tmpdir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/lib/vm-test-ld.so", tmpdir);
    image_build(&ld, ET_DYN, 0, NULL);
    ld.eh->e_entry = 0x104;
    write_file(path, ld.bytes, sizeof(ld.bytes));
    chmod(path, 0644);
    CHECK_EQ(proc_new(&proc), 0);
    CHECK_EQ(load_failing(&proc, &im, &li), -EACCES);   /* an interpreter must be executable */
    uspace_destroy(&proc.us);
    chmod(path, 0755);
    CHECK_EQ(proc_new(&proc), 0);
    CHECK_EQ(load(&proc, &im, &li), 0);
    check_loaded(&proc, 0x10000);
    CHECK(li.interp_base >= USPACE_MIN_ADDR);
    CHECK(li.interp_base + 0x5000 <= proc.us.mmap_base);
    CHECK_EQ(li.interp_base & (PG - 1), 0);
    CHECK_EQ(li.entry, li.interp_base + 0x104);
    CHECK_EQ(li.prog_entry, 0x10100);
    uint8_t b;
    CHECK_EQ(uspace_read(&proc.us, li.interp_base + 0x2000, &b, 1), 0);
    CHECK_EQ(b, 0xbb);

    check_group("stack_build");
    char *argv[] = { "prog", "arg1", NULL };
    char *envp[] = { "A=1", "PADDING=" "0123456789012345678901234567890123456789"
                     "01234567890123456789012345678901234567890123456789012345678901234567890"
                     "01234567890123456789012345678901234567890123456789012345678901234567890"
                     "01234567890123456789012345678901234567890123456789012345678901234567890"
                     "01234567890123456789012345678901234567890123456789012345678901234567890"
                     "01234567890123456789012345678901234567890123456789012345678901234567890",
                     NULL };
    uint64_t sp, v[64];
    char s[16];
    CHECK_EQ(stack_build(&proc, &li, argv, envp, "./prog", &sp), 0);
    CHECK_EQ(sp & 15, 0);
    CHECK(sp < GUEST_SPACE_SIZE && sp > GUEST_SPACE_SIZE - GUEST_STACK_SIZE);
    CHECK(GUEST_SPACE_SIZE - sp >= sizeof(v));   /* the strings take more than v */
    CHECK_EQ(uspace_read(&proc.us, sp, v, sizeof(v)), 0);
    CHECK_EQ(v[0], 2);
    CHECK_EQ(uspace_read(&proc.us, v[1], s, 5), 0);
    CHECK(!strcmp(s, "prog"));
    CHECK_EQ(uspace_read(&proc.us, v[2], s, 5), 0);
    CHECK(!strcmp(s, "arg1"));
    CHECK_EQ(v[3], 0);
    CHECK_EQ(uspace_read(&proc.us, v[4], s, 4), 0);
    CHECK(!strcmp(s, "A=1"));
    CHECK_EQ(v[6], 0);
    uint64_t seen = 0, phdr = 0, entry = 0, base = 0, hwcap = 0;
    uint64_t random = 0, platform = 0, execfn = 0;
    unsigned i;
    for (i = 7; i + 1 < 64 && v[i] != AT_NULL; i += 2) {
        seen |= 1ull << v[i];
        uint64_t val = v[i + 1];
        switch (v[i]) {
        case AT_PHDR: phdr = val; break;
        case AT_ENTRY: entry = val; break;
        case AT_BASE: base = val; break;
        case AT_HWCAP: hwcap = val; break;
        case AT_RANDOM: random = val; break;
        case AT_PLATFORM: platform = val; break;
        case AT_EXECFN: execfn = val; break;
        case AT_PAGESZ: CHECK_EQ(val, PG); break;
        case AT_PHNUM: CHECK_EQ(val, 3); break;
        case AT_PHENT: CHECK_EQ(val, sizeof(Elf64_Phdr)); break;
        }
    }
    CHECK(i + 1 < 64);   /* AT_NULL found */
    CHECK_EQ(phdr, 0x10040);
    CHECK_EQ(entry, 0x10100);
    CHECK_EQ(base, li.interp_base);
    CHECK_EQ(hwcap, 0x112d);
    CHECK(uspace_access_ok(&proc.us, random, 16, USPACE_READ));
    CHECK(random > sp);
    CHECK_EQ(uspace_read(&proc.us, platform, s, 9), 0);
    CHECK(!strcmp(s, "fakeplat"));
    CHECK_EQ(uspace_read(&proc.us, execfn, s, 7), 0);
    CHECK(!strcmp(s, "./prog"));
    uint64_t want = (1ull << AT_UID) | (1ull << AT_EUID) | (1ull << AT_GID) | (1ull << AT_EGID) |
                    (1ull << AT_SECURE) | (1ull << AT_CLKTCK) | (1ull << AT_FLAGS);
    CHECK_EQ(seen & want, want);
    uspace_destroy(&proc.us);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_header_checks();
    test_phdr_checks();
    test_open();
    test_load_exec();
    test_load_dyn();
    test_load_interp();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_done();
}
