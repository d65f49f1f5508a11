/* WFI in a loop with interrupts masked and one still pending (vm boot --cpus=2), as OpenSBI
 * 1.1's secondary harts wait for their start: such a WFI may not stall for ever, but need not
 * spin either. Hart 0, its own msip raised, MSIE enabled and mstatus.MIE clear, runs WFI for
 * 100 ms of mtime and fails (status 1) if it ran more than 50 of them (a hart that spins runs
 * hundreds of thousands). Then what must end such a stall at once: hart 1 waits so (its msip
 * raised by hart 0 at the start) for each of ROUNDS values hart 0 publishes in `round`, each
 * followed by an IPI (msip written 1 again while still pending), and acknowledges it in `ack`;
 * the rounds must take less than ROUNDS * 15 ms (status 2), where stalls that ignored the
 * IPIs would end only at their bound, 200 ms each. Exit status 0, or the failure's. */
#include "htif.h"
#include "virt.h"

#define ROUNDS 20
#define MS 10000                         /* ACLINT ticks (10 MHz) per millisecond */

    .section .text.init
    .globl _start
_start:
    csrr a0, mhartid
    li s0, CLINT
    li t0, MIP_MSIP
    csrw mie, t0                  /* MSIE alone; mstatus.MIE is clear from reset */
    li s6, CLINT + CLINT_MTIME
    la s4, round
    la s5, ack
    bnez a0, waiter

    li t1, 1
    sw t1, 4(s0)                  /* hart 1's msip */
    sw t1, 0(s0)                  /* and its own */
    ld s1, 0(s6)
    li t0, 100 * MS
    add s1, s1, t0
    li s2, 0
1:  wfi
    addi s2, s2, 1
    ld t0, 0(s6)
    bltu t0, s1, 1b
    li t0, 50
    bgtu s2, t0, spun

    ld s1, 0(s6)
    li s3, 1
2:  sw s3, 0(s4)
    fence
    li t0, 1
    sw t0, 4(s0)                  /* the IPI, hart 1's msip still pending */
3:  lw t0, 0(s5)
    bne t0, s3, 3b
    addi s3, s3, 1
    li t0, ROUNDS + 1
    bne s3, t0, 2b
    ld t0, 0(s6)
    sub t0, t0, s1
    li t1, ROUNDS * 15 * MS
    bgeu t0, t1, slow
    HTIF_EXIT(0)
spun:
    HTIF_EXIT(1)
slow:
    HTIF_EXIT(2)

waiter:
    li s3, 1
1:  wfi
    lw t0, 0(s4)
    bne t0, s3, 1b
    sw s3, 0(s5)
    addi s3, s3, 1
    li t0, ROUNDS + 1
    bne s3, t0, 1b
4:  wfi
    j 4b

    .data
    .balign 8
round: .word 0
ack: .word 0

HTIF_DEFINE
