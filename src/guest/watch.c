/* The memory-access calls of single-step blocks, for read and access watchpoints (watch.h). */
#include "guest/watch.h"

#include <stdlib.h>
#include <string.h>

#include "core/debug.h"

/* a0: the address, a1: size | kind << 8. */
static uint64_t access_made(void *cpu, uint64_t addr, uint64_t info, uint64_t a2, uint64_t a3)
{
    debug_mem_access(cpu, addr, (unsigned)(info & 0xff), (unsigned)(info >> 8));
    return 0;
}
static const struct ir_helper access_helper = { .name = "debug_access", .fn = access_made,
                                                .n_args = 2, .ret_type = IR_I64 };

void watch_accesses(struct ir_block *b)
{
    static __thread struct ir_op *ops;
    if (!ops && !(ops = malloc(IR_MAX_OPS * sizeof(*ops))))
        return;   /* the watchpoints miss this block's reads */
    uint32_t n = b->n_ops, n_temps = b->n_temps;
    memcpy(ops, b->ops, n * sizeof(ops[0]));
    b->n_ops = 0;
    for (uint32_t i = 0; i < n && !b->overflow; i++) {
        const struct ir_op *op = &ops[i];
        b->ops[b->n_ops++] = *op;
        if (!(ir_opdefs[op->opc].flags & IR_F_MEM))
            continue;
        unsigned kind = op->opc == IR_ld ? DEBUG_ACCESS_READ
                      : op->opc == IR_st ? DEBUG_ACCESS_WRITE
                      : DEBUG_ACCESS_READ | DEBUG_ACCESS_WRITE;
        ir_temp addr = (ir_opdefs[op->opc].flags & IR_F_IMM) && op->imm
                     ? ir_op2(b, IR_add, IR_I64, op->src[0], ir_const(b, IR_I64, op->imm))
                     : op->src[0];
        ir_call(b, &access_helper, addr,
                ir_const(b, IR_I64, (1 << (op->aux & IR_MO_SIZE)) | kind << 8), IR_NONE, IR_NONE);
    }
    if (b->overflow || b->n_ops > IR_MAX_OPS - 8) {
        memcpy(b->ops, ops, n * sizeof(ops[0]));
        b->n_ops = n;
        b->n_temps = n_temps;
        b->overflow = false;
    }
}
