/* Dead-flag elimination for AArch64: the frontend writes all four NZCV fields for every
 * flag-setting instruction but a compare, which writes its operands (fa, fb, fsub), and opt/
 * must drop those that a later instruction overwrites before anything reads them, while
 * keeping flags a branch reads. Encodings from aarch64-linux-gnu-as. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "core/cpu.h"
#include "core/registry.h"
#include "guest/aarch64/cpu.h"
#include "guest/translator.h"
#include "ir/ir.h"
#include "opt/opt.h"

static const uint32_t *code;
static size_t code_words;

static int fetch_words(struct cpu *cpu, uint64_t pc, void *buf, size_t len)
{
    if (pc + len > code_words * 4)
        return -EFAULT;
    memcpy(buf, (const uint8_t *)code + pc, len);
    return 0;
}

/* Puts to the NZCV fields (or, with sub, to a compare's fa, fb, fsub) in the block translated
 * at pc 0, after the passes if optimise. */
static unsigned field_puts(const uint32_t *words, size_t n, bool optimise, bool sub)
{
    static struct ir_block b;
    static struct a64_cpu cpu;
    const struct guest_ops *g = guest_by_name("aarch64");
    code = words;
    code_words = n;
    memset(&cpu, 0, sizeof(cpu));
    cpu.c.ops = g;
    cpu.c.fetch_code = fetch_words;
    uint64_t fault_addr;
    if (!g || translate_block(&cpu.c, &b, 0, 0, &fault_addr) < 0)
        return ~0u;
    if (optimise)
        opt_block(&b);
    unsigned puts = 0;
    for (uint32_t i = 0; i < b.n_ops; i++) {
        const struct ir_op *op = &b.ops[i];
        if (op->opc != IR_put)
            continue;
        if (sub ? op->imm == (int64_t)A64_FIELD(fa) || op->imm == (int64_t)A64_FIELD(fb) ||
                      op->imm == (int64_t)A64_FIELD(fsub)
                : op->imm == (int64_t)A64_FIELD(nf) || op->imm == (int64_t)A64_FIELD(zf) ||
                      op->imm == (int64_t)A64_FIELD(cf) || op->imm == (int64_t)A64_FIELD(vf))
            puts++;
    }
    return puts;
}

static unsigned flag_puts(const uint32_t *words, size_t n, bool optimise)
{
    return field_puts(words, n, optimise, false);
}

int main(void)
{
    check_group("a64_dead_flags");
    static const uint32_t two_adds[] = { 0xab020020, 0xab050083, 0xd65f03c0 }; /* adds; adds; ret */
    CHECK_EQ(flag_puts(two_adds, 3, false), 8);
    CHECK_EQ(flag_puts(two_adds, 3, true), 4);     /* the first ADDS's flags are dead */

    check_group("a64_live_flags");
    static const uint32_t adds_beq[] = { 0xab020020, 0x54000040 };              /* adds; b.eq */
    CHECK_EQ(flag_puts(adds_beq, 2, true), 4);     /* read by the branch's exit: all kept */

    check_group("a64_compare_flags");
    static const uint32_t cmp_cmp_bgt[] = { 0xeb01001f, 0x7100145f, 0x5400004c }; /* cmp x0, x1;
                                                                    cmp w2, #5; b.gt */
    CHECK_EQ(field_puts(cmp_cmp_bgt, 3, false, true), 6);
    CHECK_EQ(field_puts(cmp_cmp_bgt, 3, true, true), 3);   /* the second compare's operands */
    CHECK_EQ(flag_puts(cmp_cmp_bgt, 3, true), 0);          /* and no flag computed */
    return check_done();
}
