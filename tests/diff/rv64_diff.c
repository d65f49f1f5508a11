/* Differential test of the RISC-V translator: random RV64GC instruction sequences, drawn from
 * the rows of the decode table (integer, M, A with single-threaded semantics, F and D with
 * every static and dynamic rounding mode, the FP CSRs, forward branches and jal) and from
 * random compressed instructions, run on vm's translator + interpreter and on Unicorn from the
 * same registers and memory; every x and f register, fflags, frm and the scratch memory must
 * agree.
 *
 * Environment: RV64_DIFF_SEED (default 1), RV64_DIFF_SEQUENCES (default 2000); RV64_DIFF_INSN
 * (a 32-bit encoding, or a 16-bit one below 0x10000 whose low bits are not 11) runs that one
 * instruction instead, to reproduce a failure.
 * Output: one FAIL line per differing sequence (at most 20, each with its disassembly and
 * the first differences), then "PASS diff/riscv64 ..." or "FAIL diff/riscv64 ...". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "diff_util.h"
#include "exec/exec.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/decode.h"
#include "guest/riscv64/translate.h"
#include "mem/aspace.h"

#define MEM_SIZE 0x40000u
#define CODE_BASE 0x1000u
#define SCRATCH_BASE 0x10000u
#define SCRATCH_SIZE 0x10000u
/* The memory bases, never written: sp (the compressed sp-relative forms) and s0 (x8, the
 * base the compressed register forms can name). Both are 8-byte aligned, so the atomics,
 * which take their address from the base register alone, are aligned. */
#define SP_REG 2
#define BASE_REG 8
#define SP_VALUE 0x17000u
#define BASE_VALUE 0x18800u
#define MAX_INSNS 8
#define CODE_BYTES (4 * (MAX_INSNS + 2))
#define ECALL 0x00000073u
/* sc.d zero, zero, (sp): opens every sequence. The reservation is never at sp, so this fails
 * and, as every SC does, drops any reservation left in Unicorn by an earlier sequence (vm
 * starts each run without one). */
#define SC_CLEAR 0x1820302fu

static uint8_t guest_mem[MEM_SIZE];
static uint8_t initial_scratch[SCRATCH_SIZE];

/* ---- which rows the generator draws from ---- */

static bool is_memory(rv64_trans_fn *t)
{
    return t == trans_load || t == trans_store || t == trans_fload || t == trans_fstore ||
           t == trans_amo || t == trans_lr || t == trans_sc;
}

static bool is_control(rv64_trans_fn *t)
{
    return t == trans_branch || t == trans_jal;
}

/* Everything but jalr (its target is a register), ecall and ebreak (they end the sequence),
 * fence.i (Unicorn's system-mode TLB flush is not what user mode sees), wfi (Unicorn's
 * QEMU 5.0 waits in U-mode; Linux user space gets SIGILL, as vm and qemu-user give) and the
 * other privileged instructions, mret, sret and sfence.vma (Unicorn runs them in M-mode;
 * user space gets SIGILL). */
static bool is_candidate(const struct rv64_insn_def *d)
{
    rv64_trans_fn *t = d->trans;
    return t != trans_jalr && t != trans_ecall && t != trans_ebreak && t != trans_fence_i &&
           t != trans_wfi && t != trans_mret && t != trans_sret && t != trans_sfence_vma;
}

static const struct rv64_insn_def *candidates[512];
static unsigned n_candidates;

static bool writes_x(const struct rv64_insn_def *d)
{
    rv64_trans_fn *t = d->trans;
    return !(d->fregs & RV_RD_F) && t != trans_store && t != trans_fstore && t != trans_branch &&
           t != trans_fence;
}

/* Accepts a decoded instruction as generated: it must not write a base register, a memory
 * access must use one as its base, and a CSR access must name fflags, frm or fcsr (the
 * counters differ between any two runs). */
static bool acceptable(const struct rv64_insn *in)
{
    const struct rv64_insn_def *d = in->def;
    if (writes_x(d) && (in->rd == SP_REG || in->rd == BASE_REG))
        return false;
    if (is_memory(d->trans) && in->rs1 != SP_REG && in->rs1 != BASE_REG)
        return false;
    if (d->trans == trans_csr && (in->csr < 1 || in->csr > 3))
        return false;
    /* Unicorn 2.0.1 (QEMU 5.0) neither truncates nor sign-extends the operands of
     * amo{min,max}[u].w; qemu-riscv64 7.2 and vm agree on them (tests/guest/atomics.c). */
    if (d->trans == trans_amo && d->arg >= IR_RMW_SMIN && d->arg <= IR_RMW_UMAX &&
        ((in->word >> 12) & 7) == 2)
        return false;
    return is_candidate(d) && d->trans != trans_jalr;
}

static uint32_t random_insn32(void)
{
    for (;;) {
        const struct rv64_insn_def *d = candidates[rnd() % n_candidates];
        uint32_t w = d->match | ((uint32_t)rnd() & ~d->mask);
        if (is_memory(d->trans))
            w = (w & ~(31u << 15)) | (rnd() & 1 ? SP_REG : BASE_REG) << 15;
        if (d->trans == trans_csr)
            w = (w & ~(0xfffu << 20)) | (uint32_t)(1 + rnd() % 3) << 20;
        struct rv64_insn in;
        if (rv64_decode(w, &in) < 0 || in.def != d || !acceptable(&in))
            continue;
        return w;
    }
}

/* A random compressed instruction that expands to an acceptable one other than a control
 * transfer (whose offsets would leave the sequence). */
static uint16_t random_insn16(void)
{
    for (;;) {
        uint16_t c = (uint16_t)rnd();
        uint32_t w;
        struct rv64_insn in;
        if ((c & 3) == 3 || rv64_expand_compressed(c, &w) < 0 || rv64_decode(w, &in) < 0 ||
            is_control(in.def->trans) || !acceptable(&in))
            continue;
        return c;
    }
}

/* ---- code layout ---- */

struct sequence {
    uint8_t bytes[CODE_BYTES];
    unsigned len;                   /* bytes, including the SC_CLEAR prefix, without the ecall */
    unsigned n;                     /* instructions after the prefix */
    unsigned offset[MAX_INSNS + 1]; /* of each instruction; offset[n] is the ecall's */
};

static void put32(struct sequence *s, unsigned at, uint32_t w)
{
    memcpy(s->bytes + at, &w, 4);
}

static uint32_t enc_b_imm(uint32_t w, uint32_t off)
{
    w &= 0x01fff07fu;
    return w | (off >> 12 & 1) << 31 | (off >> 5 & 0x3f) << 25 | (off >> 1 & 0xf) << 8 |
           (off >> 11 & 1) << 7;
}

static uint32_t enc_j_imm(uint32_t w, uint32_t off)
{
    w &= 0xfffu;
    return w | (off >> 20 & 1) << 31 | (off >> 1 & 0x3ff) << 21 | (off >> 11 & 1) << 20 |
           (off >> 12 & 0xff) << 12;
}

/* Lays out n random instructions after the prefix; branches and jal are pointed forward at a
 * later instruction or at the final ecall. */
static void random_sequence(struct sequence *s, unsigned n)
{
    uint32_t words[MAX_INSNS];
    bool compressed[MAX_INSNS];
    unsigned at = 4;
    put32(s, 0, SC_CLEAR);
    for (unsigned i = 0; i < n; i++) {
        compressed[i] = rnd() % 4 == 0;
        words[i] = compressed[i] ? random_insn16() : random_insn32();
        s->offset[i] = at;
        at += compressed[i] ? 2 : 4;
    }
    s->offset[n] = at;
    for (unsigned i = 0; i < n; i++) {
        if (compressed[i]) {
            uint16_t c = (uint16_t)words[i];
            memcpy(s->bytes + s->offset[i], &c, 2);
            continue;
        }
        struct rv64_insn in;
        rv64_decode(words[i], &in);
        unsigned target = i + 1 + (unsigned)(rnd() % (n - i));
        uint32_t off = s->offset[target] - s->offset[i];
        if (in.def->trans == trans_branch)
            words[i] = enc_b_imm(words[i], off);
        else if (in.def->trans == trans_jal)
            words[i] = enc_j_imm(words[i], off);
        put32(s, s->offset[i], words[i]);
    }
    put32(s, at, ECALL);
    s->len = at;
    s->n = n;
}

/* ---- state ---- */

struct state {
    uint64_t x[32], f[32], fflags, frm;
};

static uint64_t interesting_fp(void)
{
    static const uint64_t doubles[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0x7ff4000000000000ull, 0xfff8000000000001ull, 0x0000000000000001ull,
        0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
        0x43e0000000000000ull, 0xc3e0000000000000ull, 0x41e0000000000000ull,
        0x3fe0000000000000ull, 0x4330000000000001ull,
    };
    static const uint32_t singles[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
        0x7fa00000u, 0xffc00001u, 0x00000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu,
        0x5f000000u, 0xdf000000u, 0x4f000000u, 0x3f000000u, 0x4b000001u,
    };
    uint64_t r = rnd();
    switch (r % 8) {
    case 0:
    case 1:
        return doubles[(r >> 8) % (sizeof(doubles) / sizeof(doubles[0]))];
    case 2:
    case 3:
        return 0xffffffff00000000ull | singles[(r >> 8) % (sizeof(singles) / sizeof(singles[0]))];
    case 4:
        return 0xffffffff00000000ull | (uint32_t)rnd();
    case 5:
        return interesting_value(); /* mostly not NaN-boxed when read as a single */
    default:
        return rnd();
    }
}

static void random_state(struct state *s)
{
    s->x[0] = 0;
    for (unsigned i = 1; i < 32; i++)
        s->x[i] = interesting_value();
    s->x[SP_REG] = SP_VALUE;
    s->x[BASE_REG] = BASE_VALUE;
    for (unsigned i = 0; i < 32; i++)
        s->f[i] = interesting_fp();
    s->fflags = rnd() & 31;
    s->frm = rnd() % 16 == 0 ? 5 + rnd() % 3 : rnd() % 5; /* 5..7 make dynamic-rm ops illegal */
}

/* ---- vm ---- */

static int fetch_code(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    if (pc + len > MEM_SIZE)
        return -14;
    memcpy(buf, guest_mem + pc, len);
    return 0;
}

static struct cpu *vm_cpu;

/* Returns 0, or -1 if the sequence faulted. */
static int run_vm(const struct sequence *seq, const struct state *in, struct state *out,
                  uint8_t *scratch)
{
    memcpy(guest_mem + CODE_BASE, seq->bytes, seq->len + 4);
    memcpy(guest_mem + SCRATCH_BASE, initial_scratch, SCRATCH_SIZE);
    exec_invalidate(vm_cpu, CODE_BASE, CODE_BASE + CODE_BYTES);
    struct rv64_cpu *r = (struct rv64_cpu *)vm_cpu;
    memcpy(r->x, in->x, sizeof(r->x));
    memcpy(r->f, in->f, sizeof(r->f));
    r->fflags = in->fflags;
    r->frm = in->frm;
    r->res_addr = ~0ull;
    vm_cpu->pc = CODE_BASE;
    vm_cpu->exit_reason = CPU_EXIT_NONE;
    /* The ecall exits with pc past it. */
    if (exec_run(vm_cpu) != CPU_EXIT_EXCEPTION || vm_cpu->exc != EXC_SYSCALL ||
        vm_cpu->pc != CODE_BASE + seq->len + 4)
        return -1;
    memcpy(out->x, r->x, sizeof(out->x));
    memcpy(out->f, r->f, sizeof(out->f));
    out->fflags = r->fflags;
    out->frm = r->frm;
    memcpy(scratch, guest_mem + SCRATCH_BASE, SCRATCH_SIZE);
    return 0;
}

/* ---- Unicorn ---- */

static uc_engine *uc;

/* Unicorn 2.0.1 is QEMU 5.0, from before RISC-V's NaN-boxing rules were implemented there:
 * it neither boxes single-precision results nor reads an improperly boxed input as the
 * canonical NaN, and its fmin/fmax follow the F extension before 2.2 (a signalling NaN input
 * gives the canonical NaN). The sequence runs one instruction at a time so that these can be
 * put right around each instruction: inputs are boxed-checked before, results boxed after.
 * Where QEMU 5.0 is wrong in other ways (unicorn_differs) the sequence is skipped, as it is
 * for an SC of another width than its LR, which the ISA leaves to the implementation. */
static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

static bool writes_single(const struct rv64_insn_def *d)
{
    const char *name = d->name;
    return (d->fregs & RV_RD_F) &&
           (strncmp(name, "fcvt.s.", 7) == 0 || strcmp(name, "flw") == 0 ||
            strcmp(name, "fmv.w.x") == 0 || (has_suffix(name, ".s") && strcmp(name, "fcvt.d.s") != 0));
}

enum fp_kind { FP_ZERO, FP_INF, FP_QNAN, FP_SNAN, FP_OTHER };

/* What an f register holds as an input of instruction d (single or double precision). */
static enum fp_kind fp_kind_of(const struct rv64_insn_def *d, uint64_t v)
{
    uint64_t exp_mask = 0x7ff0000000000000ull, mant = v & 0xfffffffffffffull, quiet = 1ull << 51;
    if (has_suffix(d->name, ".s")) {
        if ((v >> 32) != 0xffffffffu)
            return FP_QNAN;   /* improperly boxed: the canonical NaN */
        exp_mask = 0x7f800000u;
        mant = v & 0x7fffffu;
        quiet = 1u << 22;
        v = (uint32_t)v;
    }
    if ((v & exp_mask) == 0 && mant == 0)
        return FP_ZERO;
    if ((v & exp_mask) != exp_mask)
        return FP_OTHER;
    if (mant == 0)
        return FP_INF;
    return mant & quiet ? FP_QNAN : FP_SNAN;
}

/* Whether Unicorn's result for d with these inputs is not to be trusted: fmin/fmax with a
 * signalling NaN, and a fused multiply-add of infinity by zero plus a quiet NaN (the ISA
 * requires the invalid flag, QEMU 5.0 leaves it clear). */
static bool unicorn_differs(const struct rv64_insn_def *d, const uint64_t in[3])
{
    const char *name = d->name;
    if (strncmp(name, "fmin", 4) == 0 || strncmp(name, "fmax", 4) == 0)
        return fp_kind_of(d, in[0]) == FP_SNAN || fp_kind_of(d, in[1]) == FP_SNAN;
    if (d->fmt == RV_FMT_R4) {
        enum fp_kind a = fp_kind_of(d, in[0]), b = fp_kind_of(d, in[1]);
        return fp_kind_of(d, in[2]) == FP_QNAN &&
               ((a == FP_INF && b == FP_ZERO) || (a == FP_ZERO && b == FP_INF));
    }
    return false;
}

enum { UC_OK, UC_FAULT, UC_QUIRK };

static unsigned reserved_width;   /* of the last LR in this sequence, 0 if none */

static int step_unicorn(const struct sequence *seq, uint64_t pc)
{
    uint32_t w = 0;
    memcpy(&w, seq->bytes + (pc - CODE_BASE), 4);
    if ((w & 3) != 3 && rv64_expand_compressed((uint16_t)w, &w) < 0)
        w = 0;
    struct rv64_insn in;
    const struct rv64_insn_def *d = rv64_decode(w, &in) == 0 ? in.def : NULL;
    static const uint8_t rs_flag[3] = { RV_RS1_F, RV_RS2_F, RV_RS3_F };
    const uint8_t rs[3] = { in.rs1, in.rs2, in.rs3 };
    if (d && (d->trans == trans_lr || d->trans == trans_sc)) {
        unsigned width = (w >> 12) & 7;
        if (d->trans == trans_sc && reserved_width && reserved_width != width)
            return UC_QUIRK;
        reserved_width = d->trans == trans_lr ? width : 0;
    }
    uint64_t saved[3] = { 0, 0, 0 };
    bool replaced[3] = { false, false, false };
    bool single_in = d && has_suffix(d->name, ".s");
    for (int i = 0; d && i < 3; i++)
        if (d->fregs & rs_flag[i])
            uc_reg_read(uc, UC_RISCV_REG_F0 + rs[i], &saved[i]);
    if (d && unicorn_differs(d, saved))
        return UC_QUIRK;
    for (int i = 0; d && i < 3; i++) {
        if (single_in && (d->fregs & rs_flag[i]) && (saved[i] >> 32) != 0xffffffffu) {
            uc_reg_write(uc, UC_RISCV_REG_F0 + rs[i], &(uint64_t){ 0xffffffff7fc00000ull });
            replaced[i] = true;
        }
    }
    if (uc_emu_start(uc, pc, CODE_BASE + seq->len, 0, 1) != UC_ERR_OK)
        return UC_FAULT;
    for (int i = 0; i < 3; i++)
        if (replaced[i] && !((d->fregs & RV_RD_F) && in.rd == rs[i]))
            uc_reg_write(uc, UC_RISCV_REG_F0 + rs[i], &saved[i]);
    if (d && writes_single(d)) {
        uint64_t v;
        uc_reg_read(uc, UC_RISCV_REG_F0 + in.rd, &v);
        v |= 0xffffffff00000000ull;
        uc_reg_write(uc, UC_RISCV_REG_F0 + in.rd, &v);
    }
    return UC_OK;
}

/* Returns UC_OK, UC_FAULT or UC_QUIRK (the result cannot be trusted). */
static int run_unicorn(const struct sequence *seq, const struct state *in, struct state *out,
                       uint8_t *scratch)
{
    uc_mem_write(uc, CODE_BASE, seq->bytes, seq->len + 4);
    uc_ctl_remove_cache(uc, CODE_BASE, CODE_BASE + CODE_BYTES);
    uc_mem_write(uc, SCRATCH_BASE, initial_scratch, SCRATCH_SIZE);
    for (int i = 1; i < 32; i++)
        uc_reg_write(uc, UC_RISCV_REG_X0 + i, &in->x[i]);
    for (int i = 0; i < 32; i++)
        uc_reg_write(uc, UC_RISCV_REG_F0 + i, &in->f[i]);
    uc_reg_write(uc, UC_RISCV_REG_FFLAGS, &in->fflags);
    uc_reg_write(uc, UC_RISCV_REG_FRM, &in->frm);
    uint64_t pc = CODE_BASE;
    reserved_width = 0;
    for (unsigned steps = 0; pc != CODE_BASE + seq->len; steps++) {
        if (steps > MAX_INSNS + 1 || pc < CODE_BASE || pc > CODE_BASE + seq->len)
            return UC_FAULT;
        int r = step_unicorn(seq, pc);
        if (r != UC_OK)
            return r;
        uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    }
    out->x[0] = 0;
    for (int i = 1; i < 32; i++)
        uc_reg_read(uc, UC_RISCV_REG_X0 + i, &out->x[i]);
    for (int i = 0; i < 32; i++)
        uc_reg_read(uc, UC_RISCV_REG_F0 + i, &out->f[i]);
    uc_reg_read(uc, UC_RISCV_REG_FFLAGS, &out->fflags);
    uc_reg_read(uc, UC_RISCV_REG_FRM, &out->frm);
    uc_mem_read(uc, SCRATCH_BASE, scratch, SCRATCH_SIZE);
    return UC_OK;
}

/* ---- comparison ---- */

static void print_sequence(const struct sequence *s)
{
    for (unsigned i = 0; i < s->n; i++) {
        char text[128];
        unsigned at = s->offset[i], len = s->offset[i + 1] - at;
        rv64_disas(CODE_BASE + at, s->bytes + at, len, text, sizeof(text));
        uint32_t w = 0;
        memcpy(&w, s->bytes + at, len);
        printf("    %0*x  %s\n", len * 2, w, text);
    }
}

static void print_state(const char *what, const struct state *s)
{
    printf("    %s fflags %02" PRIx64 " frm %" PRIu64 ":", what, s->fflags, s->frm);
    for (unsigned i = 1; i < 32; i++)
        printf(" x%u=%" PRIx64, i, s->x[i]);
    printf("\n");
}

static void print_differences(const struct state *v, const struct state *u, const uint8_t *vm_mem,
                              const uint8_t *uc_mem)
{
    unsigned shown = 0;
    for (unsigned i = 0; i < 32; i++)
        if (v->x[i] != u->x[i] && shown++ < 4)
            printf("    x%u: vm %016" PRIx64 " unicorn %016" PRIx64 "\n", i, v->x[i], u->x[i]);
    for (unsigned i = 0; i < 32; i++)
        if (v->f[i] != u->f[i] && shown++ < 6)
            printf("    f%u: vm %016" PRIx64 " unicorn %016" PRIx64 "\n", i, v->f[i], u->f[i]);
    if (v->fflags != u->fflags)
        printf("    fflags: vm %02" PRIx64 " unicorn %02" PRIx64 "\n", v->fflags, u->fflags);
    if (v->frm != u->frm)
        printf("    frm: vm %" PRIu64 " unicorn %" PRIu64 "\n", v->frm, u->frm);
    for (unsigned i = 0; i < SCRATCH_SIZE; i++)
        if (vm_mem[i] != uc_mem[i]) {
            printf("    mem 0x%x: vm %02x unicorn %02x\n", SCRATCH_BASE + i, vm_mem[i], uc_mem[i]);
            break;
        }
}

/* The one instruction of RV64_DIFF_INSN after the prefix. */
static void given_sequence(struct sequence *s, uint32_t w)
{
    put32(s, 0, SC_CLEAR);
    s->offset[0] = 4;
    s->len = (w & 3) == 3 ? 8 : 6;
    memcpy(s->bytes + 4, &w, s->len - 4);
    s->offset[1] = s->len;
    put32(s, s->len, ECALL);
    s->n = 1;
}

int main(void)
{
    uint64_t seed = env_number("RV64_DIFF_SEED", 1), count = env_number("RV64_DIFF_SEQUENCES", 2000);
    rnd_seed(seed);
    for (size_t i = 0; i < rv64_n_insns; i++)
        if (is_candidate(&rv64_insns[i]) && n_candidates < 512)
            candidates[n_candidates++] = &rv64_insns[i];

    vm_cpu = cpu_new(guest_by_name("riscv64"), engine_by_name("interp"));
    static struct aspace flat;
    aspace_flat_init(&flat, guest_mem, MEM_SIZE);
    vm_cpu->as = &flat;
    vm_cpu->fetch_code = fetch_code;

    uint64_t mstatus_fs = 3u << 13; /* the FPU on (Unicorn runs in machine mode) */
    if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK ||
        uc_mem_map(uc, 0, MEM_SIZE, UC_PROT_ALL) != UC_ERR_OK ||
        uc_reg_write(uc, UC_RISCV_REG_MSTATUS, &mstatus_fs) != UC_ERR_OK) {
        printf("FAIL diff/riscv64: cannot start Unicorn\n");
        return 1;
    }

    static uint8_t vm_mem[SCRATCH_SIZE], uc_mem[SCRATCH_SIZE];
    uint64_t failed = 0, skipped = 0, quirks = 0;
    for (uint64_t i = 0; i < count; i++) {
        struct sequence seq;
        random_sequence(&seq, 1 + (unsigned)(rnd() % MAX_INSNS));
        if (getenv("RV64_DIFF_INSN"))
            given_sequence(&seq, (uint32_t)env_number("RV64_DIFF_INSN", 0));
        for (unsigned j = 0; j < SCRATCH_SIZE; j += 8) {
            uint64_t r = j % 64 == 0 ? interesting_fp() : rnd();
            memcpy(initial_scratch + j, &r, 8);
        }
        struct state in, vm_out, uc_out;
        random_state(&in);
        int vr = run_vm(&seq, &in, &vm_out, vm_mem);
        int ur = run_unicorn(&seq, &in, &uc_out, uc_mem);
        if (ur == UC_QUIRK) {
            quirks++;
            continue;
        }
        if (vr < 0 || ur == UC_FAULT) {
            if ((vr < 0) != (ur == UC_FAULT) && failed++ < 20) {
                printf("FAIL diff/riscv64 seed %" PRIu64 " sequence %" PRIu64 ": %s faults, %s does not\n",
                       seed, i, vr < 0 ? "vm" : "unicorn", vr < 0 ? "unicorn" : "vm");
                print_sequence(&seq);
                print_state("in", &in);
            } else if (vr < 0) {
                skipped++;
            }
            continue;
        }
        if (memcmp(&vm_out, &uc_out, sizeof(vm_out)) == 0 && memcmp(vm_mem, uc_mem, SCRATCH_SIZE) == 0)
            continue;
        if (failed++ < 20) {
            printf("FAIL diff/riscv64 seed %" PRIu64 " sequence %" PRIu64 ":\n", seed, i);
            print_sequence(&seq);
            print_state("in", &in);
            print_differences(&vm_out, &uc_out, vm_mem, uc_mem);
        }
    }
    printf("%s diff/riscv64: seed %" PRIu64 ", %" PRIu64 " sequences, %" PRIu64 " differ, %" PRIu64
           " skipped (both fault), %" PRIu64
           " skipped (Unicorn's fmin/fmax/fma NaN rules, SC width), %u encodings\n",
           failed ? "FAIL" : "PASS", seed, count, failed, skipped, quirks, n_candidates);
    uc_close(uc);
    return failed ? 1 : 0;
}
