/* Several harts (vm boot --cpus=4): every hart starts here with a0 = mhartid. Hart 0 wakes
 * the others through their ACLINT msip (they sleep in WFI with only MSIE enabled); each then
 * adds 1 to one shared counter ITER times with amoadd.d and to another with an LR/SC loop,
 * and they meet at a barrier (amoadd.w, then spinning on the count). Then code written by one
 * hart must run on another: hart 1 calls `patched` (on a page hart 0 stored to before it
 * held code) until it returns 2; hart 0 rewrites it once hart 1 has run it. Hart 0 prints
 * "smp ok" when both counters are exact and exits through HTIF with status
 * counter / ITER + lrsc / ITER: twice the number of harts. */
#include "htif.h"
#include "virt.h"

#define HARTS 4
#define ITER 20000

    .section .text.init
    .globl _start
_start:
    csrr a0, mhartid
    la sp, stacks
    addi t0, a0, 1
    slli t0, t0, 12
    add sp, sp, t0
    bnez a0, secondary
    la t0, patched                /* a store to the page before it holds code */
    sw zero, 8(t0)
    li t0, CLINT                  /* wake harts 1 to HARTS - 1 */
    li t1, 1
    li t2, 1
1:  slli t3, t2, 2
    add t3, t3, t0
    sw t1, 0(t3)
    addi t2, t2, 1
    li t3, HARTS
    bltu t2, t3, 1b
    j work

secondary:
    li t0, MIP_MSIP
    csrw mie, t0
1:  wfi
    csrr t0, mip
    andi t0, t0, MIP_MSIP
    beqz t0, 1b
    li t0, CLINT                  /* acknowledge: clear this hart's msip */
    slli t1, a0, 2
    add t0, t0, t1
    sw zero, 0(t0)

work:
    li s0, ITER
    la s1, counter
    la s2, lrsc
    li t2, 1
1:  amoadd.d zero, t2, (s1)
2:  lr.d t0, (s2)
    addi t0, t0, 1
    sc.d t1, t0, (s2)
    bnez t1, 2b
    addi s0, s0, -1
    bnez s0, 1b
    la t0, arrived                /* the barrier */
    amoadd.w zero, t2, (t0)
    li t1, HARTS
3:  lw t3, 0(t0)
    bne t3, t1, 3b
    beqz a0, rewrite
    li t0, 1
    bne a0, t0, park

    /* Hart 1: run `patched` until it returns 2, saying when it first ran. */
    la s3, ran
4:  call patched
    li t0, 1
    sw t0, 0(s3)
    li t0, 2
    beq a0, t0, 5f
    fence.i
    j 4b
5:  la t0, seen
    sw t0, 0(t0)
park:                             /* sleeps: no msip comes again */
    li t0, MIP_MSIP
    csrw mie, t0
6:  wfi
    j 6b

    /* Hart 0: once hart 1 ran it, `patched` returns 2; wait until hart 1 sees that. */
rewrite:
    la t0, ran
7:  lw t1, 0(t0)
    beqz t1, 7b
    la t0, patched
    li t1, 0x00200513             /* li a0, 2 */
    sw t1, 0(t0)
    fence.i
    la t0, seen
8:  lw t1, 0(t0)
    beqz t1, 8b

    ld s4, counter
    ld s5, lrsc
    li t0, HARTS * ITER
    bne s4, t0, 9f
    bne s5, t0, 9f
    la s6, ok_line
10: lbu a0, 0(s6)
    beqz a0, 9f
    call htif_putc
    addi s6, s6, 1
    j 10b
9:  li t0, ITER
    divu s4, s4, t0
    divu s5, s5, t0
    add t0, s4, s5
    slli t0, t0, 1
    ori t0, t0, 1
    la t1, tohost
    sd t0, 0(t1)
11: j 11b

    .section .text.patched
    .balign 4096
    .option push
    .option norvc
patched:
    li a0, 1
    ret
    .word 0
    .option pop

HTIF_DEFINE

    .section .rodata
ok_line: .asciz "smp ok\n"

    .data
    .balign 64
counter: .dword 0
    .balign 64
lrsc: .dword 0
    .balign 64
arrived: .word 0
ran: .word 0
seen: .word 0
    .bss
    .balign 4096
stacks: .space 4096 * HARTS
