/* Differential test of the AArch64 translator: random A64 instruction sequences, drawn from
 * the rows of the decode table (integer data processing, flags, conditional select and
 * compare, bitfields, multiply/divide, loads/stores of every addressing mode, LSE atomics,
 * conditional branches (some sequences end in a compare and a b.cond over an add),
 * Advanced SIMD with its structure loads and stores) and from whole Advanced SIMD encoding groups of the
 * Arm ARM (so an encoding vm lacks shows up as "vm faults, unicorn does not"), run on
 * vm's translator + interpreter and on Unicorn from the same registers and memory; every X
 * and V register, SP, NZCV, FPSR (with QC) and the scratch memory must agree.
 *
 * Environment: A64_DIFF_SEED (default 1), A64_DIFF_SEQUENCES (default 2000); A64_DIFF_INSN
 * (an encoding) runs that one instruction instead, to reproduce a failure.
 * Output: one FAIL line per differing sequence (at most 20, each with its disassembly and
 * the first differences), then "PASS diff/aarch64 ..." or "FAIL diff/aarch64 ...". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "core/cpu.h"
#include "core/registry.h"
#include "diff_util.h"
#include "exec/exec.h"
#include "guest/aarch64/cpu.h"
#include "guest/aarch64/decode.h"
#include "guest/aarch64/translate.h"
#include "mem/aspace.h"

#define MEM_SIZE 0x40000u
#define CODE_BASE 0x1000u
#define SCRATCH_BASE 0x10000u
#define SCRATCH_SIZE 0x10000u
#define BASE_REG 28     /* memory base: points into the scratch area, never written */
#define INDEX_REG 27    /* register-offset index: small, never written */
#define BASE_VALUE 0x18000u
#define MAX_INSNS 6

static uint8_t guest_mem[MEM_SIZE];
static uint8_t initial_scratch[SCRATCH_SIZE];

/* ---- which rows the generator draws from ---- */

static bool is_memory(a64_trans_fn *t)
{
    return t == trans_ldst_uimm || t == trans_ldst_simm || t == trans_ldst_post ||
           t == trans_ldst_pre || t == trans_ldst_reg || t == trans_ldstp_off ||
           t == trans_ldstp_post || t == trans_ldstp_pre || t == trans_ld_atomic ||
           t == trans_cas || t == trans_casp;
}

static bool is_simd(a64_trans_fn *t)
{
    return t == trans_simd_movi || t == trans_simd_logic || t == trans_simd_3same ||
           t == trans_simd_2misc || t == trans_simd_across || t == trans_simd_dup_elem ||
           t == trans_simd_dup_gen || t == trans_simd_mov_to_gen || t == trans_simd_ins_gen ||
           t == trans_simd_ins_elem || t == trans_simd_tbl || t == trans_simd_permute ||
           t == trans_simd_shift || t == trans_simd_3diff || t == trans_simd_elem ||
           t == trans_simd_ldst;
}

static bool is_candidate(const struct a64_insn_def *d)
{
    a64_trans_fn *t = d->trans;
    return is_memory(t) || is_simd(t) || t == trans_adr || t == trans_addsub_imm || t == trans_logic_imm ||
           t == trans_movw || t == trans_bitfield || t == trans_extr || t == trans_logic_reg ||
           t == trans_addsub_shift || t == trans_addsub_ext || t == trans_addsub_carry ||
           t == trans_ccmp || t == trans_csel || t == trans_div || t == trans_shift_reg ||
           t == trans_crc32 || t == trans_rbit || t == trans_rev || t == trans_clz ||
           t == trans_madd || t == trans_maddl || t == trans_mulh;
}

static const struct a64_insn_def *candidates[1024];
static unsigned n_candidates;

/* Pins the register fields that must stay valid (base, index) and rejects encodings whose
 * destination is a pinned register or SP, which would derail later accesses. */
static bool fix_fields(const struct a64_insn_def *d, uint32_t *w)
{
    unsigned rd = *w & 31, ra = (*w >> 10) & 31, rs = (*w >> 16) & 31;
    bool atomic = d->trans == trans_ld_atomic || d->trans == trans_cas || d->trans == trans_casp;
    bool fp = (d->arg & A64_LS_FP) && is_memory(d->trans) && !atomic;
    if (is_memory(d->trans)) {
        *w = (*w & ~(31u << 5)) | BASE_REG << 5;
        if (d->trans == trans_ldst_reg)
            *w = (*w & ~(31u << 16)) | INDEX_REG << 16;
        bool pair = d->trans == trans_ldstp_off || d->trans == trans_ldstp_post ||
                    d->trans == trans_ldstp_pre;
        if (!fp && (rd == BASE_REG || rd == INDEX_REG))
            return false;
        if (pair && !fp && (ra == BASE_REG || ra == INDEX_REG || ra == rd))
            return false;
        if (atomic && (rs == BASE_REG || rs == INDEX_REG || rs == 31))
            return false;
        if (d->trans == trans_casp && (rs + 1 == BASE_REG || rs + 1 == INDEX_REG))
            return false;
        /* Unicorn 2.0.1 (QEMU 5.0) neither truncates nor sign-extends the operands of
         * LD{S,U}{MAX,MIN} narrower than 64 bits; qemu-aarch64 7.2 and vm agree on them
         * (tests/guest-aarch64/atomics.c covers them). */
        unsigned kind = d->arg & 0xff;
        bool minmax = d->trans == trans_ld_atomic && kind >= IR_RMW_SMIN && kind <= IR_RMW_UMAX;
        if (minmax && (*w >> 30) < 3)
            return false;
        return true;
    }
    if (d->trans == trans_simd_ldst) { /* the base, and a post-index register, stay valid */
        *w = (*w & ~(31u << 5)) | BASE_REG << 5;
        if ((d->arg & A64_SIMD_POST) && ((*w >> 16) & 31) != 31)
            *w = (*w & ~(31u << 16)) | INDEX_REG << 16;
        return true;
    }
    if (is_simd(d->trans) && d->trans != trans_simd_mov_to_gen)
        return true; /* writes V registers only */
    return rd != BASE_REG && rd != INDEX_REG && rd != 31;
}

/* The Advanced SIMD data-processing groups of the Arm ARM's A64 encoding index, whole: any
 * word in them is an instruction of Armv8.0 (which vm must run as Unicorn does) or
 * unallocated (both must fault), once the later extensions that Unicorn's "max" CPU has and
 * vm does not advertise are left out (beyond_v8_0). */
struct group {
    uint32_t mask, match;
    const char *name;
};
static const struct group simd_groups[] = {
    { 0xdfe08400, 0x5e000400, "scalar copy" },
    { 0xdf3e0c00, 0x5e200800, "scalar two-register miscellaneous" },
    { 0xdf3e0c00, 0x5e300800, "scalar pairwise" },
    { 0xdf200c00, 0x5e200000, "scalar three different" },
    { 0xdf200400, 0x5e200400, "scalar three same" },
    { 0xdf800400, 0x5f000400, "scalar shift by immediate" },
    { 0xdf000400, 0x5f000000, "scalar x indexed element" },
    { 0xbf208c00, 0x0e000000, "table lookup" },
    { 0xbf208c00, 0x0e000800, "permute" },
    { 0xbf208400, 0x2e000000, "extract" },
    { 0x9fe08400, 0x0e000400, "copy" },
    { 0x9f3e0c00, 0x0e200800, "two-register miscellaneous" },
    { 0x9f3e0c00, 0x0e300800, "across lanes" },
    { 0x9f200c00, 0x0e200000, "three different" },
    { 0x9f200400, 0x0e200400, "three same" },
    { 0x9f800400, 0x0f000400, "shift by immediate, modified immediate" },
    { 0x9f000400, 0x0f000000, "vector x indexed element" },
};

/* Whether w, from one of those groups or a decode table row, belongs to an extension after
 * Armv8.0 (FP16, RDM, DotProd, FHM, FCMA, BF16, FRINTTS, PMULL of Crypto) rather than being
 * Armv8.0's or unallocated. Scalar and vector forms share the tests (bit 28 is free). */
static bool beyond_v8_0(uint32_t w)
{
    unsigned u = (w >> 29) & 1, size = (w >> 22) & 3, opcode = (w >> 12) & 15;
    unsigned immh = (w >> 19) & 15, shift_op = (w >> 11) & 31, op5 = (w >> 12) & 31;
    unsigned sz = (w >> 22) & 1, fp_op = (w >> 11) & 31;
    if ((w & 0x8f000400) == 0x0f000000) /* by element */
        return (size == 0 && (opcode & 3) == 1) ||               /* FP16 FMLA, FMLS, FMUL(X) */
               (u && (opcode == 13 || opcode == 15)) ||          /* SQRDMLAH, SQRDMLSH */
               opcode == 14 || opcode == 15 ||                   /* SDOT/UDOT, BF16, USDOT */
               (!u && (opcode == 0 || opcode == 4)) ||           /* FMLAL, FMLSL */
               (u && (opcode == 8 || opcode == 12)) ||           /* FMLAL2, FMLSL2 */
               (u && opcode < 8 && (opcode & 1));                /* FCMLA */
    if ((w & 0x9ff80c00) == 0x0f000c00) /* modified immediate, o2 = 1: FP16 FMOV */
        return true;
    if ((w & 0x8f800400) == 0x0f000400) /* fixed-point FP16 conversions */
        return (immh >> 1) == 1 && (shift_op == 28 || shift_op == 31);
    if ((w & 0x8f3e0c00) == 0x0e300800) /* FP16 pairwise and across lanes */
        return !u && op5 >= 12 && op5 <= 15;
    if ((w & 0x8f3e0c00) == 0x0e200800) /* FRINT32/64 (a = 0), BFCVTN */
        return (op5 >= 30 && !(size & 2)) || (!u && size == 2 && op5 == 22);
    if ((w & 0x8f200400) == 0x0e200400) /* FMLAL, FMLSL (sz = 0), FMLAL2, FMLSL2 */
        return !sz && ((!u && fp_op == 29) || (u && fp_op == 25));
    if ((w & 0x8f200c00) == 0x0e200000) /* PMULL of 64-bit elements */
        return !u && size == 3 && opcode == 14;
    return false;
}

static uint32_t random_group_insn(void)
{
    for (;;) {
        const struct group *g = &simd_groups[rnd() % (sizeof(simd_groups) / sizeof(simd_groups[0]))];
        uint32_t w = g->match | ((uint32_t)rnd() & ~g->mask);
        if (!beyond_v8_0(w))
            return w;
    }
}

static uint32_t random_insn(void)
{
    for (;;) {
        const struct a64_insn_def *d = candidates[rnd() % n_candidates];
        uint32_t w = d->match | ((uint32_t)rnd() & ~d->mask);
        struct a64_insn in;
        if (!fix_fields(d, &w) || a64_decode(w, &in) < 0 || in.def != d || beyond_v8_0(w))
            continue;
        return w;
    }
}

/* ---- state ---- */

struct state {
    uint64_t x[31], sp, nzcv; /* nzcv as bits 31:28 */
    uint64_t v[32][2], fpsr;
    uint64_t fpcr; /* input only */
};

static void random_state(struct state *s)
{
    for (unsigned i = 0; i < 31; i++)
        s->x[i] = interesting_value();
    s->x[BASE_REG] = BASE_VALUE;
    s->x[INDEX_REG] = rnd() & 0xff;
    s->sp = BASE_VALUE - 0x1000;
    s->nzcv = (rnd() & 15) << 28;
    for (unsigned i = 0; i < 32; i++)
        for (unsigned h = 0; h < 2; h++)
            s->v[i][h] = rnd() % 8 ? rnd() : interesting_value();
    s->fpsr = 0;
    /* RMode, FZ and DN now and then */
    s->fpcr = rnd() % 4 ? 0 : rnd() & (FPCR_DN | FPCR_FZ | 3u << FPCR_RMODE_SHIFT);
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

/* Returns 0, or -1 if the sequence faulted (the caller skips it). */
static int run_vm(const uint32_t *code, unsigned n, const struct state *in, struct state *out,
                  uint8_t *scratch)
{
    memcpy(guest_mem + CODE_BASE, code, 4 * n);
    memcpy(guest_mem + SCRATCH_BASE, initial_scratch, SCRATCH_SIZE);
    exec_invalidate(vm_cpu, CODE_BASE, CODE_BASE + 4 * (MAX_INSNS + 1));
    struct a64_cpu *a = (struct a64_cpu *)vm_cpu;
    memset(a->x, 0, sizeof(a->x));
    memset(a->v, 0, sizeof(a->v));
    memcpy(a->x, in->x, sizeof(in->x));
    a->x[31] = in->sp;
    a64_set_nzcv(a, (uint32_t)in->nzcv);
    memcpy(a->v, in->v, sizeof(a->v));
    a->fpcr = (uint32_t)in->fpcr;
    a->fpsr = (uint32_t)in->fpsr;
    a->excl_addr = ~0ull;
    vm_cpu->pc = CODE_BASE;
    vm_cpu->exit_reason = CPU_EXIT_NONE;
    if (exec_run(vm_cpu) != CPU_EXIT_EXCEPTION || vm_cpu->exc != EXC_SYSCALL || vm_cpu->pc != CODE_BASE + 4 * n)
        return -1;
    memcpy(out->x, a->x, sizeof(out->x));
    out->sp = a->x[31];
    out->nzcv = a64_nzcv(a);
    memcpy(out->v, a->v, sizeof(out->v));
    out->fpsr = a->fpsr;
    out->fpcr = in->fpcr;
    memcpy(scratch, guest_mem + SCRATCH_BASE, SCRATCH_SIZE);
    return 0;
}

/* ---- Unicorn ---- */

static uc_engine *uc;

static int run_unicorn(const uint32_t *code, unsigned n, const struct state *in, struct state *out,
                       uint8_t *scratch)
{
    uint32_t buf[MAX_INSNS + 1];
    memcpy(buf, code, 4 * n);
    buf[n] = 0xd4000001; /* svc #0: vm's end marker; Unicorn stops before it */
    uc_mem_write(uc, CODE_BASE, buf, 4 * (n + 1));
    uc_ctl_remove_cache(uc, CODE_BASE, CODE_BASE + 4 * (MAX_INSNS + 1));
    uc_mem_write(uc, SCRATCH_BASE, initial_scratch, SCRATCH_SIZE);
    for (int i = 0; i < 29; i++)
        uc_reg_write(uc, UC_ARM64_REG_X0 + i, &in->x[i]);
    uc_reg_write(uc, UC_ARM64_REG_X29, &in->x[29]);
    uc_reg_write(uc, UC_ARM64_REG_X30, &in->x[30]);
    uc_reg_write(uc, UC_ARM64_REG_SP, &in->sp);
    uc_reg_write(uc, UC_ARM64_REG_NZCV, &in->nzcv);
    for (int i = 0; i < 32; i++)
        uc_reg_write(uc, UC_ARM64_REG_Q0 + i, in->v[i]); /* Q registers as {low, high} */
    uc_reg_write(uc, UC_ARM64_REG_FPCR, &(uint32_t){ (uint32_t)in->fpcr });
    uc_reg_write(uc, UC_ARM64_REG_FPSR, &(uint32_t){ (uint32_t)in->fpsr });
    if (uc_emu_start(uc, CODE_BASE, CODE_BASE + 4 * n, 0, 0) != UC_ERR_OK)
        return -1;
    for (int i = 0; i < 29; i++)
        uc_reg_read(uc, UC_ARM64_REG_X0 + i, &out->x[i]);
    uc_reg_read(uc, UC_ARM64_REG_X29, &out->x[29]);
    uc_reg_read(uc, UC_ARM64_REG_X30, &out->x[30]);
    uc_reg_read(uc, UC_ARM64_REG_SP, &out->sp);
    uc_reg_read(uc, UC_ARM64_REG_NZCV, &out->nzcv);
    out->nzcv &= 0xf0000000u;
    for (int i = 0; i < 32; i++)
        uc_reg_read(uc, UC_ARM64_REG_Q0 + i, out->v[i]);
    uint32_t fpsr = 0; /* Unicorn reads it as 32 bits */
    uc_reg_read(uc, UC_ARM64_REG_FPSR, &fpsr);
    out->fpsr = fpsr;
    out->fpcr = in->fpcr;
    uc_mem_read(uc, SCRATCH_BASE, scratch, SCRATCH_SIZE);
    return 0;
}

/* ---- comparison ---- */

static void print_sequence(const uint32_t *code, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        char text[128];
        a64_disas(CODE_BASE + 4 * i, (const uint8_t *)&code[i], 4, text, sizeof(text));
        printf("    %08x  %s\n", code[i], text);
    }
}

static unsigned print_differences(const struct state *v, const struct state *u,
                                  const uint8_t *vm_mem, const uint8_t *uc_mem)
{
    unsigned shown = 0;
    for (unsigned i = 0; i < 31; i++)
        if (v->x[i] != u->x[i] && shown++ < 4)
            printf("    x%u: vm %016" PRIx64 " unicorn %016" PRIx64 "\n", i, v->x[i], u->x[i]);
    if (v->sp != u->sp && shown++ < 5)
        printf("    sp: vm %016" PRIx64 " unicorn %016" PRIx64 "\n", v->sp, u->sp);
    if (v->nzcv != u->nzcv && shown++ < 6)
        printf("    nzcv: vm %" PRIx64 " unicorn %" PRIx64 "\n", v->nzcv >> 28, u->nzcv >> 28);
    for (unsigned i = 0; i < 32; i++)
        if ((v->v[i][0] != u->v[i][0] || v->v[i][1] != u->v[i][1]) && shown++ < 6)
            printf("    v%u: vm %016" PRIx64 "_%016" PRIx64 " unicorn %016" PRIx64 "_%016" PRIx64 "\n",
                   i, v->v[i][1], v->v[i][0], u->v[i][1], u->v[i][0]);
    if (v->fpsr != u->fpsr && shown++ < 7)
        printf("    fpsr: vm %08" PRIx64 " unicorn %08" PRIx64 "\n", v->fpsr, u->fpsr);
    for (unsigned i = 0; i < SCRATCH_SIZE; i++)
        if (vm_mem[i] != uc_mem[i]) {
            if (shown++ < 7)
                printf("    mem 0x%x: vm %02x unicorn %02x\n", SCRATCH_BASE + i, vm_mem[i], uc_mem[i]);
            break;
        }
    return shown;
}

int main(void)
{
    uint64_t seed = env_number("A64_DIFF_SEED", 1), count = env_number("A64_DIFF_SEQUENCES", 2000);
    rnd_seed(seed);
    for (size_t i = 0; i < a64_n_insns; i++)
        if (is_candidate(&a64_insns[i]) && n_candidates < 1024)
            candidates[n_candidates++] = &a64_insns[i];

    vm_cpu = cpu_new(guest_by_name("aarch64"), engine_by_name("interp"));
    static struct aspace flat;
    aspace_flat_init(&flat, guest_mem, MEM_SIZE);
    vm_cpu->as = &flat;
    vm_cpu->fetch_code = fetch_code;
    ((uint32_t *)(guest_mem + CODE_BASE))[MAX_INSNS] = 0;

    if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK ||
        uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_MAX) != UC_ERR_OK ||
        uc_mem_map(uc, 0, MEM_SIZE, UC_PROT_ALL) != UC_ERR_OK ||
        uc_reg_write(uc, UC_ARM64_REG_CPACR_EL1, &(uint64_t){ 3u << 20 }) != UC_ERR_OK) {
        printf("FAIL diff/aarch64: cannot start Unicorn\n");
        return 1;
    }

    static uint8_t vm_mem[SCRATCH_SIZE], uc_mem[SCRATCH_SIZE];
    uint64_t failed = 0, skipped = 0;
    for (uint64_t s = 0; s < count; s++) {
        uint32_t code[MAX_INSNS + 1];
        unsigned n = 1 + (unsigned)(rnd() % MAX_INSNS);
        for (unsigned i = 0; i < n; i++)
            code[i] = random_insn();
        if (s % 4 == 3) { /* most words of a group are unallocated: one at a time */
            n = 1;
            code[0] = random_group_insn();
        }
        if (s % 4 == 1 && n >= 3) { /* a compare, then b.cond over an add */
            /* cmp, cmn, tst (W or X) of x0..x3, equal a quarter of the time, or cmp #0..3 */
            static const uint32_t setter[4] = { 0x6b00001fu, 0x2b00001fu, 0x6a00001fu, 0x7100001fu };
            uint32_t k = (uint32_t)(rnd() % 4), rm = (uint32_t)(rnd() % 4);
            code[n - 3] = setter[k] | (uint32_t)(rnd() % 2) << 31 | (uint32_t)(rnd() % 4) << 5 |
                          (k == 3 ? rm << 10 : rm << 16);
            code[n - 2] = 0x54000040u | (uint32_t)(rnd() % 16);   /* b.cond .+8 */
            code[n - 1] = 0x91000400u;                           /* add x0, x0, #1 */
        }
        if (getenv("A64_DIFF_INSN")) { /* reproduce one instruction from random states */
            n = 1;
            code[0] = (uint32_t)env_number("A64_DIFF_INSN", 0);
        }
        code[n] = 0xd4000001; /* svc #0 ends the run on vm */
        for (unsigned i = 0; i < SCRATCH_SIZE; i += 8) {
            uint64_t r = rnd();
            memcpy(initial_scratch + i, &r, 8);
        }
        struct state in, vm_out, uc_out;
        random_state(&in);
        int vr = run_vm(code, n + 1, &in, &vm_out, vm_mem);
        int ur = run_unicorn(code, n, &in, &uc_out, uc_mem);
        if (vr < 0 || ur < 0) {
            if (vr != ur && failed++ < 20) {
                printf("FAIL diff/aarch64 seed %" PRIu64 " sequence %" PRIu64 ": %s faults, %s does not\n",
                       seed, s, vr < 0 ? "vm" : "unicorn", vr < 0 ? "unicorn" : "vm");
                print_sequence(code, n);
            } else if (vr == ur) {
                skipped++;
            }
            continue;
        }
        if (memcmp(&vm_out, &uc_out, sizeof(vm_out)) == 0 &&
            memcmp(vm_mem, uc_mem, SCRATCH_SIZE) == 0)
            continue;
        if (failed++ < 20) {
            printf("FAIL diff/aarch64 seed %" PRIu64 " sequence %" PRIu64 ":\n", seed, s);
            print_sequence(code, n);
            print_differences(&vm_out, &uc_out, vm_mem, uc_mem);
        }
    }
    printf("%s diff/aarch64: seed %" PRIu64 ", %" PRIu64 " sequences, %" PRIu64 " differ, %" PRIu64
           " skipped (both fault), %u encodings\n",
           failed ? "FAIL" : "PASS", seed, count, failed, skipped, n_candidates);
    uc_close(uc);
    return failed ? 1 : 0;
}
