/* The x86-64 SSE state instructions the differential test cannot compare with the host (whose
 * x87 state is the harness's), under every engine: FXSAVE64's layout (FCW, the abridged tag
 * word, MXCSR and MXCSR_MASK, ST(i) in stack order, XMM0..15), FXRSTOR64 reading it back, #GP
 * for a misaligned area and for reserved MXCSR bits in LDMXCSR and FXRSTOR, STMXCSR.
 * Encodings from GNU as (x86_64-linux-gnu). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "exec/exec.h"
#include "guest/x86_64/cpu.h"
#include "mem/aspace.h"

#define MEM_SIZE 0x10000u
#define CODE 0x1000u
#define STACK_TOP 0x8000u
#define AREA (STACK_TOP - 0x200)   /* [rsp - 0x200], 16-byte aligned */

static uint8_t mem[MEM_SIZE];

static int fetch(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    (void)cpu;
    if (pc + len > MEM_SIZE)
        return -EFAULT;
    memcpy(buf, mem + pc, len);
    return 0;
}

static struct cpu *cpu;

/* Runs code (ending in SYSCALL or faulting) from the state *init, keeping memory as it is. */
static struct x64_cpu *run(const char *engine, const uint8_t *code, size_t len,
                           const struct x64_cpu *init)
{
    static struct aspace flat;
    if (cpu)
        cpu_free(cpu);
    cpu = cpu_new(guest_by_name("x86_64"), engine_by_name(engine));
    aspace_flat_init(&flat, mem, MEM_SIZE);
    cpu->as = &flat;
    cpu->fetch_code = fetch;
    memcpy(mem + CODE, code, len);
    struct x64_cpu *r = (struct x64_cpu *)cpu;
    memcpy(r->r, init->r, sizeof(r->r));
    memcpy(r->ymm, init->ymm, sizeof(r->ymm));
    r->mxcsr = init->mxcsr;
    r->x87 = init->x87;
    r->r[X64_RSP] = STACK_TOP;
    cpu->pc = CODE;
    while (exec_run(cpu) == CPU_EXIT_INTERRUPT)   /* a block boundary: go on */
        cpu->exit_reason = CPU_EXIT_NONE;
    return r;
}

#define RUN(engine, init, ...)                                                               \
    ({                                                                                       \
        static const uint8_t code_[] = { __VA_ARGS__ };                                      \
        run(engine, code_, sizeof(code_), init);                                             \
    })

static uint64_t rd(unsigned addr, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, mem + addr, size);
    return v;
}

static void test_engine(const char *e, const char *group)
{
    check_group(group);
    static struct x64_cpu init;
    memset(&init, 0, sizeof(init));
    for (unsigned i = 0; i < 16; i++)
        for (unsigned q = 0; q < 4; q++)
            init.ymm[i][q] = 0x0101010101010101ull * (i + 1) + q;
    init.mxcsr = 0x1f80 | 0x6000 | 0x21;   /* round toward zero, PE and IE set */
    init.x87.fcw = 0x037f;
    init.x87.fsw = 6u << 11;              /* TOP = 6: ST(0) is R6 */
    init.x87.ftw = 0xffff & ~(3u << 12);  /* R6 valid, the rest empty */
    init.x87.fpr[6][7] = 0x80;            /* 1.0: mantissa 8000..., exponent 0x3fff */
    init.x87.fpr[6][8] = 0xff;
    init.x87.fpr[6][9] = 0x3f;
    memset(mem + AREA, 0xcc, 512);

    /* fxsave64 [rsp - 0x200]; syscall */
    struct x64_cpu *r = RUN(e, &init, 0x48, 0x0f, 0xae, 0x84, 0x24, 0x00, 0xfe, 0xff, 0xff,
                            0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_SYSCALL);
    CHECK_EQ(rd(AREA + 0, 2), 0x037f);
    CHECK_EQ(rd(AREA + 2, 2), 6u << 11);
    CHECK_EQ(rd(AREA + 4, 1), 1u << 6);       /* abridged: only R6 is not empty */
    CHECK_EQ(rd(AREA + 24, 4), 0x7fa1);
    CHECK_EQ(rd(AREA + 28, 4), 0xffff);
    CHECK_EQ(rd(AREA + 32, 8), 0x8000000000000000ull);   /* ST(0) = R6 */
    CHECK_EQ(rd(AREA + 40, 2), 0x3fff);
    CHECK_EQ(rd(AREA + 160, 8), 0x0101010101010101ull);
    CHECK_EQ(rd(AREA + 168, 8), 0x0101010101010102ull);
    CHECK_EQ(rd(AREA + 160 + 16 * 15, 8), 0x1010101010101010ull);
    CHECK_EQ(rd(AREA + 160 + 16 * 15 + 8, 8), 0x1010101010101011ull);

    /* fxrstor64 [rsp - 0x200] from a state with other XMM values and MXCSR; syscall: the
     * saved ones come back, the full tag word is rebuilt (R6 valid, the rest empty), the
     * upper YMM halves stay */
    static struct x64_cpu other;
    memset(&other, 0, sizeof(other));
    other.ymm[3][2] = 77;
    other.mxcsr = 0x1f80;
    r = RUN(e, &other, 0x48, 0x0f, 0xae, 0x8c, 0x24, 0x00, 0xfe, 0xff, 0xff, 0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_SYSCALL);
    CHECK_EQ(r->mxcsr, 0x7fa1);
    CHECK_EQ(r->ymm[0][0], 0x0101010101010101ull);
    CHECK_EQ(r->ymm[15][1], 0x1010101010101011ull);
    CHECK_EQ(r->ymm[3][2], 77);
    CHECK_EQ(r->x87.ftw, 0xffff & ~(3u << 12));
    CHECK_EQ(r->x87.fcw, 0x037f);

    /* fxsave64 [rsp - 0x1f8]: misaligned, #GP at the instruction */
    r = RUN(e, &init, 0x90, 0x48, 0x0f, 0xae, 0x84, 0x24, 0x08, 0xfe, 0xff, 0xff, 0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_PROTECTION);
    CHECK_EQ(r->c.pc, CODE + 1);

    /* mov dword [rsp - 4], 0x10000; ldmxcsr [rsp - 4]: a reserved bit, #GP; MXCSR unchanged */
    r = RUN(e, &init, 0xc7, 0x44, 0x24, 0xfc, 0x00, 0x00, 0x01, 0x00, 0x0f, 0xae, 0x54, 0x24,
            0xfc, 0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_PROTECTION);
    CHECK_EQ(r->c.pc, CODE + 8);
    CHECK_EQ(r->mxcsr, 0x7fa1);

    /* mov dword [rsp - 4], 0x9fc0; ldmxcsr [rsp - 4]; stmxcsr [rsp - 8]; mov eax, [rsp - 8];
     * syscall */
    r = RUN(e, &init, 0xc7, 0x44, 0x24, 0xfc, 0xc0, 0x9f, 0x00, 0x00, 0x0f, 0xae, 0x54, 0x24,
            0xfc, 0x0f, 0xae, 0x5c, 0x24, 0xf8, 0x8b, 0x44, 0x24, 0xf8, 0x0f, 0x05);
    CHECK_EQ(r->c.exc, EXC_SYSCALL);
    CHECK_EQ(r->mxcsr, 0x9fc0);
    CHECK_EQ(r->r[X64_RAX], 0x9fc0);
}

int main(void)
{
    test_engine("interp", "x64_sse_interp");
    if (engine_by_name("jit")) {
        test_engine("jit", "x64_sse_jit");
        test_engine("check", "x64_sse_check");
    }
    return check_done();
}
