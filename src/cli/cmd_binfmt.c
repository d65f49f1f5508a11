/* `vm binfmt install|uninstall|show`: registers vm with the kernel's binfmt_misc for every
 * guest ISA built in, so guest programs run directly (./prog) like native ones.
 * The interpreter registered is vm-binfmt, a symlink to vm next to it: invoked under that
 * name, main.c hands the arguments to cmd_binfmt_exec, which turns binfmt's
 * [interpreter, full path, original argv0, args...] (flags F and P) into `vm run`. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/registry.h"

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define BINFMT_NAME "vm-binfmt"
#define ENTRY_MAX 512

void cmd_binfmt_help(void)
{
    printf("usage: vm binfmt install|uninstall|show\n\n"
           "Registers vm with binfmt_misc for each guest ISA (needs root), so that guest\n"
           "programs run directly. install creates %s next to vm (a symlink to it) and\n"
           "registers it with flags F and P; uninstall removes both; show prints the\n"
           "registration lines without writing them.\n", BINFMT_NAME);
}

/* Appends bytes as \xHH escapes. */
static size_t put_hex(char *out, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 4 * i, "\\x%02x", bytes[i]);
    return 4 * n;
}

/* ":vm-NAME:M::MAGIC:MASK:INTERP:FP": the ELF header up to e_machine, with the OS ABI byte
 * ignored and ET_EXEC/ET_DYN both matching. */
static void entry_for(const struct guest_ops *g, const char *interp, char *out)
{
    uint8_t magic[20] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT, 0, 0, 0,
                          0, 0, 0, 0, 0, 0, ET_EXEC, 0, (uint8_t)g->elf_machine,
                          (uint8_t)(g->elf_machine >> 8) };
    uint8_t mask[20] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff,
                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff };
    char *p = out + sprintf(out, ":vm-%s:M::", g->name);
    p += put_hex(p, magic, sizeof(magic));
    *p++ = ':';
    p += put_hex(p, mask, sizeof(mask));
    sprintf(p, ":%s:FP", interp);
}

/* Says why a binfmt_misc file cannot be written. */
static void report(const char *file, int err)
{
    if (err == ENOENT && access(BINFMT_DIR "/register", F_OK) < 0)
        vm_error("binfmt_misc is not mounted (mount -t binfmt_misc binfmt_misc %s)",
                 BINFMT_DIR);
    else if (err == EACCES || err == EPERM || err == EROFS)
        vm_error("binfmt: cannot write %s: %s (registering needs root)", file, strerror(err));
    else
        vm_error("binfmt: cannot write %s: %s", file, strerror(err));
}

static int binfmt_write(const char *file, const char *text)
{
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        report(file, err);
        return -err;
    }
    close(fd);
    return 0;
}

/* The absolute path of vm-binfmt next to the running vm. */
static int interp_path(char *out)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0)
        return -errno;
    self[n] = 0;
    if (snprintf(out, PATH_MAX, "%s/%s", dirname(self), BINFMT_NAME) >= PATH_MAX)
        return -ENAMETOOLONG;
    return 0;
}

static int unregister(const struct guest_ops *g, bool quiet_if_absent)
{
    char file[PATH_MAX];
    snprintf(file, sizeof(file), "%s/vm-%s", BINFMT_DIR, g->name);
    if (quiet_if_absent && access(file, F_OK) < 0)
        return 0;
    return binfmt_write(file, "-1");
}

static int install(const char *interp, bool dry_run)
{
    char entry[ENTRY_MAX];
    if (!dry_run && access(BINFMT_DIR "/register", W_OK) < 0) {
        report(BINFMT_DIR "/register", errno);
        return 1;
    }
    if (!dry_run) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0)
            return 1;
        self[n] = 0;
        unlink(interp);
        if (symlink(self, interp) < 0) {
            vm_error("binfmt: cannot create %s: %s", interp, strerror(errno));
            return 1;
        }
    }
    for (unsigned i = 0; guest_at(i); i++) {
        const struct guest_ops *g = guest_at(i);
        if (guest_is_host_isa(g))
            continue;
        entry_for(g, interp, entry);
        if (dry_run) {
            printf("%s\n", entry);
            continue;
        }
        if (unregister(g, true) < 0 || binfmt_write(BINFMT_DIR "/register", entry) < 0)
            return 1;
        printf("vm: registered %s programs: %s\n", g->name, interp);
    }
    return 0;
}

static int uninstall(const char *interp)
{
    int status = 0;
    for (unsigned i = 0; guest_at(i); i++)
        if (!guest_is_host_isa(guest_at(i)) && unregister(guest_at(i), true) < 0)
            status = 1;
    if (status == 0)
        unlink(interp);
    return status;
}

int cmd_binfmt(int argc, char **argv)
{
    char interp[PATH_MAX];
    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        cmd_binfmt_help();
        return argc == 2 ? 0 : 2;
    }
    if (interp_path(interp) < 0) {
        vm_error("binfmt: cannot find vm's own path");
        return 1;
    }
    if (!strcmp(argv[1], "install"))
        return install(interp, false);
    if (!strcmp(argv[1], "show"))
        return install(interp, true);
    if (!strcmp(argv[1], "uninstall"))
        return uninstall(interp);
    vm_error("binfmt: unknown action '%s' (install, uninstall or show)", argv[1]);
    return 2;
}

bool cli_invoked_by_binfmt(const char *argv0)
{
    const char *base = strrchr(argv0, '/');
    return !strcmp(base ? base + 1 : argv0, BINFMT_NAME);
}

int cmd_binfmt_exec(int argc, char **argv)
{
    if (argc < 3) {
        vm_error("%s: expected to be started by binfmt_misc (flags F and P)", argv[0]);
        return 2;
    }
    char **v = calloc((size_t)argc + 4, sizeof(*v));
    if (!v)
        return 1;
    int n = 0;
    v[n++] = "run";
    v[n++] = "-0";
    v[n++] = argv[2];
    v[n++] = "--";
    v[n++] = argv[1];
    for (int i = 3; i < argc; i++)
        v[n++] = argv[i];
    return cmd_run(n, v);
}
