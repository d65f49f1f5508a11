/* The registry of guest ISAs, engines and the host backend, filled by constructors in each
 * guest, engine and backend file. */
#include "core/registry.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static const struct guest_ops *guests[REGISTRY_MAX];
static const struct engine_ops *engines[REGISTRY_MAX];
static unsigned n_guests, n_engines;
static const struct host_backend *the_host_backend;

/* A full table is a build that registers more than REGISTRY_MAX of a kind: dropping one
 * would make it silently unavailable, so vm stops before main. */
static void check_room(unsigned n, const char *kind, const char *name)
{
    if (n < REGISTRY_MAX)
        return;
    vm_error("internal error: cannot register %s %s: the registry holds %d (REGISTRY_MAX)",
             kind, name, REGISTRY_MAX);
    abort();
}

void guest_register(const struct guest_ops *g)
{
    check_room(n_guests, "guest", g->name);
    guests[n_guests++] = g;
}

void engine_register(const struct engine_ops *e)
{
    check_room(n_engines, "engine", e->name);
    engines[n_engines++] = e;
}

const struct guest_ops *guest_by_name(const char *name)
{
    for (unsigned i = 0; i < n_guests; i++)
        if (!strcmp(guests[i]->name, name))
            return guests[i];
    return NULL;
}

const struct guest_ops *guest_by_elf_machine(uint16_t machine)
{
    for (unsigned i = 0; i < n_guests; i++)
        if (guests[i]->elf_machine == machine)
            return guests[i];
    return NULL;
}

bool guest_is_host_isa(const struct guest_ops *g)
{
#if defined(__x86_64__)
    return g->elf_machine == 62;    /* EM_X86_64 */
#elif defined(__aarch64__)
    return g->elf_machine == 183;   /* EM_AARCH64 */
#elif defined(__riscv) && __riscv_xlen == 64
    return g->elf_machine == 243;   /* EM_RISCV */
#else
    return false;
#endif
}

const struct engine_ops *engine_by_name(const char *name)
{
    for (unsigned i = 0; i < n_engines; i++)
        if (!strcmp(engines[i]->name, name))
            return engines[i];
    return NULL;
}

const struct guest_ops *guest_at(unsigned i)
{
    return i < n_guests ? guests[i] : NULL;
}

const struct engine_ops *engine_at(unsigned i)
{
    return i < n_engines ? engines[i] : NULL;
}

void host_register(const struct host_backend *b)
{
    if (the_host_backend) {   /* one host ISA per build: a second one is a build error */
        vm_error("internal error: cannot register a second host backend");
        abort();
    }
    the_host_backend = b;
}

const struct host_backend *host_backend(void)
{
    return the_host_backend;
}
