/* A guest for the service tests (perf map, metrics): calls a few functions in a loop, makes
 * system calls, and with an argument "wait" blocks reading stdin before it exits, so a test
 * can look at vm while it runs. Prints a checksum (so the work is not optimised away) and where main is (a PIE's load
 * offset). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) static unsigned long mix(unsigned long x)
{
    return x * 6364136223846793005ul + 1442695040888963407ul;
}

__attribute__((noinline)) unsigned long work_sum(unsigned n)
{
    unsigned long s = 0;
    for (unsigned i = 0; i < n; i++)
        s ^= mix(s + i) >> (i & 7);
    return s;
}

__attribute__((noinline)) unsigned long work_syscalls(unsigned n)
{
    unsigned long s = 0;
    for (unsigned i = 0; i < n; i++)
        s += (unsigned long)getppid();
    return s;
}

int main(int argc, char **argv)
{
    unsigned long s = work_sum(200000) ^ work_syscalls(100);
    printf("checksum %lx main %p\n", s, (void *)main);
    fflush(stdout);
    if (argc > 1 && !strcmp(argv[1], "wait")) {
        char c;
        while (read(0, &c, 1) > 0)
            ;
    }
    return 0;
}
