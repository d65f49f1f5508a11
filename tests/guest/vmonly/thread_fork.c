/* fork while another thread runs guest code: the child has only the forking thread, and
 * vm's locks that thread held in the parent must not block the child (it changes the
 * protection of its code, which drops translations, maps memory and starts a thread). qemu-user 7.2
 * aborts on this, hence vm only. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;

static void *spin(void *arg)
{
    unsigned long n = 0;
    while (!stop)
        n++;
    return (void *)(long)(n > 0);
}

static void *child_thread(void *arg)
{
    return (void *)42L;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    usleep(10000);
    pid_t pid = fork();
    if (pid == 0) {
        /* same protection, but vm drops the translations of that page */
        void *text = (void *)((unsigned long)main & ~4095ul);
        if (mprotect(text, 4096, PROT_READ | PROT_EXEC) < 0)
            _exit(2);
        for (int i = 0; i < 20; i++) {
            void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
            munmap(p, 1 << 20);
        }
        pthread_t c;
        void *r;
        pthread_create(&c, NULL, child_thread, NULL);
        pthread_join(c, &r);
        printf("child: thread returned %ld\n", (long)r);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    stop = 1;
    void *r;
    pthread_join(t, &r);
    printf("parent: child status %d, spinner ran %ld\n", WEXITSTATUS(status), (long)r);
    return 0;
}
