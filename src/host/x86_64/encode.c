/* The x86-64 encoder's out-of-line parts: x86_emit near the buffer's end (x86.h encodes a
 * table row inline) and the few encodings that do not fit the table (mov imm64, bswap,
 * relative branches). */
#include "host/x86_64/x86.h"

#include <string.h>


static void put32(struct host_buf *b, uint32_t v)
{
    if (b->end - b->p >= 4) {
        memcpy(b->p, &v, 4);      /* x86-64 is little-endian */
        b->p += 4;
        return;
    }
    for (int i = 0; i < 4; i++)
        x86_byte(b, (uint8_t)(v >> (8 * i)));
}

/* Near the buffer's end: the bytes are made aside and copied only when they fit. */
void x86_emit_near_end(struct host_buf *b, enum xh_insn insn, bool w64, unsigned reg,
                       struct x86_rm rm, int64_t imm)
{
    uint8_t scratch[16];
    unsigned n = x86_encode(scratch, insn, w64, reg, rm, imm);
    if ((size_t)(b->end - b->p) < n) {
        b->p = b->end;
        b->overflow = true;
        return;
    }
    memcpy(b->p, scratch, n);
    b->p += n;
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
