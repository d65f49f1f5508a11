/* Unit tests of riscv64's interrupt lines as devices use them (guest/riscv64/system.h): a
 * hart on a softmmu space sleeps in WFI with the machine timer interrupt enabled, another
 * thread raises MTIP with riscv64_set_pending, and the hart must take it (mcause = interrupt
 * 7) without having spun meanwhile (the guest counts how often its WFI returned). Lowering
 * the line clears the bit. Under both engines; the run loop is the virt board's. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/system.h"
#include "mem/softmmu.h"

#define RAM_BASE 0x80000000ull
#define DONE_BASE 0x1000000ull
#define WAIT_NS 50000000ll

/* mtvec = handler (+0x24); mie = MTIE; mstatus.MIE = 1; then WFI in a loop counting in s0.
 * The handler stores s0 and then mcause to the done device. */
static const uint32_t program[] = {
    0x00000297,     /* auipc t0, 0 */
    0x02428293,     /* addi t0, t0, 0x24 */
    0x30529073,     /* csrw mtvec, t0 */
    0x08000293,     /* li t0, 0x80 */
    0x30429073,     /* csrw mie, t0 */
    0x30046073,     /* csrsi mstatus, 8 */
    0x10500073,     /* 1: wfi */
    0x00140413,     /* addi s0, s0, 1 */
    0xff9ff06f,     /* j 1b */
    0x34202373,     /* handler: csrr t1, mcause */
    0x010003b7,     /* lui t2, 0x1000 */
    0x0083b423,     /* sd s0, 8(t2) */
    0x0063b023,     /* sd t1, 0(t2) */
    0x0000006f,     /* j . */
};

static _Alignas(4096) uint8_t ram[SOFTMMU_PAGE_SIZE];
static struct physmap map;

struct done {
    struct cpu *cpu;
    volatile bool stored;
    uint64_t value, wakeups;
};

static uint64_t done_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void done_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct done *d = opaque;
    if (offset == 8) {
        d->wakeups = value;
        return;
    }
    d->value = value;
    d->stored = true;
    d->cpu->exit_request = 1;
}

static const struct mmio_ops done_ops = { .name = "done", .read = done_read, .write = done_write };
static struct done done;

static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    return softmmu_fetch(cpu, pc, buf, len, rv_fetch_mmu(cpu->tb_flags & RV_TBF_PRIV_MASK));
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *raise_later(void *cpu)
{
    struct timespec ts = { 0, WAIT_NS };
    nanosleep(&ts, NULL);
    riscv64_set_pending(cpu, RV_MIP_MTIP, true);
    return NULL;
}

static void test_engine(const char *engine)
{
    const struct guest_ops *guest = guest_by_name("riscv64");
    struct cpu *cpu = cpu_new(guest, engine_by_name(engine));
    static struct softmmu sm;
    softmmu_init(&sm, &map);
    cpu->as = &sm.as;
    cpu->fetch_code = fetch_code;
    guest->system->reset(cpu);
    cpu->pc = RAM_BASE;
    memset(&done, 0, sizeof(done));
    done.cpu = cpu;
    int64_t start = now_ns(CLOCK_MONOTONIC);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, raise_later, cpu), 0);
    while (!done.stored && now_ns(CLOCK_MONOTONIC) - start < 20 * WAIT_NS) {
        if (riscv64_waiting(cpu)) {
            riscv64_wait(cpu);
        } else {
            exec_run(cpu);
            if (cpu->exit_reason == CPU_EXIT_EXCEPTION)
                guest->system->exception_enter(cpu, cpu->exc, cpu->exc_tval);
        }
        if (guest->system->interrupt_pending(cpu))
            guest->system->exception_enter(cpu, EXC_NONE, 0);
    }
    pthread_join(thread, NULL);
    CHECK(done.stored);
    CHECK_EQ(done.value, 1ull << 63 | 7);
    CHECK(now_ns(CLOCK_MONOTONIC) - start >= WAIT_NS);
    /* WFI may end early by the spec, but no more often than every few milliseconds here. */
    CHECK(done.wakeups <= WAIT_NS / 2000000);
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    CHECK_EQ(r->mip, RV_MIP_MTIP);
    riscv64_set_pending(cpu, RV_MIP_MTIP, false);
    CHECK_EQ(r->mip, 0);
    cpu_free(cpu);
}

int main(void)
{
    memcpy(ram, program, sizeof(program));
    CHECK_EQ(physmap_add_ram(&map, RAM_BASE, sizeof(ram), ram), 0);
    CHECK_EQ(physmap_add_mmio(&map, DONE_BASE, 16, &done_ops, &done), 0);
    static const char *const engines[] = { "interp", "jit" };
    char name[64];
    for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
        if (!engine_by_name(engines[e]))
            continue;
        snprintf(name, sizeof(name), "rv64_interrupt_from_thread_%s", engines[e]);
        check_group(strdup(name));
        test_engine(engines[e]);
    }
    return check_done();
}
