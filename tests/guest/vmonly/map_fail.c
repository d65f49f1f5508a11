/* A host mapping that fails must leave the guest range unmapped and vm's own memory out of it:
 * mmap of a socket fails with ENODEV only after the host kernel has let go of whatever was
 * mapped there, so vm must put its reservation back. Afterwards threads are created and memory
 * allocated (vm's host thread stacks and malloc arenas go wherever the host has room), and
 * every 64 KiB of the range must still fault. (qemu-user has no reservation: its own memory
 * may land there, hence vm only.) */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define LEN (256ul << 20)
#define STEP (64ul << 10)

static sigjmp_buf probe_jb;

static void on_fault(int sig)
{
    siglongjmp(probe_jb, sig);
}

/* Number of probed addresses in [p, p + LEN) where a read does not fault with SIGSEGV (it
 * succeeds, or something mapped there gives SIGBUS). */
static unsigned mapped(volatile char *p)
{
    unsigned n = 0;
    for (unsigned long off = 0; off < LEN; off += STEP) {
        int sig = sigsetjmp(probe_jb, 1);
        if (!sig)
            (void)p[off];
        n += sig != SIGSEGV;
    }
    return n;
}

static void *worker(void *arg)
{
    free(malloc(1000));
    return arg;
}

int main(void)
{
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    char *hint = (char *)0x2000000000;   /* far from where the guest's own mappings go */
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    void *p = mmap(hint, LEN, PROT_READ, MAP_SHARED, sock, 0);
    printf("mmap socket: %s %s\n", p == MAP_FAILED ? "failed" : "mapped", strerror(errno));
    errno = 0;
    p = mmap(hint, LEN, PROT_READ, MAP_SHARED | MAP_FIXED, sock, 0);
    printf("mmap socket fixed: %s %s\n", p == MAP_FAILED ? "failed" : "mapped", strerror(errno));
    /* Too much private memory for the host (unless it has 100 GiB to spare): refused before
     * anything changed, so the page that was there keeps its contents, as on Linux. */
    char *old = mmap((char *)0x1000000000, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    old[0] = 5;
    p = mmap(old, 100ul << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0);
    printf("old page after a too large fixed mmap: %s\n",
           p != MAP_FAILED || old[0] == 5 ? "kept" : "lost");
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 64; i++)
        if (!malloc(1 << 20))
            return 1;
    printf("mapped after threads and malloc: %u\n", mapped(hint));
    return 0;
}
