/* execve of a guest program: vm runs it by re-executing itself with the same options (so a
 * dynamic child finds its sysroot); arguments, environment and /proc/self/exe come through,
 * directly and through posix_spawn. (qemu-user needs binfmt_misc for this, hence vm only.) */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child")) {
        char self[4096] = { 0 };
        readlink("/proc/self/exe", self, sizeof(self) - 1);
        printf("child: argc=%d argv1=%s argv2=%s X=%s exe-is-self=%d\n", argc, argv[1],
               argc > 2 ? argv[2] : "-", getenv("X") ? getenv("X") : "-",
               strstr(self, "exec_guest") != NULL);
        return 5;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = { argv[0], "child", "a b", NULL };
        char *env[] = { "X=1", NULL };
        execve(argv[0], args, env);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("execve: status=%d\n", WEXITSTATUS(status));
    fflush(stdout);
    char *args[] = { argv[0], "child", NULL };
    char *env[] = { "X=spawned", NULL };
    int r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, env);
    waitpid(pid, &status, 0);
    printf("posix_spawn: r=%d status=%d\n", r, WEXITSTATUS(status));
    return 0;
}
