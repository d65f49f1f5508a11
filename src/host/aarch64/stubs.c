/* The code shared by every block, written once at the start of the code cache: enter (C ->
 * generated code, saving the callee-saved registers and loading the fixed ones: x28 = cpu,
 * x27 = the flat space's base, x26 = the flat limit - 1, from cpu->as), the epilogue every
 * exit jumps to, the jump-cache miss path, and the slow path of the guest address check,
 * which keeps every register a temp may live in. */
#include <errno.h>
#include <stddef.h>

#include "core/cpu.h"
#include "host/aarch64/backend.h"
#include "mem/aspace.h"

void a64_jump(struct host_buf *o, const void *target, bool call)
{
    if (a64_branch_reaches(A_B, a64_rx(o, o->p), target)) {
        a64_branch(o, call ? A_BL : A_B, true, 0, target);
        return;
    }
    /* a call goes through lr, which it overwrites anyway, so that it keeps x16 */
    unsigned r = call ? A64_LR : 16;
    a64_mov_imm(o, r, (uint64_t)(uintptr_t)target);
    a64_emit(o, call ? A_BLR : A_BR, true, 0, r, 0, 0);
}

/* x19..x28 and the frame record, in pairs. */
static const uint8_t saved_pairs[][2] = { { 19, 20 }, { 21, 22 }, { 23, 24 }, { 25, 26 }, { 27, 28 } };
#define FRAME (16 * (1 + (int)(sizeof(saved_pairs) / sizeof(saved_pairs[0]))))
/* Kept by the address check's slow path: x0..x17 and lr, plus one for alignment. */
#define THUNK_FRAME (8 * 20)

int a64_emit_trampolines(struct host_buf *o, const struct a64_abi *abi, struct a64_trampolines *t)
{
    t->enter = (uintptr_t(*)(struct cpu *, const void *))(void *)a64_rx(o, o->p);
    a64_emit(o, A_STP_PRE, true, 29, A64_SP, A64_LR, -FRAME);
    for (unsigned k = 0; k < sizeof(saved_pairs) / sizeof(saved_pairs[0]); k++)
        a64_emit(o, A_STP, true, saved_pairs[k][0], A64_SP, saved_pairs[k][1], 16 * (k + 1));
    a64_emit(o, A_ADDI, true, 29, A64_SP, 0, 0);
    a64_mov(o, true, R_CPU, 0);
    a64_emit(o, A_LDRX, true, 16, R_CPU, A64_NOREG, offsetof(struct cpu, as));
    a64_emit(o, A_LDRX, true, R_LIMIT, 16, A64_NOREG, offsetof(struct aspace, flat_limit));
    a64_emit(o, A_SUBI, true, R_LIMIT, R_LIMIT, 0, 1);
    a64_emit(o, A_LDRX, true, R_BASE, 16, A64_NOREG, offsetof(struct aspace, flat_base));
    a64_emit(o, A_BR, true, 0, 1, 0, 0);

    t->epilogue = a64_rx(o, o->p);
    for (unsigned k = 0; k < sizeof(saved_pairs) / sizeof(saved_pairs[0]); k++)
        a64_emit(o, A_LDP, true, saved_pairs[k][0], A64_SP, saved_pairs[k][1], 16 * (k + 1));
    a64_emit(o, A_LDP_POST, true, 29, A64_SP, A64_LR, FRAME);
    a64_emit(o, A_RET, true, 0, A64_LR, 0, 0);

    t->jc_miss = a64_rx(o, o->p);
    a64_emit(o, A_STRX, true, 0, R_CPU, A64_NOREG, offsetof(struct cpu, pc));
    a64_mov_imm(o, 0, HOST_RET_EXIT);
    a64_jump(o, t->epilogue, false);

    /* x8 = guest address, x17 = access size, lr = return address inside the stub. */
    t->mem_thunk = a64_rx(o, o->p);
    a64_emit(o, A_STP_PRE, true, 0, A64_SP, 1, -THUNK_FRAME);
    for (unsigned r = 2; r < 18; r += 2)
        a64_emit(o, A_STP, true, r, A64_SP, r + 1, 8 * (int)r);
    a64_emit(o, A_STRX, true, A64_LR, A64_SP, A64_NOREG, 8 * 18);
    a64_mov(o, true, 0, R_CPU);
    a64_mov(o, true, 1, 8);
    a64_mov(o, true, 2, 17);
    a64_mov(o, true, 3, A64_LR);
    a64_mov_imm(o, 16, (uint64_t)(uintptr_t)abi->helper[AH_MEM_CHECK]);
    a64_emit(o, A_BLR, true, 0, 16, 0, 0);
    a64_emit(o, A_LDRX, true, A64_LR, A64_SP, A64_NOREG, 8 * 18);
    for (unsigned r = 2; r < 18; r += 2)
        a64_emit(o, A_LDP, true, r, A64_SP, r + 1, 8 * (int)r);
    a64_emit(o, A_LDP_POST, true, 0, A64_SP, 1, THUNK_FRAME);
    a64_emit(o, A_RET, true, 0, A64_LR, 0, 0);
    return o->overflow ? -ENOSPC : 0;
}
