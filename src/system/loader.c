/* Loading images into guest RAM (system/loader.h). An ELF file is read whole and every header,
 * segment and symbol is checked against it before use; a flat image is checked by its
 * header and size, then read straight into RAM. A malformed image is an error before
 * anything runs, never a crash. */
#include "system/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/elf.h"

#define KERNEL_MAX (1ull << 30)
/* The RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst). */
#define IMAGE_HEADER_SIZE 64
#define IMAGE_SIZE_AT 16           /* u64: bytes the kernel occupies from its load address */
#define IMAGE_MAGIC2_AT 56
#define IMAGE_MAGIC2 "RSC\x05"

/* Reads len bytes at offset off of fd into buf: 0, or a negative errno (-EIO when the file
 * ends first). */
static int read_at(int fd, uint8_t *buf, uint64_t len, uint64_t off)
{
    for (uint64_t got = 0; got < len;) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        got += (uint64_t)n;
    }
    return 0;
}

/* Opens path, a regular file of at most KERNEL_MAX bytes: its descriptor, or a negative
 * errno (-EINVAL: not a regular file). */
static int open_image(const char *path, uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) < 0)
        err = -errno;
    else if (!S_ISREG(st.st_mode))
        err = -EINVAL;
    else if ((uint64_t)st.st_size > KERNEL_MAX)
        err = -EFBIG;
    if (err) {
        close(fd);
        return err;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

/* tohost and fromhost from the symbol table, if there is one. */
static const char *find_htif_symbols(const uint8_t *f, uint64_t size, struct loaded_image *k)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (eh->e_shoff == 0 || eh->e_shnum == 0)
        return NULL;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
        (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shoff % 8)
        return "section headers outside the file";
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (unsigned s = 0; s < eh->e_shnum; s++) {
        if (sh[s].sh_type != SHT_SYMTAB)
            continue;
        if (sh[s].sh_link >= eh->e_shnum)
            return "symbol table without a string table";
        const Elf64_Shdr *str = &sh[sh[s].sh_link];
        if (sh[s].sh_offset > size || sh[s].sh_size > size - sh[s].sh_offset ||
            sh[s].sh_offset % 8 || str->sh_offset > size || str->sh_size > size - str->sh_offset)
            return "symbol table outside the file";
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[s].sh_offset);
        const char *names = (const char *)f + str->sh_offset;
        for (uint64_t i = 0; i < sh[s].sh_size / sizeof(Elf64_Sym); i++) {
            uint64_t at = sym[i].st_name;
            if (at >= str->sh_size)
                continue;
            if (strnlen(names + at, str->sh_size - at) == str->sh_size - at)
                continue;   /* not terminated inside the table */
            if (!strcmp(names + at, "tohost"))
                k->tohost = sym[i].st_value;
            else if (!strcmp(names + at, "fromhost"))
                k->fromhost = sym[i].st_value;
        }
    }
    return NULL;
}

static const char *load_elf(const uint8_t *f, uint64_t size, const struct guest_ram *ram,
                            uint16_t machine, struct loaded_image *k)
{
    const char *why = elf_check_header(f, size, size);
    if (why)
        return why;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (eh->e_machine != machine)
        return "not an ELF file for this machine's ISA";
    if (eh->e_phoff % 8)
        return "misaligned program headers";
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    bool loaded = false;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        /* The segments are copied, not mapped: unlike a program's, their file offsets need
         * not match their addresses modulo the page size (OpenSBI's ELF firmware's do not). */
        if (ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset)
            return "segment outside the file";
        if (ph[i].p_filesz > ph[i].p_memsz)
            return "segment file size larger than its memory size";
        uint64_t pa = ph[i].p_paddr;
        if (pa < ram->base || pa - ram->base > ram->size ||
            ph[i].p_memsz > ram->size - (pa - ram->base))
            return "a segment lies outside RAM";
        memcpy(ram->host + (pa - ram->base), f + ph[i].p_offset, ph[i].p_filesz);
        memset(ram->host + (pa - ram->base) + ph[i].p_filesz, 0,
               ph[i].p_memsz - ph[i].p_filesz);
        if (!loaded || pa < k->start)
            k->start = pa;
        if (!loaded || pa + ph[i].p_memsz > k->end)
            k->end = pa + ph[i].p_memsz;
        loaded = true;
    }
    if (!loaded)
        return "no loadable segment";
    k->entry = eh->e_entry;
    return find_htif_symbols(f, size, k);
}

/* A raw file or a Linux Image of size bytes, whose first bytes are head, at addr: it must
 * fit in RAM with the memory an Image says it occupies beyond its file. A payload without
 * the Image header (U-Boot's u-boot.bin) is taken as raw, as a firmware would run whatever
 * it is given. The file is read straight into RAM once this holds. */
static const char *place_flat(const uint8_t *head, uint64_t size, const struct guest_ram *ram,
                              enum loader_kind kind, uint64_t addr, struct loaded_image *k)
{
    uint64_t span = size;
    bool image = size >= IMAGE_HEADER_SIZE && !memcmp(head + IMAGE_MAGIC2_AT, IMAGE_MAGIC2, 4);
    if (kind == LOAD_LINUX_IMAGE && !image)
        return "not an ELF file or a RISC-V Linux Image";
    if (image && kind != LOAD_RAW) {
        uint64_t image_size;
        memcpy(&image_size, head + IMAGE_SIZE_AT, 8);
        if (image_size > span)
            span = image_size;
    }
    if (size == 0)
        return "empty file";
    if (addr < ram->base || addr - ram->base > ram->size || span > ram->size - (addr - ram->base))
        return "does not fit in RAM";
    k->entry = k->start = addr;
    k->end = addr + span;
    return NULL;
}

int loader_load(const char *path, const struct guest_ram *ram, uint16_t machine,
                enum loader_kind kind, uint64_t addr, struct loaded_image *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t size = 0;
    uint8_t head[IMAGE_HEADER_SIZE];
    uint8_t *f = NULL;
    const char *why = NULL;
    int fd = open_image(path, &size);
    int err = fd < 0 ? fd : read_at(fd, head, size < sizeof(head) ? size : sizeof(head), 0);
    if (!err && size >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG)) {
        if (!(f = malloc(size)))
            err = -ENOMEM;
        else if (!(err = read_at(fd, f, size, 0)))
            why = load_elf(f, size, ram, machine, out);
        free(f);
    } else if (!err && !(why = place_flat(head, size, ram, kind, addr, out))) {
        /* RAM is mapped on demand: one call maps the pages the read fills (a 4 MB kernel's
         * thousand) rather than a fault each; a kernel without it just faults. */
        uint8_t *at = ram->host + (addr - ram->base);
        uintptr_t page = (uintptr_t)at & ~(uintptr_t)4095;
        madvise((void *)page, (uintptr_t)at + size - page, MADV_POPULATE_WRITE);
        err = read_at(fd, at, size, 0);
    }
    if (fd >= 0)
        close(fd);
    if (err) {
        vm_error("%s: %s", path, err == -EINVAL ? "not a regular file" : strerror(-err));
        return -1;
    }
    if (why) {
        vm_error("%s: %s", path, why);
        return -1;
    }
    return 0;
}
