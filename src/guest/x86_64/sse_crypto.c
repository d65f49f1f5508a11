/* AES-NI and PCLMULQDQ (sse.h's x64_helper_sse_aes): the AES round steps on the state in
 * xmm dst, FIPS-197's byte order (byte 4 * column + row), with the round key or source in
 * the second operand; and the carry-less multiply of two quadwords. The S-boxes are built
 * from their definition (the inverse in GF(2^8) and the affine map) rather than typed in. */
#include "guest/x86_64/sse.h"

#include "guest/x86_64/cpu.h"
#include "guest/x86_64/sse_vec.h"

static uint8_t sbox[256], inv_sbox[256];

/* Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    while (b) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)(a << 1 ^ (a & 0x80 ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

static uint8_t rotl8(uint8_t x, unsigned n)
{
    return (uint8_t)(x << n | x >> (8 - n));
}

/* The inverses come from powers of the generator 3 (x = 3^i has the inverse 3^(255 - i)),
 * so building the boxes costs a few thousand operations at vm's start, not a search. */
__attribute__((constructor)) static void build_sboxes(void)
{
    uint8_t exp[255], log[256] = { 0 };
    uint8_t p = 1;
    for (unsigned i = 0; i < 255; i++) {
        exp[i] = p;
        log[p] = (uint8_t)i;
        p = gmul(p, 3);
    }
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = x ? exp[(255 - log[x]) % 255] : 0;
        uint8_t s = (uint8_t)(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                              rotl8(inv, 4) ^ 0x63);
        sbox[x] = s;
        inv_sbox[s] = (uint8_t)x;
    }
}

/* ShiftRows (or its inverse) and SubBytes (or its inverse), which commute. */
static union vec shift_sub(union vec s, bool inverse)
{
    union vec r;
    for (unsigned col = 0; col < 4; col++)
        for (unsigned row = 0; row < 4; row++) {
            if (inverse)
                r.b[4 * ((col + row) % 4) + row] = inv_sbox[s.b[4 * col + row]];
            else
                r.b[4 * col + row] = sbox[s.b[4 * ((col + row) % 4) + row]];
        }
    return r;
}

static union vec mix_columns(union vec s, bool inverse)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, inv[4] = { 14, 11, 13, 9 };
    const uint8_t *m = inverse ? inv : fwd;
    union vec r;
    for (unsigned col = 0; col < 4; col++)
        for (unsigned row = 0; row < 4; row++) {
            uint8_t v = 0;
            for (unsigned k = 0; k < 4; k++)
                v ^= gmul(m[(k - row + 4) % 4], s.b[4 * col + k]);
            r.b[4 * col + row] = v;
        }
    return r;
}

static uint32_t sub_word(uint32_t w)
{
    return (uint32_t)sbox[w & 0xff] | (uint32_t)sbox[w >> 8 & 0xff] << 8 |
           (uint32_t)sbox[w >> 16 & 0xff] << 16 | (uint32_t)sbox[w >> 24] << 24;
}

static uint64_t helper_aes(void *cpu, uint64_t desc, uint64_t lo, uint64_t hi, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), imm = X64_SSE_IMM(desc);
    union vec a = first(c, desc), b = source(c, desc, lo, hi), r;
    switch (op) {
    case 0: case 1: /* AESENC AESENCLAST */
        r = shift_sub(a, false);
        if (op == 0)
            r = mix_columns(r, false);
        r.q[0] ^= b.q[0], r.q[1] ^= b.q[1];
        break;
    case 2: case 3: /* AESDEC AESDECLAST */
        r = shift_sub(a, true);
        if (op == 2)
            r = mix_columns(r, true);
        r.q[0] ^= b.q[0], r.q[1] ^= b.q[1];
        break;
    case 4: r = mix_columns(b, true); break; /* AESIMC */
    case 5: /* AESKEYGENASSIST */
        for (unsigned i = 0; i < 2; i++) {
            uint32_t s = sub_word(b.d[2 * i + 1]);
            r.d[2 * i] = s;
            r.d[2 * i + 1] = (s >> 8 | s << 24) ^ imm;
        }
        break;
    default: { /* PCLMULQDQ: quadword imm bit 0 of a times quadword imm bit 4 of b */
        uint64_t x = a.q[imm & 1], y = b.q[imm >> 4 & 1];
        r.q[0] = r.q[1] = 0;
        for (unsigned i = 0; i < 64; i++)
            if (y >> i & 1) {
                r.q[0] ^= x << i;
                if (i)
                    r.q[1] ^= x >> (64 - i);
            }
        break;
    }
    }
    put_result(c, desc, r);
    return 0;
}
const struct ir_helper x64_helper_sse_aes = {
    "x64_sse_aes", helper_aes, 3, IR_HELPER_RSTATE | IR_HELPER_WSTATE, IR_I64,
};
