/* Unit tests of the AArch64 decoder: table sanity, instruction words (taken from gcc and
 * glibc output) decoding to the right insns.def row, the immediate decoders (logical
 * bitmasks, FP and SIMD immediates) and the disassembler. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest/aarch64/decode.h"

static void test_table(void)
{
    check_group("a64_decode_table");
    for (size_t i = 0; i < a64_n_insns; i++) {
        const struct a64_insn_def *d = &a64_insns[i];
        CHECK((d->match & ~d->mask) == 0);
        CHECK(d->trans != NULL);
        CHECK(d->name && d->name[0]);
    }
    CHECK(a64_n_insns > 400);
}

struct known {
    uint32_t word;
    const char *row;
};

/* Words from objdump of tests/guest-aarch64 binaries; the comment is objdump's mnemonic (an
 * alias names its base instruction's row). */
static const struct known known[] = {
    { 0x910003fd, "add" }, /* mov */
    { 0xd65f03c0, "ret" }, /* ret */
    { 0x91000210, "add" }, /* add */
    { 0xf90013f5, "str" }, /* str */
    { 0x54000140, "b." }, /* b.eq */
    { 0xd4000001, "svc" }, /* svc */
    { 0x14000003, "b" }, /* b */
    { 0x39116020, "strb" }, /* strb */
    { 0x3940c260, "ldrb" }, /* ldrb */
    { 0x3cdb8060, "ldr" }, /* ldur */
    { 0x92750020, "and" }, /* and */
    { 0x1ac02020, "lslv" }, /* lsl */
    { 0x540006e2, "b." }, /* b.cs */
    { 0x79406c02, "ldrh" }, /* ldrh */
    { 0xd2a00000, "movz" }, /* movz */
    { 0x9a9f1756, "csinc" }, /* csinc */
    { 0xd51bd053, "msr" }, /* msr */
    { 0x540001cc, "b." }, /* b.gt */
    { 0x9b13d415, "msub" }, /* msub */
    { 0x54fffda9, "b." }, /* b.ls */
    { 0x79000260, "strh" }, /* strh */
    { 0x2ea11000, "uaddw" }, /* uaddw */
    { 0x2a3403f4, "orn" }, /* mvn */
    { 0xf2640c01, "ands" }, /* ands */
    { 0xda800400, "csneg" }, /* cneg */
    { 0x2b150275, "adds" }, /* adds */
    { 0x9bc07e94, "umulh" }, /* umulh */
    { 0x5a9fa2d6, "csinv" }, /* csinv */
    { 0x93401c0c, "sbfm" }, /* sxtb */
    { 0x93451435, "sbfm" }, /* sbfx */
    { 0x8a210299, "bic" }, /* bic */
    { 0x4f000400, "movi" }, /* movi */
    { 0x9a9616c2, "csinc" }, /* cinc */
    { 0x0ea12800, "xtn" }, /* xtn */
    { 0x0f0c8422, "shrn" }, /* shrn */
    { 0xdac01084, "clz" }, /* clz */
    { 0x4e22bc46, "addp" }, /* addp */
    { 0x781fe0a7, "strh" }, /* sturh */
    { 0x33181c21, "bfm" }, /* bfi */
    { 0xd50320ff, "hint" }, /* xpaclri */
    { 0x5ac00529, "rev16" }, /* rev16 */
    { 0x139b5f7b, "extr" }, /* ror */
    { 0x6b0103e1, "subs" }, /* negs */
    { 0x0e31b800, "addv" }, /* addv */
    { 0xda1f0000, "sbc" }, /* sbc */
    { 0x9a030080, "adc" }, /* adc */
    { 0x885f7c40, "ldxr" }, /* ldxr */
    { 0x885ffc40, "ldxr" }, /* ldaxr */
    { 0xb8208020, "swp" }, /* swp */
    { 0xb8a00020, "ldadd" }, /* ldadda */
    { 0x1e211820, "fdiv" }, /* fdiv */
    { 0x1e223820, "fsub" }, /* fsub */
    { 0xd50321df, "hint" }, /* autib1716 */
    { 0x4e269401, "mla" }, /* mla */
    { 0x4ea434a0, "cmgt" }, /* cmgt */
    { 0x6e226400, "umax" }, /* umax */
    { 0x4ea47420, "sabd" }, /* sabd */
    { 0x6e221400, "urhadd" }, /* urhadd */
    { 0x4ea4a460, "smaxp" }, /* smaxp */
    { 0x4eb0a860, "smaxv" }, /* smaxv */
    { 0x6f0d0400, "ushr" }, /* ushr */
    { 0x6f1c1460, "usra" }, /* usra */
    { 0x6f1b2460, "urshr" }, /* urshr */
    { 0x0f0a8c40, "rshrn" }, /* rshrn */
    { 0x6f20a440, "ushll" }, /* uxtl2 */
    { 0x2e212800, "sqxtun" }, /* sqxtun */
    { 0x2e240060, "uaddl" }, /* uaddl */
    { 0x2e247060, "uabdl" }, /* uabdl */
    { 0x4e606820, "sadalp" }, /* sadalp */
    { 0x4e857880, "zip2" }, /* zip2 */
    { 0x4e000020, "tbl" }, /* tbl */
    { 0x4e60b840, "abs" }, /* abs */
    { 0x4e22cc00, "fmla" }, /* fmla */
    { 0x6ea1f800, "fsqrt" }, /* fsqrt */
    { 0x6e30f800, "fmaxv" }, /* fmaxv */
    { 0x4ea1b800, "fcvtzs" }, /* fcvtzs */
    { 0x4e61c800, "fcvtas" }, /* fcvtas */
    { 0x4e619800, "frintm" }, /* frintm */
    { 0x4c408280, "ldst" }, /* ld2 */
    { 0x4c008260, "ldst" }, /* st2 */
    { 0x1f400920, "fmadd" }, /* fmadd */
    { 0x1e218800, "fnmul" }, /* fnmul */
    { 0x1e67c101, "frinti" }, /* frinti */
    { 0xd5033f5f, "clrex" }, /* clrex */
    { 0x382042a1, "ldsmax" }, /* ldsmaxb */
    { 0x782062c1, "ldumax" }, /* ldumaxh */
    { 0xf8e01281, "ldclr" }, /* ldclral */
    { 0x782002c1, "ldadd" }, /* ldaddh */
    { 0x48e0fc41, "cas" }, /* casalh */
    { 0x4811fc41, "stxr" }, /* stlxrh */
};

static void test_known_words(void)
{
    check_group("a64_decode_known");
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        struct a64_insn in;
        int r = a64_decode(known[i].word, &in);
        CHECK_EQ(r, 0);
        if (r == 0 && strcmp(in.def->name, known[i].row) != 0)
            printf("    0x%08x decodes as %s, expected %s\n", known[i].word, in.def->name,
                   known[i].row);
        CHECK(r == 0 && strcmp(in.def->name, known[i].row) == 0);
    }
}

static void test_fields(void)
{
    check_group("a64_decode_fields");
    struct a64_insn in;
    CHECK_EQ(a64_decode(0x8b020c20, &in), 0); /* add x0, x1, x2, lsl #3 */
    CHECK_EQ(in.rd, 0);
    CHECK_EQ(in.rn, 1);
    CHECK_EQ(in.rm, 2);
    CHECK_EQ(in.ra, 3);
    CHECK(in.sf);
    CHECK_EQ(a64_decode(0x0b020c20, &in), 0); /* add w0, w1, w2, lsl #3 */
    CHECK(!in.sf);
    /* Unallocated and not implemented: UDF, SVE, MTE. */
    CHECK_EQ(a64_decode(0x00000000, &in), -1);
    CHECK_EQ(a64_decode(0x0420e3e7, &in), -1);
    CHECK_EQ(a64_decode(0xd9600000, &in), -1);
    /* PRFM exists in its offset forms only. */
    CHECK_EQ(a64_decode(0xf9800020, &in), 0);
    CHECK_EQ(a64_decode(0xf8800c20, &in), -1);
}

static void test_bitmask(void)
{
    check_group("a64_decode_bitmask");
    uint64_t w = 0, t = 0;
    CHECK(a64_decode_bitmask(1, 0, 0, true, true, &w, &t));
    CHECK_EQ(w, 1);
    CHECK(a64_decode_bitmask(0, 0x3c, 0, true, true, &w, NULL)); /* 2-bit element 01 */
    CHECK_EQ(w, 0x5555555555555555ull);
    CHECK(a64_decode_bitmask(0, 0x07, 0, false, true, &w, NULL));
    CHECK_EQ(w, 0xff); /* 32-bit element, 8 ones */
    CHECK(a64_decode_bitmask(0, 0x27, 0, false, true, &w, NULL));
    CHECK_EQ(w, 0xff00ff); /* 16-bit element, 8 ones */
    CHECK(a64_decode_bitmask(1, 0x3e, 1, true, true, &w, NULL));
    CHECK_EQ(w, 0xbfffffffffffffffull);
    CHECK(!a64_decode_bitmask(1, 0x3f, 0, true, true, &w, NULL)); /* all ones: reserved */
    CHECK(!a64_decode_bitmask(1, 0, 0, false, true, &w, NULL));   /* N = 1 in 32 bits */
    CHECK(a64_decode_bitmask(1, 7, 60, true, false, &w, &t));     /* ubfiz x, x, #4, #8 */
    CHECK_EQ(w, 0xff0);
    CHECK_EQ(t, 0xfff); /* ones(imms - immr + 1 mod 64) */
}

static void test_immediates(void)
{
    check_group("a64_decode_immediates");
    CHECK_EQ(a64_expand_fp_imm(0x70, true), 0x3ff0000000000000ull);  /* 1.0 */
    CHECK_EQ(a64_expand_fp_imm(0x70, false), 0x3f800000u);
    CHECK_EQ(a64_expand_fp_imm(0x00, true), 0x4000000000000000ull);  /* 2.0 */
    CHECK_EQ(a64_expand_fp_imm(0xf0, false), 0xbf800000u);           /* -1.0 */
    CHECK_EQ(a64_expand_fp_imm(0x60, true), 0x3fe0000000000000ull);  /* 0.5 */
    CHECK_EQ(a64_expand_simd_imm(0, 0x0, 0xab), 0x000000ab000000abull);
    CHECK_EQ(a64_expand_simd_imm(0, 0x4, 0xab), 0x00ab000000ab0000ull);
    CHECK_EQ(a64_expand_simd_imm(0, 0xa, 0x12), 0x1200120012001200ull);
    CHECK_EQ(a64_expand_simd_imm(0, 0xc, 0x12), 0x000012ff000012ffull);
    CHECK_EQ(a64_expand_simd_imm(0, 0xe, 0x5a), 0x5a5a5a5a5a5a5a5aull);
    CHECK_EQ(a64_expand_simd_imm(1, 0xe, 0xa5), 0xff00ff0000ff00ffull);
    CHECK_EQ(a64_expand_simd_imm(0, 0xf, 0x70), 0x3f8000003f800000ull);
    CHECK_EQ(a64_expand_simd_imm(1, 0xf, 0x70), 0x3ff0000000000000ull);
}

static void disas_is(uint32_t word, uint64_t pc, const char *want)
{
    char text[96];
    uint8_t code[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16), (uint8_t)(word >> 24) };
    CHECK_EQ(a64_disas(pc, code, 4, text, sizeof(text)), 4);
    if (strcmp(text, want) != 0)
        printf("    0x%08x: \"%s\", expected \"%s\"\n", word, text, want);
    CHECK(strcmp(text, want) == 0);
}

static void test_disas(void)
{
    check_group("a64_disas");
    disas_is(0x8b020c20, 0, "add x0, x1, x2");
    disas_is(0x910003fd, 0, "add x29, sp, #0x0");
    disas_is(0xb100207f, 0, "adds xzr, x3, #0x8");     /* cmn: Rd 31 of a flag setter */
    disas_is(0xf10007ff, 0, "subs xzr, sp, #0x1");
    disas_is(0x72001c3f, 0, "ands wzr, w1, #0xff");     /* tst */
    disas_is(0x92401c3f, 0, "and sp, x1, #0xff");
    disas_is(0x94000010, 0x1000, "bl 0x1040");
    disas_is(0x54ffff28, 0x2000, "b.hi 0x1fe4");
    disas_is(0xd2800540, 0, "movz x0, #0x2a, lsl #0");
    disas_is(0x9a9f17f5, 0, "csinc x21, xzr, xzr, ne");
    disas_is(0xd4000001, 0, "svc #0x0");
    disas_is(0xd53be040, 0, "mrs x0, s3_3_c14_c0_2");
    disas_is(0x00000000, 0, ".inst 0x00000000");
    char text[16];
    CHECK_EQ(a64_disas(0, (const uint8_t *)"\0\0", 2, text, sizeof(text)), 0);
}

int main(void)
{
    test_table();
    test_known_words();
    test_fields();
    test_bitmask();
    test_immediates();
    test_disas();
    return check_done();
}
