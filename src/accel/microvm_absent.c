/* The x86-64 microVM machine for a vm built on a host other than x86-64: KVM runs a guest of
 * the host's own ISA, and vm's KVM machine is x86-64 only, so --accel=kvm says so. */
#include "accel/accel.h"
#include "core/log.h"

int microvm_boot(const struct boot_config *c)
{
    (void)c;
    vm_error("--accel=kvm: vm's KVM machine runs x86-64 guests on x86-64 hosts only");
    return 1;
}
