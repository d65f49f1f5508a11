/* argv, envp and the auxiliary vector: AT_HWCAP must advertise what vm implements. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    printf("VMTEST = %s\n", getenv("VMTEST") ? getenv("VMTEST") : "(unset)");
    unsigned long hw = getauxval(AT_HWCAP);
    printf("hwcap fp %lu asimd %lu\n", hw & 1, hw >> 1 & 1);
    printf("platform %s pagesz %lu\n", (const char *)getauxval(AT_PLATFORM), getauxval(AT_PAGESZ));
    return argc == 3 ? 0 : 1;
}
