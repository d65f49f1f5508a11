/* What the freestanding x86-64 test guests share: port I/O, the serial port (COM1 at
 * 0x3F8, polled), printing, and the end of the machine through the i8042 reset. */
#ifndef KVM_TEST_LIB_H
#define KVM_TEST_LIB_H

#include <stdint.h>

#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

void putc_serial(char c);
void puts_serial(const char *s);     /* no newline added */
void puthex(uint64_t v);             /* lowercase, no leading zeros */
int getc_serial(void);               /* waits for a byte */
/* Ends the machine: the i8042 reset (vm exits 0), after "exit N" when status is not 0. */
void guest_exit(int status) __attribute__((noreturn));

#endif
