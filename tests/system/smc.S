/* Self-modifying code in system mode: code that has run is rewritten and the new code must
 * run (its blocks are dropped when the guest stores to their page). The cases: a function
 * on the page of the code that rewrites it, a function copied to a data page, rewritten
 * again and again (each time after it ran), and a store into the block that is running,
 * whose next instruction is rewritten. Exit status: 0, or the number of the failed case. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    la sp, stack_top
    /* 1: on this page, after it ran once. */
    call same_page
    li t0, 1
    li s11, 1
    bne a0, t0, fail
    la t1, same_page
    li t2, 0x00200513             /* li a0, 2 */
    sw t2, 0(t1)
    fence.i
    call same_page
    li t0, 2
    li s11, 2
    bne a0, t0, fail

    /* 3: copied to a data page, then its immediate rewritten 100 times; each version runs. */
    la t1, data_code
    la t2, same_page
    lw t3, 0(t2)
    sw t3, 0(t1)
    lw t3, 4(t2)
    sw t3, 4(t1)
    fence.i
    li s0, 0                       /* k */
    li s1, 0                       /* sum of results */
    li s2, 100
1:  la t1, data_code
    slli t3, s0, 20                /* li a0, k: addi a0, zero, k */
    li t4, 0x00000513
    or t3, t3, t4
    sw t3, 0(t1)
    fence.i
    jalr t1
    add s1, s1, a0
    addi s0, s0, 1
    blt s0, s2, 1b
    li t0, 4950
    li s11, 3
    bne s1, t0, fail

    /* 4: the running block rewrites its own next instruction (the block goes on as it was
     * translated, as hardware may without FENCE.I); after FENCE.I the new one runs. */
    li s11, 4
    li a0, 0
    call self_patch
    li t0, 7
    bne a0, t0, fail
    call self_patch_again
    li t0, 9
    bne a0, t0, fail
    HTIF_EXIT(0)

fail:
    la t1, tohost
    slli t0, s11, 1
    ori t0, t0, 1
    sd t0, 0(t1)
2:  j 2b

    .option push
    .option norvc
    .balign 4
same_page:
    li a0, 1
    ret
/* Rewrites the addi below into addi a0, zero, 7 and runs it after a FENCE.I. */
self_patch:
    la t1, patched
    li t2, 0x00700513              /* li a0, 7 */
    sw t2, 0(t1)
    fence.i
patched:
    li a0, 3
    ret
/* The same instruction rewritten again, now that its block has run. */
self_patch_again:
    la t1, patched
    li t2, 0x00900513              /* li a0, 9 */
    sw t2, 0(t1)
    fence.i
    j patched
    .option pop

HTIF_DEFINE

    .data
    .balign 4096
data_code:
    .word 0, 0
    .balign 16
    .space 1024
stack_top:
