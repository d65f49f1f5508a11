/* Integer ALU corner cases: shifts (register amounts >= width are masked),
 * 32-bit W ops and their sign extension, slt/sltu, lui/auipc-style
 * constants, sign/zero extension of loads. */
#include <stdio.h>
#include <stdint.h>

#define OPR(name) \
    static uint64_t op_##name(uint64_t a, uint64_t b) { \
        uint64_t r; __asm__ volatile(#name " %0,%1,%2" : "=r"(r) : "r"(a), "r"(b)); return r; }

OPR(add) OPR(sub) OPR(sll) OPR(srl) OPR(sra) OPR(slt) OPR(sltu)
OPR(xor) OPR(or) OPR(and)
OPR(addw) OPR(subw) OPR(sllw) OPR(srlw) OPR(sraw)

struct op { const char *name; uint64_t (*fn)(uint64_t, uint64_t); };
static const struct op ops[] = {
    {"add", op_add}, {"sub", op_sub}, {"sll", op_sll}, {"srl", op_srl},
    {"sra", op_sra}, {"slt", op_slt}, {"sltu", op_sltu}, {"xor", op_xor},
    {"or", op_or}, {"and", op_and}, {"addw", op_addw}, {"subw", op_subw},
    {"sllw", op_sllw}, {"srlw", op_srlw}, {"sraw", op_sraw},
};

static const uint64_t vals[] = {
    0, 1, (uint64_t)-1, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL,
    0x8000000000000000ULL, 0x7fffffffffffffffULL, 0xfedcba9876543210ULL,
};
/* shift amounts: in range, == width, > width (only low 5/6 bits count) */
static const uint64_t shamts[] = {0, 1, 31, 32, 33, 63, 64, 65, 95, 127, 0xffffffffffffffc1ULL};

int main(void)
{
    size_t nv = sizeof vals / sizeof vals[0];
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        int shift = (ops[o].fn == op_sll || ops[o].fn == op_srl || ops[o].fn == op_sra ||
                 ops[o].fn == op_sllw || ops[o].fn == op_srlw || ops[o].fn == op_sraw);
        for (size_t i = 0; i < nv; i++) {
            size_t nb = shift ? sizeof shamts / sizeof shamts[0] : nv;
            for (size_t j = 0; j < nb; j++) {
                uint64_t a = vals[i], b = shift ? shamts[j] : vals[j];
                printf("%-5s %016llx %016llx = %016llx\n", ops[o].name,
                       (unsigned long long)a, (unsigned long long)b,
                       (unsigned long long)ops[o].fn(a, b));
            }
        }
    }

    /* immediate forms */
    uint64_t r, x = 0xfedcba9876543210ULL;
    __asm__ volatile("slli %0,%1,63" : "=r"(r) : "r"(x)); printf("slli63 %016llx\n", (unsigned long long)r);
    __asm__ volatile("srli %0,%1,63" : "=r"(r) : "r"(x)); printf("srli63 %016llx\n", (unsigned long long)r);
    __asm__ volatile("srai %0,%1,63" : "=r"(r) : "r"(x)); printf("srai63 %016llx\n", (unsigned long long)r);
    __asm__ volatile("slliw %0,%1,31" : "=r"(r) : "r"(x)); printf("slliw31 %016llx\n", (unsigned long long)r);
    __asm__ volatile("srliw %0,%1,0" : "=r"(r) : "r"(x)); printf("srliw0 %016llx\n", (unsigned long long)r);
    __asm__ volatile("sraiw %0,%1,4" : "=r"(r) : "r"(x)); printf("sraiw4 %016llx\n", (unsigned long long)r);
    __asm__ volatile("addiw %0,%1,-1" : "=r"(r) : "r"(0x80000000ULL)); printf("addiw %016llx\n", (unsigned long long)r);
    __asm__ volatile("addiw %0,%1,0" : "=r"(r) : "r"(0x00000001ffffffffULL)); printf("sext.w %016llx\n", (unsigned long long)r);
    __asm__ volatile("slti %0,%1,-1" : "=r"(r) : "r"((uint64_t)-2)); printf("slti %llu\n", (unsigned long long)r);
    __asm__ volatile("sltiu %0,%1,-1" : "=r"(r) : "r"((uint64_t)-2)); printf("sltiu %llu\n", (unsigned long long)r);
    __asm__ volatile("xori %0,%1,-1" : "=r"(r) : "r"(x)); printf("not %016llx\n", (unsigned long long)r);
    __asm__ volatile("andi %0,%1,-2048" : "=r"(r) : "r"(x)); printf("andi %016llx\n", (unsigned long long)r);
    __asm__ volatile("lui %0,0x80000" : "=r"(r)); printf("lui %016llx\n", (unsigned long long)r);
    __asm__ volatile("lui %0,0xfffff" : "=r"(r)); printf("lui2 %016llx\n", (unsigned long long)r);
    __asm__ volatile("li %0,0x123456789abcdef0" : "=r"(r)); printf("li %016llx\n", (unsigned long long)r);
    /* x0 is hard-wired to zero */
    __asm__ volatile("addi x0,x0,5\n\tmv %0,x0" : "=r"(r)); printf("x0 %llu\n", (unsigned long long)r);

    /* auipc: two auipc in a row differ by 4 */
    uint64_t p1, p2;
    __asm__ volatile(".option push\n\t.option norvc\n\tauipc %0,0\n\tauipc %1,0\n\t.option pop"
                     : "=r"(p1), "=r"(p2));
    printf("auipc delta %lld\n", (long long)(p2 - p1));

    /* loads: sign and zero extension */
    static const uint8_t mem[16] = {0x80, 0xff, 0x7f, 0x01, 0xfe, 0xff, 0xff, 0xff,
                                    0x00, 0x00, 0x00, 0x80, 0x11, 0x22, 0x33, 0x44};
    const volatile uint8_t *m = mem;
    int64_t lb; uint64_t lbu; int64_t lh; uint64_t lhu; int64_t lw; uint64_t lwu; uint64_t ld;
    __asm__ volatile("lb %0,0(%1)" : "=r"(lb) : "r"(m));
    __asm__ volatile("lbu %0,0(%1)" : "=r"(lbu) : "r"(m));
    __asm__ volatile("lh %0,0(%1)" : "=r"(lh) : "r"(m));
    __asm__ volatile("lhu %0,0(%1)" : "=r"(lhu) : "r"(m));
    __asm__ volatile("lw %0,8(%1)" : "=r"(lw) : "r"(m));
    __asm__ volatile("lwu %0,8(%1)" : "=r"(lwu) : "r"(m));
    __asm__ volatile("ld %0,8(%1)" : "=r"(ld) : "r"(m));
    printf("lb %016llx lbu %016llx lh %016llx lhu %016llx\n", (unsigned long long)lb,
           (unsigned long long)lbu, (unsigned long long)lh, (unsigned long long)lhu);
    printf("lw %016llx lwu %016llx ld %016llx\n", (unsigned long long)lw,
           (unsigned long long)lwu, (unsigned long long)ld);
    /* misaligned loads (Linux user space allows them) */
    __asm__ volatile("lw %0,3(%1)" : "=r"(lw) : "r"(m));
    __asm__ volatile("ld %0,5(%1)" : "=r"(ld) : "r"(m));
    printf("misaligned lw %016llx ld %016llx\n", (unsigned long long)lw, (unsigned long long)ld);

    /* stores of each width */
    volatile uint64_t slot = 0;
    __asm__ volatile("sb %1,0(%0)\n\tsh %1,2(%0)\n\tsw %2,4(%0)" :: "r"(&slot), "r"(0xabcdULL), "r"(0x12345678ULL) : "memory");
    printf("stores %016llx\n", (unsigned long long)slot);
    return 0;
}
