/* A store to an unmapped address must kill the program with SIGSEGV. */
#include <stdio.h>

int main(void)
{
    printf("before bad store\n");
    fflush(stdout);
    *(volatile int *)16 = 1;
    printf("after bad store (must not be printed)\n");
    return 0;
}
