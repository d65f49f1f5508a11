/* Privilege levels: ECALL from U, S and M; MRET and SRET to each level; CSRs, counters and
 * privileged instructions that are illegal at a level (mtval/stval = the instruction);
 * mcounteren/scounteren; mstatus.TVM, TW and TSR; the sstatus, sie and sip views; medeleg
 * sending U's ECALL and illegal instructions to S-mode through a vectored stvec (exceptions
 * enter at its base). The M handler records cause, tval, epc and mstatus in s6, s7, s8,
 * s10 and skips the instruction; ECALL with a0 = 99 goes to M-mode at s9 instead. s4 is the
 * case number, the exit status on a mismatch; all pass: "priv ok", status 0. */
#include "htif.h"
#include "mstart.h"

#define TO_M(label) la s9, label; li a0, 99; ecall
#define MPP_TO(level) li t0, 3 << 11; csrc mstatus, t0; li t0, (level) << 11; csrs mstatus, t0
#define MRET_TO(level, label) MPP_TO(level); la t0, label; csrw mepc, t0; mret
/* insn traps with cause, tval = the instruction (illegal) or 0, epc = insn. */
#define TRAPS(n, cause, ...) \
    li s4, n; li s6, -1; la s3, 1f; li a0, 0; \
1:  __VA_ARGS__; \
    li t0, cause; bne s6, t0, fail; bne s8, s3, fail; \
    li t0, 2; bne s6, t0, 2f; lwu t0, 0(s3); bne s7, t0, fail; j 3f; \
2:  li t0, 0x102; bne s6, t0, 2f; lwu t0, 0(s3); bne s7, t0, fail; j 3f; \
2:  bnez s7, fail; \
3:
#define ILLEGAL(n, ...) TRAPS(n, 2, __VA_ARGS__)
#define NO_TRAP(n, ...) li s4, n; li s6, -1; __VA_ARGS__; bgez s6, fail

    .option norvc
    .section .text.init
    .globl _start
_start:
    M_START(mtrap)
    csrw mcounteren, zero
    csrw scounteren, zero
    TRAPS(1, 11, ecall)
    MRET_TO(0, u1)

u1: TRAPS(2, 8, ecall)
    ILLEGAL(3, csrr t0, sstatus)
    ILLEGAL(4, csrr t0, cycle)              /* mcounteren.CY = 0 */
    ILLEGAL(5, wfi)
    ILLEGAL(6, sret)
    ILLEGAL(7, mret)
    ILLEGAL(8, sfence.vma)
    TO_M(m2)

m2: li s4, 9
    srli t0, s10, 11                        /* MPP was U */
    andi t0, t0, 3
    bnez t0, fail
    li t0, 7
    csrw mcounteren, t0
    MRET_TO(0, u2)
u2: ILLEGAL(10, csrr t0, cycle)             /* scounteren.CY = 0 */
    ILLEGAL(11, csrr t0, time)
    TO_M(m3)

m3: li t0, 2
    csrw scounteren, t0
    MRET_TO(0, u3)
u3: NO_TRAP(12, csrr t0, time)
    ILLEGAL(13, csrr t0, cycle)
    ILLEGAL(14, csrr t0, instret)
    TO_M(m4)

m4: csrw mcounteren, zero
    li t0, 2                                /* SSIP delegated, pending, SIE = 0 */
    csrw mideleg, t0
    li t0, 0x22
    csrw mie, t0
    csrsi mip, 2
    MRET_TO(1, s1)

s1: TRAPS(15, 9, ecall)
    ILLEGAL(16, csrr t0, mstatus)
    ILLEGAL(17, csrr t0, mhartid)
    ILLEGAL(18, csrw cycle, t0)
    ILLEGAL(19, csrr t0, time)              /* mcounteren.TM = 0 */
    ILLEGAL(20, mret)
    li s4, 21
    csrr t0, sie                            /* only the delegated SSIE shows */
    li t1, 2
    bne t0, t1, fail
    csrr t0, sip
    bne t0, t1, fail
    csrr t0, sstatus
    srli t1, t0, 32                         /* UXL = 64 */
    andi t1, t1, 3
    li t2, 2
    bne t1, t2, fail
    li t0, 1 << 18                          /* sstatus.SUM is mstatus.SUM */
    csrs sstatus, t0
    csrr t0, sstatus                        /* and mstatus.MPP does not show */
    li t1, 3 << 11
    and t0, t0, t1
    bnez t0, fail
    NO_TRAP(22, csrr t0, satp)
    NO_TRAP(23, sfence.vma)
    NO_TRAP(24, wfi)                        /* SSIP is pending: it returns */
    csrci sip, 2
    li t0, 0x100                            /* SRET to U */
    csrc sstatus, t0
    la t0, u4
    csrw sepc, t0
    sret
u4: TRAPS(25, 8, ecall)
    TO_M(m5)

m5: li s4, 26
    csrr t0, mstatus
    li t1, 1 << 18
    and t0, t0, t1
    beqz t0, fail
    csrc mstatus, t1
    li t0, 7 << 20                          /* TVM, TW, TSR */
    csrs mstatus, t0
    MRET_TO(1, s2)
s2: ILLEGAL(27, csrr t0, satp)
    ILLEGAL(28, csrw satp, zero)
    ILLEGAL(29, sfence.vma)
    ILLEGAL(30, sret)
    csrsi sip, 2                            /* WFI would return at once: TW still traps */
    ILLEGAL(31, wfi)
    csrci sip, 2
    TO_M(m6)

m6: li t0, 7 << 20
    csrc mstatus, t0
    li t0, 1 << 8 | 1 << 2                  /* U's ECALL and illegal instructions to S */
    csrw medeleg, t0
    la t0, strap + 1                        /* vectored: exceptions still at the base */
    csrw stvec, t0
    li t0, 0x100                            /* SRET from M-mode, to S */
    csrs mstatus, t0
    la t0, s3
    csrw sepc, t0
    sret
s3: TRAPS(32, 9, ecall)                     /* really in S-mode */
    li t0, 0x100
    csrc sstatus, t0
    la t0, u5
    csrw sepc, t0
    sret
u5: TRAPS(33, 0x108, ecall)
    TRAPS(34, 0x102, csrr t0, sstatus)
    la s9, s4_back                          /* ECALL a0 = 99 in S's handler: to S at s9 */
    li a0, 99
    ecall
s4_back:
    TRAPS(35, 9, ecall)                     /* in S-mode again */
    TO_M(m7)

m7: la a0, ok
    la a1, ok_end
    sub a1, a1, a0
    call htif_print
    HTIF_EXIT(0)

fail:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    la t1, tohost
    sd a0, 0(t1)
3:  j 3b

    .balign 4
mtrap:
    csrr s6, mcause
    csrr s7, mtval
    csrr s8, mepc
    csrr s10, mstatus
    li t0, 99
    bne a0, t0, 1f
    li t0, 8
    beq s6, t0, 2f
    li t0, 9
    beq s6, t0, 2f
1:  addi t0, s8, 4
    csrw mepc, t0
    mret
2:  li a0, 0
    li t0, 3 << 11                          /* to M-mode at s9 */
    csrs mstatus, t0
    csrw mepc, s9
    mret

    .balign 4
strap:
    csrr s6, scause
    addi s6, s6, 0x100
    csrr s7, stval
    csrr s8, sepc
    li t0, 99
    bne a0, t0, 1f
    li a0, 0
    li t0, 0x100                            /* to S-mode at s9 */
    csrs sstatus, t0
    csrw sepc, s9
    sret
1:  addi t0, s8, 4
    csrw sepc, t0
    sret

HTIF_DEFINE

    .section .rodata
ok: .ascii "priv ok\n"
ok_end:
