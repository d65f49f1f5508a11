/* Process attributes: prctl (thread name), getcpu, CPU affinity, scheduling parameters,
 * getresuid, getgroups, and mlock/munlock on guest memory. */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
    char name[16] = { 0 };
    printf("set_name %d\n", prctl(PR_SET_NAME, "guestname"));
    printf("get_name %d %s\n", prctl(PR_GET_NAME, name), name);
    unsigned c = 99;
    printf("getcpu %d ok=%d\n", getcpu(&c, NULL), c < 4096);
    cpu_set_t s;
    CPU_ZERO(&s);
    sched_getaffinity(0, sizeof(s), &s);
    printf("setaffinity %d\n", sched_setaffinity(0, sizeof(s), &s));
    uid_t r = (uid_t)-1, e, sv;
    int got = getresuid(&r, &e, &sv);
    printf("getresuid %d same=%d\n", got, r == getuid());
    gid_t g[64];
    printf("getgroups ok=%d\n", getgroups(64, g) >= 0);
    static char buf[8192];
    printf("mlock %d munlock %d\n", mlock(buf, 100), munlock(buf, 100));
    /* the calls before the reads (here and above): argument order is unspecified */
    struct sched_param sp = { .sched_priority = -1 };
    int rc = sched_getparam(0, &sp);
    printf("getparam %d prio=%d\n", rc, sp.sched_priority);
    return 0;
}
