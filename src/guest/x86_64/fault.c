/* Which access of an instruction faulted (fault.h). The instruction's rows say what it does
 * with its ModRM memory operand: a row that allows LOCK is a read-modify-write, the store
 * families write an operand written first in the row's operands (Ev,Gv; Wps,Vps; Mq,Pq), the
 * x87 and state-saving rows by their arg; the stack and string families add their implicit
 * accesses. */
#include "guest/x86_64/fault.h"

#include <string.h>

#include "guest/x86_64/sse.h"
#include "guest/x86_64/x87.h"

enum { STRING_MOVS, STRING_CMPS, STRING_STOS, STRING_LODS, STRING_SCAS };

/* Whether the row writes its ModRM memory operand. */
static bool writes_rm(const struct x64_insn_def *d)
{
    if (d->flags & X64_F_LOCK)
        return true;
    switch (d->family) {
    case X64_FAM_x87: {
        unsigned op = X87_OP(d->arg);
        return op == X87_ST_M || op == X87_IST_M || op == X87_STSW || op == X87_STCW ||
               op == X87_STENV || op == X87_SAVE;
    }
    case X64_FAM_fxsave: /* FXRSTOR and XRSTOR read */
        return d->arg != 1 && d->arg != 3;
    case X64_FAM_mxcsr: /* STMXCSR */
        return d->arg == 1;
    case X64_FAM_cmpxchgb:
        return true;
    case X64_FAM_mov: case X64_FAM_shift: case X64_FAM_shiftd: case X64_FAM_setcc:
    case X64_FAM_pop: case X64_FAM_movbe: case X64_FAM_sse_mov: case X64_FAM_sse_misc:
    case X64_FAM_avx: case X64_FAM_mmx:
        return d->ops[0] && strchr("EMWQ", d->ops[0]);
    default:
        return false;
    }
}

/* The implicit stack access: 1 a write (a push), 0 a read (a pop), -1 none. */
static int stack_access(const struct x64_insn_def *d)
{
    switch (d->family) {
    case X64_FAM_push: case X64_FAM_call: case X64_FAM_enter: case X64_FAM_pushf:
        return 1;
    case X64_FAM_pop: case X64_FAM_ret: case X64_FAM_leave: case X64_FAM_popf:
        return 0;
    default:
        return -1;
    }
}

static uint64_t modrm_address(const struct x64_cpu *c, const struct x64_insn *in)
{
    uint64_t a = (uint64_t)(int64_t)in->disp;
    if (in->base == X64_REG_RIP)
        a += c->c.pc + in->len;
    else if (in->base != X64_REG_NONE)
        a += c->r[in->base];
    if (in->index != X64_REG_NONE && !(in->def->flags & X64_F_VSIB))
        a += c->r[in->index] << in->scale;
    if (in->addrsize == 4)
        a = (uint32_t)a;
    if (in->seg != X64_SEG_NONE)
        a += in->seg == X64_SEG_FS ? c->fs_base : c->gs_base;
    return a;
}

struct x64_access x64_fault_access(const struct x64_cpu *c, const struct x64_insn *in,
                                   uint64_t addr)
{
    const struct x64_insn_def *d = in->def;
    bool mem = in->has_modrm && in->mod != 3 && d->family != X64_FAM_lea &&
               d->family != X64_FAM_nop;
    int stack = stack_access(d);
    if (d->family == X64_FAM_string) { /* [rSI] is the source, [rDI] the destination */
        unsigned kind = (unsigned)d->arg;
        bool source = (kind == STRING_MOVS || kind == STRING_CMPS || kind == STRING_LODS) &&
                      addr - c->r[X64_RSI] < 8;
        return (struct x64_access){ !source && (kind == STRING_MOVS || kind == STRING_STOS),
                                    false };
    }
    /* MASKMOVQ, MASKMOVDQU: a store to [rDI] */
    if (d->arg == X64_MMX_ARG(X64_MMX_MASKMOVQ, 0) && d->family == X64_FAM_mmx)
        return (struct x64_access){ true, false };
    if (d->arg == 16 && d->family == X64_FAM_sse_misc && in->mod == 3)
        return (struct x64_access){ true, false };
    /* PUSH, POP and CALL of a memory operand: that operand, unless the stack faulted */
    if (mem && (stack < 0 || addr - modrm_address(c, in) < 64))
        return (struct x64_access){ writes_rm(d), (in->base == X64_RSP || in->base == X64_RBP) &&
                                                      in->seg == X64_SEG_NONE };
    return (struct x64_access){ stack == 1, stack >= 0 };
}
