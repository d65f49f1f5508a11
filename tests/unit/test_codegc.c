/* The code cache across fork: the child gets the code as it was at the fork, at the same
 * addresses, and from then on each process writes only its own copy. The parent overwrites
 * a committed block the moment fork returns (as chaining does); the child must still see the
 * old bytes, and its own writes must not reach the parent. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "exec/codegc.h"
#include "exec/tb.h"

#define BLOCK 4096

int main(void)
{
    check_group("codegc_fork_private_copy");
    CHECK_EQ(codegc_init(), 0);
    size_t avail;
    intptr_t delta;
    static struct tb tb;
    uint8_t *w = codegc_space(CODEGC_NURSERY, &avail, &delta);
    CHECK(avail >= BLOCK);
    memset(w, 0xaa, BLOCK);
    const uint8_t *code = codegc_commit(CODEGC_NURSERY, w, w + BLOCK, &tb);
    for (int round = 0; round < 20; round++) {
        memset(codegc_rw(code), 0xaa, BLOCK);
        int fds[2];
        CHECK_EQ(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
            char go;
            if (read(fds[0], &go, 1) != 1)   /* the parent has written its bytes */
                _exit(2);
            bool old = true;
            for (int i = 0; i < BLOCK; i++)
                old &= code[i] == 0xaa;
            memset(codegc_rw(code), 0x77, BLOCK);
            _exit(old ? 0 : 1);
        }
        memset(codegc_rw(code), 0x55, BLOCK);
        CHECK_EQ(write(fds[1], "g", 1), 1);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK_EQ(code[0], 0x55);
        CHECK_EQ(code[BLOCK - 1], 0x55);
        close(fds[0]);
        close(fds[1]);
    }
    return check_done();
}
