/* Differential test of the x86-64 translator's SSE families against the host CPU: one random
 * instruction of each SSE row of insns.def (SSE to SSE4.2, AES-NI, PCLMULQDQ, and with a host
 * that has AVX their VEX forms, AVX2, FMA and F16C) at a time (register and memory forms, one
 * in eight memory operands misaligned, random REX bits, VEX.L where both lengths exist,
 * immediates; gathers with three distinct registers and indexes that stay in the memory
 * operand), from random XMM/YMM values biased to the FP cases that go wrong (NaNs of
 * both kinds, infinities, zeros, denormals, limits of the integer conversions) and a random
 * MXCSR (flags, the four rounding modes, DAZ, FTZ; exceptions masked). RSQRT and RCP, whose
 * approximations are the CPU model's own, are compared within their bound. The host runs each one
 * natively in a forked child (a #GP there, the misaligned operand of an aligned form, is an
 * outcome vm must match; another fault is reported, not fatal); vm runs it under every
 * engine; the general registers, the arithmetic flags, XMM0..15, MXCSR, the memory operand's
 * bytes and whether #GP was raised must agree.
 *
 * Environment: X64_SSE_DIFF_SEED (default 1), X64_SSE_DIFF_CASES (default 8000).
 * Output: one FAIL line per differing case (at most 20), then "PASS diff/x86_64-sse ..." or
 * "FAIL diff/x86_64-sse ..." with the number of cases and of encodings (rows) covered. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
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
#include "guest/x86_64/fault.h"
#include "mem/aspace.h"

#define MEM_SIZE 0x200000u
#define CODE_BASE 0x1000u
#define BUF 0x100000u   /* the memory operand, at the same address natively and in vm */
#define BUF_SIZE 96u
#define STACK_TOP 0x8000u

struct state {
    uint64_t r[16];
    uint64_t flags;
    uint32_t mxcsr;
    uint32_t fault; /* the instruction raised #GP (SIGSEGV from the kernel): nothing changed */
    uint64_t ymm[16][4];
    uint8_t buf[BUF_SIZE];
};

struct test_case {
    uint8_t code[16];
    unsigned len;
    unsigned vsib_index, vsib_scale; /* a gather's index register and scale */
    const struct x64_insn_def *def;
    struct state in, native;
};

/* ---- what is tested ---- */

/* Whether the host runs AVX (the VEX rows, and YMM in the harness). */
static bool host_avx;

static bool is_candidate(const struct x64_insn_def *d)
{
    if (d->map >= X64_MAP_V0F && !host_avx)
        return false;
    if (d->family == X64_FAM_avx)
        return true;
    switch (d->family) {
    case X64_FAM_sse_mov: case X64_FAM_sse_int: case X64_FAM_sse_shift: case X64_FAM_sse_shuf:
    case X64_FAM_sse_misc: case X64_FAM_sse_arith: case X64_FAM_sse_cmp: case X64_FAM_sse_cvt:
    case X64_FAM_sse_pmov: case X64_FAM_sse_fp4: case X64_FAM_sse_str: case X64_FAM_sse_aes:
    case X64_FAM_fma:
        return d->modrm != X64_MODRM_NONE;
    default:
        return false;
    }
}

/* A register number for a ModRM field; never RSP when the operand may be a general register
 * (the native harness keeps its stack there). */
static unsigned pick_reg(bool gpr)
{
    for (;;) {
        unsigned n = (unsigned)(rnd() % 16);
        if (!gpr || n != 4)
            return n;
    }
}

/* A gather's three vector registers must differ; [rsi + index * scale], the index elements
 * small enough (set by gather_indexes) to stay in the memory operand. */
static unsigned encode_vsib(const struct x64_insn_def *d, struct test_case *c)
{
    unsigned reg = pick_reg(false), v, index;
    do
        v = pick_reg(false);
    while (v == reg);
    do
        index = pick_reg(false);
    while (index == reg || index == v);
    unsigned w = d->flags & X64_F_W1 ? 1 : 0, l = (unsigned)(rnd() % 2), scale = (unsigned)(rnd() % 4);
    uint8_t *out = c->code;
    unsigned n = 0;
    out[n++] = 0xc4;
    out[n++] = (uint8_t)((~reg >> 3 & 1) << 7 | (~index >> 3 & 1) << 6 | 1 << 5 | 2);
    out[n++] = (uint8_t)(w << 7 | (~v & 15) << 3 | l << 2 | 1);
    out[n++] = d->op;
    out[n++] = (uint8_t)(1u << 6 | (reg & 7) << 3 | 4);
    out[n++] = (uint8_t)(scale << 6 | (index & 7) << 3 | X64_RSI);
    out[n++] = 0;
    c->vsib_index = index;
    c->vsib_scale = 1u << scale;
    return n;
}

/* The index register's elements (quadwords for opcodes 91 and 93) as offsets into the
 * memory operand that leave room for a quadword. */
static void gather_indexes(struct test_case *c)
{
    bool q = c->def->op & 1;
    for (unsigned i = 0; i < (q ? 4u : 8u); i++) {
        uint64_t e = rnd() % ((BUF_SIZE - 8) / c->vsib_scale + 1);
        memcpy((uint8_t *)c->in.ymm[c->vsib_index] + (q ? 8 : 4) * i, &e, q ? 8 : 4);
    }
}

static unsigned encode(const struct x64_insn_def *d, uint8_t *out)
{
    unsigned n = 0;
    static const uint8_t pfx[] = { 0, 0, 0x66, 0xf3, 0xf2 };
    if (pfx[d->pfx])
        out[n++] = pfx[d->pfx];
    bool gpr_reg = strchr(d->ops, 'G') != NULL;
    bool gpr_rm = strchr(d->ops, 'E') || strchr(d->ops, 'R');
    bool mem = d->modrm == X64_MODRM_MEM || (d->modrm == X64_MODRM_ANY && rnd() % 2);
    unsigned reg = d->reg >= 0 ? (unsigned)d->reg : pick_reg(gpr_reg);
    unsigned rm = mem ? 6 : d->rm >= 0 ? (unsigned)d->rm : pick_reg(gpr_rm);
    unsigned w = d->flags & X64_F_W1 ? 1 : d->flags & X64_F_W0 ? 0 : (unsigned)(rnd() % 2);
    if (d->map >= X64_MAP_V0F) { /* three-byte VEX: R X B mmmmm, W vvvv L pp */
        static const uint8_t pp[] = { 0, 0, 1, 2, 3 };
        unsigned l = d->flags & X64_F_L0 ? 0 : d->flags & X64_F_L1 ? 1 : (unsigned)(rnd() % 2);
        unsigned v = d->flags & X64_F_VVVV ? (unsigned)(rnd() % 16) : 0;
        n = 0;
        out[n++] = 0xc4;
        out[n++] = (uint8_t)((~reg >> 3 & 1) << 7 | 1 << 6 | (~rm >> 3 & 1) << 5 |
                             (d->map - X64_MAP_V0F + 1));
        out[n++] = (uint8_t)(w << 7 | (~v & 15) << 3 | l << 2 | pp[d->pfx]);
        out[n++] = d->op;
        if (d->modrm == X64_MODRM_NONE)
            return n;
    } else {
        uint8_t rex = (uint8_t)(0x40 | w << 3 | (reg >> 3) << 2 | (rm >> 3));
        if (rex != 0x40 || rnd() % 4 == 0)
            out[n++] = rex;
        out[n++] = 0x0f;
        if (d->map == X64_MAP_L38)
            out[n++] = 0x38;
        else if (d->map == X64_MAP_L3A)
            out[n++] = 0x3a;
        out[n++] = d->op;
    }
    out[n++] = (uint8_t)((mem ? 1u << 6 : 3u << 6) | (reg & 7) << 3 | (rm & 7));
    if (mem) /* [rsi + disp8]: one in eight misaligned, for the #GP of the aligned forms */
        out[n++] = (uint8_t)(16 * (rnd() % 4) + (rnd() % 8 == 0 ? 1 + rnd() % 15 : 0));
    /* one immediate in four from those glibc's string functions give PCMPxSTRx, which vm
     * runs as the host's own instruction (sse_str.c) */
    static const uint8_t str_imm[] = { 0x02, 0x0c, 0x12, 0x1a, 0x3a };
    if (d->imm == X64_IMM_B)
        out[n++] = rnd() % 4 ? (uint8_t)rnd() : str_imm[rnd() % sizeof(str_imm)];
    return n;
}

/* FP bit patterns where implementations differ, as single (fp32) or double. */
static uint64_t fp_value(bool dbl)
{
    static const uint32_t s[] = {
        0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
        0x7fa00000, 0x00000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0x4f000000, 0xcf000000,
        0x5f000000, 0xdf000000, 0x3f000000, 0x3fc00000, 0x00400000, 0x80400000, 0x4effffff,
    };
    static const uint64_t d[] = {
        0, 0x8000000000000000, 0x3ff0000000000000, 0x7ff0000000000000, 0xfff0000000000000,
        0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0x7ff4000000000000,
        1, 0x000fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff, 0x41e0000000000000,
        0xc1e0000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x3fe0000000000000,
        0x3ff8000000000000, 0x41dfffffffc00000, 0x0008000000000000, 0x3810000000000000,
        0x36a0000000000000, 0x47efffffe0000000,
    };
    uint64_t r = rnd();
    switch (r % 4) {
    case 0:
        if (dbl)
            return d[(r >> 8) % (sizeof d / sizeof d[0])];
        return s[(r >> 8) % (sizeof s / sizeof s[0])];
    case 1: /* a denormal or small normal */
        return dbl ? (rnd() & 0x801fffffffffffffull) : (rnd() & 0x80ffffffu);
    case 2: /* near 1, for sums that cancel and products that round */
        return dbl ? (rnd() & 0x800fffffffffffffull) | 0x3ff0000000000000ull
                   : ((uint32_t)rnd() & 0x807fffffu) | 0x3f800000u;
    default: return dbl ? rnd() : (uint32_t)rnd();
    }
}

static uint64_t vec_quad(void)
{
    switch (rnd() % 4) {
    case 0: return fp_value(true);
    case 1: return fp_value(false) | fp_value(false) << 32;
    case 2: return interesting_value();
    default: return rnd();
    }
}

/* Eight bytes or four words from a small alphabet with zeros, so that PCMPxSTRx's strings
 * match, contain each other and end early. */
static uint64_t string_quad(void)
{
    static const uint16_t alphabet[] = { 0, 1, 2, 3, 0x61, 0x80, 0xff, 0x8000, 0xffff };
    uint64_t v = 0;
    bool words = rnd() % 2;
    for (unsigned i = 0; i < (words ? 4u : 8u); i++) {
        uint64_t e = alphabet[rnd() % (sizeof alphabet / sizeof alphabet[0])];
        v |= words ? e << (16 * i) : (e & 0xff) << (8 * i);
    }
    return v;
}

static void random_state(struct state *s, const struct x64_insn_def *d)
{
    bool str = d->family == X64_FAM_sse_str && rnd() % 4;
    for (unsigned i = 0; i < 16; i++)
        s->r[i] = interesting_value();
    s->r[X64_RSI] = BUF;
    s->r[X64_RSP] = 0;
    if (d->op == 0xf7) /* MASKMOVDQU's destination is [RDI] */
        s->r[X64_RDI] = BUF + rnd() % (BUF_SIZE - 16);
    s->fault = 0;
    s->flags = (rnd() & X64_FLAGS_ARITH) | X64_FLAGS_FIXED;
    if (str) { /* lengths around PCMPESTRx's 8 and 16 */
        s->r[X64_RAX] = (uint64_t)(int64_t)(rnd() % 41 - 20);
        s->r[X64_RDX] = (uint64_t)(int64_t)(rnd() % 41 - 20);
    }
    uint64_t (*quad)(void) = str ? string_quad : vec_quad;
    for (unsigned i = 0; i < 16; i++)
        for (unsigned q = 0; q < 4; q++)
            s->ymm[i][q] = quad();
    s->mxcsr = 0x1f80u | (rnd() % 2 ? (uint32_t)rnd() & 0x3f : 0) | ((uint32_t)rnd() % 4) << 13 |
               (rnd() % 4 == 0 ? 0x40u : 0) | (rnd() % 4 == 0 ? 0x8000u : 0);
    for (unsigned i = 0; i < BUF_SIZE; i += 8) {
        uint64_t v = quad();
        memcpy(s->buf + i, &v, 8);
    }
}

/* ---- native: a generated function loads the state, runs the instruction, stores it ---- */

struct native_state {
    uint64_t r[16];
    uint64_t flags;
    uint32_t mxcsr, saved_mxcsr;
    uint64_t ymm[16][4];
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

/* An instruction with a [rip + disp32] operand reaching field at off of the native state:
 * prefix (0 for none), REX (0 for none), the opcode bytes, ModRM.reg. */
static void emit_rip(struct emitter *e, uint8_t prefix, uint8_t rex, const char *op, unsigned oplen,
                     unsigned reg, unsigned off)
{
    if (prefix)
        e->p[e->n++] = prefix;
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
    emit_rip(&e, 0, 0, "\x0f\xae", 2, 3, NOFF(saved_mxcsr));
    for (unsigned i = 0; i < 16; i++) /* vmovdqu ymm, or movdqu xmm without AVX */
        if (host_avx)
            emit_rip(&e, 0, 0, i >= 8 ? "\xc5\x7e\x6f" : "\xc5\xfe\x6f", 3, i, NOFF(ymm) + 32 * i);
        else
            emit_rip(&e, 0xf3, i >= 8 ? 0x44 : 0, "\x0f\x6f", 2, i, NOFF(ymm) + 32 * i);
    emit_rip(&e, 0, 0, "\x0f\xae", 2, 2, NOFF(mxcsr));
    emit_rip(&e, 0, 0x48, "\x8b", 1, 0, NOFF(flags));
    emit(&e, (const uint8_t *)"\x50\x9d", 2);
    for (unsigned i = 0; i < 16; i++)
        if (i != X64_RSP)
            emit_rip(&e, 0, (uint8_t)(0x48 | (i >> 3) << 2), "\x8b", 1, i, NOFF(r) + 8 * i);
    emit(&e, insn, len);
    for (unsigned i = 0; i < 16; i++)
        if (i != X64_RSP)
            emit_rip(&e, 0, (uint8_t)(0x48 | (i >> 3) << 2), "\x89", 1, i, NOFF(r) + 8 * i);
    emit(&e, (const uint8_t *)"\x9c\x58", 2);
    emit_rip(&e, 0, 0x48, "\x89", 1, 0, NOFF(flags));
    for (unsigned i = 0; i < 16; i++)
        if (host_avx)
            emit_rip(&e, 0, 0, i >= 8 ? "\xc5\x7e\x7f" : "\xc5\xfe\x7f", 3, i, NOFF(ymm) + 32 * i);
        else
            emit_rip(&e, 0xf3, i >= 8 ? 0x44 : 0, "\x0f\x7f", 2, i, NOFF(ymm) + 32 * i);
    emit_rip(&e, 0, 0, "\x0f\xae", 2, 3, NOFF(mxcsr));
    emit_rip(&e, 0, 0, "\x0f\xae", 2, 2, NOFF(saved_mxcsr));
    emit(&e, (const uint8_t *)"\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
}

/* A fault of the instruction under test: back to run_native's loop. */
static sigjmp_buf native_fault;
static int native_fault_code;

static void on_native_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    native_fault_code = si->si_code;
    siglongjmp(native_fault, 1);
}

/* Runs every case natively in a child; returns the number of cases it completed. A #GP
 * (SIGSEGV with SI_KERNEL) is an outcome vm must give too; another fault stops the run. */
static uint64_t run_native(struct test_case *cases, uint64_t n)
{
    volatile uint64_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                   -1, 0);
    *done = 0;
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t *buf = (uint8_t *)(uintptr_t)BUF;
        struct native_state *ns = (struct native_state *)(native_page + NSTATE);
        struct sigaction sa = { .sa_sigaction = on_native_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
        sigaction(SIGSEGV, &sa, NULL);
        for (uint64_t i = 0; i < n; i++) {
            struct test_case *c = &cases[i];
            build_native(c->code, c->len);
            if (sigsetjmp(native_fault, 1)) {
                __builtin_ia32_ldmxcsr(ns->saved_mxcsr);
                if (native_fault_code != SI_KERNEL)
                    break;
                c->native = c->in;
                c->native.flags = c->in.flags & X64_FLAGS_ARITH;
                c->native.fault = 1;
                *done = i + 1;
                continue;
            }
            memcpy(ns->r, c->in.r, sizeof ns->r);
            ns->flags = c->in.flags;
            ns->mxcsr = c->in.mxcsr;
            memcpy(ns->ymm, c->in.ymm, sizeof ns->ymm);
            memcpy(buf, c->in.buf, BUF_SIZE);
            ((void (*)(void))native_page)();
            c->native = c->in;
            memcpy(c->native.r, ns->r, sizeof ns->r);
            c->native.flags = ns->flags & X64_FLAGS_ARITH;
            c->native.mxcsr = ns->mxcsr;
            memcpy(c->native.ymm, ns->ymm, sizeof ns->ymm);
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
    exec_invalidate(cpu, CODE_BASE, CODE_BASE + 32);
    struct x64_cpu *x = (struct x64_cpu *)cpu;
    memcpy(x->r, c->in.r, sizeof x->r);
    x->r[X64_RSP] = STACK_TOP;
    x64_set_eflags(x, c->in.flags);
    memcpy(x->ymm, c->in.ymm, sizeof x->ymm);
    x->mxcsr = c->in.mxcsr;
    cpu->pc = CODE_BASE;
    cpu->exit_reason = CPU_EXIT_NONE;
    int reason;
    while ((reason = exec_run(cpu)) == CPU_EXIT_INTERRUPT) /* a block boundary: go on */
        cpu->exit_reason = CPU_EXIT_NONE;
    if (reason == CPU_EXIT_EXCEPTION)   /* a misaligned operand's #GP, as Linux's layer sees it */
        x64_gp_fixup(cpu);
    bool fault = reason == CPU_EXIT_EXCEPTION && cpu->exc == EXC_PROTECTION && cpu->pc == CODE_BASE;
    if (!fault && (reason != CPU_EXIT_EXCEPTION || cpu->exc != EXC_ILLEGAL ||
                   cpu->pc != CODE_BASE + c->len + 2))
        return -1;
    *out = c->in;
    out->fault = fault;
    memcpy(out->r, x->r, sizeof out->r);
    out->r[X64_RSP] = 0;
    out->flags = x64_arith_flags(x);
    memcpy(out->ymm, x->ymm, sizeof out->ymm);
    out->mxcsr = x->mxcsr;
    memcpy(out->buf, guest_mem + BUF, BUF_SIZE);
    return 0;
}

/* Whether singles a and b (finite, normal, of one sign) are within 2^-11 of each other
 * relatively: RSQRTPS and RCPPS approximate, each CPU model with bits of its own, to 1.5 *
 * 2^-12. */
static bool close_estimates(uint32_t a, uint32_t b)
{
    float x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    if ((a ^ b) >> 31 || !isnormal(x) || !isnormal(y))
        return false;
    return fabs((double)x - (double)y) <= ldexp(fabs((double)y), -11);
}

/* RSQRT and RCP (sse_arith's 10 and 11): an element of the destination within the bound of
 * the host's counts as the host's. */
static void accept_estimates(const struct test_case *c, struct state *vm, const struct state *n)
{
    struct x64_insn in;
    if (c->def->family != X64_FAM_sse_arith || c->def->arg < 10 ||
        x64_decode(c->code, c->len, &in) < 0)
        return;
    unsigned elems = c->def->pfx == X64_PFX_F3 ? 1 : in.vex_l ? 8 : 4;
    for (unsigned i = 0; i < elems; i++) {
        uint32_t a, b;
        memcpy(&a, (uint8_t *)vm->ymm[in.reg] + 4 * i, 4);
        memcpy(&b, (const uint8_t *)n->ymm[in.reg] + 4 * i, 4);
        if (a != b && close_estimates(a, b))
            memcpy((uint8_t *)vm->ymm[in.reg] + 4 * i, &b, 4);
    }
}

static void print_case(const char *engine, uint64_t i, const struct test_case *c)
{
    printf("FAIL diff/x86_64-sse case %" PRIu64 " [%s] %s:", i, engine, c->def->name);
    for (unsigned k = 0; k < c->len; k++)
        printf(" %02x", c->code[k]);
    printf("  mxcsr in %04x\n", c->in.mxcsr);
}

static void print_differences(const struct state *in, const struct state *vm, const struct state *n)
{
    for (unsigned i = 0; i < 16; i++)
        if (vm->r[i] != n->r[i])
            printf("  r%u: in %016" PRIx64 " vm %016" PRIx64 " native %016" PRIx64 "\n", i,
                   in->r[i], vm->r[i], n->r[i]);
    if (vm->flags != n->flags)
        printf("  flags: vm %03" PRIx64 " native %03" PRIx64 "\n", vm->flags, n->flags);
    if (vm->fault != n->fault)
        printf("  #GP: vm %u native %u\n", vm->fault, n->fault);
    if (vm->mxcsr != n->mxcsr)
        printf("  mxcsr: vm %04x native %04x\n", vm->mxcsr, n->mxcsr);
    for (unsigned i = 0; i < 16; i++)
        if (memcmp(vm->ymm[i], n->ymm[i], 32)) {
            const uint64_t *v[3] = { in->ymm[i], vm->ymm[i], n->ymm[i] };
            static const char *const what[3] = { "in", "vm", "native" };
            printf("  ymm%u:", i);
            for (unsigned k = 0; k < 3; k++)
                printf(" %s %016" PRIx64 "%016" PRIx64 "_%016" PRIx64 "%016" PRIx64, what[k],
                       v[k][3], v[k][2], v[k][1], v[k][0]);
            printf("\n");
        }
    if (memcmp(vm->buf, n->buf, BUF_SIZE))
        printf("  memory operand differs\n");
    for (unsigned i = 0; i < 2; i++)
        printf("  m%u: %016" PRIx64 "%016" PRIx64 "\n", i, ((const uint64_t *)in->buf)[2 * i + 1],
               ((const uint64_t *)in->buf)[2 * i]);
}

int main(void)
{
    uint64_t seed = env_number("X64_SSE_DIFF_SEED", 1), n = env_number("X64_SSE_DIFF_CASES", 8000);
    rnd_seed(seed);
    host_avx = __builtin_cpu_supports("avx");
    static const struct x64_insn_def *rows[1024];
    unsigned n_rows = 0;
    for (size_t i = 0; i < x64_n_insns && n_rows < 1024; i++)
        if (is_candidate(&x64_insns[i]))
            rows[n_rows++] = &x64_insns[i];
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *buf = mmap((void *)(uintptr_t)(BUF & ~0xfffu), 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    struct test_case *cases = mmap(NULL, n * sizeof *cases, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED || buf != (void *)(uintptr_t)(BUF & ~0xfffu) ||
        cases == MAP_FAILED) {
        printf("FAIL diff/x86_64-sse: cannot map the native harness\n");
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct test_case *c = &cases[i];
        c->def = rows[i % n_rows];
        c->len = c->def->flags & X64_F_VSIB ? encode_vsib(c->def, c) : encode(c->def, c->code);
        random_state(&c->in, c->def);
        if (c->def->flags & X64_F_VSIB)
            gather_indexes(c);
    }
    uint64_t done = run_native(cases, n), failed = 0, changed = 0, faults = 0;
    for (uint64_t i = 0; i < done; i++)
        faults += cases[i].native.fault;
    for (uint64_t i = 0; i < done; i++)
        changed += memcmp(cases[i].in.ymm, cases[i].native.ymm, sizeof cases[i].in.ymm) ||
                   memcmp(cases[i].in.r, cases[i].native.r, sizeof cases[i].in.r) ||
                   memcmp(cases[i].in.buf, cases[i].native.buf, BUF_SIZE);
    if (done < n) {
        printf("FAIL diff/x86_64-sse: the host faults on case %" PRIu64 "\n", done);
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
            accept_estimates(c, &out, &want);
            if (memcmp(&out, &want, sizeof out) == 0)
                continue;
            if (failed++ < 20) {
                print_case(engines[e], i, c);
                print_differences(&c->in, &out, &want);
            }
        }
        cpu_free(cpu);
    }
    printf("%s diff/x86_64-sse: seed %" PRIu64 ", %" PRIu64 " cases (%" PRIu64 " change the state "
           "natively, %" PRIu64 " raise #GP) under each engine, %" PRIu64 " differ, %u encodings\n",
           failed ? "FAIL" : "PASS", seed, n, changed, faults, failed, n_rows);
    return failed ? 1 : 0;
}
