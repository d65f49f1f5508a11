/* Shared helpers for the fp_*.c guest tests: raw-bit FP ops via inline asm,
 * fflags/frm access, and printing. Operands travel as bit patterns in
 * integer registers and are moved with fmv.d.x / fmv.w.x, so the compiler
 * never touches (or constant-folds) the values. Results of single ops are
 * read back with fmv.x.d so that NaN-boxing of the result is visible.
 * Flags are printed as five characters "VZOUX" (NV DZ OF UF NX), '.' when clear. */
#ifndef GUEST_FP_H
#define GUEST_FP_H
#include <stdio.h>
#include <stdint.h>

static const char *const rm_names[8] = {"rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"};

static inline unsigned get_frm(void) { unsigned r; __asm__ volatile("frrm %0" : "=r"(r)); return r; }
static inline void set_frm(unsigned rm) { __asm__ volatile("fsrm %0" :: "r"(rm)); }
static inline unsigned get_fflags(void) { unsigned r; __asm__ volatile("frflags %0" : "=r"(r)); return r; }
static inline void clr_fflags(void) { __asm__ volatile("fsflags zero"); }

static inline const char *flagstr(unsigned f)
{
    static char buf[6];
    buf[0] = f & 16 ? 'V' : '.';
    buf[1] = f & 8 ? 'Z' : '.';
    buf[2] = f & 4 ? 'O' : '.';
    buf[3] = f & 2 ? 'U' : '.';
    buf[4] = f & 1 ? 'X' : '.';
    buf[5] = 0;
    return buf;
}

/* r = insn(a) / insn(a,b) / insn(a,b,c); mvin/mvout: fmv.d.x or fmv.w.x, fmv.x.d or fmv.x.w.
 * The flags the instruction raised come back in *fl. The ...X forms append
 * sfx to the operand list (a static rounding mode such as ",rtz"). */
#define FP_UN(fn, mvin, mvout, insn) FP_UNX(fn, mvin, mvout, insn, "")
#define FP_BIN(fn, mvin, mvout, insn) FP_BINX(fn, mvin, mvout, insn, "")
#define FP_TRI(fn, mvin, mvout, insn) FP_TRIX(fn, mvin, mvout, insn, "")
#define FP_TOINT(fn, mvin, insn) FP_TOINTX(fn, mvin, insn, "")
#define FP_FROMINT(fn, mvout, insn) FP_FROMINTX(fn, mvout, insn, "")
#define FP_UNX(fn, mvin, mvout, insn, sfx)                                        \
    static uint64_t fn(uint64_t a, unsigned *fl)                                  \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" mvin " ft0,%2\n\t" insn " ft2,ft0" sfx "\n\t" \
                         mvout " %0,ft2\n\tfrflags %1"                           \
                         : "=r"(r), "=r"(f) : "r"(a) : "ft0", "ft2");            \
        *fl = f; return r;                                                        \
    }
#define FP_BINX(fn, mvin, mvout, insn, sfx)                                       \
    static uint64_t fn(uint64_t a, uint64_t b, unsigned *fl)                      \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" mvin " ft0,%2\n\t" mvin " ft1,%3\n\t" \
                         insn " ft2,ft0,ft1" sfx "\n\t" mvout " %0,ft2\n\tfrflags %1"   \
                         : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "ft0", "ft1", "ft2"); \
        *fl = f; return r;                                                        \
    }
#define FP_TRIX(fn, mvin, mvout, insn, sfx)                                       \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl)          \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" mvin " ft0,%2\n\t" mvin " ft1,%3\n\t" \
                         mvin " ft3,%4\n\t" insn " ft2,ft0,ft1,ft3" sfx "\n\t"          \
                         mvout " %0,ft2\n\tfrflags %1"                           \
                         : "=r"(r), "=r"(f) : "r"(a), "r"(b), "r"(c)             \
                         : "ft0", "ft1", "ft2", "ft3");                          \
        *fl = f; return r;                                                        \
    }
/* FP compare / classify / convert-to-int: result in an integer register */
#define FP_TOINTX(fn, mvin, insn, sfx)                                            \
    static uint64_t fn(uint64_t a, unsigned *fl)                                  \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" mvin " ft0,%2\n\t" insn " %0,ft0" sfx "\n\t" \
                         "frflags %1" : "=r"(r), "=r"(f) : "r"(a) : "ft0");      \
        *fl = f; return r;                                                        \
    }
#define FP_CMP(fn, mvin, insn)                                                    \
    static uint64_t fn(uint64_t a, uint64_t b, unsigned *fl)                      \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" mvin " ft0,%2\n\t" mvin " ft1,%3\n\t" \
                         insn " %0,ft0,ft1\n\tfrflags %1"                        \
                         : "=r"(r), "=r"(f) : "r"(a), "r"(b) : "ft0", "ft1");    \
        *fl = f; return r;                                                        \
    }
/* integer -> FP */
#define FP_FROMINTX(fn, mvout, insn, sfx)                                         \
    static uint64_t fn(uint64_t a, unsigned *fl)                                  \
    {                                                                             \
        uint64_t r; unsigned f;                                                   \
        __asm__ volatile("fsflags zero\n\t" insn " ft2,%2" sfx "\n\t" mvout " %0,ft2\n\t" \
                         "frflags %1" : "=r"(r), "=r"(f) : "r"(a) : "ft2");      \
        *fl = f; return r;                                                        \
    }

#define U64(x) ((unsigned long long)(x))

#endif
