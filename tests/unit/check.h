/* A minimal unit-test harness: each CHECK prints nothing when it holds and a FAIL line when it
 * does not; a test program ends with check_done(), which prints "PASS name"/"FAIL name" lines
 * per test group and returns the exit status. tests/run.sh counts those lines. */
#ifndef VM_TESTS_UNIT_CHECK_H
#define VM_TESTS_UNIT_CHECK_H

#include <inttypes.h>
#include <string.h>
#include <stdio.h>

static int check_failed_now, check_failed_total, check_groups;
static const char *check_group_name;

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);    \
            check_failed_now++;                                                    \
        }                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                             \
    do {                                                                           \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);               \
        if (check_a_ != check_b_) {                                                \
            printf("    %s:%d: %s == 0x%" PRIx64 ", expected %s == 0x%" PRIx64 "\n", \
                   __FILE__, __LINE__, #a, check_a_, #b, check_b_);               \
            check_failed_now++;                                                    \
        }                                                                          \
    } while (0)

static inline void check_end_group(void)
{
    if (!check_group_name)
        return;
    printf("%s unit/%s\n", check_failed_now ? "FAIL" : "PASS", check_group_name);
    check_failed_total += check_failed_now != 0;
    check_failed_now = 0;
    check_group_name = NULL;
}

/* Starts a named group; the previous group's result is printed. */
static inline void check_group(const char *name)
{
    check_end_group();
    check_group_name = name;
    check_groups++;
}

static inline int check_done(void)
{
    check_end_group();
    return check_failed_total ? 1 : 0;
}

#endif
