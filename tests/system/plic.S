/* The PLIC with the UART as source 10, without taking interrupts (mip shows the contexts'
 * lines: context 0 is MEIP, context 1 SEIP). The UART's "transmitter empty" interrupt is
 * pending only with a priority, the enable bit and a threshold below it; a claim returns 10
 * and lowers the line until the completion, after which the still-high source is pending
 * again; reading IIR ends the UART's request. Then received data in loopback through the S
 * context. A mismatch powers off with the check's number; all pass: "plic ok". */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s0, UART
    li s1, PLIC
    li s2, PLIC + PLIC_CONTEXT         /* context 0: threshold, claim at +4 */
    li s3, PLIC + PLIC_CONTEXT + 0x1000  /* context 1 */
    li s4, PLIC + PLIC_PENDING
    li s5, PLIC + PLIC_ENABLE          /* context 0; context 1 at +0x80 */
    li t0, 2                          /* the UART asks for service: THR empty */
    sb t0, UART_IER(s0)
    lw t0, 0(s4)           /* pending in the PLIC, no priority: no line */
    li t1, 1 << UART_IRQ
    EXPECT(1, t0, t1)
    csrr t0, mip
    EXPECT(2, t0, zero)
    li t0, 3
    sw t0, 4 * UART_IRQ(s1)
    lw t0, 4 * UART_IRQ(s1)
    li t1, 3
    EXPECT(3, t0, t1)
    csrr t0, mip                      /* not enabled yet */
    EXPECT(4, t0, zero)
    li t0, 1 << UART_IRQ
    sw t0, 0(s5)
    csrr t0, mip
    li t1, MIP_MEIP
    EXPECT(5, t0, t1)
    li t0, 3                          /* threshold 3 masks priority 3 */
    sw t0, 0(s2)
    csrr t0, mip
    EXPECT(6, t0, zero)
    li t0, 2
    sw t0, 0(s2)
    csrr t0, mip
    li t1, MIP_MEIP
    EXPECT(7, t0, t1)
    lw t0, 4(s2)                      /* claim */
    li t1, UART_IRQ
    EXPECT(8, t0, t1)
    csrr t0, mip
    EXPECT(9, t0, zero)
    lw t0, 4(s2)                      /* nothing more to claim */
    EXPECT(10, t0, zero)
    li t0, UART_IRQ                   /* complete: the UART still asks */
    sw t0, 4(s2)
    csrr t0, mip
    li t1, MIP_MEIP
    EXPECT(11, t0, t1)
    lbu t0, UART_IIR(s0)              /* the UART reports THR empty and stops asking */
    li t1, 0x02
    EXPECT(12, t0, t1)
    csrr t0, mip
    EXPECT(13, t0, zero)
    lw t0, 0(s4)
    EXPECT(14, t0, zero)
    lbu t0, UART_IIR(s0)
    li t1, 0x01
    EXPECT(15, t0, t1)

    sw zero, 0(s5)          /* received data, to the S context */
    li t0, 1 << UART_IRQ
    sw t0, 0x80(s5)
    li t0, 1                          /* data available only */
    sb t0, UART_IER(s0)
    li t0, 0x10
    sb t0, UART_MCR(s0)
    csrr t0, mip
    EXPECT(16, t0, zero)
    li t0, 'x'
    sb t0, UART_THR(s0)
    csrr t0, mip
    li t1, MIP_SEIP
    EXPECT(17, t0, t1)
    lbu t0, UART_IIR(s0)
    li t1, 0x04
    EXPECT(18, t0, t1)
    lw t0, 4(s3)
    li t1, UART_IRQ
    EXPECT(19, t0, t1)
    lbu t0, UART_RBR(s0)              /* reading the byte ends the UART's request */
    li t1, 'x'
    EXPECT(20, t0, t1)
    li t0, UART_IRQ
    sw t0, 4(s3)
    csrr t0, mip
    EXPECT(21, t0, zero)
    li t0, UART_IRQ                   /* completing twice changes nothing */
    sw t0, 4(s3)
    lw t0, 4(s3)
    EXPECT(22, t0, zero)
    lh t0, 4(s3)                      /* a 16-bit access reads 0, no claim */
    EXPECT(23, t0, zero)
    sb zero, UART_MCR(s0)
    sb zero, UART_IER(s0)
    la a0, ok
    call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
ok: .asciz "plic ok\n"
