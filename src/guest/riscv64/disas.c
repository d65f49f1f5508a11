/* The disassembler behind --log=in_asm: prints a decoded instruction from its insns.def row
 * and format, with ABI register names. Compressed instructions print as their expansion. */
#include <inttypes.h>
#include <stdio.h>

#include "guest/riscv64/decode.h"

const char *const rv64_xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
};
const char *const rv64_freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

static const char *reg(const struct rv64_insn *in, unsigned n, unsigned f_flag)
{
    return (in->def->fregs & f_flag) ? rv64_freg_names[n] : rv64_xreg_names[n];
}

/* ", rtz" for a static rounding mode; nothing for the dynamic one (as objdump prints it). */
static const char *rm_suffix(unsigned rm)
{
    static const char *const names[8] = { ", rne", ", rtz", ", rdn", ", rup", ", rmm",
                                          ", rm5", ", rm6", "" };
    return names[rm & 7];
}

static const char *ordering_suffix(const struct rv64_insn *in)
{
    return in->aq ? (in->rl ? ".aqrl" : ".aq") : (in->rl ? ".rl" : "");
}

static void csr_name(unsigned csr, char *buf, size_t len)
{
    switch (csr) {
    case 0x001: snprintf(buf, len, "fflags"); break;
    case 0x002: snprintf(buf, len, "frm"); break;
    case 0x003: snprintf(buf, len, "fcsr"); break;
    case 0xc00: snprintf(buf, len, "cycle"); break;
    case 0xc01: snprintf(buf, len, "time"); break;
    case 0xc02: snprintf(buf, len, "instret"); break;
    default: snprintf(buf, len, "0x%03x", csr); break;
    }
}

/* Fence predecessor/successor sets as "iorw" letters. */
static void fence_set(unsigned set, char *buf)
{
    char *p = buf;
    for (unsigned i = 0; i < 4; i++)
        if (set & (8u >> i))
            *p++ = "iorw"[i];
    if (p == buf)
        *p++ = '0';
    *p = '\0';
}

static void format_insn(uint64_t pc, const struct rv64_insn *in, char *out, size_t len)
{
    const char *name = in->def->name;
    const char *rd = reg(in, in->rd, RV_RD_F), *rs1 = reg(in, in->rs1, RV_RS1_F);
    const char *rs2 = reg(in, in->rs2, RV_RS2_F), *rs3 = reg(in, in->rs3, RV_RS3_F);
    char csr[16], pred[8], succ[8];
    switch ((enum rv64_fmt)in->def->fmt) {
    case RV_FMT_R: snprintf(out, len, "%s %s, %s, %s", name, rd, rs1, rs2); break;
    case RV_FMT_R_RM:
        snprintf(out, len, "%s %s, %s, %s%s", name, rd, rs1, rs2, rm_suffix(in->rm));
        break;
    case RV_FMT_R2: snprintf(out, len, "%s %s, %s", name, rd, rs1); break;
    case RV_FMT_R2_RM: snprintf(out, len, "%s %s, %s%s", name, rd, rs1, rm_suffix(in->rm)); break;
    case RV_FMT_R4:
        snprintf(out, len, "%s %s, %s, %s, %s%s", name, rd, rs1, rs2, rs3, rm_suffix(in->rm));
        break;
    case RV_FMT_I: snprintf(out, len, "%s %s, %s, %" PRId64, name, rd, rs1, in->imm); break;
    case RV_FMT_SHIFT: snprintf(out, len, "%s %s, %s, 0x%" PRIx64, name, rd, rs1, in->imm); break;
    case RV_FMT_I_MEM: snprintf(out, len, "%s %s, %" PRId64 "(%s)", name, rd, in->imm, rs1); break;
    case RV_FMT_S: snprintf(out, len, "%s %s, %" PRId64 "(%s)", name, rs2, in->imm, rs1); break;
    case RV_FMT_B:
        snprintf(out, len, "%s %s, %s, 0x%" PRIx64, name, rs1, rs2, pc + (uint64_t)in->imm);
        break;
    case RV_FMT_U:
        snprintf(out, len, "%s %s, 0x%" PRIx64, name, rd, ((uint64_t)in->imm >> 12) & 0xfffff);
        break;
    case RV_FMT_J: snprintf(out, len, "%s %s, 0x%" PRIx64, name, rd, pc + (uint64_t)in->imm); break;
    case RV_FMT_AMO:
        snprintf(out, len, "%s%s %s, %s, (%s)", name, ordering_suffix(in), rd, rs2, rs1);
        break;
    case RV_FMT_LR: snprintf(out, len, "%s%s %s, (%s)", name, ordering_suffix(in), rd, rs1); break;
    case RV_FMT_CSR:
        csr_name(in->csr, csr, sizeof(csr));
        snprintf(out, len, "%s %s, %s, %s", name, rd, csr, rs1);
        break;
    case RV_FMT_CSRI:
        csr_name(in->csr, csr, sizeof(csr));
        snprintf(out, len, "%s %s, %s, %" PRId64, name, rd, csr, in->imm);
        break;
    case RV_FMT_FENCE:
        fence_set((unsigned)in->imm >> 4, pred);
        fence_set((unsigned)in->imm & 15, succ);
        snprintf(out, len, "%s %s, %s", name, pred, succ);
        break;
    case RV_FMT_RS: snprintf(out, len, "%s %s, %s", name, rs1, rs2); break;
    case RV_FMT_NONE: snprintf(out, len, "%s", name); break;
    }
}

int rv64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen)
{
    if (len < 2)
        return 0;
    uint32_t word = code[0] | (uint32_t)code[1] << 8;
    int size = (word & 3) == 3 ? 4 : 2;
    if ((size_t)size > len)
        return 0;
    if (size == 4)
        word |= (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24;
    struct rv64_insn in;
    if ((size == 2 && rv64_expand_compressed((uint16_t)word, &word) < 0) ||
        rv64_decode(word, &in) < 0) {
        snprintf(out, outlen, "(illegal) 0x%0*" PRIx32, 2 * size, word);
        return size;
    }
    format_insn(pc, &in, out, outlen);
    return size;
}
