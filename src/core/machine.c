/* The machine lifecycle, its observer list, and the pause/resume/quit requests its run loop
 * honours (core/machine.h). A request sets the CPUs' exit_request, the same way out of guest
 * code that signals and the debugger use, so a CPU stops at its next block boundary. */
#include "core/machine.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "core/cpu.h"

void machine_init(struct machine *m, const char *name)
{
    m->name = name;
    m->load_bias = 0;
    m->state = MACHINE_CREATED;
    m->exit_status = 0;
    m->observers = NULL;
    m->n_cpus = 0;
    m->n_vcpus = 0;
    m->vcpu_exit_names = NULL;
    m->kick = NULL;
    m->n_parked = 0;
    m->requests = 0;
    m->describe = NULL;
    m->loaded = NULL;
    m->device_add = NULL;
    m->device_remove = NULL;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->changed, NULL);
}

void machine_observe(struct machine *m, struct machine_observer *o)
{
    o->next = m->observers;
    m->observers = o;
}

int machine_image_add(struct machine_image *img, const char *name, state_save_fn *save,
                      state_load_fn *load, void *opaque)
{
    if (img->n_parts == MACHINE_PARTS_MAX)
        return -ENOSPC;
    struct machine_part *p = &img->parts[img->n_parts++];
    *p = (struct machine_part){ .save = save, .load = load, .opaque = opaque };
    snprintf(p->name, sizeof(p->name), "%s", name);
    return 0;
}

void machine_guest_panicked(struct machine *m, bool crash_loaded)
{
    for (struct machine_observer *o = m->observers; o; o = o->next)
        if (o->panicked)
            o->panicked(m, crash_loaded, o->opaque);
}

void machine_set_state(struct machine *m, enum machine_state state)
{
    enum machine_state old = m->state;
    if (old == MACHINE_STOPPED || old == state)
        return;
    __atomic_store_n(&m->state, state, __ATOMIC_RELEASE);
    for (struct machine_observer *o = m->observers; o; o = o->next)
        o->changed(m, old, o->opaque);
    if (state == MACHINE_STOPPED) {   /* a pause waiting for the CPUs gives up */
        pthread_mutex_lock(&m->lock);
        pthread_cond_broadcast(&m->changed);
        pthread_mutex_unlock(&m->lock);
    }
}

const char *machine_state_name(enum machine_state s)
{
    static const char *const names[] = { "created", "running", "paused", "stopped" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int machine_add_cpu(struct machine *m, struct cpu *cpu)
{
    if (m->n_cpus == MACHINE_MAX_CPUS)
        return -ENOSPC;
    m->cpus[m->n_cpus++] = cpu;
    cpu->machine = m;
    return 0;
}

int machine_add_vcpu(struct machine *m, struct machine_vcpu *v)
{
    if (m->n_vcpus == MACHINE_MAX_CPUS)
        return -ENOSPC;
    m->vcpus[m->n_vcpus++] = v;
    return 0;
}

uint64_t machine_pc(const struct machine *m)
{
    return m->n_cpus ? m->cpus[0]->pc : m->n_vcpus ? m->vcpus[0]->pc : 0;
}

void machine_vcpu_exits(const struct machine *m, uint64_t sum[MACHINE_VCPU_EXITS_MAX])
{
    for (unsigned r = 0; r < MACHINE_VCPU_EXITS_MAX; r++) {
        sum[r] = 0;
        for (unsigned i = 0; i < m->n_vcpus; i++)
            sum[r] += __atomic_load_n(&m->vcpus[i]->exits[r], __ATOMIC_RELAXED);
    }
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double machine_vcpu_cpu_seconds(const struct machine_vcpu *v)
{
    if (__atomic_load_n(&v->ended, __ATOMIC_ACQUIRE))
        return v->cpu_ns / 1e9;
    if (!__atomic_load_n(&v->tid, __ATOMIC_ACQUIRE))
        return 0;
    uint64_t now = clock_ns(v->clock);
    return now > v->cpu_start_ns ? (now - v->cpu_start_ns) / 1e9 : 0;
}

void machine_vcpu_thread_started(struct machine_vcpu *v)
{
    pthread_getcpuclockid(pthread_self(), &v->clock);
    v->cpu_start_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    __atomic_store_n(&v->tid, gettid(), __ATOMIC_RELEASE);
}

void machine_vcpu_thread_ended(struct machine_vcpu *v)
{
    v->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - v->cpu_start_ns;
    __atomic_store_n(&v->ended, true, __ATOMIC_RELEASE);
}

/* With m->lock held: make every CPU leave guest code. */
static void kick(struct machine *m, int request)
{
    __atomic_or_fetch(&m->requests, request, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < m->n_cpus; i++)
        m->cpus[i]->exit_request = 1;
    if (m->kick)
        m->kick(m);
}

int machine_pause(struct machine *m)
{
    pthread_mutex_lock(&m->lock);
    int err = 0;
    if (m->state != MACHINE_RUNNING || (m->requests & MACHINE_REQ_PAUSE)) {
        err = -EBUSY;
    } else {
        kick(m, MACHINE_REQ_PAUSE);
        while (m->state == MACHINE_RUNNING)
            pthread_cond_wait(&m->changed, &m->lock);
        if (m->state != MACHINE_PAUSED)
            err = -EBUSY;
    }
    pthread_mutex_unlock(&m->lock);
    return err;
}

int machine_resume(struct machine *m)
{
    pthread_mutex_lock(&m->lock);
    int err = m->state == MACHINE_PAUSED ? 0 : -EBUSY;
    if (!err) {
        __atomic_and_fetch(&m->requests, ~MACHINE_REQ_PAUSE, __ATOMIC_SEQ_CST);
        pthread_cond_broadcast(&m->changed);
        while (m->state == MACHINE_PAUSED)   /* so the next request sees it running */
            pthread_cond_wait(&m->changed, &m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return err;
}

int machine_quit(struct machine *m, int status)
{
    pthread_mutex_lock(&m->lock);
    int err = m->state == MACHINE_STOPPED || (m->requests & MACHINE_REQ_QUIT) ? -EBUSY : 0;
    if (!err) {
        m->exit_status = status;
        kick(m, MACHINE_REQ_QUIT);
        pthread_cond_broadcast(&m->changed);
    }
    pthread_mutex_unlock(&m->lock);
    return err;
}

bool machine_checkpoint(struct machine *m)
{
    if (!__atomic_load_n(&m->requests, __ATOMIC_ACQUIRE))
        return false;
    pthread_mutex_lock(&m->lock);
    if ((m->requests & MACHINE_REQ_PAUSE) && !(m->requests & MACHINE_REQ_QUIT)) {
        /* The machine is paused once the last of its CPUs and vCPUs parks here; the first
         * to leave makes it run again. */
        if (++m->n_parked == m->n_cpus + m->n_vcpus) {
            machine_set_state(m, MACHINE_PAUSED);
            pthread_cond_broadcast(&m->changed);
        }
        while ((m->requests & MACHINE_REQ_PAUSE) && !(m->requests & MACHINE_REQ_QUIT))
            pthread_cond_wait(&m->changed, &m->lock);
        m->n_parked--;
        /* a quit goes from paused to stopped */
        if (!(m->requests & MACHINE_REQ_QUIT) && m->state == MACHINE_PAUSED) {
            machine_set_state(m, MACHINE_RUNNING);
            pthread_cond_broadcast(&m->changed);
        }
    }
    bool quit = m->requests & MACHINE_REQ_QUIT;
    pthread_mutex_unlock(&m->lock);
    return quit;
}
