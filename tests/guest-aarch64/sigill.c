/* UDF (permanently undefined) must kill the program with SIGILL. */
#include <stdio.h>

int main(void)
{
    printf("before udf\n");
    fflush(stdout);
    __asm__ volatile("udf #0");
    printf("after udf (must not be printed)\n");
    return 0;
}
