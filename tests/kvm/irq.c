/* A UART interrupt through the in-kernel irqchip: the legacy PIC remapped to vectors
 * 0x20-0x2f with only IRQ 4 unmasked, an IDT entry for vector 0x24, and the UART's
 * "transmitter empty" interrupt enabled; the handler reads IIR (which clears it), masks the
 * UART and sends EOI, and the main loop waits in HLT for it. */
#include "lib.h"

#define VECTOR 0x24

static volatile int fired;
static volatile uint8_t iir;

void irq4_handler(void)
{
    iir = inb(COM1 + 2);
    outb(COM1 + 1, 0);             /* IER: nothing more */
    outb(0x20, 0x20);              /* EOI to the master PIC */
    fired++;
}
INTERRUPT_ENTRY(irq4_handler);

int main(void *boot_params)
{
    idt_set(VECTOR, irq4_handler_entry);
    pic_init(1u << 4);
    outb(COM1 + 4, 0x08);          /* MCR: OUT2, the PC's interrupt gate */
    __asm__ volatile("sti");
    outb(COM1 + 1, 0x02);          /* IER: transmitter empty */
    for (int i = 0; i < 1000 && !fired; i++)
        __asm__ volatile("hlt");
    __asm__ volatile("cli");
    puts_serial(fired == 1 ? "irq 4 at vector 0x24, iir=" : "no interrupt, iir=");
    puthex(iir);
    putc_serial('\n');
    return 0;
}
