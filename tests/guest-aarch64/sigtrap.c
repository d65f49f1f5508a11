/* BRK must kill the program with SIGTRAP. */
#include <stdio.h>

int main(void)
{
    printf("before brk\n");
    fflush(stdout);
    __asm__ volatile("brk #0x3e8");
    printf("after brk (must not be printed)\n");
    return 0;
}
