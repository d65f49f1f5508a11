/* The random numbers and settings that the Unicorn differential tests share (diff_util.h). */
#include "diff_util.h"

#include <stdlib.h>

static uint64_t rng_state = 1;

void rnd_seed(uint64_t seed)
{
    rng_state = seed * 0x9e3779b97f4a7c15ull | 1;
}

uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

uint64_t interesting_value(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull,
    };
    uint64_t r = rnd();
    if (r % 4 == 0)
        return special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
    if (r % 4 == 1)
        return rnd() & 0xffff;
    return rnd();
}

uint64_t env_number(const char *name, uint64_t fallback)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : fallback;
}
