/* Interrupts from mip writes (SSIP, STIP): taken right after the write that makes one
 * pending and enabled, in priority order, through a vectored mtvec, never while the global
 * enable of the level it goes to is off at that level, always from a lower level; WFI
 * returns once one is pending; mideleg sends SSIP to S-mode (sip, sie, sstatus.SIE, SRET),
 * and an interrupt for a higher level is taken as soon as MRET or SRET lowers the level.
 * Every trap appends a byte to the log s10 (cause | 0x80 for an interrupt); s4 is the case
 * number, the exit status on a mismatch. All pass: "interrupts ok", status 0. */
#include "htif.h"
#include "mstart.h"

#define SSIP 2
#define STIP 0x20
#define INT(c) (0x80 | (c))
#define CHECK_LOG(n, want) li s4, n; li t0, want; bne s10, t0, fail; li s10, 0

    .option norvc
    .section .text.init
    .globl _start
_start:
    M_START(mhandler)
    li s10, 0

    /* 1: SSIP, not delegated, is taken in M-mode right after the csrs that raises it. */
    li s4, 1
    csrsi mie, SSIP
    csrsi mstatus, 8
    la s3, 1f
    csrsi mip, SSIP
1:  bne s7, s3, fail                        /* mepc: the instruction after the csrs */
    CHECK_LOG(1, INT(1))

    /* 2: nothing is taken while mstatus.MIE = 0; then SSIP before STIP. */
    csrci mstatus, 8
    li t0, SSIP | STIP
    csrs mie, t0
    csrs mip, t0
    CHECK_LOG(2, 0)
    csrsi mstatus, 8
    CHECK_LOG(3, INT(1) << 8 | INT(5))

    /* 4: vectored mtvec: the interrupt enters at base + 4 x cause. */
    la t0, vectors + 1
    csrw mtvec, t0
    li s11, 0
    csrsi mip, SSIP
    li s4, 4
    li t0, 1
    bne s11, t0, fail
    CHECK_LOG(5, INT(1))
    la t0, mhandler
    csrw mtvec, t0

    /* 6: WFI with MIE = 0 returns once an interrupt enabled in mie is pending. */
    csrci mstatus, 8
    csrsi mip, SSIP
    wfi
    csrci mip, SSIP
    csrw mie, zero
    CHECK_LOG(6, 0)

    /* 7: to S-mode with SSIP delegated. */
    li t0, SSIP
    csrw mideleg, t0
    csrw mie, t0
    la t0, shandler
    csrw stvec, t0
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11                          /* MPP = S */
    csrs mstatus, t0
    la t0, s_mode
    csrw mepc, t0
    mret

s_mode:
    li s4, 7
    csrr t0, sie                            /* sie shows the delegated SSIE only */
    li t1, SSIP
    bne t0, t1, fail
    csrci sstatus, 2                        /* SIE = 0: not taken */
    csrsi sip, SSIP
    CHECK_LOG(8, 0)
    la s3, 1f
    csrsi sstatus, 2                        /* SIE = 1: taken in S-mode */
1:  li s4, 9
    bne s7, s3, fail
    li t0, 0x122                            /* sstatus: SPP = S, SPIE = 1, SIE = 0 */
    and t1, s8, t0
    li t0, 0x120
    bne t1, t0, fail
    CHECK_LOG(10, INT(1))

    /* 11: a pending STIP for M-mode is taken as soon as MRET returns to S-mode, though
     * mstatus.MIE = 0: ecall with a0 = 1 has the M handler make it pending. */
    li a0, 1
    la s3, 1f
    ecall
1:  li s4, 11
    bne s7, s3, fail                        /* mepc: the instruction MRET returned to */
    CHECK_LOG(12, 9 << 8 | INT(5))

    /* 13: to U-mode with SSIP pending and SIE = 0: taken as soon as SRET gets there. */
    csrci sstatus, 2
    csrsi sip, SSIP
    li t0, 0x100
    csrc sstatus, t0                        /* SPP = U */
    la t0, u_mode
    csrw sepc, t0
    sret
u_mode:
    li s4, 13
    la t0, u_mode
    bne s7, t0, fail
    CHECK_LOG(14, INT(1))
    li a0, 2                                /* done */
    ecall

fail:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    la t1, tohost
    sd a0, 0(t1)
3:  j 3b

/* Logs mcause t0 into s10. */
log_cause:
    andi t1, t0, 0x3f
    bgez t0, 1f
    ori t1, t1, 0x80
1:  slli s10, s10, 8
    or s10, s10, t1
    ret

    .balign 4
mhandler:
    csrr t0, mcause
    csrr s7, mepc
    csrr s8, mstatus
    mv t2, ra
    call log_cause
    mv ra, t2
    bgez t0, m_exception
    li t1, 1                                /* an interrupt: clear its pending bit */
    sll t1, t1, t0
    csrc mip, t1
    mret
m_exception:
    li t1, 8
    beq t0, t1, m_ecall
    li t1, 9
    bne t0, t1, fail
m_ecall:
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    li t1, 1
    bne a0, t1, done
    li t1, STIP                             /* a0 = 1: STIP for M-mode, MIE = 0 */
    csrs mie, t1
    csrs mip, t1
    li t1, 0x88                             /* MIE and MPIE */
    csrc mstatus, t1
    mret
done:
    li s4, 15
    li t0, 8                                /* the ecall from U-mode */
    bne s10, t0, fail
    la a0, ok
    la a1, ok_end
    sub a1, a1, a0
    call htif_print
    HTIF_EXIT(0)

    .balign 4
shandler:
    csrr t0, scause
    csrr s7, sepc
    csrr s8, sstatus
    mv t2, ra
    call log_cause
    mv ra, t2
    bgez t0, fail
    csrci sip, SSIP
    sret

    .balign 64
vectors:
    j fail                                  /* exceptions */
    j vector_ssi                            /* cause 1 */
vector_ssi:
    li s11, 1
    j mhandler

HTIF_DEFINE

    .section .rodata
ok: .ascii "interrupts ok\n"
ok_end:
