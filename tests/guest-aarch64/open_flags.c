/* open(2) flags whose values on arm64 differ from the generic ABI (O_DIRECTORY, O_NOFOLLOW,
 * O_DIRECT, O_LARGEFILE) keep their meaning: O_DIRECTORY refuses a file and opens a
 * directory (opendir), O_NOFOLLOW refuses a symlink, and F_GETFL reports the guest's bits. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char dir[] = "/tmp/vm-open-flags-XXXXXX", file[64], link[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(file, sizeof(file), "%s/file", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    int fd = open(file, O_CREAT | O_WRONLY, 0600);
    if (fd < 0 || symlink("file", link) < 0)
        return 1;
    close(fd);

    fd = open(file, O_RDONLY | O_DIRECTORY);
    printf("O_DIRECTORY on a file: %s\n", fd < 0 ? strerror(errno) : "opened");
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    printf("O_DIRECTORY on a directory: %s\n", fd < 0 ? strerror(errno) : "opened");
    if (fd >= 0)
        close(fd);
    fd = open(link, O_RDONLY | O_NOFOLLOW);
    printf("O_NOFOLLOW on a symlink: %s\n", fd < 0 ? strerror(errno) : "opened");
    fd = open(link, O_RDONLY);
    printf("a symlink without O_NOFOLLOW: %s\n", fd < 0 ? strerror(errno) : "opened");

    int fl = fcntl(fd, F_GETFL);
    printf("F_GETFL: O_LARGEFILE %d, O_DIRECT %d, O_DIRECTORY %d, O_NOFOLLOW %d\n",
           !!(fl & O_LARGEFILE), !!(fl & O_DIRECT), !!(fl & O_DIRECTORY), !!(fl & O_NOFOLLOW));
    fcntl(fd, F_SETFL, fl | O_NONBLOCK | O_APPEND);
    fl = fcntl(fd, F_GETFL);
    printf("after F_SETFL: O_NONBLOCK %d, O_APPEND %d, O_LARGEFILE %d\n", !!(fl & O_NONBLOCK),
           !!(fl & O_APPEND), !!(fl & O_LARGEFILE));
    close(fd);

    int entries = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        entries++;
    printf("opendir: %s, %d entries\n", d ? "ok" : strerror(errno), entries);
    if (d)
        closedir(d);
    unlink(link);
    unlink(file);
    rmdir(dir);
    return 0;
}
