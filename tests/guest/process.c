/* Processes: fork with a pipe, exit statuses and deaths by signal seen through wait4 and
 * waitid, vfork, SIGCHLD to a handler, process groups and sessions, pidfds, SIGSEGV sent with
 * kill, and execve of a host program (/bin/sh runs natively; directly with stdout redirected
 * by dup2, and through posix_spawn). Exec of guest programs is checked by vmonly.sh:
 * qemu-user needs binfmt_misc for it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile sig_atomic_t chld, segv_code;

static void on_chld(int sig)
{
    chld++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    segv_code = si->si_code == SI_USER ? 1 : 2;
}

int main(void)
{
    /* fork, a pipe, and the child's exit status */
    int fds[2];
    if (pipe(fds) < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char msg[64];
        int n = snprintf(msg, sizeof(msg), "child pid ok=%d ppid ok=%d", getpid() != 0,
                         getppid() > 1);
        write(fds[1], msg, (size_t)n);
        _exit(7);
    }
    close(fds[1]);
    char buf[128] = { 0 };
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    int status;
    pid_t w = waitpid(pid, &status, 0);
    printf("fork: read %zd \"%s\" waited-right=%d exited=%d status=%d\n", n, buf, w == pid,
           WIFEXITED(status), WEXITSTATUS(status));

    /* a child killed by a signal */
    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("killed: signaled=%d sig=%d\n", WIFSIGNALED(status), WTERMSIG(status));

    /* SIGKILL from the parent, seen with waitid */
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGKILL);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    waitid(P_PID, (id_t)pid, &si, WEXITED);
    printf("waitid: code=%s status=%d pid-ok=%d\n", si.si_code == CLD_KILLED ? "KILLED" : "other",
           si.si_status, si.si_pid == pid);

    /* vfork and SIGCHLD to a handler */
    signal(SIGCHLD, on_chld);
    pid = vfork();
    if (pid == 0)
        _exit(3);
    waitpid(pid, &status, 0);
    printf("vfork: status=%d sigchld=%d\n", WEXITSTATUS(status), chld);
    signal(SIGCHLD, SIG_DFL);

    /* process groups and sessions */
    pid = fork();
    if (pid == 0) {
        pid_t me = getpid();
        int a = setpgid(0, 0) == 0 && getpgid(0) == me;
        int b = setsid() < 0 && errno == EPERM;   /* a group leader cannot */
        _exit(a * 10 + b);
    }
    waitpid(pid, &status, 0);
    printf("pgid: setpgid-ok=%d setsid-eperm=%d\n", WEXITSTATUS(status) / 10,
           WEXITSTATUS(status) % 10);
    pid = fork();
    if (pid == 0)
        _exit(setsid() == getpid() && getsid(0) == getpid());
    waitpid(pid, &status, 0);
    printf("setsid: ok=%d\n", WEXITSTATUS(status));

    /* pidfd: signal a child through it */
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    long r = syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 0);
    waitpid(pid, &status, 0);
    printf("pidfd: fd-ok=%d send=%ld sig=%d\n", pfd >= 0, r, WTERMSIG(status));
    close(pfd);

    /* SIGSEGV sent by another process is a signal like any other, not a fault */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    pid = fork();
    if (pid == 0) {
        kill(getppid(), SIGSEGV);
        _exit(0);
    }
    while (!segv_code)
        usleep(1000);
    waitpid(pid, &status, 0);
    printf("kill SIGSEGV: si_code is SI_USER=%d\n", segv_code == 1);

    /* execve of a host program with stdout going into a pipe */
    fflush(stdout);
    if (pipe(fds) < 0)
        return 1;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        char *args[] = { "sh", "-c", "echo \"sh: $PROCESS_TEST\"; exit 3", NULL };
        char *env[] = { "PROCESS_TEST=yes", NULL };
        execve("/bin/sh", args, env);
        _exit(127);
    }
    close(fds[1]);
    memset(buf, 0, sizeof(buf));
    n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    waitpid(pid, &status, 0);
    printf("execve: got \"%.*s\" status=%d\n", (int)(n > 0 ? n - 1 : 0), buf,
           WEXITSTATUS(status));

    /* posix_spawn (clone with CLONE_VM|CLONE_VFORK in glibc) */
    fflush(stdout);
    char *sargs[] = { "sh", "-c", "echo spawned; exit 4", NULL };
    r = posix_spawn(&pid, "/bin/sh", NULL, NULL, sargs, environ);
    waitpid(pid, &status, 0);
    printf("posix_spawn: r=%ld status=%d\n", r, WEXITSTATUS(status));

    /* execve failures */
    char *none[] = { "x", NULL };
    execve("/nonexistent/program", none, environ);
    printf("execve missing: %s\n", strerror(errno));
    return 0;
}
