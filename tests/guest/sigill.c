/* Executing an illegal instruction (the all-zero word, defined as illegal
 * in both the 16- and 32-bit encodings) must kill the program with SIGILL. */
#include <stdio.h>

int main(void)
{
    printf("before illegal instruction\n");
    fflush(stdout);
    __asm__ volatile(".word 0");
    printf("after illegal instruction (must not be printed)\n");
    return 0;
}
