/* The MultiProcessor Specification 1.4 tables through which a guest without ACPI (Linux,
 * the test guests) finds the machine's CPUs and interrupt wiring, as Firecracker and kvmtool
 * write them: a floating pointer and a configuration table in the BIOS area, listing one
 * processor per vCPU (APIC ID = vCPU index, vCPU 0 the bootstrap processor), the ISA bus,
 * the IOAPIC and each of its pins as the same-numbered ISA interrupt, and the LAPICs' LINT0
 * as ExtINT (the PIC) and LINT1 as NMI, as kvm_vcpu_create sets them. */
#ifndef VM_ACCEL_MPTABLE_H
#define VM_ACCEL_MPTABLE_H

#include <stdint.h>

#include "accel/x86_boot.h"

#define MPTABLE_BASE 0xf0000       /* in the 64 KiB BIOS area Linux scans, not RAM in e820 */
#define MPTABLE_CPUS_MAX 254       /* APIC IDs below the broadcast 0xff, the IOAPIC's ID after */
#define MPTABLE_IOAPIC_BASE 0xfec00000u
#define MPTABLE_IOAPIC_PINS 24     /* KVM's in-kernel IOAPIC */
#define MPTABLE_LAPIC_BASE 0xfee00000u

/* Writes the tables for cpus processors into ram (low RAM reaches past the BIOS area). */
void mptable_write(const struct x86_ram *ram, unsigned cpus);

#endif
