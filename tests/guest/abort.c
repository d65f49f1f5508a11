/* abort() raises SIGABRT on itself (rt_sigprocmask + tgkill): the program
 * dies of SIGABRT. Buffered output flushed before must appear. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("calling abort\n");
    fflush(stdout);
    abort();
}
