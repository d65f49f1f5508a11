/* Process start-up state: argc/argv (incl. empty and non-ASCII arguments),
 * envp layout, one variable passed with -E, and the auxiliary vector.
 * Prints only facts that every correct emulator must reproduce: argv[0]
 * is reduced to its basename, the environment to the variable we set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <elf.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    const char *slash = strrchr(argv[0], '/');
    printf("argc=%d\n", argc);
    printf("argv[0] basename=%s\n", slash ? slash + 1 : argv[0]);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    printf("envp follows argv: %d, environ == envp: %d\n", envp == argv + argc + 1, environ == envp);

    const char *v = getenv("GUEST_TEST_VAR");
    printf("GUEST_TEST_VAR=%s\n", v ? v : "(unset)");
    int seen = 0;
    for (char **e = envp; *e; e++)
        if (strncmp(*e, "GUEST_TEST_VAR=", 15) == 0)
            seen++;
    printf("GUEST_TEST_VAR entries in envp: %d\n", seen);
    printf("UNSET_GUEST_VAR_XYZ=%s\n", getenv("UNSET_GUEST_VAR_XYZ") ? "set" : "(unset)");

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("sysconf(_SC_PAGESIZE)=%ld\n", sysconf(_SC_PAGESIZE));
    unsigned long hwcap = getauxval(AT_HWCAP);
    printf("AT_HWCAP nonzero: %d\n", hwcap != 0);
    /* single-letter ISA bits: rv64gc = I M A F D C */
    unsigned long want = 0;
    for (const char *p = "IMAFDC"; *p; p++)
        want |= 1ul << (*p - 'A');
    printf("AT_HWCAP has IMAFDC: %d\n", (hwcap & want) == want);
    unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM non-null: %d\n", rnd != NULL);
    printf("AT_PHDR non-null: %d, AT_PHENT=%lu, AT_PHNUM>0: %d\n", getauxval(AT_PHDR) != 0,
           getauxval(AT_PHENT), getauxval(AT_PHNUM) > 0);
    printf("AT_ENTRY non-null: %d\n", getauxval(AT_ENTRY) != 0);
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_UID matches getuid: %d, AT_EUID matches geteuid: %d\n", getauxval(AT_UID) == getuid(),
           getauxval(AT_EUID) == geteuid());
    printf("AT_GID matches getgid: %d, AT_EGID matches getegid: %d\n", getauxval(AT_GID) == getgid(),
           getauxval(AT_EGID) == getegid());
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn) {
        const char *s2 = strrchr(execfn, '/');
        printf("AT_EXECFN basename=%s\n", s2 ? s2 + 1 : execfn);
    } else {
        printf("AT_EXECFN missing\n");
    }
    return 0;
}
