/* AVX2's helpers that see a whole YMM register or memory element by element (sse.h's
 * x64_helper_avx): VPERMD/VPERMPS, which cross lanes; the masked moves, which must not touch
 * the elements their mask leaves out (so a masked-off element past the end of a mapping does
 * not fault), MASKMOVDQU and MASKMOVQ among them; and the gathers, which load element by element, clearing each element's mask as
 * it completes, so that after a fault the instruction runs again from where it stopped, as
 * the SDM describes. */
#include "guest/x86_64/sse.h"

#include <string.h>

#include "guest/x86_64/cpu.h"
#include "mem/aspace.h"

/* Element i of size bytes (4 or 8) of the 32-byte register image r. */
static uint64_t elem(const uint64_t *r, unsigned size, unsigned i)
{
    uint64_t v = 0;
    memcpy(&v, (const uint8_t *)r + size * i, size);
    return v;
}

static void set_elem(uint64_t *r, unsigned size, unsigned i, uint64_t v)
{
    memcpy((uint8_t *)r + size * i, &v, size);
}

static bool sign_of(const uint64_t *r, unsigned size, unsigned i)
{
    return elem(r, size, i) >> (8 * size - 1) & 1;
}

static uint64_t load(struct x64_cpu *c, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, mem_ptr(&c->c, addr, size, MEM_READ, X64_MMU_USER), size);
    mem_report(&c->c, addr, size, MEM_READ);
    return v;
}

static void store(struct x64_cpu *c, uint64_t addr, unsigned size, uint64_t v)
{
    memcpy(mem_ptr(&c->c, addr, size, MEM_WRITE, X64_MMU_USER), &v, size);
    mem_report(&c->c, addr, size, MEM_WRITE);
}

/* The bytes of ymm n from byte `from` up, zeroed. */
static void zero_from(struct x64_cpu *c, unsigned n, unsigned from)
{
    memset((uint8_t *)c->ymm[n] + from, 0, 32 - from);
}

static void gather(struct x64_cpu *c, unsigned op, unsigned dst, unsigned mask, uint64_t base,
                   uint64_t extra, bool ymm)
{
    unsigned index = extra & 15, scale = 1u << (extra >> 4 & 3);
    bool qindex = op >= 7, qdata = op == 6 || op == 8, addr32 = extra >> 6 & 1;
    unsigned isize = qindex ? 8 : 4, dsize = qdata ? 8 : 4;
    /* as many elements as the wider of index and data fill the register VEX.L names */
    unsigned n = (ymm ? 32 : 16) / (isize > dsize ? isize : dsize);
    for (unsigned i = 0; i < n; i++) {
        if (!sign_of(c->ymm[mask], dsize, i))
            continue;
        uint64_t idx = elem(c->ymm[index], isize, i);
        int64_t off = qindex ? (int64_t)idx : (int64_t)(int32_t)idx;
        uint64_t addr = base + (uint64_t)off * scale;
        if (addr32)
            addr = (uint32_t)addr;
        set_elem(c->ymm[dst], dsize, i, load(c, addr, dsize));
        set_elem(c->ymm[mask], dsize, i, 0);
    }
    zero_from(c, dst, n * dsize);
    zero_from(c, mask, 0);
}

static uint64_t helper_avx(void *cpu, uint64_t desc, uint64_t addr, uint64_t extra, uint64_t a3)
{
    (void)a3;
    struct x64_cpu *c = cpu;
    unsigned op = X64_SSE_OP(desc), dst = X64_SSE_DST(desc), v = X64_SSE_V(desc);
    bool ymm = X64_SSE_LANE(desc), mem = X64_SSE_MEM(desc);
    uint64_t r[4];
    switch (op) {
    case 0: { /* VPERMD, VPERMPS: doubleword i of the source is number v[i] & 7 */
        uint64_t src[4];
        if (mem) {
            memcpy(src, mem_ptr(&c->c, addr, 32, MEM_READ, X64_MMU_USER), 32);
            mem_report(&c->c, addr, 32, MEM_READ);
        } else {
            memcpy(src, c->ymm[X64_SSE_SRC(desc)], 32);
        }
        for (unsigned i = 0; i < 8; i++)
            set_elem(r, 4, i, elem(src, 4, elem(c->ymm[v], 4, i) & 7));
        memcpy(c->ymm[dst], r, 32);
        break;
    }
    case 1: case 2: { /* masked loads: 0 where the mask's element has its sign clear */
        unsigned size = op == 1 ? 4 : 8, n = (ymm ? 32 : 16) / size;
        memset(r, 0, sizeof(r));
        for (unsigned i = 0; i < n; i++)
            if (sign_of(c->ymm[v], size, i))
                set_elem(r, size, i, load(c, addr + size * i, size));
        memcpy(c->ymm[dst], r, 32);
        break;
    }
    case 3: case 4: { /* masked stores: ModRM.reg's elements */
        unsigned size = op == 3 ? 4 : 8, n = (ymm ? 32 : 16) / size;
        for (unsigned i = 0; i < n; i++)
            if (sign_of(c->ymm[v], size, i))
                store(c, addr + size * i, size, elem(c->ymm[dst], size, i));
        break;
    }
    case 9: case 10: { /* MASKMOVDQU, MASKMOVQ */
        const uint8_t *data = op == 9 ? (const uint8_t *)c->ymm[dst] : c->x87.fpr[dst & 7];
        const uint8_t *mask = op == 9 ? (const uint8_t *)c->ymm[X64_SSE_SRC(desc)]
                                      : c->x87.fpr[X64_SSE_SRC(desc) & 7];
        for (unsigned i = 0; i < (op == 9 ? 16u : 8u); i++)
            if (mask[i] & 0x80)
                store(c, addr + i, 1, data[i]);
        break;
    }
    default:
        gather(c, op, dst, v, addr, extra, ymm);
        break;
    }
    return 0;
}
const struct ir_helper x64_helper_avx = {
    "x64_avx", helper_avx, 3,
    IR_HELPER_RSTATE | IR_HELPER_WSTATE | IR_HELPER_FAULT | IR_HELPER_MEM, IR_I64,
};
