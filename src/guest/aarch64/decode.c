/* The A64 decoder: insns.def expanded into a table, indexed by the major group (bits 28:25),
 * and the immediate decoders (bitmasks, FP and SIMD immediates) shared by the translator and
 * the disassembler. */
#include "guest/aarch64/decode.h"

#include "guest/aarch64/fpu.h"
#include "guest/aarch64/simd.h"
#include "guest/aarch64/translate.h"
#include "ir/ir.h"

/* Addressing-mode bits of a load/store register: bit 24 unsigned offset; bits 11:10 of the
 * unscaled forms; bit 21 register offset. Pair modes are bits 24:23. */
#define LDST_ROWS(name, base, arg)                                                          \
    { name, 0xffc00000, (base) | 0x01000000, A64_FMT_MEM_UIMM, trans_ldst_uimm, arg },     \
    { name, 0xffe00c00, (base), A64_FMT_MEM_SIMM, trans_ldst_simm, arg },                  \
    { name, 0xffe00c00, (base) | 0x00000400, A64_FMT_MEM_POST, trans_ldst_post, arg },     \
    { name, 0xffe00c00, (base) | 0x00000800, A64_FMT_MEM_SIMM, trans_ldst_simm, arg },     \
    { name, 0xffe00c00, (base) | 0x00000c00, A64_FMT_MEM_PRE, trans_ldst_pre, arg },       \
    { name, 0xffe00c00, (base) | 0x00200800, A64_FMT_MEM_REG, trans_ldst_reg, arg },
#define LDSTP_ROWS(name, base, arg)                                                         \
    { name, 0xffc00000, (base), A64_FMT_PAIR_OFF, trans_ldstp_off, arg },                  \
    { name, 0xffc00000, (base) | 0x00800000, A64_FMT_PAIR_POST, trans_ldstp_post, arg },   \
    { name, 0xffc00000, (base) | 0x01000000, A64_FMT_PAIR_OFF, trans_ldstp_off, arg },     \
    { name, 0xffc00000, (base) | 0x01800000, A64_FMT_PAIR_PRE, trans_ldstp_pre, arg },

const struct a64_insn_def a64_insns[] = {
#define A64_INSN(name, mask, match, fmt, trans, arg) \
    { name, mask, match, A64_FMT_##fmt, trans_##trans, arg },
#define A64_LDST(name, base, arg) LDST_ROWS(name, base, arg)
#define A64_LDSTP(name, base, arg) LDSTP_ROWS(name, base, arg)
#include "guest/aarch64/insns.def"
#undef A64_INSN
#undef A64_LDST
#undef A64_LDSTP
};
const size_t a64_n_insns = sizeof(a64_insns) / sizeof(a64_insns[0]);

/* Rows per major group: group g holds every row whose mask and match allow bits 28:25 = g,
 * in table order. A row with a free bit there appears in several groups. */
#define N_GROUPS 16
#define GROUP_SHIFT 25
static uint16_t first[N_GROUPS + 1];
static uint16_t by_group[N_GROUPS * (sizeof(a64_insns) / sizeof(a64_insns[0]))];

static bool row_in_group(const struct a64_insn_def *d, uint32_t g)
{
    uint32_t gm = (d->mask >> GROUP_SHIFT) & 0xf;
    return ((g ^ (d->match >> GROUP_SHIFT)) & gm) == 0;
}

__attribute__((constructor)) static void build_group_index(void)
{
    unsigned n = 0;
    for (uint32_t g = 0; g < N_GROUPS; g++) {
        first[g] = (uint16_t)n;
        for (size_t i = 0; i < a64_n_insns; i++)
            if (row_in_group(&a64_insns[i], g))
                by_group[n++] = (uint16_t)i;
    }
    first[N_GROUPS] = (uint16_t)n;
}

int a64_decode(uint32_t word, struct a64_insn *out)
{
    uint32_t g = (word >> GROUP_SHIFT) & 0xf;
    for (unsigned i = first[g]; i < first[g + 1]; i++) {
        const struct a64_insn_def *d = &a64_insns[by_group[i]];
        if ((word & d->mask) != d->match)
            continue;
        *out = (struct a64_insn){
            .def = d,
            .word = word,
            .rd = a64_bits(word, 4, 0),
            .rn = a64_bits(word, 9, 5),
            .rm = a64_bits(word, 20, 16),
            .ra = a64_bits(word, 14, 10),
            .sf = word >> 31,
        };
        return 0;
    }
    return -1;
}

static uint64_t ones(unsigned n)
{
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static uint64_t ror(uint64_t x, unsigned r, unsigned esize)
{
    r %= esize;
    if (!r)
        return x;
    return ((x >> r) | (x << (esize - r))) & ones(esize);
}

static uint64_t replicate(uint64_t x, unsigned esize)
{
    for (unsigned w = esize; w < 64; w *= 2)
        x |= x << w;
    return x;
}

bool a64_decode_bitmask(unsigned n, unsigned imms, unsigned immr, bool is64, bool logical,
                        uint64_t *wmask, uint64_t *tmask)
{
    unsigned combined = n << 6 | (~imms & 0x3f);
    if (!combined)
        return false;
    int len = 31 - __builtin_clz(combined);
    if (len < 1 || (!is64 && n))
        return false;
    unsigned esize = 1u << len, levels = esize - 1;
    unsigned s = imms & levels, r = immr & levels;
    if (logical && s == levels)
        return false;
    unsigned diff = (s - r) & levels;
    uint64_t welem = ones(s + 1), telem = ones(diff + 1);
    unsigned width = is64 ? 64 : 32;
    *wmask = replicate(ror(welem, r, esize), esize) & ones(width);
    if (tmask)
        *tmask = replicate(telem, esize) & ones(width);
    return true;
}

uint64_t a64_expand_fp_imm(unsigned imm8, bool is_double)
{
    uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low6 = imm8 & 0x3f;
    if (is_double) {
        uint64_t exp = ((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >> 4) & 3);
        return sign << 63 | exp << 52 | (low6 & 0xf) << 48;
    }
    uint64_t exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >> 4) & 3);
    return sign << 31 | exp << 23 | (low6 & 0xf) << 19;
}

uint64_t a64_expand_simd_imm(unsigned op, unsigned cmode, unsigned imm8)
{
    uint64_t v = imm8;
    switch (cmode >> 1) {
    case 0: return replicate(v, 32);
    case 1: return replicate(v << 8, 32);
    case 2: return replicate(v << 16, 32);
    case 3: return replicate(v << 24, 32);
    case 4: return replicate(v, 16);
    case 5: return replicate(v << 8, 16);
    case 6:
        return replicate(cmode & 1 ? (v << 16) | 0xffff : (v << 8) | 0xff, 32);
    default:
        if (!(cmode & 1) && !op)
            return replicate(v, 8);
        if (!(cmode & 1)) { /* op = 1: each bit of imm8 becomes a byte */
            uint64_t r = 0;
            for (unsigned i = 0; i < 8; i++)
                if (imm8 & (1u << i))
                    r |= 0xffull << (8 * i);
            return r;
        }
        if (!op) /* FMOV (vector, single) */
            return replicate(a64_expand_fp_imm(imm8, false), 32);
        return a64_expand_fp_imm(imm8, true);
    }
}

const char *const a64_cond_names[16] = {
    "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
    "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
};
