/* The AArch64 host backend as the ops struct exec/jit.c drives (host/backend.h): trampolines
 * and lowering over exec's struct host_env, branch re-pointing for chains, the registers of a
 * host signal's context, disassembly for --log=out_asm (host/disas.c), and the instruction-cache
 * maintenance AArch64 needs after code is written or patched (its instruction fetch does not
 * see data stores until the lines are cleaned to the point of unification and invalidated:
 * __builtin___clear_cache's dc cvau / ic ivau). Also the C helpers for the ops the code does
 * not do inline (popcnt, which base A64 lacks). */
#include <string.h>
#include <ucontext.h>

#include "core/registry.h"
#include "host/aarch64/backend.h"
#include "host/disas.h"
#include "ir/semantics.h"

static uint64_t h_popcnt64(uint64_t a) { return op_popcnt64(a); }
static uint64_t h_popcnt32(uint64_t a) { return op_popcnt32((uint32_t)a); }

/* Everything of the abi but what comes from the env of each compilation. */
static struct a64_abi base_abi;

static void sync_icache(const struct host_code *c, size_t size)
{
    char *rx = (char *)c->start + c->rx_delta;
    __builtin___clear_cache(rx, rx + size);
}

static int a64_init(struct host_code *out, const struct host_env *env, struct host_trampolines *t)
{
    struct a64_abi *a = &base_abi;
    a->helper[AH_POPCNT64] = (const void *)h_popcnt64;
    a->helper[AH_POPCNT32] = (const void *)h_popcnt32;
    a->helper[AH_ATOMIC_RMW] = (const void *)env->atomic_rmw;
    a->helper[AH_CMPXCHG] = (const void *)env->cmpxchg;
    a->helper[AH_MEM_CHECK] = (const void *)env->mem_check;
    a->helper[AH_LOG_STORE] = (const void *)env->log_store;
    a->helper[AH_LOAD] = (const void *)env->load;
    a->helper[AH_STORE] = (const void *)env->store;
    a->env = *env;
    struct host_buf o = host_buf_of(out);
    struct a64_trampolines tramp;
    int err = a64_emit_trampolines(&o, a, &tramp);
    out->size = (size_t)(o.p - o.start);
    if (err < 0)
        return err;
    sync_icache(out, out->size);
    a->epilogue = tramp.epilogue;
    a->mem_thunk = tramp.mem_thunk;
    t->enter = tramp.enter;
    t->jc_miss = tramp.jc_miss;
    return 0;
}

static int a64_lower_block(const struct ir_block *b, const struct host_env *env,
                           struct host_code *out)
{
    struct a64_abi a = base_abi;
    a.env = *env;
    struct host_buf o = host_buf_of(out);
    int err = a64_lower(b, &a, &o, out->map, &out->n_map);
    out->n_wb = 0;
    out->size = (size_t)(o.p - o.start);
    if (!err)
        sync_icache(out, out->size);
    return err;
}

/* A target out of a branch's reach (a code cache over 128 MiB) is never chained: the exit
 * keeps going through its stub, which is always correct. */
static const void *a64_patch_jump(uint8_t *rw, const uint8_t *site, const void *target)
{
    uint32_t word;
    memcpy(&word, rw, 4);
    if (!a64_branch_reaches(A_B, site, target))
        return a64_branch_target(word, site);
    const void *before = a64_patch_branch(rw, site, target);
    __builtin___clear_cache((char *)site, (char *)site + 4);
    return before;
}

static const void *a64_signal_pc(const void *uc)
{
    return (const void *)((const ucontext_t *)uc)->uc_mcontext.pc;
}

static void a64_signal_regs(const void *uc, uint64_t regs[HOST_MAX_REGS])
{
    const ucontext_t *u = uc;
    for (unsigned r = 0; r < 31; r++)
        regs[r] = u->uc_mcontext.regs[r];
    regs[31] = u->uc_mcontext.sp;
}

static size_t a64_disas(const uint8_t *code, size_t len, uint64_t addr, char *out, size_t outlen)
{
    return host_disas(HOST_DISAS_AARCH64, code, len, addr, out, outlen);
}

static const struct host_backend aarch64_backend = {
    .name = "aarch64",
    .init = a64_init,
    .lower = a64_lower_block,
    .patch_jump = a64_patch_jump,
    .signal_pc = a64_signal_pc,
    .signal_regs = a64_signal_regs,
    .disas = a64_disas,
};
HOST_REGISTER(aarch64_backend)
