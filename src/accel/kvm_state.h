/* KVM's own state in snapshots (core/state.h parts): what the kernel keeps of a vCPU and of
 * the VM, read and written through its get and set ioctls. Each ioctl's structure is saved
 * as a blob of its fixed size (they are Linux's x86-64 ABI, the same on every host that
 * runs this machine), after a length that a load checks. */
#ifndef VM_ACCEL_KVM_STATE_H
#define VM_ACCEL_KVM_STATE_H

#include "accel/kvm.h"
#include "core/state.h"

/* A vCPU as a snapshot part: its registers (KVM_GET_REGS, SREGS, FPU, XSAVE and XCRS where
 * KVM has them), the MSRs KVM lists that read back, its LAPIC, pending events and MP
 * state. opaque is a struct kvm_vcpu_part. */
struct kvm_vcpu_part {
    struct kvm *kvm;
    struct kvm_vcpu *vcpu;
};
state_save_fn kvm_vcpu_save;
state_load_fn kvm_vcpu_load;

/* The VM as a snapshot part: the in-kernel PICs and IOAPIC (KVM_GET_IRQCHIP), the PIT
 * (KVM_GET_PIT2) and kvmclock (KVM_GET_CLOCK). opaque is the struct kvm. */
state_save_fn kvm_vm_save;
state_load_fn kvm_vm_load;

#endif
