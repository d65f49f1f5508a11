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
/* Makes vector enter entry (an interrupt gate in the code segment) and loads the IDT. */
void idt_set(unsigned vector, void (*entry)(void));
/* The legacy PICs remapped to vectors 0x20-0x2f, the IRQs set in unmasked alone unmasked. */
void pic_init(uint16_t unmasked);
/* An interrupt's entry NAME_entry: saves the registers a C function may change, calls
 * void NAME(void), and returns from the interrupt. */
#define INTERRUPT_ENTRY(name)                                                          \
    __asm__(".text\n" #name "_entry:\n"                                                \
            "  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"                \
            "  push %r8; push %r9; push %r10; push %r11\n"                             \
            "  call " #name "\n"                                                       \
            "  pop %r11; pop %r10; pop %r9; pop %r8\n"                                 \
            "  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"                     \
            "  iretq\n");                                                             \
    void name##_entry(void)

#endif
