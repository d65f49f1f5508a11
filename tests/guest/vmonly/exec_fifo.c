/* execve of a FIFO with execute permission fails with EACCES at once, as on Linux; vm used to
 * open it to read an ELF header and wait for a writer for ever. (qemu-user 7.2 cannot execve a
 * guest program without binfmt_misc, hence vm only.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char dir[] = "/tmp/vm-fifo-XXXXXX", path[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/fifo", dir);
    if (mkfifo(path, 0755) < 0 || chmod(path, 0755) < 0)
        return 1;
    char *argv[] = { path, NULL };
    execv(path, argv);
    printf("execve of a FIFO: %s\n", strerror(errno));
    unlink(path);
    rmdir(dir);
    return 0;
}
