/* The guest program tests/gdb/run.sh debugs: a global to read, write and watch, a function to
 * break in, and an exit status gdb must report. With an argument it spins until gdb
 * interrupts it (Ctrl-C). */
#include <stdio.h>

volatile long counter = 5;
long answer = 42;

__attribute__((noinline)) long bump(long by)
{
    counter += by;
    return counter;
}

int main(int argc, char **argv)
{
    (void)argv;
    while (argc > 1)
        counter++;
    long total = 0;
    for (int i = 0; i < 3; i++)
        total += bump(i + 1);
    printf("answer %ld total %ld counter %ld\n", answer, total, (long)counter);
    return (int)(total & 0x7f);
}
