/* The x86-64 decoder: insns.def expanded into a table indexed by (map, opcode), and the walk
 * over prefixes, REX/VEX, ModRM/SIB, displacement and immediate that every instruction shares.
 * Which row an opcode selects depends only on the mandatory prefix, ModRM and REX.W/VEX.W/L,
 * so the length of every implemented form follows from its row. */
#include "guest/x86_64/decode.h"

#include <errno.h>
#include <string.h>

#include "guest/x86_64/sse.h"
#include "guest/x86_64/x87.h"

#define PLUSR X64_F_PLUSR
#define D64   X64_F_D64
#define F64   X64_F_F64
#define LOCK  X64_F_LOCK
#define W0    X64_F_W0
#define W1    X64_F_W1
#define L128  X64_F_L0
#define L256  X64_F_L1
#define VVVV  X64_F_VVVV
#define NOREXB X64_F_NOREXB
#define UNAL  X64_F_UNAL
#define VSIB  X64_F_VSIB

#define ROW(name, map, op, pfx, modrm, reg, rm, imm, flags, ops, fam, arg)                  \
    { name, X64_MAP_##map, op, X64_PFX_##pfx, X64_MODRM_##modrm, reg, rm, X64_IMM_##imm,    \
      flags, ops, X64_FAM_##fam, arg },
/* Every ALU op but CMP (7) writes its destination, so takes LOCK. */
#define ALU_LOCK(arg) ((arg) == 7 ? 0 : LOCK)
#define ALU_ROWS(name, base, arg)                                                          \
    ROW(name, L0, (base) + 0, ANY, ANY, -1, -1, NONE, ALU_LOCK(arg), "Eb,Gb", alu, arg)    \
    ROW(name, L0, (base) + 1, ANY, ANY, -1, -1, NONE, ALU_LOCK(arg), "Ev,Gv", alu, arg)    \
    ROW(name, L0, (base) + 2, ANY, ANY, -1, -1, NONE, 0, "Gb,Eb", alu, arg)                \
    ROW(name, L0, (base) + 3, ANY, ANY, -1, -1, NONE, 0, "Gv,Ev", alu, arg)                \
    ROW(name, L0, (base) + 4, ANY, NONE, -1, -1, B, 0, "AL,Ib", alu, arg)                  \
    ROW(name, L0, (base) + 5, ANY, NONE, -1, -1, Z, 0, "rAX,Iz", alu, arg)
#define GRP1_ROWS(op, ops, imm)                                                            \
    ROW("add", L0, op, ANY, ANY, 0, -1, imm, LOCK, ops, alu_grp, 0)                        \
    ROW("or",  L0, op, ANY, ANY, 1, -1, imm, LOCK, ops, alu_grp, 1)                        \
    ROW("adc", L0, op, ANY, ANY, 2, -1, imm, LOCK, ops, alu_grp, 2)                        \
    ROW("sbb", L0, op, ANY, ANY, 3, -1, imm, LOCK, ops, alu_grp, 3)                        \
    ROW("and", L0, op, ANY, ANY, 4, -1, imm, LOCK, ops, alu_grp, 4)                        \
    ROW("sub", L0, op, ANY, ANY, 5, -1, imm, LOCK, ops, alu_grp, 5)                        \
    ROW("xor", L0, op, ANY, ANY, 6, -1, imm, LOCK, ops, alu_grp, 6)                        \
    ROW("cmp", L0, op, ANY, ANY, 7, -1, imm, 0, ops, alu_grp, 7)
#define GRP2_ROWS(op, ops, imm)                                                            \
    ROW("rol", L0, op, ANY, ANY, 0, -1, imm, 0, ops, shift, 0)                             \
    ROW("ror", L0, op, ANY, ANY, 1, -1, imm, 0, ops, shift, 1)                             \
    ROW("rcl", L0, op, ANY, ANY, 2, -1, imm, 0, ops, shift, 2)                             \
    ROW("rcr", L0, op, ANY, ANY, 3, -1, imm, 0, ops, shift, 3)                             \
    ROW("shl", L0, op, ANY, ANY, 4, -1, imm, 0, ops, shift, 4)                             \
    ROW("shr", L0, op, ANY, ANY, 5, -1, imm, 0, ops, shift, 5)                             \
    ROW("sal/shl", L0, op, ANY, ANY, 6, -1, imm, 0, ops, shift, 4)                         \
    ROW("sar", L0, op, ANY, ANY, 7, -1, imm, 0, ops, shift, 7)
#define CC_ROW(prefix, sfx, cc, map, op, modrm, imm, flags, ops, fam)                      \
    ROW(prefix sfx, map, (op) + (cc), ANY, modrm, -1, -1, imm, flags, ops, fam, cc)
#define CC_ROWS(p, map, op, modrm, imm, flags, ops, fam)                                   \
    CC_ROW(p, "o", 0, map, op, modrm, imm, flags, ops, fam)                                \
    CC_ROW(p, "no", 1, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "b", 2, map, op, modrm, imm, flags, ops, fam)                                \
    CC_ROW(p, "ae", 3, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "e", 4, map, op, modrm, imm, flags, ops, fam)                                \
    CC_ROW(p, "ne", 5, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "be", 6, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "a", 7, map, op, modrm, imm, flags, ops, fam)                                \
    CC_ROW(p, "s", 8, map, op, modrm, imm, flags, ops, fam)                                \
    CC_ROW(p, "ns", 9, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "p", 10, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "np", 11, map, op, modrm, imm, flags, ops, fam)                              \
    CC_ROW(p, "l", 12, map, op, modrm, imm, flags, ops, fam)                               \
    CC_ROW(p, "ge", 13, map, op, modrm, imm, flags, ops, fam)                              \
    CC_ROW(p, "le", 14, map, op, modrm, imm, flags, ops, fam)                              \
    CC_ROW(p, "g", 15, map, op, modrm, imm, flags, ops, fam)
#define SSE4_ROWS(name, op, imm, ops, fam, arg)                                            \
    ROW(name "ps", L0F, op, NP, ANY, -1, -1, imm, 0, ops, fam, arg)                        \
    ROW(name "pd", L0F, op, 66, ANY, -1, -1, imm, 0, ops, fam, arg)                        \
    ROW(name "ss", L0F, op, F3, ANY, -1, -1, imm, 0, ops, fam, arg)                        \
    ROW(name "sd", L0F, op, F2, ANY, -1, -1, imm, 0, ops, fam, arg)

const struct x64_insn_def x64_insns[] = {
#define X64_INSN(...) ROW(__VA_ARGS__)
#define X64_ALU(name, base, arg) ALU_ROWS(name, base, arg)
#define X64_GRP1(op, ops, imm) GRP1_ROWS(op, ops, imm)
#define X64_GRP2(op, ops, imm) GRP2_ROWS(op, ops, imm)
#define X64_CC(p, map, op, modrm, imm, flags, ops, fam) CC_ROWS(p, map, op, modrm, imm, flags, ops, fam)
#define X64_SSE4(name, op, imm, ops, fam, arg) SSE4_ROWS(name, op, imm, ops, fam, arg)
#include "guest/x86_64/insns.def"
};
const size_t x64_n_insns = sizeof(x64_insns) / sizeof(x64_insns[0]);

const char *const x64_cond_names[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
};

/* Rows per (map, opcode), in table order: a PLUSR row sits under all eight opcodes. */
#define N_SLOTS (X64_N_MAPS * 256)
static uint16_t first[N_SLOTS + 1];
static uint16_t by_slot[8 * (sizeof(x64_insns) / sizeof(x64_insns[0]))];

/* How many opcodes from d->op row d stands for: one, or the eight op + r of a PLUSR row. */
static unsigned row_opcodes(const struct x64_insn_def *d)
{
    return (d->flags & X64_F_PLUSR) ? 8 : 1;
}

/* A counting sort of the rows by slot, stable so each slot keeps table order: it runs at
 * every start of vm, whatever the guest, so it must not cost a pass over the table a slot. */
__attribute__((constructor)) static void build_slot_index(void)
{
    for (size_t i = 0; i < x64_n_insns; i++)
        for (unsigned k = 0; k < row_opcodes(&x64_insns[i]); k++)
            first[x64_insns[i].map * 256 + x64_insns[i].op + k + 1]++;
    for (unsigned s = 0; s < N_SLOTS; s++)
        first[s + 1] += first[s];
    static uint16_t next[N_SLOTS];
    memcpy(next, first, sizeof(next));
    for (size_t i = 0; i < x64_n_insns; i++)
        for (unsigned k = 0; k < row_opcodes(&x64_insns[i]); k++)
            by_slot[next[x64_insns[i].map * 256 + x64_insns[i].op + k]++] = (uint16_t)i;
}

/* A reader of the instruction's bytes that notes when it runs past what is there. */
struct reader {
    const uint8_t *code;
    size_t avail, pos;
    bool short_read;
};

static uint64_t take(struct reader *r, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (r->pos >= r->avail || r->pos >= X64_MAX_LEN) {
            r->short_read = true;
            r->pos++;
            continue;
        }
        v |= (uint64_t)r->code[r->pos++] << (8 * i);
    }
    return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

/* The row for the opcode under the prefixes and ModRM byte, or NULL. */
static const struct x64_insn_def *find_row(unsigned map, unsigned op, unsigned pfx,
                                           unsigned rex, unsigned l, bool vex, int modrm)
{
    for (unsigned i = first[map * 256 + op]; i < first[map * 256 + op + 1]; i++) {
        const struct x64_insn_def *d = &x64_insns[by_slot[i]];
        if (d->pfx != X64_PFX_ANY && d->pfx != pfx)
            continue;
        if (d->pfx == X64_PFX_ANY && vex && pfx != X64_PFX_NP)
            continue;
        bool w = rex & 8;
        if (((d->flags & X64_F_W0) && w) || ((d->flags & X64_F_W1) && !w))
            continue;
        if ((d->flags & X64_F_NOREXB) && (rex & 1))
            continue;
        if (((d->flags & X64_F_L0) && l) || ((d->flags & X64_F_L1) && !l))
            continue;
        if (d->modrm != X64_MODRM_NONE) {
            if (modrm < 0)
                return d; /* the caller reads ModRM and asks again */
            unsigned mod = (unsigned)modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
            if ((d->modrm == X64_MODRM_MEM && mod == 3) || (d->modrm == X64_MODRM_REG && mod != 3))
                continue;
            if (d->reg >= 0 && (unsigned)d->reg != reg)
                continue;
            if (d->rm >= 0 && (mod != 3 || (unsigned)d->rm != rm))
                continue;
        }
        return d;
    }
    return NULL;
}

/* The ModRM byte's memory operand: SIB, RIP-relative and displacement. */
static void decode_mem(struct reader *r, struct x64_insn *in, unsigned rm3, bool vsib)
{
    in->base = X64_REG_NONE;
    in->index = X64_REG_NONE;
    in->scale = 0;
    unsigned rex_b = in->rex & 1, rex_x = (in->rex >> 1) & 1;
    unsigned disp_bytes = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
    if (rm3 == 4) {
        unsigned sib = (unsigned)take(r, 1);
        unsigned base = sib & 7, index = ((sib >> 3) & 7) | rex_x << 3;
        in->scale = (uint8_t)(sib >> 6);
        if (index != 4 || vsib)
            in->index = (uint8_t)index;
        if (base == 5 && in->mod == 0)
            disp_bytes = 4;
        else
            in->base = (uint8_t)(base | rex_b << 3);
    } else if (rm3 == 5 && in->mod == 0) {
        in->base = X64_REG_RIP;
        disp_bytes = 4;
    } else {
        in->base = (uint8_t)(rm3 | rex_b << 3);
    }
    in->disp = disp_bytes ? (int32_t)sext(take(r, disp_bytes), disp_bytes) : 0;
}

static unsigned imm_bytes(const struct x64_insn *in, unsigned kind)
{
    switch (kind) {
    case X64_IMM_B: return 1;
    case X64_IMM_W: return 2;
    case X64_IMM_Z: return in->opsize == 2 ? 2 : 4;
    case X64_IMM_D: return 4;
    case X64_IMM_V: return in->opsize;
    case X64_IMM_WB: return 2;
    case X64_IMM_A: return in->addrsize;
    default: return 0;
    }
}

/* Operand size: F64 forms are 64-bit; byte forms name a byte first operand (Eb, Gb, AL...). */
static unsigned operand_size(const struct x64_insn_def *d, const struct x64_insn *in)
{
    if (d->flags & X64_F_F64)
        return 8;
    if ((d->ops[0] && d->ops[1] == 'b' && d->family != X64_FAM_push) ||
        (d->ops[0] == 'A' && d->ops[1] == 'L'))
        return 1;
    if (in->rex & 8)
        return 8;
    if (in->prefixes & X64_P_OPSZ)
        return 2;
    return (d->flags & X64_F_D64) ? 8 : 4;
}

int x64_decode(const uint8_t *code, size_t avail, struct x64_insn *out)
{
    struct reader r = { code, avail, 0, false };
    struct x64_insn in = { 0 };
    unsigned last_rep = 0; /* F2 or F3, whichever came last */
    in.seg = X64_SEG_NONE;

    /* Legacy prefixes, then REX (which counts only right before the opcode). */
    unsigned b;
    for (;;) {
        b = (unsigned)take(&r, 1);
        if (r.short_read)
            return r.pos > X64_MAX_LEN ? -E2BIG : -EAGAIN;
        if (b == 0xf0) {
            in.prefixes |= X64_P_LOCK;
        } else if (b == 0xf2 || b == 0xf3) {
            last_rep = b;
        } else if (b == 0x66) {
            in.prefixes |= X64_P_OPSZ;
        } else if (b == 0x67) {
            in.prefixes |= X64_P_ADSZ;
        } else if (b == 0x64 || b == 0x65) {
            in.seg = b == 0x64 ? X64_SEG_FS : X64_SEG_GS;
        } else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e) {
            /* no effect in 64-bit mode */
        } else if ((b & 0xf0) == 0x40) {
            in.rex = b & 0xf;
            in.prefixes |= X64_P_REX;
            b = (unsigned)take(&r, 1);
            if (r.short_read)
                return r.pos > X64_MAX_LEN ? -E2BIG : -EAGAIN;
            if ((b & 0xf0) == 0x40 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x66 ||
                b == 0x67 || b == 0x64 || b == 0x65 || b == 0x26 || b == 0x2e || b == 0x36 ||
                b == 0x3e) {
                /* a prefix after REX: the REX is ignored */
                in.rex = 0;
                in.prefixes &= ~X64_P_REX;
                r.pos--;
                continue;
            }
            break;
        } else {
            break;
        }
    }
    if (last_rep == 0xf3)
        in.prefixes |= X64_P_REP;
    else if (last_rep == 0xf2)
        in.prefixes |= X64_P_REPNE;
    unsigned pfx = last_rep == 0xf3 ? X64_PFX_F3 : last_rep == 0xf2 ? X64_PFX_F2
                 : (in.prefixes & X64_P_OPSZ) ? X64_PFX_66 : X64_PFX_NP;

    /* The opcode: escape bytes or a VEX prefix pick the map. */
    unsigned map = X64_MAP_L0, l = 0;
    bool vex = false;
    in.vex_v = 0;
    if (b == 0x0f) {
        b = (unsigned)take(&r, 1);
        map = X64_MAP_L0F;
        if (b == 0x38 || b == 0x3a) {
            map = b == 0x38 ? X64_MAP_L38 : X64_MAP_L3A;
            b = (unsigned)take(&r, 1);
        }
    } else if (b == 0xc4 || b == 0xc5) {
        /* VEX: no REX, 66, F2, F3 or LOCK before it */
        if (in.prefixes & (X64_P_REX | X64_P_OPSZ | X64_P_LOCK) || last_rep)
            return r.short_read ? -EAGAIN : -EINVAL;
        unsigned p1 = (unsigned)take(&r, 1), p2, mmmmm = 1, w = 0;
        if (b == 0xc5) {
            p2 = p1;
            in.rex = (uint8_t)((~p1 >> 5) & 4);
        } else {
            mmmmm = p1 & 0x1f;
            p2 = (unsigned)take(&r, 1);
            w = p2 >> 7;
            in.rex = (uint8_t)(((~p1 >> 5) & 7) | w << 3);
        }
        if (r.short_read)
            return r.pos > X64_MAX_LEN ? -E2BIG : -EAGAIN;
        if (mmmmm < 1 || mmmmm > 3)
            return -EINVAL;
        map = X64_MAP_V0F + mmmmm - 1;
        in.vex_v = (uint8_t)((~p2 >> 3) & 0xf);
        l = (p2 >> 2) & 1;
        static const uint8_t pp_pfx[4] = { X64_PFX_NP, X64_PFX_66, X64_PFX_F3, X64_PFX_F2 };
        pfx = pp_pfx[p2 & 3];
        vex = true;
        in.prefixes |= X64_P_VEX;
        b = (unsigned)take(&r, 1);
    }
    if (r.short_read)
        return r.pos > X64_MAX_LEN ? -E2BIG : -EAGAIN;
    in.opcode = (uint8_t)b;
    in.vex_l = (uint8_t)l;
    const struct x64_insn_def *d = find_row(map, b, pfx, in.rex, l, vex, -1);
    if (!d)
        return -EINVAL;
    if (d->modrm != X64_MODRM_NONE) {
        unsigned modrm = (unsigned)take(&r, 1);
        if (r.short_read)
            return r.pos > X64_MAX_LEN ? -E2BIG : -EAGAIN;
        d = find_row(map, b, pfx, in.rex, l, vex, (int)modrm);
        if (!d)
            return -EINVAL;
        in.has_modrm = true;
        in.mod = (uint8_t)(modrm >> 6);
        in.reg = (uint8_t)(((modrm >> 3) & 7) | (in.rex & 4) << 1);
        in.rm = (uint8_t)((modrm & 7) | (in.rex & 1) << 3);
        in.addrsize = (in.prefixes & X64_P_ADSZ) ? 4 : 8;
        if ((d->flags & X64_F_VSIB) && (modrm & 7) != 4)
            return -EINVAL;
        if (in.mod != 3)
            decode_mem(&r, &in, modrm & 7, d->flags & X64_F_VSIB);
    } else if (d->flags & X64_F_PLUSR) {
        in.rm = (uint8_t)((b & 7) | (in.rex & 1) << 3);
        in.mod = 3;
    }
    in.def = d;
    in.addrsize = (in.prefixes & X64_P_ADSZ) ? 4 : 8;
    in.opsize = (uint8_t)operand_size(d, &in);
    if (vex && !(d->flags & X64_F_VVVV) && in.vex_v != 0)
        return -EINVAL;
    if ((in.prefixes & X64_P_LOCK) && (!(d->flags & X64_F_LOCK) || in.mod == 3))
        return -EINVAL;

    unsigned n = imm_bytes(&in, d->imm);
    if (d->imm == X64_IMM_WB) {
        in.imm = (int64_t)take(&r, 2);
        in.imm2 = (uint8_t)take(&r, 1);
    } else if (d->imm == X64_IMM_A) {
        in.imm = (int64_t)take(&r, n);
    } else if (n) {
        in.imm = sext(take(&r, n), n);
    }
    if (r.pos > X64_MAX_LEN)
        return -E2BIG;
    if (r.short_read)
        return -EAGAIN;
    in.len = (uint8_t)r.pos;
    *out = in;
    return 0;
}
