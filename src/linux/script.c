/* `vm run SCRIPT`: a "#!" script runs as execve would run it. Its interpreter line is read as
 * Linux's binfmt_script reads it (the interpreter, then the rest of the line as at most one
 * argument); an interpreter that is a guest program (or a script whose interpreter is) runs
 * under vm with the script's path as its argument, anything else is the host's to run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "linux/linux.h"

#define SCRIPT_LINE_MAX 256   /* Linux's BINPRM_BUF_SIZE */
#define SCRIPT_DEPTH_MAX 4    /* interpreters that are scripts themselves, as Linux allows */

/* Splits the "#!" line of the regular file at path into interp and arg (NULL if none), in
 * line. 0, or -ENOEXEC if it is no script. */
static int read_script(const char *path, char line[SCRIPT_LINE_MAX], char **interp, char **arg)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return -ENOEXEC;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -ENOEXEC;
    ssize_t n = read(fd, line, SCRIPT_LINE_MAX - 1);
    close(fd);
    if (n < 2 || line[0] != '#' || line[1] != '!')
        return -ENOEXEC;
    line[n] = 0;
    char *end = strchr(line, '\n');
    if (!end)
        return -ENOEXEC;   /* a line longer than Linux reads */
    *end = 0;
    char *p = line + 2 + strspn(line + 2, " \t");
    if (!*p)
        return -ENOEXEC;
    *interp = p;
    p += strcspn(p, " \t");
    *arg = NULL;
    if (*p) {
        *p++ = 0;
        p += strspn(p, " \t");
        for (char *e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = 0;
        if (*p)
            *arg = p;
    }
    return 0;
}

int linux_run_script(struct linux_run_opts *opts)
{
    static char lines[SCRIPT_DEPTH_MAX + 2][SCRIPT_LINE_MAX];   /* argv points into them */
    char *interp, *arg, *next_interp, *next_arg;
    for (int depth = 0; read_script(opts->path, lines[depth], &interp, &arg) == 0; depth++) {
        if (depth == SCRIPT_DEPTH_MAX) {
            vm_error("%s: %s", opts->path, strerror(ELOOP));
            return 126;
        }
        if (!linux_guest_of_file(interp) &&
            read_script(interp, lines[depth + 1], &next_interp, &next_arg) < 0) {
            fflush(NULL);
            execve(opts->path, opts->argv, opts->envp);
            vm_error("%s: %s", opts->path, strerror(errno));
            return errno == ENOENT ? 127 : 126;
        }
        size_t argc = 0;
        while (opts->argv[argc])
            argc++;
        char **v = calloc(argc + 3, sizeof(*v));
        if (!v) {
            vm_error("%s: out of memory", opts->path);
            return 1;
        }
        size_t n = 0;
        v[n++] = interp;
        if (arg)
            v[n++] = arg;
        v[n++] = (char *)opts->path;
        memcpy(v + n, opts->argv + 1, (argc ? argc - 1 : 0) * sizeof(*v));
        opts->path = interp;
        opts->argv = v;
    }
    return 0;
}
