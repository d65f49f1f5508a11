/* Differential test of the x86-64 translator's x87 and MMX families against the host CPU:
 * sequences of one to four random instructions drawn from the x87 and MMX rows of insns.def
 * (register and memory forms), from a random x87 state (TOP, tags with empty registers, 80-bit
 * values biased to the cases that go wrong: zeros, denormals, pseudo-denormals, unnormals,
 * NaNs of both kinds, infinities, values near 1 and near the integer limits), a random status
 * word and a control word with every precision and rounding control (exceptions masked), and
 * a memory operand of single, double, extended and integer values (FBLD reads it as packed
 * decimal, digits above 9 included, which vm weighs as the CPU does). The host runs each
 * sequence natively in a forked child; vm runs it under every engine; the general registers,
 * the arithmetic flags, the FXSAVE image (the x87 stack as 80-bit values, FCW, FSW, the tag
 * word, MXCSR, XMM; not FIP/FDP/FOP) and the memory operand must agree. FLDCW, FLDENV and
 * FRSTOR load a control word with every exception masked (an unmasked one would trap on the
 * host). The transcendentals (F2XM1 FYL2X FYL2XP1 FPTAN FPATAN FSIN FCOS FSINCOS) run alone,
 * one in eight cases more, from operands in their domains (FSIN, FCOS, FSINCOS and FPTAN
 * within pi/4, see domain_state): vm computes them on the host's
 * long double libm (x87.c), so their results must be within TOLERANCE of the CPU's (relative),
 * and C1 and PE, which depend on the last bits, are not compared. Left out: FNSTENV/FNSAVE
 * (their images hold FIP and FDP).
 *
 * Environment: X64_X87_DIFF_SEED (default 1), X64_X87_DIFF_CASES (default 4000).
 * Output: one FAIL line per differing case (at most 20), then "PASS diff/x86_64-x87 ..." or
 * "FAIL diff/x86_64-x87 ..." with the number of cases and of encodings (rows) covered. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "diff_util.h"
#include "exec/exec.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/decode.h"
#include "guest/x86_64/fxsave.h"
#include "guest/x86_64/sse.h"
#include "guest/x86_64/x87.h"
#include "mem/aspace.h"

#define MEM_SIZE 0x200000u
#define CODE_BASE 0x1000u
#define BUF 0x100000u   /* the memory operand, at the same address natively and in vm */
#define BUF_SIZE 256u
#define STACK_TOP 0x8000u
#define MAX_SEQ 4
#define TOLERANCE 0x1p-60L   /* 8 ulps of the 64-bit significand */

struct state {
    uint64_t r[16];
    uint64_t flags;
    uint8_t fx[X64_FXSAVE_SIZE] __attribute__((aligned(16)));
    uint8_t buf[BUF_SIZE];
};

struct test_case {
    uint8_t code[16 * MAX_SEQ];
    unsigned len, n_insns;
    bool tolerant;            /* a transcendental: results compared within TOLERANCE */
    const struct x64_insn_def *def[MAX_SEQ];
    struct state in, native;
};

/* ---- what is tested ---- */

static bool is_transcendental(const struct x64_insn_def *d)
{
    switch (d->family == X64_FAM_x87 ? X87_OP(d->arg) : ~0u) {
    case X87_F2XM1: case X87_YL2X: case X87_YL2XP1: case X87_PTAN: case X87_PATAN: case X87_SIN:
    case X87_COS: case X87_SINCOS:
        return true;
    default:
        return false;
    }
}

static bool is_candidate(const struct x64_insn_def *d)
{
    if (d->family == X64_FAM_mmx)   /* but MASKMOVQ, which stores to [rdi], anywhere */
        return d->arg >> 8 != X64_MMX_MASKMOVQ;
    if (d->family != X64_FAM_x87)
        return false;
    unsigned op = X87_OP(d->arg);
    return !is_transcendental(d) && op != X87_STENV && op != X87_SAVE;
}

static bool loads_cw(const struct x64_insn_def *d)
{
    unsigned op = X87_OP(d->arg);
    return d->family == X64_FAM_x87 && (op == X87_LDCW || op == X87_LDENV || op == X87_RSTOR);
}

/* A general register for a ModRM field: never RSP (the native harness's stack) or RSI (the
 * memory operand's base). */
static unsigned pick_gpr(void)
{
    for (;;) {
        unsigned n = (unsigned)(rnd() % 16);
        if (n != X64_RSP && n != X64_RSI)
            return n;
    }
}

/* Encodes d into out; a memory operand is [rsi + *disp] (else *disp is -1). */
static unsigned encode(const struct x64_insn_def *d, uint8_t *out, int *disp)
{
    *disp = -1;
    unsigned n = 0;
    static const uint8_t pfx[] = { 0, 0, 0x66, 0xf3, 0xf2 };
    if (pfx[d->pfx])
        out[n++] = pfx[d->pfx];
    bool gpr_reg = strchr(d->ops, 'G') != NULL;
    bool gpr_rm = strchr(d->ops, 'E') || strchr(d->ops, 'R');
    bool mem = d->modrm == X64_MODRM_MEM || (d->modrm == X64_MODRM_ANY && rnd() % 2);
    unsigned reg = d->reg >= 0 ? (unsigned)d->reg : gpr_reg ? pick_gpr() : (unsigned)(rnd() % 16);
    unsigned rm = mem ? X64_RSI : d->rm >= 0 ? (unsigned)d->rm : gpr_rm ? pick_gpr()
                                                                    : (unsigned)(rnd() % 16);
    unsigned w = d->flags & X64_F_W1 ? 1 : d->flags & X64_F_W0 ? 0 : (unsigned)(rnd() % 2);
    if (d->family == X64_FAM_x87)
        w = 0; /* REX.W would make FXSAVE/FNSTENV-like forms 64-bit; keep them plain */
    uint8_t rex = (uint8_t)(0x40 | w << 3 | (reg >> 3) << 2 | (rm >> 3));
    if (rex != 0x40 || rnd() % 4 == 0)
        out[n++] = rex;
    if (d->map != X64_MAP_L0)
        out[n++] = 0x0f;
    if (d->map == X64_MAP_L38 || d->map == X64_MAP_L3A)
        out[n++] = d->map == X64_MAP_L38 ? 0x38 : 0x3a;
    out[n++] = d->op;
    if (d->modrm == X64_MODRM_NONE)
        return n;
    out[n++] = (uint8_t)((mem ? 1u << 6 : 3u << 6) | (reg & 7) << 3 | (rm & 7));
    if (mem) {
        *disp = (int)(16 * (rnd() % 7));
        out[n++] = (uint8_t)*disp;
    }
    if (d->imm == X64_IMM_B)
        out[n++] = (uint8_t)rnd();
    return n;
}

/* An 80-bit value (significand, sign and exponent) where implementations differ. */
static void f80_value(uint64_t *m, uint16_t *se)
{
    static const struct { uint64_t m; uint16_t se; } k[] = {
        { 0, 0 }, { 0, 0x8000 }, { 1ull << 63, 0x3fff }, { 1ull << 63, 0xbfff },
        { 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff }, { 3ull << 62, 0x7fff },
        { 3ull << 62, 0xffff }, { 5ull << 61, 0x7fff }, { (1ull << 63) | 1, 0x7fff },
        { 1, 0 }, { 1ull << 63, 0 }, { (1ull << 63) | 12345, 0x8000 }, { 0x7fffffffffffffffull, 0 },
        { 1ull << 62, 0x3fff }, { 0, 0x4000 }, { 0, 0x7fff }, { 1ull << 62, 0x7fff },
        { ~0ull, 0x7ffe }, { ~0ull, 0xfffe }, { 1ull << 63, 0x0001 }, { 1ull << 63, 0x403e },
        { ~0ull, 0x403d }, { 1ull << 63, 0xc03e }, { 0xc000000000000000ull, 0x400e },
        { 0xffffffff00000000ull, 0x401e }, { 1ull << 63, 0x3ffe }, { 0xc000000000000000ull, 0x3fff },
        { 0xa000000000000000ull, 0x3ffe }, { 0xe000000000000000ull, 0x3fff },
        { 1ull << 63, 0x3f81 }, { 1ull << 63, 0x3c01 }, { 1ull << 63, 0x43fe },
    };
    uint64_t r = rnd();
    switch (r % 5) {
    case 0: case 1:
        *m = k[(r >> 8) % (sizeof k / sizeof k[0])].m;
        *se = k[(r >> 8) % (sizeof k / sizeof k[0])].se;
        return;
    case 2: /* near 1, or an integer-sized value */
        *m = rnd() | 1ull << 63;
        *se = (uint16_t)((rnd() % 2 ? 0x8000 : 0) | (0x3ff0 + rnd() % 0x50));
        return;
    case 3: /* small exponents: denormal results */
        *m = rnd() | (rnd() % 4 ? 1ull << 63 : 0);
        *se = (uint16_t)((rnd() % 2 ? 0x8000 : 0) | rnd() % 64);
        return;
    default:
        *m = rnd() | 1ull << 63;
        *se = (uint16_t)rnd();
        return;
    }
}

/* Single and double values for the memory forms. */
static uint64_t fp_value(bool dbl)
{
    static const uint32_t s[] = {
        0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
        0x7fa00000, 0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0x4f000000, 0xcf000000,
    };
    static const uint64_t d[] = {
        0, 0x8000000000000000, 0x3ff0000000000000, 0x7ff0000000000000, 0xfff0000000000000,
        0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0x7ff4000000000000,
        1, 0x000fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff, 0x43e0000000000000,
    };
    uint64_t r = rnd();
    switch (r % 3) {
    case 0:
        if (dbl)
            return d[(r >> 8) % (sizeof d / sizeof d[0])];
        return s[(r >> 8) % (sizeof s / sizeof s[0])];
    case 1:
        return dbl ? (rnd() & 0x800fffffffffffffull) | 0x3ff0000000000000ull
                   : ((uint32_t)rnd() & 0x807fffffu) | 0x3f800000u;
    default: return dbl ? rnd() : (uint32_t)rnd();
    }
}

static void random_state(struct state *s)
{
    for (unsigned i = 0; i < 16; i++)
        s->r[i] = interesting_value();
    s->r[X64_RSI] = BUF;
    s->r[X64_RSP] = 0;
    s->flags = (rnd() & X64_FLAGS_ARITH) | X64_FLAGS_FIXED;
    uint8_t *fx = s->fx;
    memset(fx, 0, sizeof s->fx);
    static const uint16_t pc[3] = { 0x000, 0x200, 0x300 };
    uint16_t fcw = (uint16_t)(0x7f | pc[rnd() % 3] | (rnd() % 4) << 10);
    uint16_t fsw = (uint16_t)((rnd() % 2 ? rnd() & 0x3f : 0) | (rnd() & 0x4700) |
                              (rnd() % 8) << 11);
    memcpy(fx, &fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = (uint8_t)(rnd() % 3 == 0 ? 0xff : rnd() % 3 == 0 ? 0 : rnd());
    uint32_t mxcsr = X64_MXCSR_RESET;
    memcpy(fx + 24, &mxcsr, 4);
    for (unsigned i = 0; i < 8; i++) {
        uint64_t m;
        uint16_t se;
        f80_value(&m, &se);
        memcpy(fx + 32 + 16 * i, &m, 8);
        memcpy(fx + 40 + 16 * i, &se, 2);
    }
    for (unsigned i = 0; i < 32; i++) {
        uint64_t v = rnd() % 2 ? fp_value(true) : interesting_value();
        memcpy(fx + 160 + 8 * i, &v, 8);
    }
    for (unsigned i = 0; i < BUF_SIZE; i += 16) {
        uint64_t m, v;
        uint16_t se;
        switch (rnd() % 4) {
        case 0:
            f80_value(&m, &se);
            memcpy(s->buf + i, &m, 8);
            memcpy(s->buf + i + 8, &se, 2);
            memset(s->buf + i + 10, 0, 6);
            break;
        case 1:
            v = fp_value(false) | fp_value(false) << 32;
            memcpy(s->buf + i, &v, 8);
            v = fp_value(true);
            memcpy(s->buf + i + 8, &v, 8);
            break;
        case 2:
            v = fp_value(true);
            memcpy(s->buf + i, &v, 8);
            v = interesting_value();
            memcpy(s->buf + i + 8, &v, 8);
            break;
        default:
            v = interesting_value();
            memcpy(s->buf + i, &v, 8);
            v = rnd();
            memcpy(s->buf + i + 8, &v, 8);
            break;
        }
    }
}

/* A random long double of magnitude up to 2^maxexp (either sign if sign). */
static long double rnd_ld(int maxexp, bool sign)
{
    long double x = ldexpl((long double)(rnd() >> 1) / 0x1p63L, (int)(rnd() % (unsigned)(maxexp + 20)) - 20);
    return sign && rnd() % 2 ? -x : x;
}

/* ST(0) and ST(1) (and an empty register to push into) for a transcendental, in its domain. */
static void domain_state(struct state *s, const struct x64_insn_def *d)
{
    uint16_t fsw;
    memcpy(&fsw, s->fx + 2, 2);
    unsigned t = fsw >> 11 & 7;
    long double x, y = rnd_ld(10, true);
    switch (X87_OP(d->arg)) {
    case X87_F2XM1: x = rnd_ld(0, true); break;
    case X87_YL2X: x = rnd_ld(100, false); break;
    case X87_YL2XP1: x = rnd_ld(-2, true); break;
    case X87_PATAN: x = rnd_ld(20, true); break;
    default: /* within pi/4: beyond, the CPU reduces by its 66-bit pi and is off by up to
              * |x| * 2^-66 absolute, where vm's reduction is exact */
        x = rnd_ld(-1, true);
        break;
    }
    memset(s->fx + 32, 0, 32);
    memcpy(s->fx + 32, &x, 10);
    memcpy(s->fx + 48, &y, 10);
    s->fx[4] = (uint8_t)((s->fx[4] | 1u << t | 1u << ((t + 1) & 7)) & ~(1u << ((t + 7) & 7)));
}

static long double max_rel;

/* A transcendental's result: equal but for C1, PE and registers within TOLERANCE. */
static bool close_enough(const struct state *vm, const struct state *native)
{
    struct state a = *vm, b = *native;
    a.fx[2] &= (uint8_t)~0x20, b.fx[2] &= (uint8_t)~0x20;
    a.fx[3] &= (uint8_t)~0x02, b.fx[3] &= (uint8_t)~0x02;
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *ra = a.fx + 32 + 16 * i, *rb = b.fx + 32 + 16 * i;
        if (!memcmp(ra, rb, 10))
            continue;
        long double x = 0, y = 0;
        memcpy(&x, ra, 10);
        memcpy(&y, rb, 10);
        if (!isfinite(x) || !isfinite(y) || y == 0)
            return false;
        long double rel = fabsl(x - y) / fabsl(y);
        if (rel > TOLERANCE)
            return false;
        if (rel > max_rel)
            max_rel = rel;
        memcpy(ra, rb, 10);
    }
    return memcmp(&a, &b, sizeof a) == 0;
}

/* What is compared of an FXSAVE image: all but FOP, FIP, FDP, MXCSR_MASK (the host's may
 * have more bits) and the bytes past XMM15. */
static void normalize(uint8_t *fx)
{
    memset(fx + 6, 0, 18);
    memset(fx + 28, 0, 4);
    memset(fx + 416, 0, X64_FXSAVE_SIZE - 416);
}

/* ---- native: a generated function loads the state, runs the sequence, stores it ---- */

struct native_state {
    uint64_t r[16];
    uint64_t flags;
    uint64_t pad;
    uint8_t fx[X64_FXSAVE_SIZE];
    uint8_t host_fx[X64_FXSAVE_SIZE];
};

#define NSTATE 4096u   /* offset of struct native_state in the code mapping */

static uint8_t *native_page;

struct emitter {
    uint8_t *p;
    unsigned n;
};

static void emit(struct emitter *e, const uint8_t *bytes, unsigned len)
{
    memcpy(e->p + e->n, bytes, len);
    e->n += len;
}

/* An instruction with a [rip + disp32] operand reaching field at off of the native state. */
static void emit_rip(struct emitter *e, uint8_t rex, const char *op, unsigned oplen, unsigned reg,
                     unsigned off)
{
    if (rex)
        e->p[e->n++] = rex;
    emit(e, (const uint8_t *)op, oplen);
    e->p[e->n++] = (uint8_t)((reg & 7) << 3 | 5);
    int32_t disp = (int32_t)(NSTATE + off - (e->n + 4));
    memcpy(e->p + e->n, &disp, 4);
    e->n += 4;
}

#define NOFF(field) ((unsigned)offsetof(struct native_state, field))

static void build_native(const uint8_t *insn, unsigned len)
{
    struct emitter e = { native_page, 0 };
    emit(&e, (const uint8_t *)"\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);
    emit_rip(&e, 0x48, "\x0f\xae", 2, 0, NOFF(host_fx));   /* fxsave64 */
    emit_rip(&e, 0x48, "\x0f\xae", 2, 1, NOFF(fx));        /* fxrstor64 */
    emit_rip(&e, 0x48, "\x8b", 1, 0, NOFF(flags));
    emit(&e, (const uint8_t *)"\x50\x9d", 2);
    for (unsigned i = 0; i < 16; i++)
        if (i != X64_RSP)
            emit_rip(&e, (uint8_t)(0x48 | (i >> 3) << 2), "\x8b", 1, i, NOFF(r) + 8 * i);
    emit(&e, insn, len);
    for (unsigned i = 0; i < 16; i++)
        if (i != X64_RSP)
            emit_rip(&e, (uint8_t)(0x48 | (i >> 3) << 2), "\x89", 1, i, NOFF(r) + 8 * i);
    emit(&e, (const uint8_t *)"\x9c\x58", 2);
    emit_rip(&e, 0x48, "\x89", 1, 0, NOFF(flags));
    emit_rip(&e, 0x48, "\x0f\xae", 2, 0, NOFF(fx));
    emit_rip(&e, 0x48, "\x0f\xae", 2, 1, NOFF(host_fx));
    emit(&e, (const uint8_t *)"\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
}

/* Runs every case natively in a child; returns the number of cases it completed. */
static uint64_t run_native(struct test_case *cases, uint64_t n)
{
    volatile uint64_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                   -1, 0);
    *done = 0;
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t *buf = (uint8_t *)(uintptr_t)BUF;
        struct native_state *ns = (struct native_state *)(native_page + NSTATE);
        for (uint64_t i = 0; i < n; i++) {
            struct test_case *c = &cases[i];
            build_native(c->code, c->len);
            memcpy(ns->r, c->in.r, sizeof ns->r);
            ns->flags = c->in.flags;
            memcpy(ns->fx, c->in.fx, sizeof ns->fx);
            memcpy(buf, c->in.buf, BUF_SIZE);
            ((void (*)(void))native_page)();
            c->native = c->in;
            memcpy(c->native.r, ns->r, sizeof ns->r);
            c->native.flags = ns->flags & X64_FLAGS_ARITH;
            memcpy(c->native.fx, ns->fx, sizeof ns->fx);
            normalize(c->native.fx);
            memcpy(c->native.buf, buf, BUF_SIZE);
            *done = i + 1;
        }
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return *done;
}

/* ---- vm ---- */

static uint8_t guest_mem[MEM_SIZE];

static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    (void)cpu;
    if (pc + len > MEM_SIZE)
        return -14;
    memcpy(buf, guest_mem + pc, len);
    return 0;
}

static int run_vm(struct cpu *cpu, const struct test_case *c, struct state *out)
{
    memcpy(guest_mem + CODE_BASE, c->code, c->len);
    /* JMP to the next instruction ends the block; the UD2 in the next one stops vm */
    memcpy(guest_mem + CODE_BASE + c->len, "\xeb\x00\x0f\x0b", 4);
    memcpy(guest_mem + BUF, c->in.buf, BUF_SIZE);
    exec_invalidate(cpu, CODE_BASE, CODE_BASE + sizeof c->code + 8);
    struct x64_cpu *x = (struct x64_cpu *)cpu;
    memcpy(x->r, c->in.r, sizeof x->r);
    x->r[X64_RSP] = STACK_TOP;
    x64_set_eflags(x, c->in.flags);
    x64_fxrstor(x, c->in.fx, true);
    cpu->pc = CODE_BASE;
    cpu->exit_reason = CPU_EXIT_NONE;
    int reason;
    while ((reason = exec_run(cpu)) == CPU_EXIT_INTERRUPT) /* a block boundary: go on */
        cpu->exit_reason = CPU_EXIT_NONE;
    if (reason != CPU_EXIT_EXCEPTION || cpu->exc != EXC_ILLEGAL ||
        cpu->pc != CODE_BASE + c->len + 2)
        return -1;
    *out = c->in;
    memcpy(out->r, x->r, sizeof out->r);
    out->r[X64_RSP] = 0;
    out->flags = x64_arith_flags(x);
    x64_fxsave(x, out->fx, true);
    normalize(out->fx);
    memcpy(out->buf, guest_mem + BUF, BUF_SIZE);
    return 0;
}

static void print_case(const char *engine, uint64_t i, const struct test_case *c)
{
    printf("FAIL diff/x86_64-x87 case %" PRIu64 " [%s]", i, engine);
    for (unsigned k = 0; k < c->n_insns; k++)
        printf(" %s", c->def[k]->name);
    printf(":");
    for (unsigned k = 0; k < c->len; k++)
        printf(" %02x", c->code[k]);
    uint16_t fcw, fsw;
    memcpy(&fcw, c->in.fx, 2);
    memcpy(&fsw, c->in.fx + 2, 2);
    printf("  fcw %04x fsw %04x ftw %02x\n", fcw, fsw, c->in.fx[4]);
}

static void print_st(const char *what, const uint8_t *fx, unsigned i)
{
    uint64_t m;
    uint16_t se;
    memcpy(&m, fx + 32 + 16 * i, 8);
    memcpy(&se, fx + 40 + 16 * i, 2);
    printf(" %s %04x:%016" PRIx64, what, se, m);
}

static void print_differences(const struct state *in, const struct state *vm, const struct state *n)
{
    for (unsigned i = 0; i < 16; i++)
        if (vm->r[i] != n->r[i])
            printf("  r%u: in %016" PRIx64 " vm %016" PRIx64 " native %016" PRIx64 "\n", i,
                   in->r[i], vm->r[i], n->r[i]);
    if (vm->flags != n->flags)
        printf("  flags: vm %03" PRIx64 " native %03" PRIx64 "\n", vm->flags, n->flags);
    uint16_t a, b;
    for (unsigned k = 0; k < 2; k++) {
        memcpy(&a, vm->fx + 2 * k, 2);
        memcpy(&b, n->fx + 2 * k, 2);
        if (a != b)
            printf("  %s: vm %04x native %04x\n", k ? "fsw" : "fcw", a, b);
    }
    if (vm->fx[4] != n->fx[4])
        printf("  ftw: vm %02x native %02x\n", vm->fx[4], n->fx[4]);
    for (unsigned i = 0; i < 8; i++) {
        if (!memcmp(vm->fx + 32 + 16 * i, n->fx + 32 + 16 * i, 16))
            continue;
        printf("  st%u:", i);
        print_st("in", in->fx, i);
        print_st("vm", vm->fx, i);
        print_st("native", n->fx, i);
        printf("\n");
    }
    if (memcmp(vm->fx + 160, n->fx + 160, 256))
        printf("  xmm differs\n");
    if (memcmp(vm->buf, n->buf, BUF_SIZE))
        for (unsigned i = 0; i < BUF_SIZE; i += 8)
            if (memcmp(vm->buf + i, n->buf + i, 8)) {
                uint64_t u, v, w;
                memcpy(&u, in->buf + i, 8), memcpy(&v, vm->buf + i, 8), memcpy(&w, n->buf + i, 8);
                printf("  mem+%u: in %016" PRIx64 " vm %016" PRIx64 " native %016" PRIx64 "\n",
                       i, u, v, w);
            }
    for (unsigned i = 0; i < 8; i++)
        print_st(i ? "" : "  in:", in->fx, i);
    printf("\n");
}

int main(void)
{
    uint64_t seed = env_number("X64_X87_DIFF_SEED", 1), n = env_number("X64_X87_DIFF_CASES", 4000);
    rnd_seed(seed);
    static const struct x64_insn_def *rows[1024], *trows[16];
    unsigned n_rows = 0, n_trows = 0;
    for (size_t i = 0; i < x64_n_insns && n_rows < 1024; i++)
        if (is_candidate(&x64_insns[i]))
            rows[n_rows++] = &x64_insns[i];
        else if (is_transcendental(&x64_insns[i]) && n_trows < 16)
            trows[n_trows++] = &x64_insns[i];
    uint64_t n_seq = n;
    n += n / 8;
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *buf = mmap((void *)(uintptr_t)(BUF & ~0xfffu), 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    struct test_case *cases = mmap(NULL, n * sizeof *cases, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED || buf != (void *)(uintptr_t)(BUF & ~0xfffu) ||
        cases == MAP_FAILED) {
        printf("FAIL diff/x86_64-x87: cannot map the native harness\n");
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct test_case *c = &cases[i];
        if (i >= n_seq) {
            int disp;
            c->n_insns = 1;
            c->tolerant = true;
            c->def[0] = trows[i % n_trows];
            random_state(&c->in);
            c->len = encode(c->def[0], c->code, &disp);
            domain_state(&c->in, c->def[0]);
            continue;
        }
        c->n_insns = 1 + (unsigned)(rnd() % MAX_SEQ);
        c->len = 0;
        random_state(&c->in);
        for (unsigned k = 0; k < c->n_insns; k++) {
            int disp;
            /* a control-word load comes first, before a store could change its word */
            do
                c->def[k] = k == 0 ? rows[i % n_rows] : rows[rnd() % n_rows];
            while (k > 0 && loads_cw(c->def[k]));
            c->len += encode(c->def[k], c->code + c->len, &disp);
            if (loads_cw(c->def[k]))
                c->in.buf[disp] |= 0x3f; /* the control word: every exception masked */
        }
    }
    uint64_t done = run_native(cases, n), failed = 0, changed = 0;
    for (uint64_t i = 0; i < done; i++) {
        struct state in = cases[i].in;
        normalize(in.fx);
        changed += memcmp(&in, &cases[i].native, sizeof in) != 0;
    }
    if (done < n) {
        printf("FAIL diff/x86_64-x87: the host faults on case %" PRIu64 "\n", done);
        print_case("native", done, &cases[done]);
        return 1;
    }
    static const char *const engines[] = { "interp", "jit", "check" };
    static struct aspace flat;
    aspace_flat_init(&flat, guest_mem, MEM_SIZE);
    for (unsigned e = 0; e < 3; e++) {
        const struct engine_ops *eng = engine_by_name(engines[e]);
        if (!eng)
            continue;
        struct cpu *cpu = NULL;
        for (uint64_t i = 0; i < n; i++) {
            struct test_case *c = &cases[i];
            /* The check engine gets a fresh CPU for each case: after the exception that ends
             * a run, its next run stops at once with that exception again. */
            if (!cpu || e == 2) {
                if (cpu)
                    cpu_free(cpu);
                cpu = cpu_new(guest_by_name("x86_64"), eng);
                cpu->as = &flat;
                cpu->fetch_code = fetch_code;
            }
            struct state out, want = c->native;
            want.r[X64_RSP] = 0;
            if (run_vm(cpu, c, &out) < 0) {
                if (failed++ < 20) {
                    print_case(engines[e], i, c);
                    printf("  vm stops with exception %d at %#" PRIx64 "\n", cpu->exc, cpu->pc);
                }
                continue;
            }
            if (memcmp(&out, &want, sizeof out) == 0 || (c->tolerant && close_enough(&out, &want)))
                continue;
            if (failed++ < 20) {
                print_case(engines[e], i, c);
                print_differences(&c->in, &out, &want);
            }
        }
        cpu_free(cpu);
    }
    printf("%s diff/x86_64-x87: seed %" PRIu64 ", %" PRIu64 " sequences and %" PRIu64
           " transcendentals (%" PRIu64 " change the state natively) under each engine, %" PRIu64
           " differ, %u encodings; transcendentals within %.2Lf ulps\n",
           failed ? "FAIL" : "PASS", seed, n_seq, n - n_seq, changed, failed, n_rows + n_trows,
           max_rel * 0x1p63L);
    return failed ? 1 : 0;
}
