/* The x86-64 microVM machine on KVM: guest RAM at 0 (and above 4 GiB past 3 GiB), the
 * in-kernel PIC, IOAPIC, LAPIC and PIT, the 16550 UART of dev/ at port 0x3F8 on IRQ 4 and
 * the i8042's reset at port 0x64, virtio-mmio slots from dev/ (the --drive disks, the --net
 * card on user networking, then a virtio-rng) at MICROVM_VIRTIO_BASE + i * 0x1000 on
 * IRQ 5 + i, announced to Linux on its command line (virtio_mmio.device=4K@ADDR:IRQ), and
 * --cpus vCPUs, described by MP tables: vCPU 0 starts at the kernel's entry on vm's main
 * thread, the others, each on a thread of its own, wait in KVM for the guest's INIT and SIPI
 * through the in-kernel LAPICs. Port I/O exits dispatch through a second struct physmap whose addresses are port
 * numbers, MMIO exits through the machine's physical map; an access to a hole reads all ones
 * and writes nothing. A queue
 * notification costs no exit: KVM signals an eventfd per queue (ioeventfd on QueueNotify)
 * that the I/O thread serves with virtio_mmio_notify (user networking's frames for the guest
 * too: its kick is an eventfd of that thread), and a virtio slot's interrupt is an
 * irqfd into its GSI. irqfd pulses the line, so the slot's level becomes an edge when it
 * rises, as the PIC and an ISA pin of the IOAPIC take it; a driver acknowledges the
 * interrupt (the level falls) before it looks at the rings, so no completion goes unseen.
 * The console's reader thread kicks vCPU 0 out of KVM_RUN with a signal (immediate_exit),
 * and its thread passes the input to the UART. Devices are touched under one lock, by the
 * vCPU threads on their exits and by the I/O thread. The first vCPU to end the machine (the
 * i8042 reset, a triple fault, Ctrl-A X) gives vm's status and kicks the others out. The
 * machine's requests (pause, resume, quit: core/machine.h, from the control socket) kick
 * every vCPU the same way, and each parks in machine_checkpoint once the I/O of its last
 * exit is complete, so a paused machine's registers are those of an instruction boundary. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "accel/accel.h"
#include "accel/io_thread.h"
#include "accel/kvm.h"
#include "accel/kvm_state.h"
#include "accel/mptable.h"
#include "accel/x86_boot.h"
#include "core/log.h"
#include "dev/console.h"
#include "dev/i8042.h"
#include "dev/net_slirp.h"
#include "dev/ns16550.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "dev/virtio_rng.h"

#define COM1_PORT 0x3f8
#define COM1_PORTS 8
#define COM1_GSI 4
#define PORTS 0x10000

#define KICK_SIGNAL SIGUSR2
#define MICROVM_VIRTIO_BASE 0xc0000000ull   /* at the start of the hole below 4 GiB */
#define MICROVM_VIRTIO_STRIDE 0x1000ull
#define MICROVM_VIRTIO_GSI 5
#define MICROVM_VIRTIO_SLOTS (BOOT_DRIVES_MAX + 2)   /* the disks, the network, the RNG */
#define CMDLINE_MAX 4096

struct microvm {
    const struct boot_config *c;
    struct machine machine;
    struct machine_vcpu vcpu_stats[MPTABLE_CPUS_MAX];   /* what the services show of them */
    struct kvm_vcpu_part vcpu_part[MPTABLE_CPUS_MAX];   /* the vCPUs in snapshots */
    struct kvm kvm;
    struct kvm_vcpu vcpu[MPTABLE_CPUS_MAX];
    unsigned n_vcpus;
    struct x86_ram ram;
    uint64_t ram_size;
    struct physmap ports, mmio;
    struct physmap ram_map;        /* RAM alone: what the virtio devices reach */
    struct virtio_blk blk[BOOT_DRIVES_MAX];
    unsigned n_blk;
    struct virtio_rng rng;
    struct virtio_net net;
    struct net_slirp *slirp;       /* --net=user, or NULL */
    struct virtio_mmio *net_slot;  /* the net device's transport, or NULL */
    int net_kick_fd;               /* signalled by the network's thread when frames wait */
    struct virtio_mmio virtio[MICROVM_VIRTIO_SLOTS];
    unsigned n_virtio;
    bool virtio_level[MICROVM_VIRTIO_SLOTS];
    int irq_fd[MICROVM_VIRTIO_SLOTS];     /* each slot's irqfd */
    struct queue_notifier {
        struct microvm *m;
        struct virtio_mmio *t;
        unsigned q;
    } notifier[MICROVM_VIRTIO_SLOTS][VIRTIO_QUEUES_MAX];
    pthread_mutex_t lock;          /* the devices' */
    struct io_thread io;
    struct {                       /* for --log=kvm, counted under the lock */
        uint64_t port, mmio, mmio_notify, other;   /* exits to vm by reason */
        uint64_t ioeventfd, irqfd;  /* queue notifications and interrupts that took none */
    } count;
    char cmdline[CMDLINE_MAX];
    struct ns16550 uart;
    bool uart_level;
    struct i8042 i8042;
    struct console console;
    pthread_t thread[MPTABLE_CPUS_MAX];
    unsigned started;              /* vCPU threads running, from 0 (their kick targets) */
    bool reset;                    /* the i8042 reset was asked */
    bool ended;                    /* a vCPU ended the machine with status */
    int status;
};

static struct microvm vm;
/* The run structure of the vCPU on this thread, for the kick signal's handler. */
static __thread struct kvm_run *thread_run;

static void kick_handler(int sig)
{
    if (thread_run)
        thread_run->immediate_exit = 1;
}

static void kick_vcpu(struct microvm *m, unsigned i)
{
    if (i < __atomic_load_n(&m->started, __ATOMIC_ACQUIRE))
        pthread_kill(m->thread[i], KICK_SIGNAL);
}

static void kick(void *opaque)
{
    kick_vcpu(opaque, 0);
}

/* The machine's requests reach every vCPU. */
static void kick_vcpus(struct machine *machine)
{
    for (unsigned i = 0; i < vm.n_vcpus; i++)
        kick_vcpu(&vm, i);
}

/* Ends the machine with status unless a vCPU has already: whether this call did. */
static bool end_machine(struct microvm *m, int status)
{
    pthread_mutex_lock(&m->lock);
    bool first = !m->ended;
    if (first) {
        m->status = status;
        __atomic_store_n(&m->ended, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&m->lock);
    for (unsigned i = 0; first && i < m->n_vcpus; i++)
        kick_vcpu(m, i);
    return first;
}

static void uart_write(void *opaque, uint8_t byte)
{
    console_write(opaque, byte);
}

static int uart_read(void *opaque)
{
    return console_read(opaque);
}

static void uart_irq(void *opaque, unsigned gsi, bool level)
{
    struct microvm *m = opaque;
    if (level != m->uart_level) {
        m->uart_level = level;
        kvm_irq_line(&m->kvm, gsi, level);
    }
}

static void virtio_irq(void *opaque, unsigned gsi, bool level)
{
    struct microvm *m = opaque;
    unsigned slot = gsi - MICROVM_VIRTIO_GSI;
    bool rising = level && !m->virtio_level[slot];
    m->virtio_level[slot] = level;
    uint64_t one = 1;
    if (rising && write(m->irq_fd[slot], &one, sizeof(one)) == sizeof(one))
        m->count.irqfd++;
}

static void queue_notified(void *opaque, uint64_t count)
{
    struct queue_notifier *n = opaque;
    n->m->count.ioeventfd += count;
    virtio_mmio_notify(n->t, n->q);
}

/* Slot i's queue notifications through ioeventfd and its interrupt through irqfd. */
static int wire_slot(struct microvm *m, unsigned i, uint64_t base)
{
    m->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->irq_fd[i] < 0) {
        vm_error("kvm: eventfd: %s", strerror(errno));
        return -1;
    }
    if (kvm_irqfd(&m->kvm, MICROVM_VIRTIO_GSI + i, m->irq_fd[i]) < 0)
        return -1;
    for (unsigned q = 0; q < m->virtio[i].dev->queues; q++) {
        struct queue_notifier *n = &m->notifier[i][q];
        *n = (struct queue_notifier){ m, &m->virtio[i], q };
        int fd;
        if (io_thread_eventfd(&m->io, queue_notified, n, &fd) < 0 ||
            kvm_ioeventfd(&m->kvm, base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q, fd) < 0)
            return -1;
    }
    return 0;
}

/* Frames arrived for the guest (on the network's thread, which holds its own lock, never
 * the devices'): the I/O thread moves them in. */
static void net_kick(void *opaque)
{
    struct microvm *m = opaque;
    uint64_t one = 1;
    if (write(m->net_kick_fd, &one, sizeof(one)) < 0)
        return;   /* the counter is full: the I/O thread has a wake-up waiting anyway */
}

static void net_frames(void *opaque, uint64_t count)
{
    struct microvm *m = opaque;
    virtio_net_poll(m->net_slot);
}

/* Opens the disks and the network and puts them and the RNG in the virtio slots, in the MMIO
 * map, and on the kernel's command line after --append: 0, or -1 after printing why. */
static int setup_virtio(struct microvm *m)
{
    const struct boot_config *c = m->c;
    const struct virtio_device *dev[MICROVM_VIRTIO_SLOTS];
    for (unsigned d = 0; d < c->n_drives; d++) {
        if (virtio_blk_open(&m->blk[d], c->drives[d].path, c->drives[d].readonly, d) < 0)
            return -1;
        m->n_blk++;
        dev[m->n_virtio++] = &m->blk[d].dev;
    }
    if (c->net) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        if (io_thread_eventfd(&m->io, net_frames, m, &m->net_kick_fd) < 0 ||
            net_slirp_open(&m->slirp, c->net, net_kick, m) < 0)
            return -1;
        virtio_net_init(&m->net, mac, net_slirp_backend(m->slirp));
        m->net_slot = &m->virtio[m->n_virtio];
        dev[m->n_virtio++] = &m->net.dev;
    }
    virtio_rng_init(&m->rng);
    dev[m->n_virtio++] = &m->rng.dev;
    int err = physmap_add_ram(&m->ram_map, 0, m->ram.low, m->ram.host);
    if (!err && m->ram.high)
        err = physmap_add_ram(&m->ram_map, X86_RAM_HIGH_BASE, m->ram.high,
                              m->ram.host + m->ram.low);
    size_t used = (size_t)snprintf(m->cmdline, sizeof(m->cmdline), "%s", c->append ? c->append : "");
    for (unsigned i = 0; !err && i < m->n_virtio; i++) {
        uint64_t base = MICROVM_VIRTIO_BASE + i * MICROVM_VIRTIO_STRIDE;
        virtio_mmio_init(&m->virtio[i], dev[i], (struct virtq_dma){ &m->ram_map, NULL, NULL },
                         (struct irq_line){ virtio_irq, m, MICROVM_VIRTIO_GSI + i });
        err = physmap_add_mmio(&m->mmio, base, VIRTIO_MMIO_SIZE,
                               &m->virtio[i] == m->net_slot ? &virtio_mmio_unsaved_ops
                                                            : &virtio_mmio_ops,
                               &m->virtio[i]);
        if (!err && wire_slot(m, i, base) < 0)
            return -1;
        if (used < sizeof(m->cmdline))
            used += (size_t)snprintf(m->cmdline + used, sizeof(m->cmdline) - used,
                                     "%svirtio_mmio.device=4K@0x%" PRIx64 ":%u",
                                     used ? " " : "", base, MICROVM_VIRTIO_GSI + i);
    }
    if (err) {
        vm_error("boot: cannot build the physical map: %s", strerror(-err));
        return -1;
    }
    if (used >= sizeof(m->cmdline)) {
        vm_error("--append: too long");
        return -1;
    }
    return 0;
}

static void i8042_reset(void *opaque)
{
    struct microvm *m = opaque;
    m->reset = true;
}

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

/* An access of size bytes at addr in map: a device's register, or a hole. */
static uint64_t map_read(const struct physmap *map, uint64_t addr, unsigned size)
{
    const struct phys_range *r = physmap_find(map, addr, size);
    if (!r || !r->mmio)
        return all_ones(size);
    return r->mmio->read(r->opaque, addr - r->base, size) & all_ones(size);
}

static void map_write(const struct physmap *map, uint64_t addr, unsigned size, uint64_t value)
{
    const struct phys_range *r = physmap_find(map, addr, size);
    if (r && r->mmio)
        r->mmio->write(r->opaque, addr - r->base, size, value);
}

static void port_io(struct microvm *m, struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;
    m->count.port++;
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        uint64_t value = 0;
        if (run->io.direction == KVM_EXIT_IO_IN) {
            value = map_read(&m->ports, run->io.port, size);
            memcpy(data, &value, size);
        } else {
            memcpy(&value, data, size);
            map_write(&m->ports, run->io.port, size, value);
        }
    }
}

static void mmio(struct microvm *m, struct kvm_run *run)
{
    unsigned size = run->mmio.len;
    uint64_t value = 0;
    m->count.mmio++;
    if (size == 0 || size > 8)
        return;
    uint64_t slots = m->n_virtio * MICROVM_VIRTIO_STRIDE;
    if (run->mmio.is_write && run->mmio.phys_addr - MICROVM_VIRTIO_BASE < slots &&
        run->mmio.phys_addr % MICROVM_VIRTIO_STRIDE == VIRTIO_MMIO_QUEUE_NOTIFY)
        m->count.mmio_notify++;
    if (run->mmio.is_write) {
        memcpy(&value, run->mmio.data, size);
        map_write(&m->mmio, run->mmio.phys_addr, size, value);
    } else {
        value = map_read(&m->mmio, run->mmio.phys_addr, size);
        memcpy(run->mmio.data, &value, size);
    }
}

/* vm's resident memory beyond the guest RAM pages resident now (--log=kvm). */
static void log_memory(struct microvm *m)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned long size, resident = 0, guest = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    size_t pages = (size_t)(m->ram_size / (uint64_t)page);
    unsigned char vec[4096];
    for (size_t at = 0; at < pages; at += sizeof(vec)) {
        size_t n = pages - at < sizeof(vec) ? pages - at : sizeof(vec);
        if (mincore(m->ram.host + at * page, n * page, vec) < 0)
            break;
        for (size_t k = 0; k < n; k++)
            guest += vec[k] & 1;
    }
    vm_log(kvm, "kvm: vm's own resident memory %lu KiB (beyond %lu KiB of guest RAM)\n",
           (resident - guest) * page / 1024, guest * page / 1024);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Notes where vCPU v is, for the services. */
static void note_pc(struct microvm *m, struct kvm_vcpu *v)
{
    struct kvm_regs regs;
    if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0)
        m->vcpu_stats[v->id].pc = regs.rip;
}

/* A request is pending: the I/O vCPU v's last exit left is completed first (KVM_RUN with
 * immediate_exit finishes it and returns without entering the guest), then it parks while
 * a pause holds. True if the machine must quit. */
static bool park(struct microvm *m, struct kvm_vcpu *v)
{
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    ioctl(v->fd, KVM_RUN, 0);
    __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    note_pc(m, v);
    return machine_checkpoint(&m->machine);
}

/* Runs vCPU v until the machine ends or it ends the machine: its exit status then. */
static int run_vcpu(struct microvm *m, struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    struct machine_vcpu *stats = &m->vcpu_stats[v->id];
    bool first = v->id == 0;
    thread_run = run;
    for (;;) {
        __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&m->ended, __ATOMIC_ACQUIRE))
            return 0;
        /* A kick before the line above is seen here: it comes after the request. */
        if (__atomic_load_n(&m->machine.requests, __ATOMIC_ACQUIRE) && park(m, v))
            return m->machine.exit_status;
        if (m->console.quit) {
            if (end_machine(m, 0))
                fprintf(stderr, "\nvm: terminated (Ctrl-A X)\n");
            return 0;
        }
        if (v->id == 0) {
            pthread_mutex_lock(&m->lock);
            ns16550_poll(&m->uart);
            pthread_mutex_unlock(&m->lock);
        }
        if (first && log_enabled(kvm)) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            vm_log(kvm, "kvm: first KVM_RUN at %lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
        }
        first = false;
        uint64_t start = now_ns();
        int err = ioctl(v->fd, KVM_RUN, 0);
        stats->run_ns += now_ns() - start;
        if (err < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                stats->exits[kvm_exit_index(KVM_EXIT_INTR)]++;
                continue;
            }
            vm_error("kvm: KVM_RUN: %s", strerror(errno));
            return 1;
        }
        stats->exits[kvm_exit_index(run->exit_reason)]++;
        pthread_mutex_lock(&m->lock);
        if (run->exit_reason == KVM_EXIT_IO)
            port_io(m, run);
        else if (run->exit_reason == KVM_EXIT_MMIO)
            mmio(m, run);
        else
            m->count.other++;
        bool reset = m->reset;
        pthread_mutex_unlock(&m->lock);
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
        case KVM_EXIT_MMIO:
            break;
        case KVM_EXIT_SHUTDOWN:
            vm_error("guest: triple fault");
            return 1;
        case KVM_EXIT_INTERNAL_ERROR:
            vm_error("guest: KVM internal error (suberror %u)", run->internal.suberror);
            return 1;
        case KVM_EXIT_FAIL_ENTRY:
            vm_error("guest: the vCPU cannot enter the guest (hardware reason 0x%llx)",
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            return 1;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ||
                run->system_event.type == KVM_SYSTEM_EVENT_RESET)
                return 0;
            vm_error("guest: KVM system event %u", run->system_event.type);
            return 1;
        default:
            vm_error("guest: unexpected KVM exit %u", run->exit_reason);
            return 1;
        }
        if (reset)
            return 0;
    }
}

static void *vcpu_thread(void *opaque)
{
    struct kvm_vcpu *v = opaque;
    machine_vcpu_thread_started(&vm.vcpu_stats[v->id]);
    end_machine(&vm, run_vcpu(&vm, v));
    note_pc(&vm, v);
    machine_vcpu_thread_ended(&vm.vcpu_stats[v->id]);
    thread_run = NULL;   /* a later kick must not reach the run structure once unmapped */
    return NULL;
}

static int check_config(const struct boot_config *c)
{
    if (strcmp(c->machine, "microvm")) {
        vm_error("--machine=%s: --accel=kvm runs the microvm machine only", c->machine);
        return -1;
    }
    if (c->cpus > MPTABLE_CPUS_MAX) {
        vm_error("--cpus=%u: --accel=kvm runs at most %d vCPUs", c->cpus, MPTABLE_CPUS_MAX);
        return -1;
    }
    if (!c->kernel) {
        vm_error("boot: no kernel (--kernel=FILE)");
        return -1;
    }
    return 0;
}

static int map_devices(struct microvm *m)
{
    int err;
    if ((err = physmap_add_mmio(&m->ports, COM1_PORT, COM1_PORTS, &ns16550_mmio_ops,
                                &m->uart)) < 0 ||
        (err = physmap_add_mmio(&m->ports, I8042_BASE, I8042_SIZE, &i8042_ops,
                                &m->i8042)) < 0) {
        vm_error("boot: cannot build the port map: %s", strerror(-err));
        return -1;
    }
    return 0;
}

static int start_ram(struct microvm *m)
{
    const struct boot_config *c = m->c;
    m->ram_size = c->memory;
    m->ram.host = mmap(NULL, c->memory, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->ram.host == MAP_FAILED) {
        vm_error("--memory: cannot allocate %" PRIu64 " bytes: %s", c->memory, strerror(errno));
        return -1;
    }
    m->ram.low = c->memory < X86_RAM_LOW_MAX ? c->memory : X86_RAM_LOW_MAX;
    m->ram.high = c->memory - m->ram.low;
    if (kvm_add_ram(&m->kvm, 0, m->ram.low, m->ram.host) < 0 ||
        (m->ram.high && kvm_add_ram(&m->kvm, X86_RAM_HIGH_BASE, m->ram.high,
                                    m->ram.host + m->ram.low) < 0))
        return -1;
    return 0;
}

/* vCPU 0 at the kernel's entry, the others left by KVM uninitialized until the guest's INIT
 * and SIPI, and the MP tables naming them all. */
static int create_vcpus(struct microvm *m, uint64_t entry)
{
    mptable_write(&m->ram, m->c->cpus);
    for (unsigned i = 0; i < m->c->cpus; i++) {
        m->n_vcpus++;
        if (kvm_vcpu_create(&m->kvm, i, &m->vcpu[i]) < 0)
            return -1;
    }
    return x86_boot_vcpu(m->vcpu[0].fd, entry);
}

/* ---- snapshots ---- */

/* The configuration lines and the parts: KVM's VM state (irqchips, PIT, clock), every vCPU,
 * every device of the port and MMIO maps by name and address (a device added to a map is in
 * every snapshot, or makes it fail), and the console. */
static unsigned device_io(struct machine *machine, struct machine_device_io *io)
{
    (void)machine;
    unsigned n = 0;
    for (unsigned i = 0; i < vm.n_virtio && n < MACHINE_DEVICES_MAX; i++)
        virtio_mmio_io(&vm.virtio[i], MICROVM_VIRTIO_BASE + i * MICROVM_VIRTIO_STRIDE, &io[n++]);
    return n;
}

static int describe(struct machine *machine, struct machine_image *img)
{
    struct microvm *m = &vm;
    size_t used = 0, size = sizeof(img->config);
    img->n_parts = 0;
    used += (size_t)snprintf(img->config + used, size - used,
                             "machine=x86-64-microvm\nvcpus=%u\nmemory=%" PRIu64 "\n",
                             m->n_vcpus, m->ram_size);
    int err = machine_image_add(img, "kvm", kvm_vm_save, kvm_vm_load, &m->kvm);
    for (unsigned i = 0; !err && i < m->n_vcpus; i++) {
        char name[MACHINE_PART_NAME];
        snprintf(name, sizeof(name), "cpu%u", i);
        m->vcpu_part[i] = (struct kvm_vcpu_part){ &m->kvm, &m->vcpu[i] };
        err = machine_image_add(img, name, kvm_vcpu_save, kvm_vcpu_load, &m->vcpu_part[i]);
    }
    const struct { const struct physmap *map; const char *space; } maps[] = {
        { &m->ports, "port" }, { &m->mmio, "" },
    };
    for (unsigned k = 0; k < 2; k++)
        for (unsigned i = 0; !err && i < maps[k].map->count; i++) {
            const struct phys_range *r = &maps[k].map->ranges[i];
            if (!r->mmio)
                continue;
            char name[MACHINE_PART_NAME];
            snprintf(name, sizeof(name), "%s@%s0x%" PRIx64, r->mmio->name, maps[k].space, r->base);
            if (used < size)
                used += (size_t)snprintf(img->config + used, size - used, "device=%s\n", name);
            err = machine_image_add(img, name, r->mmio->save, r->mmio->load, r->opaque);
        }
    if (!err)
        err = machine_image_add(img, "console", console_save, console_load, &m->console);
    if (!err && used >= size)
        err = -ENOSPC;
    img->ram = m->ram.host;
    img->ram_size = m->ram_size;
    return err;
}

/* The vCPUs are where the snapshot put them. */
static void loaded(struct machine *machine)
{
    for (unsigned i = 0; i < vm.n_vcpus; i++)
        note_pc(&vm, &vm.vcpu[i]);
}

/* Runs vCPU 0 on this thread and each other vCPU on a thread of its own until the machine
 * ends: vm's exit status. vCPU 0 enters the guest with no thread to start first. */
static int run_vcpus(struct microvm *m)
{
    m->thread[0] = pthread_self();
    __atomic_store_n(&m->started, 1, __ATOMIC_RELEASE);
    for (unsigned i = 1; i < m->n_vcpus; i++) {
        int err = pthread_create(&m->thread[i], NULL, vcpu_thread, &m->vcpu[i]);
        if (err) {
            vm_error("boot: cannot start a vCPU thread: %s", strerror(err));
            end_machine(m, 1);
            break;
        }
        __atomic_store_n(&m->started, i + 1, __ATOMIC_RELEASE);
    }
    vcpu_thread(&m->vcpu[0]);
    for (unsigned i = 1; i < m->started; i++)
        pthread_join(m->thread[i], NULL);
    pthread_mutex_lock(&m->machine.lock);   /* kick_vcpus runs with it held */
    __atomic_store_n(&m->started, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&m->machine.lock);
    return m->status;
}

int microvm_boot(const struct boot_config *c)
{
    struct microvm *m = &vm;
    m->c = c;
    m->ram.host = MAP_FAILED;
    m->kvm.sys_fd = m->kvm.vm_fd = -1;
    for (unsigned i = 0; i < MICROVM_VIRTIO_SLOTS; i++)
        m->irq_fd[i] = -1;
    pthread_mutex_init(&m->lock, NULL);
    int status = 1, err;
    uint64_t entry;
    struct sigaction sa = { .sa_handler = kick_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
    if (io_thread_init(&m->io, &m->lock) < 0 || check_config(c) < 0)
        goto out;
    /* The console's and the I/O thread's first run overlaps KVM's setup, which mostly waits
     * (for grace periods and the PIT's kernel thread). */
    if ((err = console_open(&m->console, 0, 1, kick, m)) < 0) {
        vm_error("boot: cannot start the console: %s", strerror(-err));
        goto out;
    }
    if (io_thread_start(&m->io) < 0 || kvm_open(&m->kvm) < 0 || start_ram(m) < 0 ||
        kvm_create_irqchip(&m->kvm) < 0 || setup_virtio(m) < 0 ||
        x86_boot_load(&m->ram, c->kernel, c->initrd, m->cmdline, &entry) < 0 ||
        map_devices(m) < 0 || create_vcpus(m, entry) < 0)
        goto out;
    m->i8042 = (struct i8042){ i8042_reset, m };
    ns16550_init(&m->uart, (struct serial_backend){ uart_write, uart_read, &m->console },
                 (struct irq_line){ uart_irq, m, COM1_GSI });
    struct machine *machine = &m->machine;
    machine_init(machine, c->kernel);
    for (unsigned i = 0; i < m->n_vcpus; i++)
        machine_add_vcpu(machine, &m->vcpu_stats[i]);
    machine->vcpu_exit_names = kvm_exit_names;
    machine->kick = kick_vcpus;
    machine->describe = describe;
    machine->loaded = loaded;
    machine->device_io = device_io;
    if (c->created && (status = c->created(machine, c->opaque)))
        goto out;
    machine_set_state(machine, MACHINE_RUNNING);
    status = run_vcpus(m);
    machine->exit_status = status;
    machine_set_state(machine, MACHINE_STOPPED);
    log_memory(m);
    vm_log(kvm, "kvm: exits to vm: %" PRIu64 " port I/O, %" PRIu64 " MMIO (%" PRIu64
           " on QueueNotify), %" PRIu64 " other\n", m->count.port, m->count.mmio,
           m->count.mmio_notify, m->count.other);
    vm_log(kvm, "kvm: without an exit: %" PRIu64 " queue notifications through ioeventfd, %"
           PRIu64 " virtio interrupts through irqfd\n", m->count.ioeventfd, m->count.irqfd);
out:
    net_slirp_close(m->slirp);   /* before its kick's eventfd closes */
    io_thread_destroy(&m->io);
    console_close(&m->console);
    for (unsigned i = 0; i < m->n_vcpus; i++)
        kvm_vcpu_destroy(&m->kvm, &m->vcpu[i]);
    kvm_close(&m->kvm);
    for (unsigned i = 0; i < MICROVM_VIRTIO_SLOTS; i++)
        if (m->irq_fd[i] >= 0)
            close(m->irq_fd[i]);
    for (unsigned d = 0; d < m->n_blk; d++)
        virtio_blk_close(&m->blk[d]);
    if (m->ram.host != MAP_FAILED)
        munmap(m->ram.host, c->memory);
    return status;
}
