/* Linux KVM for one machine (accel/kvm.h): the ioctls that create the VM, its memory slots
 * and vCPUs, kept apart from the boot protocol and the machine's devices. */
#include "accel/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"

/* Where KVM on Intel keeps the real-mode TSS and identity page (three pages below the
 * IOAPIC's default window at 0xfec00000, out of RAM). */
#define KVM_TSS_ADDR 0xfffbd000u

#define CPUID_ENTRIES_MAX 256

/* LAPIC registers in struct kvm_lapic_state and their delivery modes. */
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_MASK 0x700
#define APIC_MODE_NMI 0x400
#define APIC_MODE_EXTINT 0x700

enum {
#define INDEX(reason, name) EXIT_##reason,
    KVM_EXIT_REASONS(INDEX)
#undef INDEX
    EXIT_OTHER,
};

const char *const kvm_exit_names[MACHINE_VCPU_EXITS_MAX] = {
#define NAME(reason, name) [EXIT_##reason] = name,
    KVM_EXIT_REASONS(NAME)
#undef NAME
    [EXIT_OTHER] = "other",
};

unsigned kvm_exit_index(uint32_t reason)
{
    switch (reason) {
#define CASE(r, name) case r: return EXIT_##r;
    KVM_EXIT_REASONS(CASE)
#undef CASE
    default:
        return EXIT_OTHER;
    }
}

static int fail(const char *what)
{
    vm_error("%s: %s", what, strerror(errno));
    return -1;
}

int kvm_open(struct kvm *k)
{
    k->vm_fd = -1;
    k->slots = 0;
    k->cpuid = NULL;
    k->sys_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (k->sys_fd < 0)
        return fail(KVM_DEVICE);
    int version = ioctl(k->sys_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        vm_error("%s: KVM API version %d, vm needs %d", KVM_DEVICE, version, KVM_API_VERSION);
        return -1;
    }
    int size = ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return fail("kvm: KVM_GET_VCPU_MMAP_SIZE");
    k->run_size = (size_t)size;
    k->vm_fd = ioctl(k->sys_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0)
        return fail("kvm: cannot create a VM");
    return 0;
}

int kvm_create_irqchip(struct kvm *k)
{
    if (ioctl(k->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
        return fail("kvm: KVM_SET_TSS_ADDR");
    if (ioctl(k->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
        return fail("kvm: cannot create the in-kernel irqchip");
    struct kvm_pit_config pit = { .flags = 0 };
    if (ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
        return fail("kvm: cannot create the in-kernel PIT");
    return 0;
}

int kvm_add_ram(struct kvm *k, uint64_t gpa, uint64_t size, void *host)
{
    struct kvm_userspace_memory_region r = {
        .slot = k->slots, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        return fail("kvm: cannot register guest RAM");
    k->slots++;
    return 0;
}

/* KVM_GET_SUPPORTED_CPUID runs the host's CPUID for every leaf, each a trap under nested
 * virtualization (about 0.3 ms in all here): asked once per VM, not once per vCPU. */
static int supported_cpuid(struct kvm *k)
{
    if (k->cpuid)
        return 0;
    size_t bytes = sizeof(struct kvm_cpuid2) + CPUID_ENTRIES_MAX * sizeof(struct kvm_cpuid_entry2);
    if (!(k->cpuid = calloc(1, bytes)))
        return fail("kvm: CPUID");
    k->cpuid->nent = CPUID_ENTRIES_MAX;
    if (ioctl(k->sys_fd, KVM_GET_SUPPORTED_CPUID, k->cpuid) < 0)
        return fail("kvm: KVM_GET_SUPPORTED_CPUID");
    for (unsigned i = 0; i < k->cpuid->nent; i++)
        if (k->cpuid->entries[i].function == 1)
            k->cpuid->entries[i].ecx |= 1u << 31;   /* running under a hypervisor */
    return 0;
}

static int set_cpuid(struct kvm *k, struct kvm_vcpu *v)
{
    if (supported_cpuid(k) < 0)
        return -1;
    for (unsigned i = 0; i < k->cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &k->cpuid->entries[i];
        if (e->function == 1)
            e->ebx = (e->ebx & 0x00ffffffu) | (v->id << 24);    /* initial APIC ID */
    }
    if (ioctl(v->fd, KVM_SET_CPUID2, k->cpuid) < 0)
        return fail("kvm: KVM_SET_CPUID2");
    return 0;
}

static void set_lvt(struct kvm_lapic_state *s, unsigned reg, uint32_t mode)
{
    uint32_t value;
    memcpy(&value, s->regs + reg, 4);
    value = (value & ~(uint32_t)APIC_MODE_MASK) | mode;
    memcpy(s->regs + reg, &value, 4);
}

static int set_lint(struct kvm_vcpu *v)
{
    struct kvm_lapic_state s;
    if (ioctl(v->fd, KVM_GET_LAPIC, &s) < 0)
        return fail("kvm: KVM_GET_LAPIC");
    set_lvt(&s, APIC_LVT0, APIC_MODE_EXTINT);
    set_lvt(&s, APIC_LVT1, APIC_MODE_NMI);
    if (ioctl(v->fd, KVM_SET_LAPIC, &s) < 0)
        return fail("kvm: KVM_SET_LAPIC");
    return 0;
}

int kvm_vcpu_create(struct kvm *k, unsigned id, struct kvm_vcpu *v)
{
    v->id = id;
    v->run = MAP_FAILED;
    v->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
    if (v->fd < 0)
        return fail("kvm: cannot create a vCPU");
    v->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED)
        return fail("kvm: cannot map the vCPU's run structure");
    if (set_cpuid(k, v) < 0 || set_lint(v) < 0)
        return -1;
    return 0;
}

void kvm_vcpu_destroy(struct kvm *k, struct kvm_vcpu *v)
{
    if (v->run != MAP_FAILED)
        munmap(v->run, k->run_size);
    if (v->fd >= 0)
        close(v->fd);
}

void kvm_close(struct kvm *k)
{
    free(k->cpuid);
    k->cpuid = NULL;
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->sys_fd >= 0)
        close(k->sys_fd);
}

void kvm_irq_line(struct kvm *k, unsigned gsi, bool level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    ioctl(k->vm_fd, KVM_IRQ_LINE, &l);
}

int kvm_ioeventfd(struct kvm *k, uint64_t addr, unsigned len, uint64_t datamatch, int fd)
{
    struct kvm_ioeventfd e = {
        .datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
        .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
    };
    if (ioctl(k->vm_fd, KVM_IOEVENTFD, &e) < 0)
        return fail("kvm: KVM_IOEVENTFD");
    return 0;
}

int kvm_irqfd(struct kvm *k, unsigned gsi, int fd)
{
    struct kvm_irqfd f = { .fd = (uint32_t)fd, .gsi = gsi };
    if (ioctl(k->vm_fd, KVM_IRQFD, &f) < 0)
        return fail("kvm: KVM_IRQFD");
    return 0;
}
