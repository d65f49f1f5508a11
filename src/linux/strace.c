/* --log=strace: one line per syscall in strace's format, e.g.
 *   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 * Arguments are printed by kind from the syscall's table row; strings and buffers are read
 * from guest memory with checks and cut at 32 bytes like strace's default -s 32.
 * Flag names use the host's constants, which equal asm-generic's for every flag listed
 * (except O_LARGEFILE, which x86-64's glibc defines as 0). */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/guest_linux.h"
#include "linux/syscall.h"

#define STRACE_STRING_MAX 32

struct flag_name {
    uint64_t bits;
    const char *name;
};

static const struct flag_name open_flags[] = {
    { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
    { O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
    { O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" }, { O_DIRECT, "O_DIRECT" },
    { 0100000, "O_LARGEFILE" }, { O_TMPFILE, "O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
    { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
    { O_PATH, "O_PATH" }, { 0, NULL },
};

static const struct flag_name at_flags[] = {
    { AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" }, { AT_REMOVEDIR, "AT_REMOVEDIR" },
    { AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" }, { AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT" },
    { AT_EMPTY_PATH, "AT_EMPTY_PATH" }, { 0, NULL },
};

static const struct flag_name prot_flags[] = {
    { PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" }, { PROT_EXEC, "PROT_EXEC" },
    { 0, NULL },
};

static const struct flag_name map_flags[] = {
    { MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE" }, { MAP_SHARED, "MAP_SHARED" },
    { MAP_PRIVATE, "MAP_PRIVATE" }, { MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
    { MAP_FIXED, "MAP_FIXED" }, { MAP_ANONYMOUS, "MAP_ANONYMOUS" },
    { MAP_GROWSDOWN, "MAP_GROWSDOWN" }, { MAP_DENYWRITE, "MAP_DENYWRITE" },
    { MAP_NORESERVE, "MAP_NORESERVE" }, { MAP_POPULATE, "MAP_POPULATE" },
    { MAP_STACK, "MAP_STACK" }, { 0, NULL },
};

/* Prints NAME|NAME|0xrest, or "0"; `printed` says whether something came before. */
static void print_flags(FILE *f, uint64_t v, const struct flag_name *names, bool printed)
{
    for (const struct flag_name *n = names; n->name; n++) {
        if ((v & n->bits) != n->bits)
            continue;
        fprintf(f, "%s%s", printed ? "|" : "", n->name);
        v &= ~n->bits;
        printed = true;
    }
    if (v || !printed)
        fprintf(f, printed ? "|%#" PRIx64 : "%#" PRIx64, v);
}

static void print_open_flags(FILE *f, uint64_t v)
{
    static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
    fputs(modes[v & O_ACCMODE], f);
    if (v & ~(uint64_t)O_ACCMODE)
        print_flags(f, v & ~(uint64_t)O_ACCMODE, open_flags, true);
}

/* Prints up to len guest bytes quoted with C escapes, "..." after if cut. */
static void print_bytes(FILE *f, struct cpu *cpu, uint64_t addr, uint64_t len)
{
    uint8_t buf[STRACE_STRING_MAX];
    size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
    if (uspace_read(&proc_of(cpu)->us, addr, buf, n) < 0) {
        fprintf(f, "%#" PRIx64, addr);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                        : c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
        if (esc)
            fputs(esc, f);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else if (i + 1 < n && buf[i + 1] >= '0' && buf[i + 1] <= '7')
            fprintf(f, "\\%03o", c);
        else
            fprintf(f, "\\%o", c);
    }
    fputs(len > n ? "\"..." : "\"", f);
}

static void print_string(FILE *f, struct cpu *cpu, uint64_t addr)
{
    long len = uspace_strnlen(&proc_of(cpu)->us, addr, STRACE_STRING_MAX + 1);
    if (len < 0)
        fprintf(f, "%#" PRIx64, addr);
    else
        print_bytes(f, cpu, addr, (uint64_t)len);
}

static void print_arg(FILE *f, struct cpu *cpu, enum arg_kind kind, const uint64_t *a, int i,
                      long ret)
{
    uint64_t v = a[i];
    switch (kind) {
    case ARG_NONE: break;
    case ARG_INT: fprintf(f, "%" PRId64, (int64_t)v); break;
    case ARG_UINT: fprintf(f, "%" PRIu64, v); break;
    case ARG_HEX: fprintf(f, "%#" PRIx64, v); break;
    case ARG_PTR: v ? fprintf(f, "%#" PRIx64, v) : fputs("NULL", f); break;
    case ARG_FD: fprintf(f, "%d", (int)v); break;
    case ARG_DIRFD: (int)v == AT_FDCWD ? fputs("AT_FDCWD", f) : fprintf(f, "%d", (int)v); break;
    case ARG_STR: print_string(f, cpu, v); break;
    case ARG_INBUF: print_bytes(f, cpu, v, i < 5 ? a[i + 1] : 0); break;
    case ARG_OUTBUF:
        ret > 0 ? print_bytes(f, cpu, v, (uint64_t)ret) : (void)fprintf(f, "%#" PRIx64, v);
        break;
    case ARG_OCT: fprintf(f, "%#" PRIo64, v); break;
    case ARG_OPEN_FLAGS:
        print_open_flags(f, (uint64_t)(unsigned)open_flags_to_host(cpu, v));
        break;
    case ARG_AT_FLAGS: print_flags(f, v, at_flags, false); break;
    case ARG_PROT: v ? print_flags(f, v, prot_flags, false) : (void)fputs("PROT_NONE", f); break;
    case ARG_MAP_FLAGS: print_flags(f, v, map_flags, false); break;
    case ARG_SIG:
        v > 0 && v < 32 ? fprintf(f, "SIG%s", sigabbrev_np((int)v))
                        : fprintf(f, "%" PRId64, (int64_t)v);
        break;
    }
}

static void print_result(FILE *f, enum ret_kind kind, long ret)
{
    if (kind == RET_NONE)
        fputs(" = ?\n", f);
    else if (ret < 0 && ret >= -4095)
        fprintf(f, " = -1 %s (%s)\n", strerrorname_np((int)-ret), strerror((int)-ret));
    else if (kind == RET_HEX)
        fprintf(f, " = %#lx\n", (unsigned long)ret);
    else
        fprintf(f, " = %ld\n", ret);
}

static void print_call(FILE *f, struct cpu *cpu, const struct syscall_desc *d, uint64_t nr,
                       const uint64_t *a, long ret)
{
    if (!d) {
        fprintf(f, "syscall_%" PRIu64 "(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
                   ", %#" PRIx64 ", %#" PRIx64 ")", nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        print_result(f, RET_INT, ret);
        return;
    }
    fprintf(f, "%s(", d->name);
    for (int i = 0; i < 6 && d->args[i] != ARG_NONE; i++) {
        if (i)
            fputs(", ", f);
        print_arg(f, cpu, d->args[i], a, i, ret);
    }
    fputc(')', f);
    print_result(f, d->ret, ret);
}

/* Each line goes out in one write, so the lines of forked children and threads do not mix;
 * like strace -f, lines not from the first process's first thread start with [pid N]. */
static FILE *line_start(char **line, size_t *len)
{
    static int first_tid;
    FILE *f = open_memstream(line, len);
    if (!f)
        return NULL;
    if (!first_tid)
        first_tid = gettid();
    if (gettid() != first_tid)
        fprintf(f, "[pid %d] ", gettid());
    return f;
}

static void line_end(FILE *f, char **line, const size_t *len)
{
    fclose(f);   /* sets *line and *len */
    fflush(log_file);
    if (write(fileno(log_file), *line, *len) < 0)
        fputs(*line, log_file);
    free(*line);
}

void strace_print(struct cpu *cpu, const struct syscall_desc *d, uint64_t nr, const uint64_t *a,
                  long ret)
{
    char *line = NULL;
    size_t len = 0;
    FILE *f = line_start(&line, &len);
    if (!f)
        return;
    print_call(f, cpu, d, nr, a, ret);
    line_end(f, &line, &len);
}

void strace_signal(int sig, const siginfo_t *info, bool fault)
{
    char *line = NULL;
    size_t len = 0;
    FILE *f = line_start(&line, &len);
    if (!f)
        return;
    fputs("--- ", f);
    print_arg(f, NULL, ARG_SIG, &(uint64_t){ (uint64_t)sig }, 0, 0);
    fprintf(f, " {si_signo=%d, si_code=%d", sig, info->si_code);
    if (fault)
        fprintf(f, ", si_addr=%p", info->si_addr);
    else
        fprintf(f, ", si_pid=%d, si_uid=%u", info->si_pid, info->si_uid);
    fputs("} ---\n", f);
    line_end(f, &line, &len);
}
