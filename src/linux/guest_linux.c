/* The Linux parts of the guest ISAs, registered by constructors in linux/guest_<isa>.c. */
#include "linux/guest_linux.h"

#include <stdlib.h>

#include "core/log.h"

static const struct guest_linux_ops *parts[GUEST_LINUX_MAX];
static unsigned n_parts;

void guest_linux_register(const struct guest_linux_ops *l)
{
    if (n_parts == GUEST_LINUX_MAX) {
        vm_error("internal error: more than %d guest Linux ABIs registered", GUEST_LINUX_MAX);
        abort();
    }
    parts[n_parts++] = l;
}

const struct guest_linux_ops *guest_linux_of(const struct guest_ops *g)
{
    for (unsigned i = 0; i < n_parts; i++)
        if (parts[i]->elf_machine == g->elf_machine)
            return parts[i];
    return NULL;
}
