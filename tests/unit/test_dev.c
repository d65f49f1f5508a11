/* Unit tests of the device models (src/dev/) through their MMIO ops, as the softmmu calls
 * them: random accesses of every size at every offset of each device (nothing crashes, the
 * state stays in range; under SANITIZE=1 no access leaves the device), the PLIC's gateway
 * and claim/complete rules, the UART's FIFO trigger levels and its backend, the ACLINT's
 * lines and halves, the test device's commands; each device's snapshot state saved and
 * loaded into a fresh one (and refused when cut short, too long or out of range, without
 * touching the device). Interrupt lines are recorded by a fake receiver. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dev/aclint.h"
#include "dev/goldfish_rtc.h"
#include "dev/ns16550.h"
#include "dev/plic.h"
#include "dev/sifive_test.h"

/* The fake interrupt receiver: the level of each line number. */
static bool level[64];

static void record(void *opaque, unsigned number, bool l)
{
    level[number] = l;
}

static struct irq_line line(unsigned number)
{
    return (struct irq_line){ record, NULL, number };
}

/* The UART's host side: input from a string, output counted. */
static const char *input;
static unsigned output_bytes;

static void out(void *opaque, uint8_t byte)
{
    output_bytes++;
}

static int in(void *opaque)
{
    return input && *input ? (uint8_t)*input++ : -1;
}

static void nothing(void *opaque)
{
}

static unsigned test_requests, test_last, test_code;

static void request(void *opaque, enum sifive_test_request what, unsigned code)
{
    test_requests++;
    test_last = what;
    test_code = code;
}

static uint64_t rnd(void)
{
    static uint64_t s = 0x9e3779b97f4a7c15ull;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

/* Random reads and writes of sizes 1 to 8 anywhere inside the device's range. */
static void hammer(const struct mmio_ops *ops, void *dev, uint64_t size, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        unsigned bytes = 1u << (rnd() % 4);
        /* Half the accesses near the registers, the rest anywhere in the range. */
        uint64_t span = k % 2 ? size : (size < 0x300 ? size : 0x300);
        uint64_t offset = rnd() % (span - bytes + 1);
        if (rnd() % 2)
            ops->write(dev, offset, bytes, rnd());
        else
            ops->read(dev, offset, bytes);
    }
}

static void test_random_access(void)
{
    check_group("dev_random_access");
    static struct ns16550 u;
    input = "some input for the fifo, longer than sixteen bytes";
    ns16550_init(&u, (struct serial_backend){ out, in, NULL }, line(10));
    hammer(&ns16550_mmio_ops, &u, NS16550_SIZE, 200000);
    CHECK(u.rx_count <= NS16550_FIFO);
    CHECK(u.rx_head < NS16550_FIFO);

    static struct plic p;
    for (unsigned c = 0; c < 2; c++)
        p.out[c] = line(c);
    plic_init(&p, 2);
    for (unsigned k = 0; k < 2000; k++) {
        plic_set_source(&p, rnd() % 200, rnd() % 2);
        hammer(&plic_mmio_ops, &p, PLIC_SIZE, 50);
        hammer(&plic_mmio_ops, &p, 0x3000, 50);
        /* The context registers, which the random offsets above rarely hit. */
        for (unsigned n = 0; n < 8; n++) {
            uint64_t at = 0x200000 + 0x1000 * (rnd() % 3) + 4 * (rnd() % 3);
            if (rnd() % 2)
                plic_mmio_ops.write(&p, at, 4, rnd() % 128);
            else
                plic_mmio_ops.read(&p, at, 4);
        }
    }
    for (unsigned s = 0; s < PLIC_SOURCES; s++)
        CHECK(p.priority[s] <= PLIC_PRIORITY_MAX);
    CHECK_EQ(p.priority[0], 0);
    CHECK_EQ(p.pending[0] & 1, 0);

    static struct aclint a;
    a.timer_irq[0] = line(7);
    a.soft_irq[0] = line(3);
    aclint_init(&a, 1, NULL);
    hammer(&aclint_mmio_ops, &a, ACLINT_SIZE, 200000);
    CHECK(a.msip[0] <= 1);

    static struct goldfish_rtc r;
    goldfish_rtc_init(&r, line(11), NULL);
    hammer(&goldfish_rtc_mmio_ops, &r, GOLDFISH_RTC_SIZE, 200000);

    static struct sifive_test t = { request, NULL };
    test_requests = 0;
    hammer(&sifive_test_mmio_ops, &t, SIFIVE_TEST_SIZE, 200000);
}

static uint32_t rd(void *dev, const struct mmio_ops *ops, uint64_t offset)
{
    return (uint32_t)ops->read(dev, offset, 4);
}

static void wr(void *dev, const struct mmio_ops *ops, uint64_t offset, uint32_t v)
{
    ops->write(dev, offset, 4, v);
}

static void test_plic(void)
{
    check_group("dev_plic");
    static struct plic p;
    p.out[0] = line(0);
    p.out[1] = line(1);
    plic_init(&p, 2);
    const struct mmio_ops *o = &plic_mmio_ops;
    wr(&p, o, 4 * 5, 2);
    wr(&p, o, 4 * 6, 2);
    wr(&p, o, 0x2000, 1u << 5 | 1u << 6);
    plic_set_source(&p, 5, true);
    CHECK(level[0]);
    CHECK(!level[1]);
    plic_set_source(&p, 5, false);             /* dropped before a claim: not pending */
    CHECK(!level[0]);
    CHECK_EQ(rd(&p, o, 0x1000), 0);
    plic_set_source(&p, 5, true);
    plic_set_source(&p, 6, true);
    CHECK_EQ(rd(&p, o, 0x200004), 5);          /* equal priorities: the lower number */
    CHECK_EQ(rd(&p, o, 0x200004), 6);
    CHECK_EQ(rd(&p, o, 0x200004), 0);
    CHECK(!level[0]);
    plic_set_source(&p, 6, false);
    wr(&p, o, 0x201004, 5);                    /* context 1 does not enable 5: ignored */
    CHECK(!level[0]);
    wr(&p, o, 0x200004, 5);                    /* still high: pending again */
    CHECK(level[0]);
    wr(&p, o, 0x200004, 6);                    /* low: stays quiet */
    CHECK_EQ(rd(&p, o, 0x1000), 1u << 5);
    wr(&p, o, 0x200000, 2);                    /* threshold at the priority masks it */
    CHECK(!level[0]);
    CHECK_EQ(rd(&p, o, 0x200004), 0);
    wr(&p, o, 0x200000, 0);
    wr(&p, o, 4 * 5, 0);                       /* priority 0 never interrupts */
    CHECK(!level[0]);
    wr(&p, o, 0, 7);                           /* source 0 has no priority */
    CHECK_EQ(rd(&p, o, 0), 0);
    wr(&p, o, 0x2000, ~0u);                    /* nor an enable bit */
    CHECK_EQ(rd(&p, o, 0x2000), ~1u);
    CHECK_EQ(o->read(&p, 0x200004, 8), 0);     /* not 32 bits: no claim */
}

static void test_uart(void)
{
    check_group("dev_ns16550");
    static struct ns16550 u;
    const struct mmio_ops *o = &ns16550_mmio_ops;
    input = NULL;
    ns16550_init(&u, (struct serial_backend){ out, in, NULL }, line(10));
    o->write(&u, 2, 1, 0x41);                  /* FIFO on, trigger level 4 */
    o->write(&u, 1, 1, 1);                     /* data available */
    input = "abc";
    ns16550_poll(&u);
    CHECK_EQ(o->read(&u, 2, 1), 0xcc);         /* below the trigger: timeout */
    CHECK(level[10]);
    input = "d";
    ns16550_poll(&u);
    CHECK_EQ(o->read(&u, 2, 1), 0xc4);
    CHECK_EQ(o->read(&u, 0, 1), 'a');
    CHECK_EQ(o->read(&u, 0, 1), 'b');
    CHECK_EQ(o->read(&u, 0, 1), 'c');
    CHECK_EQ(o->read(&u, 0, 1), 'd');
    CHECK(!level[10]);
    CHECK_EQ(o->read(&u, 2, 1), 0xc1);
    CHECK_EQ(o->read(&u, 0, 1), 0);            /* empty: 0 */
    output_bytes = 0;
    o->write(&u, 0, 1, 'x');
    CHECK_EQ(output_bytes, 1);
    o->write(&u, 3, 1, 0x80);                  /* DLAB: a write to 0 is the divisor */
    o->write(&u, 0, 1, 'y');
    CHECK_EQ(output_bytes, 1);
}

static void test_aclint(void)
{
    check_group("dev_aclint");
    static struct aclint a;
    const struct mmio_ops *o = &aclint_mmio_ops;
    a.timer_irq[0] = line(7);
    a.soft_irq[0] = line(3);
    aclint_init(&a, 1, NULL);
    CHECK(!level[7]);
    CHECK(!level[3]);
    o->write(&a, 0x4000, 8, 0);
    CHECK(level[7]);
    o->write(&a, 0x4004, 4, 0x7fffffff);       /* the upper half: far ahead */
    CHECK(!level[7]);
    CHECK_EQ(o->read(&a, 0x4000, 8), 0x7fffffff00000000ull);
    CHECK_EQ(o->read(&a, 0x4006, 2), 0x7fff);
    o->write(&a, 0xbff8, 8, 1000);             /* mtime moved back to 1000 */
    uint64_t t = o->read(&a, 0xbff8, 8);
    CHECK(t >= 1000 && t < 1000 + 10 * ACLINT_FREQUENCY);
    o->write(&a, 0x4000, 8, 0);
    CHECK(level[7]);
    aclint_poll(&a);
    CHECK(level[7]);
    o->write(&a, 0, 4, 3);
    CHECK(level[3]);
    CHECK_EQ(o->read(&a, 0, 4), 1);
    o->write(&a, 0, 4, 0);
    CHECK(!level[3]);
    CHECK_EQ(o->read(&a, 4, 4), 0);            /* hart 1 does not exist: a hole */
    CHECK_EQ(o->read(&a, 0x4008, 8), 0);
    CHECK_EQ(o->read(&a, 0x3ffc, 8), 0);       /* straddling a register: a hole */
}

static void test_sifive_test(void)
{
    check_group("dev_sifive_test");
    static struct sifive_test t = { request, NULL };
    const struct mmio_ops *o = &sifive_test_mmio_ops;
    test_requests = 0;
    o->write(&t, 0, 1, 0x55);                  /* a byte: ignored */
    o->write(&t, 4, 4, 0x5555);                /* offset 4: ignored */
    o->write(&t, 0, 4, 0x1234);                /* no command */
    CHECK_EQ(test_requests, 0);
    o->write(&t, 0, 4, 0x2a3333);
    CHECK_EQ(test_requests, 1);
    CHECK_EQ(test_last, SIFIVE_TEST_FAIL);
    CHECK_EQ(test_code, 42);
    o->write(&t, 0, 8, 0x5555);
    CHECK_EQ(test_last, SIFIVE_TEST_PASS);
    o->write(&t, 0, 4, 0x7777);
    CHECK_EQ(test_last, SIFIVE_TEST_RESET);
    o->write(&t, 0, 2, 0x3333);                /* 16 bits, as OpenSBI writes: code 0 */
    CHECK_EQ(test_last, SIFIVE_TEST_FAIL);
    CHECK_EQ(test_code, 0);
    CHECK_EQ(o->read(&t, 0, 4), 0);
}

static void test_rtc(void)
{
    check_group("dev_goldfish_rtc");
    static struct goldfish_rtc r;
    const struct mmio_ops *o = &goldfish_rtc_mmio_ops;
    goldfish_rtc_init(&r, line(11), NULL);
    o->write(&r, 0x04, 4, 1);                  /* the time set to 1 << 32 + low */
    o->write(&r, 0x00, 4, 0);
    uint64_t low = o->read(&r, 0x00, 4), high = o->read(&r, 0x04, 4);
    CHECK_EQ(high, 1);
    CHECK(low < 1000000000);
    o->write(&r, 0x10, 4, 1);
    o->write(&r, 0x0c, 4, 0);                  /* an alarm in the past fires at once */
    o->write(&r, 0x08, 4, 5);
    CHECK(level[11]);
    CHECK_EQ(o->read(&r, 0x18, 4), 0);
    o->write(&r, 0x1c, 4, 1);
    CHECK(!level[11]);
    o->write(&r, 0x0c, 4, 2);                  /* one ahead: armed, quiet */
    o->write(&r, 0x08, 4, 0);
    CHECK_EQ(o->read(&r, 0x18, 4), 1);
    CHECK(!level[11]);
    o->write(&r, 0x14, 4, 1);
    CHECK_EQ(o->read(&r, 0x18, 4), 0);

    /* With a host timer: armed at an alarm ahead, never for one past the host clock's end. */
    static struct host_timer timer;
    CHECK_EQ(host_timer_start(&timer, nothing, NULL), 0);
    goldfish_rtc_init(&r, line(11), &timer);
    uint64_t now = o->read(&r, 0x00, 4) | o->read(&r, 0x04, 4) << 32;
    uint64_t alarm = now + 3600 * 1000000000ull;
    o->write(&r, 0x0c, 4, alarm >> 32);
    o->write(&r, 0x08, 4, (uint32_t)alarm);
    CHECK(timer.armed != HOST_TIMER_NEVER && timer.armed > host_time_ns());
    o->write(&r, 0x04, 4, 0);                  /* the guest's clock near 0, the alarm at the end */
    o->write(&r, 0x00, 4, 0);
    o->write(&r, 0x0c, 4, 0xffffffff);
    o->write(&r, 0x08, 4, 0xffffffff);
    CHECK_EQ(o->read(&r, 0x18, 4), 1);
    CHECK_EQ(timer.armed, HOST_TIMER_NEVER);
    host_timer_stop(&timer);
}

/* Saves dev, then loads the bytes into fresh (checked first: fresh must not change), and
 * checks that the bytes cut short, with one more, or with byte bad_at set to 0xff (unless
 * bad_at is -1) are refused. */
static void round_trip(const struct mmio_ops *o, void *dev, void *fresh, size_t size, int bad_at)
{
    struct state_writer w = { 0 };
    CHECK_EQ(o->save(dev, &w), 0);
    CHECK(!w.failed);
    struct state_reader r;
    state_reader_init(&r, w.buf, w.len - 1);
    CHECK_EQ(o->load(fresh, &r, false), -EINVAL);
    uint8_t *longer = malloc(w.len + 1);
    memcpy(longer, w.buf, w.len);
    longer[w.len] = 0;
    state_reader_init(&r, longer, w.len + 1);
    CHECK_EQ(o->load(fresh, &r, true), -EINVAL);
    if (bad_at >= 0) {
        longer[bad_at] = 0xff;
        state_reader_init(&r, longer, w.len);
        CHECK_EQ(o->load(fresh, &r, true), -EINVAL);
    }
    free(longer);
    void *before = malloc(size);
    memcpy(before, fresh, size);
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(o->load(fresh, &r, false), 0);
    CHECK(!memcmp(before, fresh, size));
    free(before);
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(o->load(fresh, &r, true), 0);
    state_writer_free(&w);
}

static void test_save_load(void)
{
    check_group("dev_save_load");
    const struct mmio_ops *all[] = { &ns16550_mmio_ops, &plic_mmio_ops, &aclint_mmio_ops,
                                     &goldfish_rtc_mmio_ops, &sifive_test_mmio_ops };
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
        CHECK(all[k]->name && all[k]->save && all[k]->load);

    /* The UART: registers and the bytes waiting in its FIFO; its line raised on load. */
    static struct ns16550 u, u2;
    struct serial_backend b = { out, in, NULL };
    ns16550_init(&u, b, line(20));
    const struct mmio_ops *o = &ns16550_mmio_ops;
    o->write(&u, 2, 1, 0xc1);                  /* FIFO on, trigger level 14 */
    o->write(&u, 7, 1, 0x5a);
    input = "xyz";
    ns16550_poll(&u);
    o->write(&u, 1, 1, 1);                     /* data-available interrupt (a timeout) */
    CHECK(level[20]);
    ns16550_init(&u2, (struct serial_backend){ out, in, NULL }, line(21));
    CHECK(!level[21]);
    round_trip(o, &u, &u2, sizeof(u2), 18);   /* byte 18: ier */
    CHECK(level[21]);
    CHECK_EQ(o->read(&u2, 7, 1), 0x5a);
    CHECK_EQ(o->read(&u2, 0, 1), 'x');
    CHECK_EQ(o->read(&u2, 0, 1), 'y');

    /* The PLIC: priorities, enables, a claimed source and a pending one. */
    static struct plic p, p2, p3;
    p.out[0] = line(22);
    plic_init(&p, 2);
    o = &plic_mmio_ops;
    wr(&p, o, 4 * 5, 3);
    wr(&p, o, 4 * 6, 2);
    wr(&p, o, 0x2000, 1u << 5 | 1u << 6);
    plic_set_source(&p, 5, true);
    plic_set_source(&p, 6, true);
    CHECK_EQ(rd(&p, o, 0x200004), 5);
    p2.out[0] = line(23);
    plic_init(&p2, 2);
    round_trip(o, &p, &p2, sizeof(p2), 4);    /* byte 4: priority[0] */
    CHECK(level[23]);
    CHECK_EQ(rd(&p2, o, 0x200004), 6);
    wr(&p2, o, 0x200004, 5);                   /* completing 5, still high: pending again */
    CHECK_EQ(rd(&p2, o, 0x200004), 5);
    plic_init(&p3, 4);                         /* other harts: refused */
    struct state_writer w = { 0 };
    o->save(&p, &w);
    struct state_reader r;
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(o->load(&p3, &r, false), -EINVAL);
    state_writer_free(&w);

    /* The ACLINT: mtime goes on from its saved value, not from the host's clock. */
    static struct aclint a, a2;
    a.timer_irq[0] = line(24);
    aclint_init(&a, 1, NULL);
    o = &aclint_mmio_ops;
    o->write(&a, 0xbff8, 8, 1ull << 50);
    o->write(&a, 0x4000, 8, (1ull << 50) + 10000000);
    o->write(&a, 0, 4, 1);
    a2.timer_irq[0] = line(25);
    a2.soft_irq[0] = line(26);
    aclint_init(&a2, 1, NULL);
    round_trip(o, &a, &a2, sizeof(a2), 20);   /* byte 20: msip */
    uint64_t t = o->read(&a2, 0xbff8, 8);
    CHECK(t >= 1ull << 50 && t < (1ull << 50) + 10000000);
    CHECK_EQ(o->read(&a2, 0x4000, 8), (1ull << 50) + 10000000);
    CHECK(level[26]);
    CHECK(!level[25]);

    /* The RTC: the guest's offset, the alarm and the interrupt. */
    static struct goldfish_rtc c, c2;
    goldfish_rtc_init(&c, line(27), NULL);
    o = &goldfish_rtc_mmio_ops;
    o->write(&c, 0x04, 4, 7);                  /* the year 2^32 * 7 ns after the epoch */
    o->write(&c, 0x10, 4, 1);
    o->write(&c, 0x0c, 4, 0);
    o->write(&c, 0x08, 4, 1);                  /* an alarm long past: fires */
    CHECK(level[27]);
    goldfish_rtc_init(&c2, line(28), NULL);
    round_trip(o, &c, &c2, sizeof(c2), 20);   /* byte 20: alarm_armed */
    CHECK(level[28]);
    o->read(&c2, 0x00, 4);
    CHECK_EQ(o->read(&c2, 0x04, 4), 7);
    CHECK_EQ(o->read(&c2, 0x10, 4), 1);
    input = NULL;
}

static unsigned timer_notified;

static void count_notify(void *opaque)
{
    __atomic_add_fetch(&timer_notified, 1, __ATOMIC_SEQ_CST);
}

/* Waits up to a second for n notifies. */
static bool notified(unsigned n)
{
    for (int k = 0; k < 1000 && __atomic_load_n(&timer_notified, __ATOMIC_SEQ_CST) < n; k++)
        usleep(1000);
    return __atomic_load_n(&timer_notified, __ATOMIC_SEQ_CST) == n;
}

/* A deadline armed again after it fired fires again (a device that polled just before the
 * deadline asks for it again and must still hear of it); armed again before, it fires once. */
static void test_host_timer(void)
{
    check_group("dev_host_timer");
    static struct host_timer t;
    CHECK_EQ(host_timer_start(&t, count_notify, NULL), 0);
    uint64_t deadline = host_time_ns() + 2000000;
    host_timer_arm(&t, deadline);
    host_timer_arm(&t, deadline);
    CHECK(notified(1));
    host_timer_arm(&t, deadline);
    CHECK(notified(2));
    host_timer_arm(&t, HOST_TIMER_NEVER);
    usleep(5000);
    CHECK(notified(2));
    host_timer_stop(&t);
}

int main(void)
{
    test_host_timer();
    test_random_access();
    test_plic();
    test_uart();
    test_aclint();
    test_sifive_test();
    test_rtc();
    test_save_load();
    return check_done();
}
