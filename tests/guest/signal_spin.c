/* An asynchronous signal reaches a guest that spins in pure computation, making no system
 * call: the engine must leave guest code when asked to (under --engine=check, whose own stop
 * once hid a stop asked at the same moment, this spun forever). */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile sig_atomic_t fired;
static volatile unsigned long sink;   /* keeps the loop's work */

static void on_alarm(int sig)
{
    (void)sig;
    fired = 1;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {.tv_usec = 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    unsigned long x = 1;
    while (!fired)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    sink = x;
    printf("spun until the alarm\n");
    return 0;
}
