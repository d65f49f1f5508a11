/* Log categories and the user-facing error printer. */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

unsigned log_mask;
FILE *log_file;

static const struct {
    const char *name;
    const char *help;
} log_cats[] = {
#define LOG_ROW(name, help) { #name, help },
    LOG_CATEGORIES(LOG_ROW)
#undef LOG_ROW
};

void log_help(FILE *f)
{
    fprintf(f, "log categories (--log=a,b,...):\n");
    for (unsigned i = 0; i < LOG_NCATS; i++)
        fprintf(f, "  %-8s %s\n", log_cats[i].name, log_cats[i].help);
}

int log_parse(const char *spec)
{
    if (!log_file)
        log_file = stderr;
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        unsigned i;
        for (i = 0; i < LOG_NCATS; i++)
            if (strlen(log_cats[i].name) == n && !strncmp(log_cats[i].name, p, n))
                break;
        if (i == LOG_NCATS) {
            vm_error("--log: unknown category '%.*s' (try --log=help)", (int)n, p);
            return -EINVAL;
        }
        log_mask |= 1u << i;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Always one line: the message may quote guest-controlled text (a PT_INTERP path), whose
 * control characters are shown as '?'. */
void vm_error(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    fprintf(stderr, "vm: %s\n", msg);
}
