/* Linux KVM for one machine: the VM with its in-kernel interrupt controllers (PIC, IOAPIC,
 * LAPIC) and PIT, guest RAM as memory slots, and vCPUs with the host's supported CPUID.
 * What is x86-64 boot state lives in x86_boot.h; what is a device lives in dev/. */
#ifndef VM_ACCEL_KVM_H
#define VM_ACCEL_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/machine.h"

#define KVM_DEVICE "/dev/kvm"

/* KVM's exits by reason, as --stats, --metrics and the control socket count them: the
 * reason and its name; every other reason counts as "other". */
#define KVM_EXIT_REASONS(X)                                                                     \
    X(KVM_EXIT_IO, "io") X(KVM_EXIT_MMIO, "mmio") X(KVM_EXIT_HLT, "hlt")                          \
    X(KVM_EXIT_SHUTDOWN, "shutdown") X(KVM_EXIT_INTR, "intr")                                   \
    X(KVM_EXIT_SYSTEM_EVENT, "system_event") X(KVM_EXIT_INTERNAL_ERROR, "internal_error")       \
    X(KVM_EXIT_FAIL_ENTRY, "fail_entry")

/* The names, indexed as kvm_exit_index counts (machine.vcpu_exit_names). */
extern const char *const kvm_exit_names[MACHINE_VCPU_EXITS_MAX];
/* The index of an exit_reason in kvm_exit_names. */
unsigned kvm_exit_index(uint32_t reason);

struct kvm {
    int sys_fd, vm_fd;
    unsigned slots;                /* memory slots registered */
    size_t run_size;               /* of each vCPU's struct kvm_run mapping */
    struct kvm_cpuid2 *cpuid;      /* the host's supported CPUID once a vCPU asked, or NULL */
};

struct kvm_vcpu {
    int fd;
    unsigned id;
    struct kvm_run *run;
};

/* Each returns 0 or -1 after printing `vm: what failed: why`. */
/* Opens /dev/kvm and creates a VM. */
int kvm_open(struct kvm *k);
/* Makes [gpa, gpa + size) guest RAM backed by host. */
int kvm_add_ram(struct kvm *k, uint64_t gpa, uint64_t size, void *host);
/* Creates the in-kernel irqchip and PIT. After the RAM's slots: creating them leaves KVM a
 * grace period in flight that a slot added later waits for, a jiffy or more (4 ms at HZ=250,
 * the floor of vm's start measured with the slots after them). */
int kvm_create_irqchip(struct kvm *k);
/* vCPU id with the host's supported CPUID (leaf 1's APIC ID set to id) and its LAPIC's
 * LINT0 as ExtINT (the PIC) and LINT1 as NMI, as a PC's BIOS leaves them. */
int kvm_vcpu_create(struct kvm *k, unsigned id, struct kvm_vcpu *v);
void kvm_vcpu_destroy(struct kvm *k, struct kvm_vcpu *v);
void kvm_close(struct kvm *k);
/* Sets the level of the in-kernel irqchip's input gsi (PIC and IOAPIC pin). */
void kvm_irq_line(struct kvm *k, unsigned gsi, bool level);
/* Makes a guest write of len bytes of value datamatch at MMIO address addr signal the
 * eventfd fd inside KVM instead of exiting KVM_RUN (other writes there still exit). */
int kvm_ioeventfd(struct kvm *k, uint64_t addr, unsigned len, uint64_t datamatch, int fd);
/* Makes a write to the eventfd fd pulse the in-kernel irqchip's input gsi (an edge), with
 * no vCPU exit and no ioctl of vm's. */
int kvm_irqfd(struct kvm *k, unsigned gsi, int fd);

#endif
