/* A triple fault: with an empty IDT an exception cannot be delivered, nor the double
 * fault after it, and vm ends with `vm: guest: triple fault` and status 1. */
#include "lib.h"

int main(void *boot_params)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idt = { 0, 0 };
    puts_serial("faulting\n");
    __asm__ volatile("lidt %0; ud2" :: "m"(idt));
    puts_serial("not reached\n");
    return 1;
}
