/* The x87 family (and FWAIT, which x87.c treats as FNOP): each instruction is one call of
 * x87.h's helper, which does its memory access itself (after checking it, before changing
 * any state) and raises a pending unmasked exception; the translator adds the
 * effective address, FCMOVcc's condition from the lazy flags, and puts FNSTSW AX's and
 * FCOMI's results. */
#include "guest/x86_64/translate.h"
#include "guest/x86_64/x87.h"

void x64_trans_x87(struct x64_ctx *ctx, const struct x64_insn *in)
{
    uint64_t desc = (uint64_t)in->def->arg;
    unsigned op = X87_OP(desc);
    ir_temp addr, cond = x64_const(ctx, 0);
    if (!in->has_modrm || in->mod == 3) {
        desc |= (uint64_t)(in->rm & 7) << 8;
        addr = x64_const(ctx, 0);
    } else {
        addr = x64_ea(ctx);
    }
    if (in->prefixes & X64_P_OPSZ)
        desc |= X87_D_OPSZ16;
    if (op == X87_CMOV)
        cond = x64_cond_value(ctx, X87_SUB(desc));
    ir_temp r = ir_call(ctx->b, &x64_helper_x87, x64_const(ctx, (int64_t)desc), addr, cond,
                        IR_NONE);
    if (op == X87_STSW && in->mod == 3)
        x64_put_reg(ctx, X64_RAX, 2, r);
    else if (op == X87_COMI)
        x64_put_flags(ctx, r);
}
