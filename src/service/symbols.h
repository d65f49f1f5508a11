/* A guest program's symbol table, for naming guest code outside the guest (perf maps): the
 * function and label symbols of an ELF file's code sections, sorted by address, looked up by
 * guest pc. */
#ifndef VM_SERVICE_SYMBOLS_H
#define VM_SERVICE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbol {
    uint64_t addr;       /* guest address (link address + the image's load bias) */
    uint64_t end;        /* a function's end; a label's section's end */
    const char *name;
};

struct symbols {
    struct symbol *v;    /* by address */
    size_t n;
    char *names;         /* the string table the names point into */
};

/* Reads path's symbol table (SHT_SYMTAB), each address moved by bias. A file without one
 * gives an empty table. Returns 0 or -errno (-ENOEXEC for a malformed file). */
int symbols_load(struct symbols *s, const char *path, uint64_t bias);
void symbols_free(struct symbols *s);
/* The symbol holding pc, or NULL. */
const struct symbol *symbols_find(const struct symbols *s, uint64_t pc);

#endif
