/* EFLAGS from the lazy-flags fields (struct x64_cpu describes them): for the helpers that
 * read flags whose kind the translator did not know, PUSHF, the register dump, gdb and the
 * Linux ABI's signal frames. */
#include "guest/x86_64/cpu.h"

static uint64_t width_mask(unsigned log2size)
{
    return log2size == 3 ? ~0ull : (1ull << (8u << log2size)) - 1;
}

uint64_t x64_arith_flags(const struct x64_cpu *r)
{
    unsigned kind = X64_CC_KIND(r->cc_op), log2size = X64_CC_LOG2(r->cc_op);
    uint64_t m = width_mask(log2size), sign = 1ull << ((8u << log2size) - 1);
    uint64_t dst = r->cc_dst & m, a = r->cc_src1 & m, b = r->cc_src2 & m;
    uint64_t cf = 0, of = 0, af = 0, cin;
    if (kind == X64_CC_SUB)
        dst = (a - b) & m;
    switch (kind) {
    case X64_CC_EFLAGS:
        return r->cc_src1 & X64_FLAGS_ARITH;
    case X64_CC_ADD:
    case X64_CC_ADC:
        cin = kind == X64_CC_ADC ? ((dst - a - b) & m) : 0;
        cf = cin ? dst <= a : dst < a;
        of = (a ^ dst) & (b ^ dst) & sign;
        af = (a ^ b ^ dst) & X64_AF;
        break;
    case X64_CC_SUB:
    case X64_CC_SBB:
        cin = kind == X64_CC_SBB ? ((a - b - dst) & m) : 0;
        cf = cin ? a <= b : a < b;
        of = (a ^ b) & (a ^ dst) & sign;
        af = (a ^ b ^ dst) & X64_AF;
        break;
    case X64_CC_LOGIC:
        break;
    case X64_CC_INC:
    case X64_CC_DEC:
        cf = r->cc_src2 & 1;
        of = kind == X64_CC_INC ? dst == sign : a == sign;
        af = (a ^ dst) & X64_AF;
        break;
    case X64_CC_RESULT:
        cf = r->cc_src1 & X64_CF;
        af = r->cc_src1 & X64_AF;
        of = r->cc_src1 & X64_OF;
        break;
    default:
        break;
    }
    return (cf ? X64_CF : 0) | (__builtin_parity((unsigned)(dst & 0xff)) ? 0 : X64_PF) |
           (af ? X64_AF : 0) | (dst == 0 ? X64_ZF : 0) | ((dst & sign) ? X64_SF : 0) |
           (of ? X64_OF : 0);
}

/* IF reads as 1 in user mode. */
uint64_t x64_eflags(const struct x64_cpu *r)
{
    return x64_arith_flags(r) | (r->eflags & X64_FLAGS_USER) | X64_FLAGS_FIXED | X64_IF;
}

void x64_set_eflags(struct x64_cpu *r, uint64_t value)
{
    r->cc_op = X64_CC(X64_CC_EFLAGS, 3);
    r->cc_src1 = value & X64_FLAGS_ARITH;
    r->eflags = value & X64_FLAGS_USER;
}
