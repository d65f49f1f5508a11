/* A UART interrupt through the in-kernel irqchip: the legacy PIC remapped to vectors
 * 0x20-0x2f with only IRQ 4 unmasked, an IDT entry for vector 0x24, and the UART's
 * "transmitter empty" interrupt enabled; the handler reads IIR (which clears it), masks the
 * UART and sends EOI, and the main loop waits in HLT for it. */
#include "lib.h"

#define VECTOR 0x24

struct __attribute__((packed)) gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};

static struct gate idt[256];
static volatile int fired;
static volatile uint8_t iir;

void irq4_handler(void)
{
    iir = inb(COM1 + 2);
    outb(COM1 + 1, 0);             /* IER: nothing more */
    outb(0x20, 0x20);              /* EOI to the master PIC */
    fired++;
}

__asm__(".text\n"
        "irq4_entry:\n"
        "  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
        "  push %r8; push %r9; push %r10; push %r11\n"
        "  call irq4_handler\n"
        "  pop %r11; pop %r10; pop %r9; pop %r8\n"
        "  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
        "  iretq\n");
void irq4_entry(void);

int main(void *boot_params)
{
    uint64_t h = (uint64_t)irq4_entry;
    idt[VECTOR] = (struct gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16),
                                 (uint32_t)(h >> 32), 0 };
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
    /* ICW1-4 for both PICs: vectors 0x20 and 0x28, cascade on IRQ 2, 8086 mode. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, (uint8_t)~(1u << 4)); outb(0xa1, 0xff);
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
