/* The test guests' serial port, exit and interrupts (lib.h). */
#include "lib.h"

#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

void putc_serial(char c)
{
    while (!(inb(COM1 + LSR) & LSR_THRE))
        ;
    outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
    while (*s)
        putc_serial(*s++);
}

void puthex(uint64_t v)
{
    char buf[17];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        putc_serial(buf[--n]);
}

int getc_serial(void)
{
    while (!(inb(COM1 + LSR) & LSR_DR))
        ;
    return inb(COM1);
}

void guest_exit(int status)
{
    if (status) {
        puts_serial("exit ");
        puthex((uint64_t)status);
        putc_serial('\n');
    }
    outb(0x64, 0xfe);
    for (;;)
        __asm__ volatile("hlt");
}

struct __attribute__((packed)) gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};

static struct gate idt[256];

void idt_set(unsigned vector, void (*entry)(void))
{
    uint64_t h = (uint64_t)entry;
    idt[vector] = (struct gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16),
                                 (uint32_t)(h >> 32), 0 };
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
}

void pic_init(uint16_t unmasked)
{
    /* ICW1-4 for both PICs: vectors 0x20 and 0x28, cascade on IRQ 2, 8086 mode. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, (uint8_t)~unmasked); outb(0xa1, (uint8_t)~(unmasked >> 8));
}
