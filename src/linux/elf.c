/* ELF64 parsing for the loader: reads the header, program headers and PT_INTERP of a file and
 * checks every offset and size against the file, so a hostile file gets an error, not a crash. */
#include "linux/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELF_PAGE_SIZE 4096u
#define MAX_PHDRS_SIZE 65536u   /* Linux refuses larger program header tables too */

/* True if [off, off+len) lies inside a file of `size` bytes, without overflowing. */
static int inside(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

const char *elf_check_header(const void *buf, size_t got, uint64_t file_size)
{
    const unsigned char *id = buf;
    if (got < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
        return "not an ELF file";
    if (got <= EI_DATA)
        return "truncated ELF header";
    if (id[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF file";
    if (id[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF file";
    if (got < sizeof(Elf64_Ehdr) || file_size < sizeof(Elf64_Ehdr))
        return "truncated ELF header";
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return "not an executable or shared object";
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return "unexpected program header size";
    if (!eh.e_phnum)
        return "no program headers";
    if ((uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > MAX_PHDRS_SIZE)
        return "too many program headers";
    if (!inside(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), file_size))
        return "program header outside the file";
    return NULL;
}

const char *elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size)
{
    unsigned loads = 0, interps = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_INTERP) {
            if (!inside(p->p_offset, p->p_filesz, file_size))
                return "interpreter path outside the file";
            if (p->p_filesz < 2 || p->p_filesz > PATH_MAX)
                return "bad interpreter path";
            interps++;
        }
        if (p->p_type != PT_LOAD)
            continue;
        loads++;
        if (!inside(p->p_offset, p->p_filesz, file_size))
            return "segment outside the file";
        if (p->p_filesz > p->p_memsz)
            return "segment file size larger than its memory size";
        if (p->p_vaddr + p->p_memsz < p->p_vaddr)
            return "segment address range overflows";
        if ((p->p_vaddr - p->p_offset) % ELF_PAGE_SIZE)
            return "segment offset and address differ modulo the page size";
    }
    if (!loads)
        return "no loadable segment";
    if (interps > 1)
        return "more than one interpreter";
    return NULL;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO;
        done += (size_t)n;
    }
    return 0;
}

static int read_interp(struct elf_file *ef, const char **why)
{
    for (unsigned i = 0; i < ef->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ef->ph[i];
        if (p->p_type != PT_INTERP)
            continue;
        int err = pread_all(ef->fd, ef->interp, p->p_filesz, p->p_offset);
        if (err < 0)
            return err;
        if (ef->interp[p->p_filesz - 1] || strlen(ef->interp) != p->p_filesz - 1) {
            ef->interp[0] = 0;
            *why = "bad interpreter path";
            return -ENOEXEC;
        }
    }
    return 0;
}

/* The checks after open: a regular file the caller may execute, with a sane ELF header. */
static int elf_read(struct elf_file *ef, const char **why)
{
    struct stat st;
    if (fstat(ef->fd, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    ef->size = (uint64_t)st.st_size;
    unsigned char hdr[sizeof(Elf64_Ehdr)];
    size_t got = ef->size < sizeof(hdr) ? (size_t)ef->size : sizeof(hdr);
    int err = pread_all(ef->fd, hdr, got, 0);
    if (err < 0)
        return err;
    if ((*why = elf_check_header(hdr, got, ef->size)))
        return -ENOEXEC;
    memcpy(&ef->eh, hdr, sizeof(ef->eh));
    size_t phsize = (size_t)ef->eh.e_phnum * sizeof(Elf64_Phdr);
    if (!(ef->ph = malloc(phsize)))
        return -ENOMEM;
    if ((err = pread_all(ef->fd, ef->ph, phsize, ef->eh.e_phoff)) < 0)
        return err;
    if ((*why = elf_check_phdrs(&ef->eh, ef->ph, ef->size)))
        return -ENOEXEC;
    return read_interp(ef, why);
}

int elf_open(struct elf_file *ef, const char *path, const char **why)
{
    memset(ef, 0, sizeof(*ef));
    *why = NULL;
    ef->fd = -1;
    /* The type first, as execve checks it: opening a FIFO would wait for a writer. O_NONBLOCK
     * too, for a file that changes type in between. */
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    ef->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (ef->fd < 0)
        return -errno;
    int err = elf_read(ef, why);
    if (err < 0)
        elf_close(ef);
    return err;
}

void elf_close(struct elf_file *ef)
{
    if (ef->fd >= 0)
        close(ef->fd);
    free(ef->ph);
    ef->fd = -1;
    ef->ph = NULL;
}
