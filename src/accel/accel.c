/* The table of accelerators `--accel=NAME` chooses from (accel/accel.h). */
#include "accel/accel.h"

#include <string.h>

static const struct accel_ops accels[] = {
    { "tcg", boot_run },
    { "kvm", microvm_boot },
};

const struct accel_ops *accel_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(accels) / sizeof(accels[0]); i++)
        if (!strcmp(accels[i].name, name))
            return &accels[i];
    return NULL;
}
