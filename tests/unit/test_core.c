/* Unit tests of core/: the machine lifecycle and its observers, pause/resume/quit requests
 * against a run loop on another thread, the exceptions' names, log category parsing, and
 * the registry's refusal to drop an ops table when it is full. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/registry.h"

static int calls;
static enum machine_state seen_old, seen_new;

static void record(struct machine *m, enum machine_state old, void *opaque)
{
    calls++;
    seen_old = old;
    seen_new = m->state;
    *(int *)opaque += 1;
}

/* In a child (the registry cannot be emptied): engines are registered until the table is
 * full, and one more must kill it with SIGABRT rather than be dropped. */
static void test_registry_full(void)
{
    static const struct engine_ops extra = { .name = "extra" };
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (unsigned i = 0; i <= REGISTRY_MAX; i++)
            engine_register(&extra);
        _exit(0);
    }
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* A run loop as a machine's: "guest code" runs until exit_request, then the checkpoint. */
static struct cpu loop_cpu;
static long loop_exits;

static void *run_loop(void *arg)
{
    struct machine *m = arg;
    for (;;) {
        while (!loop_cpu.exit_request)
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
        loop_cpu.exit_request = 0;
        loop_exits++;
        if (machine_checkpoint(m))
            break;
    }
    machine_set_state(m, MACHINE_STOPPED);
    return NULL;
}

static void test_requests(void)
{
    static struct machine m;
    int events = 0;
    struct machine_observer o = { .changed = record, .opaque = &events };
    machine_init(&m, "loop");
    CHECK_EQ(machine_add_cpu(&m, &loop_cpu), 0);
    CHECK(loop_cpu.machine == &m);
    machine_observe(&m, &o);
    CHECK_EQ(machine_pause(&m), -EBUSY);             /* not running yet */
    CHECK_EQ(machine_resume(&m), -EBUSY);
    machine_set_state(&m, MACHINE_RUNNING);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, run_loop, &m), 0);
    CHECK_EQ(machine_pause(&m), 0);
    CHECK_EQ(m.state, MACHINE_PAUSED);
    CHECK_EQ(machine_pause(&m), -EBUSY);
    CHECK_EQ(machine_resume(&m), 0);
    CHECK_EQ(m.state, MACHINE_RUNNING);
    CHECK_EQ(machine_resume(&m), -EBUSY);
    CHECK_EQ(machine_pause(&m), 0);
    CHECK_EQ(machine_quit(&m, 7), 0);                /* from paused straight to stopped */
    CHECK_EQ(machine_quit(&m, 8), -EBUSY);
    pthread_join(t, NULL);
    CHECK_EQ(m.state, MACHINE_STOPPED);
    CHECK_EQ(m.exit_status, 7);
    CHECK_EQ(seen_old, MACHINE_PAUSED);
    /* running, paused, running, paused, stopped */
    CHECK_EQ(events, 5);
    CHECK_EQ(machine_pause(&m), -EBUSY);
}

int main(void)
{
    check_group("machine_lifecycle");
    struct machine m;
    int mine = 0;
    struct machine_observer o = { .changed = record, .opaque = &mine };
    machine_init(&m, "prog");
    CHECK_EQ(m.state, MACHINE_CREATED);
    machine_observe(&m, &o);
    machine_set_state(&m, MACHINE_RUNNING);
    CHECK_EQ(calls, 1);
    CHECK_EQ(seen_old, MACHINE_CREATED);
    CHECK_EQ(seen_new, MACHINE_RUNNING);
    machine_set_state(&m, MACHINE_RUNNING);          /* no change, no event */
    CHECK_EQ(calls, 1);
    machine_set_state(&m, MACHINE_PAUSED);
    machine_set_state(&m, MACHINE_STOPPED);
    CHECK_EQ(calls, 3);
    machine_set_state(&m, MACHINE_RUNNING);          /* stopped is final */
    CHECK_EQ(m.state, MACHINE_STOPPED);
    CHECK_EQ(mine, 3);
    CHECK(!strcmp(machine_state_name(MACHINE_PAUSED), "paused"));

    check_group("machine_requests");
    test_requests();

    check_group("exception_names");   /* every exception has its name in metrics and --stats */
    for (int e = EXC_NONE + 1; e < EXC_COUNT; e++)
        CHECK(cpu_exc_name(e) != NULL);
    CHECK(cpu_exc_name(EXC_NONE) == NULL && cpu_exc_name(EXC_COUNT) == NULL);

    check_group("log_parse");
    log_file = stdout;
    CHECK_EQ(log_parse("in_asm,op"), 0);
    CHECK_EQ(log_mask, (1u << LOG_in_asm) | (1u << LOG_op));
    CHECK(log_parse("nonsense") < 0);
    log_mask = 0;

    check_group("registry_full");
    test_registry_full();
    return check_done();
}
