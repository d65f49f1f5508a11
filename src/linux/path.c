/* Guest paths: copied out of guest memory with checks, then mapped to host paths the way
 * qemu-user does: absolute paths that exist under the sysroot come from there, and
 * /proc/self/exe names the guest program rather than vm. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/syscall.h"

int guest_path(struct cpu *cpu, uint64_t addr, char *buf)
{
    const struct uspace *us = &proc_of(cpu)->us;
    long len = uspace_strnlen(us, addr, PATH_MAX);
    if (len < 0)
        return (int)len;
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    return uspace_read(us, addr, buf, (size_t)len + 1);
}

bool is_self_exe(const char *path)
{
    char self[32];
    snprintf(self, sizeof(self), "/proc/%d/exe", (int)getpid());
    return !strcmp(path, "/proc/self/exe") || !strcmp(path, self);
}

const char *host_path(struct cpu *cpu, const char *path, char *buf)
{
    const struct linux_proc *proc = proc_of(cpu);
    if (is_self_exe(path))
        return proc->exe_path;
    if (!proc->sysroot || path[0] != '/' || !strcmp(path, "/"))
        return path;
    int n = snprintf(buf, PATH_MAX, "%s%s", proc->sysroot, path);
    if (n < 0 || n >= PATH_MAX || faccessat(AT_FDCWD, buf, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        return path;
    return buf;
}

int guest_host_path(struct cpu *cpu, uint64_t addr, struct path_buf *pb, const char **out)
{
    int err = guest_path(cpu, addr, pb->guest);
    if (err < 0)
        return err;
    *out = host_path(cpu, pb->guest, pb->host);
    return 0;
}

void kernel_path(struct cpu *cpu, uint64_t addr, struct path_buf *pb, const char **out)
{
    if (guest_host_path(cpu, addr, pb, out) < 0) {
        pb->guest[0] = 0;
        *out = kernel_ptr(cpu, addr, 1, PROT_READ);
    }
}
