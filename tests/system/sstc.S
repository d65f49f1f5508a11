/* Sstc: menvcfg.STCE is writable; while it is set, stimecmp drives mip.STIP (in the past:
 * pending at once; written ahead: clear; 100 ms ahead: pending only once time passes it, by
 * polling mip; 1 ms ahead: as an interrupt taken through WFI) and M-mode's writes to mip.STIP
 * change nothing; S-mode reads and writes stimecmp only with STCE and mcounteren.TM set
 * (else an illegal instruction, mtval = the instruction); with STCE clear, stimecmp no
 * longer drives STIP and M-mode writes it again. The M handler records an exception's
 * cause and tval in s6 and s7 and skips the instruction, an interrupt's cause in s6 and the
 * time it came in s7 (then puts stimecmp at its maximum); ECALL with a0 = 99 goes to M-mode
 * at s9. A mismatch powers off with the check's number; all pass: "sstc ok". */
#include "virt.h"
#include "mstart.h"

#define MIP_STIP 0x20
#define MCAUSE_STI ((1 << 63) | 5)
#define TO_M(label) la s9, label; li a0, 99; ecall
#define S_MODE_AT(label) \
    li t0, 3 << 11; csrc mstatus, t0; li t0, 1 << 11; csrs mstatus, t0; \
    la t0, label; csrw mepc, t0; mret
/* the STIP bit of mip in reg */
#define STIP(reg) csrr reg, mip; andi reg, reg, MIP_STIP
/* insn raises an illegal instruction with mtval = insn */
#define ILLEGAL(n, ...) \
    li s6, -1; la s3, 1f; \
1:  __VA_ARGS__; \
    li t0, 2; EXPECT(n, s6, t0); lwu t0, 0(s3); EXPECT(n, s7, t0)
#define NO_TRAP(n, ...) li s6, -1; __VA_ARGS__; li t0, -1; EXPECT(n, s6, t0)

    .option norvc
    .section .text.init
    .globl _start
_start:
    M_START(mtrap)
    li s5, 1
    slli s5, s5, 63                         /* s5 = menvcfg.STCE */
    csrs menvcfg, s5
    csrr t0, menvcfg
    and t0, t0, s5
    EXPECT(1, t0, s5)
    csrw stimecmp, zero                     /* in the past: pending at once */
    STIP(t0)
    li t1, MIP_STIP
    EXPECT(2, t0, t1)
    li t0, -1                               /* written ahead: clear */
    csrw stimecmp, t0
    STIP(t0)
    EXPECT(3, t0, zero)
    li t0, MIP_STIP                         /* mip.STIP is stimecmp's */
    csrs mip, t0
    STIP(t0)
    EXPECT(4, t0, zero)
    csrw stimecmp, zero
    li t0, MIP_STIP
    csrc mip, t0
    STIP(t0)
    li t1, MIP_STIP
    EXPECT(5, t0, t1)
    csrr t0, time                           /* 100 ms ahead: a loaded host may pause */
    li t1, 1000000                          /* the hart for a few ms before check 6 */
    add s2, t0, t1
    csrw stimecmp, s2
    STIP(t0)
    EXPECT(6, t0, zero)
    csrr t0, stimecmp
    EXPECT(7, t0, s2)
2:  STIP(t0)                                /* pending once time passes it, not before */
    beqz t0, 2b
    csrr t0, time
    sltu t0, t0, s2
    EXPECT(8, t0, zero)

    li s6, 0                                /* the interrupt, through WFI */
    csrr t0, time
    li t1, 10000
    add s2, t0, t1
    csrw stimecmp, s2
    li t0, MIP_STIP
    csrs mie, t0
    csrsi mstatus, 8
3:  wfi
    beqz s6, 3b
    csrci mstatus, 8
    csrw mie, zero
    li t0, MCAUSE_STI
    EXPECT(9, s6, t0)
    sltu t0, s7, s2
    EXPECT(10, t0, zero)
    STIP(t0)                                /* the handler wrote it ahead */
    EXPECT(11, t0, zero)

    li t0, 2                                /* S-mode: with STCE and TM */
    csrw mcounteren, t0
    S_MODE_AT(in_s1)
in_s1: NO_TRAP(12, csrr t0, stimecmp)
    li t1, -1
    EXPECT(13, t0, t1)
    NO_TRAP(14, csrw stimecmp, zero)
    TO_M(m1)
m1: STIP(t0)
    li t1, MIP_STIP
    EXPECT(15, t0, t1)
    li t0, -1
    csrw stimecmp, t0
    csrw mcounteren, zero                   /* without TM */
    S_MODE_AT(in_s2)
in_s2: ILLEGAL(16, csrr t0, stimecmp)
    ILLEGAL(17, csrw stimecmp, zero)
    TO_M(m2)
m2: STIP(t0)
    EXPECT(18, t0, zero)
    li t0, 2                                /* without STCE */
    csrw mcounteren, t0
    csrc menvcfg, s5
    S_MODE_AT(in_s3)
in_s3: ILLEGAL(19, csrr t0, stimecmp)
    ILLEGAL(20, csrw stimecmp, zero)
    TO_M(m3)
m3: csrw stimecmp, zero                     /* STCE clear: STIP is M-mode's to write */
    STIP(t0)
    EXPECT(21, t0, zero)
    li t0, MIP_STIP
    csrs mip, t0
    STIP(t0)
    li t1, MIP_STIP
    EXPECT(22, t0, t1)
    li t0, MIP_STIP
    csrc mip, t0
    STIP(t0)
    EXPECT(23, t0, zero)
    la a0, ok
    call uart_puts
    POWEROFF

mtrap:
    csrr s6, mcause
    bgez s6, 1f
    csrr s7, time                           /* an interrupt: the time it came */
    li t0, -1
    csrw stimecmp, t0
    mret
1:  csrr s7, mtval
    li t0, 99
    bne a0, t0, 2f
    li t0, 9                                /* ECALL from S-mode with a0 = 99 */
    bne s6, t0, 2f
    li a0, 0
    li t0, 3 << 11                          /* to M-mode at s9 */
    csrs mstatus, t0
    csrw mepc, s9
    mret
2:  csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    mret

VIRT_DEFINE

    .section .rodata
ok: .asciz "sstc ok\n"
