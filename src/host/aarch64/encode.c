/* The AArch64 encoder: the table of instruction forms from a64.h and the one function that
 * places a row's operands into its word, plus constants (movz/movn/movk sequences) and the
 * pc-relative branches, which are written and re-pointed (chaining) as single words. */
#include "host/aarch64/a64.h"

const struct a64_form_def a64_forms[A64_NINSNS] = {
#define A64_ROW(n, op, f, w) [A_##n] = { .name = #n, .opcode = op, .wbits = w, .form = f },
    A64_INSNS(A64_ROW)
#undef A64_ROW
};

uint32_t a64_word(enum a64_insn insn, bool w64, unsigned rd, unsigned rn, unsigned rm,
                  int64_t imm)
{
    const struct a64_form_def *f = &a64_forms[insn];
    uint32_t w = f->opcode | (w64 ? f->wbits : 0);
    uint32_t d = rd & 31, n = (rn & 31) << 5, m = (rm & 31) << 16;
    switch ((enum a64_form)f->form) {
    case AF_R3:
        return w | d | n | m;
    case AF_R4:
        return w | d | n | m | ((uint32_t)imm & 31) << 10;
    case AF_R2:
        return w | d | n;
    case AF_CSEL:
        return w | d | n | m | ((uint32_t)imm & 15) << 12;
    case AF_I12:
        if (imm > 0xfff)
            return w | d | n | 1u << 22 | ((uint32_t)(imm >> 12) & 0xfff) << 10;
        return w | d | n | ((uint32_t)imm & 0xfff) << 10;
    case AF_BFM:
        return w | d | n | ((uint32_t)imm & 63) << 16 | ((uint32_t)(imm >> 8) & 63) << 10;
    case AF_EXTR:
        return w | d | n | m | ((uint32_t)imm & 63) << 10;
    case AF_MOVW:
        return w | d | ((uint32_t)imm & 0xffff) << 5 | ((uint32_t)(imm >> 16) & 3) << 21;
    case AF_LDST:
        if (rm != A64_NOREG)   /* register offset, LSL (option 011), S = imm */
            return (w ^ 0x01000000) | 0x00206800 | d | n | m | (imm ? 1u << 12 : 0);
        return w | d | n | ((uint32_t)(imm >> (f->opcode >> 30)) & 0xfff) << 10;
    case AF_LDP:
        return w | d | n | (rm & 31) << 10 | ((uint32_t)(imm / 8) & 0x7f) << 15;
    case AF_BR:
        return w | n;
    case AF_NONE:
        return w;
    case AF_B26:
        return w | ((uint32_t)(imm >> 2) & 0x3ffffff);
    case AF_B19:
        return w | ((uint32_t)(imm >> 2) & 0x7ffff) << 5 | (rd & 15);
    case AF_CB:
        return w | ((uint32_t)(imm >> 2) & 0x7ffff) << 5 | d;
    case AF_ADR:
        return w | d | ((uint32_t)imm & 3) << 29 | ((uint32_t)(imm >> 2) & 0x7ffff) << 5;
    }
    return 0;
}

void a64_word_out(struct host_buf *b, uint32_t word)
{
    if (b->p + 4 > b->end) {
        b->overflow = true;
        return;
    }
    __builtin_memcpy(b->p, &word, 4);
    b->p += 4;
}

void a64_emit(struct host_buf *b, enum a64_insn insn, bool w64, unsigned rd, unsigned rn,
              unsigned rm, int64_t imm)
{
    a64_word_out(b, a64_word(insn, w64, rd, rn, rm, imm));
}

void a64_mov_imm(struct host_buf *b, unsigned rd, uint64_t imm)
{
    bool w64 = imm > UINT32_MAX;
    unsigned n = w64 ? 4 : 2, zeros = 0, ones = 0;
    for (unsigned k = 0; k < n; k++) {
        uint16_t h = (uint16_t)(imm >> 16 * k);
        zeros += h == 0;
        ones += h == 0xffff;
    }
    /* movn starts from all ones: better when more halves are 0xffff than 0 */
    bool inv = ones > zeros;
    uint16_t skip = inv ? 0xffff : 0;
    bool first = true;
    for (unsigned k = 0; k < n; k++) {
        uint16_t h = (uint16_t)(imm >> 16 * k);
        if (h == skip && !(first && k == n - 1))
            continue;
        if (first)
            a64_emit(b, inv ? A_MOVN : A_MOVZ, w64, rd, 0, 0,
                     (inv ? (uint16_t)~h : h) | (int64_t)k << 16);
        else
            a64_emit(b, A_MOVK, w64, rd, 0, 0, h | (int64_t)k << 16);
        first = false;
    }
}

void a64_mov(struct host_buf *b, bool w64, unsigned rd, unsigned rn)
{
    a64_emit(b, A_ORR, w64, rd, A64_ZR, rn, 0);
}

static bool fits(int64_t v, unsigned bits)
{
    return v >= -(1ll << (bits - 1)) && v < (1ll << (bits - 1));
}

bool a64_branch_reaches(enum a64_insn insn, const uint8_t *rx, const void *target)
{
    int64_t off = (intptr_t)target - (intptr_t)rx;
    return fits(off, a64_forms[insn].form == AF_B26 ? 28 : 21);
}

uint8_t *a64_branch(struct host_buf *b, enum a64_insn insn, bool w64, unsigned rt,
                    const void *target)
{
    uint8_t *at = b->p;
    int64_t off = target ? (intptr_t)target - (intptr_t)a64_rx(b, at) : 0;
    a64_emit(b, insn, w64, rt, 0, 0, off);
    return b->overflow ? NULL : at;
}

void a64_adr(struct host_buf *b, unsigned rd, const void *target)
{
    a64_emit(b, A_ADR, true, rd, 0, 0, (intptr_t)target - (intptr_t)a64_rx(b, b->p));
}

const void *a64_branch_target(uint32_t word, const uint8_t *rx)
{
    int64_t off;
    if ((word & 0x7c000000) == 0x14000000)               /* B, BL: imm26 */
        off = (int64_t)((uint64_t)(word & 0x3ffffff) << 38) >> 36;
    else                                                  /* B.cond, CBZ, CBNZ: imm19 */
        off = (int64_t)((uint64_t)(word >> 5 & 0x7ffff) << 45) >> 43;
    return rx + off;
}

const void *a64_patch_branch(uint8_t *rw, const uint8_t *rx, const void *target)
{
    uint32_t word = __atomic_load_n((uint32_t *)(void *)rw, __ATOMIC_RELAXED);
    const void *before = a64_branch_target(word, rx);
    int64_t off = (intptr_t)target - (intptr_t)rx;
    if ((word & 0x7c000000) == 0x14000000)
        word = (word & 0xfc000000) | ((uint32_t)(off >> 2) & 0x3ffffff);
    else
        word = (word & 0xff00001f) | ((uint32_t)(off >> 2) & 0x7ffff) << 5;
    __atomic_store_n((uint32_t *)(void *)rw, word, __ATOMIC_RELEASE);
    return before;
}
