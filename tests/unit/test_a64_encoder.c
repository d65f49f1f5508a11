/* Unit test of the AArch64 encoder (src/host/aarch64/encode.c), built for every host since
 * the encoder is pure code: every row of the instruction form table, with several operand
 * sets, must decode under capstone's AArch64 disassembler to exactly the text an assembler
 * listing would show; constants (movz/movn/movk sequences) are checked by evaluating
 * capstone's decoding of them, and branches by where capstone says they go, before and after
 * re-pointing them as chaining does. */
#include <stdlib.h>

#include "check.h"
#include "host/aarch64/a64.h"

#include <capstone/capstone.h>

static csh cs;

struct want {
    enum a64_insn insn;
    bool w64;
    unsigned rd, rn, rm;
    int64_t imm;
    const char *text;   /* capstone's "mnemonic operands", at address 0x10000 */
};

#define NR A64_NOREG
static const struct want table_cases[] = {
    { A_ADD, 1, 1, 2, 3, 0, "add x1, x2, x3" },
    { A_ADD, 0, 1, 2, 3, 0, "add w1, w2, w3" },
    { A_SUB, 1, 0, 30, 15, 0, "sub x0, x30, x15" },
    { A_SUBS, 1, A64_ZR, 4, 5, 0, "cmp x4, x5" },
    { A_SUBS, 0, 6, 4, 5, 0, "subs w6, w4, w5" },
    { A_AND, 1, 1, 2, 3, 0, "and x1, x2, x3" },
    { A_ORR, 1, 1, 2, 3, 0, "orr x1, x2, x3" },
    { A_ORR, 1, 1, A64_ZR, 3, 0, "mov x1, x3" },
    { A_EOR, 0, 9, 10, 11, 0, "eor w9, w10, w11" },
    { A_BIC, 1, 1, 2, 3, 0, "bic x1, x2, x3" },
    { A_ORN, 1, 1, A64_ZR, 3, 0, "mvn x1, x3" },
    { A_ORN, 1, 1, 2, 3, 0, "orn x1, x2, x3" },
    { A_LSLV, 1, 1, 2, 3, 0, "lsl x1, x2, x3" },
    { A_LSRV, 0, 1, 2, 3, 0, "lsr w1, w2, w3" },
    { A_ASRV, 1, 1, 2, 3, 0, "asr x1, x2, x3" },
    { A_RORV, 1, 1, 2, 3, 0, "ror x1, x2, x3" },
    { A_UDIV, 1, 1, 2, 3, 0, "udiv x1, x2, x3" },
    { A_SDIV, 0, 1, 2, 3, 0, "sdiv w1, w2, w3" },
    { A_SMULH, 1, 1, 2, 3, 0, "smulh x1, x2, x3" },
    { A_UMULH, 1, 1, 2, 3, 0, "umulh x1, x2, x3" },
    { A_MADD, 1, 1, 2, 3, 4, "madd x1, x2, x3, x4" },
    { A_MADD, 1, 1, 2, 3, A64_ZR, "mul x1, x2, x3" },
    { A_MADD, 0, 21, 22, 23, A64_ZR, "mul w21, w22, w23" },
    { A_MSUB, 0, 1, 2, 3, 4, "msub w1, w2, w3, w4" },
    { A_SMADDL, 1, 1, 2, 3, A64_ZR, "smull x1, w2, w3" },
    { A_UMADDL, 1, 1, 2, 3, 4, "umaddl x1, w2, w3, x4" },
    { A_CSEL, 1, 1, 2, 3, A64_EQ, "csel x1, x2, x3, eq" },
    { A_CSINC, 1, 1, A64_ZR, A64_ZR, A64_NE, "cset x1, eq" },
    { A_CSINC, 0, 1, 2, 3, A64_LT, "csinc w1, w2, w3, lt" },
    { A_CSINV, 1, 1, 2, A64_ZR, A64_NE, "csinv x1, x2, xzr, ne" },
    { A_CLZ, 1, 1, 2, 0, 0, "clz x1, x2" },
    { A_CLZ, 0, 7, 8, 0, 0, "clz w7, w8" },
    { A_RBIT, 0, 1, 2, 0, 0, "rbit w1, w2" },
    { A_REV, 1, 1, 2, 0, 0, "rev x1, x2" },
    { A_REV, 0, 1, 2, 0, 0, "rev w1, w2" },
    { A_ADDI, 1, 1, 2, 0, 4095, "add x1, x2, #0xfff" },
    { A_ADDI, 1, 1, 2, 0, 0x5000, "add x1, x2, #5, lsl #12" },
    { A_ADDI, 1, A64_SP, A64_SP, 0, 16, "add sp, sp, #0x10" },
    { A_SUBI, 0, 1, 2, 0, 7, "sub w1, w2, #7" },
    { A_SUBSI, 1, A64_ZR, 2, 0, 7, "cmp x2, #7" },
    { A_SBFM, 1, 1, 2, 0, 0 | 7 << 8, "sxtb x1, w2" },
    { A_SBFM, 1, 1, 2, 0, 0 | 31 << 8, "sxtw x1, w2" },
    { A_SBFM, 1, 1, 2, 0, 3 | 10 << 8, "sbfx x1, x2, #3, #8" },
    { A_UBFM, 0, 1, 2, 0, 0 | 15 << 8, "uxth w1, w2" },
    { A_UBFM, 1, 1, 2, 0, 4 | 63 << 8, "lsr x1, x2, #4" },
    { A_UBFM, 1, 1, 2, 0, 60 | 59 << 8, "lsl x1, x2, #4" },
    { A_UBFM, 1, 1, 2, 0, 3 | 10 << 8, "ubfx x1, x2, #3, #8" },
    { A_BFM, 1, 1, 2, 0, 60 | 7 << 8, "bfi x1, x2, #4, #8" },
    { A_EXTR, 1, 1, 2, 2, 13, "ror x1, x2, #0xd" },
    { A_EXTR, 0, 1, 2, 3, 5, "extr w1, w2, w3, #5" },
    { A_MOVZ, 1, 1, 0, 0, 0x1234 | 3 << 16, "movz x1, #0x1234, lsl #48" },
    { A_MOVZ, 0, 1, 0, 0, 0xffff, "movz w1, #0xffff" },
    { A_MOVN, 1, 1, 0, 0, 0x1234, "movn x1, #0x1234" },
    { A_MOVK, 1, 1, 0, 0, 0xbeef | 2 << 16, "movk x1, #0xbeef, lsl #32" },
    { A_STRB, 0, 1, 2, NR, 7, "strb w1, [x2, #7]" },
    { A_LDRB, 0, 1, 2, 3, 0, "ldrb w1, [x2, x3]" },
    { A_LDRSBX, 0, 1, 2, 3, 0, "ldrsb x1, [x2, x3]" },
    { A_LDRSBW, 0, 1, 2, NR, 0, "ldrsb w1, [x2]" },
    { A_STRH, 0, 1, 2, NR, 2, "strh w1, [x2, #2]" },
    { A_LDRH, 0, 1, 27, 16, 0, "ldrh w1, [x27, x16]" },
    { A_LDRSHX, 0, 1, 2, NR, 4094, "ldrsh x1, [x2, #0xffe]" },
    { A_LDRSHW, 0, 1, 2, 3, 0, "ldrsh w1, [x2, x3]" },
    { A_STRW, 0, 1, 28, NR, 16, "str w1, [x28, #0x10]" },
    { A_STRW, 0, 1, 27, 16, 0, "str w1, [x27, x16]" },
    { A_LDRW, 0, 1, 28, NR, 16380, "ldr w1, [x28, #0x3ffc]" },
    { A_LDRSWX, 0, 1, 27, 16, 0, "ldrsw x1, [x27, x16]" },
    { A_STRX, 0, 1, 28, NR, 32760, "str x1, [x28, #0x7ff8]" },
    { A_LDRX, 0, 1, 27, 16, 0, "ldr x1, [x27, x16]" },
    { A_LDRX, 0, 17, 17, 16, 1, "ldr x17, [x17, x16, lsl #3]" },
    { A_LDRX, 0, 1, A64_SP, NR, 8, "ldr x1, [sp, #8]" },
    { A_STP_PRE, 0, 29, A64_SP, 30, -96, "stp x29, x30, [sp, #-0x60]!" },
    { A_STP, 0, 19, A64_SP, 20, 16, "stp x19, x20, [sp, #0x10]" },
    { A_LDP, 0, 19, A64_SP, 20, 16, "ldp x19, x20, [sp, #0x10]" },
    { A_LDP_POST, 0, 29, A64_SP, 30, 96, "ldp x29, x30, [sp], #0x60" },
    { A_FADD, 1, 0, 0, 1, 0, "fadd d0, d0, d1" },
    { A_FADD, 0, 0, 0, 1, 0, "fadd s0, s0, s1" },
    { A_FSUB, 1, 0, 0, 1, 0, "fsub d0, d0, d1" },
    { A_FMUL, 0, 2, 3, 4, 0, "fmul s2, s3, s4" },
    { A_FDIV, 1, 0, 0, 1, 0, "fdiv d0, d0, d1" },
    { A_FSQRT, 1, 0, 1, 0, 0, "fsqrt d0, d1" },
    { A_FSQRT, 0, 0, 1, 0, 0, "fsqrt s0, s1" },
    { A_FMOV_TOFP, 1, 0, 5, 0, 0, "fmov d0, x5" },
    { A_FMOV_TOFP, 0, 1, 5, 0, 0, "fmov s1, w5" },
    { A_FMOV_TOGP, 1, 5, 0, 0, 0, "fmov x5, d0" },
    { A_FMOV_TOGP, 0, 5, 0, 0, 0, "fmov w5, s0" },
    { A_BR, 0, 0, 17, 0, 0, "br x17" },
    { A_BLR, 0, 0, 16, 0, 0, "blr x16" },
    { A_RET, 0, 0, A64_LR, 0, 0, "ret " },
    { A_DMB_ISH, 0, 0, 0, 0, 0, "dmb ish" },
    { A_B, 0, 0, 0, 0, 0x100, "b #0x10100" },
    { A_B, 0, 0, 0, 0, -0x100, "b #0xff00" },
    { A_BL, 0, 0, 0, 0, 0x2000, "bl #0x12000" },
    { A_BCOND, 0, A64_NE, 0, 0, 0x40, "b.ne #0x10040" },
    { A_BCOND, 0, A64_HI, 0, 0, -8, "b.hi #0xfff8" },
    { A_CBZ, 1, 3, 0, 0, 0x10, "cbz x3, #0x10010" },
    { A_CBNZ, 0, 16, 0, 0, -0x10, "cbnz w16, #0xfff0" },
    { A_ADR, 0, 0, 0, 0, -12, "adr x0, #0xfff4" },
    { A_ADR, 0, 1, 0, 0, 0x12345, "adr x1, #0x22345" },
};

/* Capstone's text of the one instruction in word, at address 0x10000 (empty: undecodable). */
static void text_of(uint32_t word, uint64_t addr, char *out, size_t len)
{
    cs_insn *insn;
    out[0] = 0;
    if (cs_disasm(cs, (const uint8_t *)&word, 4, addr, 1, &insn) != 1)
        return;
    snprintf(out, len, "%s %s", insn->mnemonic, insn->op_str);
    cs_free(insn, 1);
}

static void test_table(void)
{
    check_group("a64_encoder_table");
    bool seen[A64_NINSNS] = { false };
    for (size_t k = 0; k < sizeof(table_cases) / sizeof(table_cases[0]); k++) {
        const struct want *c = &table_cases[k];
        uint32_t w = a64_word(c->insn, c->w64, c->rd, c->rn, c->rm, c->imm);
        char got[256];
        text_of(w, 0x10000, got, sizeof(got));
        if (strcmp(got, c->text)) {
            printf("    %s w%d: %08x is \"%s\", want \"%s\"\n", a64_forms[c->insn].name,
                   c->w64 ? 64 : 32, w, got, c->text);
            check_failed_now++;
        }
        seen[c->insn] = true;
    }
    for (unsigned i = 0; i < A64_NINSNS; i++)
        if (!seen[i]) {
            printf("    row %s has no case\n", a64_forms[i].name);
            check_failed_now++;
        }
}

/* The value a movz/movn/movk sequence leaves in its register, from capstone's decoding. */
static bool eval_moves(const uint8_t *code, size_t len, unsigned *rd, uint64_t *value)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, len, 0, 0, &insn);
    bool ok = n * 4 == len && n >= 1 && n <= 4;
    uint64_t v = 0;
    for (size_t k = 0; ok && k < n; k++) {
        const cs_arm64 *a = &insn[k].detail->arm64;
        ok = a->op_count == 2 && a->operands[0].type == ARM64_OP_REG &&
             a->operands[1].type == ARM64_OP_IMM;
        if (!ok)
            break;
        unsigned shift = a->operands[1].shift.type == ARM64_SFT_LSL ? a->operands[1].shift.value : 0;
        uint64_t imm = (uint64_t)a->operands[1].imm << shift, mask = 0xffffull << shift;
        bool w = insn[k].id != ARM64_INS_MOVK && cs_reg_name(cs, a->operands[0].reg)[0] == 'w';
        if (insn[k].id == ARM64_INS_MOVZ || (insn[k].id == ARM64_INS_MOV && k == 0 && !(imm >> 63 && w)))
            v = imm;
        else if (insn[k].id == ARM64_INS_MOVN)
            v = ~imm;
        else if (insn[k].id == ARM64_INS_MOVK)
            v = (v & ~mask) | imm;
        else
            ok = false;
        if (w)
            v = (uint32_t)v;
        const char *name = cs_reg_name(cs, a->operands[0].reg);
        *rd = (unsigned)atoi(name + 1);
    }
    if (n)
        cs_free(insn, n);
    *value = v;
    return ok;
}

static void test_mov_imm(void)
{
    check_group("a64_encoder_mov_imm");
    static const uint64_t values[] = {
        0, 1, 0xffff, 0x10000, 0x12345678, 0xffffffff, 0x100000000, 0xffffffffffffffff,
        0xfffffffffffffffe, 0xffffffff00000000, 0x8000000000000000, 0x123456789abcdef0,
        0xffff1234ffff5678, 0x0000ffff0000ffff, 0xfffe0000, 0x7fffffffffffffff,
    };
    for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
        uint8_t buf[32];
        struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf) };
        a64_mov_imm(&b, 9, values[k]);
        unsigned rd = 99;
        uint64_t v;
        size_t len = (size_t)(b.p - buf);
        bool ok = eval_moves(buf, len, &rd, &v);
        if (!ok || rd != 9 || v != values[k]) {
            printf("    mov_imm %#" PRIx64 ": %zu bytes give x%u = %#" PRIx64 "\n", values[k],
                   len, rd, v);
            check_failed_now++;
        }
        /* at most one instruction per 16-bit half that is neither all zeros nor all ones */
        CHECK(len <= 16);
    }
}

/* Where capstone says the branch at rx goes. */
static uint64_t decoded_target(const uint8_t *code, uint64_t rx)
{
    cs_insn *insn;
    uint64_t t = 0;
    if (cs_disasm(cs, code, 4, rx, 1, &insn) == 1) {
        const cs_arm64 *a = &insn->detail->arm64;
        if (a->op_count >= 1 && a->operands[a->op_count - 1].type == ARM64_OP_IMM)
            t = (uint64_t)a->operands[a->op_count - 1].imm;
        cs_free(insn, 1);
    }
    return t;
}

static void test_branches(void)
{
    check_group("a64_encoder_branches");
    static uint32_t code[64];
    uint8_t *buf = (uint8_t *)code;
    intptr_t delta = 0x40000000 - (intptr_t)buf;   /* code runs at 0x40000000 */
    struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(code), .rx_delta = delta };
    static const struct { enum a64_insn insn; unsigned rt; int64_t to; } br[] = {
        { A_B, 0, 0x7fffffc }, { A_B, 0, -0x8000000 }, { A_BL, 0, 0x123450 },
        { A_BCOND, A64_LE, 0xffffc }, { A_BCOND, A64_EQ, -0x100000 }, { A_CBZ, 5, 0x800 },
        { A_CBNZ, 17, -0x40 },
    };
    for (size_t k = 0; k < sizeof(br) / sizeof(br[0]); k++) {
        uint8_t *at = b.p;
        uint64_t rx = 0x40000000 + (uint64_t)(at - buf);
        const void *target = (const void *)(uintptr_t)(rx + (uint64_t)br[k].to);
        CHECK(a64_branch_reaches(br[k].insn, (const uint8_t *)(uintptr_t)rx, target));
        uint8_t *site = a64_branch(&b, br[k].insn, true, br[k].rt, target);
        CHECK(site == at);
        CHECK_EQ(decoded_target(at, rx), rx + (uint64_t)br[k].to);
        uint32_t word;
        memcpy(&word, at, 4);
        CHECK(a64_branch_target(word, (const uint8_t *)(uintptr_t)rx) == target);
        /* chaining: re-pointed, then back */
        const void *other = (const void *)(uintptr_t)(rx + 0x20);
        CHECK(a64_patch_branch(at, (const uint8_t *)(uintptr_t)rx, other) == target);
        CHECK_EQ(decoded_target(at, rx), rx + 0x20);
        CHECK(a64_patch_branch(at, (const uint8_t *)(uintptr_t)rx, target) == other);
        CHECK_EQ(decoded_target(at, rx), rx + (uint64_t)br[k].to);
    }
    /* just out of reach */
    const uint8_t *rx = (const uint8_t *)(uintptr_t)0x40000000;
    CHECK(!a64_branch_reaches(A_B, rx, rx + 0x8000000));
    CHECK(!a64_branch_reaches(A_BCOND, rx, rx - 0x100004));
    uint8_t *at = b.p;
    a64_adr(&b, 3, (const void *)(uintptr_t)0x40000000);
    char text[256];
    text_of(*(uint32_t *)(void *)at, 0x40000000 + (uint64_t)(at - buf), text, sizeof(text));
    CHECK(!strcmp(text, "adr x3, #0x40000000"));
    /* an overflowing buffer writes nothing and gives no site */
    struct host_buf full = { .p = buf, .start = buf, .end = buf + 2 };
    CHECK(a64_branch(&full, A_B, true, 0, NULL) == NULL && full.overflow && full.p == buf);
}

int main(void)
{
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
        return 1;
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    test_table();
    test_mov_imm();
    test_branches();
    cs_close(&cs);
    return check_done();
}
