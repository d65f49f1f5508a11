/* Physical memory protection: the WARL fields as OpenSBI probes them (pmpaddr keeps 54 bits,
 * entries 16-63 read as 0, odd pmpcfg are illegal on RV64, reserved bits and the R=0 W=1
 * combination are not written); with every entry off nothing is checked; then TOR, NAPOT and
 * NA4 entries (the NA4 one inside a page) checked for U-mode loads, stores and fetches with
 * the access-fault causes and tval, no entry matching, M-mode unaffected, an entry changed
 * after the TLB cached its page, an S-mode page walk whose table the PMP hides, and a locked
 * entry binding M-mode and refusing writes. The M handler records cause, tval and epc in s6,
 * s7 and s8 and skips the instruction (a fetch fault returns to ra); ECALL with a0 = 99 goes
 * to M-mode at s9. s4 is the case number, the exit status on a mismatch; all pass:
 * "pmp ok", status 0. */
#include "htif.h"

#define PAGE_A 0x80100000                   /* TOR, R W */
#define PAGE_B 0x80101000                   /* NAPOT, R (locked at the end) */
#define PAGE_C 0x80102000                   /* NA4 at +8, R W; the rest matches nothing */
#define PAGE_D 0x80103000                   /* NAPOT, R: the S-mode root page table */
#define PAGE_E 0x80104000                   /* matches nothing: a second-level table */
#define NOWHERE 0x80200000                  /* matches nothing */
#define TO_M(label) la s9, label; li a0, 99; ecall
#define MRET_TO(level, label) \
    li t0, 3 << 11; csrc mstatus, t0; li t0, (level) << 11; csrs mstatus, t0; \
    la t0, label; csrw mepc, t0; mret
#define FAULTS(n, cause, addr, ...) \
    li s4, n; li s6, -1; __VA_ARGS__; \
    li t0, cause; bne s6, t0, fail; li t0, addr; bne s7, t0, fail
#define NO_TRAP(n, ...) li s4, n; li s6, -1; __VA_ARGS__; bgez s6, fail
#define READS(n, csr, value) li s4, n; csrr t0, csr; li t1, value; bne t0, t1, fail

    .option norvc
    .section .text.init
    .globl _start
_start:
    la t0, mtrap
    csrw mtvec, t0

    li t0, -1
    csrw pmpaddr0, t0
    READS(1, pmpaddr0, (1 << 54) - 1)
    li t0, -1
    csrw 0x3c0, t0                          /* pmpaddr16 */
    READS(2, 0x3c0, 0)
    li t0, -1
    csrw 0x3a4, t0                          /* pmpcfg4 */
    READS(3, 0x3a4, 0)
    FAULTS(4, 2, 0x3a1020f3, csrr ra, 0x3a1) /* pmpcfg1: illegal, tval the instruction */
    li t0, 0x7f
    csrw pmpcfg0, t0
    READS(5, pmpcfg0, 0x1f)
    li t0, 0x02                             /* W without R: not written */
    csrw pmpcfg0, t0
    READS(6, pmpcfg0, 0x1f)
    csrw pmpcfg0, zero
    MRET_TO(0, u1)

u1: NO_TRAP(7, li t1, PAGE_A; lw t0, 0(t1); sw t0, 0(t1)) /* every entry off */
    TO_M(m1)

m1: li t0, (0x80000000 >> 2) | 0x1ffff      /* 0: NAPOT 1 MiB of code, R X */
    csrw pmpaddr0, t0
    li t0, PAGE_A >> 2                      /* 1: off, the bottom of 2 */
    csrw pmpaddr1, t0
    li t0, (PAGE_A + 4096) >> 2             /* 2: TOR, R W */
    csrw pmpaddr2, t0
    li t0, (PAGE_B >> 2) | 0x1ff            /* 3: NAPOT 4 KiB, R */
    csrw pmpaddr3, t0
    li t0, (PAGE_C + 8) >> 2                /* 4: NA4, R W */
    csrw pmpaddr4, t0
    li t0, (PAGE_D >> 2) | 0x1ff            /* 5: NAPOT 4 KiB, R */
    csrw pmpaddr5, t0
    li t0, 0x00001913190b001d
    csrw pmpcfg0, t0
    MRET_TO(0, u2)

u2: NO_TRAP(8, li t1, PAGE_A; lw t0, 0(t1); sw t0, 0(t1))
    NO_TRAP(9, li t1, PAGE_B; lw t0, 0(t1))
    FAULTS(10, 7, PAGE_B, li t1, PAGE_B; sw t0, 0(t1))
    FAULTS(11, 5, PAGE_C, li t1, PAGE_C; lw t0, 0(t1))
    NO_TRAP(12, li t1, PAGE_C + 8; lw t0, 0(t1); sw t0, 0(t1))
    FAULTS(13, 5, PAGE_C + 12, li t1, PAGE_C + 12; lw t0, 0(t1))
    NO_TRAP(14, li t1, PAGE_C + 8; lw t0, 0(t1))
    FAULTS(15, 7, PAGE_C + 4, li t1, PAGE_C + 4; sw t0, 0(t1))
    FAULTS(16, 5, NOWHERE, li t1, NOWHERE; lw t0, 0(t1))
    FAULTS(17, 1, PAGE_A, li t1, PAGE_A; jalr t1)
    TO_M(m2)

m2: NO_TRAP(18, li t1, PAGE_B; sw t0, 0(t1); li t1, NOWHERE; lw t0, 0(t1))
    li t0, 3 << 16                          /* entry 2 loses R and W */
    csrc pmpcfg0, t0
    MRET_TO(0, u3)

u3: FAULTS(19, 5, PAGE_A, li t1, PAGE_A; lw t0, 0(t1))
    TO_M(m3)

    /* Sv39 in S-mode: the root (PAGE_D, readable) maps 0x80000000 as a gigapage and points
     * VA 0 to a table in PAGE_E, which the PMP hides: an access fault, not a page fault. */
m3: li t1, PAGE_D
    li t0, (0x80000000 >> 12) << 10 | 0xcf  /* V R W X A D */
    sd t0, 2 * 8(t1)
    li t0, (PAGE_E >> 12) << 10 | 1         /* V: the next level */
    sd t0, 0(t1)
    li t0, 8 << 60 | (PAGE_D >> 12)
    csrw satp, t0
    sfence.vma
    MRET_TO(1, s1)

s1: NO_TRAP(20, li t1, PAGE_B; lw t0, 0(t1))
    FAULTS(21, 5, 0x1000, li t1, 0x1000; lw t0, 0(t1))
    TO_M(m4)

m4: csrw satp, zero
    li t0, 0x80 << 24                       /* lock entry 3 (PAGE_B, R) */
    csrs pmpcfg0, t0
    FAULTS(22, 7, PAGE_B, li t1, PAGE_B; sw t0, 0(t1))
    NO_TRAP(23, li t1, PAGE_B; lw t0, 0(t1))
    li t0, 0xff << 24
    csrc pmpcfg0, t0
    READS(24, pmpcfg0, 0x00001913990b001d & ~(3 << 16))
    csrw pmpaddr3, zero
    READS(25, pmpaddr3, (PAGE_B >> 2) | 0x1ff)

    la a0, ok
    li a1, 7
    call htif_print
    HTIF_EXIT(0)

fail:
    TO_M(fail_m)
fail_m:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    la t1, tohost
    sd a0, 0(t1)
1:  j 1b

    .balign 4
mtrap:
    csrr s6, mcause
    csrr s7, mtval
    csrr s8, mepc
    li t0, 99
    bne a0, t0, 1f
    li t0, 8
    beq s6, t0, 2f
    li t0, 9
    beq s6, t0, 2f
    li t0, 11
    beq s6, t0, 2f
1:  addi t0, s8, 4
    li t1, 1
    bne s6, t1, 3f
    mv t0, ra                               /* a fetch fault: back to the jalr's return */
3:  csrw mepc, t0
    mret
2:  li a0, 0
    li t0, 3 << 11                          /* to M-mode at s9 */
    csrs mstatus, t0
    csrw mepc, s9
    mret

HTIF_DEFINE

    .section .rodata
ok: .asciz "pmp ok\n"
