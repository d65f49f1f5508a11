/* Unit tests of the x86-64 decoder: table sanity; hand-picked encodings (every addressing form,
 * prefixes, REX, VEX, the 15-byte limit, truncation, LOCK and undefined forms) with their
 * lengths and rows; and, with capstone, every insns.def row instantiated many times with
 * random prefixes, REX/VEX bits, ModRM, SIB, displacements and immediates, plus random byte
 * strings, each length and mnemonic compared with capstone's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest/x86_64/decode.h"

#if HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

static void test_table(void)
{
    check_group("x64_decode_table");
    for (size_t i = 0; i < x64_n_insns; i++) {
        const struct x64_insn_def *d = &x64_insns[i];
        CHECK(d->name && d->name[0]);
        CHECK(d->ops != NULL);
        CHECK(d->family < X64_N_FAMILIES);
        CHECK(d->map < X64_N_MAPS);
        if (d->flags & X64_F_PLUSR)
            CHECK((d->op & 7) == 0);
        if (d->map >= X64_MAP_V0F)
            CHECK(d->pfx != X64_PFX_ANY);
    }
    CHECK(x64_n_insns > 400);
}

struct known {
    const char *bytes; /* hex */
    int len;           /* or a negative errno */
    const char *row;
};

static const struct known known[] = {
    { "4889e5", 3, "mov" },                       /* mov rbp, rsp */
    { "c3", 1, "ret" },
    { "f30f1efa", 4, "endbr64" },
    { "488d05f8ffffff", 7, "lea" },               /* lea rax, [rip - 8] */
    { "8b0425efbeadde", 7, "mov" },               /* mov eax, [0xdeadbeef] (SIB, no base) */
    { "8b4c24f8", 4, "mov" },                     /* mov ecx, [rsp - 8] */
    { "8b8c2400010000", 7, "mov" },               /* mov ecx, [rsp + 256] */
    { "8b45fc", 3, "mov" },                       /* mov eax, [rbp - 4] */
    { "418b4500", 4, "mov" },                     /* mov eax, [r13 + 0] */
    { "428b04a5f0000000", 8, "mov" },             /* mov eax, [r12*4 + 0xf0] */
    { "4a8b04e0", 4, "mov" },                     /* mov rax, [rax + r12*8] */
    { "678b00", 3, "mov" },                       /* mov eax, [eax] */
    { "64488b042528000000", 9, "mov" },           /* mov rax, fs:[0x28] */
    { "48b8efcdab8967452301", 10, "mov/movabs" }, /* movabs rax, imm64 */
    { "b8ffffffff", 5, "mov/movabs" },
    { "66b80100", 4, "mov/movabs" },              /* mov ax, 1 */
    { "48a1efcdab8967452301", 10, "mov/movabs" }, /* movabs rax, [moffs64] */
    { "67a1efcdab89", 6, "mov/movabs" },          /* mov eax, [moffs32] */
    { "c8100001", 4, "enter" },
    { "e800000000", 5, "call" },
    { "66e800000000", 6, "call" },                /* 66 ignored: rel32 */
    { "0f8400010000", 6, "je" },
    { "7402", 2, "je" },
    { "f0480fb10a", 5, "cmpxchg" },               /* lock cmpxchg [rdx], rcx */
    { "f0480fc70e", 5, "cmpxchg16b" },
    { "f30fb8c1", 4, "popcnt" },
    { "f3480fbcc1", 5, "tzcnt" },
    { "0fbcc1", 3, "bsf" },
    { "f3a4", 2, "movsb" },                       /* rep movsb */
    { "f348ab", 3, "stosw/stosd/stosq" },         /* rep stosq */
    { "f2ae", 2, "scasb" },                       /* repne scasb */
    { "660fefc0", 4, "pxor" },
    { "660f6f0d00000000", 8, "movdqa" },
    { "660fd7c1", 4, "pmovmskb" },
    { "660f73d908", 5, "psrldq" },
    { "f20f58c1", 4, "addsd" },
    { "f20f2ac0", 4, "cvtsi2sd" },
    { "0fae5c24fc", 5, "stmxcsr" },
    { "c5f877", 3, "vzeroupper" },
    { "c4e27d5a00", 5, "vbroadcasti128" },         /* vbroadcasti128 ymm0, [rax] */
    { "c4e27d5a8000010000", 9, "vbroadcasti128" }, /* vbroadcasti128 ymm0, [rax + 256] */
    { "c4e26ddccb", 5, "vaesenc" },                /* vaesenc ymm1, ymm2, ymm3 */
    { "c4e36d44cb11", 6, "vpclmulqdq/vpclmullqlqdq/vpclmulhqlqdq/vpclmullqhqdq/vpclmulhqhqdq" },
    { "c4e2f0f2c2", 5, "andn" },                  /* andn rax, rcx, rdx */
    { "c4e3fbf0c105", 6, "rorx" },
    { "c5fe6f00", 4, "vmovdqu" },                 /* vmovdqu ymm0, [rax] */
    { "0f05", 2, "syscall" },
    { "0f0b", 2, "ud2" },
    { "90", 1, "nop/xchg" },
    { "f390", 2, "pause/xchg/nop" },        /* capstone calls F3 48 90 xchg rax, rax */
    { "0f1f440000", 5, "nop" },
    { "660f1f840000000000", 9, "nop" },
    { "662e0f1f840000000000", 10, "nop" },
    { "48f7f1", 3, "div" },
    { "f6c101", 3, "test" },
    { "66f7c10100", 5, "test" },
    { "48f7c101000000", 7, "test" },
    { "48c1e003", 4, "shl" },
    { "d1f8", 2, "sar" },
    /* 15 bytes exactly, then 16 */
    { "2e2e2e2e2e2e2e2e2e2eb801000000", 15, "mov/movabs" },
    { "2e2e2e2e2e2e2e2e2e2e2eb801000000", -E2BIG, NULL },
    { "6666666666666666666666b80100", 14, "mov/movabs" },
    /* truncated */
    { "48", -EAGAIN, NULL },
    { "488b", -EAGAIN, NULL },
    { "488b04", -EAGAIN, NULL },
    { "e8000000", -EAGAIN, NULL },
    { "c4", -EAGAIN, NULL },
    /* undefined or not implemented */
    { "f000c0", -EINVAL, NULL },                  /* lock on a register form */
    { "f001c0", -EINVAL, NULL },
    { "f089 00", -EINVAL, NULL },                 /* lock mov */
    { "06", -EINVAL, NULL },                      /* push es: invalid in 64-bit mode */
    { "8dc0", -EINVAL, NULL },                    /* lea with a register operand */
    { "66c5f877", -EINVAL, NULL },                /* 66 before VEX */
    { "c5f0 77", -EINVAL, NULL },                 /* vzeroupper with vvvv != 1111 */
    { "0f0f", -EINVAL, NULL },
    { "0f0fc000", -EINVAL, NULL },                /* 3DNow! */
};

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v;
        sscanf(s, "%2x", &v);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static void test_known(void)
{
    check_group("x64_decode_known");
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        uint8_t buf[32];
        size_t n = parse_hex(known[i].bytes, buf, sizeof(buf));
        struct x64_insn in;
        int rc = x64_decode(buf, n, &in);
        int got = rc == 0 ? in.len : rc;
        if (got != known[i].len || (rc == 0 && strcmp(in.def->name, known[i].row) != 0)) {
            printf("    %s: got %d %s, expected %d %s\n", known[i].bytes, got,
                   rc == 0 ? in.def->name : "", known[i].len, known[i].row ? known[i].row : "");
            check_failed_now++;
        }
    }
}

/* Operand fields of a few forms. */
static void test_fields(void)
{
    check_group("x64_decode_fields");
    struct x64_insn in;
    uint8_t rip[] = { 0x48, 0x8d, 0x05, 0xf8, 0xff, 0xff, 0xff };
    CHECK_EQ(x64_decode(rip, sizeof(rip), &in), 0);
    CHECK_EQ(in.base, X64_REG_RIP);
    CHECK_EQ(in.disp, -8);
    CHECK_EQ(in.reg, 0);
    CHECK_EQ(in.opsize, 8);
    uint8_t sib[] = { 0x4a, 0x8b, 0x44, 0xe5, 0x10 }; /* mov rax, [rbp + r12*8 + 16] */
    CHECK_EQ(x64_decode(sib, sizeof(sib), &in), 0);
    CHECK_EQ(in.base, 5);
    CHECK_EQ(in.index, 12);
    CHECK_EQ(in.scale, 3);
    CHECK_EQ(in.disp, 16);
    uint8_t nobase[] = { 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00 };
    CHECK_EQ(x64_decode(nobase, sizeof(nobase), &in), 0);
    CHECK_EQ(in.base, X64_REG_NONE);
    CHECK_EQ(in.index, X64_REG_NONE);
    CHECK_EQ(in.disp, 16);
    uint8_t r13[] = { 0x41, 0x8b, 0x45, 0x00 };
    CHECK_EQ(x64_decode(r13, sizeof(r13), &in), 0);
    CHECK_EQ(in.base, 13);
    uint8_t ah[] = { 0x88, 0xe0 }; /* mov al, ah */
    CHECK_EQ(x64_decode(ah, sizeof(ah), &in), 0);
    CHECK_EQ(in.opsize, 1);
    CHECK_EQ(in.rm, 0);
    CHECK_EQ(in.reg, 4);
    uint8_t fs[] = { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0 };
    CHECK_EQ(x64_decode(fs, sizeof(fs), &in), 0);
    CHECK_EQ(in.seg, X64_SEG_FS);
    uint8_t imm[] = { 0x48, 0x83, 0xc0, 0xff }; /* add rax, -1 */
    CHECK_EQ(x64_decode(imm, sizeof(imm), &in), 0);
    CHECK_EQ(in.imm, -1);
    CHECK_EQ(in.opsize, 8);
    uint8_t r9[] = { 0x41, 0x51 }; /* push r9 */
    CHECK_EQ(x64_decode(r9, sizeof(r9), &in), 0);
    CHECK_EQ(in.rm, 9);
    CHECK_EQ(in.opsize, 8);
    uint8_t andn[] = { 0xc4, 0xe2, 0xf0, 0xf2, 0xc2 };
    CHECK_EQ(x64_decode(andn, sizeof(andn), &in), 0);
    CHECK_EQ(in.vex_v, 1);
    CHECK_EQ(in.reg, 0);
    CHECK_EQ(in.rm, 2);
    CHECK_EQ(in.opsize, 8);
    char text[64];
    uint8_t cdqe[] = { 0x48, 0x98 };
    CHECK_EQ(x64_disas(0, cdqe, sizeof(cdqe), text, sizeof(text)), 2);
    CHECK(strcmp(text, "cdqe") == 0);
}

#if HAVE_CAPSTONE
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* Whether capstone's mnemonic (prefix words such as "lock" or "rep" dropped) is one of the
 * row's slash-separated names. */
static bool mnemonic_matches(const char *row, const char *cs)
{
    const char *last = strrchr(cs, ' ');
    cs = last ? last + 1 : cs;
    size_t n = strlen(cs);
    /* CMPPS and friends print with their predicate: cmpltps, vcmpeq_uqps (VEX has 32) */
    static const char *const preds[] = {
        "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
        "eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
        "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq", "ord_s",
        "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq", "true_us",
    };
    char plain[16];
    size_t v = cs[0] == 'v';
    for (size_t i = 0; i < 32 && strncmp(cs + v, "cmp", 3) == 0; i++) {
        size_t pl = strlen(preds[i]);
        if (n == v + 3 + pl + 2 && strncmp(cs + v + 3, preds[i], pl) == 0) {
            snprintf(plain, sizeof(plain), "%scmp%s", v ? "v" : "", cs + v + 3 + pl);
            cs = plain;
            n = strlen(cs);
            break;
        }
    }
    for (const char *p = row; p;) {
        size_t len = strcspn(p, "/");
        if (len == n && strncmp(p, cs, n) == 0)
            return true;
        p = p[len] ? p + len + 1 : NULL;
    }
    return false;
}

/* One random encoding of row d into buf (15 bytes, the tail random). */
static void instantiate(const struct x64_insn_def *d, uint8_t *buf)
{
    size_t n = 0;
    for (int i = 0; i < 15; i++)
        buf[i] = (uint8_t)rnd();
    static const uint8_t segs[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
    if (rnd() % 4 == 0)
        buf[n++] = segs[rnd() % 6];
    if (rnd() % 4 == 0 && d->family != X64_FAM_loop && d->imm != X64_IMM_A)
        buf[n++] = 0x67;
    unsigned mod = rnd() & 3, reg = rnd() & 7, rm = rnd() & 7;
    if (d->modrm == X64_MODRM_MEM)
        mod = rnd() % 3;
    if (d->modrm == X64_MODRM_REG)
        mod = 3;
    if (d->reg >= 0)
        reg = (unsigned)d->reg;
    if (d->rm >= 0) {
        mod = 3;
        rm = (unsigned)d->rm;
    }
    if (d->flags & X64_F_VSIB) /* a SIB byte is required */
        rm = 4;
    bool is_vex = d->map >= X64_MAP_V0F;
    if (!is_vex) {
        if (d->pfx == X64_PFX_66)
            buf[n++] = 0x66;
        else if (d->pfx == X64_PFX_F3)
            buf[n++] = 0xf3;
        else if (d->pfx == X64_PFX_F2)
            buf[n++] = 0xf2;
        else if (d->pfx == X64_PFX_ANY && rnd() % 3 == 0 && d->map == X64_MAP_L0)
            buf[n++] = 0x66;
        if ((d->flags & X64_F_LOCK) && d->modrm != X64_MODRM_NONE && mod != 3 && rnd() % 3 == 0)
            buf[n++] = 0xf0;
        unsigned rex = 0x40 | (rnd() & 0xf);
        if (d->flags & X64_F_W0)
            rex &= ~8u;
        if (d->flags & X64_F_W1)
            rex |= 8;
        if ((d->flags & X64_F_W1) || rnd() % 2)
            buf[n++] = (uint8_t)rex;
        if (d->map != X64_MAP_L0)
            buf[n++] = 0x0f;
        if (d->map == X64_MAP_L38)
            buf[n++] = 0x38;
        if (d->map == X64_MAP_L3A)
            buf[n++] = 0x3a;
    } else {
        unsigned w = rnd() & 1, l = rnd() & 1, v = (d->flags & X64_F_VVVV) ? rnd() & 0xf : 0;
        if (d->flags & X64_F_W0)
            w = 0;
        if (d->flags & X64_F_W1)
            w = 1;
        if (d->flags & X64_F_L0)
            l = 0;
        if (d->flags & X64_F_L1)
            l = 1;
        static const uint8_t pp[] = { [X64_PFX_NP] = 0, [X64_PFX_66] = 1, [X64_PFX_F3] = 2,
                                      [X64_PFX_F2] = 3 };
        buf[n++] = 0xc4;
        buf[n++] = (uint8_t)((rnd() & 0xe0) | (d->map - X64_MAP_V0F + 1));
        buf[n++] = (uint8_t)(w << 7 | (~v & 0xf) << 3 | l << 2 | pp[d->pfx]);
    }
    buf[n++] = (uint8_t)(d->op | ((d->flags & X64_F_PLUSR) ? rnd() & 7 : 0));
    if (d->modrm != X64_MODRM_NONE)
        buf[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
}

static int fails_per_row[2048];
static unsigned compared;

/* Forms capstone 4.0 does not know (CET came later; the register form of the hint NOP with
 * REX or 67; VBROADCASTI128; VAES and VPCLMULQDQ's VEX.256 forms); only their length is
 * checked, by the hand-picked encodings above. */
static bool capstone_predates(const struct x64_insn *in)
{
    return strncmp(in->def->name, "endbr", 5) == 0 ||
           (in->vex_l && (strncmp(in->def->name, "vaes", 4) == 0 ||
                          strncmp(in->def->name, "vpclmul", 7) == 0)) ||
           strcmp(in->def->name, "vbroadcasti128") == 0 ||
           (in->def->family == X64_FAM_nop && in->mod == 3);
}

static void compare(csh cs, const uint8_t *buf, const struct x64_insn_def *want)
{
    struct x64_insn in;
    int rc = x64_decode(buf, 15, &in);
    /* 66 before a near branch: Intel CPUs ignore it (vm too), AMD's and capstone take a
     * rel16; capstone 4 also shortens it after 67, and reads RET imm16 as 32 bits after 66 or
     * 67 with REX. Those are left out. */
    if (rc == 0 && (in.def->imm == X64_IMM_D || in.def->imm == X64_IMM_W) &&
        (in.prefixes & (X64_P_OPSZ | X64_P_ADSZ)))
        return;
    /* Capstone 4 takes a mandatory prefix only right before the opcode or REX (a segment or
     * 67 prefix in between hides it, and 67 with REX.W reads as 66), and with 66 and F2/F3
     * together it drops the 66 from non-SSE forms too: there the mnemonic is not compared,
     * and the length only where the hardware rule cannot differ. */
    bool other = false, opsz = false, rep = false;
    for (int i = 0; i < 15; i++) {
        unsigned b = buf[i];
        if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x67)
            other = true;
        else if (b == 0x66)
            opsz = true;
        else if (b == 0xf2 || b == 0xf3)
            rep = true;
        else if (b != 0xf0 && (b & 0xf0) != 0x40)
            break;
    }
    if (rc == 0 && opsz && rep)
        return;
    bool names = !(rc == 0 && other && in.def->pfx != X64_PFX_ANY);
    cs_insn *ci = NULL;
    size_t got = cs_disasm(cs, buf, 15, 0x1000, 1, &ci);
    bool bad;
    compared += rc == 0 && got == 1;
    if (want)
        bad = rc != 0 || got != 1 || ci->size != in.len ||
              (names && !mnemonic_matches(in.def->name, ci->mnemonic));
    else
        bad = rc == 0 && got == 1 &&
              (ci->size != in.len || (names && !mnemonic_matches(in.def->name, ci->mnemonic)));
    if (bad && rc == 0 && got == 0 && capstone_predates(&in))
        bad = false;
    if (bad && (rc != 0 || fails_per_row[in.def - x64_insns]++ < 3)) {
        printf("    ");
        for (int i = 0; i < 15; i++)
            printf("%02x", buf[i]);
        printf(": vm %d %s len %d, capstone %s %s len %d\n", rc, rc == 0 ? in.def->name : "-",
               rc == 0 ? in.len : 0, got ? ci->mnemonic : "-", got ? ci->op_str : "",
               got ? ci->size : 0);
        check_failed_now++;
    }
    if (got)
        cs_free(ci, got);
}

static void test_capstone(void)
{
    check_group("x64_decode_capstone");
    csh cs;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        CHECK(!"cs_open");
        return;
    }
    uint8_t buf[16];
    for (size_t i = 0; i < x64_n_insns; i++)
        for (int k = 0; k < 300; k++) {
            instantiate(&x64_insns[i], buf);
            compare(cs, buf, &x64_insns[i]);
        }
    /* Random bytes, with prefixes and escapes made likely. */
    static const uint8_t lead[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x64, 0x65, 0x48, 0x41,
                                    0x4c, 0x0f, 0xc4, 0xc5 };
    for (int k = 0; k < 300000; k++) {
        for (int i = 0; i < 15; i++)
            buf[i] = (uint8_t)rnd();
        for (int i = 0, m = (int)(rnd() % 4); i < m; i++)
            buf[i] = lead[rnd() % sizeof(lead)];
        compare(cs, buf, NULL);
    }
    cs_close(&cs);
    printf("    %zu rows x 300 encodings and 300000 random byte strings: %u decoded by both "
           "and compared\n", x64_n_insns, compared);
    CHECK(compared > x64_n_insns * 300);
}
#endif

int main(void)
{
    test_table();
    test_known();
    test_fields();
#if HAVE_CAPSTONE
    test_capstone();
#endif
    return check_done();
}
