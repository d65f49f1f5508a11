/* The x87's 80-bit extended format in software: classification, exactly rounded add, multiply,
 * divide, square root, round to integer, scale, partial remainder and compare, and the
 * conversions to and from binary32/64 and integers, with the x87's rules (SDM vol. 1, ch. 8
 * and 4.8): rounding at the precision-control width (24, 53 or 64 bits) with the extended
 * exponent range, tininess after rounding, unsupported encodings (unnormals, pseudo-NaNs,
 * pseudo-infinities) as invalid operands, NaN choice by the larger significand, and "C1 set if
 * rounded up". Pure integer code, so the bits are the same on every host; x87.c builds the
 * instructions on it. */
#ifndef VM_GUEST_X86_64_FLOAT80_H
#define VM_GUEST_X86_64_FLOAT80_H

#include <stdbool.h>
#include <stdint.h>

/* An extended value: the 64-bit significand with its explicit integer bit (bit 63) and the
 * sign and 15-bit biased exponent, as the 10 bytes in memory. */
struct f80 {
    uint64_t m;
    uint16_t se;
};

/* Status-word exception bits, as the x87 has them. */
enum {
    F80_IE = 0x01, F80_DE = 0x02, F80_ZE = 0x04, F80_OE = 0x08, F80_UE = 0x10, F80_PE = 0x20,
};

/* Rounding: the control word's RC (0 nearest even, 1 down, 2 up, 3 toward zero); what an
 * operation raises (F80_* bits) and whether it rounded the magnitude up (C1); and which of
 * F80_OE and F80_UE the control word unmasks. With one unmasked, a result that overflows or
 * underflows gets the x87's unmasked response: into a register, the significand rounded with
 * an unbounded exponent range and the exponent wrapped by 3 * 2^13 (down for an overflow, up
 * for an underflow; tiny is then tiny after rounding, exact or not), or the masked response
 * where even that is out of range (FSCALE); to binary32/64 (which store nothing then), just
 * the exception's flag. */
struct f80_env {
    unsigned rc;
    unsigned fl;
    bool up;
    unsigned unmasked;
};

enum f80_class { F80_ZERO, F80_DENORMAL, F80_NORMAL, F80_INF, F80_QNAN, F80_SNAN, F80_UNSUPPORTED };
enum f80_class f80_classify(struct f80 a);
static inline bool f80_sign(struct f80 a) { return a.se >> 15; }
static inline bool f80_isnan(struct f80 a)
{
    enum f80_class k = f80_classify(a);
    return k == F80_QNAN || k == F80_SNAN;
}
/* The NaN rules (SDM vol. 1, table 4-7, x87 column) for a (and b if binary): an unsupported
 * operand gives the indefinite and IE; a signalling NaN raises IE; of two NaNs the one with
 * the larger significand (the positive one if equal), else the NaN, quieted. Returns false
 * with *r untouched when no operand is a NaN or unsupported. */
bool f80_nan_pick(struct f80_env *env, struct f80 a, struct f80 b, bool binary, struct f80 *r);

/* The "real indefinite" QNaN an invalid operation gives. */
#define F80_INDEFINITE ((struct f80){ 0xc000000000000000ull, 0xffff })

/* Arithmetic; prec is the significand width the result is rounded to (24, 53 or 64). */
enum f80_op { F80_ADD, F80_SUB, F80_MUL, F80_DIV };
struct f80 f80_arith(struct f80_env *env, enum f80_op op, struct f80 a, struct f80 b, int prec);
struct f80 f80_sqrt(struct f80_env *env, struct f80 a, int prec);
/* FRNDINT; FSCALE (a * 2^trunc(b)); FXTRACT's exponent and significand. */
struct f80 f80_round_int(struct f80_env *env, struct f80 a);
struct f80 f80_scale(struct f80_env *env, struct f80 a, struct f80 b);
void f80_extract(struct f80_env *env, struct f80 a, struct f80 *exp, struct f80 *sig);
/* FPREM (near = false: quotient truncated) and FPREM1 (rounded to nearest): *q gets the low
 * three bits of the quotient, *partial whether the reduction is incomplete (C2): with the
 * exponent fields D apart, D >= 64 reduces by b * 2^(D - N) with N = 32 + (D - 32) % 32, as
 * the AMD and Intel CPUs do. */
struct f80 f80_rem(struct f80_env *env, struct f80 a, struct f80 b, bool near, unsigned *q,
                   bool *partial);

/* a compared with b: -1 less, 0 equal, 1 greater, 2 unordered. quiet: only signalling NaNs
 * (and unsupported operands) raise IE, as FUCOM; else any NaN does, as FCOM. */
int f80_compare(struct f80_env *env, struct f80 a, struct f80 b, bool quiet);

/* Conversions. From binary32/64 (bits) raises IE for a signalling NaN and DE for a denormal;
 * to them rounds by RC. From an integer is exact; to one rounds by RC (truncate: toward zero)
 * and gives the integer indefinite (the sign bit alone) with IE when out of range. */
struct f80 f80_from_f32(struct f80_env *env, uint32_t u);
struct f80 f80_from_f64(struct f80_env *env, uint64_t u);
uint32_t f80_to_f32(struct f80_env *env, struct f80 a);
uint64_t f80_to_f64(struct f80_env *env, struct f80 a);
struct f80 f80_from_int(int64_t v);
int64_t f80_to_int(struct f80_env *env, struct f80 a, unsigned bits, bool truncate);

/* The x87 tag of a value: 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unsupported). */
unsigned f80_tag(struct f80 a);

/* Between the format and the host's long double (for the transcendentals, x87.c); exact where
 * long double has a 64-bit or wider significand, as on x86 hosts. */
long double f80_to_ld(struct f80 a);
struct f80 f80_from_ld(struct f80_env *env, long double x, int prec);

#endif
