/* The riscv64 `virt` machine of `vm boot` (system/boot.h), laid out as QEMU's virt board
 * (system/virt.h): RAM at 0x80000000, the SiFive test device, the Goldfish RTC, the ACLINT,
 * the PLIC, an NS16550A UART on the console, virtio-mmio slots holding the disks
 * (--drive) and an RNG, and a device tree describing them. With
 * firmware (OpenSBI's fw_dynamic by default) every hart starts at 0x80000000 with a0 = its
 * id, a1 = the device tree and a2 = the fw_dynamic info naming the kernel as the next stage
 * in S-mode (OpenSBI picks the boot hart; the others wait for it); with `--bios=none` the
 * kernel starts there itself in M-mode on every hart. A bare-metal ELF that defines `tohost`
 * gets the HTIF device on that page. Each hart runs on a thread of its own (as QEMU's MTTCG),
 * sharing RAM, the devices and the translated code; devices are accessed under one lock. The
 * run loop of each hart hands exceptions to the guest, sleeps after WFI until an interrupt
 * can be taken, and on hart 0 lets devices update their interrupt lines whenever it leaves
 * guest code (the console's input and the devices' host timers make it leave). */
#include "system/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/debug.h"
#include "core/log.h"
#include "core/machine.h"
#include "dev/aclint.h"
#include "dev/console.h"
#include "dev/goldfish_rtc.h"
#include "dev/host_timer.h"
#include "dev/ns16550.h"
#include "dev/plic.h"
#include "dev/pvpanic.h"
#include "dev/sifive_test.h"
#include "dev/virtio_blk.h"
#include "dev/net_slirp.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"
#include "exec/exec.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/system.h"
#include "mem/softmmu.h"
#include "system/htif.h"
#include "system/loader.h"
#include "system/virt.h"

#define EM_RISCV 243
#define MIB (1ull << 20)
#define KERNEL_ALIGN (2 * MIB)     /* a kernel after firmware starts on a 2 MiB boundary */
#define FDT_MAX (64 * 1024)

/* OpenSBI's fw_dynamic info (docs/firmware/fw_dynamic.md), version 2. */
#define FW_DYNAMIC_MAGIC 0x4942534full    /* "OSBI" */
#define FW_DYNAMIC_VERSION 2
#define FW_DYNAMIC_NEXT_S 1
struct fw_dynamic_info {
    uint64_t magic, version, next_addr, next_mode, options, boot_hart;
};

struct virt;

/* A hart: its CPU, its address space (its own TLB over the shared physical map) and the
 * thread that runs it. */
struct hart {
    struct virt *v;
    unsigned id;
    struct cpu *cpu;
    struct softmmu sm;
    pthread_t thread;
};

struct virt {
    const struct boot_config *c;
    struct machine machine;
    struct guest_ram ram;
    struct physmap map;
    pthread_mutex_t mmio_lock;     /* every device access (physmap.mmio_lock) */
    struct hart harts[VIRT_HARTS_MAX];
    struct cpu *cpu;               /* hart 0's, which polls the devices */
    struct htif htif;
    struct console console;
    struct host_timer aclint_timer, rtc_timer;
    struct ns16550 uart;
    struct aclint aclint;
    struct plic plic;
    struct goldfish_rtc rtc;
    struct sifive_test test;
    struct pvpanic pvpanic;
    struct virtio_blk blk[BOOT_DRIVES_MAX];
    unsigned n_blk;                /* disks open */
    struct virtio_rng rng;
    struct virtio_net net;
    struct net_slirp *slirp;       /* --net=user, or NULL */
    struct virtio_mmio *net_slot;  /* the net device's transport, or NULL */
    /* The virtio-mmio slots in use, from 0: the disks in --drive order, the network card
     * (--net), then the RNG; the
     * slots after them hold no device (ID 0), as on QEMU's board, until a disk is
     * hot-plugged into one (NULL: empty). */
    const struct virtio_device *slot_dev[VIRT_VIRTIO_SLOTS];
    struct virtio_mmio virtio[VIRT_VIRTIO_SLOTS];
    unsigned n_virtio;             /* slots filled at boot */
    /* Hot-plug: each slot's disk (a --drive one or hot_blk's), whether the slot's device has
     * changed since boot (which a snapshot cannot hold), and the hot-plugged disks' files. */
    struct virtio_blk *slot_disk[VIRT_VIRTIO_SLOTS];
    bool slot_changed[VIRT_VIRTIO_SLOTS];
    struct virtio_blk hot_blk[VIRT_VIRTIO_SLOTS];
    char *hot_path[VIRT_VIRTIO_SLOTS];
    unsigned next_disk;            /* the number of the next disk's id, vm-disk-N */
    uint64_t entry, fdt_addr, info_addr;
    bool ended, reboot;
    bool stopping;                 /* every hart's loop ends (the machine ends or reboots) */
    int status;
};

/* The hart whose thread this is (NULL on other threads). */
static __thread struct cpu *this_hart;

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Code is fetched through the MMU index of the privilege level blocks are looked up under
 * (tb_flags); blocks are known by the physical address of their code. */
static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    return softmmu_fetch(cpu, pc, buf, len, rv_fetch_mmu(cpu->tb_flags & RV_TBF_PRIV_MASK));
}

static int code_addr(struct cpu *cpu, uint64_t pc, uint64_t *pa)
{
    return softmmu_code_addr(cpu, pc, rv_fetch_mmu(cpu->tb_flags & RV_TBF_PRIV_MASK), pa);
}

/* A debugger (vm boot --gdb) sees memory as the hart's code does: through its translation. */
static int debug_read(struct cpu *cpu, uint64_t addr, void *buf, uint64_t len)
{
    return softmmu_debug_access(cpu, addr, buf, len, false,
                                rv_fetch_mmu(cpu->tb_flags & RV_TBF_PRIV_MASK));
}

static int debug_write(struct cpu *cpu, uint64_t addr, const void *buf, uint64_t len)
{
    return softmmu_debug_access(cpu, addr, (void *)buf, len, true,
                                rv_fetch_mmu(cpu->tb_flags & RV_TBF_PRIV_MASK));
}

static const struct debug_memory hart_debug_memory = { .read = debug_read, .write = debug_write };

/* A hart's interrupt inputs (opaque: its CPU): an irq line's number is its mip bit
 * (RV_MIP_*). Only a change goes to riscv64_set_pending, whose raising makes the hart leave
 * guest code or its wait: devices repeat their levels at every poll. Safe from any thread. */
static void hart_irq(void *opaque, unsigned mip_bit, bool level)
{
    struct cpu *cpu = opaque;
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    bool was = __atomic_load_n(&r->mip, __ATOMIC_ACQUIRE) & mip_bit;
    if (level != was)
        riscv64_set_pending(cpu, mip_bit, level);
    else if (level && mip_bit == RV_MIP_MSIP)
        riscv64_wake(cpu);   /* an IPI is news to a hart stalled on the last one (WFI) */
}

/* The time CSR is the ACLINT's mtime, which the guest may set. */
static uint64_t hart_time(void *opaque)
{
    struct virt *v = opaque;
    return aclint_mtime(&v->aclint);
}

/* A hart's Sstc comparator is the ACLINT's, which compares it with mtime on its timer. */
static void hart_stimecmp(void *opaque, unsigned hart, uint64_t stimecmp, bool on)
{
    struct virt *v = opaque;
    pthread_mutex_lock(&v->mmio_lock);
    aclint_set_stimecmp(&v->aclint, hart, stimecmp, on);
    pthread_mutex_unlock(&v->mmio_lock);
}

/* The console's input, the RTC's alarm and frames for the guest (from their threads,
 * possibly before the harts exist): hart 0 leaves guest code (or its wait) and its loop
 * polls the devices. */
static void kick(void *opaque)
{
    struct virt *v = opaque;
    struct cpu *cpu = __atomic_load_n(&v->cpu, __ATOMIC_ACQUIRE);
    if (cpu)
        riscv64_wake(cpu);
}

/* A pause or quit asked for (machine.kick): harts sleeping after WFI wake to see it. */
static void wake_harts(struct machine *m)
{
    struct virt *v = (struct virt *)((char *)m - offsetof(struct virt, machine));
    for (unsigned h = 0; h < v->c->cpus; h++)
        riscv64_wake(v->harts[h].cpu);
}

/* The machine ends or reboots: every hart's loop ends. Any thread. */
static void stop_harts(void *opaque)
{
    struct virt *v = opaque;
    __atomic_store_n(&v->stopping, true, __ATOMIC_SEQ_CST);
    for (unsigned h = 0; h < v->c->cpus; h++)
        riscv64_wake(v->harts[h].cpu);
}

/* The ACLINT's next deadline came (on its timer's thread): the harts whose mtimecmp passed
 * get their timer interrupt, and the timer is armed for the next deadline, without waking
 * hart 0 for another hart's interrupt. */
static void aclint_timer_fired(void *opaque)
{
    struct virt *v = opaque;
    pthread_mutex_lock(&v->mmio_lock);
    aclint_poll(&v->aclint);
    pthread_mutex_unlock(&v->mmio_lock);
}

static void uart_write(void *opaque, uint8_t byte)
{
    console_write(opaque, byte);
}

static int uart_read(void *opaque)
{
    return console_read(opaque);
}

static void guest_panicked(void *opaque, unsigned events)
{
    struct virt *v = opaque;
    machine_guest_panicked(&v->machine, events & PVPANIC_CRASH_LOADED);
}

static void test_request(void *opaque, enum sifive_test_request what, unsigned code)
{
    struct virt *v = opaque;
    if (v->ended || v->reboot)
        return;             /* the first request wins: the rest of its block still runs */
    if (what == SIFIVE_TEST_RESET) {
        v->reboot = true;
    } else {
        v->ended = true;
        /* A failure always ends vm with a failing status, at most 255. */
        v->status = what == SIFIVE_TEST_PASS ? 0 : code == 0 ? 1 : code > 255 ? 255 : (int)code;
    }
    stop_harts(v);
}

/* RAM around the HTIF page (if the kernel has one), which becomes the device. */
static int map_ram(struct virt *v)
{
    uint8_t *ram = v->ram.host;
    uint64_t size = v->ram.size;
    if (!v->htif.page)
        return physmap_add_ram(&v->map, VIRT_RAM_BASE, size, ram);
    uint64_t low = v->htif.page_pa - VIRT_RAM_BASE, high = low + SOFTMMU_PAGE_SIZE;
    int err = 0;
    if (low)
        err = physmap_add_ram(&v->map, VIRT_RAM_BASE, low, ram);
    if (!err && high < size)
        err = physmap_add_ram(&v->map, VIRT_RAM_BASE + high, size - high, ram + high);
    if (!err)
        err = physmap_add_mmio(&v->map, v->htif.page_pa, SOFTMMU_PAGE_SIZE, &htif_mmio_ops,
                               &v->htif);
    return err;
}

/* Devices wrote RAM (on the thread of the hart that accessed them or polled them):
 * translated code on it is dropped. */
static void dma_written(void *opaque, uint64_t pa, uint64_t len)
{
    struct virt *v = opaque;
    softmmu_dma_written(this_hart ? this_hart : v->cpu, pa, len);
}

/* Opens the disks and the network and fills the virtio slots: 0, or -1 after printing why. */
static int setup_virtio(struct virt *v)
{
    const struct boot_config *c = v->c;
    for (unsigned d = 0; d < c->n_drives; d++) {
        if (virtio_blk_open(&v->blk[d], c->drives[d].path, c->drives[d].readonly, d) < 0)
            return -1;
        v->n_blk++;
        v->slot_disk[v->n_virtio] = &v->blk[d];
        v->slot_dev[v->n_virtio++] = &v->blk[d].dev;
    }
    v->next_disk = c->n_drives;
    if (c->net) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        if (net_slirp_open(&v->slirp, c->net, kick, v) < 0)
            return -1;
        virtio_net_init(&v->net, mac, net_slirp_backend(v->slirp));
        v->net_slot = &v->virtio[v->n_virtio];
        v->slot_dev[v->n_virtio++] = &v->net.dev;
    }
    virtio_rng_init(&v->rng);
    v->slot_dev[v->n_virtio++] = &v->rng.dev;
    return 0;
}

static int map_devices(struct virt *v)
{
    const struct { uint64_t base, size; const struct mmio_ops *ops; void *opaque; } devices[] = {
        { VIRT_TEST_BASE, SIFIVE_TEST_SIZE, &sifive_test_mmio_ops, &v->test },
        { VIRT_RTC_BASE, GOLDFISH_RTC_SIZE, &goldfish_rtc_mmio_ops, &v->rtc },
        { VIRT_PVPANIC_BASE, PVPANIC_SIZE, &pvpanic_mmio_ops, &v->pvpanic },
        { VIRT_ACLINT_BASE, ACLINT_SIZE, &aclint_mmio_ops, &v->aclint },
        { VIRT_PLIC_BASE, PLIC_SIZE, &plic_mmio_ops, &v->plic },
        { VIRT_UART_BASE, NS16550_SIZE, &ns16550_mmio_ops, &v->uart },
    };
    int err = map_ram(v);
    for (size_t k = 0; !err && k < sizeof(devices) / sizeof(devices[0]); k++)
        err = physmap_add_mmio(&v->map, devices[k].base, devices[k].size, devices[k].ops,
                               devices[k].opaque);
    for (unsigned i = 0; !err && i < VIRT_VIRTIO_SLOTS; i++)
        err = physmap_add_mmio(&v->map, VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE,
                               VIRTIO_MMIO_SIZE,
                               &v->virtio[i] == v->net_slot ? &virtio_mmio_unsaved_ops
                                                            : &virtio_mmio_ops,
                               &v->virtio[i]);
    return err;
}

/* The HTIF device of a kernel that defines tohost. 0, or -1 after printing why not. */
static int setup_htif(struct virt *v, const struct loaded_image *k)
{
    if (!k->tohost)
        return 0;
    if (k->tohost % 8 || k->tohost < VIRT_RAM_BASE || k->tohost - VIRT_RAM_BASE > v->ram.size - 8 ||
        (k->fromhost && k->fromhost % 8)) {
        vm_error("%s: tohost or fromhost is misaligned or outside RAM", v->c->kernel);
        return -1;
    }
    v->htif.page_pa = k->tohost & ~(SOFTMMU_PAGE_SIZE - 1);
    v->htif.page = v->ram.host + (v->htif.page_pa - VIRT_RAM_BASE);
    v->htif.tohost = k->tohost;
    v->htif.fromhost = k->fromhost;
    v->htif.map = &v->map;
    v->htif.out_fd = 1;
    v->htif.exited_fn = stop_harts;
    v->htif.opaque = v;
    return 0;
}

/* Loads the firmware, the kernel and the initrd, and writes the device tree and the
 * fw_dynamic info: everything the hart finds in RAM at reset. 0, or -1 after printing why. */
static int load_images(struct virt *v, bool first)
{
    const struct boot_config *c = v->c;
    struct loaded_image fw = { 0 }, k = { 0 }, rd = { 0 };
    uint64_t kernel_addr = VIRT_RAM_BASE, end = VIRT_RAM_BASE;
    if (c->bios) {
        if (loader_load(c->bios, &v->ram, EM_RISCV, LOAD_RAW, VIRT_RAM_BASE, &fw) < 0)
            return -1;
        kernel_addr = align_up(fw.end, KERNEL_ALIGN);
        end = fw.end;
    }
    if (c->kernel) {
        if (loader_load(c->kernel, &v->ram, EM_RISCV,
                        c->bios ? LOAD_PAYLOAD : LOAD_LINUX_IMAGE, kernel_addr, &k) < 0)
            return -1;
        if (c->bios && k.start < fw.end) {
            vm_error("%s: overlaps the firmware (which ends at 0x%" PRIx64 ")", c->kernel,
                     fw.end);
            return -1;
        }
        if (first && setup_htif(v, &k) < 0)
            return -1;
        if (k.end > end)
            end = k.end;
    }
    if (c->initrd) {
        uint64_t at = align_up(end, KERNEL_ALIGN);
        if (loader_load(c->initrd, &v->ram, EM_RISCV, LOAD_RAW, at, &rd) < 0)
            return -1;
        if (rd.start != at) {
            vm_error("%s: an initrd cannot be an ELF file", c->initrd);
            return -1;
        }
        end = rd.end;
    }
    static uint8_t fdt[FDT_MAX];
    /* Every slot is in the tree, the empty ones too, so a disk can be hot-plugged into one. */
    struct virt_fdt_config fc = { c->cpus, v->ram.size, c->append, rd.start, rd.end,
                                  VIRT_VIRTIO_SLOTS };
    int size = virt_fdt_build(fdt, sizeof(fdt), &fc);
    if (size < 0) {
        vm_error("boot: cannot build the device tree: %s", strerror(-size));
        return -1;
    }
    /* At the top of RAM on a 2 MiB boundary as QEMU puts it, or just below the top when
     * that would cover an image; the fw_dynamic info just below the tree. */
    uint64_t need = (uint64_t)size + sizeof(struct fw_dynamic_info);
    uint64_t ram_end = VIRT_RAM_BASE + v->ram.size;
    v->fdt_addr = (ram_end - (uint64_t)size) & ~(KERNEL_ALIGN - 1);
    if (v->fdt_addr - sizeof(struct fw_dynamic_info) < end)
        v->fdt_addr = (ram_end - (uint64_t)size) & ~7ull;
    if (ram_end - end < need || v->fdt_addr - sizeof(struct fw_dynamic_info) < end) {
        vm_error("boot: the images leave no room in RAM for the device tree");
        return -1;
    }
    memcpy(v->ram.host + (v->fdt_addr - VIRT_RAM_BASE), fdt, (size_t)size);
    v->entry = c->bios ? VIRT_RAM_BASE : c->kernel ? k.entry : VIRT_RAM_BASE;
    v->info_addr = 0;
    if (c->bios) {
        struct fw_dynamic_info info = { FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION,
                                        c->kernel ? k.entry : kernel_addr, FW_DYNAMIC_NEXT_S,
                                        0, 0 };
        v->info_addr = v->fdt_addr - sizeof(info);
        memcpy(v->ram.host + (v->info_addr - VIRT_RAM_BASE), &info, sizeof(info));
    }
    if (c->dump_dtb) {
        int fd = open(c->dump_dtb, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, fdt, (size_t)size) != size) {
            vm_error("--dump-dtb=%s: %s", c->dump_dtb, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

/* Every device and the harts as at power-on, each hart at the entry with a0-a2 set. */
static void reset(struct virt *v)
{
    for (unsigned h = 0; h < v->c->cpus; h++) {
        struct cpu *cpu = v->harts[h].cpu;
        struct rv64_cpu *r = (struct rv64_cpu *)cpu;
        cpu->ops->system->reset(cpu);
        memset(r->x, 0, sizeof(r->x));
        r->x[10] = h;                          /* a0: the hart's id */
        r->x[11] = v->fdt_addr;                /* a1: the device tree */
        r->x[12] = v->info_addr;               /* a2: fw_dynamic's info, with firmware */
        cpu->pc = v->entry;
    }
    ns16550_init(&v->uart, (struct serial_backend){ uart_write, uart_read, &v->console },
                 (struct irq_line){ plic_set_source, &v->plic, VIRT_UART_IRQ });
    for (unsigned h = 0; h < v->c->cpus; h++) {
        struct cpu *cpu = v->harts[h].cpu;
        v->aclint.timer_irq[h] = (struct irq_line){ hart_irq, cpu, RV_MIP_MTIP };
        v->aclint.soft_irq[h] = (struct irq_line){ hart_irq, cpu, RV_MIP_MSIP };
        v->aclint.stimer_irq[h] = (struct irq_line){ hart_irq, cpu, RV_MIP_STIP };
        v->plic.out[2 * h] = (struct irq_line){ hart_irq, cpu, RV_MIP_MEIP };
        v->plic.out[2 * h + 1] = (struct irq_line){ hart_irq, cpu, RV_MIP_SEIP };
    }
    plic_init(&v->plic, 2 * v->c->cpus);
    aclint_init(&v->aclint, v->c->cpus, &v->aclint_timer);
    goldfish_rtc_init(&v->rtc, (struct irq_line){ plic_set_source, &v->plic, VIRT_RTC_IRQ },
                      &v->rtc_timer);
    v->test = (struct sifive_test){ test_request, v };
    v->pvpanic = (struct pvpanic){ guest_panicked, v };
    for (unsigned i = 0; i < VIRT_VIRTIO_SLOTS; i++)
        virtio_mmio_init(&v->virtio[i], v->slot_dev[i] ? v->slot_dev[i] : &virtio_mmio_empty,
                         (struct virtq_dma){ &v->map, dma_written, v },
                         (struct irq_line){ plic_set_source, &v->plic, VIRT_VIRTIO_IRQ + i });
}

static void poll_devices(struct virt *v)
{
    pthread_mutex_lock(&v->mmio_lock);
    ns16550_poll(&v->uart);
    aclint_poll(&v->aclint);
    goldfish_rtc_poll(&v->rtc);
    if (v->net_slot)
        virtio_net_poll(v->net_slot);
    pthread_mutex_unlock(&v->mmio_lock);
}

static bool ending(struct virt *v)
{
    return __atomic_load_n(&v->stopping, __ATOMIC_SEQ_CST) || v->htif.exited || v->ended ||
           v->reboot || v->console.quit;
}

/* Runs a hart until the machine ends or reboots (the guest powers off or exits through
 * HTIF, Ctrl-A X, the machine is told to quit), then makes the other harts end too.
 * Exceptions and, between blocks, interrupts enter the guest's handler, interrupts after
 * the devices have updated their lines. After WFI the hart sleeps outside guest code. */
static void *run_hart(void *opaque)
{
    struct hart *hart = opaque;
    struct virt *v = hart->v;
    struct cpu *cpu = hart->cpu;
    const struct guest_system_ops *sys = cpu->ops->system;
    this_hart = cpu;
    debug_cpu_added(cpu, (int)hart->id + 1);   /* hart h is gdb's thread h + 1 */
    if (hart->id == 0)
        debug_signal(cpu, SIGTRAP);   /* an attached debugger sees the first instruction */
    for (;;) {
        bool debugged = false;
        if (riscv64_waiting(cpu)) {
            riscv64_wait(cpu);
            debug_poll(cpu);   /* a debugger's interrupt may be what woke it */
        } else {
            exec_run(cpu);
            /* A breakpoint, a step or gdb's Ctrl-C: the hart stopped for gdb, and runs on. */
            debugged = debug_after_exit(cpu);
        }
        if (ending(v))
            break;
        if (hart->id == 0)
            poll_devices(v);
        if (cpu->exit_reason == CPU_EXIT_EXCEPTION && !debugged) {
            cpu->exit_reason = CPU_EXIT_NONE;
            sys->exception_enter(cpu, cpu->exc, cpu->exc_tval);
        }
        if (sys->interrupt_pending(cpu))
            sys->exception_enter(cpu, EXC_NONE, 0);
        if (machine_checkpoint(&v->machine))
            break;
    }
    stop_harts(v);
    return NULL;
}

/* Runs the harts until the machine ends, rebooting it when the guest asks: vm's status. */
static int run(struct virt *v)
{
    for (;;) {
        unsigned started = 0;
        int err = 0;
        v->stopping = false;
        for (; started < v->c->cpus; started++) {
            struct hart *h = &v->harts[started];
            if ((err = pthread_create(&h->thread, NULL, run_hart, h)) != 0)
                break;
        }
        if (err) {
            vm_error("boot: cannot start the harts' threads: %s", strerror(err));
            stop_harts(v);
        }
        for (unsigned h = 0; h < started; h++)
            pthread_join(v->harts[h].thread, NULL);
        if (err)
            return 1;
        if (v->htif.exited)
            return v->htif.exit_status > 255 ? 255 : (int)v->htif.exit_status;
        if (v->ended)
            return v->status;
        if (v->console.quit) {
            fprintf(stderr, "\nvm: terminated (Ctrl-A X)\n");
            return 0;
        }
        if (!v->reboot)          /* told to quit */
            return v->machine.exit_status;
        v->reboot = false;
        exec_invalidate(v->cpu, 0, UINT64_MAX);
        if (load_images(v, false) < 0)
            return 1;
        reset(v);
    }
}

/* ---- snapshots ---- */

static struct virt *virt_of(struct machine *m)
{
    return (struct virt *)((char *)m - offsetof(struct virt, machine));
}

/* Whether opaque is a virtio slot whose device is not its boot-time one. */
static bool changed_slot(const struct virt *v, const void *opaque)
{
    for (unsigned i = 0; i < VIRT_VIRTIO_SLOTS; i++)
        if (opaque == &v->virtio[i])
            return v->slot_changed[i];
    return false;
}

/* The configuration lines and the parts: the hart, every device of the physical map by its
 * name and address (so a device added to the map is in every snapshot, or makes it fail),
 * and the console. */
static int describe(struct machine *m, struct machine_image *img)
{
    struct virt *v = virt_of(m);
    size_t used = 0, size = sizeof(img->config);
    img->n_parts = 0;
    used += (size_t)snprintf(img->config + used, size - used,
                             "machine=riscv64-virt\nharts=%u\nmemory=%" PRIu64 "\n",
                             v->c->cpus, v->ram.size);
    int err = 0;
    for (unsigned h = 0; !err && h < v->c->cpus; h++) {
        struct cpu *cpu = v->harts[h].cpu;
        char name[MACHINE_PART_NAME];
        snprintf(name, sizeof(name), "cpu%u", h);
        err = machine_image_add(img, name, cpu->ops->system->save, cpu->ops->system->load, cpu);
    }
    for (unsigned k = 0; !err && k < v->map.count; k++) {
        const struct phys_range *r = &v->map.ranges[k];
        if (!r->mmio)
            continue;
        char name[MACHINE_PART_NAME];
        bool changed = changed_slot(v, r->opaque);
        snprintf(name, sizeof(name), "%s@0x%" PRIx64,
                 changed ? "virtio_mmio-hotplugged" : r->mmio->name, r->base);
        if (used < size)
            used += (size_t)snprintf(img->config + used, size - used, "device=%s\n", name);
        err = machine_image_add(img, name, changed ? NULL : r->mmio->save, r->mmio->load, r->opaque);
        if (!err && changed)
            img->parts[img->n_parts - 1].unsaved = "a disk was hot-plugged into its slot or "
                                                   "removed from it since boot";
    }
    if (!err)
        err = machine_image_add(img, "console", console_save, console_load, &v->console);
    if (!err && used >= size)
        err = -ENOSPC;
    img->ram = v->ram.host;
    img->ram_size = v->ram.size;
    return err;
}

/* Nothing translated from the old RAM may run again, and the ACLINT compares the loaded
 * harts' stimecmp. */
static void loaded(struct machine *m)
{
    struct virt *v = virt_of(m);
    for (unsigned h = 0; h < v->c->cpus; h++) {
        struct rv64_cpu *r = (struct rv64_cpu *)v->harts[h].cpu;
        hart_stimecmp(v, h, r->stimecmp, r->menvcfg & RV_MENVCFG_STCE);
    }
    exec_invalidate(v->cpu, 0, UINT64_MAX);
}

/* ---- hot-plug ---- */

static int refuse(char *why, size_t why_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t why_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *slot_device_name(const struct virt *v, unsigned i)
{
    switch (v->slot_dev[i] ? v->slot_dev[i]->id : 0) {
    case VIRTIO_ID_BLOCK: return "virtio-blk";
    case VIRTIO_ID_NET: return "virtio-net";
    case VIRTIO_ID_RNG: return "virtio-rng";
    }
    return "nothing";
}

static void describe_slot(const struct virt *v, unsigned i, struct machine_device *d)
{
    const struct virtio_blk *b = v->slot_disk[i];
    snprintf(d->name, sizeof(d->name), "%s", b->id);
    d->driver = "virtio-blk";
    d->slot = (int)i;
    d->readonly = b->readonly;
    d->file = b >= v->blk && b < v->blk + BOOT_DRIVES_MAX ? v->c->drives[b - v->blk].path
                                                          : v->hot_path[i];
    d->base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE;
    d->irq = VIRT_VIRTIO_IRQ + i;
}

/* A virtio-blk disk on the image d->file into slot d->slot or the first free one. */
/* The slots holding a device now, at boot or hot-plugged. */
static unsigned device_io(struct machine *m, struct machine_device_io *io)
{
    struct virt *v = virt_of(m);
    unsigned n = 0;
    for (unsigned i = 0; i < VIRT_VIRTIO_SLOTS && n < MACHINE_DEVICES_MAX; i++) {
        const struct virtio_device *dev = __atomic_load_n(&v->virtio[i].dev, __ATOMIC_RELAXED);
        if (dev && dev->id)
            virtio_mmio_io(&v->virtio[i], VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE, &io[n++]);
    }
    return n;
}

static int device_add(struct machine *m, struct machine_device *d, char *why, size_t why_size)
{
    struct virt *v = virt_of(m);
    if (strcmp(d->driver, "virtio-blk"))
        return refuse(why, why_size, "unknown driver: %.100s (virtio-blk is the only one)",
                      d->driver);
    int slot = d->slot;
    if (slot >= VIRT_VIRTIO_SLOTS)
        return refuse(why, why_size, "no slot %d (the machine has virtio slots 0 to %d)", slot,
                      VIRT_VIRTIO_SLOTS - 1);
    if (slot >= 0 && v->slot_dev[slot])
        return refuse(why, why_size, "slot %d is busy (it holds %s)", slot,
                      slot_device_name(v, (unsigned)slot));
    for (unsigned i = 0; slot < 0 && i < VIRT_VIRTIO_SLOTS; i++)
        if (!v->slot_dev[i])
            slot = (int)i;
    if (slot < 0)
        return refuse(why, why_size, "no free virtio slot (all %d hold devices)",
                      VIRT_VIRTIO_SLOTS);
    struct virtio_blk *b = &v->hot_blk[slot];
    const char *not_opened;
    if (virtio_blk_try_open(b, d->file, d->readonly, v->next_disk, &not_opened) < 0)
        return refuse(why, why_size, "%.400s: %s", d->file, not_opened);
    char *path = strdup(d->file);
    if (!path) {
        virtio_blk_close(b);
        return refuse(why, why_size, "out of memory");
    }
    free(v->hot_path[slot]);   /* the last disk's, kept for its device-removed reply */
    v->hot_path[slot] = path;
    v->next_disk++;
    v->slot_disk[slot] = b;
    v->slot_dev[slot] = &b->dev;
    v->slot_changed[slot] = true;
    pthread_mutex_lock(&v->mmio_lock);
    virtio_mmio_plug(&v->virtio[slot], &b->dev);
    pthread_mutex_unlock(&v->mmio_lock);
    describe_slot(v, (unsigned)slot, d);
    return 0;
}

/* Takes the disk d->id or in slot d->slot out, once what the guest wrote is on storage. */
static int device_remove(struct machine *m, struct machine_device *d, char *why,
                         size_t why_size)
{
    struct virt *v = virt_of(m);
    int slot = d->slot;
    if (d->id) {
        for (unsigned i = 0; slot < 0 && i < VIRT_VIRTIO_SLOTS; i++)
            if (v->slot_disk[i] && !strcmp(v->slot_disk[i]->id, d->id))
                slot = (int)i;
        if (slot < 0)
            return refuse(why, why_size, "no device with id %.100s", d->id);
    }
    if (slot >= VIRT_VIRTIO_SLOTS)
        return refuse(why, why_size, "no slot %d (the machine has virtio slots 0 to %d)", slot,
                      VIRT_VIRTIO_SLOTS - 1);
    if (!v->slot_dev[slot])
        return refuse(why, why_size, "no device in slot %d", slot);
    if (!v->slot_disk[slot])
        return refuse(why, why_size, "slot %d holds %s, which cannot be removed (only disks "
                      "can)", slot, slot_device_name(v, (unsigned)slot));
    struct virtio_blk *b = v->slot_disk[slot];
    int err = virtio_blk_flush(b);
    if (err < 0)
        return refuse(why, why_size, "%s: cannot flush the disk: %s", b->id, strerror(-err));
    describe_slot(v, (unsigned)slot, d);
    pthread_mutex_lock(&v->mmio_lock);
    virtio_mmio_plug(&v->virtio[slot], &virtio_mmio_empty);
    pthread_mutex_unlock(&v->mmio_lock);
    virtio_blk_close(b);
    v->slot_disk[slot] = NULL;
    v->slot_dev[slot] = NULL;
    v->slot_changed[slot] = (unsigned)slot < v->n_virtio;
    return 0;
}

static int check_config(const struct boot_config *c)
{
    if (strcmp(c->machine, "virt")) {
        vm_error("--machine=%s: no such machine (virt is the only one)", c->machine);
        return -1;
    }
    if (c->cpus > VIRT_HARTS_MAX) {
        vm_error("--cpus=%u: the virt board has %u harts at most", c->cpus, VIRT_HARTS_MAX);
        return -1;
    }
    if (!c->bios && !c->kernel) {
        vm_error("boot: no kernel (--kernel=FILE)");
        return -1;
    }
    if (!strcmp(c->engine->name, "check")) {
        vm_error("--engine=check: runs in user mode only for now");
        return -1;
    }
    return 0;
}

/* Puts the next HEAP_HUGE bytes of the malloc heap on transparent huge pages, where the
 * kernel allows them on request: translation fills about 12 MB of it in a Linux boot with
 * small blocks (the blocks, their maps and links), 3,000 page faults of 4 KiB, a sixth of
 * the boot's faults. glibc grows the heap by HEAP_HUGE at a time from here on, and keeps it
 * (no trim below twice that); a heap that does not grow by brk (another allocator) is left
 * as it is. */
#define HEAP_HUGE (32u << 20)
#define HUGE_PAGE (2u << 20)
static void heap_on_huge_pages(void)
{
    mallopt(M_TOP_PAD, HEAP_HUGE);
    mallopt(M_TRIM_THRESHOLD, 2 * HEAP_HUGE);
    uintptr_t start = (uintptr_t)sbrk(0), end = start;
    void *taken[8];
    unsigned n = 0;
    while (n < 8 && end == start && (taken[n++] = malloc(64 << 10)) != NULL)
        end = (uintptr_t)sbrk(0);
    uintptr_t huge = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (end > huge)
        madvise((void *)huge, end - huge, MADV_HUGEPAGE);
    while (n)
        free(taken[--n]);
}

int boot_run(const struct boot_config *c)
{
    if (check_config(c) < 0)
        return 1;
    static struct virt v;
    v.c = c;
    v.ram.base = VIRT_RAM_BASE;
    v.ram.size = c->memory;
    v.ram.host = mmap(NULL, c->memory, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v.ram.host == MAP_FAILED) {
        vm_error("--memory: cannot allocate %" PRIu64 " bytes: %s", c->memory, strerror(errno));
        return 1;
    }
    /* As QEMU does: RAM on transparent huge pages where the kernel allows them on request.
     * A Linux boot fills its memory densely at both ends (the kernel and what it unpacks at
     * the bottom, the page array at the top): 3,100 page faults of 4 KiB become a few
     * dozen of 2 MiB. */
    madvise(v.ram.host, c->memory, MADV_HUGEPAGE);
    /* One malloc arena for every thread: translation allocates small blocks steadily (the
     * blocks, their maps and links), and a thread's own arena grows its heap by one
     * mprotect per page or two (glibc pads only the main arena's growth): 3000 system
     * calls, 2% of a Linux boot. The harts translate under one lock anyway. */
    mallopt(M_ARENA_MAX, 1);
    heap_on_huge_pages();
    const struct guest_ops *guest = guest_by_name("riscv64");
    int status = 1, err;
    if (setup_virtio(&v) < 0 || load_images(&v, true) < 0)
        goto out;
    if (c->dump_dtb) {
        status = 0;
        goto out;
    }
    if ((err = map_devices(&v)) < 0) {
        vm_error("boot: cannot build the physical map: %s", strerror(-err));
        goto out;
    }
    pthread_mutex_init(&v.mmio_lock, NULL);
    v.map.mmio_lock = &v.mmio_lock;   /* with one hart too: the ACLINT's timer thread polls it */
    for (unsigned h = 0; h < c->cpus; h++) {
        struct hart *hart = &v.harts[h];
        hart->v = &v;
        hart->id = h;
        hart->cpu = cpu_new(guest, c->engine);
        if (!hart->cpu) {
            vm_error("boot: %s", strerror(ENOMEM));
            goto out;
        }
        softmmu_init(&hart->sm, &v.map);
        hart->cpu->as = &hart->sm.as;
        hart->cpu->fetch_code = fetch_code;
        hart->cpu->code_addr = code_addr;
        struct rv64_cpu *r = (struct rv64_cpu *)hart->cpu;
        r->mhartid = h;
        r->read_time = hart_time;
        r->time_opaque = &v;
        r->stimecmp_changed = hart_stimecmp;
    }
    __atomic_store_n(&v.cpu, v.harts[0].cpu, __ATOMIC_RELEASE);
    if ((err = host_timer_start(&v.aclint_timer, aclint_timer_fired, &v)) < 0 ||
        (err = host_timer_start(&v.rtc_timer, kick, &v)) < 0 ||
        (err = console_open(&v.console, 0, 1, kick, &v)) < 0) {
        vm_error("boot: cannot start the devices' threads: %s", strerror(-err));
        goto out;
    }
    reset(&v);
    struct machine *m = &v.machine;
    machine_init(m, c->kernel ? c->kernel : c->bios);
    for (unsigned h = 0; h < c->cpus; h++)
        machine_add_cpu(m, v.harts[h].cpu);
    m->describe = describe;
    m->loaded = loaded;
    m->kick = wake_harts;
    m->device_add = device_add;
    m->device_remove = device_remove;
    m->device_io = device_io;
    if (c->created && (status = c->created(m, c->opaque)))
        goto out;
    machine_set_state(m, MACHINE_RUNNING);
    debug_memory = &hart_debug_memory;
    debug_kick = riscv64_wake;
    status = run(&v);
    debug_exited(status, 0);
    m->exit_status = status;
    machine_set_state(m, MACHINE_STOPPED);
out:
    console_close(&v.console);
    host_timer_stop(&v.rtc_timer);
    host_timer_stop(&v.aclint_timer);
    __atomic_store_n(&v.cpu, NULL, __ATOMIC_RELEASE);
    for (unsigned h = c->cpus; h-- > 0;)   /* vm exits after a machine: blocks go with it */
        cpu_free_at_exit(v.harts[h].cpu);
    net_slirp_close(v.slirp);
    for (unsigned d = 0; d < v.n_blk; d++)
        virtio_blk_close(&v.blk[d]);
    for (unsigned i = 0; i < VIRT_VIRTIO_SLOTS; i++) {
        if (v.hot_path[i] && v.slot_disk[i] == &v.hot_blk[i])
            virtio_blk_close(&v.hot_blk[i]);
        free(v.hot_path[i]);
    }
    munmap(v.ram.host, c->memory);
    return status;
}
