/* FXSAVE and FXRSTOR's image (fxsave.h), one copy for the instructions and the signal frame. */
#include "guest/x86_64/fxsave.h"

#include <errno.h>
#include <string.h>

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
