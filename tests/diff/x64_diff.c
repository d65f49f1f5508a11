/* Differential test of the x86-64 translator against the host CPU: random sequences of
 * integer instructions, drawn from the rows of insns.def, run natively in a forked child
 * (the code, a scratch area and the state block at fixed addresses) and under each of vm's
 * engines (interp, jit, check) at the same addresses and from the same registers, flags and
 * memory. Every general register, the arithmetic flags, DF and the scratch memory must
 * agree; a sequence that faults must fault in both with the same signal at the same
 * instruction, with the same registers. Branches go forward to a later instruction of the
 * sequence, so every run ends; half of the Jccs are followed by another Jcc, a pair the
 * translator keeps in one block. Where Intel leaves flags undefined, vm follows the host's AMD
 * CPU, which the test holds it to; two things are not compared: the flags after DIV and IDIV
 * (mostly AF alone, but not always) and those but ZF after BSF and BSR (Zen 4 sets them, its
 * forebears do not; such a sequence ends there), and SIGBUS against SIGSEGV
 * (a non-canonical stack address is #SS, which Linux reports as SIGBUS). Each engine runs in
 * a child process of its own, since the block cache is shared by every CPU of a process.
 *
 * Environment: X64_DIFF_SEED (default 1), X64_DIFF_SEQUENCES (default 3000); X64_DIFF_HEX
 * (the bytes of a sequence in hex) runs that one sequence from random states, to reproduce
 * a failure. Output: one FAIL line per differing sequence (at most 20, each with its bytes,
 * disassembly and first differences), then "PASS diff/x86_64 ..." or "FAIL diff/x86_64 ...". */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "diff_util.h"
#include "exec/exec.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/decode.h"
#include "mem/uspace.h"

#define CODE UINT64_C(0x100000)      /* native: the prologue that loads the registers */
#define SEQ (CODE + 0x100)     /* the sequence, at the same address natively and in vm */
#define SCRATCH UINT64_C(0x200000)   /* memory operands and the stack */
#define SCRATCH_SIZE UINT64_C(0x10000)
#define STACK_TOP (SCRATCH + 0xc000)
#define STATE UINT64_C(0x300000)     /* native: registers in and out */
#define PG UINT64_C(4096)
#define MAX_INSNS 6
#define MAX_BYTES (MAX_INSNS * X64_MAX_LEN)
#define FLAGS_COMPARED (X64_FLAGS_ARITH | X64_DF)

/* The state block natively, and what a run gives. */
struct state {
    uint64_t r[16];
    uint64_t rflags;
};
struct native_block {
    struct state in, out;
    uint64_t signo, fault_rip;
};
struct outcome {
    struct state s;
    int signo;           /* 0: ran to the end */
    uint64_t fault_pc;
    uint64_t fault_addr; /* vm's: the address of a data fault */
    uint64_t mem_hash;   /* of the scratch area afterwards */
    uint64_t flags_compared;
};

/* ---- which rows the generator draws from ---- */

/* Integer families whose result depends only on registers, flags and memory (no host
 * identity such as CPUID or the time), in their forms that do not leave the sequence. */
static bool drawn_family(const struct x64_insn_def *d)
{
    switch (d->family) {
    case X64_FAM_alu: case X64_FAM_alu_grp: case X64_FAM_test: case X64_FAM_mov:
    case X64_FAM_movx: case X64_FAM_lea: case X64_FAM_push: case X64_FAM_pop:
    case X64_FAM_jcc: case X64_FAM_nop: case X64_FAM_incdec: case X64_FAM_unary:
    case X64_FAM_imul: case X64_FAM_muldiv: case X64_FAM_xchg: case X64_FAM_xadd:
    case X64_FAM_cmpxchg: case X64_FAM_cmpxchgb: case X64_FAM_cbw: case X64_FAM_cwd:
    case X64_FAM_setcc: case X64_FAM_cmovcc: case X64_FAM_bswap: case X64_FAM_movbe:
    case X64_FAM_shift: case X64_FAM_shiftd: case X64_FAM_flagop: case X64_FAM_lahf:
    case X64_FAM_sahf: case X64_FAM_pushf: case X64_FAM_string: case X64_FAM_xlat:
    case X64_FAM_bt: case X64_FAM_bitscan: case X64_FAM_popcnt: case X64_FAM_crc32:
    case X64_FAM_bmi: case X64_FAM_adx: case X64_FAM_loop: case X64_FAM_enter: case X64_FAM_leave:
        return true;
    case X64_FAM_jmp: case X64_FAM_call:
        return d->arg == 0;   /* relative */
    default:
        return false;
    }
}

/* The flags an instruction sets in ways vm does not model, which a sequence then ends with
 * and leaves uncompared: all of DIV's and IDIV's (AMD: mostly AF alone, not always), and
 * BSF's and BSR's but ZF, undefined on both vendors, which AMD's Zen 3 and earlier leave
 * alone, as vm does, and Zen 4 sets as a logic op on the bit index would (0: none). */
static uint64_t flags_unknown(const struct x64_insn_def *d)
{
    if (d->family == X64_FAM_muldiv && d->arg >= 2)
        return UINT64_MAX;
    if (d->family == X64_FAM_bitscan && d->arg < 2)
        return X64_FLAGS_ARITH & ~X64_ZF;
    return 0;
}

static const struct x64_insn_def *candidates[1024], *jccs[64];
static unsigned n_candidates, n_jccs;

/* ---- encoding a random instruction of a row ---- */

struct encoded {
    uint8_t bytes[X64_MAX_LEN];
    unsigned len;
    int rel_at, rel_size;   /* a branch's displacement: offset and size, or -1 */
    int rip_at;             /* a RIP-relative disp32's offset, or -1 */
    uint64_t rip_target;
};

/* A general register other than RSP (AH, encoded as 4, is allowed for a byte operand
 * without REX). */
static unsigned random_reg(bool byte_no_rex)
{
    for (;;) {
        unsigned r = (unsigned)(rnd() % (byte_no_rex ? 8 : 16));
        if (r != X64_RSP || byte_no_rex)
            return r;
    }
}

static bool row_is_byte(const struct x64_insn_def *d)
{
    return (d->ops[0] && d->ops[1] == 'b' && d->family != X64_FAM_push) ||
           (d->ops[0] == 'A' && d->ops[1] == 'L');
}

static void put_bytes(struct encoded *e, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        e->bytes[e->len++] = (uint8_t)(v >> (8 * i));
}

/* An address in the scratch area, mostly aligned. */
static uint64_t scratch_target(void)
{
    uint64_t off = 0x1000 + (rnd() % 0x6000);
    return SCRATCH + (rnd() % 4 ? off & ~15ull : off);
}

/* ModRM: a register, or memory RIP-relative, at an absolute disp32 or at [rsp + disp8]. */
static void put_modrm(struct encoded *e, bool mem, unsigned reg, unsigned rm)
{
    if (!mem) {
        e->bytes[e->len++] = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
    } else {
        switch (rnd() % 3) {
        case 0:   /* RIP-relative */
            e->bytes[e->len++] = (uint8_t)((reg & 7) << 3 | 5);
            e->rip_at = (int)e->len;
            e->rip_target = scratch_target();
            put_bytes(e, 0, 4);
            break;
        case 1:   /* absolute disp32 */
            e->bytes[e->len++] = (uint8_t)((reg & 7) << 3 | 4);
            e->bytes[e->len++] = 0x25;
            put_bytes(e, scratch_target(), 4);
            break;
        default:  /* [rsp + disp8] */
            e->bytes[e->len++] = (uint8_t)(0x40 | (reg & 7) << 3 | 4);
            e->bytes[e->len++] = 0x24;
            e->bytes[e->len++] = (uint8_t)((rnd() % 128) - 64);
            break;
        }
    }
}

static void put_imm(const struct x64_insn_def *d, struct encoded *e, unsigned opsize)
{
    uint64_t v = interesting_value();
    switch (d->imm) {
    case X64_IMM_B: put_bytes(e, v, 1); break;
    case X64_IMM_W: put_bytes(e, v, 2); break;
    case X64_IMM_Z: put_bytes(e, v, opsize == 2 ? 2 : 4); break;
    case X64_IMM_V: put_bytes(e, v, opsize); break;
    case X64_IMM_WB: put_bytes(e, v & 0xff, 2); put_bytes(e, rnd() % 4, 1); break;
    case X64_IMM_A: put_bytes(e, scratch_target(), 8); break;
    case X64_IMM_D: break;
    default: break;
    }
}

/* A VEX form (3-byte prefix): W as the row allows, vvvv a register if the row names one. */
static void encode_vex(const struct x64_insn_def *d, struct encoded *e)
{
    bool mem = d->modrm == X64_MODRM_MEM || (d->modrm == X64_MODRM_ANY && rnd() % 2);
    unsigned reg = random_reg(false), rm = mem ? 0 : random_reg(false);
    unsigned w = (d->flags & X64_F_W1) ? 1 : (d->flags & X64_F_W0) ? 0 : (unsigned)(rnd() & 1);
    unsigned vvvv = (d->flags & X64_F_VVVV) ? random_reg(false) : 0;
    unsigned l = (d->flags & X64_F_L1) ? 1 : 0;
    static const uint8_t pp[5] = { 0, 0, 1, 2, 3 };
    e->bytes[e->len++] = 0xc4;
    e->bytes[e->len++] = (uint8_t)(((~reg >> 3) & 1) << 7 | 1 << 6 | ((~rm >> 3) & 1) << 5 |
                                   (d->map - X64_MAP_V0F + 1));
    e->bytes[e->len++] = (uint8_t)(w << 7 | (~vvvv & 15) << 3 | l << 2 | pp[d->pfx]);
    e->bytes[e->len++] = d->op;
    if (d->reg >= 0)
        reg = (unsigned)d->reg;
    put_modrm(e, mem, reg, rm);
    put_imm(d, e, w ? 8 : 4);
}

static void encode(const struct x64_insn_def *d, struct encoded *e)
{
    memset(e, 0, sizeof(*e));
    e->rel_at = e->rip_at = -1;
    if (d->map >= X64_MAP_V0F) {
        encode_vex(d, e);
        return;
    }
    if (d->family == X64_FAM_string && rnd() % 2)
        e->bytes[e->len++] = rnd() % 2 ? 0xf3 : 0xf2;
    bool byte = row_is_byte(d), f64 = d->flags & X64_F_F64;
    bool mem = d->modrm == X64_MODRM_MEM || (d->modrm == X64_MODRM_ANY && rnd() % 2);
    /* legacy prefixes */
    if (d->pfx == X64_PFX_66 || (d->pfx == X64_PFX_ANY && !byte && !f64 && rnd() % 4 == 0))
        e->bytes[e->len++] = 0x66;
    if (d->pfx == X64_PFX_F3)
        e->bytes[e->len++] = 0xf3;
    if (d->pfx == X64_PFX_F2)
        e->bytes[e->len++] = 0xf2;
    if ((d->flags & X64_F_LOCK) && mem && rnd() % 4 == 0)
        e->bytes[e->len++] = 0xf0;
    if (mem && rnd() % 8 == 0)
        e->bytes[e->len++] = 0x65;   /* GS, whose base is 0 natively and in vm */
    /* REX: W as the row needs, R/B random; X only where an index register is not used */
    unsigned rex = (unsigned)(rnd() & 0xf) & ~2u;
    if (d->flags & X64_F_W0)
        rex &= ~8u;
    if (d->flags & X64_F_W1)
        rex |= 8u;
    bool use_rex = rex || (d->flags & X64_F_W1) || rnd() % 4 == 0;
    unsigned reg = 0, rm = 0;
    if (d->modrm != X64_MODRM_NONE || (d->flags & X64_F_PLUSR)) {
        bool byte_no_rex = byte && !use_rex;
        reg = d->reg >= 0 ? (unsigned)d->reg | (rex & 4) << 1 : random_reg(byte_no_rex);
        rm = d->rm >= 0 ? (unsigned)d->rm | (rex & 1) << 3 : random_reg(byte_no_rex);
        if (d->reg < 0)
            rex = (rex & ~4u) | (reg >> 3) << 2;
        if (d->rm < 0)
            rex = (rex & ~1u) | (rm >> 3);
        if (mem)
            rex &= ~1u;   /* the memory forms below name no base register */
        use_rex = use_rex || rex;
    }
    if (d->flags & X64_F_NOREXB)
        rex &= ~1u;
    if (use_rex)
        e->bytes[e->len++] = (uint8_t)(0x40 | rex);
    if (d->map != X64_MAP_L0)
        e->bytes[e->len++] = 0x0f;
    if (d->map == X64_MAP_L38)
        e->bytes[e->len++] = 0x38;
    if (d->map == X64_MAP_L3A)
        e->bytes[e->len++] = 0x3a;
    e->bytes[e->len++] = (uint8_t)(d->op | ((d->flags & X64_F_PLUSR) ? (rm & 7) : 0));
    if (d->modrm != X64_MODRM_NONE)
        put_modrm(e, mem, reg, rm);
    bool opsz16 = e->bytes[0] == 0x66 && d->pfx == X64_PFX_ANY;
    unsigned opsize = byte ? 1 : f64 ? 8 : (rex & 8) ? 8 : opsz16 ? 2 :
                      (d->flags & X64_F_D64) ? 8 : 4;
    put_imm(d, e, opsize);
    if (d->family == X64_FAM_jcc || d->family == X64_FAM_jmp || d->family == X64_FAM_call ||
        d->family == X64_FAM_loop) {
        e->len -= d->imm == X64_IMM_B ? 1 : 0;
        e->rel_at = (int)e->len;
        e->rel_size = d->imm == X64_IMM_B ? 1 : 4;
        put_bytes(e, 0, (unsigned)e->rel_size);
    }
}

/* A sequence of n instructions at SEQ: branches go to a later instruction or the end. */
static unsigned random_sequence(uint8_t *code, unsigned *n_out, uint64_t *flags_compared)
{
    struct encoded e[MAX_INSNS];
    unsigned n = 1 + (unsigned)(rnd() % MAX_INSNS), off[MAX_INSNS + 1];
    off[0] = 0;
    const struct x64_insn_def *d = NULL;
    for (unsigned i = 0; i < n; i++) {
        d = d && d->family == X64_FAM_jcc && rnd() % 2 ? jccs[rnd() % n_jccs]
                                                       : candidates[rnd() % n_candidates];
        encode(d, &e[i]);
        off[i + 1] = off[i] + e[i].len;
        uint64_t unknown = flags_unknown(d);
        if (unknown) {   /* last, and those flags are not compared */
            n = i + 1;
            *flags_compared &= ~unknown;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (e[i].rel_at >= 0) {
            unsigned to = i + 1 + (unsigned)(rnd() % (n - i));
            int64_t rel = (int64_t)off[to] - off[i + 1];
            memcpy(e[i].bytes + e[i].rel_at, &rel, (size_t)e[i].rel_size);
        }
        if (e[i].rip_at >= 0) {
            int32_t rel = (int32_t)(e[i].rip_target - (SEQ + off[i + 1]));
            memcpy(e[i].bytes + e[i].rip_at, &rel, 4);
        }
        memcpy(code + off[i], e[i].bytes, e[i].len);
    }
    *n_out = n;
    return off[n];
}

/* ---- the native run ---- */

static struct native_block *native;
static uint8_t *native_code, *native_scratch;

/* mov r, [abs32] (load) or mov [abs32], r (store) */
static unsigned mov_abs(uint8_t *p, unsigned r, uint64_t addr, bool store)
{
    p[0] = (uint8_t)(0x48 | (r >> 3) << 2);
    p[1] = store ? 0x89 : 0x8b;
    p[2] = (uint8_t)((r & 7) << 3 | 4);
    p[3] = 0x25;
    uint32_t a = (uint32_t)addr;
    memcpy(p + 4, &a, 4);
    return 8;
}

/* mov rsp, imm32 */
static unsigned mov_rsp(uint8_t *p, uint64_t v)
{
    p[0] = 0x48, p[1] = 0xc7, p[2] = 0xc4;
    uint32_t a = (uint32_t)v;
    memcpy(p + 3, &a, 4);
    return 7;
}

/* At CODE: RFLAGS and the registers from native->in, then a jump to SEQ. */
static void write_prologue(void)
{
    uint8_t *p = native_code;
    p += mov_rsp(p, STATE + offsetof(struct native_block, in.rflags));
    *p++ = 0x9d;   /* popfq */
    for (unsigned r = 0; r < 16; r++)
        if (r != X64_RSP)
            p += mov_abs(p, r, STATE + offsetof(struct native_block, in.r) + 8 * r, false);
    p += mov_abs(p, X64_RSP, STATE + offsetof(struct native_block, in.r) + 8 * X64_RSP, false);
    *p++ = 0xe9;
    int32_t rel = (int32_t)(SEQ - (CODE + (uint64_t)(p - native_code) + 4));
    memcpy(p, &rel, 4);
}

/* After the sequence: the registers and RFLAGS to native->out, then exit_group(0). */
static void write_epilogue(uint8_t *p)
{
    for (unsigned r = 0; r < 16; r++)
        p += mov_abs(p, r, STATE + offsetof(struct native_block, out.r) + 8 * r, true);
    p += mov_rsp(p, STATE + offsetof(struct native_block, out.rflags) + 8);
    *p++ = 0x9c;   /* pushfq */
    static const uint8_t exit_group[] = { 0xb8, 0xe7, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05 };
    memcpy(p, exit_group, sizeof(exit_group));
}

/* The child's fault handler: the signal, RIP and registers at the fault. Not checked by
 * ASan: the random sequence may have stored over its shadow memory (a REP STOS through a
 * random pointer), and a check of the state block's shadow would then fail the child. */
__attribute__((no_sanitize("address")))
static void on_fault(int sig, siginfo_t *si, void *uc_)
{
    (void)si;
    ucontext_t *uc = uc_;
    static const int greg[16] = {
        REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
        REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
    };
    for (unsigned r = 0; r < 16; r++)
        native->out.r[r] = (uint64_t)uc->uc_mcontext.gregs[greg[r]];
    native->out.rflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    native->fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    native->signo = (uint64_t)sig;
    _exit(0);
}

static int run_native(const uint8_t *code, unsigned len, const struct state *in,
                      const uint8_t *scratch, struct outcome *out)
{
    memcpy(native_code + (SEQ - CODE), code, len);
    write_epilogue(native_code + (SEQ - CODE) + len);
    memcpy(native_scratch, scratch, SCRATCH_SIZE);
    native->in = *in;
    native->signo = 0;
    native->fault_rip = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        static uint8_t altstack[65536];
        stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
        sigaltstack(&ss, NULL);
        struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK };
        int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
        for (unsigned i = 0; i < 5; i++)
            sigaction(sigs[i], &sa, NULL);
        alarm(5);
        ((void (*)(void))(uintptr_t)CODE)();
        _exit(1);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    out->s = native->out;
    out->signo = (int)native->signo;
    out->fault_pc = native->fault_rip;
    return 0;
}

/* ---- vm ---- */

static struct uspace us;

static int fetch(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    (void)cpu;
    return uspace_fetch(&us, pc, buf, len);
}

static int signal_of(int exc)
{
    switch (exc) {
    case EXC_ILLEGAL: return SIGILL;
    case EXC_BREAKPOINT: case EXC_DEBUG: return SIGTRAP;
    case EXC_MISALIGNED: case EXC_BUS_ERROR: return SIGBUS;
    case EXC_DIVIDE: case EXC_FLOAT: return SIGFPE;
    default: return SIGSEGV;
    }
}

/* A fresh code page each run (translation write-protects the one it read). The sequence
 * ends with UD2, whose #UD at the end marks a complete run. */
static void run_vm(struct cpu *cpu, const uint8_t *code, unsigned len, const struct state *in,
                   const uint8_t *scratch, struct outcome *out, uint8_t *scratch_out)
{
    uspace_unmap(&us, CODE, PG);
    uspace_map(&us, CODE, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    memcpy(uspace_g2h(&us, SEQ), code, len);
    memcpy(uspace_g2h(&us, SEQ + len), "\x0f\x0b", 2);
    memcpy(uspace_g2h(&us, SCRATCH), scratch, SCRATCH_SIZE);
    exec_invalidate(cpu, CODE, CODE + PG);
    struct x64_cpu *x = (struct x64_cpu *)cpu;
    memcpy(x->r, in->r, sizeof(x->r));
    x64_set_eflags(x, in->rflags);
    cpu->pc = SEQ;
    cpu->exc = EXC_NONE;
    while (exec_run(cpu) == CPU_EXIT_INTERRUPT)   /* the check engine's stop after a block */
        cpu->exit_request = 0;
    memcpy(out->s.r, x->r, sizeof(x->r));
    out->s.rflags = x64_eflags(x);
    bool done = cpu->exc == EXC_ILLEGAL && cpu->pc == SEQ + len;
    out->signo = done ? 0 : signal_of(cpu->exc);
    out->fault_pc = done ? 0 : cpu->pc;
    out->fault_addr = cpu->exc_tval;
    memcpy(scratch_out, uspace_g2h(&us, SCRATCH), SCRATCH_SIZE);
}

/* ---- comparing ---- */

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void print_sequence(const uint8_t *code, unsigned len)
{
    printf("    bytes:");
    for (unsigned i = 0; i < len; i++)
        printf(" %02x", code[i]);
    printf("\n");
    for (unsigned off = 0; off < len;) {
        char text[96];
        int n = x64_disas(SEQ + off, code + off, len - off, text, sizeof(text));
        printf("    %" PRIx64 ": %s\n", SEQ + off, n > 0 ? text : "(does not decode)");
        off += n > 0 ? (unsigned)n : len;
    }
}

/* Whether the runs differ; prints how if print. A non-canonical stack address is #SS on the
 * CPU, which Linux reports as SIGBUS; vm does not tell it from other bad addresses (SIGSEGV). */
static bool differ(const struct outcome *v, const struct outcome *n, const char *engine,
                   bool print)
{
    bool stack_fault = n->signo == SIGBUS && v->signo == SIGSEGV;
    if ((v->signo != n->signo && !stack_fault) || v->fault_pc != n->fault_pc) {
        if (print)
            printf("    [%s] vm: signal %d at %" PRIx64 ", native: signal %d at %" PRIx64 "\n",
                   engine, v->signo, v->fault_pc, n->signo, n->fault_pc);
        return true;
    }
    bool any = false;
    for (unsigned r = 0; r < 16; r++)
        if (v->s.r[r] != n->s.r[r]) {
            if (print)
                printf("    [%s] %s: vm %016" PRIx64 ", native %016" PRIx64 "\n", engine,
                       reg_names[r], v->s.r[r], n->s.r[r]);
            any = true;
        }
    if ((v->s.rflags ^ n->s.rflags) & n->flags_compared) {
        if (print)
            printf("    [%s] rflags: vm %04" PRIx64 ", native %04" PRIx64 "\n", engine,
                   v->s.rflags & n->flags_compared, n->s.rflags & n->flags_compared);
        any = true;
    }
    if (v->mem_hash != n->mem_hash) {
        if (print)
            printf("    [%s] the scratch memory differs\n", engine);
        any = true;
    }
    return any;
}

static void random_state(struct state *s)
{
    for (unsigned r = 0; r < 16; r++)
        s->r[r] = interesting_value();
    s->r[X64_RSP] = STACK_TOP;
    /* string operands, XLAT's table and a frame in the scratch area, a short count */
    if (rnd() % 2) {
        s->r[X64_RSI] = scratch_target();
        s->r[X64_RDI] = scratch_target();
        s->r[X64_RBX] = scratch_target();
        s->r[X64_RBP] = STACK_TOP + 0x100;
        s->r[X64_RCX] = rnd() % 24;
    }
    s->rflags = X64_FLAGS_FIXED | (rnd() & X64_FLAGS_ARITH);
}

static unsigned parse_hex(const char *s, uint8_t *out, unsigned max)
{
    unsigned n = 0;
    while (*s && n < max) {
        while (*s == ' ')
            s++;
        if (!s[0] || !s[1])
            break;
        char pair[3] = { s[0], s[1], 0 };
        out[n++] = (uint8_t)strtoul(pair, NULL, 16);
        s += 2;
    }
    return n;
}

/* Sequence s of the run with seed: its code, initial memory and registers, the same each
 * time it is asked for. */
struct sequence {
    uint8_t code[MAX_BYTES + 64];
    unsigned len, n_insns;
    uint64_t flags_compared;
    uint8_t scratch[SCRATCH_SIZE];
    struct state in;
};

static void make_sequence(uint64_t seed, uint64_t s, const char *hex, struct sequence *q)
{
    rnd_seed(seed * 0x100000001b3ull + s);
    q->flags_compared = FLAGS_COMPARED;
    if (hex) {
        q->len = parse_hex(hex, q->code, MAX_BYTES);
        q->n_insns = 1;
    } else {
        q->len = random_sequence(q->code, &q->n_insns, &q->flags_compared);
    }
    for (unsigned i = 0; i < SCRATCH_SIZE; i += 8) {
        uint64_t r = rnd();
        memcpy(q->scratch + i, &r, 8);
    }
    random_state(&q->in);
}

/* Whether addr lies outside the sandbox both runs share but is mapped in this process (as
 * ASan's shadow is in a sanitizer build): a native child that reads or writes it does not
 * fault where vm, whose space does not hold it, does (it runs on, and may fault further on),
 * so such a sequence cannot be compared. */
static bool mapped_here(uint64_t addr)
{
    if ((addr >= CODE && addr < CODE + PG) || (addr >= SCRATCH && addr < SCRATCH + SCRATCH_SIZE))
        return false;
    unsigned char resident;
    return mincore((void *)(uintptr_t)(addr & ~(uint64_t)(PG - 1)), PG, &resident) == 0;
}

/* One engine's runs of every sequence against the native outcomes, in a child process of its
 * own (blocks are cached per process, whatever the engine). Marks the sequences that differ
 * in bad; returns whether it could run. */
static bool run_engine(const char *engine, uint64_t seed, uint64_t count, const char *hex,
                       const struct outcome *natives, uint8_t *bad, uint64_t *shown)
{
    const struct engine_ops *e = engine_by_name(engine);
    if (!e)
        return false;   /* the JIT engines exist on hosts with a backend */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct cpu *cpu = cpu_new(guest_by_name("x86_64"), e);
        cpu->as = &us.as;
        cpu->fetch_code = fetch;
        static struct sequence q;
        static uint8_t vm_mem[SCRATCH_SIZE];
        for (uint64_t s = 0; s < count; s++) {
            make_sequence(seed, s, hex, &q);
            struct outcome v;
            run_vm(cpu, q.code, q.len, &q.in, q.scratch, &v, vm_mem);
            v.mem_hash = hash_bytes(vm_mem, SCRATCH_SIZE);
            if (!differ(&v, &natives[s], engine, false))
                continue;
            if (v.signo == SIGSEGV && mapped_here(v.fault_addr)) {   /* native went on there */
                bad[s] = bad[s] ? bad[s] : 2;
                continue;
            }
            if (bad[s] != 1 && (*shown)++ < 20) {
                printf("FAIL diff/x86_64 seed %" PRIu64 " sequence %" PRIu64 "\n", seed, s);
                print_sequence(q.code, q.len);
                differ(&v, &natives[s], engine, true);
            }
            bad[s] = 1;
        }
        fflush(NULL);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        printf("FAIL diff/x86_64: the %s run died\n", engine);
        *shown = ~0ull;
    }
    return true;
}

int main(void)
{
    uint64_t seed = env_number("X64_DIFF_SEED", 1), count = env_number("X64_DIFF_SEQUENCES", 3000);
    const char *hex = getenv("X64_DIFF_HEX");
    for (size_t i = 0; i < x64_n_insns; i++)
        if (drawn_family(&x64_insns[i]) && n_candidates < 1024) {
            candidates[n_candidates++] = &x64_insns[i];
            if (x64_insns[i].family == X64_FAM_jcc && n_jccs < 64)
                jccs[n_jccs++] = &x64_insns[i];
        }

    int shared = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
    native_code = mmap((void *)CODE, PG, PROT_READ | PROT_WRITE | PROT_EXEC, shared, -1, 0);
    native_scratch = mmap((void *)SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE, shared, -1, 0);
    native = mmap((void *)STATE, PG, PROT_READ | PROT_WRITE, shared, -1, 0);
    uint8_t *bad = mmap(NULL, count + 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                        -1, 0);
    uint64_t *shown = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct outcome *natives = calloc(count + 1, sizeof(*natives));
    if (native_code != (void *)CODE || native_scratch != (void *)SCRATCH ||
        native != (void *)STATE || bad == MAP_FAILED || shown == MAP_FAILED || !natives ||
        uspace_init(&us, 1ull << 36, 0) < 0 ||
        uspace_map(&us, SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) < 0) {
        printf("FAIL diff/x86_64: cannot map the test's memory: %s\n", strerror(errno));
        return 1;
    }
    write_prologue();

    static struct sequence q;
    uint64_t faulted = 0, insns = 0;
    for (uint64_t s = 0; s < count; s++) {
        make_sequence(seed, s, hex, &q);
        insns += q.n_insns;
        if (run_native(q.code, q.len, &q.in, q.scratch, &natives[s]) < 0) {
            printf("FAIL diff/x86_64: the native run of sequence %" PRIu64 " died\n", s);
            print_sequence(q.code, q.len);
            return 1;
        }
        natives[s].mem_hash = hash_bytes(native_scratch, SCRATCH_SIZE);
        natives[s].flags_compared = q.flags_compared;
        faulted += natives[s].signo != 0;
    }
    static const char *const engines[] = { "interp", "jit", "check" };
    unsigned n_engines = 0;
    for (unsigned e = 0; e < 3; e++)
        n_engines += run_engine(engines[e], seed, count, hex, natives, bad, shown);
    uint64_t failed = 0, unreachable = 0;
    for (uint64_t s = 0; s < count; s++) {
        failed += bad[s] == 1;
        unreachable += bad[s] == 2;
    }
    bool ok = failed == 0 && *shown != ~0ull;
    printf("%s diff/x86_64: seed %" PRIu64 ", %" PRIu64 " sequences (%" PRIu64
           " instructions, %" PRIu64 " faulting natively), %" PRIu64 " differ, %" PRIu64
           " not compared (the native run reached this process's own memory), %u encodings"
           " (insns.def rows) under %u engines\n",
           ok ? "PASS" : "FAIL", seed, count, insns, faulted, failed, unreachable, n_candidates,
           n_engines);
    return ok ? 0 : 1;
}
