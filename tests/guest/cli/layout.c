/* What vm run's layout and environment options change, as the guest sees them: the size and
 * top of its main stack ([stack] in /proc/self/maps), two environment variables and whether
 * /vm-cli-probe exists (-L moves the guest's root). With "--exec [COMMAND]" it runs itself
 * again through execve (vm passes its options on), with COMMAND as its argument; with another
 * argument it runs that shell command, a host
 * program vm runs natively, which can look at vm's own process from outside ($PPID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    if (!f)
        return 1;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            printf("stack %lu KiB, top %#lx\n", (hi - lo) >> 10, hi);
    }
    fclose(f);
    const char *t1 = getenv("VM_T1"), *t2 = getenv("VM_T2");
    printf("VM_T1=%s VM_T2=%s\n", t1 ? t1 : "(unset)", t2 ? t2 : "(unset)");
    printf("probe %s\n", access("/vm-cli-probe", F_OK) ? "no" : "yes");
    fflush(stdout);
    if (argc > 1 && !strcmp(argv[1], "--exec")) {
        execl(argv[0], argv[0], argc > 2 ? argv[2] : (char *)NULL, (char *)NULL);
        return 1;
    }
    return argc > 1 ? system(argv[1]) != 0 : 0;
}
