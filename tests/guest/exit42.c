/* Exit status propagation: exit(42) after atexit handlers ran and stdio
 * buffers (not flushed explicitly) were flushed by exit. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit handler registered first runs last\n"); }
static void second(void) { printf("atexit handler registered second runs first\n"); }

int main(void)
{
    atexit(first);
    atexit(second);
    printf("exiting with 42\n");
    exit(42);
}
