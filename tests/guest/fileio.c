/* File and descriptor syscalls on a pid-unique file in /tmp: open/creat,
 * write/read, lseek (SET/CUR/END, holes), pread/pwrite, fstat/stat sizes,
 * ftruncate, rename, mmap of a file, dup/dup2, pipe, fcntl, unlink and
 * the errno values of failing calls. The file name is never printed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(cond) printf("%-60s %s\n", #cond, (cond) ? "ok" : "FAILED")

int main(void)
{
    char path[128], path2[128];
    snprintf(path, sizeof path, "/tmp/vm-guest-fileio-%d.tmp", (int)getpid());
    snprintf(path2, sizeof path2, "/tmp/vm-guest-fileio-%d.renamed", (int)getpid());
    unlink(path);
    unlink(path2);

    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 3);
    char buf[10000];
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    CHECK(lseek(fd, 0, SEEK_CUR) == 10000);
    CHECK(lseek(fd, 5000, SEEK_SET) == 5000);
    char rd[100];
    CHECK(read(fd, rd, 100) == 100);
    CHECK(memcmp(rd, buf + 5000, 100) == 0);
    CHECK(lseek(fd, -10, SEEK_END) == 9990);
    CHECK(read(fd, rd, 100) == 10);
    CHECK(read(fd, rd, 100) == 0);

    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("fstat size=%lld regular=%d mode=%o\n", (long long)st.st_size, S_ISREG(st.st_mode),
           (unsigned)(st.st_mode & 0777));

    /* writing past the end leaves a hole of zeros */
    CHECK(lseek(fd, 20000, SEEK_SET) == 20000);
    CHECK(write(fd, "END", 3) == 3);
    CHECK(pread(fd, rd, 4, 15000) == 4);
    CHECK(rd[0] == 0 && rd[3] == 0);
    CHECK(pwrite(fd, "XY", 2, 1) == 2);
    CHECK(lseek(fd, 0, SEEK_CUR) == 20003);     /* pwrite does not move the offset */
    CHECK(pread(fd, rd, 4, 0) == 4);
    printf("head after pwrite: %.4s\n", rd);
    CHECK(stat(path, &st) == 0);
    printf("stat size=%lld\n", (long long)st.st_size);

    /* scatter/gather */
    struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(writev(fd, iov, 3) == 13);
    char g1[6] = {0}, g2[9] = {0};
    struct iovec riov[2] = {{g1, 5}, {g2, 8}};
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(readv(fd, riov, 2) == 13);
    printf("readv: [%s][%s]\n", g1, g2);

    CHECK(ftruncate(fd, 26) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 26);

    /* mmap the file shared, modify through memory, read back via read */
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    if (m != MAP_FAILED) {
        printf("mmap view: %.26s\n", m);
        memcpy(m + 20, "MMAP", 4);
        CHECK(msync(m, 4096, MS_SYNC) == 0);
        CHECK(munmap(m, 4096) == 0);
    }
    CHECK(pread(fd, rd, 26, 0) == 26);
    printf("after mmap write: %.26s\n", rd);

    /* dup, dup2, O_APPEND, fcntl */
    int fd2 = dup(fd);
    CHECK(fd2 > fd);
    CHECK(lseek(fd2, 3, SEEK_SET) == 3);
    CHECK(lseek(fd, 0, SEEK_CUR) == 3);          /* shared file offset */
    CHECK(dup2(fd, 50) == 50);
    CHECK(fcntl(50, F_GETFD) == 0);
    CHECK(fcntl(50, F_SETFD, FD_CLOEXEC) == 0 && fcntl(50, F_GETFD) == FD_CLOEXEC);
    CHECK(close(50) == 0);
    CHECK(close(50) == -1 && errno == EBADF);
    CHECK(close(fd2) == 0);
    CHECK(close(fd) == 0);

    fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK(write(fd, "++", 2) == 2);
    CHECK(lseek(fd, 0, SEEK_CUR) == 28);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    CHECK(close(fd) == 0);

    CHECK(rename(path, path2) == 0);
    CHECK(access(path, F_OK) == -1 && errno == ENOENT);
    CHECK(access(path2, R_OK | W_OK) == 0);
    fd = open(path2, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
    CHECK(close(fd) == 0);
    CHECK(unlink(path2) == 0);
    CHECK(open(path2, O_RDONLY) == -1 && errno == ENOENT);
    CHECK(unlink(path2) == -1 && errno == ENOENT);
    CHECK(open("/tmp", O_WRONLY) == -1 && errno == EISDIR);
    CHECK(read(-1, rd, 1) == -1 && errno == EBADF);
    CHECK(open(path, O_RDONLY | O_DIRECTORY) == -1 && errno == ENOENT);

    /* openat relative to a directory fd, and mkdir/rmdir */
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/vm-guest-dir-%d", (int)getpid());
    CHECK(mkdir(dir, 0700) == 0);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    int f3 = openat(dfd, "inner", O_CREAT | O_WRONLY, 0644);
    CHECK(f3 >= 0);
    CHECK(write(f3, "abc", 3) == 3);
    CHECK(close(f3) == 0);
    CHECK(fstatat(dfd, "inner", &st, 0) == 0 && st.st_size == 3);
    CHECK(unlinkat(dfd, "inner", 0) == 0);
    CHECK(close(dfd) == 0);
    CHECK(rmdir(dir) == 0);

    /* pipes work without fork */
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "through the pipe", 16) == 16);
    char pb[32] = {0};
    CHECK(read(p[0], pb, sizeof pb) == 16);
    printf("pipe: %s\n", pb);
    CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    CHECK(read(p[0], pb, 1) == -1 && errno == EAGAIN);
    CHECK(close(p[1]) == 0);
    CHECK(read(p[0], pb, 1) == 0);               /* EOF once the writer is gone */
    CHECK(close(p[0]) == 0);

    /* stdio on a file */
    FILE *f = fopen(path, "w+");
    CHECK(f != NULL);
    fprintf(f, "line %d\nline %d\n", 1, 2);
    rewind(f);
    char line[32];
    while (fgets(line, sizeof line, f))
        printf("fgets: %s", line);
    CHECK(fclose(f) == 0);
    CHECK(unlink(path) == 0);

    /* raw write to stdout interleaved with stdio (flush first) */
    fflush(stdout);
    CHECK(write(1, "raw write to fd 1\n", 18) == 18);
    return 0;
}
