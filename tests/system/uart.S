/* The NS16550A UART's registers without interrupts: printing, the line status of an idle
 * port (transmitter empty, no data), the divisor latch behind LCR.DLAB, the scratch
 * register, the FIFO bits of IIR, and loopback (a byte sent comes back in RBR with LSR.DR
 * set, the FIFO keeps 16, one more is an overrun). A mismatch powers off with the check's
 * number; all pass: "uart ok", status 0. */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    la a0, hello
    call uart_puts
    li s0, UART
    lbu t0, UART_LSR(s0)              /* THRE and TEMT, no data */
    li t1, 0x60
    EXPECT(1, t0, t1)
    lbu t0, UART_IIR(s0)              /* no interrupt pending, FIFOs off */
    li t1, 0x01
    EXPECT(2, t0, t1)
    li t0, 0x83                       /* DLAB: offsets 0 and 1 are the divisor */
    sb t0, UART_LCR(s0)
    li t0, 0x12
    sb t0, UART_RBR(s0)
    li t0, 0x34
    sb t0, UART_IER(s0)
    lbu t0, UART_RBR(s0)
    li t1, 0x12
    EXPECT(3, t0, t1)
    lbu t0, UART_IER(s0)
    li t1, 0x34
    EXPECT(4, t0, t1)
    li t0, 0x03                       /* 8N1, DLAB off: IER is still 0 */
    sb t0, UART_LCR(s0)
    lbu t0, UART_IER(s0)
    EXPECT(5, t0, zero)
    lbu t0, UART_LCR(s0)
    li t1, 0x03
    EXPECT(6, t0, t1)
    li t0, 0xa5                       /* scratch */
    sb t0, UART_SCR(s0)
    lbu t0, UART_SCR(s0)
    li t1, 0xa5
    EXPECT(7, t0, t1)
    lbu t0, UART_MSR(s0)              /* DCD, DSR, CTS */
    li t1, 0xb0
    EXPECT(8, t0, t1)
    li t0, 0x07                       /* FIFOs on (cleared): IIR bits 7-6 set */
    sb t0, UART_FCR(s0)
    lbu t0, UART_IIR(s0)
    li t1, 0xc1
    EXPECT(9, t0, t1)

    li t0, 0x10                       /* loopback */
    sb t0, UART_MCR(s0)
    li t0, 'L'
    sb t0, UART_THR(s0)
    lbu t0, UART_LSR(s0)
    li t1, 0x61
    EXPECT(10, t0, t1)
    lbu t0, UART_RBR(s0)
    li t1, 'L'
    EXPECT(11, t0, t1)
    lbu t0, UART_LSR(s0)
    li t1, 0x60
    EXPECT(12, t0, t1)
    li t2, 17                         /* 17 bytes into a 16-byte FIFO: an overrun */
1:  sb t2, UART_THR(s0)
    addi t2, t2, -1
    bnez t2, 1b
    lbu t0, UART_LSR(s0)
    li t1, 0x63
    EXPECT(13, t0, t1)
    lbu t0, UART_LSR(s0)              /* reading LSR cleared OE */
    li t1, 0x61
    EXPECT(14, t0, t1)
    li t2, 17                         /* the first 16 are kept, in order */
2:  lbu t0, UART_RBR(s0)
    EXPECT(15, t0, t2)
    addi t2, t2, -1
    li t1, 1
    bne t2, t1, 2b
    lbu t0, UART_LSR(s0)
    li t1, 0x60
    EXPECT(16, t0, t1)
    lw t0, UART_LSR(s0)               /* a word read: the register in the low byte */
    li t1, 0x60
    EXPECT(17, t0, t1)
    sb zero, UART_MCR(s0)
    ld t0, 0x80(s0)                   /* past the registers: reads 0, writes ignored */
    EXPECT(18, t0, zero)
    sd s0, 0x88(s0)
    la a0, ok
    call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
hello: .asciz "hello, uart\n"
ok: .asciz "uart ok\n"
