/* A bare-metal program that counts and prints, for snapshots (tests/snapshot/run.sh): 40
 * lines "count N sum S check C", one every 25 ms of the machine's time (a test that reads
 * "count 3" has most of a second to pause it), through the UART; S
 * is an FP sum and C an integer checksum kept only in registers, so a restore that loses a
 * register shows in the output. Meanwhile a timer interrupt every 2 ms counts in s11.
 * mtime is set to 2^50 first, and every read of the time CSR must be no less than the last
 * one and at most 3 s after it: a restore that took the host's clock, or lost the time
 * that had passed, fails (status 4). At the end: 3 more timer interrupts must come (else
 * status 2), the device registers set at the start must still hold (else 3), then "done"
 * through HTIF's write and status 0. With more harts (--cpus) the others sleep in WFI. */
#include "htif.h"

#define UART 0x10000000
#define PLIC 0x0c000000
#define RTC 0x101000
#define MTIMECMP 0x2004000
#define MTIME 0x200bff8
#define LINES 40
#define STEP 250000                /* 25 ms of mtime at 10 MHz */
#define TICK 20000                 /* 2 ms */
#define MAX_GAP 30000000           /* 3 s */

/* mtimecmp = mtime + TICK, with t5 and t6 only (the trap handler's registers). */
#define ARM_TIMER      \
    li t5, MTIME;      \
    ld t6, 0(t5);      \
    li t5, TICK;       \
    add t6, t6, t5;    \
    li t5, MTIMECMP;   \
    sd t6, 0(t5)

    .section .text.init
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, sleep
    la sp, stack_top
    la t0, trap
    csrw mtvec, t0
    li t0, MTIME
    li t1, 1
    slli t1, t1, 50
    sd t1, 0(t0)
    li t0, UART
    li t1, 0x5a
    sb t1, 7(t0)                   /* scratch */
    li t1, 3
    sb t1, 3(t0)                   /* 8 data bits */
    li t0, PLIC
    li t1, 5
    sw t1, 4 * 11(t0)              /* the RTC source's priority */
    li t0, RTC
    li t1, 1
    sw t1, 0x10(t0)                /* its interrupt enabled (no alarm set) */
    call arm_timer
    li t0, 0x80                    /* MTIE */
    csrw mie, t0
    csrsi mstatus, 8               /* MIE */
    fmv.d.x f1, zero
    li t0, 3
    fcvt.d.l f2, t0
    li t0, 2
    fcvt.d.l f3, t0
    fdiv.d f2, f2, f3              /* 1.5 */
    li s2, 7
    li s3, 0
    csrr s4, time
loop:
    li t0, STEP
    add s5, s4, t0
1:  call check_time
    bltu s4, s5, 1b
    fadd.d f1, f1, f2
    li t0, 31
    mul s2, s2, t0
    add s2, s2, s3
    la a0, s_count
    call puts
    mv a0, s3
    call putdec
    la a0, s_sum
    call puts
    fcvt.l.d a0, f1, rtz
    call putdec
    la a0, s_check
    call puts
    slli a0, s2, 32
    srli a0, a0, 32
    call putdec
    li a0, '\n'
    call putc
    addi s3, s3, 1
    li t0, LINES
    bltu s3, t0, loop

    addi s6, s11, 3
    li t0, MAX_GAP
    add s5, s4, t0
2:  call check_time
    bgeu s11, s6, 3f
    bltu s4, s5, 2b
    la a0, s_noirq
    call puts
    HTIF_EXIT(2)
3:  li t0, UART
    lbu t1, 7(t0)
    li t2, 0x5a
    bne t1, t2, baddev
    lbu t1, 3(t0)
    li t2, 3
    bne t1, t2, baddev
    li t0, PLIC
    lw t1, 4 * 11(t0)
    li t2, 5
    bne t1, t2, baddev
    li t0, RTC
    lw t1, 0x10(t0)
    li t2, 1
    bne t1, t2, baddev
    la a0, s_done
    li a1, 5
    call htif_write
    HTIF_EXIT(0)
baddev:
    la a0, s_baddev
    call puts
    HTIF_EXIT(3)

/* s4 = the time CSR, which must not go back or leap. */
check_time:
    csrr a0, time
    bltu a0, s4, 1f
    sub t0, a0, s4
    li t1, MAX_GAP
    bgeu t0, t1, 1f
    mv s4, a0
    ret
1:  la a0, s_jump
    call puts
    HTIF_EXIT(4)

arm_timer:
    ARM_TIMER
    ret

/* The timer interrupt: s11 counts them; any exception fails (status 5). */
    .balign 4
sleep:                             /* harts but 0: MSIE alone enabled, and no msip comes */
    li t0, 8
    csrw mie, t0
1:  wfi
    j 1b

trap:
    csrr t6, mcause
    bgez t6, 1f
    addi s11, s11, 1
    ARM_TIMER
    mret
1:  HTIF_EXIT(5)

putc:
    li t0, UART
    sb a0, 0(t0)
    ret

puts:
    mv t1, a0
    li t0, UART
1:  lbu t3, 0(t1)
    beqz t3, 2f
    sb t3, 0(t0)
    addi t1, t1, 1
    j 1b
2:  ret

putdec:
    addi sp, sp, -48
    sd ra, 40(sp)
    addi t2, sp, 32
    li t3, 10
1:  remu t1, a0, t3
    addi t1, t1, '0'
    addi t2, t2, -1
    sb t1, 0(t2)
    divu a0, a0, t3
    bnez a0, 1b
2:  lbu a0, 0(t2)
    call putc
    addi t2, t2, 1
    addi t1, sp, 32
    bne t2, t1, 2b
    ld ra, 40(sp)
    addi sp, sp, 48
    ret

    .data
s_count: .string "count "
s_sum: .string " sum "
s_check: .string " check "
s_noirq: .string "no timer interrupts after the count\n"
s_baddev: .string "device registers lost\n"
s_jump: .string "time went back or leapt\n"
s_done: .ascii "done\n"
    .balign 16
stack: .space 4096
stack_top:

HTIF_DEFINE
