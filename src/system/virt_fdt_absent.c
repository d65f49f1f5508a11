/* virt_fdt_build (system/virt.h) for a vm built without libfdt (a cross build, say): the
 * virt board cannot describe itself to the kernel, so booting it fails with ENOSYS, which
 * the board reports as the reason. */
#include "system/virt.h"

#include <errno.h>

int virt_fdt_build(void *buf, size_t size, const struct virt_fdt_config *c)
{
    return -ENOSYS;
}
