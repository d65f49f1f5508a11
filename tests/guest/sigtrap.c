/* ebreak with no debugger and no handler kills the program with SIGTRAP. */
#include <stdio.h>

int main(void)
{
    printf("before ebreak\n");
    fflush(stdout);
    __asm__ volatile("ebreak");
    printf("after ebreak (must not be printed)\n");
    return 0;
}
