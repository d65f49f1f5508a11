/* Unit test of the x86-64 encoder (src/host/x86_64/encode.c): every row of the instruction
 * form table, and the special encodings, are emitted with many register, memory and
 * immediate operands, and capstone's decoding of the bytes must give back exactly one
 * instruction of that length with the expected mnemonic and operands. */
#include <stdlib.h>

#include "check.h"
#include "host/x86_64/x86.h"

#include <capstone/capstone.h>

static csh cs;

static const char *const names64[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const names32[16] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                         "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d",
                                         "r15d" };
static const char *const names16[16] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                         "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w",
                                         "r15w" };
static const char *const names8[16] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b",
                                        "r15b" };
static const char *const xmm[16] = { "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                                     "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                                     "xmm14", "xmm15" };

static const char *reg_name(unsigned r, unsigned bits)
{
    switch (bits) {
    case 8: return names8[r];
    case 16: return names16[r];
    case 32: return names32[r];
    case 128: return xmm[r];
    default: return names64[r];
    }
}

/* Expected operand: a register of some width, the r/m operand, or an immediate. */
struct want {
    enum { W_REG, W_RM, W_IMM } kind;
    unsigned reg, bits;
};

static char failures[4096];
static unsigned n_fail;

/* Decodes buf[0, len) and compares with mnemonic and operands. */
static void expect(const char *what, const uint8_t *buf, size_t len, const char *mnemonic,
                   const struct want *ops, unsigned n_ops, struct x86_rm rm, unsigned rm_bits,
                   int64_t imm, unsigned imm_bits)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, len, 0x1000, 0, &insn);
    char text[256] = "(undecodable)";
    bool ok = n == 1 && insn[0].size == len && !strcmp(insn[0].mnemonic, mnemonic);
    if (n >= 1)
        snprintf(text, sizeof(text), "%s %s (%u of %zu bytes)", insn[0].mnemonic, insn[0].op_str,
                 insn[0].size, len);
    if (ok) {
        const cs_x86 *x = &insn[0].detail->x86;
        ok = x->op_count == n_ops;
        for (unsigned k = 0; ok && k < n_ops; k++) {
            const cs_x86_op *o = &x->operands[k];
            const struct want *w = &ops[k];
            if (w->kind == W_REG || (w->kind == W_RM && !rm.mem)) {
                unsigned r = w->kind == W_REG ? w->reg : rm.reg;
                unsigned bits = w->kind == W_REG ? w->bits : rm_bits;
                ok = o->type == X86_OP_REG && !strcmp(cs_reg_name(cs, o->reg), reg_name(r, bits));
            } else if (w->kind == W_RM) {
                ok = o->type == X86_OP_MEM && !strcmp(cs_reg_name(cs, o->mem.base), names64[rm.reg]) &&
                     o->mem.disp == rm.disp &&
                     (rm.index == X86_NOREG ? o->mem.index == X86_REG_INVALID
                                            : (!strcmp(cs_reg_name(cs, o->mem.index), names64[rm.index]) &&
                                               o->mem.scale == rm.scale));
            } else {
                uint64_t mask = imm_bits == 64 ? UINT64_MAX : (1ull << imm_bits) - 1;
                ok = o->type == X86_OP_IMM && ((uint64_t)o->imm & mask) == ((uint64_t)imm & mask);
            }
        }
    }
    if (!ok) {
        n_fail++;
        if (strlen(failures) < sizeof(failures) - 200)
            snprintf(failures + strlen(failures), sizeof(failures) - strlen(failures),
                     "    %s: want %s, got %s\n", what, mnemonic, text);
    }
    if (n)
        cs_free(insn, n);
}

static const char *const cc_names[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                          "s", "ns", "p", "np", "l", "ge", "le", "g" };

/* The mnemonic capstone prints for a row (cc = CC_E for the condition rows). */
static void mnemonic_of(enum xh_insn insn, bool w64, char *out, size_t len)
{
    static const char *const fixed[X86_NINSNS] = {
        [X_ADD] = "add", [X_OR] = "or", [X_AND] = "and", [X_SUB] = "sub", [X_XOR] = "xor",
        [X_CMP] = "cmp", [X_MOV] = "mov", [X_LEA] = "lea", [X_IMUL] = "imul",
        [X_MOVZX8] = "movzx", [X_MOVZX16] = "movzx", [X_MOVSX8] = "movsx",
        [X_MOVSX16] = "movsx", [X_MOVSXD] = "movsxd", [X_ST] = "mov", [X_ST8] = "mov",
        [X_ST16] = "mov", [X_TEST] = "test", [X_ADDI] = "add", [X_ORI] = "or",
        [X_ANDI] = "and", [X_SUBI] = "sub", [X_XORI] = "xor", [X_CMPI] = "cmp", [X_MOVI] = "mov",
        [X_IMULI] = "imul", [X_ROLI] = "rol", [X_RORI] = "ror", [X_SHLI] = "shl",
        [X_SHRI] = "shr", [X_SARI] = "sar", [X_ROLC] = "rol", [X_RORC] = "ror",
        [X_SHLC] = "shl", [X_SHRC] = "shr", [X_SARC] = "sar", [X_NOT] = "not", [X_NEG] = "neg",
        [X_MUL1] = "mul", [X_IMUL1] = "imul", [X_CALLM] = "call", [X_JMPM] = "jmp",
        [X_ADDSD] = "addsd", [X_MULSD] = "mulsd", [X_SUBSD] = "subsd", [X_DIVSD] = "divsd",
        [X_SQRTSD] = "sqrtsd", [X_ADDSS] = "addss", [X_MULSS] = "mulss", [X_SUBSS] = "subss",
        [X_DIVSS] = "divss", [X_SQRTSS] = "sqrtss", [X_TZCNT] = "tzcnt", [X_LZCNT] = "lzcnt",
        [X_POPCNT] = "popcnt",
    };
    if (insn == X_CMOV || insn == X_SETCC)
        snprintf(out, len, "%s%s", insn == X_CMOV ? "cmov" : "set", cc_names[CC_E]);
    else if (insn == X_MOVQX || insn == X_MOVQR)
        snprintf(out, len, "%s", w64 ? "movq" : "movd");
    else
        snprintf(out, len, "%s", fixed[insn]);
}

static bool is_sse(enum xh_insn i)
{
    return i >= X_ADDSD && i <= X_SQRTSS;
}

/* Checks one row with one operand combination. */
static void check_row(enum xh_insn insn, bool w64, unsigned reg, struct x86_rm rm, int64_t imm)
{
    const struct x86_form_def *f = &x86_forms[insn];
    unsigned bits = (f->flags & X86_F_NOW) || w64 ? 64 : 32;
    unsigned rm_bits = bits, reg_bits = bits;
    switch (insn) {
    case X_MOVZX8: case X_MOVSX8: rm_bits = 8; break;
    case X_MOVZX16: case X_MOVSX16: rm_bits = 16; break;
    case X_MOVSXD: rm_bits = 32; break;
    case X_ST8: rm_bits = reg_bits = 8; break;
    case X_ST16: rm_bits = reg_bits = 16; break;
    case X_SETCC: rm_bits = 8; break;
    case X_MOVQX: case X_MOVQR: reg_bits = 128; break;
    default:
        if (is_sse(insn))
            rm_bits = reg_bits = 128;
        break;
    }
    if (f->flags & X86_F_CC)
        imm = CC_E;
    uint8_t buf[32];
    struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf) };
    x86_emit(&b, insn, w64, reg, rm, imm);
    struct want ops[3];
    unsigned n = 0;
    struct want wr = { W_REG, reg, reg_bits }, wm = { W_RM, 0, 0 }, wi = { W_IMM, 0, 0 };
    switch (f->form) {
    case XF_RM: ops[n++] = wr; ops[n++] = wm; break;
    case XF_MR: ops[n++] = wm; ops[n++] = wr; break;
    case XF_MI: case XF_MI8: ops[n++] = wm; ops[n++] = wi; break;
    case XF_RMI: ops[n++] = wr; ops[n++] = wm; ops[n++] = wi; break;
    default:
        ops[n++] = wm;
        if (insn >= X_ROLC && insn <= X_SARC)
            ops[n++] = (struct want){ W_REG, RCX, 8 };
        break;
    }
    char mn[16], what[128];
    mnemonic_of(insn, w64, mn, sizeof(mn));
    snprintf(what, sizeof(what), "%s w%d reg %u rm %s%u+%d imm %lld", f->name, w64 ? 64 : 32, reg,
             rm.mem ? "[" : "", rm.reg, rm.disp, (long long)imm);
    unsigned imm_bits = f->form == XF_MI8 ? 8 : bits == 64 ? 64 : 32;
    if (f->form == XF_MI && imm == (int8_t)imm && f->opcode8)
        imm_bits = bits;
    expect(what, buf, (size_t)(b.p - buf), mn, ops, n, rm, rm_bits, imm, imm_bits);
}

static void test_table(void)
{
    check_group("x86_encoder_table");
    static const unsigned regs[] = { RAX, RCX, RBX, RSP, RBP, RSI, RDI, R8, R12, R13, R15 };
    static const unsigned xregs[] = { 0, 1, 7, 8, 15 };
    struct x86_rm mems[] = {
        xm(RAX, 0), xm(RSP, 8), xm(RBP, 0), xm(R12, -8), xm(R13, 0x1000), xm(R14, 0x318),
        xmi(R15, RAX, 1, 0), xmi(RDX, RCX, 8, 0x40), xmi(R15, R9, 1, 0), xmi(RBX, R13, 4, -4),
    };
    static const int64_t imms[] = { 1, -1, 127, 128, -129, 0x12345678, -0x12345678 };
    for (unsigned insn = 0; insn < X86_NINSNS; insn++) {
        const struct x86_form_def *f = &x86_forms[insn];
        bool sse = is_sse(insn) || insn == X_MOVQX || insn == X_MOVQR;
        for (int w = 0; w < 2; w++) {
            if ((f->flags & X86_F_NOW) && w == 0)
                continue;
            if (insn == X_MOVSXD && !w)
                continue;
            /* r/m registers: xmm for the SSE arithmetic, GPRs otherwise */
            const unsigned *rl = is_sse(insn) ? xregs : regs;
            unsigned nr = is_sse(insn) ? 5 : sizeof(regs) / sizeof(regs[0]);
            const unsigned *reg_list = sse ? xregs : regs;
            unsigned n_reg = sse ? 5 : sizeof(regs) / sizeof(regs[0]);
            bool has_reg = f->form == XF_RM || f->form == XF_MR || f->form == XF_RMI;
            for (unsigned ri = 0; ri < (has_reg ? n_reg : 1); ri++) {
                unsigned reg = reg_list[ri];
                for (unsigned k = 0; k < nr; k++) {   /* register r/m */
                    if (insn == X_LEA)
                        continue;
                    if (f->form == XF_MI || f->form == XF_RMI) {
                        for (unsigned m = 0; m < sizeof(imms) / sizeof(imms[0]); m++)
                            if (insn != X_MOVI || imms[m] == (int32_t)imms[m])
                                check_row(insn, w, reg, xr(rl[k]), imms[m]);
                    } else {
                        check_row(insn, w, reg, xr(rl[k]), f->form == XF_MI8 ? 5 : 0);
                    }
                }
                for (unsigned k = 0; k < sizeof(mems) / sizeof(mems[0]); k++) {
                    if (f->form == XF_MI || f->form == XF_RMI)
                        check_row(insn, w, reg, mems[k], 0x1234);
                    else
                        check_row(insn, w, reg, mems[k], f->form == XF_MI8 ? 31 : 0);
                }
            }
        }
    }
    if (n_fail)
        printf("%s    (%u failures)\n", failures, n_fail);
    CHECK_EQ(n_fail, 0);
}

/* The encodings outside the table. */
static void test_special(void)
{
    check_group("x86_encoder_special");
    n_fail = 0;
    failures[0] = 0;
    uint8_t buf[32];
    static const uint64_t values[] = { 0, 1, 0xffffffff, 0x80000000, UINT64_MAX,
                                       0xffffffff80000000ull, 0x123456789abcdefull };
    for (unsigned r = 0; r < 16; r++) {
        for (unsigned k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
            struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf) };
            x86_mov_imm(&b, r, values[k]);
            bool w = values[k] > UINT32_MAX;
            struct want ops[2] = { { W_REG, r, w ? 64 : 32 }, { W_IMM, 0, 0 } };
            expect("mov_imm", buf, (size_t)(b.p - buf), values[k] > UINT32_MAX &&
                   (int64_t)values[k] != (int32_t)values[k] ? "movabs" : "mov", ops, 2, xr(0), 0,
                   (int64_t)values[k], w ? 64 : 32);
        }
        for (int w = 0; w < 2; w++) {
            struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf) };
            x86_bswap(&b, w, r);
            struct want op = { W_REG, r, w ? 64 : 32 };
            expect("bswap", buf, (size_t)(b.p - buf), "bswap", &op, 1, xr(0), 0, 0, 0);
        }
        for (int push = 0; push < 2; push++) {
            struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf) };
            x86_push_pop(&b, push, r);
            struct want op = { W_REG, r, 64 };
            expect("push/pop", buf, (size_t)(b.p - buf), push ? "push" : "pop", &op, 1, xr(0), 0,
                   0, 0);
        }
    }
    /* Branches: targets relative to the executable address 0x1000 (capstone's base). */
    struct host_buf b = { .p = buf, .start = buf, .end = buf + sizeof(buf),
                         .rx_delta = 0x1000 - (intptr_t)buf };
    x86_jmp(&b, (void *)0x2000);
    struct want op = { W_IMM, 0, 0 };
    expect("jmp", buf, (size_t)(b.p - buf), "jmp", &op, 1, xr(0), 0, 0x2000, 64);
    for (unsigned cc = 0; cc < 16; cc++) {
        b.p = buf;
        x86_jcc(&b, cc, (void *)0x800);
        char mn[8];
        snprintf(mn, sizeof(mn), "j%s", cc_names[cc]);
        expect("jcc", buf, (size_t)(b.p - buf), mn, &op, 1, xr(0), 0, 0x800, 64);
    }
    b.p = buf;
    x86_call(&b, (void *)0x123456);
    expect("call", buf, (size_t)(b.p - buf), "call", &op, 1, xr(0), 0, 0x123456, 64);
    b.p = buf;
    x86_lea_rip(&b, R9, (void *)0x1000);
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, (size_t)(b.p - buf), 0x1000, 0, &insn);
    CHECK(n == 1 && !strcmp(insn[0].mnemonic, "lea") &&
          insn[0].detail->x86.operands[1].mem.base == X86_REG_RIP &&
          0x1000 + insn[0].size + insn[0].detail->x86.operands[1].mem.disp == 0x1000);
    if (n)
        cs_free(insn, n);
    if (n_fail)
        printf("%s", failures);
    CHECK_EQ(n_fail, 0);
}

int main(void)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
        return 1;
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    test_table();
    test_special();
    cs_close(&cs);
    return check_done();
}
