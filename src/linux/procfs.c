/* The guest's view of /proc/self files that would otherwise show vm's own process:
 * /proc/self/maps lists the guest's mappings (from the uspace page flags, with [heap] and
 * [vdso] named), handed to the guest as a memfd holding the text. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "linux/syscall.h"

bool procfs_is_maps(const char *path)
{
    char self[32];
    snprintf(self, sizeof(self), "/proc/%d/maps", (int)getpid());
    return !strcmp(path, "/proc/self/maps") || !strcmp(path, "/proc/thread-self/maps") ||
           !strcmp(path, self);
}

static const char *map_name(const struct linux_proc *proc, uint64_t start)
{
    if (start == proc->sigreturn_tramp)
        return "[vdso]";
    if (start >= proc->us.brk_start && start < proc->us.brk_cur)
        return "[heap]";
    return "";
}

/* The first page at or after p whose flags differ from f (skipping equal words at once). */
static uint64_t run_end(const struct uspace *us, uint64_t p, uint8_t f, uint64_t npages)
{
    uint64_t pattern = 0x0101010101010101ull * f;
    while (p < npages) {
        uint64_t word;
        if (!(p & 7) && p + 8 <= npages) {
            memcpy(&word, us->pflags + p, 8);
            if (word == pattern) {
                p += 8;
                continue;
            }
        }
        if (us->pflags[p] != f)
            break;
        p++;
    }
    return p;
}

int procfs_maps_fd(struct cpu *cpu)
{
    const struct linux_proc *proc = proc_of(cpu);
    const struct uspace *us = &proc->us;
    int fd = memfd_create("maps", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    FILE *f = fdopen(dup(fd), "w");
    if (!f) {
        close(fd);
        return -ENOMEM;
    }
    uint64_t npages = us->limit / USPACE_PAGE_SIZE;
    for (uint64_t p = 0; p < npages;) {
        uint8_t fl = us->pflags[p];
        uint64_t end = run_end(us, p, fl, npages);
        if (fl & USPACE_MAPPED) {
            uint64_t start = p * (uint64_t)USPACE_PAGE_SIZE;
            fprintf(f, "%08" PRIx64 "-%08" PRIx64 " %c%c%cp 00000000 00:00 0 %s\n", start,
                    end * (uint64_t)USPACE_PAGE_SIZE, fl & USPACE_READ ? 'r' : '-',
                    fl & USPACE_WRITE ? 'w' : '-', fl & USPACE_EXEC ? 'x' : '-',
                    map_name(proc, start));
        }
        p = end;
    }
    fclose(f);
    lseek(fd, 0, SEEK_SET);
    return fd;
}
