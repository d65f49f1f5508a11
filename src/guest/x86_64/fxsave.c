/* FXSAVE and FXRSTOR's image and the XSAVE area (fxsave.h), one copy for the instructions and
 * the signal frame. */
#include "guest/x86_64/fxsave.h"

#include <errno.h>
#include <string.h>

#include "guest/x86_64/cpuid.h"
#include "guest/x86_64/float80.h"

void x64_fxsave(const struct x64_cpu *c, uint8_t *p, bool rex_w)
{
    const struct x64_x87 *x = &c->x87;
    uint8_t ftw = 0;
    for (unsigned i = 0; i < 8; i++)
        if ((x->ftw >> (2 * i) & 3) != 3)
            ftw |= (uint8_t)(1u << i);
    memset(p, 0, X64_FXSAVE_SIZE);
    memcpy(p + 0, &x->fcw, 2);
    memcpy(p + 2, &x->fsw, 2);
    p[4] = ftw;
    memcpy(p + 6, &x->fop, 2);
    memcpy(p + 8, &x->fip, rex_w ? 8 : 4);
    memcpy(p + 16, &x->fdp, rex_w ? 8 : 4);
    uint32_t mask = X64_MXCSR_MASK;
    memcpy(p + 24, &c->mxcsr, 4);
    memcpy(p + 28, &mask, 4);
    unsigned top = x->fsw >> 11 & 7;
    for (unsigned i = 0; i < 8; i++)
        memcpy(p + 32 + 16 * i, x->fpr[(top + i) & 7], 10);
    for (unsigned i = 0; i < 16; i++)
        memcpy(p + 160 + 16 * i, c->ymm[i], 16);
}

int x64_fxrstor(struct x64_cpu *c, const uint8_t *p, bool rex_w)
{
    uint32_t mxcsr;
    memcpy(&mxcsr, p + 24, 4);
    if (mxcsr & ~(uint32_t)X64_MXCSR_MASK)
        return -EINVAL;
    struct x64_x87 *x = &c->x87;
    memcpy(&x->fcw, p + 0, 2);
    memcpy(&x->fsw, p + 2, 2);
    memcpy(&x->fop, p + 6, 2);
    x->fip = x->fdp = 0;
    memcpy(&x->fip, p + 8, rex_w ? 8 : 4);
    memcpy(&x->fdp, p + 16, rex_w ? 8 : 4);
    unsigned top = x->fsw >> 11 & 7;
    for (unsigned i = 0; i < 8; i++) {
        memset(x->fpr[(top + i) & 7], 0, 16);
        memcpy(x->fpr[(top + i) & 7], p + 32 + 16 * i, 10);
    }
    x->ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        struct f80 v;
        memcpy(&v.m, x->fpr[i], 8);
        memcpy(&v.se, x->fpr[i] + 8, 2);
        x->ftw |= (uint16_t)((p[4] >> i & 1 ? f80_tag(v) : 3u) << (2 * i));
    }
    c->mxcsr = mxcsr;
    for (unsigned i = 0; i < 16; i++)
        memcpy(c->ymm[i], p + 160 + 16 * i, 16);
    return 0;
}

/* The XSAVE components (bit numbers of XCR0). */
enum { XS_X87 = 1, XS_SSE = 2, XS_AVX = 4 };

uint64_t x64_xinuse(const struct x64_cpu *c)
{
    const struct x64_x87 *x = &c->x87;
    uint64_t r = 0;
    static const uint8_t zero[sizeof(x->fpr)];
    if (x->fcw != X64_FCW_RESET || x->fsw || x->ftw != 0xffff || x->fop || x->fip || x->fdp ||
        memcmp(x->fpr, zero, sizeof(zero)))
        r |= XS_X87;
    for (unsigned i = 0; i < 16; i++) {
        if (c->ymm[i][0] | c->ymm[i][1])
            r |= XS_SSE;
        if (c->ymm[i][2] | c->ymm[i][3])
            r |= XS_AVX;
    }
    return r;
}

void x64_xsave(const struct x64_cpu *c, uint8_t *area, uint64_t rfbm, bool rex_w, bool compact)
{
    uint8_t fx[X64_FXSAVE_SIZE];
    uint64_t use = x64_xinuse(c), save, bv;
    rfbm &= X64_XCR0;
    save = compact ? rfbm & use : rfbm;
    x64_fxsave(c, fx, rex_w);
    if (save & XS_X87) {
        memcpy(area, fx, 24);
        memcpy(area + 32, fx + 32, 128);
    }
    if (rfbm & (XS_SSE | XS_AVX))
        memcpy(area + 24, fx + 24, 8);   /* MXCSR and MXCSR_MASK */
    if (save & XS_SSE)
        memcpy(area + 160, fx + 160, 256);
    if (save & XS_AVX)
        for (unsigned i = 0; i < 16; i++)
            memcpy(area + X64_XSAVE_AVX + 16 * i, &c->ymm[i][2], 16);
    memcpy(&bv, area + X64_XSAVE_HEADER, 8);
    bv = compact ? rfbm & use : (bv & ~rfbm) | (rfbm & use);
    memcpy(area + X64_XSAVE_HEADER, &bv, 8);
    if (compact) {
        uint64_t comp = rfbm | 1ull << 63;
        memcpy(area + X64_XSAVE_HEADER + 8, &comp, 8);
    }
}

int x64_xrstor(struct x64_cpu *c, const uint8_t *area, uint64_t rfbm, bool rex_w)
{
    const uint8_t *h = area + X64_XSAVE_HEADER;
    uint64_t bv, comp;
    memcpy(&bv, h, 8);
    memcpy(&comp, h + 8, 8);
    bool compact = comp >> 63;
    for (unsigned i = 16; i < 64; i++)
        if (h[i])
            return -EINVAL;
    if (compact ? (comp & ~(1ull << 63) & ~(uint64_t)X64_XCR0) || (bv & ~comp)
                : comp || (bv & ~(uint64_t)X64_XCR0))
        return -EINVAL;
    rfbm &= X64_XCR0;
    uint64_t load = rfbm & bv;
    uint8_t fx[X64_FXSAVE_SIZE];
    x64_fxsave(c, fx, rex_w);
    if (rfbm & (XS_SSE | XS_AVX)) {
        /* the standard form always loads MXCSR; the compacted one with the state it goes with */
        uint32_t mxcsr = X64_MXCSR_RESET;
        if (!compact || (load & (XS_SSE | XS_AVX)))
            memcpy(&mxcsr, area + 24, 4);
        if (mxcsr & ~(uint32_t)X64_MXCSR_MASK)
            return -EINVAL;
        memcpy(fx + 24, &mxcsr, 4);
    }
    if (load & XS_X87) {
        memcpy(fx, area, 24);
        memcpy(fx + 32, area + 32, 128);
    } else if (rfbm & XS_X87) {
        uint16_t fcw = X64_FCW_RESET;
        memset(fx, 0, 24);
        memset(fx + 32, 0, 128);
        memcpy(fx, &fcw, 2);
    }
    if (load & XS_SSE)
        memcpy(fx + 160, area + 160, 256);
    else if (rfbm & XS_SSE)
        memset(fx + 160, 0, 256);
    x64_fxrstor(c, fx, rex_w);
    if (rfbm & XS_AVX)
        for (unsigned i = 0; i < 16; i++) {
            if (load & XS_AVX)
                memcpy(&c->ymm[i][2], area + X64_XSAVE_AVX + 16 * i, 16);
            else
                c->ymm[i][2] = c->ymm[i][3] = 0;
        }
    return 0;
}
