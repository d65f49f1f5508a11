/* Port and MMIO accesses of every size to holes: reads return all ones, writes are
 * ignored, and the machine goes on. The MMIO hole is 0xd0000000, below 4 GiB but past RAM
 * and the in-kernel LAPIC and IOAPIC, identity mapped by the boot page tables. */
#include "lib.h"

int main(void *boot_params)
{
    outb(0x1234, 0x5a);
    outw(0x1234, 0x5a5a);
    outl(0x1234, 0x5a5a5a5a);
    puthex(inb(0x1234)); putc_serial(' ');
    puthex(inw(0x1234)); putc_serial(' ');
    puthex(inl(0x1234)); putc_serial('\n');
    volatile uint8_t *hole = (volatile uint8_t *)0xd0000000ull;
    *(volatile uint8_t *)hole = 1;
    *(volatile uint16_t *)(hole + 2) = 2;
    *(volatile uint32_t *)(hole + 4) = 3;
    *(volatile uint64_t *)(hole + 8) = 4;
    puthex(*(volatile uint8_t *)hole); putc_serial(' ');
    puthex(*(volatile uint16_t *)(hole + 2)); putc_serial(' ');
    puthex(*(volatile uint32_t *)(hole + 4)); putc_serial(' ');
    puthex(*(volatile uint64_t *)(hole + 8)); putc_serial('\n');
    return 0;
}
