/* ELF64 files as the loader sees them: the header and program headers read from an open file,
 * with every offset and size checked against the file before anything trusts it. */
#ifndef VM_LINUX_ELF_H
#define VM_LINUX_ELF_H

#include <elf.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file {
    int fd;
    uint64_t size;          /* file size */
    Elf64_Ehdr eh;
    Elf64_Phdr *ph;         /* eh.e_phnum entries */
    char interp[PATH_MAX];  /* PT_INTERP path, or "" for none */
};

/* Checks the ELF header in the first `got` bytes of a file of file_size bytes.
 * Returns NULL if it is a little-endian ELF64 executable or shared object, else why not. */
const char *elf_check_header(const void *buf, size_t got, uint64_t file_size);
/* Checks the program headers against the file: segments inside it, sane sizes, PT_INTERP. */
const char *elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size);

/* Opens and checks path. Returns 0, -errno for a failed open/read (with *why NULL), or
 * -ENOEXEC with *why saying what is wrong with the file. */
int elf_open(struct elf_file *ef, const char *path, const char **why);
void elf_close(struct elf_file *ef);

#endif
