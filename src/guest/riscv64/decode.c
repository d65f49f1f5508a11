/* The RV64GC decoder: insns.def expanded into a table, indexed by major opcode, and the field
 * extraction for each format. */
#include "guest/riscv64/decode.h"

#include "guest/riscv64/fpu.h"
#include "guest/riscv64/translate.h"
#include "ir/ir.h"

#define XX 0
#define FFF (RV_RD_F | RV_RS1_F | RV_RS2_F | RV_RS3_F)
#define XF RV_RS1_F
#define XFF (RV_RS1_F | RV_RS2_F)
#define FX RV_RD_F
#define SF RV_RS2_F

const struct rv64_insn_def rv64_insns[] = {
#define RV_INSN(name, mask, match, fmt, fregs, trans, arg) \
    { name, mask, match, RV_FMT_##fmt, fregs, trans_##trans, arg },
#include "guest/riscv64/insns.def"
#undef RV_INSN
};
const size_t rv64_n_insns = sizeof(rv64_insns) / sizeof(rv64_insns[0]);

/* Rows grouped by the major opcode (bits 6:0), so a lookup scans a handful of rows instead of
 * the whole table: by_opcode[first[op] .. first[op + 1]) are the rows of opcode op. */
#define N_OPCODES 128
static uint16_t first[N_OPCODES + 1];
static uint16_t by_opcode[sizeof(rv64_insns) / sizeof(rv64_insns[0])];

__attribute__((constructor)) static void build_opcode_index(void)
{
    uint16_t count[N_OPCODES] = { 0 };
    for (size_t i = 0; i < rv64_n_insns; i++)
        count[rv64_insns[i].match & 0x7f]++;
    for (unsigned op = 0; op < N_OPCODES; op++)
        first[op + 1] = first[op] + count[op];
    uint16_t fill[N_OPCODES];
    for (unsigned op = 0; op < N_OPCODES; op++)
        fill[op] = first[op];
    for (size_t i = 0; i < rv64_n_insns; i++)
        by_opcode[fill[rv64_insns[i].match & 0x7f]++] = (uint16_t)i;
}

static const struct rv64_insn_def *lookup(uint32_t word)
{
    unsigned op = word & 0x7f;
    for (unsigned i = first[op]; i < first[op + 1]; i++) {
        const struct rv64_insn_def *d = &rv64_insns[by_opcode[i]];
        if ((word & d->mask) == d->match)
            return d;
    }
    return NULL;
}

static uint32_t bits(uint32_t word, unsigned hi, unsigned lo)
{
    return (word >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t value, unsigned width)
{
    unsigned shift = 64 - width;
    return (int64_t)(value << shift) >> shift;
}

static int64_t immediate(enum rv64_fmt fmt, uint32_t w)
{
    switch (fmt) {
    case RV_FMT_I:
    case RV_FMT_I_MEM:
        return sext(bits(w, 31, 20), 12);
    case RV_FMT_SHIFT:
        return bits(w, 25, 20);
    case RV_FMT_S:
        return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
    case RV_FMT_B:
        return sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 |
                    bits(w, 11, 8) << 1, 13);
    case RV_FMT_U:
        return sext(w & 0xfffff000u, 32);
    case RV_FMT_J:
        return sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 |
                    bits(w, 30, 21) << 1, 21);
    case RV_FMT_CSRI:
        return bits(w, 19, 15);
    case RV_FMT_FENCE:
        return bits(w, 27, 20);
    default:
        return 0;
    }
}

int rv64_decode(uint32_t word, struct rv64_insn *out)
{
    const struct rv64_insn_def *d = lookup(word);
    if (!d)
        return -1;
    *out = (struct rv64_insn){
        .def = d,
        .word = word,
        .rd = bits(word, 11, 7),
        .rs1 = bits(word, 19, 15),
        .rs2 = bits(word, 24, 20),
        .rs3 = bits(word, 31, 27),
        .rm = bits(word, 14, 12),
        .aq = bits(word, 26, 26),
        .rl = bits(word, 25, 25),
        .csr = bits(word, 31, 20),
        .imm = immediate(d->fmt, word),
    };
    return 0;
}
