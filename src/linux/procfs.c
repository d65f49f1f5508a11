/* The guest's view of /proc/self files that would otherwise show vm's own process, handed to
 * the guest as a memfd holding the text: maps lists the guest's mappings (from the uspace
 * page flags, with [heap], [stack] and [vdso] named), cmdline the guest's argv. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "linux/syscall.h"

/* True if path is /proc/self/NAME, /proc/thread-self/NAME or /proc/<our pid>/NAME. */
static bool is_self_file(const char *path, const char *name)
{
    char self[64];
    snprintf(self, sizeof(self), "/proc/%d/%s", (int)getpid(), name);
    const char *rest = !strncmp(path, "/proc/self/", 11) ? path + 11
                     : !strncmp(path, "/proc/thread-self/", 18) ? path + 18 : NULL;
    return (rest && !strcmp(rest, name)) || !strcmp(path, self);
}

/* A memfd holding the text written by fill, rewound; or -errno. */
static int text_fd(struct cpu *cpu, void (*fill)(struct cpu *cpu, FILE *f))
{
    int fd = memfd_create("vm-proc", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    FILE *f = fdopen(dup(fd), "w");
    if (!f) {
        close(fd);
        return -ENOMEM;
    }
    fill(cpu, f);
    fclose(f);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

static const char *map_name(const struct linux_proc *proc, uint64_t start)
{
    if (start == proc->sigreturn_tramp)
        return "[vdso]";
    if (start >= proc->us.brk_start && start < proc->us.brk_cur)
        return "[heap]";
    if (start == proc->us.limit - proc->stack_size)
        return "[stack]";
    return "";
}

static void fill_maps(struct cpu *cpu, FILE *f)
{
    const struct linux_proc *proc = proc_of(cpu);
    const struct uspace *us = &proc->us;
    for (uint64_t start = 0, end; start < us->limit; start = end) {
        uint8_t fl = uspace_flags_run(us, start, &end);
        if (fl & USPACE_MAPPED)
            fprintf(f, "%08" PRIx64 "-%08" PRIx64 " %c%c%cp 00000000 00:00 0 %s\n", start, end,
                    fl & USPACE_READ ? 'r' : '-', fl & USPACE_WRITE ? 'w' : '-',
                    fl & USPACE_EXEC ? 'x' : '-', map_name(proc, start));
    }
}

/* The guest's argv, each string followed by a NUL. */
static void fill_cmdline(struct cpu *cpu, FILE *f)
{
    for (char *const *a = proc_of(cpu)->argv; a && *a; a++)
        fwrite(*a, 1, strlen(*a) + 1, f);
}

bool procfs_open(struct cpu *cpu, const char *path, long *fd)
{
    if (is_self_file(path, "maps"))
        *fd = text_fd(cpu, fill_maps);
    else if (is_self_file(path, "cmdline"))
        *fd = text_fd(cpu, fill_cmdline);
    else
        return false;
    return true;
}
