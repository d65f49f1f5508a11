/* Instrumentation of translated blocks for plugins: after the frontend has translated a
 * block, its instructions are shown to the plugins' translation callbacks (as struct vm_tb
 * and struct vm_insn), and the execution and memory callbacks they ask for become IR helper
 * calls in the block: after the first insn_start (block), after each insn_start
 * (instruction), after each memory op (access). A helper that accesses guest memory itself
 * (IR_HELPER_MEM: a store-conditional, SIMD structure loads, x87 operands) is bracketed by
 * two calls that point the CPU's mem_watch at its instruction's memory callbacks and back
 * to NULL, and reports each access through mem_report. A block nobody asks anything of is
 * left as the frontend made it, so it runs at full speed. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/registry.h"
#include "mem/aspace.h"
#include "plugin/internal.h"

#define MAX_REQUESTS 4096
#define INSN_BYTES 16
/* Room left in a block for engines that add an op or two of their own (the check engine). */
#define OPS_SPARE 8

enum request_kind { REQ_TB, REQ_INSN, REQ_MEM };

/* A callback asked for by a translation callback. */
struct request {
    uint8_t kind;           /* enum request_kind */
    uint8_t access;         /* REQ_MEM: VM_MEM_* */
    uint16_t insn;          /* REQ_INSN, REQ_MEM: the instruction's index */
    void (*fn)(void);
    void *udata;
};

struct vm_insn {
    struct vm_tb *tb;
    uint16_t index;
    uint8_t size;           /* bytes (of them at most INSN_BYTES are in bytes) */
    uint64_t pc;
    uint8_t bytes[INSN_BYTES];
};

struct vm_tb {
    const struct cpu *cpu;
    uint64_t pc;
    size_t n_insns;
    struct vm_insn insns[IR_MAX_INSNS];
    struct request req[MAX_REQUESTS];
    unsigned n_req;
    bool overflow;          /* more requests than req holds */
};

/* Translation callbacks run one at a time: a plugin sees blocks in a single thread. */
static pthread_mutex_t trans_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t plugin_tb_pc(const struct vm_tb *tb)
{
    return tb->pc;
}

size_t plugin_tb_n_insns(const struct vm_tb *tb)
{
    return tb->n_insns;
}

struct vm_insn *plugin_tb_insn(struct vm_tb *tb, size_t index)
{
    return index < tb->n_insns ? &tb->insns[index] : NULL;
}

uint64_t plugin_insn_pc(const struct vm_insn *insn)
{
    return insn->pc;
}

size_t plugin_insn_size(const struct vm_insn *insn)
{
    return insn->size;
}

const uint8_t *plugin_insn_bytes(const struct vm_insn *insn)
{
    return insn->bytes;
}

int plugin_insn_disas(const struct vm_insn *insn, char *buf, size_t size)
{
    if (!size)
        return -1;
    size_t n = insn->size < INSN_BYTES ? insn->size : INSN_BYTES;
    if (insn->tb->cpu->ops->disas(insn->pc, insn->bytes, n, buf, size) <= 0) {
        buf[0] = 0;
        return -1;
    }
    return (int)strlen(buf);
}

static void request(struct vm_tb *tb, enum request_kind kind, unsigned insn, unsigned access,
                    void (*fn)(void), void *udata)
{
    if (tb->n_req == MAX_REQUESTS) {
        tb->overflow = true;
        return;
    }
    tb->req[tb->n_req++] = (struct request){ .kind = kind, .access = access, .insn = insn,
                                             .fn = fn, .udata = udata };
}

void plugin_tb_exec(struct vm_tb *tb, vm_exec_cb cb, void *udata)
{
    request(tb, REQ_TB, 0, 0, (void (*)(void))cb, udata);
}

void plugin_insn_exec(struct vm_insn *insn, vm_exec_cb cb, void *udata)
{
    request(insn->tb, REQ_INSN, insn->index, 0, (void (*)(void))cb, udata);
}

void plugin_insn_mem(struct vm_insn *insn, vm_mem_cb cb, unsigned access, void *udata)
{
    access &= VM_MEM_LOAD | VM_MEM_STORE;
    if (access)
        request(insn->tb, REQ_MEM, insn->index, access, (void (*)(void))cb, udata);
}

/* The helpers the inserted calls go to: a0 is the plugin's function, a1 its data. */
static uint64_t exec_helper(void *cpu, uint64_t fn, uint64_t udata, uint64_t a2, uint64_t a3)
{
    if (!plugin_muted)
        ((vm_exec_cb)(uintptr_t)fn)(plugin_vcpu(cpu), (void *)(uintptr_t)udata);
    return 0;
}
static const struct ir_helper exec_call = { .name = "plugin_exec", .fn = exec_helper,
                                            .n_args = 2, .ret_type = IR_I64 };

/* a2: the address, a3: size | access << 8. */
static uint64_t mem_helper(void *cpu, uint64_t fn, uint64_t udata, uint64_t addr, uint64_t info)
{
    if (!plugin_muted)
        ((vm_mem_cb)(uintptr_t)fn)(plugin_vcpu(cpu), addr, (unsigned)(info & 0xff),
                                   (unsigned)(info >> 8), (void *)(uintptr_t)udata);
    return 0;
}
static const struct ir_helper mem_call = { .name = "plugin_mem", .fn = mem_helper,
                                           .n_args = 4, .ret_type = IR_I64 };

/* The memory callbacks of one instruction for its helpers' accesses. Kept for the life of
 * the process and shared by every instruction with the same callbacks (interned), so
 * translated code can point at them: there are as many as distinct sets of callbacks. */
struct helper_watch {
    struct cpu_mem_watch w;
    struct helper_watch *next;     /* in its hash bucket */
    unsigned n;
    struct { void (*fn)(void); void *udata; unsigned access; } req[];
};

#define WATCH_BUCKETS 256
static struct helper_watch *watches[WATCH_BUCKETS];
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;

static void helper_access(struct cpu *cpu, const struct cpu_mem_watch *w, uint64_t addr,
                          unsigned size, unsigned access)
{
    const struct helper_watch *h = (const struct helper_watch *)w;
    unsigned kind = (access & MEM_READ ? VM_MEM_LOAD : 0) | (access & MEM_WRITE ? VM_MEM_STORE : 0);
    if (plugin_muted)
        return;
    for (unsigned i = 0; i < h->n; i++)
        if (h->req[i].access & kind)
            ((vm_mem_cb)(uintptr_t)h->req[i].fn)(plugin_vcpu(cpu), addr, size, kind,
                                                 h->req[i].udata);
}

/* The watch for instruction insn's memory requests, or NULL when it has none. */
static const struct helper_watch *watch_of(const struct vm_tb *tb, unsigned insn)
{
    static __thread struct helper_watch *probe;
    if (!probe && !(probe = malloc(sizeof(*probe) + MAX_REQUESTS * sizeof(probe->req[0])))) {
        vm_error("plugin: out of memory");
        exit(1);
    }
    probe->n = 0;
    uint64_t hash = 14695981039346656037ull;
    for (unsigned i = 0; i < tb->n_req; i++) {
        const struct request *r = &tb->req[i];
        if (r->kind != REQ_MEM || r->insn != insn)
            continue;
        probe->req[probe->n].fn = r->fn;
        probe->req[probe->n].udata = r->udata;
        probe->req[probe->n++].access = r->access;
        hash = (hash ^ (uintptr_t)r->fn ^ (uintptr_t)r->udata << 1 ^ r->access) * 1099511628211ull;
    }
    if (!probe->n)
        return NULL;
    size_t bytes = probe->n * sizeof(probe->req[0]);
    pthread_mutex_lock(&watch_lock);
    struct helper_watch **bucket = &watches[hash % WATCH_BUCKETS], *h;
    for (h = *bucket; h; h = h->next)
        if (h->n == probe->n && !memcmp(h->req, probe->req, bytes))
            break;
    if (!h && (h = malloc(sizeof(*h) + bytes))) {
        memcpy(h->req, probe->req, bytes);
        h->n = probe->n;
        h->w.report = helper_access;
        h->next = *bucket;
        *bucket = h;
    }
    pthread_mutex_unlock(&watch_lock);
    if (!h) {
        vm_error("plugin: out of memory");
        exit(1);
    }
    return h;
}

/* a0: the watch the CPU's helpers report to from now on, or 0. */
static uint64_t watch_helper(void *cpu, uint64_t watch, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ((struct cpu *)cpu)->mem_watch = (const struct cpu_mem_watch *)(uintptr_t)watch;
    return 0;
}
static const struct ir_helper watch_call = { .name = "plugin_watch", .fn = watch_helper,
                                             .n_args = 1, .ret_type = IR_I64 };

static void emit_exec(struct ir_block *b, const struct vm_tb *tb, enum request_kind kind,
                      unsigned insn)
{
    for (unsigned i = 0; i < tb->n_req; i++) {
        const struct request *r = &tb->req[i];
        if (r->kind != kind || (kind == REQ_INSN && r->insn != insn))
            continue;
        ir_call(b, &exec_call, ir_const(b, IR_I64, (int64_t)(intptr_t)r->fn),
                ir_const(b, IR_I64, (int64_t)(intptr_t)r->udata), IR_NONE, IR_NONE);
    }
}

static void emit_mem(struct ir_block *b, const struct vm_tb *tb, unsigned insn,
                     const struct ir_op *op)
{
    unsigned access = op->opc == IR_ld ? VM_MEM_LOAD
                    : op->opc == IR_st ? VM_MEM_STORE : VM_MEM_LOAD | VM_MEM_STORE;
    ir_temp addr = IR_NONE;
    for (unsigned i = 0; i < tb->n_req; i++) {
        const struct request *r = &tb->req[i];
        if (r->kind != REQ_MEM || r->insn != insn || !(r->access & access))
            continue;
        if (addr == IR_NONE)
            addr = (ir_opdefs[op->opc].flags & IR_F_IMM) && op->imm
                 ? ir_op2(b, IR_add, IR_I64, op->src[0], ir_const(b, IR_I64, op->imm))
                 : op->src[0];
        ir_temp info = ir_const(b, IR_I64, (1 << (op->aux & IR_MO_SIZE)) | access << 8);
        ir_call(b, &mem_call, ir_const(b, IR_I64, (int64_t)(intptr_t)r->fn),
                ir_const(b, IR_I64, (int64_t)(intptr_t)r->udata), addr, info);
    }
}

/* The instructions of b, as its insn_start ops give them. A breakpoint's exit stands where an
 * instruction would (core/debug.h): it runs nothing, so the plugins are not shown it. */
static void collect_insns(struct cpu *cpu, const struct ir_block *b, struct vm_tb *tb)
{
    tb->n_insns = 0;
    for (uint32_t i = 0; i < b->n_ops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc != IR_insn_start)
            continue;
        if (i + 1 < b->n_ops && b->ops[i + 1].opc == IR_exit && b->ops[i + 1].aux == EXC_DEBUG)
            break;
        struct vm_insn *in = &tb->insns[tb->n_insns];
        *in = (struct vm_insn){ .tb = tb, .index = (uint16_t)tb->n_insns, .pc = (uint64_t)op->imm };
        if (tb->n_insns)
            in[-1].size = (uint8_t)(in->pc - in[-1].pc);
        tb->n_insns++;
    }
    if (tb->n_insns)
        tb->insns[tb->n_insns - 1].size = (uint8_t)(b->end_pc - tb->insns[tb->n_insns - 1].pc);
    for (size_t k = 0; k < tb->n_insns; k++) {
        struct vm_insn *in = &tb->insns[k];
        size_t n = in->size < INSN_BYTES ? in->size : INSN_BYTES;
        if (cpu->fetch_code(cpu, in->pc, in->bytes, n) < 0)
            memset(in->bytes, 0, sizeof(in->bytes));
    }
}

int plugin_instrument(struct cpu *cpu, struct ir_block *b)
{
    static __thread struct vm_tb *tb;
    static __thread struct ir_block *orig;
    if ((!tb && !(tb = malloc(sizeof(*tb)))) || (!orig && !(orig = malloc(sizeof(*orig))))) {
        vm_error("plugin: out of memory");
        exit(1);
    }
    tb->cpu = cpu;
    tb->pc = b->pc;
    tb->n_req = 0;
    tb->overflow = false;
    collect_insns(cpu, b, tb);
    pthread_mutex_lock(&trans_lock);
    for (unsigned i = 0; i < plugin_tb_trans.n; i++)
        ((vm_tb_trans_cb)plugin_tb_trans.r[i].fn)(tb, plugin_tb_trans.r[i].udata);
    pthread_mutex_unlock(&trans_lock);
    if (tb->overflow)
        return -ENOSPC;
    if (!tb->n_req)
        return 0;
    memcpy(orig, b, offsetof(struct ir_block, ops) + b->n_ops * sizeof(b->ops[0]));
    b->n_ops = 0;
    int insn = -1;
    for (uint32_t i = 0; i < orig->n_ops && !b->overflow; i++) {
        const struct ir_op *op = &orig->ops[i];
        const struct helper_watch *watch =
            op->opc == IR_call && insn >= 0 && (size_t)insn < tb->n_insns &&
            (((const struct ir_helper *)(uintptr_t)op->imm)->flags & IR_HELPER_MEM)
                ? watch_of(tb, (unsigned)insn) : NULL;
        if (watch)
            ir_call(b, &watch_call, ir_const(b, IR_I64, (int64_t)(uintptr_t)watch), IR_NONE,
                    IR_NONE, IR_NONE);
        if (b->n_ops >= IR_MAX_OPS) {
            b->overflow = true;
            break;
        }
        b->ops[b->n_ops++] = *op;
        if (watch)
            ir_call(b, &watch_call, ir_const(b, IR_I64, 0), IR_NONE, IR_NONE, IR_NONE);
        if (op->opc == IR_insn_start) {
            if (++insn == 0)
                emit_exec(b, tb, REQ_TB, 0);
            if ((size_t)insn < tb->n_insns)
                emit_exec(b, tb, REQ_INSN, (unsigned)insn);
        } else if ((ir_opdefs[op->opc].flags & IR_F_MEM) && insn >= 0 &&
                   (size_t)insn < tb->n_insns) {
            emit_mem(b, tb, (unsigned)insn, op);
        }
    }
    return b->overflow || b->n_ops > IR_MAX_OPS - OPS_SPARE ||
           b->n_temps > IR_MAX_TEMPS - OPS_SPARE ? -ENOSPC : 0;
}
