/* Accelerators: how `vm boot` runs a machine's CPUs. tcg translates guest code with the
 * engines (system/, any guest on any host); kvm lets the host CPU run it through Linux KVM
 * (an x86-64 guest on an x86-64 host) and keeps only the devices of dev/ in software. One
 * ops struct each, chosen by `--accel=NAME`. */
#ifndef VM_ACCEL_ACCEL_H
#define VM_ACCEL_ACCEL_H

#include "system/boot.h"

struct accel_ops {
    const char *name;
    /* Builds the machine c describes and runs it to its end: vm's exit status (1 after
     * printing `vm: what: why` when it cannot be built or stops abnormally). */
    int (*boot)(const struct boot_config *c);
};

/* The accelerator called name, or NULL. */
const struct accel_ops *accel_by_name(const char *name);

/* The x86-64 microVM machine on KVM (accel/microvm.c). */
int microvm_boot(const struct boot_config *c);

#endif
