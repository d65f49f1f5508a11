/* The block loop every guest frontend shares: it starts each instruction, asks the ISA's
 * translate_insn hook (struct guest_ops) to fetch, decode and translate it, and ends the
 * block after a control transfer, at a page end or at the size cap. Instruction fetch goes
 * through translator_fetch, which reads across a page boundary, so an ISA with
 * variable-length instructions only says how many bytes it needs. */
#ifndef VM_GUEST_TRANSLATOR_H
#define VM_GUEST_TRANSLATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"
#include "ir/ir.h"

/* The loop's state while one instruction is translated: all an ISA's hook needs. */
struct translator {
    struct cpu *cpu;
    struct ir_block *b;
    uint64_t pc;          /* of the instruction being translated */
    unsigned len;         /* its length in bytes (the hook sets it) */
    bool ended;           /* the instruction emitted the block's final op */
    uint64_t fault_addr;  /* after a failed translator_fetch: the first byte it could not read */
    /* The hook's own memory between the instructions of one block, 0 at its start unless
     * translate_block_from says otherwise (x86-64: the lazy-flags kind its instructions left
     * so far). */
    uint64_t isa_state;
    /* Code read ahead on one page, [window_va, window_va + window_len): instructions are a
     * few bytes each, and every cpu->fetch_code call is a TLB lookup (and in system mode a
     * permission check). */
    uint64_t window_va;
    unsigned window_len;
    uint8_t window[64];
};

/* Reads len bytes of code at t->pc + offset into buf, page by page (every page must be
 * executable). Returns 0, or -EFAULT with t->fault_addr set: the address of the read when its
 * first page faults, else the start of the page that does. A hook that gets -EFAULT returns
 * it; the IR it emitted for the instruction is dropped. Bytes already in the window are
 * copied inline; translator_fetch_slow refills it. */
int translator_fetch_slow(struct translator *t, uint64_t offset, void *buf, size_t len);
static inline int translator_fetch(struct translator *t, uint64_t offset, void *buf, size_t len)
{
    uint64_t at = t->pc + offset - t->window_va;
    if (at < t->window_len && len <= t->window_len - at) {
        memcpy(buf, t->window + at, len);    /* the usual case, len a constant at the call */
        return 0;
    }
    return translator_fetch_slow(t, offset, buf, len);
}

/* Translates the block at (pc, flags) into b (initialised here; hooks read the flags, a
 * cpu->tb_flags value, from b->flags) with cpu->ops->translate_insn. Returns 0, or -EFAULT with *fault_addr set if the first instruction cannot be fetched; a
 * later instruction that cannot be fetched ends the block before it, so that it faults as
 * the first instruction of its own block. With plugins that instrument blocks, the block is
 * then shown to them and instrumented (plugin/plugin.h); when their callbacks do not fit, it
 * is translated again with half the instructions, and shown again. */
int translate_block(struct cpu *cpu, struct ir_block *b, uint64_t pc, uint32_t flags,
                    uint64_t *fault_addr);

/* translate_block for a block entered only from the one before it on a path (T2): the block
 * starts with isa_state *state, what guest_ops.carry_state said of the one before, and
 * *state becomes what carries on from this one (0 where the ISA has no carry_state). */
int translate_block_from(struct cpu *cpu, struct ir_block *b, uint64_t pc, uint32_t flags,
                         uint64_t *fault_addr, uint64_t *state);

#endif
