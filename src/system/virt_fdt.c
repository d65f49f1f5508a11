/* The virt board's device tree (system/virt.h), written with libfdt's sequential API: the
 * nodes and compatible strings Linux and OpenSBI match on QEMU's virt machine, for the
 * devices the board has. Phandles are fixed numbers, so a node can name one before it is
 * written. libfdt is loaded with dlopen when a tree is first built, not linked: every start
 * of vm (user mode, the KVM microVM) would pay to map and relocate it. */
#include "system/virt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "core/dynlib.h"
#include "dev/aclint.h"
#include "dev/goldfish_rtc.h"
#include "dev/ns16550.h"
#include "dev/plic.h"
#include "dev/pvpanic.h"
#include "dev/sifive_test.h"
#include "dev/virtio_mmio.h"

#define RISCV_ISA "rv64imafdc_zicsr_zifencei_sstc"
#define MMU_TYPE "riscv,sv57"        /* the largest the hart walks */
#define IRQ_S_SOFT 1               /* the hart's interrupt numbers (mip bits) */
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11

/* Debian's libfdt1. */
#define FDT_SONAME "libfdt.so.1"

#define FDT_FUNCTIONS(X)                                                                    \
    X(create) X(finish_reservemap) X(begin_node) X(property) X(end_node) X(finish)

static struct {
#define MEMBER(name) __typeof__(fdt_##name) *name;
    FDT_FUNCTIONS(MEMBER)
#undef MEMBER
} fdt;
static const struct dynlib_sym fdt_syms[] = {
#define SYM(name) { "fdt_" #name, (void **)&fdt.name },
    FDT_FUNCTIONS(SYM)
#undef SYM
};
static struct dynlib fdt_lib = DYNLIB(FDT_SONAME, fdt_syms);

/* Fixed phandles: each hart's interrupt controller is PHANDLE_INTC + hart. */
enum { PHANDLE_PLIC = 1, PHANDLE_TEST, PHANDLE_CPU, PHANDLE_INTC = 0x100 };

/* Each libfdt call's error, kept until the end so the code reads as the tree it writes. */
struct writer {
    void *fdt;
    int err;
};

static void check(struct writer *w, int err)
{
    if (err < 0 && !w->err)
        w->err = err;
}

static void begin(struct writer *w, const char *fmt, uint64_t addr)
{
    char name[64];
    snprintf(name, sizeof(name), fmt, (unsigned long long)addr);
    check(w, fdt.begin_node(w->fdt, name));
}

static void end(struct writer *w)
{
    check(w, fdt.end_node(w->fdt));
}

static void u32(struct writer *w, const char *name, uint32_t v)
{
    fdt32_t be = cpu_to_fdt32(v);
    check(w, fdt.property(w->fdt, name, &be, sizeof(be)));
}

static void str(struct writer *w, const char *name, const char *v)
{
    check(w, fdt.property(w->fdt, name, v, (int)strlen(v) + 1));
}

static void empty(struct writer *w, const char *name)
{
    check(w, fdt.property(w->fdt, name, NULL, 0));
}

/* A string list: the strings separated by NULs in one literal. */
static void strs(struct writer *w, const char *name, const char *list, size_t size)
{
    check(w, fdt.property(w->fdt, name, list, (int)size));
}
#define STRS(w, name, list) strs(w, name, list, sizeof(list))

/* The longest list of cells: per_hart_irqs', four a hart. */
#define CELLS_MAX (4 * VIRT_HARTS_MAX)

static void cells(struct writer *w, const char *name, const uint32_t *v, unsigned n)
{
    fdt32_t be[CELLS_MAX];
    if (n > CELLS_MAX) {
        check(w, -FDT_ERR_NOSPACE);
        return;
    }
    for (unsigned k = 0; k < n; k++)
        be[k] = cpu_to_fdt32(v[k]);
    check(w, fdt.property(w->fdt, name, be, (int)(n * sizeof(be[0]))));
}

/* reg = <base size> with two cells each. */
static void reg(struct writer *w, uint64_t base, uint64_t size)
{
    uint32_t v[4] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                      (uint32_t)size };
    cells(w, "reg", v, 4);
}

static void u64(struct writer *w, const char *name, uint64_t v)
{
    fdt64_t be = cpu_to_fdt64(v);
    check(w, fdt.property(w->fdt, name, &be, sizeof(be)));
}

static void cpus(struct writer *w, unsigned harts)
{
    begin(w, "cpus", 0);
    u32(w, "#address-cells", 1);
    u32(w, "#size-cells", 0);
    u32(w, "timebase-frequency", ACLINT_FREQUENCY);
    for (unsigned h = 0; h < harts; h++) {
        begin(w, "cpu@%llx", h);
        u32(w, "phandle", PHANDLE_CPU + h);
        str(w, "device_type", "cpu");
        u32(w, "reg", h);
        str(w, "status", "okay");
        str(w, "compatible", "riscv");
        str(w, "riscv,isa", RISCV_ISA);
        str(w, "mmu-type", MMU_TYPE);
        begin(w, "interrupt-controller", 0);
        u32(w, "#address-cells", 0);
        u32(w, "#interrupt-cells", 1);
        empty(w, "interrupt-controller");
        str(w, "compatible", "riscv,cpu-intc");
        u32(w, "phandle", PHANDLE_INTC + h);
        end(w);
        end(w);
    }
    end(w);
}

/* interrupts-extended naming, for each hart, its interrupts m and s. */
static void per_hart_irqs(struct writer *w, unsigned harts, unsigned m, unsigned s)
{
    uint32_t v[4 * VIRT_HARTS_MAX];
    unsigned n = 0;
    for (unsigned h = 0; h < harts && h < VIRT_HARTS_MAX; h++) {
        v[n++] = PHANDLE_INTC + h;
        v[n++] = m;
        v[n++] = PHANDLE_INTC + h;
        v[n++] = s;
    }
    cells(w, "interrupts-extended", v, n);
}

static void soc(struct writer *w, unsigned harts, unsigned virtio_slots)
{
    begin(w, "soc", 0);
    u32(w, "#address-cells", 2);
    u32(w, "#size-cells", 2);
    str(w, "compatible", "simple-bus");
    empty(w, "ranges");

    for (unsigned i = 0; i < virtio_slots; i++) {
        uint64_t base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE;
        begin(w, "virtio_mmio@%llx", base);
        u32(w, "interrupts", VIRT_VIRTIO_IRQ + i);
        u32(w, "interrupt-parent", PHANDLE_PLIC);
        reg(w, base, VIRTIO_MMIO_SIZE);
        str(w, "compatible", "virtio,mmio");
        end(w);
    }

    begin(w, "rtc@%llx", VIRT_RTC_BASE);
    u32(w, "interrupts", VIRT_RTC_IRQ);
    u32(w, "interrupt-parent", PHANDLE_PLIC);
    reg(w, VIRT_RTC_BASE, GOLDFISH_RTC_SIZE);
    str(w, "compatible", "google,goldfish-rtc");
    end(w);

    begin(w, "pvpanic@%llx", VIRT_PVPANIC_BASE);
    reg(w, VIRT_PVPANIC_BASE, PVPANIC_SIZE);
    str(w, "compatible", "qemu,pvpanic-mmio");
    end(w);

    begin(w, "serial@%llx", VIRT_UART_BASE);
    u32(w, "interrupts", VIRT_UART_IRQ);
    u32(w, "interrupt-parent", PHANDLE_PLIC);
    u32(w, "clock-frequency", VIRT_UART_CLOCK);
    reg(w, VIRT_UART_BASE, NS16550_SIZE);
    str(w, "compatible", "ns16550a");
    end(w);

    begin(w, "test@%llx", VIRT_TEST_BASE);
    u32(w, "phandle", PHANDLE_TEST);
    reg(w, VIRT_TEST_BASE, SIFIVE_TEST_SIZE);
    STRS(w, "compatible", "sifive,test1\0sifive,test0\0syscon");
    end(w);

    begin(w, "plic@%llx", VIRT_PLIC_BASE);
    u32(w, "phandle", PHANDLE_PLIC);
    u32(w, "riscv,ndev", PLIC_SOURCES - 1);
    reg(w, VIRT_PLIC_BASE, PLIC_SIZE);
    per_hart_irqs(w, harts, IRQ_M_EXT, IRQ_S_EXT);
    empty(w, "interrupt-controller");
    STRS(w, "compatible", "sifive,plic-1.0.0\0riscv,plic0");
    u32(w, "#address-cells", 0);
    u32(w, "#interrupt-cells", 1);
    end(w);

    begin(w, "clint@%llx", VIRT_ACLINT_BASE);
    per_hart_irqs(w, harts, IRQ_M_SOFT, IRQ_M_TIMER);
    reg(w, VIRT_ACLINT_BASE, ACLINT_SIZE);
    STRS(w, "compatible", "sifive,clint0\0riscv,clint0");
    end(w);

    end(w);
}

/* syscon-poweroff or syscon-reboot: a value written to the test device. */
static void syscon_action(struct writer *w, const char *node, uint32_t value)
{
    begin(w, node, 0);
    u32(w, "value", value);
    u32(w, "offset", 0);
    u32(w, "regmap", PHANDLE_TEST);
    char compatible[32];
    snprintf(compatible, sizeof(compatible), "syscon-%s", node);
    str(w, "compatible", compatible);
    end(w);
}

int virt_fdt_build(void *buf, size_t size, const struct virt_fdt_config *c)
{
    if (dynlib_open(&fdt_lib))
        return -ELIBACC;           /* libfdt is missing or lacks a function vm needs */
    struct writer w = { buf, 0 };
    check(&w, fdt.create(buf, (int)size));
    check(&w, fdt.finish_reservemap(buf));
    begin(&w, "", 0);
    u32(&w, "#address-cells", 2);
    u32(&w, "#size-cells", 2);
    str(&w, "compatible", "riscv-virtio");
    str(&w, "model", "riscv-virtio,vm");

    begin(&w, "chosen", 0);
    if (c->bootargs)
        str(&w, "bootargs", c->bootargs);
    char stdout_path[32];
    snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%llx",
             (unsigned long long)VIRT_UART_BASE);
    str(&w, "stdout-path", stdout_path);
    if (c->initrd_end) {
        u64(&w, "linux,initrd-start", c->initrd_start);
        u64(&w, "linux,initrd-end", c->initrd_end);
    }
    end(&w);

    syscon_action(&w, "poweroff", 0x5555);
    syscon_action(&w, "reboot", 0x7777);

    begin(&w, "memory@%llx", VIRT_RAM_BASE);
    str(&w, "device_type", "memory");
    reg(&w, VIRT_RAM_BASE, c->ram_size);
    end(&w);

    cpus(&w, c->harts);
    soc(&w, c->harts, c->virtio_slots);
    end(&w);
    check(&w, fdt.finish(buf));
    if (w.err)
        return w.err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
    return (int)fdt_totalsize(buf);
}
