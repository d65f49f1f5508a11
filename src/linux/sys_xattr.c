/* Extended attributes: the get/set/list/remove calls in their path, lpath and fd forms. The
 * path (through the sysroot like other lookups), the name and the value buffer are checked
 * and handed to the host. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "linux/syscall.h"

#define XATTR_NAME_MAX_LEN 256
#define XATTR_SIZE_MAX_LEN 65536

/* Checks the target (a path in a[0], or the fd) and the attribute name (a[1]). */
static int xattr_args(struct cpu *cpu, const uint64_t *a, bool fd, bool named,
                      struct path_buf *pb, const char **path, char *name)
{
    int err = fd ? 0 : guest_host_path(cpu, a[0], pb, path);
    if (err < 0)
        return err;
    if (!named)
        return 0;
    long len = uspace_strnlen(&proc_of(cpu)->us, a[1], XATTR_NAME_MAX_LEN);
    if (len < 0)
        return (int)len;
    if (len >= XATTR_NAME_MAX_LEN)
        return -ERANGE;
    return uspace_read(&proc_of(cpu)->us, a[1], name, (size_t)len + 1);
}

/* The value buffer at addr of size bytes (NULL when size is 0: a size query). */
static int value_buf(struct cpu *cpu, uint64_t addr, uint64_t size, int prot, void **buf)
{
    *buf = NULL;
    if (size > XATTR_SIZE_MAX_LEN)
        size = XATTR_SIZE_MAX_LEN;
    return size && !(*buf = guest_ptr(cpu, addr, size, prot)) ? -EFAULT : 0;
}

static long do_get(struct cpu *cpu, const uint64_t *a, int kind)
{
    struct path_buf pb;
    const char *path = NULL;
    char name[XATTR_NAME_MAX_LEN];
    void *buf = NULL;
    int err = xattr_args(cpu, a, kind == 2, true, &pb, &path, name);
    if (err == 0)
        err = value_buf(cpu, a[2], a[3], PROT_WRITE, &buf);
    if (err < 0)
        return err;
    size_t size = a[3] > XATTR_SIZE_MAX_LEN ? XATTR_SIZE_MAX_LEN : a[3];
    return host_ret(kind == 0 ? getxattr(path, name, buf, size)
                    : kind == 1 ? lgetxattr(path, name, buf, size)
                                : fgetxattr((int)a[0], name, buf, size));
}

static long do_set(struct cpu *cpu, const uint64_t *a, int kind)
{
    struct path_buf pb;
    const char *path = NULL;
    char name[XATTR_NAME_MAX_LEN];
    void *buf = NULL;
    if (a[3] > XATTR_SIZE_MAX_LEN)
        return -E2BIG;
    int err = xattr_args(cpu, a, kind == 2, true, &pb, &path, name);
    if (err == 0)
        err = value_buf(cpu, a[2], a[3], PROT_READ, &buf);
    if (err < 0)
        return err;
    return host_ret(kind == 0 ? setxattr(path, name, buf, a[3], (int)a[4])
                    : kind == 1 ? lsetxattr(path, name, buf, a[3], (int)a[4])
                                : fsetxattr((int)a[0], name, buf, a[3], (int)a[4]));
}

static long do_list(struct cpu *cpu, const uint64_t *a, int kind)
{
    struct path_buf pb;
    const char *path = NULL;
    void *buf = NULL;
    int err = xattr_args(cpu, a, kind == 2, false, &pb, &path, NULL);
    if (err == 0)
        err = value_buf(cpu, a[1], a[2], PROT_WRITE, &buf);
    if (err < 0)
        return err;
    size_t size = a[2] > XATTR_SIZE_MAX_LEN ? XATTR_SIZE_MAX_LEN : a[2];
    return host_ret(kind == 0 ? listxattr(path, buf, size)
                    : kind == 1 ? llistxattr(path, buf, size)
                                : flistxattr((int)a[0], buf, size));
}

static long do_remove(struct cpu *cpu, const uint64_t *a, int kind)
{
    struct path_buf pb;
    const char *path = NULL;
    char name[XATTR_NAME_MAX_LEN];
    int err = xattr_args(cpu, a, kind == 2, true, &pb, &path, name);
    if (err < 0)
        return err;
    return host_ret(kind == 0 ? removexattr(path, name)
                    : kind == 1 ? lremovexattr(path, name)
                                : fremovexattr((int)a[0], name));
}

/* kind: 0 follows symlinks, 1 does not (l...), 2 takes an fd (f...). */
SYSCALL(getxattr) { return do_get(cpu, a, 0); }
SYSCALL(lgetxattr) { return do_get(cpu, a, 1); }
SYSCALL(fgetxattr) { return do_get(cpu, a, 2); }
SYSCALL(setxattr) { return do_set(cpu, a, 0); }
SYSCALL(lsetxattr) { return do_set(cpu, a, 1); }
SYSCALL(fsetxattr) { return do_set(cpu, a, 2); }
SYSCALL(listxattr) { return do_list(cpu, a, 0); }
SYSCALL(llistxattr) { return do_list(cpu, a, 1); }
SYSCALL(flistxattr) { return do_list(cpu, a, 2); }
SYSCALL(removexattr) { return do_remove(cpu, a, 0); }
SYSCALL(lremovexattr) { return do_remove(cpu, a, 1); }
SYSCALL(fremovexattr) { return do_remove(cpu, a, 2); }
