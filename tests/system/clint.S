/* The ACLINT (CLINT layout) without taking interrupts: mtime advances; mtimecmp in the past
 * sets mip.MTIP at once, one 1 ms ahead sets it only once mtime reaches it (polling mip),
 * and the maximum clears it; a 32-bit write to mtimecmp's upper half; msip sets and clears
 * mip.MSIP. A mismatch powers off with the check's number; all pass: "clint ok". */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s0, CLINT
    li s1, CLINT + CLINT_MTIMECMP
    li s3, CLINT + CLINT_MTIME
    csrr t0, mip
    EXPECT(1, t0, zero)
    ld t0, 0(s3)            /* mtime advances */
1:  ld t1, 0(s3)
    beq t0, t1, 1b
    li t2, 1
    sltu t3, t0, t1
    EXPECT(2, t3, t2)
    ld t0, 0(s1)                      /* mtimecmp starts at its maximum */
    li t1, -1
    EXPECT(3, t0, t1)
    sd zero, 0(s1)                    /* in the past: pending at once */
    csrr t0, mip
    li t1, MIP_MTIP
    EXPECT(4, t0, t1)
    li t0, -1
    sd t0, 0(s1)                      /* the maximum: not pending */
    csrr t0, mip
    EXPECT(5, t0, zero)
    ld t0, 0(s3)            /* 1 ms ahead */
    li t1, 10000
    add s2, t0, t1
    sd s2, 0(s1)
    csrr t0, mip
    EXPECT(6, t0, zero)
2:  csrr t0, mip                      /* pending once mtime passes it, not before */
    andi t0, t0, MIP_MTIP
    beqz t0, 2b
    ld t0, 0(s3)
    sltu t0, t0, s2
    EXPECT(7, t0, zero)
    li t0, -1                         /* the upper half alone: far in the future */
    sw t0, 4(s1)
    csrr t0, mip
    EXPECT(8, t0, zero)
    lw t0, 4(s1)
    li t1, -1
    EXPECT(9, t0, t1)
    li t0, 1                          /* msip */
    sw t0, 0(s0)
    csrr t0, mip
    li t1, MIP_MSIP
    EXPECT(10, t0, t1)
    lw t0, 0(s0)
    li t1, 1
    EXPECT(11, t0, t1)
    li t0, 0xfffffffe                 /* only bit 0 exists */
    sw t0, 0(s0)
    csrr t0, mip
    EXPECT(12, t0, zero)
    lw t0, 0(s0)
    EXPECT(13, t0, zero)
    li t2, CLINT + 0x8000             /* a hole reads 0 */
    ld t0, 0(t2)
    EXPECT(14, t0, zero)
    sb t0, 1(t2)
    la a0, ok
    call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
ok: .asciz "clint ok\n"
