/* Unit tests of the block loop every frontend shares (guest/translator.c), driven by a fake
 * ISA with variable-length instructions: byte 0 is the length (0 ends the block, as a branch
 * does), the other bytes are checked against their address, and the hook fetches the first
 * byte, emits IR, then fetches the rest, as an x86 decoder would. Code is readable only in
 * the executable pages the test lists. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "core/registry.h"
#include "guest/translator.h"
#include "ir/ir.h"

#define PAGE 4096u

static uint8_t mem[4 * PAGE];      /* guest addresses [0, 4 pages) */
static bool executable[4];
static bool bytes_ok;              /* every byte the hook fetched was what memory holds */

static int fake_fetch(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    if (pc + len > sizeof(mem) || (pc / PAGE) != (pc + len - 1) / PAGE || !executable[pc / PAGE])
        return -EFAULT;
    memcpy(buf, mem + pc, len);
    return 0;
}

static int fake_translate_insn(struct translator *t)
{
    uint8_t insn[16];
    if (translator_fetch(t, 0, insn, 1) < 0)
        return -EFAULT;
    ir_const(t->b, IR_I64, insn[0]);   /* IR before the next fetch fails: it must be dropped */
    if (insn[0] > 1 && translator_fetch(t, 1, insn + 1, insn[0] - 1u) < 0)
        return -EFAULT;
    for (unsigned i = 1; i < insn[0]; i++)
        bytes_ok &= insn[i] == (uint8_t)(t->pc + i);
    t->len = insn[0] ? insn[0] : 1;
    if (!insn[0]) {
        ir_goto_pc(t->b, t->pc + 1);
        t->ended = true;
    }
    return 0;
}

static const struct guest_ops fake_guest = {
    .name = "fake-varlen",
    .state_size = sizeof(struct cpu),
    .translate_insn = fake_translate_insn,
};

static struct cpu cpu = { .ops = &fake_guest, .fetch_code = fake_fetch };
static struct ir_block block;
static uint64_t fault_addr;

/* An instruction of len bytes at pc (len 0: a one-byte block end). */
static void put_insn(uint64_t pc, uint8_t len)
{
    mem[pc] = len;
    for (unsigned i = 1; i < len; i++)
        mem[pc + i] = (uint8_t)(pc + i);
}

static int translate_at(uint64_t pc)
{
    bytes_ok = true;
    return translate_block(&cpu, &block, pc, 0, &fault_addr);
}

static const struct ir_op *last_op(void)
{
    return &block.ops[block.n_ops - 1];
}

static unsigned count_ops(enum ir_opc opc)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < block.n_ops; i++)
        n += block.ops[i].opc == opc;
    return n;
}

static void reset(bool x0, bool x1, bool x2)
{
    memset(mem, 0, sizeof(mem));
    executable[0] = x0;
    executable[1] = x1;
    executable[2] = x2;
}

/* An instruction straddling two executable pages is read whole and ends the block. */
static void test_straddle(void)
{
    reset(true, true, false);
    put_insn(PAGE - 8, 3);
    put_insn(PAGE - 5, 11);
    CHECK_EQ(translate_at(PAGE - 8), 0);
    CHECK(bytes_ok);
    CHECK_EQ(block.n_insns, 2);
    CHECK_EQ(block.end_pc, PAGE + 6);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == PAGE + 6);
}

/* The first instruction: its first page faults (the fault is at pc), or its second page does
 * (the fault is at that page's start, not at pc). */
static void test_first_insn_fault(void)
{
    reset(false, true, false);
    CHECK_EQ(translate_at(PAGE - 2), -EFAULT);
    CHECK_EQ(fault_addr, PAGE - 2);
    reset(true, false, false);
    put_insn(PAGE - 2, 6);
    CHECK_EQ(translate_at(PAGE - 2), -EFAULT);
    CHECK_EQ(fault_addr, PAGE);
}

/* A later instruction whose second page faults ends the block before it; the IR its hook
 * emitted before the fault is gone. */
static void test_later_insn_fault(void)
{
    reset(true, false, false);
    put_insn(PAGE - 6, 2);
    put_insn(PAGE - 4, 8);
    CHECK_EQ(translate_at(PAGE - 6), 0);
    CHECK_EQ(block.n_insns, 1);
    CHECK_EQ(block.end_pc, PAGE - 4);
    CHECK_EQ(count_ops(IR_insn_start), 1);
    CHECK_EQ(count_ops(IR_const), 1);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == PAGE - 4);
    char err[160];
    CHECK_EQ(ir_verify(&block, err, sizeof(err)), 0);
}

/* A block ends at a control transfer, at the end of its page, and at the size cap. */
static void test_block_ends(void)
{
    reset(true, true, false);
    put_insn(0x100, 4);
    put_insn(0x104, 0);
    CHECK_EQ(translate_at(0x100), 0);
    CHECK_EQ(block.n_insns, 2);
    CHECK_EQ(block.end_pc, 0x105);

    reset(true, true, false);
    for (uint64_t pc = PAGE - 4; pc < PAGE + 8; pc += 2)
        put_insn(pc, 2);
    CHECK_EQ(translate_at(PAGE - 4), 0);
    CHECK_EQ(block.n_insns, 2);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == PAGE);

    reset(true, true, false);
    for (uint64_t pc = 0; pc < 2 * IR_MAX_INSNS; pc += 2)
        put_insn(pc, 2);
    CHECK_EQ(translate_at(0), 0);
    CHECK_EQ(block.n_insns, IR_MAX_INSNS);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == 2 * IR_MAX_INSNS);
}

int main(void)
{
    check_group("translator_straddle");
    test_straddle();
    check_group("translator_first_insn_fault");
    test_first_insn_fault();
    check_group("translator_later_insn_fault");
    test_later_insn_fault();
    check_group("translator_block_ends");
    test_block_ends();
    return check_done();
}
