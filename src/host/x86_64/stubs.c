/* The code shared by every block, written once at the start of the code cache: enter (C ->
 * generated code, saving the callee-saved registers and loading the fixed ones: r14 = cpu,
 * r15 = the flat space's base or the TLB of a space with one, r13 = the flat limit - 1,
 * from cpu->as), the epilogue every exit jumps to, the jump-cache miss path, the slow path
 * of the guest address check, which keeps every register but rcx, and those of TLB misses,
 * which keep every register but rax, rcx and rdx. */
#include <errno.h>
#include <stddef.h>

#include "core/cpu.h"
#include "host/x86_64/backend.h"
#include "mem/aspace.h"

static const uint8_t saved_regs[] = { RBP, RBX, R12, R13, R14, R15 };
static const uint8_t thunk_regs[] = { RAX, RDX, RSI, RDI, R8, R9, R10, R11 };

/* A TLB miss: helper(cpu, address, [value,] memop, return address inside the stub), keeping
 * the caller-saved registers that may hold temps ([rsp] = that return address). */
static void tlb_thunk(struct host_buf *o, const void *helper, bool store)
{
    static const uint8_t regs[] = { RSI, RDI, R8, R9, R10, R11 };
    for (unsigned k = 0; k < sizeof(regs); k++)
        x86_push_pop(o, true, regs[k]);
    x86_emit(o, X_SUBI, true, 0, xr(RSP), 8);
    int32_t ret = 8 + 8 * (int32_t)sizeof(regs);
    x86_emit(o, X_MOV, true, RDI, xr(R14), 0);
    x86_emit(o, X_MOV, true, RSI, xr(RAX), 0);
    if (store) {
        x86_emit(o, X_MOV, true, R8, xm(RSP, ret), 0);
    } else {
        x86_emit(o, X_MOV, true, RDX, xr(RCX), 0);
        x86_emit(o, X_MOV, true, RCX, xm(RSP, ret), 0);
    }
    x86_call(o, helper);
    x86_emit(o, X_ADDI, true, 0, xr(RSP), 8);
    for (unsigned k = sizeof(regs); k-- > 0;)
        x86_push_pop(o, false, regs[k]);
    x86_byte(o, 0xc3);
}

int x86_emit_trampolines(struct host_buf *o, const struct x86_abi *abi, struct x86_trampolines *t)
{
    t->enter = (uintptr_t(*)(struct cpu *, const void *))(void *)(o->p + o->rx_delta);
    for (unsigned k = 0; k < sizeof(saved_regs); k++)
        x86_push_pop(o, true, saved_regs[k]);
    x86_emit(o, X_SUBI, true, 0, xr(RSP), 8);
    x86_emit(o, X_MOV, true, R14, xr(RDI), 0);
    x86_emit(o, X_MOV, true, R15, xm(RDI, offsetof(struct cpu, as)), 0);
    x86_emit(o, X_MOV, true, R13, xm(R15, offsetof(struct aspace, flat_limit)), 0);
    x86_emit(o, X_MOV, true, RAX, xm(R15, offsetof(struct aspace, tlb)), 0);
    x86_emit(o, X_MOV, true, R15, xm(R15, offsetof(struct aspace, flat_base)), 0);
    x86_emit(o, X_OR, true, R15, xr(RAX), 0);   /* a space has one or the other */
    x86_emit(o, X_SUBI, true, 0, xr(R13), 1);
    x86_emit(o, X_JMPM, false, 0, xr(RSI), 0);

    t->epilogue = o->p + o->rx_delta;
    x86_emit(o, X_ADDI, true, 0, xr(RSP), 8);
    for (unsigned k = sizeof(saved_regs); k-- > 0;)
        x86_push_pop(o, false, saved_regs[k]);
    x86_byte(o, 0xc3);

    t->jc_miss = o->p + o->rx_delta;
    x86_emit(o, X_ST, true, RAX, xm(R14, offsetof(struct cpu, pc)), 0);
    x86_mov_imm(o, RAX, HOST_RET_EXIT);
    x86_jmp(o, t->epilogue);

    /* rax = guest address, rcx = access size, [rsp] = return address inside the stub. */
    t->mem_thunk = o->p + o->rx_delta;
    for (unsigned k = 0; k < sizeof(thunk_regs); k++)
        x86_push_pop(o, true, thunk_regs[k]);
    x86_emit(o, X_SUBI, true, 0, xr(RSP), 8);
    x86_emit(o, X_MOV, true, RDI, xr(R14), 0);
    x86_emit(o, X_MOV, true, RSI, xr(RAX), 0);
    x86_emit(o, X_MOV, true, RDX, xr(RCX), 0);
    x86_emit(o, X_MOV, true, RCX, xm(RSP, 8 + 8 * (int32_t)sizeof(thunk_regs)), 0);
    x86_call(o, abi->helper[XH_MEM_CHECK]);
    x86_emit(o, X_ADDI, true, 0, xr(RSP), 8);
    for (unsigned k = sizeof(thunk_regs); k-- > 0;)
        x86_push_pop(o, false, thunk_regs[k]);
    x86_byte(o, 0xc3);

    /* rax = guest address, rcx = memop | i32 << 8; returns the loaded value in rax. */
    t->tlb_load_thunk = o->p + o->rx_delta;
    tlb_thunk(o, abi->helper[XH_TLB_LOAD], false);
    /* rax = guest address, rdx = value, rcx = memop. */
    t->tlb_store_thunk = o->p + o->rx_delta;
    tlb_thunk(o, abi->helper[XH_TLB_STORE], true);
    return o->overflow ? -ENOSPC : 0;
}
