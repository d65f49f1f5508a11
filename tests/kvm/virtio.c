/* The virtio devices of dev/ on the KVM microVM, through a minimal driver: slot 0
 * (0xc0000000) a --drive disk whose sector s holds bytes s ^ i, slot 1 the RNG, slot 2
 * empty. Polled, with the queues' interrupts off: reads sector 3, writes sector 1 (as
 * s ^ i ^ 0x5a; run.sh checks the image), flushes, reads it back; 32 random bytes. Then two
 * reads wait in HLT for the disk's interrupt, whose handler acknowledges it: IRQ 5 through
 * the PIC (vector 0x25), then pin 5 of the IOAPIC (vector 0x35, edge, to APIC 0), as Linux
 * takes it from the MP table. Last, a chain that loops puts the disk in DEVICE_NEEDS_RESET and
 * the machine runs on. A device completes a request some time after the notification (vm
 * serves it on another thread), so the driver waits for the used ring. All pass: "virtio ok"
 * and the interrupts' statuses; else "exit N". */
#include "../virtio_mmio.h"
#include "lib.h"

#define SLOT(i) (0xc0000000ul + (unsigned long)(i) * 0x1000)
#define WAIT_MAX 100000            /* polls of the used ring before giving up */

static struct vq q0 __attribute__((aligned(4096))), q1 __attribute__((aligned(4096)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t data[512], status, random[32];

static uint32_t rd(unsigned long base, unsigned off) { return *(volatile uint32_t *)(base + off); }
static void wr(unsigned long base, unsigned off, uint32_t v) { *(volatile uint32_t *)(base + off) = v; }

#define CHECK(n, cond) do { if (!(cond)) return n; } while (0)

static int start(unsigned long base, uint32_t id, struct vq *q)
{
    if (rd(base, REG_MAGIC) != 0x74726976 || rd(base, REG_VERSION) != 2 ||
        rd(base, REG_DEVICE_ID) != id)
        return -1;
    wr(base, REG_STATUS, 0);
    wr(base, REG_STATUS, 3);
    wr(base, REG_DRIVER_FEATURES_SEL, 1);
    wr(base, REG_DRIVER_FEATURES, 1);               /* VERSION_1 */
    wr(base, REG_STATUS, 11);
    wr(base, REG_QUEUE_SEL, 0);
    if (!(rd(base, REG_STATUS) & 8) || rd(base, REG_QUEUE_NUM_MAX) < QSIZE)
        return -1;
    wr(base, REG_QUEUE_NUM, QSIZE);
    wr(base, REG_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)q->desc);
    wr(base, REG_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&q->avail);
    wr(base, REG_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&q->used);
    wr(base, REG_QUEUE_READY, 1);
    wr(base, REG_STATUS, 15);
    return rd(base, REG_QUEUE_READY) ? 0 : -1;
}

/* Offers the chain at head and returns the length the device wrote, or -1. */
static long run(unsigned long base, struct vq *q, uint16_t head)
{
    q->avail.ring[q->avail.idx % QSIZE] = head;
    __asm__ volatile("" ::: "memory");
    q->avail.idx++;
    __asm__ volatile("" ::: "memory");
    wr(base, REG_QUEUE_NOTIFY, 0);
    for (unsigned i = 0; i < WAIT_MAX && *(volatile uint16_t *)&q->used.idx == q->last_used &&
                        !(rd(base, REG_STATUS) & 0x40); i++)
        __asm__ volatile("pause" ::: "memory");
    if (*(volatile uint16_t *)&q->used.idx == q->last_used)
        return -1;
    return q->used.ring[q->last_used++ % QSIZE].len;
}

static long request(uint32_t type, uint64_t sector, uint32_t len)
{
    hdr.type = type;
    hdr.sector = sector;
    status = 0xee;
    q0.desc[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    q0.desc[1] = (struct desc){ (uintptr_t)data, len, D_NEXT | (type == 1 ? 0 : D_WRITE), 2 };
    q0.desc[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    if (!len)
        q0.desc[0].next = 2;
    return run(SLOT(0), &q0, 0);
}

#define IOAPIC 0xfec00000ul
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))
#define LAPIC 0xfee00000ul
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0

static volatile unsigned fired;
static volatile uint32_t irq_status;
static const char *volatile irq_via;

static void take_interrupt(const char *via)
{
    irq_via = via;
    irq_status = rd(SLOT(0), REG_INTERRUPT_STATUS);
    wr(SLOT(0), REG_INTERRUPT_ACK, irq_status);
    fired++;
}

void pic_handler(void)
{
    take_interrupt("pic");
    outb(0x20, 0x20);              /* EOI to the master PIC */
}
INTERRUPT_ENTRY(pic_handler);

void ioapic_handler(void)
{
    take_interrupt("ioapic");
    *(volatile uint32_t *)(LAPIC + LAPIC_EOI) = 0;
}
INTERRUPT_ENTRY(ioapic_handler);

static void ioapic_write(unsigned reg, uint32_t value)
{
    *(volatile uint32_t *)IOAPIC = reg;
    *(volatile uint32_t *)(IOAPIC + 0x10) = value;
}

/* The disk's interrupt through the PIC (IRQ 5 alone unmasked) or through the IOAPIC's pin 5
 * (the PIC all masked). */
static void route_irq5(int ioapic)
{
    idt_set(0x25, pic_handler_entry);
    idt_set(0x35, ioapic_handler_entry);
    pic_init(ioapic ? 0 : 1u << 5);
    if (ioapic) {
        *(volatile uint32_t *)(LAPIC + LAPIC_SVR) = 0x1ff;
        ioapic_write(IOAPIC_REDIRECTION(5) + 1, 0);          /* to APIC ID 0 */
        ioapic_write(IOAPIC_REDIRECTION(5), 0x35);           /* fixed, edge, unmasked */
    }
}

/* A read of sector that the driver learns of by the disk's interrupt: 0, or -1. */
static int read_by_interrupt(uint64_t sector)
{
    fired = 0;
    q0.avail.flags = 0;
    hdr.type = 0;
    hdr.sector = sector;
    q0.desc[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1 };
    q0.desc[1] = (struct desc){ (uintptr_t)data, 512, D_NEXT | D_WRITE, 2 };
    q0.desc[2] = (struct desc){ (uintptr_t)&status, 1, D_WRITE, 0 };
    q0.avail.ring[q0.avail.idx % QSIZE] = 0;
    __asm__ volatile("" ::: "memory");
    q0.avail.idx++;
    __asm__ volatile("" ::: "memory");
    wr(SLOT(0), REG_QUEUE_NOTIFY, 0);
    for (unsigned i = 0; i < 1000 && !fired; i++)
        __asm__ volatile("sti; hlt; cli" ::: "memory");   /* sti's shadow covers hlt */
    if (fired != 1 || *(volatile uint16_t *)&q0.used.idx == q0.last_used)
        return -1;
    q0.last_used++;
    q0.avail.flags = AVAIL_NO_INTERRUPT;
    for (unsigned i = 0; i < 512; i++)
        if (data[i] != (uint8_t)(sector ^ i))
            return -1;
    puts_serial("interrupt through the ");
    puts_serial(irq_via);
    puts_serial(", status ");
    puthex(irq_status);
    putc_serial('\n');
    return 0;
}

static int test(void)
{
    q0.avail.flags = q1.avail.flags = AVAIL_NO_INTERRUPT;
    CHECK(1, start(SLOT(0), 2, &q0) == 0);
    CHECK(2, *(volatile uint64_t *)(SLOT(0) + REG_CONFIG) == 8);
    CHECK(3, start(SLOT(1), 4, &q1) == 0);
    CHECK(4, rd(SLOT(2), REG_MAGIC) == 0xffffffff);   /* a hole */
    CHECK(10, request(0, 3, 512) == 513 && status == 0);
    for (unsigned i = 0; i < 512; i++)
        CHECK(11, data[i] == (uint8_t)(3 ^ i));
    for (unsigned i = 0; i < 512; i++)
        data[i] = (uint8_t)(1 ^ i ^ 0x5a);
    CHECK(12, request(1, 1, 512) == 1 && status == 0);
    CHECK(13, request(4, 0, 0) == 1 && status == 0);
    for (unsigned i = 0; i < 512; i++)
        data[i] = 0;
    CHECK(14, request(0, 1, 512) == 513 && status == 0);
    for (unsigned i = 0; i < 512; i++)
        CHECK(15, data[i] == (uint8_t)(1 ^ i ^ 0x5a));
    q1.desc[0] = (struct desc){ (uintptr_t)random, sizeof(random), D_WRITE, 0 };
    CHECK(20, run(SLOT(1), &q1, 0) == 32);
    unsigned nonzero = 0;
    for (unsigned i = 0; i < sizeof(random); i++)
        nonzero += random[i] != 0;
    CHECK(21, nonzero > 0);
    route_irq5(0);
    CHECK(25, read_by_interrupt(5) == 0);
    route_irq5(1);
    CHECK(26, read_by_interrupt(6) == 0);
    q0.desc[0] = (struct desc){ (uintptr_t)data, 8, D_WRITE | D_NEXT, 1 };   /* a loop */
    q0.desc[1] = (struct desc){ (uintptr_t)data, 8, D_WRITE | D_NEXT, 0 };
    CHECK(30, run(SLOT(0), &q0, 0) == -1);
    CHECK(31, rd(SLOT(0), REG_STATUS) & 0x40);
    return 0;
}

int main(void *boot_params)
{
    int r = test();
    if (!r)
        puts_serial("virtio ok\n");
    return r;
}
