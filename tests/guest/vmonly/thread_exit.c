/* A process ended by a thread other than the main one: with no argument a second thread calls
 * exit_group(3) while the main thread waits in pthread_join; with "last" the main thread
 * leaves first (pthread_exit) and the second thread, then the process's last, calls the
 * thread-only exit(5). vmonly.sh also runs both under --stats, which must print its report
 * whichever thread ends the process. */
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_t main_thread;

static void say(const char *s)
{
    write(1, s, strlen(s));
}

static void *ender(void *arg)
{
    if (arg) {
        pthread_join(main_thread, NULL);   /* returns once the main thread is gone */
        say("last thread exits\n");
        syscall(SYS_exit, 5);
    }
    say("second thread ends the process\n");
    syscall(SYS_exit_group, 3);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    main_thread = pthread_self();
    void *last = argc > 1 && !strcmp(argv[1], "last") ? argv[1] : NULL;
    if (pthread_create(&t, NULL, ender, last))
        return 1;
    if (last)
        pthread_exit(NULL);
    pthread_join(t, NULL);
    say("main thread should not get here\n");
    return 1;
}
