/* The x86-64 encoder: the table of instruction forms from x86.h and the one function that
 * encodes a row (prefixes, REX, opcode, ModRM/SIB, displacement, immediate), plus the few
 * encodings that do not fit the table (mov imm64, bswap, relative branches). */
#include "host/x86_64/x86.h"

#include <string.h>

const struct x86_form_def x86_forms[X86_NINSNS] = {
#define X86_ROW(n, pfx, e, op, op8, f, x, fl) \
    [X_##n] = { .name = #n, .prefix = pfx, .esc = e, .opcode = op, .opcode8 = op8, .form = f, \
                .ext = x, .flags = fl },
    X86_INSNS(X86_ROW)
#undef X86_ROW
};

static void put32(struct host_buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x86_byte(b, (uint8_t)(v >> (8 * i)));
}

/* One instruction's bytes (15 at most): written straight into the buffer when 16 bytes are
 * left there, else into a scratch array copied out once they are known to fit. Translation
 * emits every instruction of every block through here: gathering the bytes on the stack and
 * copying 16 at once made the copy's load wait for the byte stores (no store forwarding),
 * a third of x86_emit's time. */
struct insn_bytes {
    uint8_t *b;
    unsigned n;
};

static inline void ib_byte(struct insn_bytes *ib, uint8_t v)
{
    ib->b[ib->n++] = v;
}

static inline void ib_32(struct insn_bytes *ib, uint32_t v)
{
    memcpy(&ib->b[ib->n], &v, 4);     /* x86-64 is little-endian */
    ib->n += 4;
}

static void modrm(struct insn_bytes *ib, unsigned reg, struct x86_rm rm)
{
    reg &= 7;
    if (!rm.mem) {
        ib_byte(ib, (uint8_t)(0xc0 | reg << 3 | (rm.reg & 7)));
        return;
    }
    bool sib = rm.index != X86_NOREG || (rm.reg & 7) == RSP;
    unsigned mod = rm.disp == 0 && (rm.reg & 7) != RBP ? 0 : rm.disp == (int8_t)rm.disp ? 1 : 2;
    ib_byte(ib, (uint8_t)(mod << 6 | reg << 3 | (sib ? 4 : (rm.reg & 7))));
    if (sib) {
        static const uint8_t scale_bits[9] = { [1] = 0, [2] = 1, [4] = 2, [8] = 3 };
        unsigned index = rm.index == X86_NOREG ? RSP : rm.index & 7;
        ib_byte(ib, (uint8_t)(scale_bits[rm.scale <= 8 ? rm.scale : 1] << 6 | index << 3 |
                              (rm.reg & 7)));
    }
    if (mod == 1)
        ib_byte(ib, (uint8_t)rm.disp);
    else if (mod == 2)
        ib_32(ib, (uint32_t)rm.disp);
}

void x86_emit(struct host_buf *b, enum xh_insn insn, bool w64, unsigned reg, struct x86_rm rm,
              int64_t imm)
{
    const struct x86_form_def *f = &x86_forms[insn];
    uint8_t scratch[16];
    size_t room = (size_t)(b->end - b->p);
    struct insn_bytes ib = { .b = room >= sizeof(scratch) ? b->p : scratch, .n = 0 };
    bool has_ext = f->form == XF_M || f->form == XF_MI || f->form == XF_MI8;
    unsigned r = has_ext ? f->ext : reg;
    bool imm8 = f->form == XF_MI && f->opcode8 && imm == (int8_t)imm;
    if (f->prefix)
        ib_byte(&ib, f->prefix);
    unsigned rex = (w64 && !(f->flags & X86_F_NOW) ? 8 : 0) | (r >> 3 & 1) << 2 |
                   (rm.mem && rm.index != X86_NOREG ? (rm.index >> 3 & 1) << 1 : 0) |
                   (rm.reg >> 3 & 1);
    bool byte_reg = (f->flags & X86_F_SRC8) &&
                    ((f->form == XF_MR && r >= 4 && r < 8) || (!rm.mem && rm.reg >= 4 && rm.reg < 8));
    if (rex || byte_reg)
        ib_byte(&ib, (uint8_t)(0x40 | rex));
    if (f->esc)
        ib_byte(&ib, 0x0f);
    uint8_t op = imm8 ? f->opcode8 : f->opcode;
    if (f->flags & X86_F_CC)
        op = (uint8_t)(op + (imm & 15));
    ib_byte(&ib, op);
    modrm(&ib, r, rm);
    if (f->form == XF_MI8 || imm8)
        ib_byte(&ib, (uint8_t)imm);
    else if (f->form == XF_MI || f->form == XF_RMI)
        ib_32(&ib, (uint32_t)imm);
    if (ib.b == scratch) {
        if (room < ib.n) {
            b->p = b->end;
            b->overflow = true;
            return;
        }
        memcpy(b->p, scratch, ib.n);
    }
    b->p += ib.n;
}

/* Never xor reg, reg: callers rely on flags surviving constant loads. */
void x86_mov_imm(struct host_buf *b, unsigned reg, uint64_t imm)
{
    if (imm <= UINT32_MAX) {               /* mov r32, imm32 zero-extends */
        if (reg >= 8)
            x86_byte(b, 0x41);
        x86_byte(b, (uint8_t)(0xb8 + (reg & 7)));
        put32(b, (uint32_t)imm);
    } else if (x86_fits32((int64_t)imm)) {        /* mov r/m64, simm32 */
        x86_emit(b, X_MOVI, true, 0, xr(reg), (int64_t)imm);
    } else {
        x86_byte(b, (uint8_t)(0x48 | (reg >> 3)));
        x86_byte(b, (uint8_t)(0xb8 + (reg & 7)));
        put32(b, (uint32_t)imm);
        put32(b, (uint32_t)(imm >> 32));
    }
}

void x86_bswap(struct host_buf *b, bool w64, unsigned reg)
{
    if (w64 || reg >= 8)
        x86_byte(b, (uint8_t)(0x40 | (w64 ? 8 : 0) | (reg >> 3)));
    x86_byte(b, 0x0f);
    x86_byte(b, (uint8_t)(0xc8 + (reg & 7)));
}

/* Returns where the field is, for patching later, or NULL once the buffer has overflowed:
 * a field past the end was never written and must never be patched. */
static uint8_t *rel32(struct host_buf *b, const void *target)
{
    uint8_t *at = b->p;
    host_buf_reloc(b, HOST_RELOC_REL32);
    intptr_t next = (intptr_t)(b->p + 4) + b->rx_delta;
    put32(b, (uint32_t)(int32_t)((intptr_t)target - next));
    return b->overflow ? NULL : at;
}

uint8_t *x86_jmp(struct host_buf *b, const void *target)
{
    x86_byte(b, 0xe9);
    return rel32(b, target);
}

uint8_t *x86_jcc(struct host_buf *b, enum x86_cc cc, const void *target)
{
    x86_byte(b, 0x0f);
    x86_byte(b, (uint8_t)(0x80 + cc));
    return rel32(b, target);
}

void x86_call(struct host_buf *b, const void *target)
{
    intptr_t next = (intptr_t)(b->p + 5) + b->rx_delta;
    if (x86_fits32((intptr_t)target - next)) {
        x86_byte(b, 0xe8);
        rel32(b, target);
        return;
    }
    /* always the 10-byte mov, whose field can hold any address the code moves to */
    uint64_t imm = (uint64_t)(uintptr_t)target;
    x86_byte(b, 0x48);
    x86_byte(b, (uint8_t)(0xb8 + RAX));
    host_buf_reloc(b, HOST_RELOC_ABS64);
    put32(b, (uint32_t)imm);
    put32(b, (uint32_t)(imm >> 32));
    x86_emit(b, X_CALLM, false, 0, xr(RAX), 0);
}

void x86_lea_rip(struct host_buf *b, unsigned reg, const void *target)
{
    x86_byte(b, (uint8_t)(0x48 | (reg >> 3 & 1) << 2));
    x86_byte(b, 0x8d);
    x86_byte(b, (uint8_t)(0x05 | (reg & 7) << 3));
    rel32(b, target);
}

void x86_push_pop(struct host_buf *b, bool push, unsigned reg)
{
    if (reg >= 8)
        x86_byte(b, 0x41);
    x86_byte(b, (uint8_t)((push ? 0x50 : 0x58) + (reg & 7)));
}

void x86_patch_rel32(uint8_t *rel32_rw, const uint8_t *rel32_rx, const void *target)
{
    int32_t v = (int32_t)((intptr_t)target - (intptr_t)(rel32_rx + 4));
    __atomic_store_n((int32_t *)(void *)rel32_rw, v, __ATOMIC_RELEASE);
}
