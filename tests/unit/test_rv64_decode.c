/* Tests of the RV64GC frontend: the decoder table, the field extraction of every format, the
 * expansion of every compressed instruction, rejection of reserved encodings, the
 * disassembler, and the translator's block rules. Instruction words were produced once by
 * riscv64-linux-gnu-as (binutils, -march=rv64gc) and read back with objdump -M no-aliases;
 * the expected text is objdump's with ", " separators and branch targets for pc 0x10000. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/decode.h"
#include "guest/riscv64/translate.h"
#include "ir/ir.h"

#define TABLE_PC 0x10000

/* One instance of every row of insns.def, in table order. objdump omits the rounding mode of
 * the exact conversions fcvt.d.s/.d.w/.d.wu; we print it like any other. */
static const struct { uint32_t word; const char *text; } every_insn[] = {
    { 0x12345537, "lui a0, 0x12345" },
    { 0x12345517, "auipc a0, 0x12345" },
    { 0x005000ef, "jal ra, 0x10804" },
    { 0xff858567, "jalr a0, -8(a1)" },
    { 0xf8c58ee3, "beq a1, a2, 0xff9c" },
    { 0xf8c59ee3, "bne a1, a2, 0xff9c" },
    { 0xf8c5cee3, "blt a1, a2, 0xff9c" },
    { 0xf8c5dee3, "bge a1, a2, 0xff9c" },
    { 0xf8c5eee3, "bltu a1, a2, 0xff9c" },
    { 0xf8c5fee3, "bgeu a1, a2, 0xff9c" },
    { 0xff858503, "lb a0, -8(a1)" },
    { 0xff859503, "lh a0, -8(a1)" },
    { 0xff85a503, "lw a0, -8(a1)" },
    { 0xff85b503, "ld a0, -8(a1)" },
    { 0xff85c503, "lbu a0, -8(a1)" },
    { 0xff85d503, "lhu a0, -8(a1)" },
    { 0xff85e503, "lwu a0, -8(a1)" },
    { 0xfec58a23, "sb a2, -12(a1)" },
    { 0xfec59a23, "sh a2, -12(a1)" },
    { 0xfec5aa23, "sw a2, -12(a1)" },
    { 0xfec5ba23, "sd a2, -12(a1)" },
    { 0xffb58513, "addi a0, a1, -5" },
    { 0xffb5a513, "slti a0, a1, -5" },
    { 0xffb5b513, "sltiu a0, a1, -5" },
    { 0xffb5c513, "xori a0, a1, -5" },
    { 0xffb5e513, "ori a0, a1, -5" },
    { 0xffb5f513, "andi a0, a1, -5" },
    { 0x02159513, "slli a0, a1, 0x21" },
    { 0x0215d513, "srli a0, a1, 0x21" },
    { 0x4215d513, "srai a0, a1, 0x21" },
    { 0xffb5851b, "addiw a0, a1, -5" },
    { 0x0115951b, "slliw a0, a1, 0x11" },
    { 0x0115d51b, "srliw a0, a1, 0x11" },
    { 0x4115d51b, "sraiw a0, a1, 0x11" },
    { 0x00c58533, "add a0, a1, a2" },
    { 0x40c58533, "sub a0, a1, a2" },
    { 0x00c59533, "sll a0, a1, a2" },
    { 0x00c5a533, "slt a0, a1, a2" },
    { 0x00c5b533, "sltu a0, a1, a2" },
    { 0x00c5c533, "xor a0, a1, a2" },
    { 0x00c5d533, "srl a0, a1, a2" },
    { 0x40c5d533, "sra a0, a1, a2" },
    { 0x00c5e533, "or a0, a1, a2" },
    { 0x00c5f533, "and a0, a1, a2" },
    { 0x00c5853b, "addw a0, a1, a2" },
    { 0x40c5853b, "subw a0, a1, a2" },
    { 0x00c5953b, "sllw a0, a1, a2" },
    { 0x00c5d53b, "srlw a0, a1, a2" },
    { 0x40c5d53b, "sraw a0, a1, a2" },
    { 0x0310000f, "fence rw, w" },
    { 0x0000100f, "fence.i" },
    { 0x00000073, "ecall" },
    { 0x00100073, "ebreak" },
    { 0x30200073, "mret" },
    { 0x10200073, "sret" },
    { 0x10500073, "wfi" },
    { 0x12b50073, "sfence.vma a0, a1" },
    { 0x00359573, "csrrw a0, fcsr, a1" },
    { 0x0035a573, "csrrs a0, fcsr, a1" },
    { 0x0035b573, "csrrc a0, fcsr, a1" },
    { 0x0022d573, "csrrwi a0, frm, 5" },
    { 0x0022e573, "csrrsi a0, frm, 5" },
    { 0x0022f573, "csrrci a0, frm, 5" },
    { 0x02c58533, "mul a0, a1, a2" },
    { 0x02c59533, "mulh a0, a1, a2" },
    { 0x02c5a533, "mulhsu a0, a1, a2" },
    { 0x02c5b533, "mulhu a0, a1, a2" },
    { 0x02c5c533, "div a0, a1, a2" },
    { 0x02c5d533, "divu a0, a1, a2" },
    { 0x02c5e533, "rem a0, a1, a2" },
    { 0x02c5f533, "remu a0, a1, a2" },
    { 0x02c5853b, "mulw a0, a1, a2" },
    { 0x02c5c53b, "divw a0, a1, a2" },
    { 0x02c5d53b, "divuw a0, a1, a2" },
    { 0x02c5e53b, "remw a0, a1, a2" },
    { 0x02c5f53b, "remuw a0, a1, a2" },
    { 0x1405a52f, "lr.w.aq a0, (a1)" },
    { 0x1ac5a52f, "sc.w.rl a0, a2, (a1)" },
    { 0x0ec5a52f, "amoswap.w.aqrl a0, a2, (a1)" },
    { 0x00c5a52f, "amoadd.w a0, a2, (a1)" },
    { 0x24c5a52f, "amoxor.w.aq a0, a2, (a1)" },
    { 0x62c5a52f, "amoand.w.rl a0, a2, (a1)" },
    { 0x46c5a52f, "amoor.w.aqrl a0, a2, (a1)" },
    { 0x80c5a52f, "amomin.w a0, a2, (a1)" },
    { 0xa4c5a52f, "amomax.w.aq a0, a2, (a1)" },
    { 0xc2c5a52f, "amominu.w.rl a0, a2, (a1)" },
    { 0xe6c5a52f, "amomaxu.w.aqrl a0, a2, (a1)" },
    { 0x1005b52f, "lr.d a0, (a1)" },
    { 0x1cc5b52f, "sc.d.aq a0, a2, (a1)" },
    { 0x0ac5b52f, "amoswap.d.rl a0, a2, (a1)" },
    { 0x06c5b52f, "amoadd.d.aqrl a0, a2, (a1)" },
    { 0x20c5b52f, "amoxor.d a0, a2, (a1)" },
    { 0x64c5b52f, "amoand.d.aq a0, a2, (a1)" },
    { 0x42c5b52f, "amoor.d.rl a0, a2, (a1)" },
    { 0x86c5b52f, "amomin.d.aqrl a0, a2, (a1)" },
    { 0xa0c5b52f, "amomax.d a0, a2, (a1)" },
    { 0xc4c5b52f, "amominu.d.aq a0, a2, (a1)" },
    { 0xe2c5b52f, "amomaxu.d.rl a0, a2, (a1)" },
    { 0xff85a507, "flw fa0, -8(a1)" },
    { 0xff85b507, "fld fa0, -8(a1)" },
    { 0xfec5aa27, "fsw fa2, -12(a1)" },
    { 0xfec5ba27, "fsd fa2, -12(a1)" },
    { 0x68c5a543, "fmadd.s fa0, fa1, fa2, fa3, rdn" },
    { 0x68c5a547, "fmsub.s fa0, fa1, fa2, fa3, rdn" },
    { 0x68c5a54b, "fnmsub.s fa0, fa1, fa2, fa3, rdn" },
    { 0x68c5a54f, "fnmadd.s fa0, fa1, fa2, fa3, rdn" },
    { 0x00c59553, "fadd.s fa0, fa1, fa2, rtz" },
    { 0x08c59553, "fsub.s fa0, fa1, fa2, rtz" },
    { 0x10c59553, "fmul.s fa0, fa1, fa2, rtz" },
    { 0x18c59553, "fdiv.s fa0, fa1, fa2, rtz" },
    { 0x5805b553, "fsqrt.s fa0, fa1, rup" },
    { 0x20c58553, "fsgnj.s fa0, fa1, fa2" },
    { 0x20c59553, "fsgnjn.s fa0, fa1, fa2" },
    { 0x20c5a553, "fsgnjx.s fa0, fa1, fa2" },
    { 0x28c58553, "fmin.s fa0, fa1, fa2" },
    { 0x28c59553, "fmax.s fa0, fa1, fa2" },
    { 0xc005b553, "fcvt.w.s a0, fa1, rup" },
    { 0xc015b553, "fcvt.wu.s a0, fa1, rup" },
    { 0xc025b553, "fcvt.l.s a0, fa1, rup" },
    { 0xc035b553, "fcvt.lu.s a0, fa1, rup" },
    { 0xe0058553, "fmv.x.w a0, fa1" },
    { 0xa0c5a553, "feq.s a0, fa1, fa2" },
    { 0xa0c59553, "flt.s a0, fa1, fa2" },
    { 0xa0c58553, "fle.s a0, fa1, fa2" },
    { 0xe0059553, "fclass.s a0, fa1" },
    { 0xd005b553, "fcvt.s.w fa0, a1, rup" },
    { 0xd015b553, "fcvt.s.wu fa0, a1, rup" },
    { 0xd025b553, "fcvt.s.l fa0, a1, rup" },
    { 0xd035b553, "fcvt.s.lu fa0, a1, rup" },
    { 0xf0058553, "fmv.w.x fa0, a1" },
    { 0x6ac5a543, "fmadd.d fa0, fa1, fa2, fa3, rdn" },
    { 0x6ac5a547, "fmsub.d fa0, fa1, fa2, fa3, rdn" },
    { 0x6ac5a54b, "fnmsub.d fa0, fa1, fa2, fa3, rdn" },
    { 0x6ac5a54f, "fnmadd.d fa0, fa1, fa2, fa3, rdn" },
    { 0x02c59553, "fadd.d fa0, fa1, fa2, rtz" },
    { 0x0ac59553, "fsub.d fa0, fa1, fa2, rtz" },
    { 0x12c59553, "fmul.d fa0, fa1, fa2, rtz" },
    { 0x1ac59553, "fdiv.d fa0, fa1, fa2, rtz" },
    { 0x5a05b553, "fsqrt.d fa0, fa1, rup" },
    { 0x22c58553, "fsgnj.d fa0, fa1, fa2" },
    { 0x22c59553, "fsgnjn.d fa0, fa1, fa2" },
    { 0x22c5a553, "fsgnjx.d fa0, fa1, fa2" },
    { 0x2ac58553, "fmin.d fa0, fa1, fa2" },
    { 0x2ac59553, "fmax.d fa0, fa1, fa2" },
    { 0x4015b553, "fcvt.s.d fa0, fa1, rup" },
    { 0x42058553, "fcvt.d.s fa0, fa1, rne" },
    { 0xa2c5a553, "feq.d a0, fa1, fa2" },
    { 0xa2c59553, "flt.d a0, fa1, fa2" },
    { 0xa2c58553, "fle.d a0, fa1, fa2" },
    { 0xe2059553, "fclass.d a0, fa1" },
    { 0xc205b553, "fcvt.w.d a0, fa1, rup" },
    { 0xc215b553, "fcvt.wu.d a0, fa1, rup" },
    { 0xc225b553, "fcvt.l.d a0, fa1, rup" },
    { 0xc235b553, "fcvt.lu.d a0, fa1, rup" },
    { 0xd2058553, "fcvt.d.w fa0, a1, rne" },
    { 0xd2158553, "fcvt.d.wu fa0, a1, rne" },
    { 0xd225b553, "fcvt.d.l fa0, a1, rup" },
    { 0xd235b553, "fcvt.d.lu fa0, a1, rup" },
    { 0xe2058553, "fmv.x.d a0, fa1" },
    { 0xf2058553, "fmv.d.x fa0, a1" },
};

/* Every compressed instruction (with boundary immediates and registers) and the 32-bit
 * instruction the assembler encodes for the same operation. */
static const struct { uint16_t c; uint32_t expanded; } compressed[] = {
    { 0x1fe0, 0x3fc10413 }, /* c.addi4spn s0, sp, 1020  -> addi s0, sp, 1020 */
    { 0x005c, 0x00410793 }, /* c.addi4spn a5, sp, 4     -> addi a5, sp, 4 */
    { 0x3ffc, 0x0f87b787 }, /* c.fld fa5, 248(a5)       -> fld fa5, 248(a5) */
    { 0x5ce8, 0x07c4a503 }, /* c.lw a0, 124(s1)         -> lw a0, 124(s1) */
    { 0x43c0, 0x0047a403 }, /* c.lw s0, 4(a5)           -> lw s0, 4(a5) */
    { 0x7ef0, 0x0f86b603 }, /* c.ld a2, 248(a3)         -> ld a2, 248(a3) */
    { 0xa504, 0x00953427 }, /* c.fsd fs1, 8(a0)         -> fsd fs1, 8(a0) */
    { 0xc33c, 0x04f72023 }, /* c.sw a5, 64(a4)          -> sw a5, 64(a4) */
    { 0xfce0, 0x0e84bc23 }, /* c.sd s0, 248(s1)         -> sd s0, 248(s1) */
    { 0x0001, 0x00000013 }, /* c.nop                    -> addi zero, zero, 0 */
    { 0x1501, 0xfe050513 }, /* c.addi a0, -32           -> addi a0, a0, -32 */
    { 0x0ffd, 0x01ff8f93 }, /* c.addi t6, 31            -> addi t6, t6, 31 */
    { 0x35fd, 0xfff5859b }, /* c.addiw a1, -1           -> addiw a1, a1, -1 */
    { 0x2901, 0x0009091b }, /* c.addiw s2, 0            -> addiw s2, s2, 0 */
    { 0x5281, 0xfe000293 }, /* c.li t0, -32             -> addi t0, zero, -32 */
    { 0x457d, 0x01f00513 }, /* c.li a0, 31              -> addi a0, zero, 31 */
    { 0x7101, 0xe0010113 }, /* c.addi16sp sp, -512      -> addi sp, sp, -512 */
    { 0x617d, 0x1f010113 }, /* c.addi16sp sp, 496       -> addi sp, sp, 496 */
    { 0x7901, 0xfffe0937 }, /* c.lui s2, 0xfffe0        -> lui s2, 0xfffe0 */
    { 0x657d, 0x0001f537 }, /* c.lui a0, 31             -> lui a0, 31 */
    { 0x937d, 0x03f75713 }, /* c.srli a4, 63            -> srli a4, a4, 63 */
    { 0x8485, 0x4014d493 }, /* c.srai s1, 1             -> srai s1, s1, 1 */
    { 0x9501, 0x42055513 }, /* c.srai a0, 32            -> srai a0, a0, 32 */
    { 0x9afd, 0xfff6f693 }, /* c.andi a3, -1            -> andi a3, a3, -1 */
    { 0x8845, 0x01147413 }, /* c.andi s0, 17            -> andi s0, s0, 17 */
    { 0x8d1d, 0x40f50533 }, /* c.sub a0, a5             -> sub a0, a0, a5 */
    { 0x8cb1, 0x00c4c4b3 }, /* c.xor s1, a2             -> xor s1, s1, a2 */
    { 0x8ec1, 0x0086e6b3 }, /* c.or a3, s0              -> or a3, a3, s0 */
    { 0x8f6d, 0x00b77733 }, /* c.and a4, a1             -> and a4, a4, a1 */
    { 0x9f99, 0x40e787bb }, /* c.subw a5, a4            -> subw a5, a5, a4 */
    { 0x9c25, 0x0094043b }, /* c.addw s0, s1            -> addw s0, s0, s1 */
    { 0xaffd, 0x7fe0006f }, /* c.j .+2046               -> jal zero, .+2046 */
    { 0xb001, 0x801ff06f }, /* c.j .-2048               -> jal zero, .-2048 */
    { 0xa02d, 0x02a0006f }, /* c.j .+0x2a               -> jal zero, .+0x2a */
    { 0xd001, 0xf00400e3 }, /* c.beqz s0, .-256         -> beq s0, zero, .-256 */
    { 0xeffd, 0x0e079f63 }, /* c.bnez a5, .+254         -> bne a5, zero, .+254 */
    { 0xe939, 0x04051b63 }, /* c.bnez a0, .+0x56        -> bne a0, zero, .+0x56 */
    { 0x0086, 0x00109093 }, /* c.slli ra, 1             -> slli ra, ra, 1 */
    { 0x1ffe, 0x03ff9f93 }, /* c.slli t6, 63            -> slli t6, t6, 63 */
    { 0x307e, 0x1f813007 }, /* c.fldsp ft0, 504(sp)     -> fld ft0, 504(sp) */
    { 0x29a2, 0x00813987 }, /* c.fldsp fs3, 8(sp)       -> fld fs3, 8(sp) */
    { 0x557e, 0x0fc12503 }, /* c.lwsp a0, 252(sp)       -> lw a0, 252(sp) */
    { 0x5302, 0x02012303 }, /* c.lwsp t1, 32(sp)        -> lw t1, 32(sp) */
    { 0x7dfe, 0x1f813d83 }, /* c.ldsp s11, 504(sp)      -> ld s11, 504(sp) */
    { 0x6086, 0x04013083 }, /* c.ldsp ra, 64(sp)        -> ld ra, 64(sp) */
    { 0x8082, 0x00008067 }, /* c.jr ra                  -> jalr zero, 0(ra) */
    { 0x852e, 0x00b00533 }, /* c.mv a0, a1              -> add a0, zero, a1 */
    { 0x9002, 0x00100073 }, /* c.ebreak                 -> ebreak */
    { 0x9282, 0x000280e7 }, /* c.jalr t0                -> jalr ra, 0(t0) */
    { 0x947e, 0x01f40433 }, /* c.add s0, t6             -> add s0, s0, t6 */
    { 0xbfee, 0x1fb13c27 }, /* c.fsdsp fs11, 504(sp)    -> fsd fs11, 504(sp) */
    { 0xa806, 0x00113827 }, /* c.fsdsp ft1, 16(sp)      -> fsd ft1, 16(sp) */
    { 0xdfbe, 0x0ef12e23 }, /* c.swsp a5, 252(sp)       -> sw a5, 252(sp) */
    { 0xc21e, 0x00712223 }, /* c.swsp t2, 4(sp)         -> sw t2, 4(sp) */
    { 0xff86, 0x1e113c23 }, /* c.sdsp ra, 504(sp)       -> sd ra, 504(sp) */
    { 0xe426, 0x00913423 }, /* c.sdsp s1, 8(sp)         -> sd s1, 8(sp) */
};

/* ---- the table ---- */

static const struct rv64_insn_def *decoded_def(uint32_t word)
{
    struct rv64_insn in;
    return rv64_decode(word, &in) == 0 ? in.def : NULL;
}

/* The mnemonic of an expected text without the .aq/.rl ordering suffixes of AMO, LR and SC. */
static void mnemonic_of(const char *text, const struct rv64_insn_def *def, char *out, size_t len)
{
    size_t n = strcspn(text, " ");
    snprintf(out, len, "%.*s", (int)n, text);
    if (def->fmt != RV_FMT_AMO && def->fmt != RV_FMT_LR)
        return;
    static const char *const suffixes[] = { ".aqrl", ".aq", ".rl" };
    for (unsigned i = 0; i < 3; i++) {
        size_t m = strlen(out), s = strlen(suffixes[i]);
        if (m > s && strcmp(out + m - s, suffixes[i]) == 0) {
            out[m - s] = '\0';
            return;
        }
    }
}

static void disassemble_word(uint64_t pc, uint32_t word, char *out, size_t len)
{
    uint8_t code[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
                        (uint8_t)(word >> 24) };
    rv64_disas(pc, code, (word & 3) == 3 ? 4 : 2, out, len);
}

static void test_every_row_assembles_and_decodes(void)
{
    size_t n = sizeof(every_insn) / sizeof(every_insn[0]);
    CHECK_EQ(n, rv64_n_insns);
    for (size_t i = 0; i < n && i < rv64_n_insns; i++) {
        const struct rv64_insn_def *def = decoded_def(every_insn[i].word);
        CHECK(def == &rv64_insns[i]);
        if (!def)
            continue;
        char name[32], text[96];
        mnemonic_of(every_insn[i].text, def, name, sizeof(name));
        if (strcmp(name, def->name) != 0) {
            printf("    0x%08x: decoded as %s, assembled as %s\n", every_insn[i].word, def->name,
                   name);
            check_failed_now++;
        }
        disassemble_word(TABLE_PC, every_insn[i].word, text, sizeof(text));
        if (strcmp(text, every_insn[i].text) != 0) {
            printf("    0x%08x: disassembled \"%s\", expected \"%s\"\n", every_insn[i].word, text,
                   every_insn[i].text);
            check_failed_now++;
        }
    }
}

/* A row's match is a well-formed pattern and decodes to that row: no row shadows another. */
static void test_rows_are_distinct(void)
{
    for (size_t i = 0; i < rv64_n_insns; i++) {
        const struct rv64_insn_def *d = &rv64_insns[i];
        CHECK_EQ(d->match & ~d->mask, 0);
        CHECK_EQ(d->match & 3, 3);
        CHECK_EQ(d->mask & 0x7f, 0x7f);
        if (decoded_def(d->match) != d) {
            printf("    row %s: its match decodes to another row\n", d->name);
            check_failed_now++;
        }
    }
}

/* ---- fields, one group per format ---- */

struct fields {
    uint32_t word;
    const char *name;
    int rd, rs1, rs2, rs3, rm; /* -1: not checked */
    int64_t imm;
    int aq, rl, csr;           /* -1: not checked */
};

static void check_fields(const struct fields *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct rv64_insn in;
        if (rv64_decode(f[i].word, &in) != 0) {
            printf("    0x%08x (%s) does not decode\n", f[i].word, f[i].name);
            check_failed_now++;
            continue;
        }
        CHECK(strcmp(in.def->name, f[i].name) == 0);
        if (f[i].rd >= 0) CHECK_EQ(in.rd, f[i].rd);
        if (f[i].rs1 >= 0) CHECK_EQ(in.rs1, f[i].rs1);
        if (f[i].rs2 >= 0) CHECK_EQ(in.rs2, f[i].rs2);
        if (f[i].rs3 >= 0) CHECK_EQ(in.rs3, f[i].rs3);
        if (f[i].rm >= 0) CHECK_EQ(in.rm, f[i].rm);
        if (f[i].aq >= 0) CHECK_EQ(in.aq, f[i].aq);
        if (f[i].rl >= 0) CHECK_EQ(in.rl, f[i].rl);
        if (f[i].csr >= 0) CHECK_EQ(in.csr, f[i].csr);
        CHECK_EQ(in.imm, f[i].imm);
    }
}

#define FIELDS(...) (const struct fields[]){ __VA_ARGS__ }
#define N_FIELDS(...) sizeof((const struct fields[]){ __VA_ARGS__ }) / sizeof(struct fields)
#define CHECK_FIELDS(...) check_fields(FIELDS(__VA_ARGS__), N_FIELDS(__VA_ARGS__))

static void test_format_r(void)
{
    CHECK_FIELDS(
        { 0x40c58533, "sub", 10, 11, 12, -1, -1, 0, -1, -1, -1 },      /* sub a0, a1, a2 */
        { 0x02c5f53b, "remuw", 10, 11, 12, -1, -1, 0, -1, -1, -1 },    /* remuw a0, a1, a2 */
        { 0x00c59553, "fadd.s", 10, 11, 12, -1, 1, 0, -1, -1, -1 },    /* fadd.s fa0, fa1, fa2, rtz */
        { 0xa2c59553, "flt.d", 10, 11, 12, -1, -1, 0, -1, -1, -1 },    /* flt.d a0, fa1, fa2 */
        { 0x5805b553, "fsqrt.s", 10, 11, -1, -1, 3, 0, -1, -1, -1 },   /* fsqrt.s fa0, fa1, rup */
        { 0xc225b553, "fcvt.l.d", 10, 11, -1, -1, 3, 0, -1, -1, -1 }); /* fcvt.l.d a0, fa1, rup */
}

static void test_format_i(void)
{
    CHECK_FIELDS(
        { 0x80050513, "addi", 10, 10, -1, -1, -1, -2048, -1, -1, -1 }, /* addi a0, a0, -2048 */
        { 0x7ff28493, "addi", 9, 5, -1, -1, -1, 2047, -1, -1, -1 },    /* addi s1, t0, 2047 */
        { 0xff85b507, "fld", 10, 11, -1, -1, -1, -8, -1, -1, -1 },     /* fld fa0, -8(a1) */
        { 0xff858567, "jalr", 10, 11, -1, -1, -1, -8, -1, -1, -1 },    /* jalr a0, -8(a1) */
        { 0x03f51513, "slli", 10, 10, -1, -1, -1, 63, -1, -1, -1 },    /* slli a0, a0, 63 */
        { 0x4115d51b, "sraiw", 10, 11, -1, -1, -1, 17, -1, -1, -1 });  /* sraiw a0, a1, 17 */
}

static void test_format_s(void)
{
    CHECK_FIELDS(
        { 0x81f13023, "sd", -1, 2, 31, -1, -1, -2048, -1, -1, -1 },    /* sd t6, -2048(sp) */
        { 0x7ea10fa3, "sb", -1, 2, 10, -1, -1, 2047, -1, -1, -1 },     /* sb a0, 2047(sp) */
        { 0xfec5aa27, "fsw", -1, 11, 12, -1, -1, -12, -1, -1, -1 });   /* fsw fa2, -12(a1) */
}

static void test_format_b(void)
{
    CHECK_FIELDS(
        { 0x80000063, "beq", -1, 0, 0, -1, -1, -4096, -1, -1, -1 },    /* beq zero, zero, .-4096 */
        { 0x7fefffe3, "bgeu", -1, 31, 30, -1, -1, 4094, -1, -1, -1 },  /* bgeu t6, t5, .+4094 */
        { 0xf8c58ee3, "beq", -1, 11, 12, -1, -1, -100, -1, -1, -1 });  /* beq a1, a2, .-100 */
}

static void test_format_u(void)
{
    CHECK_FIELDS(
        { 0x80000537, "lui", 10, -1, -1, -1, -1, -0x80000000ll, -1, -1, -1 }, /* lui a0, 0x80000 */
        { 0xffffffb7, "lui", 31, -1, -1, -1, -1, -0x1000, -1, -1, -1 },       /* lui t6, 0xfffff */
        { 0x12345517, "auipc", 10, -1, -1, -1, -1, 0x12345000, -1, -1, -1 }); /* auipc a0, 0x12345 */
}

static void test_format_j(void)
{
    CHECK_FIELDS(
        { 0x8000006f, "jal", 0, -1, -1, -1, -1, -1048576, -1, -1, -1 }, /* jal zero, .-1048576 */
        { 0x7ffff0ef, "jal", 1, -1, -1, -1, -1, 1048574, -1, -1, -1 },  /* jal ra, .+1048574 */
        { 0x005000ef, "jal", 1, -1, -1, -1, -1, 2052, -1, -1, -1 });    /* jal ra, .+2052 */
}

static void test_format_r4(void)
{
    CHECK_FIELDS(
        { 0xe3df7fc3, "fmadd.d", 31, 30, 29, 28, 7, 0, -1, -1, -1 },  /* fmadd.d ft11, ft10, ft9, ft8 */
        { 0xf820c04f, "fnmadd.s", 0, 1, 2, 31, 4, 0, -1, -1, -1 },    /* fnmadd.s ft0, ft1, ft2, ft11, rmm */
        { 0x68c5a54b, "fnmsub.s", 10, 11, 12, 13, 2, 0, -1, -1, -1 }); /* ..., fa3, rdn */
}

static void test_format_amo(void)
{
    CHECK_FIELDS(
        { 0xe7bf3faf, "amomaxu.d", 31, 30, 27, -1, -1, 0, 1, 1, -1 }, /* amomaxu.d.aqrl t6, s11, (t5) */
        { 0x1601302f, "lr.d", 0, 2, 0, -1, -1, 0, 1, 1, -1 },         /* lr.d.aqrl zero, (sp) */
        { 0x1ac5a52f, "sc.w", 10, 11, 12, -1, -1, 0, 0, 1, -1 },      /* sc.w.rl a0, a2, (a1) */
        { 0x24c5a52f, "amoxor.w", 10, 11, 12, -1, -1, 0, 1, 0, -1 }); /* amoxor.w.aq a0, a2, (a1) */
}

static void test_format_csr(void)
{
    CHECK_FIELDS(
        { 0xc0002573, "csrrs", 10, 0, -1, -1, -1, 0, -1, -1, 0xc00 },  /* csrrs a0, cycle, zero */
        { 0xc0102573, "csrrs", 10, 0, -1, -1, -1, 0, -1, -1, 0xc01 },  /* csrrs a0, time, zero */
        { 0xc0202573, "csrrs", 10, 0, -1, -1, -1, 0, -1, -1, 0xc02 },  /* csrrs a0, instret, zero */
        { 0x00151073, "csrrw", 0, 10, -1, -1, -1, 0, -1, -1, 0x001 },  /* csrrw zero, fflags, a0 */
        { 0x003ff2f3, "csrrci", 5, 31, -1, -1, -1, 31, -1, -1, 0x003 }, /* csrrci t0, fcsr, 31 */
        { 0x0022d573, "csrrwi", 10, 5, -1, -1, -1, 5, -1, -1, 0x002 }); /* csrrwi a0, frm, 5 */
}

static void test_format_misc(void)
{
    CHECK_FIELDS(
        { 0x0ff0000f, "fence", -1, -1, -1, -1, -1, 0xff, -1, -1, -1 },  /* fence iorw, iorw */
        { 0x0310000f, "fence", -1, -1, -1, -1, -1, 0x31, -1, -1, -1 },  /* fence rw, w */
        { 0x0000100f, "fence.i", -1, -1, -1, -1, -1, 0, -1, -1, -1 },
        { 0x00000073, "ecall", -1, -1, -1, -1, -1, 0, -1, -1, -1 },
        { 0x00100073, "ebreak", -1, -1, -1, -1, -1, 0, -1, -1, -1 });
}

/* ---- compressed ---- */

static void test_compressed_expansion(void)
{
    for (size_t i = 0; i < sizeof(compressed) / sizeof(compressed[0]); i++) {
        uint32_t word = 0;
        CHECK_EQ(rv64_expand_compressed(compressed[i].c, &word), 0);
        if (word != compressed[i].expanded) {
            printf("    0x%04x expands to 0x%08x, expected 0x%08x\n", compressed[i].c, word,
                   compressed[i].expanded);
            check_failed_now++;
        }
    }
    /* HINTs (rd = x0 or shift by 0) are legal and do nothing. */
    static const struct { uint16_t c; uint32_t expanded; } hints[] = {
        { 0x0005, 0x00100013 }, /* c.addi zero, 1 -> addi zero, zero, 1 */
        { 0x4005, 0x00100013 }, /* c.li zero, 1 -> addi zero, zero, 1 */
        { 0x8006, 0x00100033 }, /* c.mv zero, ra -> add zero, zero, ra */
        { 0x9006, 0x00100033 }, /* c.add zero, ra -> add zero, zero, ra */
        { 0x0502, 0x00051513 }, /* c.slli a0, 0 -> slli a0, a0, 0 */
        { 0x6005, 0x00001037 }, /* c.lui zero, 1 -> lui zero, 1 */
    };
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        uint32_t word = 0;
        CHECK_EQ(rv64_expand_compressed(hints[i].c, &word), 0);
        CHECK_EQ(word, hints[i].expanded);
    }
}

static void test_compressed_disassembly(void)
{
    char text[96];
    disassemble_word(0x1000, 0x852e, text, sizeof(text));
    CHECK(strcmp(text, "add a0, zero, a1") == 0);
    disassemble_word(0x1000, 0xd001, text, sizeof(text)); /* c.beqz s0, .-256 */
    CHECK(strcmp(text, "beq s0, zero, 0xf00") == 0);
    disassemble_word(0x1000, 0x0000, text, sizeof(text));
    CHECK(strcmp(text, "(illegal) 0x0000") == 0);
    uint8_t half[2] = { 0x13, 0x05 }; /* the first half of a 32-bit instruction */
    CHECK_EQ(rv64_disas(0, half, 2, text, sizeof(text)), 0);
}

/* ---- reserved encodings ---- */

static void test_reserved(void)
{
    static const uint16_t reserved16[] = {
        0x0000, /* all zero: c.addi4spn with nzuimm = 0 */
        0x0004, /* c.addi4spn s1, sp, 0 */
        0x8000, /* quadrant 0, funct3 100 */
        0x2001, /* c.addiw zero, 0 */
        0x6081, /* c.lui ra, 0 */
        0x6001, /* c.lui zero, 0 */
        0x6101, /* c.addi16sp sp, 0 */
        0x9c41, /* quadrant 1, funct3 100, 11, bit 12 set, 10 */
        0x9c61, /* quadrant 1, funct3 100, 11, bit 12 set, 11 */
        0x4002, /* c.lwsp zero, 0(sp) */
        0x6002, /* c.ldsp zero, 0(sp) */
        0x8002, /* c.jr zero */
    };
    for (size_t i = 0; i < sizeof(reserved16) / sizeof(reserved16[0]); i++) {
        uint32_t word;
        CHECK_EQ(rv64_expand_compressed(reserved16[i], &word), -1);
    }
    static const uint32_t reserved32[] = {
        0x00007003,             /* load funct3 7 */
        0x00007023,             /* store funct3 7 */
        0x20000033,             /* add with funct7 0x10 */
        0x0200101b,             /* slliw with shamt[5] set */
        0x4200501b,             /* sraiw with shamt[5] set */
        0x0400101b,             /* slliw with funct7 2 */
        0x1010202f,             /* lr.w with rs2 != 0 */
        0x0000002f,             /* amoadd with funct3 0 (byte) */
        0x0000402f,             /* amoadd with funct3 4 */
        0x06000053,             /* fadd.q (fmt 11) */
        0x06000043,             /* fmadd.q */
        0xe0002553,             /* fmv.x.w with funct3 2 */
        0x0000007f,             /* 64-bit encoding space */
        0x0000001f,             /* 48-bit encoding space */
        0x00200073,             /* uret */
        0x10600073,             /* SYSTEM funct12 0x106 */
        0x12b500f3,             /* sfence.vma with rd != 0 */
        0x0000400f,             /* misc-mem funct3 4 */
        0x00000077,             /* OP-V: not in RV64GC */
        0xffffffff,
    };
    for (size_t i = 0; i < sizeof(reserved32) / sizeof(reserved32[0]); i++) {
        struct rv64_insn in;
        if (rv64_decode(reserved32[i], &in) == 0) {
            printf("    0x%08x decodes as %s\n", reserved32[i], in.def->name);
            check_failed_now++;
        }
    }
}

/* ---- translation ---- */

/* A fake guest: code lives in [code_pc, code_pc + code_len); everything else faults. */
static struct rv64_cpu cpu;
static uint8_t code[1024];
static uint64_t code_pc;
static size_t code_len;
static struct ir_block block;

static int fake_fetch(struct cpu *c, uint64_t pc, void *buf, size_t len)
{
    if (pc < code_pc || pc + len > code_pc + code_len)
        return -EFAULT;
    memcpy(buf, code + (pc - code_pc), len);
    return 0;
}

static void load_code(uint64_t pc, const void *bytes, size_t len)
{
    code_pc = pc;
    code_len = len;
    memcpy(code, bytes, len);
    cpu.c.fetch_code = fake_fetch;
}

static void load_words(uint64_t pc, const uint32_t *words, size_t n)
{
    load_code(pc, words, 4 * n);
}

static uint64_t fault_addr;

static int translate_at(uint64_t pc)
{
    cpu.c.ops = guest_by_name("riscv64");
    int r = translate_block(&cpu.c, &block, pc, 0, &fault_addr);
    if (r == 0) {
        char err[160];
        if (ir_verify(&block, err, sizeof(err)) != 0) {
            printf("    block at 0x%llx: %s\n", (unsigned long long)pc, err);
            check_failed_now++;
        }
    }
    return r;
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

static bool calls_helper(const char *name)
{
    for (uint32_t i = 0; i < block.n_ops; i++) {
        const struct ir_op *op = &block.ops[i];
        if (op->opc == IR_call && strcmp(((const struct ir_helper *)(intptr_t)op->imm)->name,
                                         name) == 0)
            return true;
    }
    return false;
}

static bool has_const(int64_t value)
{
    for (uint32_t i = 0; i < block.n_ops; i++)
        if (block.ops[i].opc == IR_const && block.ops[i].imm == value)
            return true;
    return false;
}

#define ADDI_A0 0x00150513u /* addi a0, a0, 1 */

/* Every row translates to a block that verifies; control transfers end it. */
static void test_translate_every_row(void)
{
    for (size_t i = 0; i < sizeof(every_insn) / sizeof(every_insn[0]); i++) {
        uint32_t words[2] = { every_insn[i].word, ADDI_A0 };
        load_words(TABLE_PC, words, 2);
        CHECK_EQ(translate_at(TABLE_PC), 0);
        const char *name = rv64_insns[i].name;
        bool ends = rv64_insns[i].fmt == RV_FMT_B || rv64_insns[i].fmt == RV_FMT_J ||
                    !strcmp(name, "jalr") || !strcmp(name, "ecall") ||
                    !strcmp(name, "ebreak") || !strcmp(name, "fence.i") ||
                    calls_helper("raise_illegal");
        CHECK_EQ(block.n_insns, ends ? 1 : 2);
        CHECK_EQ(block.end_pc, TABLE_PC + 4 * block.n_insns);
        CHECK_EQ(count_ops(IR_insn_start), block.n_insns);
    }
}

static void test_translate_block_ends(void)
{
    uint32_t addis[IR_MAX_INSNS + 8];
    for (size_t i = 0; i < sizeof(addis) / sizeof(addis[0]); i++)
        addis[i] = ADDI_A0;

    /* A page boundary ends the block before the first instruction on the next page. */
    load_words(0x1ff8, addis, 4);
    CHECK_EQ(translate_at(0x1ff8), 0);
    CHECK_EQ(block.n_insns, 2);
    CHECK_EQ(block.end_pc, 0x2000);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == 0x2000);

    /* An instruction straddling the boundary belongs to the block it starts in. */
    load_code(0x1ffe, (const uint8_t[]){ 0x13, 0x05, 0x15, 0x00, 0x13, 0x05, 0x15, 0x00 }, 8);
    CHECK_EQ(translate_at(0x1ffe), 0);
    CHECK_EQ(block.n_insns, 1);
    CHECK_EQ(block.end_pc, 0x2002);

    /* A later instruction that cannot be fetched ends the block with a jump to it. */
    load_words(0x4000, addis, 2);
    CHECK_EQ(translate_at(0x4000), 0);
    CHECK_EQ(block.n_insns, 2);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == 0x4008);

    /* The first instruction: not fetchable at all, or only its first half. */
    CHECK_EQ(translate_at(0x9000), -EFAULT);
    CHECK_EQ(fault_addr, 0x9000);
    load_code(0x4ffe, (const uint8_t[]){ 0x13, 0x05 }, 2);
    CHECK_EQ(translate_at(0x4ffe), -EFAULT);
    CHECK_EQ(fault_addr, 0x5000);   /* the page that faults */

    /* The size limit. */
    load_words(0x10000, addis, sizeof(addis) / sizeof(addis[0]));
    CHECK_EQ(translate_at(0x10000), 0);
    CHECK(block.n_insns <= IR_MAX_INSNS && block.n_insns > 16);
    CHECK(last_op()->opc == IR_goto_pc && (uint64_t)last_op()->imm == block.end_pc);
}

static void test_translate_semantics(void)
{
    /* Writes to x0 are dropped, but a load to x0 still accesses memory. */
    load_words(0x1000, (const uint32_t[]){ 0x00150013 /* addi zero, a0, 1 */ }, 1);
    translate_at(0x1000);
    CHECK_EQ(count_ops(IR_put), 0);
    load_words(0x1000, (const uint32_t[]){ 0x00053003 /* ld zero, 0(a0) */ }, 1);
    translate_at(0x1000);
    CHECK_EQ(count_ops(IR_ld), 1);
    CHECK_EQ(count_ops(IR_put), 0);

    /* A branch: exit_if to the target, then fall through to pc + 4. */
    load_words(0x1000, (const uint32_t[]){ 0xf8c58ee3 /* beq a1, a2, .-100 */ }, 1);
    translate_at(0x1000);
    CHECK_EQ(count_ops(IR_exit_if), 1);
    CHECK(last_op()->opc == IR_goto_pc && last_op()->imm == 0x1004);

    /* c.jalr links pc + 2; the target is read before ra is written. */
    load_code(0x1000, (const uint8_t[]){ 0x82, 0x92 /* c.jalr t0 */ }, 2);
    translate_at(0x1000);
    CHECK(has_const(0x1002));
    CHECK(last_op()->opc == IR_goto_ind);
    CHECK_EQ(block.end_pc, 0x1002);

    /* ecall exits to the loop with the pc after it. */
    load_words(0x1000, (const uint32_t[]){ 0x00000073 }, 1);
    translate_at(0x1000);
    CHECK(last_op()->opc == IR_exit && last_op()->aux == EXC_SYSCALL &&
          last_op()->imm == 0x1004);

    /* Illegal: the all-zero halfword, a static rm of 5, writes to read-only or unknown CSRs. */
    static const uint32_t illegal[] = {
        0x00000000,
        0x00c5d553, /* fadd.s fa0, fa1, fa2 with rm 5 */
        0x5a05e553, /* fsqrt.d fa0, fa1 with rm 6 */
        0xc0059573, /* csrrw a0, cycle, a1 */
        0xc0216573, /* csrrsi a0, instret, 2 */
        0x7c002573, /* csrrs a0, 0x7c0, zero (unknown CSR) */
    };
    for (size_t i = 0; i < sizeof(illegal) / sizeof(illegal[0]); i++) {
        load_words(0x1000, &illegal[i], 1);
        translate_at(0x1000);
        CHECK(calls_helper("raise_illegal"));
        CHECK_EQ(block.n_insns, 1);
    }
    /* Pure reads of the counters are legal (csrrs with x0, csrrsi with 0). */
    load_words(0x1000, (const uint32_t[]){ 0xc0002573, 0xc0106573, 0xc0202573 }, 3);
    translate_at(0x1000);
    CHECK(!calls_helper("raise_illegal"));
    CHECK(calls_helper("rv64_time"));
    CHECK_EQ(block.n_insns, 3);
}

int main(void)
{
    check_group("rv64_decode_table");
    test_every_row_assembles_and_decodes();
    test_rows_are_distinct();
    check_group("rv64_decode_format_r");
    test_format_r();
    check_group("rv64_decode_format_i");
    test_format_i();
    check_group("rv64_decode_format_s");
    test_format_s();
    check_group("rv64_decode_format_b");
    test_format_b();
    check_group("rv64_decode_format_u");
    test_format_u();
    check_group("rv64_decode_format_j");
    test_format_j();
    check_group("rv64_decode_format_r4");
    test_format_r4();
    check_group("rv64_decode_format_amo");
    test_format_amo();
    check_group("rv64_decode_format_csr");
    test_format_csr();
    check_group("rv64_decode_format_misc");
    test_format_misc();
    check_group("rv64_decode_compressed");
    test_compressed_expansion();
    test_compressed_disassembly();
    check_group("rv64_decode_reserved");
    test_reserved();
    check_group("rv64_translate_rows");
    test_translate_every_row();
    check_group("rv64_translate_block_ends");
    test_translate_block_ends();
    check_group("rv64_translate_semantics");
    test_translate_semantics();
    return check_done();
}
