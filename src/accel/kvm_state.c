/* KVM's state in snapshots (accel/kvm_state.h). A load reads every blob into this file's
 * buffers and checks its length first (commit false); only then (commit true) does it set
 * them, in the order KVM needs: special registers (with the APIC base) before the LAPIC,
 * the FPU before its XSAVE area, the MSRs before the pending events. Loads are one at a
 * time (the machine is paused or not yet started), so the buffers can be static. */
#include "accel/kvm_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define MSRS_MAX 512
#define IRQCHIPS 3                 /* KVM_IRQCHIP_PIC_MASTER, PIC_SLAVE, IOAPIC */

static void put_blob(struct state_writer *w, const void *p, size_t n)
{
    state_put_u32(w, (uint32_t)n);
    state_put_bytes(w, p, n);
}

static void get_blob(struct state_reader *r, void *p, size_t n)
{
    state_check(r, state_get_u32(r) == n);
    if (!r->bad)
        state_get_bytes(r, p, n);
}

static bool has(struct kvm *k, int cap)
{
    return ioctl(k->sys_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/* The MSRs KVM saves and restores for a vCPU: 0, or -errno. */
static int msr_list(struct kvm *k, struct kvm_msr_list **list)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    if (ioctl(k->sys_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
        return -errno;
    *list = calloc(1, sizeof(**list) + probe.nmsrs * sizeof(uint32_t));
    if (!*list)
        return -ENOMEM;
    (*list)->nmsrs = probe.nmsrs;
    if (ioctl(k->sys_fd, KVM_GET_MSR_INDEX_LIST, *list) < 0) {
        int err = -errno;
        free(*list);
        return err;
    }
    return 0;
}

/* One MSR through KVM_GET_MSRS or KVM_SET_MSRS: true if KVM took it. */
static bool msr(int fd, unsigned long request, uint32_t index, uint64_t *value)
{
    struct {
        struct kvm_msrs head;
        struct kvm_msr_entry entry;
    } m = { .head.nmsrs = 1, .entry = { .index = index, .data = *value } };
    if (ioctl(fd, request, &m) != 1)
        return false;
    *value = m.entry.data;
    return true;
}

static struct {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    struct kvm_xsave xsave;
    struct kvm_xcrs xcrs;
    struct kvm_lapic_state lapic;
    struct kvm_vcpu_events events;
    struct kvm_mp_state mp;
    uint32_t n_msrs;
    uint32_t msr_index[MSRS_MAX];
    uint64_t msr_value[MSRS_MAX];
    bool has_xsave, has_xcrs;
} cpu;

int kvm_vcpu_save(void *opaque, struct state_writer *w)
{
    struct kvm_vcpu_part *p = opaque;
    int fd = p->vcpu->fd;
    cpu.has_xsave = has(p->kvm, KVM_CAP_XSAVE);
    cpu.has_xcrs = has(p->kvm, KVM_CAP_XCRS);
    if (ioctl(fd, KVM_GET_REGS, &cpu.regs) < 0 || ioctl(fd, KVM_GET_SREGS, &cpu.sregs) < 0 ||
        ioctl(fd, KVM_GET_FPU, &cpu.fpu) < 0 ||
        (cpu.has_xsave && ioctl(fd, KVM_GET_XSAVE, &cpu.xsave) < 0) ||
        (cpu.has_xcrs && ioctl(fd, KVM_GET_XCRS, &cpu.xcrs) < 0) ||
        ioctl(fd, KVM_GET_LAPIC, &cpu.lapic) < 0 ||
        ioctl(fd, KVM_GET_VCPU_EVENTS, &cpu.events) < 0 ||
        ioctl(fd, KVM_GET_MP_STATE, &cpu.mp) < 0)
        return -errno;
    struct kvm_msr_list *list = NULL;
    int err = msr_list(p->kvm, &list);
    if (err)
        return err;
    cpu.n_msrs = 0;
    for (uint32_t i = 0; i < list->nmsrs && cpu.n_msrs < MSRS_MAX; i++) {
        uint64_t value = 0;
        if (msr(fd, KVM_GET_MSRS, list->indices[i], &value)) {
            cpu.msr_index[cpu.n_msrs] = list->indices[i];
            cpu.msr_value[cpu.n_msrs++] = value;
        }
    }
    free(list);
    put_blob(w, &cpu.regs, sizeof(cpu.regs));
    put_blob(w, &cpu.sregs, sizeof(cpu.sregs));
    put_blob(w, &cpu.fpu, sizeof(cpu.fpu));
    state_put_u8(w, cpu.has_xsave);
    if (cpu.has_xsave)
        put_blob(w, &cpu.xsave, sizeof(cpu.xsave));
    state_put_u8(w, cpu.has_xcrs);
    if (cpu.has_xcrs)
        put_blob(w, &cpu.xcrs, sizeof(cpu.xcrs));
    put_blob(w, &cpu.lapic, sizeof(cpu.lapic));
    put_blob(w, &cpu.events, sizeof(cpu.events));
    put_blob(w, &cpu.mp, sizeof(cpu.mp));
    state_put_u32(w, cpu.n_msrs);
    for (uint32_t i = 0; i < cpu.n_msrs; i++) {
        state_put_u32(w, cpu.msr_index[i]);
        state_put_u64(w, cpu.msr_value[i]);
    }
    return 0;
}

int kvm_vcpu_load(void *opaque, struct state_reader *r, bool commit)
{
    struct kvm_vcpu_part *p = opaque;
    get_blob(r, &cpu.regs, sizeof(cpu.regs));
    get_blob(r, &cpu.sregs, sizeof(cpu.sregs));
    get_blob(r, &cpu.fpu, sizeof(cpu.fpu));
    cpu.has_xsave = state_get_bool(r);
    if (cpu.has_xsave)
        get_blob(r, &cpu.xsave, sizeof(cpu.xsave));
    cpu.has_xcrs = state_get_bool(r);
    if (cpu.has_xcrs)
        get_blob(r, &cpu.xcrs, sizeof(cpu.xcrs));
    get_blob(r, &cpu.lapic, sizeof(cpu.lapic));
    get_blob(r, &cpu.events, sizeof(cpu.events));
    get_blob(r, &cpu.mp, sizeof(cpu.mp));
    cpu.n_msrs = state_get_u32(r);
    state_check(r, cpu.n_msrs <= MSRS_MAX);
    for (uint32_t i = 0; !r->bad && i < cpu.n_msrs; i++) {
        cpu.msr_index[i] = state_get_u32(r);
        cpu.msr_value[i] = state_get_u64(r);
    }
    /* A state this KVM cannot hold is refused before anything is set. */
    state_check(r, (!cpu.has_xsave || has(p->kvm, KVM_CAP_XSAVE)) &&
                   (!cpu.has_xcrs || has(p->kvm, KVM_CAP_XCRS)));
    int err = state_reader_done(r);
    if (err || !commit)
        return err;
    int fd = p->vcpu->fd;
    ioctl(fd, KVM_SET_SREGS, &cpu.sregs);
    ioctl(fd, KVM_SET_REGS, &cpu.regs);
    ioctl(fd, KVM_SET_FPU, &cpu.fpu);
    if (cpu.has_xsave)
        ioctl(fd, KVM_SET_XSAVE, &cpu.xsave);
    if (cpu.has_xcrs)
        ioctl(fd, KVM_SET_XCRS, &cpu.xcrs);
    for (uint32_t i = 0; i < cpu.n_msrs; i++)
        msr(fd, KVM_SET_MSRS, cpu.msr_index[i], &cpu.msr_value[i]);
    ioctl(fd, KVM_SET_MP_STATE, &cpu.mp);
    ioctl(fd, KVM_SET_LAPIC, &cpu.lapic);
    ioctl(fd, KVM_SET_VCPU_EVENTS, &cpu.events);
    return 0;
}

static struct {
    struct kvm_irqchip chip[IRQCHIPS];
    struct kvm_pit_state2 pit;
    struct kvm_clock_data clock;
} vmstate;

int kvm_vm_save(void *opaque, struct state_writer *w)
{
    struct kvm *k = opaque;
    for (unsigned c = 0; c < IRQCHIPS; c++) {
        vmstate.chip[c] = (struct kvm_irqchip){ .chip_id = c };
        if (ioctl(k->vm_fd, KVM_GET_IRQCHIP, &vmstate.chip[c]) < 0)
            return -errno;
    }
    if (ioctl(k->vm_fd, KVM_GET_PIT2, &vmstate.pit) < 0 ||
        ioctl(k->vm_fd, KVM_GET_CLOCK, &vmstate.clock) < 0)
        return -errno;
    for (unsigned c = 0; c < IRQCHIPS; c++)
        put_blob(w, &vmstate.chip[c], sizeof(vmstate.chip[c]));
    put_blob(w, &vmstate.pit, sizeof(vmstate.pit));
    state_put_u64(w, vmstate.clock.clock);
    return 0;
}

int kvm_vm_load(void *opaque, struct state_reader *r, bool commit)
{
    struct kvm *k = opaque;
    for (unsigned c = 0; c < IRQCHIPS; c++) {
        get_blob(r, &vmstate.chip[c], sizeof(vmstate.chip[c]));
        state_check(r, vmstate.chip[c].chip_id == c);
    }
    get_blob(r, &vmstate.pit, sizeof(vmstate.pit));
    vmstate.clock = (struct kvm_clock_data){ .clock = state_get_u64(r) };
    int err = state_reader_done(r);
    if (err || !commit)
        return err;
    for (unsigned c = 0; c < IRQCHIPS; c++)
        ioctl(k->vm_fd, KVM_SET_IRQCHIP, &vmstate.chip[c]);
    ioctl(k->vm_fd, KVM_SET_PIT2, &vmstate.pit);
    ioctl(k->vm_fd, KVM_SET_CLOCK, &vmstate.clock);
    return 0;
}
