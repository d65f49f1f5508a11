/* The riscv64 `virt` machine of `vm boot` (system/boot.h): RAM at 0x80000000 as on QEMU's
 * virt board, one hart on a softmmu space, and a bare-metal ELF kernel started at its entry
 * (`--bios=none`) in M-mode. A kernel that defines `tohost` gets the HTIF device on that
 * page, through which it prints and ends the run with a status. Exceptions enter the guest's
 * trap handler (guest_system_ops). */
#include "system/boot.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "core/log.h"
#include "core/machine.h"
#include "exec/exec.h"
#include "guest/riscv64/cpu.h"
#include "mem/softmmu.h"
#include "system/htif.h"
#include "system/kernel_elf.h"

#define VIRT_RAM_BASE 0x80000000ull
#define EM_RISCV 243

/* Code is fetched through the MMU index of the hart's privilege level. */
static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    return softmmu_fetch(cpu, pc, buf, len, rv_fetch_mmu(((struct rv64_cpu *)cpu)->priv));
}

/* RAM around the HTIF page (if the kernel has one), which becomes the device. */
static int map_ram(struct physmap *map, uint8_t *ram, uint64_t size, struct htif *htif)
{
    if (!htif->page)
        return physmap_add_ram(map, VIRT_RAM_BASE, size, ram);
    uint64_t low = htif->page_pa - VIRT_RAM_BASE, high = low + SOFTMMU_PAGE_SIZE;
    int err = 0;
    if (low)
        err = physmap_add_ram(map, VIRT_RAM_BASE, low, ram);
    if (!err && high < size)
        err = physmap_add_ram(map, VIRT_RAM_BASE + high, size - high, ram + high);
    if (!err)
        err = physmap_add_mmio(map, htif->page_pa, SOFTMMU_PAGE_SIZE, &htif_mmio_ops, htif);
    return err;
}

/* Runs the hart until the guest exits through HTIF or the machine is told to quit;
 * exceptions and, between blocks, interrupts enter the guest's handler. */
static int run(struct machine *m, struct cpu *cpu, struct htif *htif)
{
    const struct guest_system_ops *sys = cpu->ops->system;
    for (;;) {
        exec_run(cpu);
        if (htif->exited)
            return htif->exit_status > 255 ? 255 : (int)htif->exit_status;
        if (cpu->exit_reason == CPU_EXIT_EXCEPTION)
            sys->exception_enter(cpu, cpu->exc, cpu->exc_tval);
        if (sys->interrupt_pending(cpu))
            sys->exception_enter(cpu, EXC_NONE, 0);
        if (machine_checkpoint(m))
            return m->exit_status;
    }
}

int boot_run(const struct boot_config *c)
{
    if (strcmp(c->machine, "virt")) {
        vm_error("--machine=%s: no such machine (virt is the only one)", c->machine);
        return 1;
    }
    if (c->bios) {
        vm_error("--bios=%s: firmware is not supported yet (use --bios=none)", c->bios);
        return 1;
    }
    if (!c->kernel) {
        vm_error("boot: no kernel (--kernel=FILE)");
        return 1;
    }
    if (!strcmp(c->engine->name, "check")) {
        vm_error("--engine=check: runs in user mode only for now");
        return 1;
    }
    const struct guest_ops *guest = guest_by_name("riscv64");
    uint8_t *ram = mmap(NULL, c->memory, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        vm_error("--memory: cannot allocate %" PRIu64 " bytes: %s", c->memory, strerror(errno));
        return 1;
    }
    struct kernel_image k;
    static struct physmap map;
    static struct softmmu sm;
    static struct htif htif;
    struct cpu *cpu = NULL;
    int status = 1;
    if (kernel_load_elf(c->kernel, ram, VIRT_RAM_BASE, c->memory, EM_RISCV, &k) < 0)
        goto out;
    if (k.tohost) {
        if (k.tohost % 8 || k.tohost < VIRT_RAM_BASE || k.tohost - VIRT_RAM_BASE > c->memory - 8 ||
            (k.fromhost && k.fromhost % 8)) {
            vm_error("%s: tohost or fromhost is misaligned or outside RAM", c->kernel);
            goto out;
        }
        htif.page_pa = k.tohost & ~(SOFTMMU_PAGE_SIZE - 1);
        htif.page = ram + (htif.page_pa - VIRT_RAM_BASE);
        htif.tohost = k.tohost;
        htif.fromhost = k.fromhost;
        htif.map = &map;
        htif.out_fd = 1;
    }
    int err = map_ram(&map, ram, c->memory, &htif);
    if (err) {
        vm_error("boot: cannot build the physical map: %s", strerror(-err));
        goto out;
    }
    cpu = cpu_new(guest, c->engine);
    if (!cpu) {
        vm_error("boot: %s", strerror(ENOMEM));
        goto out;
    }
    softmmu_init(&sm, &map);
    cpu->as = &sm.as;
    cpu->fetch_code = fetch_code;
    guest->system->reset(cpu);
    cpu->pc = k.entry;
    htif.cpu = cpu;
    static struct machine m;
    machine_init(&m, c->kernel);
    machine_add_cpu(&m, cpu);
    if (c->created && (status = c->created(&m, c->opaque)))
        goto out;
    machine_set_state(&m, MACHINE_RUNNING);
    status = run(&m, cpu, &htif);
    m.exit_status = status;
    machine_set_state(&m, MACHINE_STOPPED);
out:
    cpu_free(cpu);
    munmap(ram, c->memory);
    return status;
}
