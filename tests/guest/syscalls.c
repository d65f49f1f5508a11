/* Assorted process and memory syscalls: uname, getpid/getppid/gettid,
 * brk via sbrk, anonymous mmap/munmap/mprotect/mremap, MAP_FIXED,
 * getrandom, getcwd/chdir consistency (paths not printed), sysinfo-free
 * resource queries, and errno from bad calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#define CHECK(cond) printf("%-64s %s\n", #cond, (cond) ? "ok" : "FAILED")

int main(void)
{
    struct utsname u;
    CHECK(uname(&u) == 0);
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);

    CHECK(getpid() > 0);
    CHECK(getppid() > 0);
    CHECK(gettid() == getpid());

    /* brk */
    char *b0 = sbrk(0);
    CHECK(b0 != (char *)-1);
    CHECK(sbrk(65536) == b0);
    CHECK(sbrk(0) == b0 + 65536);
    memset(b0, 0x5a, 65536);
    CHECK(b0[65535] == 0x5a);
    CHECK(sbrk(-65536) == b0 + 65536);
    CHECK(sbrk(0) == b0);

    /* anonymous mmap is zeroed and page aligned */
    size_t len = 1 << 20;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(((uintptr_t)m & 4095) == 0);
    int zero = 1;
    for (size_t i = 0; i < len; i += 512)
        zero &= m[i] == 0;
    CHECK(zero);
    for (size_t i = 0; i < len; i++)
        m[i] = (unsigned char)i;
    CHECK(mprotect(m, 4096, PROT_READ) == 0);
    CHECK(m[4095] == 255);
    CHECK(mprotect(m, 4096, PROT_READ | PROT_WRITE) == 0);
    m[0] = 7;
    /* grow with mremap (may move); contents survive */
    unsigned char *m2 = mremap(m, len, 2 * len, MREMAP_MAYMOVE);
    CHECK(m2 != MAP_FAILED);
    CHECK(m2[0] == 7 && m2[len - 1] == (unsigned char)(len - 1) && m2[2 * len - 1] == 0);
    /* unmap a hole in the middle, then map it again with MAP_FIXED */
    CHECK(munmap(m2 + 4096, 4096) == 0);
    void *fx = mmap(m2 + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(fx == m2 + 4096);
    CHECK(m2[4096] == 0 && m2[8192] == 0 && m2[8191] == 0);
    CHECK(munmap(m2, 2 * len) == 0);
    CHECK(munmap(m2, 2 * len) == 0);           /* unmapping nothing is fine */
    errno = 0;
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED && errno == EBADF);
    errno = 0;
    CHECK(munmap((void *)1, 4096) == -1 && errno == EINVAL);

    /* a large sparse mapping: only touched pages cost memory */
    size_t huge = (size_t)1 << 32;
    unsigned char *h = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(h != MAP_FAILED);
    if (h != MAP_FAILED) {
        h[0] = 1;
        h[huge - 1] = 2;
        CHECK(h[0] + h[huge - 1] == 3);
        CHECK(munmap(h, huge) == 0);
    }

    unsigned char rnd[32];
    CHECK(getrandom(rnd, sizeof rnd, 0) == (ssize_t)sizeof rnd);

    /* getcwd / chdir: the path itself is not printed */
    char cwd[4096], cwd2[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(cwd[0] == '/');
    CHECK(chdir("/tmp") == 0);
    CHECK(getcwd(cwd2, sizeof cwd2) != NULL && strcmp(cwd2, "/tmp") == 0);
    CHECK(chdir(cwd) == 0);
    CHECK(getcwd(cwd2, sizeof cwd2) != NULL && strcmp(cwd, cwd2) == 0);
    errno = 0;
    CHECK(getcwd(cwd2, 1) == NULL && errno == ERANGE);

    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
    CHECK(rl.rlim_cur > 0);
    struct rusage ru;
    CHECK(getrusage(RUSAGE_SELF, &ru) == 0);

    errno = 0;
    CHECK(syscall(-1) == -1 && errno == ENOSYS);
    errno = 0;
    CHECK(syscall(100000) == -1 && errno == ENOSYS);
    return 0;
}
