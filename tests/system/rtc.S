/* The Goldfish RTC: the time in nanoseconds since the epoch (after 2020, not decreasing),
 * read low word first; an alarm 1 ms ahead raises source 11 through the PLIC (polling mip)
 * and is no longer armed; clearing the interrupt lowers it. A mismatch powers off with the
 * check's number; all pass: "rtc ok". */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s0, RTC
    li s1, PLIC
    li s3, PLIC + PLIC_ENABLE
    li s4, PLIC + PLIC_CONTEXT
    lwu t0, 0(s0)
    lwu t1, 4(s0)
    slli t1, t1, 32
    or s2, t0, t1
    li t0, 1577836800000000000        /* 2020-01-01 */
    sltu t0, s2, t0
    EXPECT(1, t0, zero)
    lwu t0, 0(s0)
    lwu t1, 4(s0)
    slli t1, t1, 32
    or t0, t0, t1
    sltu t0, t0, s2
    EXPECT(2, t0, zero)
    li t0, 1                          /* source 11 to context 0 */
    sw t0, 4 * RTC_IRQ(s1)
    li t0, 1 << RTC_IRQ
    sw t0, 0(s3)
    li t0, 1
    sw t0, 0x10(s0)                   /* IRQ_ENABLED */
    li t0, 1000000
    add s2, s2, t0
    srli t0, s2, 32
    sw t0, 0xc(s0)                    /* ALARM_HIGH, then ALARM_LOW arms it */
    sw s2, 0x8(s0)
    lw t0, 0x18(s0)                   /* ALARM_STATUS */
    li t1, 1
    EXPECT(3, t0, t1)
    li t1, MIP_MEIP
1:  csrr t0, mip
    and t0, t0, t1
    beqz t0, 1b
    lw t0, 0x18(s0)
    EXPECT(4, t0, zero)
    lw t0, 4(s4)
    li t1, RTC_IRQ
    EXPECT(5, t0, t1)
    li t0, 1
    sw t0, 0x1c(s0)                   /* CLEAR_INTERRUPT */
    li t0, RTC_IRQ
    sw t0, 4(s4)
    csrr t0, mip
    EXPECT(6, t0, zero)
    la a0, ok
    call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
ok: .asciz "rtc ok\n"
