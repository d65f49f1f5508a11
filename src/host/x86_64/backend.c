/* The x86-64 host backend as the ops struct exec/jit.c drives (host/backend.h): trampolines
 * and lowering over exec's struct host_env, rel32 jump patching, the registers of a host
 * signal's context, and disassembly for --log=out_asm (host/disas.c). Also the C helpers x86-64
 * code calls for the ops it does not lower inline (division; bit counts on hosts without
 * TZCNT, LZCNT and POPCNT). */
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <ucontext.h>

#include "core/registry.h"
#include "host/disas.h"
#include "host/x86_64/backend.h"
#include "ir/semantics.h"

#define ARITH_HELPERS(X) X(divs) X(divu) X(rems) X(remu)
#define UNARY_HELPERS(X) X(clz) X(ctz) X(popcnt)
#define H2(n) static uint64_t h_##n##64(uint64_t a, uint64_t b) { return op_##n##64(a, b); } \
              static uint64_t h_##n##32(uint64_t a, uint64_t b) { return op_##n##32((uint32_t)a, (uint32_t)b); }
#define H1(n) static uint64_t h_##n##64(uint64_t a) { return op_##n##64(a); } \
              static uint64_t h_##n##32(uint64_t a) { return op_##n##32((uint32_t)a); }
ARITH_HELPERS(H2)
UNARY_HELPERS(H1)

/* TZCNT, LZCNT and POPCNT decode as other instructions (REP BSF, REP BSR) on hosts without
 * them, so they are used only where CPUID has them all. */
static bool host_bit_count(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_POPCNT))
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_BMI))
        return false;
    return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT);
}

/* Everything of the abi but what comes from the env of each compilation. */
static struct x86_abi base_abi;

static int x64_init(struct host_code *out, const struct host_env *env, struct host_trampolines *t)
{
    static const void *const arith[] = {
        [XH_DIVS64] = h_divs64, [XH_DIVU64] = h_divu64, [XH_REMS64] = h_rems64,
        [XH_REMU64] = h_remu64, [XH_DIVS32] = h_divs32, [XH_DIVU32] = h_divu32,
        [XH_REMS32] = h_rems32, [XH_REMU32] = h_remu32, [XH_CLZ64] = h_clz64,
        [XH_CLZ32] = h_clz32, [XH_CTZ64] = h_ctz64, [XH_CTZ32] = h_ctz32,
        [XH_POPCNT64] = h_popcnt64, [XH_POPCNT32] = h_popcnt32,
    };
    struct x86_abi *a = &base_abi;
    memcpy(a->helper, arith, sizeof(arith));
    a->helper[XH_ATOMIC_RMW] = (const void *)env->atomic_rmw;
    a->helper[XH_CMPXCHG] = (const void *)env->cmpxchg;
    a->helper[XH_MEM_CHECK] = (const void *)env->mem_check;
    a->helper[XH_LOG_STORE] = (const void *)env->log_store;
    a->helper[XH_LOAD] = (const void *)env->load;
    a->helper[XH_STORE] = (const void *)env->store;
    a->helper[XH_TLB_LOAD] = (const void *)env->tlb_load;
    a->helper[XH_TLB_STORE] = (const void *)env->tlb_store;
    a->env = *env;
    a->bit_count = host_bit_count();
    struct host_buf o = host_buf_of(out);
    struct x86_trampolines tramp;
    int err = x86_emit_trampolines(&o, a, &tramp);
    out->size = (size_t)(o.p - o.start);
    if (err < 0)
        return err;
    a->epilogue = tramp.epilogue;
    a->mem_thunk = tramp.mem_thunk;
    a->tlb_load_thunk = tramp.tlb_load_thunk;
    a->tlb_store_thunk = tramp.tlb_store_thunk;
    t->enter = tramp.enter;
    t->jc_miss = tramp.jc_miss;
    return 0;
}

static int x64_lower(const struct ir_block *b, const struct host_env *env, struct host_code *out)
{
    struct x86_abi a = base_abi;
    a.env = *env;
    struct host_buf o = host_buf_of(out);
    int err = x86_lower(b, &a, &o, out->map, &out->n_map, out->wb, &out->n_wb);
    out->size = (size_t)(o.p - o.start);
    out->n_relocs = o.n_relocs;
    return err;
}

static uintptr_t x64_reloc_target(const uint8_t *code, const struct host_reloc *r)
{
    if (r->kind == HOST_RELOC_ABS64) {
        uint64_t v;
        memcpy(&v, code + r->off, 8);
        return (uintptr_t)v;
    }
    int32_t rel;
    memcpy(&rel, code + r->off, 4);
    return (uintptr_t)(code + r->off + 4 + rel);
}

static int x64_relocate(uint8_t *rw, const uint8_t *rx, const struct host_reloc *r,
                        uintptr_t target)
{
    if (r->kind == HOST_RELOC_ABS64) {
        uint64_t v = target;
        memcpy(rw + r->off, &v, 8);
        return 0;
    }
    intptr_t rel = (intptr_t)target - (intptr_t)(rx + r->off + 4);
    if (!x86_fits32(rel))
        return -ERANGE;
    int32_t v = (int32_t)rel;
    memcpy(rw + r->off, &v, 4);
    return 0;
}

static const void *x64_patch_jump(uint8_t *rw, const uint8_t *site, const void *target)
{
    int32_t rel;
    memcpy(&rel, site, 4);
    x86_patch_rel32(rw, site, target);
    return site + 4 + rel;
}

/* A counted block starts with `sub dword [r14 + disp32], 1; je rel32` (lower.c): its first two
 * bytes become `jmp +12`, in one aligned 8-byte store (blocks are 16-aligned). */
static int x64_stop_count(uint8_t *rw, const uint8_t *code)
{
    static const uint8_t sub[] = { 0x41, 0x83, 0xae }, je[] = { 0x0f, 0x84 };
    if (((uintptr_t)code & 7) || memcmp(code, sub, sizeof(sub)) || code[7] != 1 ||
        memcmp(code + 8, je, sizeof(je)))
        return -ENOENT;
    uint64_t word;
    memcpy(&word, code, 8);
    memcpy(&word, (const uint8_t[]){ 0xeb, 8 - 2 + 6 }, 2);
    __atomic_store_n((uint64_t *)(void *)rw, word, __ATOMIC_RELEASE);
    return 0;
}

static const void *x64_signal_pc(const void *uc)
{
    return (const void *)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
}

/* In the encoder's register numbering (x86.h), which the write-back lists use. */
static void x64_signal_regs(const void *uc, uint64_t regs[HOST_MAX_REGS])
{
    static const uint8_t greg_of[16] = {
        REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
        REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
    };
    for (unsigned r = 0; r < 16; r++)
        regs[r] = (uint64_t)((const ucontext_t *)uc)->uc_mcontext.gregs[greg_of[r]];
}

static size_t x64_disas(const uint8_t *code, size_t len, uint64_t addr, char *out, size_t outlen)
{
    return host_disas(HOST_DISAS_X86_64, code, len, addr, out, outlen);
}

static const struct host_backend x86_64_backend = {
    .name = "x86-64",
    .init = x64_init,
    .lower = x64_lower,
    .patch_jump = x64_patch_jump,
    .stop_count = x64_stop_count,
    .signal_pc = x64_signal_pc,
    .signal_regs = x64_signal_regs,
    .relocs = true,
    .reloc_target = x64_reloc_target,
    .relocate = x64_relocate,
    .disas = x64_disas,
};
HOST_REGISTER(x86_64_backend)
