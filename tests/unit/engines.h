/* What the unit tests that run blocks under every engine share: one call per engine that
 * this build has, each in a test group of its own. */
#ifndef VM_TESTS_UNIT_ENGINES_H
#define VM_TESTS_UNIT_ENGINES_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "core/registry.h"

/* test(engine, pc) in the group PREFIX_ENGINE for interp, then jit; each engine gets pcs of
 * its own (from pc up to pc + 0x10000), since the engines share the translation cache. */
static inline void check_each_engine(const char *prefix,
                                     void (*test)(const char *engine, uint64_t pc))
{
    static const char *const engines[] = { "interp", "jit" };
    uint64_t pc = 0x10000;
    for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
        if (!engine_by_name(engines[e]))
            continue;
        char name[64];
        snprintf(name, sizeof(name), "%s_%s", prefix, engines[e]);
        check_group(strdup(name));
        test(engines[e], pc);
        pc += 0x10000;
    }
}

#endif
