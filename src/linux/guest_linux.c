/* The Linux parts of the guest ISAs, registered by constructors in linux/guest_<isa>.c, and
 * what linux/ derives from them for every caller (the open-flag translation, which the
 * syscalls and strace both need). */
#include "linux/guest_linux.h"

#include <stdlib.h>

#include "core/log.h"
#include "linux/proc.h"

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

static uint64_t swap_open_flags(const struct cpu *cpu, uint64_t flags, bool to_host)
{
    const struct guest_linux_ops *g = guest_linux(cpu);
    uint64_t r = flags;
    for (size_t i = 0; i < g->n_open_flags; i++)
        r &= ~(uint64_t)(g->open_flags[i].guest | g->open_flags[i].host);
    for (size_t i = 0; i < g->n_open_flags; i++) {
        uint32_t from = to_host ? g->open_flags[i].guest : g->open_flags[i].host;
        if (flags & from)
            r |= to_host ? g->open_flags[i].host : g->open_flags[i].guest;
    }
    return r;
}

int open_flags_to_host(const struct cpu *cpu, uint64_t flags)
{
    return (int)swap_open_flags(cpu, flags, true);
}

uint64_t open_flags_to_guest(const struct cpu *cpu, uint64_t flags)
{
    return swap_open_flags(cpu, flags, false);
}
