/* Time syscalls: clock_gettime (MONOTONIC, REALTIME, PROCESS_CPUTIME),
 * clock_getres, gettimeofday, time, nanosleep. Only "ok"-style facts are
 * printed since the values themselves differ from run to run. */
#include <stdio.h>
#include <time.h>
#include <sys/time.h>

static long long ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void)
{
    struct timespec prev, cur;
    int mono_ok = clock_gettime(CLOCK_MONOTONIC, &prev) == 0;
    for (int i = 0; i < 2000; i++) {
        if (clock_gettime(CLOCK_MONOTONIC, &cur) != 0 || ns(&cur) < ns(&prev) || cur.tv_nsec < 0 ||
            cur.tv_nsec >= 1000000000L)
            mono_ok = 0;
        prev = cur;
    }
    printf("monotonic nondecreasing: %s\n", mono_ok ? "ok" : "FAILED");

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime after 2020: %s\n", rt.tv_sec > 1577836800 ? "ok" : "FAILED");
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long diff = (long long)tv.tv_sec - rt.tv_sec;
    printf("gettimeofday agrees with realtime: %s\n", diff >= 0 && diff <= 5 && tv.tv_usec < 1000000 ? "ok" : "FAILED");
    /* time() reads the coarse clock, which lags the precise one by up to a tick: just after a
     * second begins it may still say the one before (natively too). */
    time_t t = time(NULL);
    printf("time() agrees: %s\n", t - rt.tv_sec >= -1 && t - rt.tv_sec <= 5 ? "ok" : "FAILED");

    struct timespec res;
    printf("clock_getres monotonic: %s\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(&res) > 0 && ns(&res) <= 1000000 ? "ok" : "FAILED");

    struct timespec a, b, req = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("nanosleep 20ms returned 0: %s\n", rc == 0 ? "ok" : "FAILED");
    printf("monotonic advanced >= 20ms: %s\n", ns(&b) - ns(&a) >= 20000000LL ? "ok" : "FAILED");

    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile double x = 0;
    for (int i = 0; i < 200000; i++)
        x += i * 0.5;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    printf("process cputime nondecreasing: %s\n", ns(&c1) >= ns(&c0) ? "ok" : "FAILED");
    return 0;
}
