/* The demo's first guest program: shows the guest sees its own ISA and arguments. */
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    struct utsname u;
    uname(&u);
    printf("hello from a %s program, %d argument(s):", u.machine, argc - 1);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    return 0;
}
