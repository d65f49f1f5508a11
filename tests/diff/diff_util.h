/* What the differential tests against Unicorn (a64_diff.c, rv64_diff.c) share: a seeded
 * random number generator, a bias towards the values where instructions go wrong, and the
 * reading of their environment settings. */
#ifndef VM_TESTS_DIFF_UTIL_H
#define VM_TESTS_DIFF_UTIL_H

#include <stdint.h>

/* Restarts the sequence of rnd() for a seed (0 is a valid seed). */
void rnd_seed(uint64_t seed);
/* The next 64 random bits (xorshift64*). */
uint64_t rnd(void);
/* A random 64-bit value; a quarter of them from the boundaries (0, 1, the signed and unsigned
 * limits of each width), a quarter small. */
uint64_t interesting_value(void);
/* The number in environment variable name (any strtoull base prefix), or fallback. */
uint64_t env_number(const char *name, uint64_t fallback);

#endif
