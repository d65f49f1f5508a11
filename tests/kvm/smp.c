/* Several vCPUs (--cpus=N): the bootstrap processor finds the MP floating pointer in the
 * BIOS area, checks both tables' checksums and reads the processors, the IOAPIC and the
 * interrupt entries from the configuration table; then it copies a real-mode trampoline to
 * 0x10000 and sends each application processor INIT and a startup IPI (vector 0x10) through
 * its LAPIC. Each AP starts at 0x1000:0000 in real mode and goes straight to long mode on
 * the boot page tables and GDT (PAE, CR3, EFER.LME, then PE and PG at once and a far jump to
 * the 64-bit code segment), where it reads its APIC ID from its LAPIC, sets that bit in a
 * mask, counts itself and halts. Prints what the tables say and which CPUs ran. */
#include "lib.h"

#define TRAMPOLINE 0x10000ul
#define SIPI_VECTOR (TRAMPOLINE >> 12)
#define LAPIC 0xfee00000ul
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_INIT 0x4500            /* INIT, level assert */
#define ICR_STARTUP 0x4600         /* startup IPI, level assert */
#define ICR_PENDING 0x1000
#define WAIT_MAX 100000

/* The APs' code, copied to TRAMPOLINE (0x10000): 16-bit from CS = 0x1000 with DS = CS, so
 * its data are at offsets there, then 64-bit at absolute addresses. */
__asm__(".text\n"
        ".code16\n"
        "ap_start:\n"
        "  cli\n"
        "  mov %cs, %ax\n"
        "  mov %ax, %ds\n"
        "  lgdtl ap_gdtr - ap_start\n"
        "  mov $0x20, %eax\n"                  /* CR4.PAE */
        "  mov %eax, %cr4\n"
        "  mov $0x9000, %eax\n"                /* the boot PML4 */
        "  mov %eax, %cr3\n"
        "  mov $0xc0000080, %ecx\n"            /* EFER.LME */
        "  rdmsr\n"
        "  or $0x100, %eax\n"
        "  wrmsr\n"
        "  mov $0x80000011, %eax\n"            /* CR0: PG, ET, PE */
        "  mov %eax, %cr0\n"
        "  ljmpl $0x08, $0x10000 + ap_long - ap_start\n"
        ".code64\n"
        "ap_long:\n"
        "  mov $0x10, %eax\n"
        "  mov %eax, %ds\n"
        "  mov %eax, %ss\n"
        "  mov $0xfee00020, %edx\n"            /* the LAPIC's ID register */
        "  mov (%rdx), %eax\n"
        "  shr $24, %eax\n"
        "  mov $0x10000 + ap_mask - ap_start, %edx\n"
        "  lock btsl %eax, (%rdx)\n"
        "  mov $0x10000 + ap_count - ap_start, %edx\n"
        "  lock incl (%rdx)\n"
        "1: hlt\n"
        "  jmp 1b\n"
        "  .balign 8\n"
        "ap_gdtr: .word 0x1f\n"                /* the boot GDT at 0x500 */
        "  .long 0x500\n"
        "  .balign 4\n"
        "ap_mask: .long 0\n"
        "ap_count: .long 0\n"
        "ap_end:\n");
extern const char ap_start[], ap_mask[], ap_count[], ap_end[];

static volatile uint32_t *at(unsigned long addr) { return (volatile uint32_t *)addr; }

static uint8_t sum(const uint8_t *p, unsigned n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

/* The MP floating pointer in [from, to), or 0. */
static const uint8_t *find_floating(unsigned long from, unsigned long to)
{
    for (const uint8_t *p = (const uint8_t *)from; p < (const uint8_t *)to; p += 16)
        if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_' && p[8] == 1 &&
            sum(p, 16) == 0)
            return p;
    return 0;
}

static void ipi(unsigned apic_id, uint32_t command)
{
    *at(LAPIC + LAPIC_ICR_HIGH) = apic_id << 24;
    *at(LAPIC + LAPIC_ICR_LOW) = command;
    for (unsigned i = 0; i < WAIT_MAX && (*at(LAPIC + LAPIC_ICR_LOW) & ICR_PENDING); i++)
        __asm__ volatile("pause");
}

int main(void *boot_params)
{
    const uint8_t *fp = find_floating(0x9fc00, 0xa0000);
    if (!fp)
        fp = find_floating(0xf0000, 0x100000);
    if (!fp)
        return 1;
    const uint8_t *table = (const uint8_t *)(unsigned long)*(const uint32_t *)(fp + 4);
    uint16_t length = *(const uint16_t *)(table + 4), entries = *(const uint16_t *)(table + 34);
    if (table[0] != 'P' || table[1] != 'C' || table[2] != 'M' || table[3] != 'P' ||
        sum(table, length))
        return 2;
    unsigned cpus = 0, bsp = 0xff, ioapic = 0xff, io_irqs = 0, local = 0;
    uint32_t ioapic_base = 0, lapic_base = *(const uint32_t *)(table + 36);
    uint8_t ids[256];
    const uint8_t *e = table + 44;
    for (unsigned k = 0; k < entries; k++) {
        switch (e[0]) {
        case 0:
            if (e[3] & 2)
                bsp = e[1];
            if (e[3] & 1)
                ids[cpus++] = e[1];
            e += 20;
            break;
        case 2:
            ioapic = e[1];
            ioapic_base = *(const uint32_t *)(e + 4);
            e += 8;
            break;
        case 3: io_irqs++; e += 8; break;
        case 4: local++; e += 8; break;
        default: e += 8; break;
        }
    }
    puts_serial("mp: ");
    puthex(cpus);
    puts_serial(" cpus, bsp ");
    puthex(bsp);
    puts_serial(", lapic ");
    puthex(lapic_base);
    puts_serial(", ioapic ");
    puthex(ioapic);
    puts_serial(" at ");
    puthex(ioapic_base);
    puts_serial(", ");
    puthex(io_irqs);
    puts_serial(" io and ");
    puthex(local);
    puts_serial(" local interrupts\n");

    unsigned size = (unsigned)(ap_end - ap_start);
    for (unsigned i = 0; i < size; i++)
        ((volatile char *)TRAMPOLINE)[i] = ap_start[i];
    volatile uint32_t *mask = at(TRAMPOLINE + (unsigned long)(ap_mask - ap_start));
    volatile uint32_t *count = at(TRAMPOLINE + (unsigned long)(ap_count - ap_start));
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
    *mask = 1u << (b >> 24);
    *at(LAPIC + LAPIC_SVR) = 0x1ff;                  /* the LAPIC enabled */
    for (unsigned k = 0; k < cpus; k++)
        if (ids[k] != bsp) {
            ipi(ids[k], ICR_INIT);
            ipi(ids[k], ICR_STARTUP | SIPI_VECTOR);
        }
    for (unsigned i = 0; i < WAIT_MAX && *count != cpus - 1; i++)
        __asm__ volatile("pause");
    puts_serial("started ");
    puthex(*count);
    puts_serial(" aps in long mode, cpus ran: ");
    puthex(*mask);
    putc_serial('\n');
    return 0;
}
