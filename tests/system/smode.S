/* An S-mode payload under Debian's OpenSBI (the default firmware): OpenSBI must have
 * delegated the supervisor interrupts and page faults and left the payload in S-mode;
 * a timer set through SBI (OpenSBI programs the ACLINT, takes the machine timer interrupt
 * and raises STIP) interrupts WFI; an illegal instruction comes back from OpenSBI with
 * scause 2 and stval = the instruction; a page fault under Sv39 is delegated with stval.
 * It prints through the SBI console and exits through HTIF (status = the failing case,
 * s4). All pass: "smode ok". */
#include "htif.h"

#define SBI_TIME 0x54494d45
#define SIE_STIE 0x20

    .option norvc
    .section .text.init
    .globl _start
_start:
    la t0, strap
    csrw stvec, t0
    li s4, 1
    csrr t0, sstatus                        /* in S-mode: sstatus is readable */
    li s4, 2                                /* an illegal instruction, redirected */
    li s6, -1
    la s3, 1f
1:  .word 0xffffffff
    li t0, 2
    bne s6, t0, fail
    li t0, 0xffffffff
    bne s7, t0, fail
    bne s8, s3, fail

    /* 3: a timer interrupt in 1 ms through SBI wakes WFI, with sstatus.SIE = 0. */
    li s4, 3
    li s6, -1
    li t0, SIE_STIE
    csrs sie, t0
    rdtime a0
    li t0, 10000
    add a0, a0, t0
    li a7, SBI_TIME
    li a6, 0
    ecall
    bnez a0, fail
1:  wfi
    csrr t0, sip
    andi t0, t0, SIE_STIE
    beqz t0, 1b
    csrsi sstatus, 2                        /* taken once enabled */
    csrci sstatus, 2
    li t0, (1 << 63) | 5
    bne s6, t0, fail

    /* 4: Sv39 with a gigapage at 0x80000000: a page fault on an unmapped address is
     * delegated, with stval. */
    li s4, 4
    la t2, root
    li t0, (0x80000000 >> 12) << 10 | 0xcf  /* V R W X A D */
    sd t0, 2 * 8(t2)
    srli t0, t2, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li s6, -1
    li t0, 0x1000
    ld t1, 0(t0)
    li t1, 13
    bne s6, t1, fail
    li t1, 0x1000
    bne s7, t1, fail

    la s0, ok
1:  lbu a0, 0(s0)
    beqz a0, 2f
    li a7, 1                                /* the legacy console putchar */
    ecall
    addi s0, s0, 1
    j 1b
2:  HTIF_EXIT(0)

fail:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    la t1, tohost
    sd a0, 0(t1)
3:  j 3b

/* Records scause, stval and sepc in s6-s8; an interrupt stops the timer, an exception is
 * skipped. */
    .balign 4
strap:
    csrr s6, scause
    csrr s7, stval
    csrr s8, sepc
    bgez s6, 1f
    li a0, -1
    li a7, SBI_TIME
    li a6, 0
    ecall
    sret
1:  addi t0, s8, 4
    csrw sepc, t0
    sret

HTIF_DEFINE

    .section .rodata
ok: .asciz "smode ok\n"
    .bss
    .balign 4096
root: .space 4096
