/* M-mode traps: each case sets the expected mcause (s1), mtval (s2), the faulting pc (s3)
 * and where to resume (s5), then faults; the handler checks mcause, mtval, mepc and the
 * mstatus stack (MPP = M, MPIE = the MIE before the trap, MIE = 0) and resumes through
 * MRET. A mismatch exits with the case number (s4); all cases pass: "traps ok", status 0. */
#include "htif.h"

    .option norvc
    .section .text.init
    .globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    csrr t0, mhartid
    li s4, 100
    bnez t0, fail
    csrw mscratch, s4            /* mscratch keeps what is written */
    csrr t0, mscratch
    bne t0, s4, fail
    csrr t0, misa                /* RV64 IMAFDCSU */
    li t1, (2 << 62) | 0x14112d
    li s4, 101
    bne t0, t1, fail

#define CASE(n, cause) \
    li s4, n; li s1, cause; la s3, 1f; la s5, 2f
/* An illegal instruction's mtval is the instruction. */
#define INSN_TVAL lwu s2, 0(s3)

    CASE(1, 2); li s2, 0                      /* an all-zero word: illegal (as 16 bits) */
1:  .word 0
2:  CASE(2, 2); INSN_TVAL                     /* a CSR that does not exist */
1:  csrr t0, 0x7c0
2:  CASE(3, 2); INSN_TVAL                     /* a write to a read-only CSR */
1:  csrw mhartid, t0
2:  CASE(4, 11); li s2, 0                     /* ecall from M-mode */
1:  ecall
2:  CASE(5, 3); la s2, 1f                     /* ebreak: tval is its pc */
1:  ebreak
2:  CASE(6, 5); li s2, 0x1000                 /* load from a hole: access fault */
    li t0, 0x1000
1:  ld t1, 0(t0)
2:  CASE(7, 7); li s2, 0x2004                 /* store to a hole */
    li t0, 0x2000
1:  sw t1, 4(t0)
2:  CASE(8, 6); la s2, misaligned    /* a misaligned AMO */
    la t0, misaligned
1:  amoadd.w t1, t1, (t0)
2:  CASE(13, 4); la s2, misaligned           /* a misaligned LR: a load's cause */
    la t0, misaligned
1:  lr.w t1, (t0)
2:  CASE(14, 6); la s2, misaligned           /* a misaligned SC: a store's */
    la t0, misaligned
1:  sc.d t1, t1, (t0)
2:  CASE(9, 2); INSN_TVAL                     /* a hypervisor CSR: no H extension */
1:  csrr t0, 0x600
2:  li s4, 10                                 /* a fetch from a hole: tval and mepc = it */
    li s1, 1
    li s2, 0x3000
    li s3, 0x3000
    la s5, 2f
    li t0, 0x3000
    jr t0
2:  li s4, 11                                 /* MIE = 1 before a trap: MPIE = 1 after */
    li s1, 2
    la s3, 1f
    la s5, 2f
    INSN_TVAL
    csrsi mstatus, 8
1:  .word 0xffffffff
2:  csrr t0, mstatus                          /* MRET set MIE from MPIE, and MPIE */
    andi t0, t0, 0x88
    li t1, 0x88
    li s4, 12
    bne t0, t1, fail
    la a0, ok
    la a1, ok_end
    sub a1, a1, a0
    call htif_write
    HTIF_EXIT(0)

fail:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    la t1, tohost
    sd a0, 0(t1)
3:  j 3b

    .balign 4
handler:
    csrr t0, mcause
    bne t0, s1, fail
    csrr t0, mtval
    bne t0, s2, fail
    csrr t0, mepc
    bne t0, s3, fail
    csrr t0, mstatus
    li t1, 0x1888
    and t0, t0, t1
    li t1, 0x1800                             /* MPP = M, MIE = 0 */
    li t2, 11
    bne s4, t2, 4f
    li t1, 0x1880                             /* case 11: MPIE = 1 */
4:  bne t0, t1, fail
    csrw mepc, s5
    mret

HTIF_DEFINE

    .section .rodata
ok: .ascii "traps ok\n"
ok_end:
    .data
    .balign 8
    .word 0
    .half 0
misaligned: .half 0
    .word 0
