/* The x86-64 instruction table and its decoder: bytes -> legacy prefixes, REX or VEX, the
 * insns.def row of the opcode form, ModRM/SIB/displacement and immediates, in 64-bit mode.
 * The translator, the disassembler and tests/unit/test_x64_decode.c (which checks every row's
 * length and mnemonic against capstone) go through these. */
#ifndef VM_GUEST_X86_64_DECODE_H
#define VM_GUEST_X86_64_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where an opcode lives: the legacy maps (one-byte, 0F, 0F 38, 0F 3A) and the VEX ones. */
enum x64_map {
    X64_MAP_L0, X64_MAP_L0F, X64_MAP_L38, X64_MAP_L3A,
    X64_MAP_V0F, X64_MAP_V38, X64_MAP_V3A,
    X64_N_MAPS,
};

/* The mandatory prefix a row asks for (legacy: the last of F2/F3, else 66; VEX: pp). ANY
 * rows take 66 as the operand-size prefix and F2/F3 as REP prefixes. */
enum x64_pfx { X64_PFX_ANY, X64_PFX_NP, X64_PFX_66, X64_PFX_F3, X64_PFX_F2 };

/* Whether a row has a ModRM byte, and which mod values it accepts. */
enum x64_modrm { X64_MODRM_NONE, X64_MODRM_ANY, X64_MODRM_MEM, X64_MODRM_REG };

/* The immediate after the ModRM/SIB/displacement. */
enum x64_imm {
    X64_IMM_NONE,
    X64_IMM_B,  /* 8 bits */
    X64_IMM_W,  /* 16 bits */
    X64_IMM_Z,  /* 16 bits with 66, else 32 (sign-extended to 64 with REX.W) */
    X64_IMM_D,  /* 32 bits: near branches (66 is ignored in 64-bit mode, as Intel CPUs do) */
    X64_IMM_V,  /* 16, 32 or 64 bits by operand size (MOV r, imm) */
    X64_IMM_WB, /* 16 then 8 bits (ENTER) */
    X64_IMM_A,  /* an address: 64 bits, 32 with 67 (MOV moffs) */
};

/* Row flags. */
#define X64_F_PLUSR 0x0001u /* opcode's low 3 bits (+ REX.B) name a register */
#define X64_F_D64   0x0002u /* default operand size 64 (66 makes 16) */
#define X64_F_F64   0x0004u /* operand size 64 whatever the prefixes */
#define X64_F_LOCK  0x0008u /* LOCK allowed (with a memory destination) */
#define X64_F_W0    0x0010u /* only with REX.W / VEX.W = 0 */
#define X64_F_W1    0x0020u /* only with REX.W / VEX.W = 1 */
#define X64_F_L0    0x0040u /* VEX.L = 0 only */
#define X64_F_L1    0x0080u /* VEX.L = 1 only */
#define X64_F_VVVV  0x0100u /* VEX.vvvv names an operand (else it must be 1111) */
#define X64_F_NOREXB 0x0200u /* only without REX.B (F3 90 is PAUSE, F3 41 90 XCHG) */
#define X64_F_UNAL  0x0400u /* a legacy-SSE 16-byte memory operand that need not be aligned */
#define X64_F_VSIB  0x0800u /* a SIB byte is required and its index names a vector register */

/* The translation families; a row names one, and arg says which member. */
#define X64_FAMILIES(X)                                                                      \
    X(alu) X(alu_grp) X(shift) X(shiftd) X(incdec) X(unary) X(muldiv) X(imul) X(test)       \
    X(mov) X(movx) X(lea) X(xchg) X(xadd) X(cmpxchg) X(cmpxchgb) X(push) X(pop) X(enter)    \
    X(leave) X(call) X(ret) X(jmp) X(jcc) X(loop) X(setcc) X(cmovcc) X(cbw) X(cwd)          \
    X(flagop) X(pushf) X(popf) X(lahf) X(sahf) X(string) X(xlat) X(bt) X(bitscan)           \
    X(popcnt) X(bswap) X(movbe) X(crc32) X(bmi) X(adx) X(nop) X(cpuid) X(rdtsc) X(rdrand)          \
    X(xgetbv) X(syscall) X(trap) X(priv) X(fence) X(mxcsr) X(fxsave) X(sse_mov)            \
    X(sse_arith) X(sse_cvt) X(sse_cmp) X(sse_int) X(sse_shift) X(sse_shuf) X(sse_misc)     \
    X(sse_pmov) X(sse_fp4) X(sse_str) X(sse_aes) X(avx) X(fma) X(x87) X(mmx)

enum x64_family {
#define X64_FAMILY_ENUM(f) X64_FAM_##f,
    X64_FAMILIES(X64_FAMILY_ENUM)
#undef X64_FAMILY_ENUM
    X64_N_FAMILIES,
};

/* One row of insns.def. */
struct x64_insn_def {
    const char *name; /* mnemonic; "a/b/c" when it depends on the operand size */
    uint8_t map;      /* enum x64_map */
    uint8_t op;       /* opcode byte (X64_F_PLUSR: its high 5 bits) */
    uint8_t pfx;      /* enum x64_pfx */
    uint8_t modrm;    /* enum x64_modrm */
    int8_t reg, rm;   /* ModRM.reg / ModRM.rm (mod 3) the row needs, or -1 */
    uint8_t imm;      /* enum x64_imm */
    uint16_t flags;   /* X64_F_* */
    const char *ops;  /* operands in the SDM's notation (Ev,Gv...), for the disassembler */
    uint8_t family;   /* enum x64_family */
    int arg;
};

/* Prefix bits of a decoded instruction. */
#define X64_P_LOCK  0x01u
#define X64_P_REP   0x02u /* F3 */
#define X64_P_REPNE 0x04u /* F2 */
#define X64_P_OPSZ  0x08u /* 66 */
#define X64_P_ADSZ  0x10u /* 67 */
#define X64_P_REX   0x20u /* a REX prefix right before the opcode */
#define X64_P_VEX   0x40u

enum x64_seg { X64_SEG_NONE, X64_SEG_FS, X64_SEG_GS };

/* Register numbers in memory operands. */
#define X64_REG_NONE 0xff
#define X64_REG_RIP  0xfe

/* A decoded instruction. */
struct x64_insn {
    const struct x64_insn_def *def;
    uint8_t len;      /* in bytes, at most 15 */
    uint8_t prefixes; /* X64_P_* */
    uint8_t seg;      /* enum x64_seg (ES/CS/SS/DS overrides do nothing in 64-bit mode) */
    uint8_t rex;      /* the REX byte's low 4 bits (W R X B), also set from VEX */
    uint8_t opsize;   /* operand size in bytes: 1 for byte forms, else 2, 4 or 8 */
    uint8_t addrsize; /* 8, or 4 with 67 */
    uint8_t opcode;
    uint8_t vex_l, vex_v; /* VEX.L and the register VEX.vvvv names (0..15) */
    bool has_modrm;
    uint8_t mod, reg, rm; /* reg and rm with REX.R / REX.B; rm only meaningful for mod 3 */
    uint8_t base, index;  /* memory operand: registers 0..15, X64_REG_RIP or X64_REG_NONE
                           * (X64_F_VSIB rows: index is the vector register, always set) */
    uint8_t scale;        /* log2 */
    int32_t disp;
    int64_t imm;          /* sign-extended to 64 bits where the form sign-extends */
    uint8_t imm2;         /* ENTER's nesting level */
};

extern const struct x64_insn_def x64_insns[];
extern const size_t x64_n_insns;

#define X64_MAX_LEN 15

/* Decodes the instruction at code[0..avail). Returns 0 and fills *out; -EAGAIN if more bytes
 * than avail are needed (the caller fetches up to X64_MAX_LEN and retries, faulting at the
 * first byte it cannot read); -E2BIG if it would be longer than 15 bytes (#GP); -EINVAL for an
 * encoding vm does not implement or that is undefined (#UD). */
int x64_decode(const uint8_t *code, size_t avail, struct x64_insn *out);

/* Formats one instruction for --log=in_asm; returns its length, or 0 if it does not decode. */
int x64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen);

/* Condition-code suffixes, indexed by the low 4 bits of Jcc/SETcc/CMOVcc. */
extern const char *const x64_cond_names[16];

#endif
