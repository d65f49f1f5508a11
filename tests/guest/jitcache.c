/* Many distinct blocks, called directly and through a table of function pointers in a
 * changing order, so that a small JIT code cache (tests/run.sh runs this with
 * --code-cache=64K) collects, promotes, drops and re-translates blocks and re-links chains
 * while the program runs. Prints checksums that must not depend on any of that. */
#include <stdio.h>

#include "jitcache.h"

int main(void)
{
    uint64_t x = 1;
    for (int round = 0; round < 20; round++) {
        for (unsigned i = 0; i < N; i++)
            x = table[(i * 7 + round * 13) % N](x);
        if (round % 5 == 4)
            printf("round %d: %016llx\n", round, (unsigned long long)x);
    }
    /* hot loop over a few functions among many cold ones */
    for (int k = 0; k < 200000; k++)
        x = f100(x) + f200(x >> 3) + f300(k);
    printf("hot: %016llx\n", (unsigned long long)x);
    return 0;
}
