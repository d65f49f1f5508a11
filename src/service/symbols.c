/* ELF symbol tables for naming guest code (service/symbols.h). The file is mapped read-only
 * and every section, symbol and name is checked against its size before use, so a malformed
 * file gives an error, never a crash; the names are copied so the mapping can go. */
#include "service/symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/elf.h"

/* Functions and labels (bare-metal assembly has NOTYPE ones) in code sections; not the
 * mapping symbols ($x, $d) or local labels (.L) that assemblers leave, nor section or file
 * symbols, nor labels such as _end that mark where data ends. */
static bool names_code(const Elf64_Sym *sym, const char *name, const Elf64_Shdr *sh,
                       unsigned shnum)
{
    unsigned type = ELF64_ST_TYPE(sym->st_info);
    return (type == STT_FUNC || type == STT_NOTYPE) && sym->st_shndx != SHN_UNDEF &&
           sym->st_shndx < shnum && (sh[sym->st_shndx].sh_flags & SHF_EXECINSTR) &&
           name[0] && name[0] != '$' && strncmp(name, ".L", 2);
}

static int by_addr(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    /* At one address, a label before a function, so the lookup finds the function. */
    return (x->end > y->end) - (x->end < y->end);
}

static int load_table(struct symbols *s, const uint8_t *f, uint64_t size, uint64_t bias)
{
    if (elf_check_header(f, size, size))
        return -ENOEXEC;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (eh->e_shoff == 0 || eh->e_shnum == 0)
        return 0;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size || eh->e_shoff % 8 ||
        (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
        return -ENOEXEC;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
    for (unsigned t = 0; t < eh->e_shnum; t++) {
        if (sh[t].sh_type != SHT_SYMTAB)
            continue;
        if (sh[t].sh_link >= eh->e_shnum)
            return -ENOEXEC;
        const Elf64_Shdr *str = &sh[sh[t].sh_link];
        if (sh[t].sh_offset > size || sh[t].sh_size > size - sh[t].sh_offset ||
            sh[t].sh_offset % 8 || str->sh_offset > size || str->sh_size > size - str->sh_offset)
            return -ENOEXEC;
        const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[t].sh_offset);
        uint64_t count = sh[t].sh_size / sizeof(Elf64_Sym);
        s->v = calloc(count ? count : 1, sizeof(*s->v));
        s->names = malloc(str->sh_size ? str->sh_size : 1);
        if (!s->v || !s->names)
            return -ENOMEM;
        memcpy(s->names, f + str->sh_offset, str->sh_size);
        for (uint64_t i = 0; i < count; i++) {
            uint64_t at = sym[i].st_name;
            if (at >= str->sh_size || !memchr(s->names + at, 0, str->sh_size - at))
                continue;   /* a name not terminated inside the table */
            if (!names_code(&sym[i], s->names + at, sh, eh->e_shnum))
                continue;
            const Elf64_Shdr *in = &sh[sym[i].st_shndx];
            uint64_t end = sym[i].st_size ? sym[i].st_value + sym[i].st_size
                                          : in->sh_addr + in->sh_size;
            s->v[s->n++] = (struct symbol){ sym[i].st_value + bias, end + bias, s->names + at };
        }
        qsort(s->v, s->n, sizeof(*s->v), by_addr);
        return 0;   /* an executable has one symbol table */
    }
    return 0;
}

int symbols_load(struct symbols *s, const char *path, uint64_t bias)
{
    memset(s, 0, sizeof(*s));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return -ENOEXEC;
    }
    void *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED)
        return -errno;
    int err = load_table(s, f, (uint64_t)st.st_size, bias);
    munmap(f, (size_t)st.st_size);
    if (err < 0)
        symbols_free(s);
    return err;
}

void symbols_free(struct symbols *s)
{
    free(s->v);
    free(s->names);
    memset(s, 0, sizeof(*s));
}

const struct symbol *symbols_find(const struct symbols *s, uint64_t pc)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {   /* first symbol above pc */
        size_t mid = (lo + hi) / 2;
        if (s->v[mid].addr <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* The nearest symbol at or below pc, if it reaches pc: a label reaches the next symbol
     * (which is above pc) or its section's end. */
    return lo && pc < s->v[lo - 1].end ? &s->v[lo - 1] : NULL;
}
