/* Syscalls whose arguments lie in a file mapping past the end of the file (where the host
 * raises SIGBUS) fail with EFAULT, whether the host kernel or vm copies them; the guest's own
 * access there is its SIGBUS. (qemu-user 7.2 aborts on this, hence vm only.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    printf("guest access: signal %d code %d\n", sig, si->si_code);
    exit(0);
}

int main(void)
{
    char path[] = "/tmp/vm-eof-XXXXXX";
    int fd = mkstemp(path);
    write(fd, "x", 1);
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unlink(path);
    char *beyond = p + 4096;
    errno = 0;
    printf("open: %d %s\n", open(beyond, O_RDONLY), strerror(errno));
    errno = 0;
    printf("write: %zd %s\n", write(1, beyond, 16), strerror(errno));
    errno = 0;
    struct timespec *ts = (struct timespec *)beyond;
    printf("clock_gettime: %d %s\n", clock_gettime(CLOCK_REALTIME, ts), strerror(errno));
    errno = 0;
    printf("rt_sigaction: %ld %s\n", syscall(SYS_rt_sigaction, SIGUSR1, beyond, NULL, 8),
           strerror(errno));
    fflush(stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    *(volatile char *)beyond = 1;
    return 1;
}
