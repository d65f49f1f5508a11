/* A store to address 0x10 must kill the program with SIGSEGV (no handler).
 * Output written before the fault must still appear. */
#include <stdio.h>
#include <stdint.h>

int main(void)
{
    printf("before fault\n");
    fflush(stdout);
    volatile uintptr_t addr = 0x10;   /* volatile: hide the constant from gcc */
    *(volatile int *)addr = 1;
    printf("after fault (must not be printed)\n");
    return 0;
}
