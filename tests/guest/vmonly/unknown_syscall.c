/* An unknown syscall returns ENOSYS (and vm logs it once under --log=unimp and --strace);
 * an unknown ioctl returns ENOTTY. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 2; i++) {
        errno = 0;
        long r = syscall(4321, 1, 2, 3);
        printf("syscall 4321: %ld %s\n", r, strerror(errno));
    }
    errno = 0;
    int r = ioctl(0, 0x7654, 0);
    printf("ioctl 0x7654: %d %s\n", r, strerror(errno));
    return 0;
}
