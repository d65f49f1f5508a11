/* The block loop shared by every guest frontend (see translator.h). */
#include "guest/translator.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug.h"
#include "core/log.h"
#include "core/registry.h"
#include "guest/watch.h"
#include "plugin/plugin.h"

#define PAGE_SIZE 4096ull
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* Fills the window from addr to at most the end of its page, or with the len bytes there
 * alone when the rest cannot be read (a fetch_code that ends its code inside a page). */
static int fill_window(struct translator *t, uint64_t addr, size_t len)
{
    size_t ahead = (size_t)(((addr & PAGE_MASK) + PAGE_SIZE) - addr);
    if (ahead > sizeof(t->window))
        ahead = sizeof(t->window);
    if (len > ahead)
        len = ahead;
    t->window_len = 0;
    if (t->cpu->fetch_code(t->cpu, addr, t->window, ahead) < 0) {
        if (t->cpu->fetch_code(t->cpu, addr, t->window, len) < 0)
            return -EFAULT;
        ahead = len;
    }
    t->window_va = addr;
    t->window_len = (unsigned)ahead;
    return 0;
}

int translator_fetch_slow(struct translator *t, uint64_t offset, void *buf, size_t len)
{
    uint64_t addr = t->pc + offset;
    uint8_t *out = buf;
    while (len) {
        if (addr - t->window_va >= t->window_len && fill_window(t, addr, len) < 0) {
            t->fault_addr = addr;
            return -EFAULT;
        }
        size_t chunk = (size_t)(t->window_va + t->window_len - addr);
        if (chunk > len)
            chunk = len;
        memcpy(out, t->window + (addr - t->window_va), chunk);
        addr += chunk;
        out += chunk;
        len -= chunk;
    }
    return 0;
}

/* The first op of a single-step block: guest code is left at the next block boundary. */
static uint64_t step_stop(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0, (void)a1, (void)a2, (void)a3;
    ((struct cpu *)cpu)->exit_request = 1;
    return 0;
}
static const struct ir_helper step_stop_helper = { .name = "debug_step", .fn = step_stop,
                                                   .ret_type = IR_I64 };

static int translate_insns(struct cpu *cpu, struct ir_block *b, uint64_t pc, uint32_t flags,
                           unsigned max_insns, uint64_t *fault_addr, uint64_t *state)
{
    int (*translate_insn)(struct translator *t) = cpu->ops->translate_insn;
    struct translator t = { .cpu = cpu, .b = b, .pc = pc, .isa_state = *state };
    uint64_t page = pc & PAGE_MASK;
    ir_block_init(b, pc);
    b->flags = flags;
    bool step = flags & (TB_FLAG_DEBUG_STEP | TB_FLAG_ONE_INSN);
    if (step)
        ir_call(b, &step_stop_helper, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    for (;;) {
        uint32_t n_ops = b->n_ops, n_temps = b->n_temps;
        ir_insn_start(b, t.pc);
        b->n_insns++;
        if ((flags & TB_FLAG_DEBUG_BP) && !step && debug_breakpoint_at(t.pc)) {
            ir_exit(b, EXC_DEBUG, t.pc);
            t.pc++;   /* the block covers the address, so removing the breakpoint drops it */
            break;
        }
        t.len = 0;
        if (translate_insn(&t) < 0) {
            b->n_ops = n_ops;
            b->n_temps = n_temps;
            if (--b->n_insns == 0) {
                *fault_addr = t.fault_addr;
                return -EFAULT;
            }
            ir_goto_pc(b, t.pc);   /* the fault is raised when that pc starts a block */
            break;
        }
        t.pc += t.len;
        if (t.ended)
            break;
        if (step || ir_block_full(b) || b->n_insns >= max_insns || (t.pc & PAGE_MASK) != page) {
            ir_goto_pc(b, t.pc);
            break;
        }
    }
    b->end_pc = t.pc;
    *state = cpu->ops->carry_state ? cpu->ops->carry_state(t.isa_state) : 0;
    if (flags & TB_FLAG_DEBUG_STEP)
        watch_accesses(b);
    return 0;
}

int translate_block_from(struct cpu *cpu, struct ir_block *b, uint64_t pc, uint32_t flags,
                         uint64_t *fault_addr, uint64_t *state)
{
    unsigned max_insns = IR_MAX_INSNS;
    uint64_t entry = *state;
    for (;;) {
        *state = entry;
        int err = translate_insns(cpu, b, pc, flags, max_insns, fault_addr, state);
        if (err < 0 || !plugin_translating || (err = plugin_instrument(cpu, b)) != -ENOSPC)
            return err;
        if (b->n_insns == 1) {   /* what the plugins ask of one instruction is too much */
            vm_error("plugin: the callbacks asked for at 0x%" PRIx64 " do not fit in a block", pc);
            exit(1);
        }
        max_insns = b->n_insns / 2;
    }
}

int translate_block(struct cpu *cpu, struct ir_block *b, uint64_t pc, uint32_t flags,
                    uint64_t *fault_addr)
{
    uint64_t state = 0;
    return translate_block_from(cpu, b, pc, flags, fault_addr, &state);
}
