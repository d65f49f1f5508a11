/* The test guests' serial port and exit (lib.h). */
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
