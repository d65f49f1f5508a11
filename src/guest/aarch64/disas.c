/* The disassembler behind --log=in_asm: prints a decoded instruction from its insns.def row
 * and format. Register 31 prints as sp where the format allows SP and as xzr/wzr elsewhere;
 * immediates print decoded, targets as absolute addresses. */
#include <inttypes.h>
#include <stdio.h>

#include "guest/aarch64/decode.h"
#include "guest/aarch64/translate.h"

static const char *xreg(unsigned n, bool sf, bool sp, char *buf)
{
    if (n == 31)
        snprintf(buf, 8, "%s", sp ? (sf ? "sp" : "wsp") : (sf ? "xzr" : "wzr"));
    else
        snprintf(buf, 8, "%c%u", sf ? 'x' : 'w', n);
    return buf;
}

/* The transfer register of a load/store row: b/h/s/d/q for V registers, w or x else. */
static const char *mem_reg(const struct a64_insn *in, unsigned n, char *buf)
{
    int arg = in->def->arg;
    unsigned size = arg & A64_LS_SIZE;
    if (arg & A64_LS_PRFM)
        snprintf(buf, 8, "#%u", n);
    else if (arg & A64_LS_FP)
        snprintf(buf, 8, "%c%u", "bhsdq"[size], n);
    else
        xreg(n, size == 3 || ((arg & A64_LS_SIGN) && !(arg & A64_LS_W)), false, buf);
    return buf;
}

static uint64_t rel(uint64_t pc, uint32_t w, unsigned hi, unsigned lo)
{
    return pc + ((uint64_t)a64_sext(a64_bits(w, hi, lo), hi - lo + 1) << 2);
}

static void format_insn(uint64_t pc, const struct a64_insn *in, char *out, size_t len)
{
    const char *name = in->def->name;
    uint32_t w = in->word;
    bool sf = in->sf;
    char d[8], n[8], m[8], a[8];
    switch ((enum a64_fmt)in->def->fmt) {
    case A64_FMT_NONE: snprintf(out, len, "%s", name); break;
    case A64_FMT_RRR:
        snprintf(out, len, "%s %s, %s, %s", name, xreg(in->rd, sf, false, d),
                 xreg(in->rn, sf, false, n), xreg(in->rm, sf, false, m));
        break;
    case A64_FMT_RRRR:
        snprintf(out, len, "%s %s, %s, %s, %s", name, xreg(in->rd, sf, false, d),
                 xreg(in->rn, sf, false, n), xreg(in->rm, sf, false, m),
                 xreg(in->ra, sf, false, a));
        break;
    case A64_FMT_RR:
        snprintf(out, len, "%s %s, %s", name, xreg(in->rd, sf, false, d), xreg(in->rn, sf, false, n));
        break;
    case A64_FMT_ADDI:   /* a flag-setting one's Rd 31 is the zero register (CMP, CMN) */
        snprintf(out, len, "%s %s, %s, #0x%x%s", name, xreg(in->rd, sf, !a64_bits(w, 29, 29), d),
                 xreg(in->rn, sf, true, n), a64_bits(w, 21, 10), a64_bits(w, 22, 22) ? ", lsl #12" : "");
        break;
    case A64_FMT_LOGI: {
        uint64_t mask = 0;
        a64_decode_bitmask(a64_bits(w, 22, 22), a64_bits(w, 15, 10), a64_bits(w, 21, 16), sf,
                           true, &mask, NULL);
        snprintf(out, len, "%s %s, %s, #0x%" PRIx64, name,
                 xreg(in->rd, sf, a64_bits(w, 30, 29) != 3, d),   /* ANDS (TST): zero register */
                 xreg(in->rn, sf, false, n), mask);
        break;
    }
    case A64_FMT_MOVW:
        snprintf(out, len, "%s %s, #0x%x, lsl #%u", name, xreg(in->rd, sf, false, d),
                 a64_bits(w, 20, 5), 16 * a64_bits(w, 22, 21));
        break;
    case A64_FMT_ADR: {
        int64_t imm = a64_sext(a64_bits(w, 23, 5) << 2 | a64_bits(w, 30, 29), 21);
        uint64_t t = sf ? (pc & ~(uint64_t)0xfff) + ((uint64_t)imm << 12) : pc + (uint64_t)imm;
        snprintf(out, len, "%s %s, 0x%" PRIx64, name, xreg(in->rd, true, false, d), t);
        break;
    }
    case A64_FMT_BITF:
        snprintf(out, len, "%s %s, %s, #%u, #%u", name, xreg(in->rd, sf, false, d),
                 xreg(in->rn, sf, false, n), a64_bits(w, 21, 16), a64_bits(w, 15, 10));
        break;
    case A64_FMT_EXTR:
        snprintf(out, len, "%s %s, %s, %s, #%u", name, xreg(in->rd, sf, false, d),
                 xreg(in->rn, sf, false, n), xreg(in->rm, sf, false, m), a64_bits(w, 15, 10));
        break;
    case A64_FMT_CSEL:
        snprintf(out, len, "%s %s, %s, %s, %s", name, xreg(in->rd, sf, false, d),
                 xreg(in->rn, sf, false, n), xreg(in->rm, sf, false, m),
                 a64_cond_names[a64_bits(w, 15, 12)]);
        break;
    case A64_FMT_CCMP:
        if (a64_bits(w, 11, 11))
            snprintf(out, len, "%s %s, #%u, #%u, %s", name, xreg(in->rn, sf, false, n), in->rm,
                     a64_bits(w, 3, 0), a64_cond_names[a64_bits(w, 15, 12)]);
        else
            snprintf(out, len, "%s %s, %s, #%u, %s", name, xreg(in->rn, sf, false, n),
                     xreg(in->rm, sf, false, m), a64_bits(w, 3, 0), a64_cond_names[a64_bits(w, 15, 12)]);
        break;
    case A64_FMT_MEM_UIMM:
        snprintf(out, len, "%s %s, [%s, #0x%x]", name, mem_reg(in, in->rd, d),
                 xreg(in->rn, true, true, n), a64_bits(w, 21, 10) << (in->def->arg & A64_LS_SIZE));
        break;
    case A64_FMT_MEM_SIMM:
        snprintf(out, len, "%s %s, [%s, #%" PRId64 "]", name, mem_reg(in, in->rd, d),
                 xreg(in->rn, true, true, n), a64_sext(a64_bits(w, 20, 12), 9));
        break;
    case A64_FMT_MEM_POST:
        snprintf(out, len, "%s %s, [%s], #%" PRId64, name, mem_reg(in, in->rd, d),
                 xreg(in->rn, true, true, n), a64_sext(a64_bits(w, 20, 12), 9));
        break;
    case A64_FMT_MEM_PRE:
        snprintf(out, len, "%s %s, [%s, #%" PRId64 "]!", name, mem_reg(in, in->rd, d),
                 xreg(in->rn, true, true, n), a64_sext(a64_bits(w, 20, 12), 9));
        break;
    case A64_FMT_MEM_REG:
        snprintf(out, len, "%s %s, [%s, %s]", name, mem_reg(in, in->rd, d),
                 xreg(in->rn, true, true, n), xreg(in->rm, a64_bits(w, 13, 13), false, m));
        break;
    case A64_FMT_MEM_LIT:
        snprintf(out, len, "%s %s, 0x%" PRIx64, name, mem_reg(in, in->rd, d), rel(pc, w, 23, 5));
        break;
    case A64_FMT_PAIR_OFF:
    case A64_FMT_PAIR_POST:
    case A64_FMT_PAIR_PRE: {
        int64_t imm = (int64_t)((uint64_t)a64_sext(a64_bits(w, 21, 15), 7) << (in->def->arg & A64_LS_SIZE));
        const char *form = in->def->fmt == A64_FMT_PAIR_OFF ? "%s %s, %s, [%s, #%" PRId64 "]"
                           : in->def->fmt == A64_FMT_PAIR_PRE ? "%s %s, %s, [%s, #%" PRId64 "]!"
                                                               : "%s %s, %s, [%s], #%" PRId64;
        snprintf(out, len, form, name, mem_reg(in, in->rd, d), mem_reg(in, in->ra, a),
                 xreg(in->rn, true, true, n), imm);
        break;
    }
    case A64_FMT_EXCL: {
        bool wide = a64_bits(w, 31, 30) == 3;
        snprintf(out, len, "%s %s, %s, %s, [%s]", name, xreg(in->rm, wide, false, m),
                 xreg(in->rd, wide, false, d), xreg(in->ra, wide, false, a),
                 xreg(in->rn, true, true, n));
        break;
    }
    case A64_FMT_BRANCH: snprintf(out, len, "%s 0x%" PRIx64, name, rel(pc, w, 25, 0)); break;
    case A64_FMT_BCOND:
        snprintf(out, len, "%s%s 0x%" PRIx64, name, a64_cond_names[a64_bits(w, 3, 0)],
                 rel(pc, w, 23, 5));
        break;
    case A64_FMT_CBZ:
        snprintf(out, len, "%s %s, 0x%" PRIx64, name, xreg(in->rd, sf, false, d), rel(pc, w, 23, 5));
        break;
    case A64_FMT_TBZ:
        snprintf(out, len, "%s %s, #%u, 0x%" PRIx64, name, xreg(in->rd, true, false, d),
                 a64_bits(w, 31, 31) << 5 | a64_bits(w, 23, 19), rel(pc, w, 18, 5));
        break;
    case A64_FMT_BREG: snprintf(out, len, "%s %s", name, xreg(in->rn, true, false, n)); break;
    case A64_FMT_IMM16: snprintf(out, len, "%s #0x%x", name, a64_bits(w, 20, 5)); break;
    case A64_FMT_SYSREG:
        snprintf(out, len, "%s %s, s%u_%u_c%u_c%u_%u", name, xreg(in->rd, true, false, d),
                 2 + a64_bits(w, 19, 19), a64_bits(w, 18, 16), a64_bits(w, 15, 12),
                 a64_bits(w, 11, 8), a64_bits(w, 7, 5));
        break;
    case A64_FMT_FP:
        snprintf(out, len, "%s v%u, v%u, v%u", name, in->rd, in->rn, in->rm);
        break;
    }
}

int a64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen)
{
    if (len < 4)
        return 0;
    uint32_t w = code[0] | (uint32_t)code[1] << 8 | (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24;
    struct a64_insn in;
    if (a64_decode(w, &in) < 0)
        snprintf(out, outlen, ".inst 0x%08x", w);
    else
        format_insn(pc, &in, out, outlen);
    return 4;
}
