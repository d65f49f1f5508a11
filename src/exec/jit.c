/* --engine=jit: the baseline JIT, host-neutral. Each block is optimised (opt/), lowered to host
 * code in the code cache by the host backend (host/backend.h, found in the registry) and run
 * through its enter trampoline. Constant exits are chained: the first time one is taken, its
 * jump is patched to the next block's code; indirect exits look up the jump cache inline. A
 * fault inside generated code is mapped back to the guest pc through the block's host-offset
 * -> guest-pc table. Built only for hosts that have a backend. */
#include "exec/jit.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug.h"
#include "core/log.h"
#include "core/registry.h"
#include "exec/codegc.h"
#include "exec/exec.h"
#include "exec/tb.h"
#include "exec/tcache.h"
#include "exec/tier2.h"
#include "guest/translator.h"
#include "host/backend.h"
#include "ir/semantics.h"
#include "mem/aspace.h"
#include "opt/opt.h"

/* A patched exit: site's rel32 jumps from block `from` to block `to` instead of to its stub.
 * Each link is on to's incoming list and on from's outgoing list, so freeing either block
 * can undo or forget it. */
struct jit_link {
    uint8_t *site;               /* executable address of the rel32 */
    const uint8_t *stub;         /* where it jumped before */
    struct tb *from, *to;
    struct jit_link *next_in, *next_out;
};

struct jit_data {
    struct jit_link *in, *out;
    struct host_wb *wb;          /* the write-back lists of map entries (after map[]) */
    uint32_t n_map, n_wb;
    struct host_map map[];
};

void (*jit_store_log)(struct cpu *cpu, uint64_t addr, unsigned size);

static const struct host_backend *backend;
/* env_uncounted: code that does not count its runs: T2's regions, one-instruction blocks
 * (TB_FLAG_ONE_INSN), and blocks that head no region (TB_T1_ALONE) when compiled again. */
static struct host_env env_chained, env_checkable, env_uncounted;
/* Guest threads run blocks concurrently: compiling (with its collections) and chaining
 * change the code cache and the link lists, one thread at a time. Freeing outside a
 * compilation happens only while every other CPU is stopped (exec_invalidate, cpu_free). */
static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_trampolines tramp;
/* The trampolines' executable addresses, [tramp_lo, tramp_hi): a base of cached code. */
static uintptr_t tramp_lo, tramp_hi;
/* vm's own code, the other base (symbols of the GNU linker). */
extern const char __executable_start[], etext[];

/* ---- helpers called from generated code ---- */

static void h_mem_check(struct cpu *cpu, uint64_t addr, uint64_t size, uint8_t *ret)
{
    cpu->cur_op = ret - 1;
    mem_check_flat(cpu, addr, size);
}

static void h_log_store(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t size)
{
    uint64_t addr = base + (uint64_t)disp;
    if (jit_store_log && addr <= cpu->as->flat_limit - size)
        jit_store_log(cpu, addr, (unsigned)size);
}

/* Loads and stores in a space that is not flat (a softmmu): one call into it per access. */
static uint64_t h_load(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t memop_w32)
{
    unsigned memop = memop_w32 & 0xff;
    uint64_t raw = cpu->as->ops->load(cpu, base + (uint64_t)disp, memop);
    return ir_ld_extend(raw, memop, memop_w32 >> 8);
}

static void h_store(struct cpu *cpu, uint64_t base, int64_t disp, uint64_t value,
                    uint64_t memop)
{
    cpu->as->ops->store(cpu, base + (uint64_t)disp, (unsigned)memop, value);
}

/* A TLB miss (or a page the slow path must see) of an inline probe: the space's own path. */
static uint64_t h_tlb_load(struct cpu *cpu, uint64_t addr, uint64_t memop_w32, const uint8_t *ret)
{
    unsigned memop = memop_w32 & 0xff;
    cpu->cur_op = ret - 1;
    return ir_ld_extend(cpu->as->ops->load(cpu, addr, memop), memop, memop_w32 >> 8);
}

static void h_tlb_store(struct cpu *cpu, uint64_t addr, uint64_t value, uint64_t memop,
                        const uint8_t *ret)
{
    cpu->cur_op = ret - 1;
    cpu->as->ops->store(cpu, addr, (unsigned)memop, value);
}

static uint64_t h_atomic_rmw(struct cpu *cpu, uint64_t addr, uint64_t v, uint64_t kind_memop)
{
    unsigned memop = (unsigned)(kind_memop >> 8), size = 1u << (memop & IR_MO_SIZE);
    void *p = mem_ptr(cpu, addr, size, MEM_READ | MEM_WRITE, ir_mo_mmu(memop));
    if (jit_store_log)
        jit_store_log(cpu, addr, size);
    return op_atomic_rmw(p, kind_memop & 0xff, size, v);
}

static uint64_t h_cmpxchg(struct cpu *cpu, uint64_t addr, uint64_t expected, uint64_t newval,
                          uint64_t memop)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    void *p = mem_ptr(cpu, addr, size, MEM_READ | MEM_WRITE, ir_mo_mmu((unsigned)memop));
    if (jit_store_log)
        jit_store_log(cpu, addr, size);
    return op_cmpxchg(p, size, expected, newval);
}

/* ---- setup ---- */

static void jit_before_fork(void), jit_parent_after_fork(void), jit_child_after_fork(void);

static int jit_init(void)
{
    static int done;
    if (done)
        return done < 0 ? -ENOMEM : 0;
    done = -1;
    if (codegc_init() < 0)
        return -ENOMEM;
    if (!(backend = host_backend()))
        return -ENOSYS;
    pthread_atfork(jit_before_fork, jit_parent_after_fork, jit_child_after_fork);
    struct host_env *e = &env_chained;
    e->temps_offset = 0;   /* set from the CPU in set_env, as the jump cache's offsets */
    e->jc_mask = JUMP_CACHE_SIZE - 1;
    e->inline_jc = true;
    e->atomic_rmw = h_atomic_rmw;
    e->cmpxchg = h_cmpxchg;
    e->mem_check = h_mem_check;
    e->log_store = h_log_store;
    e->load = h_load;
    e->store = h_store;
    e->tlb_load = h_tlb_load;
    e->tlb_store = h_tlb_store;
    struct host_code c = { 0 };
    c.start = codegc_space(CODEGC_OLD, &c.avail, &c.rx_delta);
    if (backend->init(&c, e, &tramp) < 0)
        return -ENOMEM;
    tramp_lo = (uintptr_t)codegc_commit(CODEGC_OLD, c.start, c.start + c.size, NULL);
    tramp_hi = tramp_lo + c.size;
    tb_none.code = (void *)tramp.jc_miss;
    env_checkable = *e;
    env_checkable.inline_jc = false;
    env_checkable.log_stores = true;
    env_checkable.loops_leave = true;
    done = 1;
    return 0;
}

/* ---- engine ---- */

/* ---- chains ---- */

static void link_blocks(struct cpu *cpu, uint8_t *site, struct tb *to)
{
    struct tb *from = codegc_lookup(site);
    if (!from || !tb_may_chain(cpu, from, to))   /* not chaining is always correct */
        return;
    struct jit_link *l = malloc(sizeof(*l));
    if (!l)
        return;
    *l = (struct jit_link){ .site = site, .from = from, .to = to };
    struct jit_data *df = from->aux, *dt = to->aux;
    l->next_in = dt->in;
    dt->in = l;
    l->next_out = df->out;
    df->out = l;
    l->stub = backend->patch_jump(codegc_rw(site), site, to->code);
    codegc_stats.links++;
}

static void unlist(struct jit_link **head, struct jit_link *l, bool out)
{
    while (*head != l)
        head = out ? &(*head)->next_out : &(*head)->next_in;
    *head = out ? l->next_out : l->next_in;
}

/* Undoes every chain into tb: its exits go back to their stubs. */
static void unlink_into(struct tb *tb)
{
    struct jit_data *d = tb->aux;
    while (d->in) {
        struct jit_link *l = d->in;
        d->in = l->next_in;
        backend->patch_jump(codegc_rw(l->site), l->site, l->stub);
        unlist(&((struct jit_data *)l->from->aux)->out, l, true);
        free(l);
    }
}

/* Undoes every chain into tb and forgets every chain out of it. */
static void unlink_block(struct tb *tb)
{
    struct jit_data *d = tb->aux;
    unlink_into(tb);
    while (d->out) {
        struct jit_link *l = d->out;
        d->out = l->next_out;
        unlist(&((struct jit_data *)l->to->aux)->in, l, false);
        free(l);
    }
}



/* --log=out_asm: the host code of tb, with the guest pc of each instruction's first byte. */
static void log_out_asm(const struct tb *tb)
{
    const uint8_t *code = tb->code;
    fprintf(log_file, "OUT: [size=%u] guest %#" PRIx64 "\n", tb->code_size, tb->pc);
    const struct jit_data *d = tb->aux;
    char text[160];
    size_t n;
    for (uint32_t off = 0, m = 0; off < tb->code_size; off += (uint32_t)n) {
        n = backend->disas(code + off, tb->code_size - off, (uintptr_t)(code + off), text,
                           sizeof(text));
        if (!n)
            break;
        for (; m < d->n_map && d->map[m].host_off <= off; m++)
            if (d->map[m].host_off == off)
                fprintf(log_file, "  -- guest %#" PRIx64 "\n", d->map[m].pc);
        fprintf(log_file, "  %#" PRIxPTR ":  %s\n", (uintptr_t)(code + off), text);
        if (off + n == tb->code_size) {
            fprintf(log_file, "\n");
            return;
        }
    }
    for (uint32_t k = 0; k < tb->code_size; k++)
        fprintf(log_file, "%02x%s", code[k], (k % 32 == 31 || k + 1 == tb->code_size) ? "\n" : " ");
    fprintf(log_file, "\n");
}

/* The address fields of the code lower_into wrote last on this thread (for --tcache). */
static __thread struct host_reloc *relocs;
static __thread uint32_t n_relocs;

/* Lowers b (optimised) into region r as tb's code: 0, -ENOSPC if r is full, -ENOMEM. */
static int lower_into(struct cpu *cpu, struct tb *tb, const struct ir_block *b,
                      const struct host_env *env, enum codegc_region r)
{
    static __thread struct host_map *map;
    static __thread struct host_wb *wb;
    if (!map && !(map = malloc(HOST_MAX_MAP * sizeof(*map))))
        return -ENOMEM;
    if (!wb && !(wb = malloc(HOST_MAX_WB * sizeof(*wb))))
        return -ENOMEM;
    if (tcache_on && !relocs && !(relocs = malloc(HOST_MAX_RELOCS * sizeof(*relocs))))
        return -ENOMEM;
    struct host_code c = { .map = map, .wb = wb, .relocs = relocs };
    c.start = codegc_space(r, &c.avail, &c.rx_delta);
    int err = backend->lower(b, env, &c);
    n_relocs = c.n_relocs;
    if (err < 0)
        return err;
    struct jit_data *d = malloc(sizeof(*d) + c.n_map * sizeof(d->map[0]) + c.n_wb * sizeof(*wb));
    if (!d)
        return -ENOMEM;
    d->in = d->out = NULL;
    d->n_map = c.n_map;
    d->n_wb = c.n_wb;
    memcpy(d->map, map, c.n_map * sizeof(map[0]));
    d->wb = (struct host_wb *)(d->map + c.n_map);
    memcpy(d->wb, wb, c.n_wb * sizeof(*wb));
    tb->code = codegc_commit(r, c.start, c.start + c.size, tb);
    tb->code_size = (uint32_t)c.size;
    tb->aux = d;
    if (log_enabled(out_asm))
        log_out_asm(tb);
    return 0;
}

void jit_free_block(struct tb *tb)
{
    if (!tb->aux)
        return;
    unlink_block(tb);
    codegc_release(tb);
    free(tb->aux);
    tb->aux = NULL;
}

/* ---- the collector's policy ---- */

/* A block's environment: one that heads no region does not count its runs, nor does a
 * one-instruction block, which must run its instruction (no counter to leave before it). */
static const struct host_env *chained_env(const struct tb *tb)
{
    return tb->tier == TB_T1_ALONE || (tb->flags & TB_FLAG_ONE_INSN) ? &env_uncounted
                                                                      : &env_chained;
}

/* A nursery block is still in use if a chain leads into it or the jump cache holds it. */
static bool block_in_use(struct cpu *cpu, const struct tb *tb)
{
    const struct jit_data *d = tb->aux;
    return d->in || exec_of(cpu)->jump_cache[jump_cache_index(tb->pc, tb->flags)] == tb;
}

/* Recompiles tb into the old space (the same tb, so the hash table and jump caches stay
 * valid; its chains are undone and come back as they are taken). */
static int promote(struct cpu *cpu, struct tb *tb)
{
    static __thread struct ir_block *b;
    if (!b && !(b = malloc(sizeof(*b))))
        return -ENOMEM;
    uint64_t fault_addr;
    if (!tb_current(cpu, tb) || translate_block(cpu, b, tb->pc, tb->flags, &fault_addr) < 0)
        return -EFAULT;
    opt_block(b);
    jit_free_block(tb);
    tb->end_pc = b->end_pc;
    tb->n_insns = b->n_insns;
    int err = lower_into(cpu, tb, b, chained_env(tb), CODEGC_OLD);
    if (err == 0)
        jump_cache_moved(tb);
    return err;
}

/* The nursery is full: keep what is in use, drop the rest. False if the old space filled up
 * (then everything was flushed). */
static bool minor_collection(struct cpu *cpu)
{
    codegc_stats.minor++;
    size_t i = 0;
    struct tb *tb;
    while ((tb = codegc_block(CODEGC_NURSERY, &i))) {
        int err = block_in_use(cpu, tb) ? promote(cpu, tb) : -EFAULT;
        if (err == 0) {
            codegc_stats.promoted++;
        } else if (err == -EFAULT) {
            codegc_stats.dropped++;
            tb_remove(cpu, tb);
        } else {
            codegc_stats.full++;
            tb_flush(cpu);
            return false;
        }
    }
    codegc_reset_nursery();
    return true;
}

/* With other guest threads running, blocks can only be freed at a safepoint: ask for one
 * while the nursery still has room. When the old space filled up before it came, the
 * safepoint flushes everything (flush_asked). */
static bool collection_asked, flush_asked;

/* The JIT lock is held across fork, so that no code is being written while the code cache
 * is copied for the child (exec/codegc.c). The child has only the thread that forked: no
 * safepoint is pending there. */
static void jit_before_fork(void)
{
    pthread_mutex_lock(&jit_lock);
}

static void jit_parent_after_fork(void)
{
    pthread_mutex_unlock(&jit_lock);
}

static void jit_child_after_fork(void)
{
    pthread_mutex_unlock(&jit_lock);
    collection_asked = flush_asked = false;
}

static void collect_at_safepoint(struct cpu *cpu)
{
    pthread_mutex_lock(&jit_lock);
    collection_asked = false;
    if (flush_asked) {
        codegc_stats.full++;
        tb_flush(cpu);
    } else if (exec_of(cpu)->frees_one) {
        minor_collection(cpu);
    }
    flush_asked = false;
    pthread_mutex_unlock(&jit_lock);
}

/* The nursery is full: collect now if this CPU is alone, else put the block in the old
 * space until the safepoint comes; -ENOSPC if that is full too, or if the block is the check
 * engine's (its blocks are flushed at the safepoint, never here: its interpreter may be
 * inside one, translating the next). */
static int make_room(struct cpu *cpu, struct tb *tb, const struct ir_block *b,
                     const struct host_env *env, bool checkable)
{
    if (!exec_cpu_alone(cpu))
        return lower_into(cpu, tb, b, env, CODEGC_OLD);
    if (checkable)
        return -ENOSPC;
    if (!exec_of(cpu)->frees_one || !minor_collection(cpu)) {
        codegc_stats.full++;
        tb_flush(cpu);
    }
    return lower_into(cpu, tb, b, env, CODEGC_NURSERY);
}

/* The parts of the environment that come from the CPU's space. */
static void set_env(struct cpu *cpu)
{
    env_chained.temps_offset = env_checkable.temps_offset = (int32_t)cpu->temps_offset;
    /* struct exec_cpu lies inside the CPU's allocation (exec/loop.c's cpu_new) */
    int32_t exec_offset = (int32_t)((char *)cpu->exec - (char *)cpu);
    env_chained.jc_offset = env_checkable.jc_offset =
        exec_offset + (int32_t)offsetof(struct exec_cpu, jump_slots);
    env_chained.hot_offset = env_checkable.hot_offset =
        exec_offset + (int32_t)offsetof(struct exec_cpu, hot);
    env_chained.guest_limit = env_checkable.guest_limit = cpu->as->flat_limit;
    env_chained.flat = env_checkable.flat = cpu->as->flat_base != NULL;
    env_chained.tlb = env_checkable.tlb = cpu->as->tlb != NULL;
    env_chained.tlb_count_hits = env_checkable.tlb_count_hits =
        cpu->as->tlb && cpu->as->tlb->count_hits;
    env_chained.chain_in_page = cpu->code_addr != NULL;   /* as tb_may_chain */
    env_chained.hot_count = tier2_counts(cpu);
    env_uncounted = env_chained;
    env_uncounted.hot_count = false;
}

/* ---- the persistent translation cache (--tcache) ---- */

/* What chained code depends on besides its guest bytes: the environment's values (not its
 * helper pointers, which are relocations) and the trampolines' layout. */
static uint64_t env_key(void)
{
    const struct host_env *e = &env_chained;
    uint64_t v[] = { (uint64_t)e->temps_offset, e->flat, e->guest_limit,
                     (uint64_t)e->jc_offset, e->jc_mask, sizeof(struct jump_slot),
                     e->inline_jc, e->chain_in_page,
                     e->log_stores, e->tlb, e->tlb_count_hits, e->hot_count,
                     tramp_hi - tramp_lo,
                     (uintptr_t)tramp.jc_miss - tramp_lo,
                     (uintptr_t)etext - (uintptr_t)__executable_start };
    return tcache_hash(v, sizeof(v), 0);
}

/* Hands tb's code, just lowered, to the cache, each address field outside the block as an
 * offset from the trampolines or vm's code; a field pointing anywhere else keeps the block
 * out. */
static void tcache_offer(struct cpu *cpu, const struct tb *tb)
{
    static __thread struct tcache_reloc *out;
    if (n_relocs > HOST_MAX_RELOCS ||
        (!out && !(out = malloc(HOST_MAX_RELOCS * sizeof(*out)))))
        return;
    const uint8_t *code = tb->code;
    uint32_t n = 0;
    for (uint32_t k = 0; k < n_relocs; k++) {
        uintptr_t t = backend->reloc_target(code, &relocs[k]);
        if (t >= (uintptr_t)code && t < (uintptr_t)code + tb->code_size)
            continue;   /* within the block: moves with it */
        out[n] = (struct tcache_reloc){ .r = relocs[k] };
        if (t >= tramp_lo && t < tramp_hi) {
            out[n].base = TCACHE_TRAMP;
            out[n].offset = (int64_t)(t - tramp_lo);
        } else if (t >= (uintptr_t)__executable_start && t < (uintptr_t)etext) {
            out[n].base = TCACHE_IMAGE;
            out[n].offset = (int64_t)(t - (uintptr_t)__executable_start);
        } else {
            return;
        }
        n++;
    }
    const struct jit_data *d = tb->aux;
    struct tcache_block b = {
        .pc = tb->pc, .end_pc = tb->end_pc, .flags = tb->flags, .n_insns = tb->n_insns,
        .code_size = tb->code_size, .n_map = d->n_map,
        .n_wb = d->n_wb, .n_relocs = n,
        .code = code, .map = d->map, .wb = d->wb, .relocs = out };
    tcache_add(cpu, &b);
}

int jit_compile_block(struct cpu *cpu, struct tb *tb, const struct ir_block *b, bool checkable)
{
    static __thread struct ir_block *copy;
    if (jit_init() < 0)
        return -ENOMEM;
    if (!copy && !(copy = malloc(sizeof(*copy))))
        return -ENOMEM;
    memcpy(copy, b, offsetof(struct ir_block, ops) + b->n_ops * sizeof(b->ops[0]));
    memcpy(copy->temp_type, b->temp_type, b->n_temps);
    copy->overflow = b->overflow;
    opt_block(copy);
    if (log_enabled(op_opt))
        ir_print(log_file, copy);
    set_env(cpu);
    if (tb->tier == TB_REGION && !checkable)   /* never moved: the old space, or none */
        return lower_into(cpu, tb, copy, &env_uncounted, CODEGC_OLD);
    const struct host_env *env = checkable ? &env_checkable : chained_env(tb);
    if (codegc_nursery_low() && !collection_asked && !exec_cpu_alone(cpu)) {
        collection_asked = true;
        flush_asked |= checkable;   /* the check engine's blocks are flushed, as in make_room */
        exec_at_safepoint(cpu, collect_at_safepoint);
    }
    int err = lower_into(cpu, tb, copy, env, CODEGC_NURSERY);
    if (err == -ENOSPC)
        err = make_room(cpu, tb, copy, env, checkable);
    if (err != -ENOSPC)
        return err;
    size_t used, size;
    codegc_usage(CODEGC_NURSERY, &used, &size);
    if (!exec_cpu_alone(cpu) || (checkable && used)) {   /* no room until the safepoint */
        flush_asked = collection_asked = true;
        exec_at_safepoint(cpu, collect_at_safepoint);
        return -ENOSPC;
    }
    codegc_stats.full++;   /* a block bigger than the nursery */
    tb_flush(cpu);
    err = lower_into(cpu, tb, copy, env, CODEGC_NURSERY);
    return err == -ENOSPC ? -ENOMEM : err;
}

static int jit_compile(struct cpu *cpu, struct tb *tb, const struct ir_block *b)
{
    exec_of(cpu)->frees_one = true;
    pthread_mutex_lock(&jit_lock);
    int err = jit_compile_block(cpu, tb, b, false);
    if (err == 0 && tcache_on && tb->tier != TB_REGION &&
        !(tb->flags & TB_FLAGS_ONE_OFF)) {
        tcache_set_env(env_key());
        tcache_offer(cpu, tb);
    }
    pthread_mutex_unlock(&jit_lock);
    return err;
}

/* Places a cached block's code in the nursery, its address fields pointing where they do in
 * this run. -ENOENT (translate instead) if the block is not cached, or does not fit. */
static int jit_load(struct cpu *cpu, struct tb *tb)
{
    if (!tcache_on || (tb->flags & TB_FLAGS_ONE_OFF))
        return -ENOENT;
    exec_of(cpu)->frees_one = true;
    pthread_mutex_lock(&jit_lock);
    struct tcache_block b;
    struct jit_data *d = NULL;
    int err = jit_init();
    if (err == 0) {
        set_env(cpu);
        tcache_set_env(env_key());
        err = tcache_find(cpu, tb->pc, tb->flags, &b);
    }
    if (err < 0)
        goto out;
    size_t avail;
    intptr_t rx_delta;
    uint8_t *rw = codegc_space(CODEGC_NURSERY, &avail, &rx_delta);
    const uint8_t *rx = rw + rx_delta;
    err = avail < b.code_size ? -ENOSPC : 0;
    if (err == 0)
        memcpy(rw, b.code, b.code_size);
    for (uint32_t k = 0; err == 0 && k < b.n_relocs; k++) {
        const struct tcache_reloc *x = &b.relocs[k];
        uintptr_t base = x->base == TCACHE_TRAMP ? tramp_lo : (uintptr_t)__executable_start;
        uintptr_t limit = x->base == TCACHE_TRAMP ? tramp_hi : (uintptr_t)etext;
        uintptr_t t = base + (uintptr_t)x->offset;
        err = x->offset < 0 || t >= limit ? -ERANGE : backend->relocate(rw, rx, &x->r, t);
    }
    if (err == 0 && !(d = malloc(sizeof(*d) + b.n_map * sizeof(d->map[0]) +
                                 b.n_wb * sizeof(*d->wb))))
        err = -ENOMEM;
    if (err < 0) {
        tcache_drop(tb->pc, tb->flags);
        err = -ENOENT;
        goto out;
    }
    d->in = d->out = NULL;
    d->n_map = b.n_map;
    d->n_wb = b.n_wb;
    memcpy(d->map, b.map, b.n_map * sizeof(d->map[0]));
    d->wb = (struct host_wb *)(d->map + b.n_map);
    memcpy(d->wb, b.wb, b.n_wb * sizeof(*d->wb));
    tb->end_pc = b.end_pc;
    tb->n_insns = b.n_insns;
    tb->code = codegc_commit(CODEGC_NURSERY, rw, rw + b.code_size, tb);
    tb->code_size = b.code_size;
    tb->aux = d;
    if (log_enabled(out_asm))
        log_out_asm(tb);
out:
    pthread_mutex_unlock(&jit_lock);
    return err;
}

uintptr_t jit_enter(struct cpu *cpu, const struct tb *tb)
{
    return tramp.enter(cpu, tb->code);
}

uint64_t jit_fault_pc(struct cpu *cpu, const struct tb *tb)
{
    const uint8_t *pc = cpu->cur_op;
    const struct tb *at = pc && codegc_contains(pc) ? codegc_lookup(pc) : NULL;
    struct exec_cpu *ex = exec_of(cpu);
    bool host_fault = ex->fault_host_pc && ex->fault_host_pc == pc;
    ex->fault_host_pc = NULL;
    if (!at || !at->aux)
        return tb->pc;
    const struct jit_data *d = at->aux;
    uint32_t off = (uint32_t)(pc - (const uint8_t *)at->code);
    uint32_t lo = 0, hi = d->n_map;
    while (lo < hi) {   /* last entry at or before off */
        uint32_t mid = (lo + hi) / 2;
        if (d->map[mid].host_off <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return at->pc;
    const struct host_map *e = &d->map[lo - 1];
    /* A host fault at an access: the guest fields the code held in host registers. */
    for (uint32_t k = e->wb_first; host_fault && e->host_off == off && k < e->wb_first + e->wb_n; k++) {
        uint64_t v = host_wb_value(&d->wb[k], ex->fault_regs);
        memcpy((char *)cpu + d->wb[k].off, &v, d->wb[k].w64 ? 8 : 4);
    }
    return e->pc;
}

static void jit_run(struct cpu *cpu, const struct tb *tb)
{
    for (;;) {
        uint64_t generation = codegc_stats.generation;
        cpu->cur_tb = tb;
        cpu->cur_op = NULL;
        uintptr_t r = tramp.enter(cpu, tb->code);
        cpu->cur_tb = NULL;
        if (r == HOST_RET_INTERRUPT) {
            cpu->exit_request = 0;
            cpu->exit_reason = CPU_EXIT_INTERRUPT;
            return;
        }
        if (cpu->exit_reason != CPU_EXIT_NONE)
            return;
        struct tb *next = tb_find(cpu, cpu->pc);
        if (!next) {
            if (cpu->exit_reason == CPU_EXIT_NONE)
                cpu->exit_reason = CPU_EXIT_EXCEPTION;
            return;
        }
        if (r == HOST_RET_HOT) {
            tier2_hot(cpu, next, false);
        } else if (r != HOST_RET_EXIT) {
            pthread_mutex_lock(&jit_lock);
            if (generation == codegc_stats.generation)
                link_blocks(cpu, (uint8_t *)r, next);
            pthread_mutex_unlock(&jit_lock);
        }
        tb = next;
    }
}

static void jit_shadow(struct tb *head)
{
    pthread_mutex_lock(&jit_lock);
    unlink_into(head);
    pthread_mutex_unlock(&jit_lock);
}

static void jit_uncount(struct tb *tb)
{
    pthread_mutex_lock(&jit_lock);
    if (backend->stop_count)
        backend->stop_count(codegc_rw(tb->code), tb->code);
    pthread_mutex_unlock(&jit_lock);
}

static const struct engine_ops jit_engine = {
    .name = "jit",
    .help = "JIT to host code with block chaining",
    .prepare = jit_init,
    .compile = jit_compile,
    .free = jit_free_block,
    .run = jit_run,
    .fault_pc = jit_fault_pc,
    .load = jit_load,
    .shadow = jit_shadow,
    .uncount = jit_uncount,
};
ENGINE_REGISTER(jit_engine)
