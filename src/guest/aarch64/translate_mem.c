/* A64 loads and stores to IR: single registers in every addressing mode (unsigned offset,
 * unscaled, pre/post-index, register offset, literal), pairs, exclusives, acquire/release and
 * the LSE atomics. Plain accesses may be misaligned, as on Linux/arm64. STXR is a helper: it
 * checks the monitor and compare-and-swaps against the value LDXR read, so a store of the same
 * value in between is not noticed (as in QEMU). The IR atomics are sequentially consistent,
 * which covers every acquire/release variant. */
#include "guest/aarch64/translate.h"

#include <pthread.h>
#include <string.h>

#include "guest/aarch64/cpu.h"
#include "ir/raise.h"
#include "mem/aspace.h"

static unsigned size_log2(int arg)
{
    return (unsigned)arg & A64_LS_SIZE;
}

/* Loads or stores Rt (an X or a V register, as arg says) at addr + off. */
static void access_one(struct a64_ctx *ctx, int arg, unsigned rt, ir_temp addr, int64_t off)
{
    struct ir_block *b = ctx->b;
    unsigned s = size_log2(arg);
    if (arg & A64_LS_PRFM)
        return;
    if (arg & A64_LS_FP) {
        if (arg & A64_LS_STORE) {
            ir_st(b, s == 4 ? IR_MO_64 : s, addr, off, a64_get_v(ctx, rt, 0));
            if (s == 4)
                ir_st(b, IR_MO_64, addr, off + 8, a64_get_v(ctx, rt, 1));
        } else if (s == 4) {
            ir_temp lo = ir_ld(b, IR_I64, IR_MO_64, addr, off);
            ir_temp hi = ir_ld(b, IR_I64, IR_MO_64, addr, off + 8);
            a64_put_v(ctx, rt, 0, lo);
            a64_put_v(ctx, rt, 1, hi);
        } else {
            a64_put_v64(ctx, rt, ir_ld(b, IR_I64, s, addr, off));
        }
        return;
    }
    if (arg & A64_LS_STORE) {
        ir_st(b, s, addr, off, a64_get_x(ctx, rt));
        return;
    }
    /* LDRSB/LDRSH to a W register: an i32 load sign-extends to 32 bits and no further, one
     * host movsx r32 where a 64-bit one and a zero-extension were */
    ir_temp v = ir_ld(b, (arg & A64_LS_W) ? IR_I32 : IR_I64,
                      s | ((arg & A64_LS_SIGN) ? IR_MO_SIGN : 0), addr, off);
    a64_put_r(ctx, rt, !(arg & A64_LS_W), v);
}

static int64_t simm9(const struct a64_insn *in)
{
    return a64_sext(a64_bits(in->word, 20, 12), 9);
}

void trans_ldst_uimm(struct a64_ctx *ctx, const struct a64_insn *in)
{
    int arg = in->def->arg;
    int64_t off = (int64_t)a64_bits(in->word, 21, 10) << size_log2(arg);
    access_one(ctx, arg, in->rd, a64_data_addr(ctx, a64_get_xsp(ctx, in->rn)), off);
}

/* Unscaled (LDUR) and unprivileged (LDTR, bits 11:10 = 10, which EL0 runs as LDUR; no FP form). */
void trans_ldst_simm(struct a64_ctx *ctx, const struct a64_insn *in)
{
    if ((in->def->arg & A64_LS_FP) && a64_bits(in->word, 11, 10) == 2) {
        a64_gen_illegal(ctx);
        return;
    }
    access_one(ctx, in->def->arg, in->rd, a64_data_addr(ctx, a64_get_xsp(ctx, in->rn)), simm9(in));
}

static void writeback(struct a64_ctx *ctx, unsigned rn, ir_temp base, int64_t off)
{
    a64_put_xsp(ctx, rn, ir_op2(ctx->b, IR_add, IR_I64, base, a64_const(ctx, off)));
}

void trans_ldst_post(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp base = a64_get_xsp(ctx, in->rn);
    access_one(ctx, in->def->arg, in->rd, a64_data_addr(ctx, base), 0);
    writeback(ctx, in->rn, base, simm9(in));
}

void trans_ldst_pre(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp base = a64_get_xsp(ctx, in->rn);
    access_one(ctx, in->def->arg, in->rd, a64_data_addr(ctx, base), simm9(in));
    writeback(ctx, in->rn, base, simm9(in));
}

/* [Xn|SP, Rm extended by option (UXTW, LSL, SXTW, SXTX), shifted by the size if S]. */
void trans_ldst_reg(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    unsigned option = a64_bits(in->word, 15, 13);
    if (!(option & 2)) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_temp off = a64_get_x(ctx, in->rm);
    if (option == 2)
        off = ir_op1(b, IR_zext32, IR_I64, off);
    else if (option == 6)
        off = ir_op1(b, IR_sext32, IR_I64, off);
    if (a64_bits(in->word, 12, 12) && size_log2(in->def->arg))
        off = ir_op2(b, IR_shl, IR_I64, off, a64_const(ctx, size_log2(in->def->arg)));
    ir_temp addr = ir_op2(b, IR_add, IR_I64, a64_get_xsp(ctx, in->rn), off);
    access_one(ctx, in->def->arg, in->rd, a64_data_addr(ctx, addr), 0);
}

void trans_ld_literal(struct a64_ctx *ctx, const struct a64_insn *in)
{
    uint64_t addr = ctx->pc + ((uint64_t)a64_sext(a64_bits(in->word, 23, 5), 19) << 2);
    access_one(ctx, in->def->arg, in->rd, a64_const(ctx, (int64_t)addr), 0);
}

/* ---- pairs ---- */

/* Both integer registers are loaded before either is written, so a fault on the second
 * access leaves the state untouched. */
static void access_pair(struct a64_ctx *ctx, const struct a64_insn *in, ir_temp addr, int64_t off)
{
    int arg = in->def->arg;
    int64_t size = 1 << size_log2(arg);
    if (arg & (A64_LS_STORE | A64_LS_FP)) {
        access_one(ctx, arg, in->rd, addr, off);
        access_one(ctx, arg, in->ra, addr, off + size);
        return;
    }
    unsigned s = size_log2(arg) | ((arg & A64_LS_SIGN) ? IR_MO_SIGN : 0);
    ir_temp first = ir_ld(ctx->b, IR_I64, s, addr, off);
    ir_temp second = ir_ld(ctx->b, IR_I64, s, addr, off + size);
    bool sf = size == 8 || (arg & A64_LS_SIGN);
    a64_put_r(ctx, in->rd, sf, first);
    a64_put_r(ctx, in->ra, sf, second);
}

static int64_t simm7(const struct a64_insn *in)
{
    return (int64_t)((uint64_t)a64_sext(a64_bits(in->word, 21, 15), 7) << size_log2(in->def->arg));
}

/* Signed offset (bits 24:23 = 10) and non-temporal (00, which has no LDPSW form). */
void trans_ldstp_off(struct a64_ctx *ctx, const struct a64_insn *in)
{
    if ((in->def->arg & A64_LS_SIGN) && !a64_bits(in->word, 24, 23)) {
        a64_gen_illegal(ctx);
        return;
    }
    access_pair(ctx, in, a64_data_addr(ctx, a64_get_xsp(ctx, in->rn)), simm7(in));
}

void trans_ldstp_post(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp base = a64_get_xsp(ctx, in->rn);
    access_pair(ctx, in, a64_data_addr(ctx, base), 0);
    writeback(ctx, in->rn, base, simm7(in));
}

void trans_ldstp_pre(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_temp base = a64_get_xsp(ctx, in->rn);
    access_pair(ctx, in, a64_data_addr(ctx, base), simm7(in));
    writeback(ctx, in->rn, base, simm7(in));
}

/* ---- exclusives and atomics: naturally aligned or SIGBUS, as on Linux ---- */


/* Xn|SP, checked to be aligned to size bytes. */
static ir_temp aligned_base(struct a64_ctx *ctx, unsigned rn, unsigned size)
{
    ir_temp addr = a64_data_addr(ctx, a64_get_xsp(ctx, rn));
    ir_call(ctx->b, &ir_check_aligned, addr, a64_const(ctx, size), IR_NONE, IR_NONE);
    return addr;
}

static unsigned excl_size_log2(const struct a64_insn *in)
{
    return a64_bits(in->word, 31, 30);
}

static bool acquire_release(const struct a64_insn *in)
{
    return a64_bits(in->word, 15, 15);
}

/* LDXR (arg 0) and LDXP (arg 1, 32- or 64-bit halves): load and arm the monitor. The 32-bit
 * LDXP's monitor holds both halves as one 64-bit value, the way STXP compares them. */
void trans_ldxr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    bool pair = in->def->arg;
    unsigned s = pair ? 2u + a64_bits(in->word, 30, 30) : excl_size_log2(in);
    ir_temp addr = aligned_base(ctx, in->rn, (pair ? 2u : 1u) << s);
    ir_temp first = ir_ld(b, IR_I64, s, addr, 0);
    ir_temp second = pair ? ir_ld(b, IR_I64, s, addr, 1 << s) : a64_const(ctx, 0);
    if (acquire_release(in))
        ir_fence(b);
    ir_put(b, IR_I64, A64_FIELD(excl_addr), addr);
    ir_put(b, IR_I64, A64_FIELD(excl_size), a64_const(ctx, (pair ? 2 : 1) << s));
    if (pair && s == 2) {
        ir_temp both = ir_op2(b, IR_or, IR_I64, first,
                              ir_op2(b, IR_shl, IR_I64, second, a64_const(ctx, 32)));
        ir_put(b, IR_I64, A64_FIELD(excl_val[0]), both);
        ir_put(b, IR_I64, A64_FIELD(excl_val[1]), a64_const(ctx, 0));
    } else {
        ir_put(b, IR_I64, A64_FIELD(excl_val[0]), first);
        ir_put(b, IR_I64, A64_FIELD(excl_val[1]), second);
    }
    a64_put_x(ctx, in->rd, first);
    if (pair)
        a64_put_x(ctx, in->ra, second);
}

static bool compare_and_swap(void *host, uint64_t size, uint64_t expected, uint64_t value)
{
    switch (size) {
    case 1: {
        uint8_t e = (uint8_t)expected;
        return __atomic_compare_exchange_n((uint8_t *)host, &e, (uint8_t)value, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    case 2: {
        uint16_t e = (uint16_t)expected;
        return __atomic_compare_exchange_n((uint16_t *)host, &e, (uint16_t)value, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    case 4: {
        uint32_t e = (uint32_t)expected;
        return __atomic_compare_exchange_n((uint32_t *)host, &e, (uint32_t)value, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    default:
        return __atomic_compare_exchange_n((uint64_t *)host, &expected, value, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/* A 128-bit STXP has no host CAS vm can count on; it compares and stores under one lock,
 * which is atomic against other 128-bit STXPs only. */
static pthread_mutex_t pair_lock = PTHREAD_MUTEX_INITIALIZER;

static bool compare_and_swap_128(uint64_t *host, const uint64_t expected[2], uint64_t lo,
                                 uint64_t hi)
{
    pthread_mutex_lock(&pair_lock);
    bool same = memcmp(host, expected, 16) == 0;
    if (same) {
        host[0] = lo;
        host[1] = hi;
    }
    pthread_mutex_unlock(&pair_lock);
    return same;
}

/* Returns STXR's status: 0 if the store happened, 1 if not. size is the total in bytes; a
 * pair of 32-bit values is stored as one 64-bit value. */
static uint64_t helper_stxr(void *opaque, uint64_t addr, uint64_t lo, uint64_t hi, uint64_t size)
{
    struct a64_cpu *cpu = opaque;
    cpu_check_aligned(&cpu->c, addr, size);
    bool armed = cpu->excl_addr == addr && cpu->excl_size == size;
    cpu->excl_addr = ~(uint64_t)0;
    if (!armed)
        return 1;
    void *host = mem_ptr(&cpu->c, addr, (unsigned)size, MEM_READ | MEM_WRITE, A64_MMU_EL0);
    if (size == 16 ? !compare_and_swap_128(host, cpu->excl_val, lo, hi)
                   : !compare_and_swap(host, size, cpu->excl_val[0], lo))
        return 1;
    mem_report(&cpu->c, addr, (unsigned)size, MEM_WRITE);
    return 0;
}

static const struct ir_helper stxr_helper = {
    "a64_stxr", helper_stxr, 4,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

/* STXR (arg 0) and STXP (arg 1); the status goes to Ws (the Rm field). */
void trans_stxr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    bool pair = in->def->arg;
    bool wide_pair = pair && a64_bits(in->word, 30, 30);
    unsigned s = pair ? 2u + wide_pair : excl_size_log2(in);
    ir_temp lo = a64_get_x(ctx, in->rd), hi = a64_const(ctx, 0);
    if (pair && wide_pair) {
        hi = a64_get_x(ctx, in->ra);
    } else if (pair) {
        lo = ir_op2(b, IR_or, IR_I64, ir_op1(b, IR_zext32, IR_I64, lo),
                    ir_op2(b, IR_shl, IR_I64, a64_get_x(ctx, in->ra), a64_const(ctx, 32)));
    }
    if (acquire_release(in))
        ir_fence(b);
    ir_temp size = a64_const(ctx, (pair ? 2 : 1) << s);
    ir_temp status = ir_call(b, &stxr_helper, a64_data_addr(ctx, a64_get_xsp(ctx, in->rn)), lo,
                             hi, size);
    a64_put_x(ctx, in->rm, status);
}

/* CAS: Rs (the Rm field) holds the expected value and receives the old one; Rt is stored. */
void trans_cas(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned s = excl_size_log2(in);
    ir_temp old = ir_cmpxchg(ctx->b, IR_I64, s, aligned_base(ctx, in->rn, 1u << s),
                             a64_get_x(ctx, in->rm), a64_get_x(ctx, in->rd));
    a64_put_x(ctx, in->rm, old);
}

/* X register n as CASP sees it: the second of the pair Rs/Rt = 30 is XZR. */
static uint64_t xzr_get(const struct a64_cpu *cpu, unsigned n)
{
    return n == 31 ? 0 : cpu->x[n];
}

static void xzr_put(struct a64_cpu *cpu, unsigned n, uint64_t value)
{
    if (n != 31)
        cpu->x[n] = value;
}

/* CASP: the even/odd pair Rs, Rs+1 is compared with memory and receives the old values; the
 * pair Rt, Rt+1 is stored. 32-bit halves make one 64-bit compare-and-swap; 64-bit halves go
 * through the lock STXP uses. */
static uint64_t helper_casp(void *opaque, uint64_t word, uint64_t addr, uint64_t a2, uint64_t a3)
{
    struct a64_cpu *cpu = opaque;
    unsigned rs = a64_bits((uint32_t)word, 20, 16), rt = a64_bits((uint32_t)word, 4, 0);
    bool wide = a64_bits((uint32_t)word, 30, 30);
    uint64_t size = wide ? 16 : 8;
    cpu_check_aligned(&cpu->c, addr, size);
    void *host = mem_ptr(&cpu->c, addr, (unsigned)size, MEM_READ | MEM_WRITE, A64_MMU_EL0);
    uint64_t new_lo = xzr_get(cpu, rt), new_hi = xzr_get(cpu, rt + 1);
    if (wide) {
        uint64_t old[2], expected[2] = { xzr_get(cpu, rs), xzr_get(cpu, rs + 1) };
        pthread_mutex_lock(&pair_lock);
        memcpy(old, host, 16);
        if (old[0] == expected[0] && old[1] == expected[1]) {
            uint64_t updated[2] = { new_lo, new_hi };
            memcpy(host, updated, 16);
        }
        pthread_mutex_unlock(&pair_lock);
        mem_report(&cpu->c, addr, 16, MEM_READ | MEM_WRITE);
        xzr_put(cpu, rs, old[0]);
        xzr_put(cpu, rs + 1, old[1]);
        return 0;
    }
    uint64_t expected = (uint32_t)xzr_get(cpu, rs) | xzr_get(cpu, rs + 1) << 32;
    uint64_t old = expected;
    __atomic_compare_exchange_n((uint64_t *)host, &old, (uint32_t)new_lo | new_hi << 32, false,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    mem_report(&cpu->c, addr, 8, MEM_READ | MEM_WRITE);
    xzr_put(cpu, rs, (uint32_t)old);
    xzr_put(cpu, rs + 1, old >> 32);
    return 0;
}

static const struct ir_helper casp_helper = {
    "a64_casp", helper_casp, 2,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};

void trans_casp(struct a64_ctx *ctx, const struct a64_insn *in)
{
    if ((in->rm & 1) || (in->rd & 1)) {
        a64_gen_illegal(ctx);
        return;
    }
    ir_call(ctx->b, &casp_helper, a64_const(ctx, in->word),
            a64_data_addr(ctx, a64_get_xsp(ctx, in->rn)), IR_NONE, IR_NONE);
}

void trans_ldar(struct a64_ctx *ctx, const struct a64_insn *in)
{
    unsigned s = excl_size_log2(in);
    ir_temp v = ir_ld(ctx->b, IR_I64, s, aligned_base(ctx, in->rn, 1u << s), 0);
    ir_fence(ctx->b);
    a64_put_x(ctx, in->rd, v);
}

/* The fence after the store keeps a later LDAR from passing it (release is sequentially
 * consistent with acquire on AArch64). */
void trans_stlr(struct a64_ctx *ctx, const struct a64_insn *in)
{
    ir_fence(ctx->b);
    unsigned s = excl_size_log2(in);
    ir_st(ctx->b, s, aligned_base(ctx, in->rn, 1u << s), 0, a64_get_x(ctx, in->rd));
    ir_fence(ctx->b);
}

/* LDADD, LDCLR (and with the inverted operand), LDEOR, LDSET, LD[SU]{MAX,MIN}, SWP: Rs is the
 * operand, Rt receives the old value (zero-extended from the access size). */
void trans_ld_atomic(struct a64_ctx *ctx, const struct a64_insn *in)
{
    struct ir_block *b = ctx->b;
    int arg = in->def->arg;
    ir_temp v = a64_get_x(ctx, in->rm);
    if (arg & A64_INVERT)
        v = ir_op1(b, IR_not, IR_I64, v);
    unsigned s = excl_size_log2(in);
    ir_temp old = ir_atomic_rmw(b, IR_I64, (enum ir_rmw)(arg & 0xff), s,
                                aligned_base(ctx, in->rn, 1u << s), v);
    a64_put_x(ctx, in->rd, old);
}
