/* fork while both processes go on translating: right after fork the parent and the child
 * each run code neither has run before (different functions), so both compile and chain new
 * blocks at the same time. Neither may see the other's code: each prints the sums it
 * computed and the child's exit status carries its own check. Repeated a few times. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define F(n) static __attribute__((noinline)) unsigned f##n(unsigned x) \
    { for (unsigned i = 0; i < n % 7 + 3; i++) x = x * (2 * n + 1) + (x >> (n % 5 + 1)) + n; return x; }
#define F8(a) F(a##0) F(a##1) F(a##2) F(a##3) F(a##4) F(a##5) F(a##6) F(a##7)
F8(1) F8(2) F8(3) F8(4) F8(5) F8(6)
#define C8(a) f##a##0, f##a##1, f##a##2, f##a##3, f##a##4, f##a##5, f##a##6, f##a##7
static unsigned (*const fns[6][8])(unsigned) = { { C8(1) }, { C8(2) }, { C8(3) }, { C8(4) },
                                                 { C8(5) }, { C8(6) } };

static unsigned run(int set, unsigned seed)
{
    unsigned s = seed;
    for (int k = 0; k < 2000; k++)
        s += fns[set][k % 8](s ^ (unsigned)k);
    return s;
}

int main(void)
{
    for (int round = 0; round < 3; round++) {
        int fds[2];
        if (pipe(fds) < 0)
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            unsigned v = run(2 * round + 1, 7);
            if (write(fds[1], &v, sizeof(v)) != sizeof(v))
                _exit(2);
            _exit(v == run(2 * round + 1, 7) ? 0 : 3);
        }
        unsigned mine = run(2 * round, 11), theirs = 0;
        if (read(fds[0], &theirs, sizeof(theirs)) != sizeof(theirs))
            theirs = 0;
        int status;
        waitpid(pid, &status, 0);
        printf("round %d: parent %08x child %08x, child status %d\n", round, mine, theirs,
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        close(fds[0]);
        close(fds[1]);
    }
    return 0;
}
