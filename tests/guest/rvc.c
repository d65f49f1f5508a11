/* Hand-written compressed (RVC) code: every C-extension integer and FP
 * instruction class (CI, CSS, CIW, CL, CS, CA, CB, CJ, CR), 32-bit
 * instructions at 2-byte-aligned addresses, and a 32-bit instruction that
 * straddles a 4 KiB page boundary. */
#include <stdio.h>
#include <stdint.h>

/* void rvc_ops(uint64_t out[32], uint64_t x, uint64_t y) */
__asm__(
    ".text\n"
    ".globl rvc_ops\n"
    ".type rvc_ops,@function\n"
    ".option push\n"
    ".option rvc\n"
    ".p2align 2\n"
    "rvc_ops:\n"
    "  c.li a3,-32\n"       "  c.sd a3,0(a0)\n"
    "  c.lui a4,0xfffe1\n"  "  c.sd a4,8(a0)\n"
    "  c.mv a3,a1\n"        "  c.addi a3,31\n"   "  c.sd a3,16(a0)\n"
    "  c.mv a3,a1\n"        "  c.addiw a3,-1\n"  "  c.sd a3,24(a0)\n"
    "  c.mv a3,a1\n"        "  c.slli a3,63\n"   "  c.sd a3,32(a0)\n"
    "  c.mv a3,a1\n"        "  c.srli a3,3\n"    "  c.sd a3,40(a0)\n"
    "  c.mv a3,a1\n"        "  c.srai a3,60\n"   "  c.sd a3,48(a0)\n"
    "  c.mv a3,a1\n"        "  c.andi a3,-3\n"   "  c.sd a3,56(a0)\n"
    "  c.mv a3,a1\n"        "  c.add a3,a2\n"    "  c.sd a3,64(a0)\n"
    "  c.mv a3,a1\n"        "  c.sub a3,a2\n"    "  c.sd a3,72(a0)\n"
    "  c.mv a3,a1\n"        "  c.xor a3,a2\n"    "  c.sd a3,80(a0)\n"
    "  c.mv a3,a1\n"        "  c.or a3,a2\n"     "  c.sd a3,88(a0)\n"
    "  c.mv a3,a1\n"        "  c.and a3,a2\n"    "  c.sd a3,96(a0)\n"
    "  c.mv a3,a1\n"        "  c.subw a3,a2\n"   "  c.sd a3,104(a0)\n"
    "  c.mv a3,a1\n"        "  c.addw a3,a2\n"   "  c.sd a3,112(a0)\n"
    /* CL/CS word forms: c.lw sign-extends the high half of out[0] (-1) */
    "  c.lw a4,4(a0)\n"     "  c.sd a4,120(a0)\n"
    "  c.sw a1,124(a0)\n"   /* overwrite high half of out[15] with low word of x */
    "  c.ld a5,16(a0)\n"    "  c.sd a5,128(a0)\n"
    /* stack-pointer forms */
    "  c.addi16sp sp,-64\n"
    "  c.sdsp a1,0(sp)\n"
    "  c.swsp a2,8(sp)\n"
    "  c.swsp a1,12(sp)\n"
    "  c.ldsp a4,0(sp)\n"   "  c.sd a4,136(a0)\n"
    "  c.lwsp a4,8(sp)\n"   "  c.sd a4,144(a0)\n"
    "  c.ldsp a4,8(sp)\n"   "  c.sd a4,152(a0)\n"
    "  c.addi4spn a3,sp,16\n"
    "  c.mv a4,sp\n"        "  c.sub a3,a4\n"   "  c.sd a3,160(a0)\n"   /* 16 */
    /* FP loads/stores: CL/CS and sp-relative */
    "  c.fld fa0,16(a0)\n"
    "  c.fsdsp fa0,24(sp)\n"
    "  c.fldsp fa1,24(sp)\n"
    "  c.fsd fa1,168(a0)\n"
    "  c.addi16sp sp,64\n"
    /* CB: branches and a loop: sum 10..1 */
    "  c.li a4,10\n"
    "  c.li a5,0\n"
    "1:\n"
    "  c.add a5,a4\n"
    "  c.addi a4,-1\n"
    "  c.bnez a4,1b\n"
    "  c.sd a5,176(a0)\n"
    "  c.li a4,0\n"
    "  c.beqz a4,2f\n"
    "  c.li a4,7\n"          /* skipped */
    "2:\n"
    "  c.sd a4,184(a0)\n"
    /* CJ: jump over an instruction, then a 32-bit insn at a 2-byte boundary */
    "  c.li a4,1\n"
    "  c.j 3f\n"
    "  c.li a4,9\n"          /* skipped */
    "3:\n"
    "  c.nop\n"
    "  addi a4,a4,0x123\n"   /* 32-bit encoding, possibly at a 2 mod 4 address */
    "  c.sd a4,192(a0)\n"
    /* CR: jalr/jr to a compressed leaf routine, saving ra in t1 */
    "  c.mv t1,ra\n"
    "  la a4,4f\n"
    "  c.li a5,5\n"
    "  c.jalr a4\n"
    "  c.sd a5,200(a0)\n"
    "  c.mv ra,t1\n"
    "  c.jr ra\n"
    "4:\n"
    "  c.slli a5,4\n"
    "  c.addi a5,1\n"
    "  c.jr ra\n"
    ".option pop\n"
    ".size rvc_ops,.-rvc_ops\n");

/* uint64_t straddle(uint64_t x): the addi crosses a page boundary */
__asm__(
    ".text\n"
    ".globl straddle\n"
    ".type straddle,@function\n"
    ".option push\n"
    ".option rvc\n"
    ".balign 4096\n"
    "straddle:\n"
    ".rept 2047\n"
    "  c.nop\n"
    ".endr\n"
    ".option norvc\n"
    "  addi a0,a0,0x321\n"    /* bytes 4094..4097 of the page-aligned block */
    ".option rvc\n"
    "  c.jr ra\n"
    ".option pop\n"
    ".size straddle,.-straddle\n");

void rvc_ops(uint64_t *out, uint64_t x, uint64_t y);
uint64_t straddle(uint64_t x);

int main(void)
{
    static const char *names[] = {
        "c.li", "c.lui", "c.addi", "c.addiw", "c.slli", "c.srli", "c.srai", "c.andi",
        "c.add", "c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw", "c.lw/c.sw",
        "c.ld", "c.sdsp/c.ldsp", "c.lwsp", "c.ldsp(2 words)", "c.addi4spn", "c.fld/c.fsd",
        "c.bnez loop", "c.beqz", "c.j+32bit", "c.jalr/c.jr",
    };
    static const uint64_t xs[][2] = {
        {0x123456789abcdef0ULL, 0x0fedcba987654321ULL},
        {0xffffffff80000000ULL, 0x0000000080000000ULL},
        {7, (uint64_t)-9},
    };
    for (unsigned t = 0; t < 3; t++) {
        uint64_t out[32] = {0};
        rvc_ops(out, xs[t][0], xs[t][1]);
        printf("x=%016llx y=%016llx\n", (unsigned long long)xs[t][0], (unsigned long long)xs[t][1]);
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
            printf("  %-16s %016llx\n", names[i], (unsigned long long)out[i]);
    }
    printf("straddle(1) = %llx\n", (unsigned long long)straddle(1));
    printf("straddle at page offset %lu\n", (unsigned long)((uintptr_t)straddle & 4095));
    return 0;
}
