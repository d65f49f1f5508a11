/* Code one hart writes while another translates it (vm boot --cpus=2). Hart 1 calls `func`
 * over and over; for each round r hart 0 stores into it twice: `li a0, -1`, which drops the
 * blocks hart 1 has of it (so hart 1 translates it again), then, after a wait that grows
 * with r, `li a0, r`; then it publishes r and waits until hart 1's func returns r. The
 * second store comes at some moment of hart 1's new translation of func in some round: if
 * the translation read the old bytes and marked the page as code only afterwards, the store
 * found the page unmarked, dropped nothing, and func returns -1 for ever. Hart 1 fails the
 * test when func has not returned the published r within two seconds (mtime) of seeing it.
 * Exit status: 0, or 1 for the stale code. */
#include "htif.h"
#include "virt.h"

#define ROUNDS 100
#define LI_A0 0x00000513                /* addi a0, zero, 0: the immediate goes in bits 20-31 */
#define MTIME_FREQ 10000000              /* the ACLINT's ticks per second */

    .section .text.init
    .globl _start
_start:
    csrr a0, mhartid
    bnez a0, runner
    li t0, CLINT                  /* wake hart 1 */
    li t1, 1
    sw t1, 4(t0)

    /* Hart 0: the writer. */
    li s0, 1                      /* r */
    la s1, func
    la s2, target
    la s3, ack
    la s4, failed
1:  li t0, -1 << 20 | LI_A0       /* li a0, -1 */
    sw t0, 0(s1)
    andi t1, s0, 63               /* wait (r mod 64) * 1000 iterations */
    li t2, 1000
    mul t1, t1, t2
2:  addi t1, t1, -1
    bgez t1, 2b
    slli t0, s0, 20               /* li a0, r */
    li t1, LI_A0
    or t0, t0, t1
    sw t0, 0(s1)
    fence w, w
    sw s0, 0(s2)
3:  lw t0, 0(s4)
    bnez t0, 5f
    lw t0, 0(s3)
    bne t0, s0, 3b
    addi s0, s0, 1
    li t0, ROUNDS
    ble s0, t0, 1b
    HTIF_EXIT(0)
5:  HTIF_EXIT(1)

    /* Hart 1: the runner, woken by hart 0's msip. */
runner:
    li t0, MIP_MSIP
    csrw mie, t0
1:  wfi
    csrr t0, mip
    andi t0, t0, MIP_MSIP
    beqz t0, 1b
    li t0, CLINT                  /* acknowledge */
    sw zero, 4(t0)
    la s1, func
    la s2, target
    la s3, ack
    li s5, 0                      /* the last r acknowledged */
    li s6, 0                      /* the deadline for the r seen, 0 until one is seen */
    li s7, CLINT + CLINT_MTIME
2:  lw s8, 0(s2)                  /* t = the r published */
    fence.i
    jalr s1
    beq s8, s5, 2b                /* nothing new */
    beq a0, s8, 3f
    ld t0, 0(s7)
    bnez s6, 4f
    li t1, 2 * MTIME_FREQ
    add s6, t0, t1
    j 2b
4:  bltu t0, s6, 2b
    la t0, failed                 /* two seconds of stale code */
    li t1, 1
    sw t1, 0(t0)
5:  j 5b
3:  sw s8, 0(s3)                  /* func returns t: acknowledged */
    mv s5, s8
    li s6, 0
    j 2b

    .section .text.func
    .balign 4096
    .option push
    .option norvc
func:
    li a0, 0
    ret
    .option pop

HTIF_DEFINE

    .data
    .balign 64
target: .word 0
    .balign 64
ack: .word 0
failed: .word 0
