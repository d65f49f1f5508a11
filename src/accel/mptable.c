/* The MP tables (accel/mptable.h), entry by entry as the MultiProcessor Specification 1.4's
 * chapter 4 lays them out, each structure's checksum making its bytes sum to 0. */
#include "accel/mptable.h"

#include <string.h>

#define FLOATING_BYTES 16
#define HEADER_BYTES 44
#define PROCESSOR_BYTES 20
#define ENTRY_BYTES 8              /* bus, IOAPIC, I/O and local interrupt entries */
#define SPEC_REV 4                 /* 1.4 */

enum { PROCESSOR = 0, BUS = 1, IOAPIC = 2, IO_INTERRUPT = 3, LOCAL_INTERRUPT = 4 };
enum { CPU_ENABLED = 1, CPU_BOOTSTRAP = 2 };
enum { INT_VECTORED = 0, INT_NMI = 1, INT_EXTINT = 3 };
#define LAPIC_VERSION 0x14
#define IOAPIC_VERSION 0x11
#define CPU_SIGNATURE 0x600        /* family 6 */
#define CPU_FEATURES 0x201         /* FPU, APIC */
#define ALL_LAPICS 0xff
#define ISA_BUS 0

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum += *p++;
    return (uint8_t)-sum;
}

/* An I/O or local interrupt entry at p. */
static void interrupt(uint8_t *p, uint8_t type, uint8_t kind, uint8_t bus_irq, uint8_t apic,
                      uint8_t pin)
{
    p[0] = type;
    p[1] = kind;
    put16(p + 2, 0);               /* polarity and trigger as the bus has them (ISA: edge) */
    p[4] = ISA_BUS;
    p[5] = bus_irq;
    p[6] = apic;
    p[7] = pin;
}

void mptable_write(const struct x86_ram *ram, unsigned cpus)
{
    uint8_t *floating = ram->host + MPTABLE_BASE, *table = floating + FLOATING_BYTES;
    uint8_t *p = table + HEADER_BYTES;
    unsigned entries = 0;
    uint8_t ioapic_id = (uint8_t)cpus;
    for (unsigned i = 0; i < cpus; i++, entries++, p += PROCESSOR_BYTES) {
        memset(p, 0, PROCESSOR_BYTES);
        p[0] = PROCESSOR;
        p[1] = (uint8_t)i;
        p[2] = LAPIC_VERSION;
        p[3] = CPU_ENABLED | (i == 0 ? CPU_BOOTSTRAP : 0);
        put32(p + 4, CPU_SIGNATURE);
        put32(p + 8, CPU_FEATURES);
    }
    p[0] = BUS;
    p[1] = ISA_BUS;
    memcpy(p + 2, "ISA   ", 6);
    p += ENTRY_BYTES, entries++;
    p[0] = IOAPIC;
    p[1] = ioapic_id;
    p[2] = IOAPIC_VERSION;
    p[3] = 1;                      /* enabled */
    put32(p + 4, MPTABLE_IOAPIC_BASE);
    p += ENTRY_BYTES, entries++;
    for (unsigned pin = 0; pin < MPTABLE_IOAPIC_PINS; pin++, p += ENTRY_BYTES, entries++)
        interrupt(p, IO_INTERRUPT, INT_VECTORED, (uint8_t)pin, ioapic_id, (uint8_t)pin);
    interrupt(p, LOCAL_INTERRUPT, INT_EXTINT, 0, ALL_LAPICS, 0);
    p += ENTRY_BYTES, entries++;
    interrupt(p, LOCAL_INTERRUPT, INT_NMI, 0, ALL_LAPICS, 1);
    p += ENTRY_BYTES, entries++;

    size_t length = (size_t)(p - table);
    memset(table, 0, HEADER_BYTES);
    memcpy(table, "PCMP", 4);
    put16(table + 4, (uint16_t)length);
    table[6] = SPEC_REV;
    memcpy(table + 8, "VM      ", 8);          /* OEM ID */
    memcpy(table + 16, "MICROVM     ", 12);    /* product ID */
    put16(table + 34, (uint16_t)entries);
    put32(table + 36, MPTABLE_LAPIC_BASE);
    table[7] = checksum(table, length);

    memset(floating, 0, FLOATING_BYTES);
    memcpy(floating, "_MP_", 4);
    put32(floating + 4, MPTABLE_BASE + FLOATING_BYTES);
    floating[8] = 1;                           /* its length in 16-byte units */
    floating[9] = SPEC_REV;
    floating[10] = checksum(floating, FLOATING_BYTES);
}
