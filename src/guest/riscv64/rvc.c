/* The C extension (RV64C): each 16-bit instruction is expanded to the 32-bit instruction it
 * stands for, so the decoder table and the trans_* functions serve both. One function per
 * quadrant, in the order of the spec's opcode map (unprivileged spec, chapter 16.8). */
#include "guest/riscv64/decode.h"

/* 32-bit encoders for the formats the expansions produce. */
static uint32_t enc_r(unsigned opcode, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
                      unsigned rs2)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_i(unsigned opcode, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_s(unsigned opcode, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | opcode;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
}

static uint32_t enc_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 |
           (u >> 12 & 0xff) << 12 | rd << 7 | 0x6f;
}

enum {
    OP_LOAD = 0x03, OP_LOAD_FP = 0x07, OP_IMM = 0x13, OP_IMM_32 = 0x1b, OP_STORE = 0x23,
    OP_STORE_FP = 0x27, OP = 0x33, OP_LUI = 0x37, OP_32 = 0x3b, OP_JALR = 0x67,
};
enum { X_RA = 1, X_SP = 2 };
#define EBREAK 0x00100073u

static unsigned cb(uint16_t c, unsigned hi, unsigned lo)
{
    return (c >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int32_t csext(uint32_t value, unsigned width)
{
    unsigned shift = 32 - width;
    return (int32_t)(value << shift) >> shift;
}

/* The 3-bit register fields name x8..x15 (s0, s1, a0..a5). */
static unsigned creg(uint16_t c, unsigned lo)
{
    return 8 + cb(c, lo + 2, lo);
}

/* CI-format 6-bit immediate: imm[5] at bit 12, imm[4:0] at bits 6:2. */
static int32_t ci_imm(uint16_t c)
{
    return csext(cb(c, 12, 12) << 5 | cb(c, 6, 2), 6);
}

static unsigned ci_shamt(uint16_t c)
{
    return cb(c, 12, 12) << 5 | cb(c, 6, 2);
}

/* Load/store offsets (scaled, unsigned) of the CL/CS and CSS/CI stack-pointer forms. */
static unsigned cl_off_w(uint16_t c) { return cb(c, 12, 10) << 3 | cb(c, 6, 6) << 2 | cb(c, 5, 5) << 6; }
static unsigned cl_off_d(uint16_t c) { return cb(c, 12, 10) << 3 | cb(c, 6, 5) << 6; }
static unsigned ci_sp_off_w(uint16_t c) { return cb(c, 12, 12) << 5 | cb(c, 6, 4) << 2 | cb(c, 3, 2) << 6; }
static unsigned ci_sp_off_d(uint16_t c) { return cb(c, 12, 12) << 5 | cb(c, 6, 5) << 3 | cb(c, 4, 2) << 6; }
static unsigned css_off_w(uint16_t c) { return cb(c, 12, 9) << 2 | cb(c, 8, 7) << 6; }
static unsigned css_off_d(uint16_t c) { return cb(c, 12, 10) << 3 | cb(c, 9, 7) << 6; }

static int expand_q0(uint16_t c, uint32_t *out)
{
    unsigned rd = creg(c, 2), rs1 = creg(c, 7), rs2 = creg(c, 2);
    switch (cb(c, 15, 13)) {
    case 0: { /* c.addi4spn; nzuimm = 0 is reserved (this includes the all-zero word) */
        unsigned imm = cb(c, 12, 11) << 4 | cb(c, 10, 7) << 6 | cb(c, 6, 6) << 2 | cb(c, 5, 5) << 3;
        if (!imm)
            return -1;
        *out = enc_i(OP_IMM, 0, rd, X_SP, (int32_t)imm);
        return 0;
    }
    case 1: *out = enc_i(OP_LOAD_FP, 3, rd, rs1, (int32_t)cl_off_d(c)); return 0;   /* c.fld */
    case 2: *out = enc_i(OP_LOAD, 2, rd, rs1, (int32_t)cl_off_w(c)); return 0;      /* c.lw */
    case 3: *out = enc_i(OP_LOAD, 3, rd, rs1, (int32_t)cl_off_d(c)); return 0;      /* c.ld */
    case 5: *out = enc_s(OP_STORE_FP, 3, rs1, rs2, (int32_t)cl_off_d(c)); return 0; /* c.fsd */
    case 6: *out = enc_s(OP_STORE, 2, rs1, rs2, (int32_t)cl_off_w(c)); return 0;    /* c.sw */
    case 7: *out = enc_s(OP_STORE, 3, rs1, rs2, (int32_t)cl_off_d(c)); return 0;    /* c.sd */
    default: return -1;                                                              /* reserved */
    }
}

/* c.addi16sp (rd = sp) and c.lui share funct3 011; a zero immediate is reserved for both. */
static int expand_lui_addi16sp(uint16_t c, uint32_t *out)
{
    unsigned rd = cb(c, 11, 7);
    if (rd == X_SP) {
        int32_t imm = csext(cb(c, 12, 12) << 9 | cb(c, 6, 6) << 4 | cb(c, 5, 5) << 6 |
                            cb(c, 4, 3) << 7 | cb(c, 2, 2) << 5, 10);
        if (!imm)
            return -1;
        *out = enc_i(OP_IMM, 0, X_SP, X_SP, imm);
        return 0;
    }
    int32_t imm = csext(cb(c, 12, 12) << 17 | cb(c, 6, 2) << 12, 18);
    if (!imm)
        return -1;
    *out = ((uint32_t)imm & 0xfffff000u) | rd << 7 | OP_LUI;
    return 0;
}

/* funct3 100 of quadrant 1: shifts, andi and the register-register ALU group on x8..x15. */
static int expand_q1_alu(uint16_t c, uint32_t *out)
{
    unsigned rd = creg(c, 7), rs2 = creg(c, 2);
    switch (cb(c, 11, 10)) {
    case 0: *out = enc_i(OP_IMM, 5, rd, rd, (int32_t)ci_shamt(c)); return 0;          /* c.srli */
    case 1: *out = enc_i(OP_IMM, 5, rd, rd, (int32_t)(ci_shamt(c) | 0x400)); return 0; /* c.srai */
    case 2: *out = enc_i(OP_IMM, 7, rd, rd, ci_imm(c)); return 0;                      /* c.andi */
    default: break;
    }
    static const struct { uint8_t opcode, f3, f7; } ops[8] = {
        { OP, 0, 0x20 }, { OP, 4, 0 }, { OP, 6, 0 }, { OP, 7, 0 }, /* c.sub c.xor c.or c.and */
        { OP_32, 0, 0x20 }, { OP_32, 0, 0 },                        /* c.subw c.addw */
    };
    unsigned i = cb(c, 12, 12) << 2 | cb(c, 6, 5);
    if (i >= 6)
        return -1;
    *out = enc_r(ops[i].opcode, ops[i].f3, ops[i].f7, rd, rd, rs2);
    return 0;
}

static int expand_q1(uint16_t c, uint32_t *out)
{
    unsigned rd = cb(c, 11, 7);
    switch (cb(c, 15, 13)) {
    case 0: *out = enc_i(OP_IMM, 0, rd, rd, ci_imm(c)); return 0; /* c.addi (c.nop) */
    case 1:                                                       /* c.addiw; rd = 0 reserved */
        if (!rd)
            return -1;
        *out = enc_i(OP_IMM_32, 0, rd, rd, ci_imm(c));
        return 0;
    case 2: *out = enc_i(OP_IMM, 0, rd, 0, ci_imm(c)); return 0;  /* c.li */
    case 3: return expand_lui_addi16sp(c, out);
    case 4: return expand_q1_alu(c, out);
    case 5: {                                                     /* c.j */
        int32_t imm = csext(cb(c, 12, 12) << 11 | cb(c, 11, 11) << 4 | cb(c, 10, 9) << 8 |
                            cb(c, 8, 8) << 10 | cb(c, 7, 7) << 6 | cb(c, 6, 6) << 7 |
                            cb(c, 5, 3) << 1 | cb(c, 2, 2) << 5, 12);
        *out = enc_j(0, imm);
        return 0;
    }
    default: {                                                    /* c.beqz, c.bnez */
        int32_t imm = csext(cb(c, 12, 12) << 8 | cb(c, 11, 10) << 3 | cb(c, 6, 5) << 6 |
                            cb(c, 4, 3) << 1 | cb(c, 2, 2) << 5, 9);
        *out = enc_b(cb(c, 13, 13), creg(c, 7), 0, imm);
        return 0;
    }
    }
}

/* funct3 100 of quadrant 2: c.jr, c.mv, c.ebreak, c.jalr, c.add. */
static int expand_q2_jr_mv_add(uint16_t c, uint32_t *out)
{
    unsigned rd = cb(c, 11, 7), rs2 = cb(c, 6, 2);
    bool bit12 = cb(c, 12, 12);
    if (!bit12 && !rs2) { /* c.jr; rs1 = 0 reserved */
        if (!rd)
            return -1;
        *out = enc_i(OP_JALR, 0, 0, rd, 0);
    } else if (!bit12) {  /* c.mv */
        *out = enc_r(OP, 0, 0, rd, 0, rs2);
    } else if (!rd && !rs2) {
        *out = EBREAK;
    } else if (!rs2) {    /* c.jalr */
        *out = enc_i(OP_JALR, 0, X_RA, rd, 0);
    } else {              /* c.add */
        *out = enc_r(OP, 0, 0, rd, rd, rs2);
    }
    return 0;
}

static int expand_q2(uint16_t c, uint32_t *out)
{
    unsigned rd = cb(c, 11, 7), rs2 = cb(c, 6, 2);
    switch (cb(c, 15, 13)) {
    case 0: *out = enc_i(OP_IMM, 1, rd, rd, (int32_t)ci_shamt(c)); return 0;            /* c.slli */
    case 1: *out = enc_i(OP_LOAD_FP, 3, rd, X_SP, (int32_t)ci_sp_off_d(c)); return 0;   /* c.fldsp */
    case 2:                                                    /* c.lwsp; rd = 0 reserved */
        if (!rd)
            return -1;
        *out = enc_i(OP_LOAD, 2, rd, X_SP, (int32_t)ci_sp_off_w(c));
        return 0;
    case 3:                                                    /* c.ldsp; rd = 0 reserved */
        if (!rd)
            return -1;
        *out = enc_i(OP_LOAD, 3, rd, X_SP, (int32_t)ci_sp_off_d(c));
        return 0;
    case 4: return expand_q2_jr_mv_add(c, out);
    case 5: *out = enc_s(OP_STORE_FP, 3, X_SP, rs2, (int32_t)css_off_d(c)); return 0;  /* c.fsdsp */
    case 6: *out = enc_s(OP_STORE, 2, X_SP, rs2, (int32_t)css_off_w(c)); return 0;     /* c.swsp */
    default: *out = enc_s(OP_STORE, 3, X_SP, rs2, (int32_t)css_off_d(c)); return 0;    /* c.sdsp */
    }
}

int rv64_expand_compressed(uint16_t c, uint32_t *out)
{
    switch (c & 3) {
    case 0: return expand_q0(c, out);
    case 1: return expand_q1(c, out);
    case 2: return expand_q2(c, out);
    default: return -1; /* not a compressed instruction */
    }
}
