/* Memory mapped and unmapped far from any code after a signal handler has run (so the signal
 * trampoline, near the top of the space, has been translated, as has code near the bottom):
 * vm must not drop translated code for these changes, nor stop other threads to do it.
 * vmonly.sh also runs this under --stats and expects no range invalidated. */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static volatile int handled;

static void on_usr1(int sig)
{
    handled = 1;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    int ok = 0;
    for (int i = 0; i < 200; i++) {
        size_t len = (size_t)(1 + i % 8) << 16;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        p[len - 1] = 1;
        ok += mprotect(p, len, PROT_READ) == 0 && munmap(p, len) == 0;
    }
    printf("handled %d, mapped and unmapped %d of 200\n", handled, ok);
    return 0;
}
