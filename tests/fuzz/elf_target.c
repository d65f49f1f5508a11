/* The program whose ELF files elf_mutate.py mutates: small, and it says when it ran. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("ran with %d argument(s)\n", argc - 1);
    return 0;
}
